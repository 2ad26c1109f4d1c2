/**
 * Host preparation scripts: exact text per OS, every hostile value refused with the input named
 * (and quoting that holds even for values validation would refuse), the Linux reachability
 * script run for real against a local listener, and the report parser.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildLinuxPreparationScript,
  buildLinuxReachabilityScript,
  buildWindowsPreparationScript,
  buildWindowsReachabilityScript,
  HostPrepInputError,
  parseReachabilityReport,
  quotePosix,
  quotePowerShell,
  windowsServiceName,
} from "../../src/hostprep";

const HOSTILE = [
  "a]; DROP DATABASE x--",
  "x'; Restart-Computer; '",
  "$(reboot)",
  "`whoami`",
  "a b",
  "x\u0000y",
  "x\ny",
  "a;b",
  "a|b",
  "a&b",
  "\u2019; Stop-Computer",
  "${IFS}",
];

function errorOf(fn: () => unknown): HostPrepInputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof HostPrepInputError) return error;
    throw error;
  }
  throw new Error("no error");
}

describe("Windows preparation script", () => {
  it("enables Always On, adds -T1800 -T9567 as startup parameters and restarts the named instance", () => {
    expect(buildWindowsPreparationScript({ instanceName: "SQL2022" })).toBe(
      [
        "$ErrorActionPreference = 'Stop'",
        "$instance = 'SQL2022'",
        "$service = 'MSSQL$SQL2022'",
        "$traceFlags = @('-T1800', '-T9567')",
        "Import-Module SqlServer",
        "# Always On availability groups (takes effect at the restart below).",
        "Enable-SqlAlwaysOn -ServerInstance ($env:COMPUTERNAME + '\\' + $instance) -NoServiceRestart -Force",
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
        "# Both changes take effect only when the service starts.",
        "Restart-Service -Name $service -Force",
        "Write-Output \"PREPARED instance=$instance hadr=enabled traceflags=$($traceFlags -join ',') restarted=yes\"",
        "",
      ].join("\n"),
    );
  });

  it("targets the default instance by computer name and can skip the restart", () => {
    const script = buildWindowsPreparationScript({ restart: false, traceFlags: [1800] });
    expect(script).toContain("$instance = 'MSSQLSERVER'\n$service = 'MSSQLSERVER'\n");
    expect(script).toContain("Enable-SqlAlwaysOn -ServerInstance $env:COMPUTERNAME -NoServiceRestart -Force");
    expect(script).toContain("$traceFlags = @('-T1800')");
    expect(script).not.toContain("Restart-Service");
    expect(script).toContain("restarted=no");
    expect(windowsServiceName("mssqlserver")).toBe("MSSQLSERVER");
    expect(windowsServiceName("A$B")).toBe("MSSQL$A$B");
  });

  it("refuses hostile instance names and trace flags, naming the input", () => {
    for (const value of [...HOSTILE, "", "x".repeat(17), "1abc", "HOST\\INST", "default"]) {
      expect(errorOf(() => buildWindowsPreparationScript({ instanceName: value })).field).toBe(
        "instanceName",
      );
    }
    for (const flag of [0, -1, 32768, 1.5, Number.NaN, "1800; reboot" as unknown as number]) {
      expect(errorOf(() => buildWindowsPreparationScript({ traceFlags: [flag] })).field).toBe("traceFlags");
    }
  });
});

describe("Linux preparation script", () => {
  it("uses mssql-conf for HADR and the trace flags, then restarts mssql-server", () => {
    expect(buildLinuxPreparationScript()).toBe(
      [
        "set -euo pipefail",
        "sudo /opt/mssql/bin/mssql-conf set hadr.hadrenabled 1",
        "sudo /opt/mssql/bin/mssql-conf traceflag '1800' '9567' on",
        "sudo systemctl restart mssql-server",
        "echo 'PREPARED hadr=enabled traceflags=1800,9567 restarted=yes'",
        "",
      ].join("\n"),
    );
    expect(buildLinuxPreparationScript({ sudo: false, restart: false, traceFlags: [9567] })).toBe(
      [
        "set -euo pipefail",
        "/opt/mssql/bin/mssql-conf set hadr.hadrenabled 1",
        "/opt/mssql/bin/mssql-conf traceflag '9567' on",
        "echo 'PREPARED hadr=enabled traceflags=9567 restarted=no'",
        "",
      ].join("\n"),
    );
  });

  it("is valid bash", () => {
    const check = spawnSync("bash", ["-n"], { input: buildLinuxPreparationScript() });
    expect(check.status).toBe(0);
  });
});

describe("reachability scripts", () => {
  it("Windows: Test-NetConnection for 5022, a timed TcpClient for 11000-11999, one line per port", () => {
    expect(buildWindowsReachabilityScript({ host: "sqlmi1.abc123.database.windows.net" })).toBe(
      [
        "$target = 'sqlmi1.abc123.database.windows.net'",
        "$timeoutMs = 2000",
        "$ranges = @(@(5022, 5022), @(11000, 11999))",
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
        "",
      ].join("\n"),
    );
  });

  it("Linux: nc -z or bash /dev/tcp per port", () => {
    expect(
      buildLinuxReachabilityScript({ host: "10.1.2.3", ports: [5022, { from: 11000, to: 11002 }] }),
    ).toBe(
      [
        "target='10.1.2.3'",
        "timeout_s=2",
        "ok=0; failed=0",
        "probe() {",
        '  if command -v nc >/dev/null 2>&1; then nc -z -w "$timeout_s" "$target" "$1" >/dev/null 2>&1',
        '  else timeout "$timeout_s" bash -c \'exec 3<>"/dev/tcp/$0/$1"\' "$target" "$1" >/dev/null 2>&1; fi',
        "}",
        "for range in 5022:5022 11000:11002; do",
        '  for port in $(seq "${range%%:*}" "${range##*:}"); do',
        '    if probe "$port"; then ok=$((ok+1)); echo "REACHABLE $target $port"',
        '    else failed=$((failed+1)); echo "UNREACHABLE $target $port"; fi',
        "  done",
        "done",
        'echo "SUMMARY host=$target reachable=$ok unreachable=$failed"',
        '[ "$failed" -eq 0 ]',
        "",
      ].join("\n"),
    );
  });

  it("refuses hostile hosts, ports and timeouts, naming the input", () => {
    for (const host of [...HOSTILE, "", "-oProxyCommand=x", "[::1]", "h:5022", "x".repeat(254)]) {
      expect(errorOf(() => buildLinuxReachabilityScript({ host })).field).toBe("host");
      expect(errorOf(() => buildWindowsReachabilityScript({ host })).field).toBe("host");
    }
    expect(errorOf(() => buildLinuxReachabilityScript({ host: "h", ports: [0] })).field).toBe("ports[0]");
    expect(errorOf(() => buildLinuxReachabilityScript({ host: "h", ports: [70000] })).field).toBe("ports[0]");
    expect(
      errorOf(() => buildLinuxReachabilityScript({ host: "h", ports: [5022, { from: 2, to: 1 }] })).field,
    ).toBe("ports[1]");
    expect(
      errorOf(() =>
        buildLinuxReachabilityScript({ host: "h", ports: [{ from: "1; reboot", to: 2 } as never] }),
      ).field,
    ).toBe("ports[0].from");
    expect(errorOf(() => buildLinuxReachabilityScript({ host: "h", ports: [] })).field).toBe("ports");
    expect(errorOf(() => buildLinuxReachabilityScript({ host: "h", timeoutSeconds: 0 })).field).toBe(
      "timeoutSeconds",
    );
    expect(buildLinuxReachabilityScript({ host: "fe80::1" })).toContain("target='fe80::1'");
  });

  describe("the Linux script, run", () => {
    let server: net.Server;
    let openPort = 0;
    let closedPort = 0;
    beforeAll(async () => {
      server = net.createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      openPort = (server.address() as net.AddressInfo).port;
      const probe = net.createServer();
      await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
      closedPort = (probe.address() as net.AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("reports each port and exits 1 when one is unreachable", () => {
      const script = buildLinuxReachabilityScript({
        host: "127.0.0.1",
        ports: [openPort, closedPort],
        timeoutSeconds: 1,
      });
      const run = spawnSync("bash", ["-s"], { input: script, encoding: "utf8" });
      expect(run.status).toBe(1);
      expect(run.stdout.trim().split("\n")).toEqual([
        `REACHABLE 127.0.0.1 ${openPort}`,
        `UNREACHABLE 127.0.0.1 ${closedPort}`,
        "SUMMARY host=127.0.0.1 reachable=1 unreachable=1",
      ]);
      const report = parseReachabilityReport(run.stdout);
      expect(report).toMatchObject({ reachable: 1, unreachable: 1, unreachableText: String(closedPort) });
      const ok = spawnSync("bash", ["-s"], {
        input: buildLinuxReachabilityScript({ host: "127.0.0.1", ports: [openPort], timeoutSeconds: 1 }),
        encoding: "utf8",
      });
      expect(ok.status).toBe(0);
    });
  });
});

describe("quoting", () => {
  it("a POSIX single-quoted value reaches the command unchanged, whatever it holds", () => {
    for (const value of HOSTILE.filter((v) => !v.includes("\u0000"))) {
      const out = execFileSync("bash", ["-c", `printf %s ${quotePosix(value)}`], { encoding: "utf8" });
      expect(out).toBe(value);
    }
  });

  it("PowerShell single quotes double every quote, including the typographic ones", () => {
    expect(quotePowerShell("x'; Restart-Computer; '")).toBe("'x''; Restart-Computer; '''");
    expect(quotePowerShell("\u2019; Stop-Computer")).toBe("'\u2019\u2019; Stop-Computer'");
    expect(quotePowerShell("$(reboot)")).toBe("'$(reboot)'");
  });
});

describe("parseReachabilityReport", () => {
  it("folds unreachable ports into ranges and ignores other lines", () => {
    const report = parseReachabilityReport(
      [
        "WARNING: noise",
        "REACHABLE mi 5022",
        "UNREACHABLE mi 11000",
        "UNREACHABLE mi 11001",
        "UNREACHABLE mi 11002",
        "UNREACHABLE mi 11999",
        "SUMMARY host=mi reachable=1 unreachable=4",
      ].join("\r\n"),
    );
    expect(report.reachable).toBe(1);
    expect(report.unreachable).toBe(4);
    expect(report.unreachableText).toBe("11000-11002, 11999");
  });
});
