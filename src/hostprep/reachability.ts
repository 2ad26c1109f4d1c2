/**
 * Scripts that test, from the SQL Server host, the TCP ports the link needs on the managed
 * instance: 5022 (the mirroring endpoint) and 11000-11999 (redirect connections). Each port is
 * tried once with a short timeout and reported on its own line, then a summary:
 *
 *     REACHABLE <host> <port>
 *     UNREACHABLE <host> <port>
 *     SUMMARY host=<host> reachable=<n> unreachable=<n>
 *
 * The script exits 1 when any port is unreachable. Windows uses `Test-NetConnection` for single
 * ports and a TcpClient with a timeout for ranges (Test-NetConnection waits ~20 s per closed port,
 * too slow for a thousand of them); Linux uses `nc -z -w` when installed, bash's /dev/tcp otherwise.
 */
import {
  HostPrepInputError,
  quotePosix,
  quotePowerShell,
  validateHostName,
  validatePortNumber,
  validatePortRange,
  type PortRange,
} from "./inputs";

/** The managed instance's ports the link uses (mi-link.md §4). */
export const LINK_PORTS: readonly (number | PortRange)[] = [5022, { from: 11000, to: 11999 }];

export interface ReachabilityOptions {
  /** The managed instance's FQDN or IP address (VNet-local endpoint). */
  host: string;
  /** Ports and ranges to test. Default 5022 and 11000-11999. */
  ports?: readonly (number | PortRange)[];
  /** Per-port timeout in seconds, 1-60. Default 2. */
  timeoutSeconds?: number;
}

function validated(options: ReachabilityOptions): { host: string; ranges: PortRange[]; timeout: number } {
  const host = validateHostName(options.host, "host");
  const ports = options.ports ?? LINK_PORTS;
  if (!Array.isArray(ports) || ports.length === 0) {
    throw new HostPrepInputError("ports", "must list at least one port or range");
  }
  const ranges = ports.map((p, i) =>
    typeof p === "number"
      ? { from: validatePortNumber(p, `ports[${i}]`), to: p }
      : validatePortRange(p, `ports[${i}]`),
  );
  const timeout = options.timeoutSeconds ?? 2;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 60) {
    throw new HostPrepInputError(
      "timeoutSeconds",
      `must be a whole number of seconds from 1 to 60, not ${timeout}`,
    );
  }
  return { host, ranges, timeout };
}

/** PowerShell reachability test. @throws HostPrepInputError */
export function buildWindowsReachabilityScript(options: ReachabilityOptions): string {
  const { host, ranges, timeout } = validated(options);
  const list = ranges.map((r) => `@(${r.from}, ${r.to})`).join(", ");
  return (
    [
      `$target = ${quotePowerShell(host)}`,
      `$timeoutMs = ${timeout * 1000}`,
      `$ranges = @(${list})`,
      "$ok = 0; $failed = 0",
      "foreach ($range in $ranges) {",
      "  foreach ($port in $range[0]..$range[1]) {",
      "    if ($range[0] -eq $range[1]) {",
      "      $open = Test-NetConnection -ComputerName $target -Port $port -InformationLevel Quiet -WarningAction SilentlyContinue",
      "    } else {",
      "      $client = New-Object System.Net.Sockets.TcpClient",
      "      try { $open = $client.ConnectAsync($target, $port).Wait($timeoutMs) } catch { $open = $false } finally { $client.Dispose() }",
      "    }",
      '    if ($open) { $ok++; Write-Output "REACHABLE $target $port" } else { $failed++; Write-Output "UNREACHABLE $target $port" }',
      "  }",
      "}",
      'Write-Output "SUMMARY host=$target reachable=$ok unreachable=$failed"',
      "if ($failed -gt 0) { exit 1 }",
    ].join("\n") + "\n"
  );
}

/** Bash reachability test. @throws HostPrepInputError */
export function buildLinuxReachabilityScript(options: ReachabilityOptions): string {
  const { host, ranges, timeout } = validated(options);
  return (
    [
      `target=${quotePosix(host)}`,
      `timeout_s=${timeout}`,
      "ok=0; failed=0",
      "probe() {",
      '  if command -v nc >/dev/null 2>&1; then nc -z -w "$timeout_s" "$target" "$1" >/dev/null 2>&1',
      '  else timeout "$timeout_s" bash -c \'exec 3<>"/dev/tcp/$0/$1"\' "$target" "$1" >/dev/null 2>&1; fi',
      "}",
      `for range in ${ranges.map((r) => `${r.from}:${r.to}`).join(" ")}; do`,
      '  for port in $(seq "${range%%:*}" "${range##*:}"); do',
      '    if probe "$port"; then ok=$((ok+1)); echo "REACHABLE $target $port"',
      '    else failed=$((failed+1)); echo "UNREACHABLE $target $port"; fi',
      "  done",
      "done",
      'echo "SUMMARY host=$target reachable=$ok unreachable=$failed"',
      '[ "$failed" -eq 0 ]',
    ].join("\n") + "\n"
  );
}

/** One port's result in a reachability report. */
export interface PortResult {
  host: string;
  port: number;
  reachable: boolean;
}

export interface ReachabilityReport {
  results: PortResult[];
  reachable: number;
  unreachable: number;
  /** Unreachable ports folded into ranges, for messages: "5022, 11000-11999". */
  unreachableText: string;
}

/** Parses the output of either script; lines that are not part of the report are ignored. */
export function parseReachabilityReport(output: string): ReachabilityReport {
  const results: PortResult[] = [];
  for (const line of output.split(/\r?\n/)) {
    const m = /^(REACHABLE|UNREACHABLE) (\S+) (\d{1,5})$/.exec(line.trim());
    if (m) results.push({ host: m[2], port: Number(m[3]), reachable: m[1] === "REACHABLE" });
  }
  const closed = results.filter((r) => !r.reachable).map((r) => r.port);
  return {
    results,
    reachable: results.length - closed.length,
    unreachable: closed.length,
    unreachableText: foldPorts(closed),
  };
}

function foldPorts(ports: number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(", ");
}
