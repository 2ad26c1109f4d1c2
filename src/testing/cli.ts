#!/usr/bin/env node
/**
 * mi-link-emulator: starts the SQL Server emulator (TDS) and the ARM emulator
 * (HTTP) on loopback, linked to each other, prints one JSON line with their
 * connection details, and runs until SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { startLocalWorld, type LocalWorldOptions } from "./world";

const HELP = `Usage: mi-link-emulator [options]

Starts a local SQL Server emulator (TDS) and Azure Resource Manager emulator
(HTTP) for Microsoft.Sql managed instances, linked to each other. When ready,
prints one JSON line:
  {"sql":{"host","port","user","password","serverName"},
   "arm":{"endpoint","subscriptionId","resourceGroupName","managedInstanceName","fqdn"}}
then runs until SIGINT/SIGTERM.

Options:
  --sql-port N            TDS port (0 = pick a free port; default 0)
  --arm-port N            ARM port (0 = pick a free port; default 0)
  --server-name NAME      @@SERVERNAME, e.g. SQL1 or HOST\\INSTANCE (default SQL1)
  --product-version V     SQL Server build, e.g. 16.0.4125.3 (2022 CU13, default),
                          15.0.4312.2 (2019 CU20), 13.0.7000.253 (2016 SP3 + pack)
  --edition TEXT          SERVERPROPERTY('Edition') (default "Developer Edition (64-bit)")
  --collation NAME        server collation (default SQL_Latin1_General_CP1_CI_AS)
  --hadr on|off           Always On availability groups enabled (default on)
  --database NAME         a user database present at start (repeatable)
  --latency-ms N          added delay per SQL round trip and ARM request (default 0)
  --seeding-seconds N     time automatic seeding takes (default 2)
  --update-policy P       managed instance databaseFormat: SQLServer2022 (default),
                          AlwaysUpToDate or SQLServer2025
  --state-file PATH       keep the SQL Server catalog in PATH across restarts
  --once                  print the JSON line, then stop (a smoke test)
  --help                  show this help
`;

interface CommandLine extends LocalWorldOptions {
  once: boolean;
}

function parseCommandLine(argv: string[]): CommandLine | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      "sql-port": { type: "string" },
      "arm-port": { type: "string" },
      "server-name": { type: "string" },
      "product-version": { type: "string" },
      edition: { type: "string" },
      collation: { type: "string" },
      hadr: { type: "string" },
      database: { type: "string", multiple: true },
      "latency-ms": { type: "string" },
      "seeding-seconds": { type: "string" },
      "update-policy": { type: "string" },
      "state-file": { type: "string" },
      once: { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) return "help";
  const hadr = values.hadr ?? "on";
  if (hadr !== "on" && hadr !== "off") throw new Error(`--hadr must be "on" or "off", not "${hadr}".`);
  const policy = values["update-policy"] ?? "SQLServer2022";
  if (policy !== "SQLServer2022" && policy !== "AlwaysUpToDate" && policy !== "SQLServer2025") {
    throw new Error(
      `--update-policy must be SQLServer2022, AlwaysUpToDate or SQLServer2025, not "${policy}".`,
    );
  }
  return {
    sqlPort: integerOption("--sql-port", values["sql-port"], 0, 65535),
    armPort: integerOption("--arm-port", values["arm-port"], 0, 65535),
    serverName: values["server-name"],
    productVersion: values["product-version"],
    edition: values.edition,
    collation: values.collation,
    hadrEnabled: hadr === "on",
    databases: values.database,
    latencyMs: integerOption("--latency-ms", values["latency-ms"], 0, 60_000),
    seedingSeconds: numberOption("--seeding-seconds", values["seeding-seconds"]),
    databaseFormat: policy,
    stateFile: values["state-file"],
    once: values.once ?? false,
  };
}

function integerOption(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${flag} must be an integer from ${min} to ${max}, not "${raw}".`);
  }
  return value;
}

function numberOption(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${flag} must be a number ≥ 0, not "${raw}".`);
  return value;
}

async function main(): Promise<void> {
  let options: CommandLine | "help";
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`mi-link-emulator: ${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (options === "help") {
    process.stdout.write(HELP);
    return;
  }
  const world = await startLocalWorld(options);
  process.stdout.write(JSON.stringify(world.info) + "\n");
  if (options.once) {
    await world.stop();
    return;
  }
  const shutdown = (): void => {
    world.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`mi-link-emulator: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

void main();
