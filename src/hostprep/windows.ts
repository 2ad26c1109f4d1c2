/**
 * PowerShell that prepares a Windows SQL Server for the link: Always On availability groups
 * enabled and trace flags 1800 and 9567 as startup parameters, then the service restarted (both
 * take effect only at start). Uses the SqlServer module's `Enable-SqlAlwaysOn`, and the
 * registry's startup parameters (SQLArg0..n) for the trace flags, which is what SQL Server
 * Configuration Manager edits.
 */
import { DEFAULT_INSTANCE, quotePowerShell, validateInstanceName, validateTraceFlag } from "./inputs";

/** Trace flags the link recommends: 1800 (log I/O alignment across sector sizes), 9567 (seeding compression). */
export const LINK_TRACE_FLAGS: readonly number[] = [1800, 9567];

export interface WindowsPreparationOptions {
  /** Default "MSSQLSERVER" (the default instance). */
  instanceName?: string;
  /** Default [1800, 9567]. */
  traceFlags?: readonly number[];
  /** Restart the service so the changes take effect. Default true. */
  restart?: boolean;
}

/** The Windows service name of an instance: MSSQLSERVER or MSSQL$<name>. */
export function windowsServiceName(instanceName: string): string {
  return instanceName.toUpperCase() === DEFAULT_INSTANCE ? DEFAULT_INSTANCE : `MSSQL$${instanceName}`;
}

/** The script; every value validated and single-quoted. @throws HostPrepInputError */
export function buildWindowsPreparationScript(options: WindowsPreparationOptions = {}): string {
  const instance = validateInstanceName(options.instanceName ?? DEFAULT_INSTANCE);
  const flags = (options.traceFlags ?? LINK_TRACE_FLAGS).map((f) => validateTraceFlag(f));
  // Built from $instance (a single-quoted literal), never interpolated: "$" is legal in instance names.
  const serverInstance =
    instance.toUpperCase() === DEFAULT_INSTANCE
      ? "$env:COMPUTERNAME"
      : "($env:COMPUTERNAME + '\\' + $instance)";
  const lines = [
    "$ErrorActionPreference = 'Stop'",
    `$instance = ${quotePowerShell(instance)}`,
    `$service = ${quotePowerShell(windowsServiceName(instance))}`,
    `$traceFlags = @(${flags.map((f) => quotePowerShell(`-T${f}`)).join(", ")})`,
    "Import-Module SqlServer",
    "# Always On availability groups (takes effect at the restart below).",
    `Enable-SqlAlwaysOn -ServerInstance ${serverInstance} -NoServiceRestart -Force`,
    "# Trace flags as startup parameters: the SQLArg<n> values of the instance's registry key.",
    "$id = (Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL').$instance",
    '$key = "HKLM:\\SOFTWARE\\Microsoft\\Microsoft SQL Server\\$id\\MSSQLServer\\Parameters"',
    "$current = (Get-Item $key).Property | Where-Object { $_ -like 'SQLArg*' } | ForEach-Object { (Get-ItemProperty $key).$_ }",
    "$next = @($current).Count",
    "foreach ($flag in $traceFlags) {",
    "  if (@($current) -notcontains $flag) {",
    '    New-ItemProperty -Path $key -Name "SQLArg$next" -Value $flag -PropertyType String -Force | Out-Null',
    "    $next++",
    "  }",
    "}",
  ];
  if (options.restart ?? true) {
    lines.push(
      "# Both changes take effect only when the service starts.",
      "Restart-Service -Name $service -Force",
    );
  }
  lines.push(
    "Write-Output \"PREPARED instance=$instance hadr=enabled traceflags=$($traceFlags -join ',') restarted=" +
      `${(options.restart ?? true) ? "yes" : "no"}"`,
  );
  return lines.join("\n") + "\n";
}
