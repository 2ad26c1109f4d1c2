/**
 * `SqlServerHostPreparation`: runs the host preparation scripts on the SQL Server host over SSH
 * with `@pulumi/command`'s `remote.Command`: Always On and the link's trace flags (with the
 * service restart they need), and optionally the reachability test of the managed instance's
 * ports. Off by default (`enabled: false`): restarting SQL Server is the user's decision. The
 * scripts are the commands' `stdin` (the shell command itself is fixed), so `pulumi preview`
 * shows exactly what will run; they are also outputs when the component is disabled.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as command from "@pulumi/command";
import { HostPrepInputError, type PortRange } from "./inputs";
import { buildLinuxPreparationScript } from "./linux";
import {
  buildLinuxReachabilityScript,
  buildWindowsReachabilityScript,
  parseReachabilityReport,
  type ReachabilityReport,
} from "./reachability";
import { buildWindowsPreparationScript } from "./windows";

export type HostOs = "windows" | "linux";

/** Shells that read the script from stdin: the commands' `create`. */
export const HOST_PREPARATION_SHELLS: Readonly<Record<HostOs, string>> = {
  windows: "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command -",
  linux: "bash -s",
};

export interface SqlServerHostPreparationArgs {
  /** Run the commands. Default false: nothing runs, the scripts are only outputs. */
  enabled?: boolean;
  /** The SQL Server host's operating system. Required. */
  os: HostOs;
  /** SSH connection to the SQL Server host (host, user, privateKey or password). Required when enabled. */
  ssh?: pulumi.Input<command.types.input.remote.ConnectionArgs>;
  /** Windows only: the instance. Default "MSSQLSERVER". */
  instanceName?: string;
  /** Default [1800, 9567]. */
  traceFlags?: number[];
  /** Restart SQL Server so Always On and the trace flags take effect. Default true. */
  restart?: boolean;
  /** Linux only: run mssql-conf and systemctl with sudo. Default true. */
  sudo?: boolean;
  /** The managed instance's FQDN or IP: when given, its ports are tested from the host. Default: no test. */
  managedInstanceHost?: string;
  /** Ports to test. Default 5022 and 11000-11999. */
  ports?: (number | PortRange)[];
  /** Per-port timeout of the reachability test, seconds. Default 2. */
  reachabilityTimeoutSeconds?: number;
  /** Re-run the preparation when any of these change. Default: only when the script changes. */
  triggers?: pulumi.Input<unknown[]>;
}

/** Prepares the SQL Server host for the link (opt-in). */
export class SqlServerHostPreparation extends pulumi.ComponentResource {
  /** The preparation script (PowerShell or bash). */
  public readonly preparationScript: pulumi.Output<string>;
  /** The reachability script, or undefined without managedInstanceHost. */
  public readonly reachabilityScript: pulumi.Output<string | undefined>;
  /** The preparation's output ("PREPARED ..."), or undefined when disabled. */
  public readonly preparationOutput: pulumi.Output<string | undefined>;
  /** The parsed reachability report, or undefined when disabled or without managedInstanceHost. */
  public readonly reachability: pulumi.Output<ReachabilityReport | undefined>;

  constructor(name: string, args: SqlServerHostPreparationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mi-link:index:SqlServerHostPreparation", name, {}, opts);
    const scripts = buildHostPreparationScripts(args);
    this.preparationScript = pulumi.output(scripts.preparation);
    this.reachabilityScript = pulumi.output(scripts.reachability);
    let preparationOutput: pulumi.Output<string | undefined> = pulumi.output(undefined);
    let reachability: pulumi.Output<ReachabilityReport | undefined> = pulumi.output(undefined);
    if (args.enabled) {
      if (!args.ssh)
        throw new HostPrepInputError(
          "ssh",
          "is required when enabled: the SSH connection to the SQL Server host",
        );
      const cmd = loadCommandPackage();
      const prepare = new cmd.remote.Command(
        `${name}-prepare`,
        {
          connection: args.ssh,
          create: HOST_PREPARATION_SHELLS[args.os],
          stdin: scripts.preparation,
          triggers: args.triggers,
        },
        { parent: this },
      );
      preparationOutput = prepare.stdout;
      if (scripts.reachability !== undefined) {
        // After the restart: the test runs from the prepared host.
        const reach = new cmd.remote.Command(
          `${name}-reachability`,
          { connection: args.ssh, create: HOST_PREPARATION_SHELLS[args.os], stdin: scripts.reachability },
          { parent: this, dependsOn: [prepare] },
        );
        reachability = reach.stdout.apply((out) => parseReachabilityReport(out));
      }
    }
    this.preparationOutput = preparationOutput;
    this.reachability = reachability;
    this.registerOutputs({
      preparationScript: this.preparationScript,
      reachabilityScript: this.reachabilityScript,
      preparationOutput: this.preparationOutput,
      reachability: this.reachability,
    });
  }
}

/** The scripts the component runs, validated. @throws HostPrepInputError */
export function buildHostPreparationScripts(args: SqlServerHostPreparationArgs): {
  preparation: string;
  reachability: string | undefined;
} {
  if (args.os !== "windows" && args.os !== "linux") {
    throw new HostPrepInputError("os", `must be "windows" or "linux", not ${JSON.stringify(args.os)}`);
  }
  if (args.os === "linux" && args.instanceName !== undefined) {
    throw new HostPrepInputError("instanceName", "applies to Windows only: a Linux host runs one instance");
  }
  const preparation =
    args.os === "windows"
      ? buildWindowsPreparationScript({
          instanceName: args.instanceName,
          traceFlags: args.traceFlags,
          restart: args.restart,
        })
      : buildLinuxPreparationScript({ traceFlags: args.traceFlags, restart: args.restart, sudo: args.sudo });
  const reachabilityOptions =
    args.managedInstanceHost === undefined
      ? undefined
      : {
          host: args.managedInstanceHost,
          ports: args.ports,
          timeoutSeconds: args.reachabilityTimeoutSeconds,
        };
  const reachability =
    reachabilityOptions === undefined
      ? undefined
      : args.os === "windows"
        ? buildWindowsReachabilityScript(reachabilityOptions)
        : buildLinuxReachabilityScript(reachabilityOptions);
  return { preparation, reachability };
}

/** @pulumi/command is an optional peer: loaded only when the component is enabled. */
function loadCommandPackage(): typeof command {
  try {
    return require("@pulumi/command") as typeof command;
  } catch {
    throw new Error(
      "SqlServerHostPreparation with enabled: true needs the @pulumi/command package: npm install @pulumi/command",
    );
  }
}
