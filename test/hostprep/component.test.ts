/**
 * SqlServerHostPreparation under Pulumi's mocks, loaded from the compiled package (dist/) so it
 * shares the @pulumi/pulumi instance of @pulumi/command: off by default (no command registered,
 * the scripts are outputs), and when enabled the remote.Command registrations carry the fixed
 * shell and the exact scripts as inputs (what preview shows); invalid values fail before anything
 * is registered.
 */
import { createRequire } from "node:module";
import type * as PulumiModule from "@pulumi/pulumi";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type * as HostPrep from "../../src/hostprep";
import { buildIfStale } from "../support/build";

const nativeRequire = createRequire(__filename);
const pulumi = nativeRequire("@pulumi/pulumi") as typeof PulumiModule;

interface Registration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

let registrations: Registration[] = [];
const STDOUT: Record<string, string> = {};

function valueOf<T>(output: PulumiModule.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Waits until the mocks have seen every registration started so far. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("SqlServerHostPreparation", () => {
  let hostprep: typeof HostPrep;
  const ssh = { host: "sql1.contoso.local", user: "admin", privateKey: "KEY" };

  beforeAll(async () => {
    await buildIfStale();
    await pulumi.runtime.setMocks(
      {
        newResource(args) {
          registrations.push({ type: args.type, name: args.name, inputs: args.inputs });
          return {
            id: `${args.name}-id`,
            state: { ...args.inputs, stdout: STDOUT[args.name] ?? "", stderr: "" },
          };
        },
        call: (args) => args.inputs,
      },
      "project",
      "stack",
      false,
    );
    hostprep = nativeRequire("../../dist/hostprep") as typeof HostPrep;
  }, 120_000);

  beforeEach(() => {
    registrations = [];
  });

  const commands = () => registrations.filter((r) => r.type === "command:remote:Command");

  it("is off by default: no command runs, the scripts are outputs", async () => {
    const prep = new hostprep.SqlServerHostPreparation("off", {
      os: "linux",
      managedInstanceHost: "10.1.2.3",
    });
    await settle();
    expect(commands()).toEqual([]);
    expect(await valueOf(prep.preparationScript)).toBe(hostprep.buildLinuxPreparationScript());
    expect(await valueOf(prep.reachabilityScript)).toBe(
      hostprep.buildLinuxReachabilityScript({ host: "10.1.2.3" }),
    );
    expect(await valueOf(prep.preparationOutput)).toBeUndefined();
    expect(registrations.map((r) => r.type)).toEqual(["mi-link:index:SqlServerHostPreparation"]);
  });

  it("Linux, enabled: bash -s with the exact scripts as stdin; the reachability report parsed", async () => {
    STDOUT["lx-reachability"] =
      "REACHABLE 10.1.2.3 5022\nUNREACHABLE 10.1.2.3 11000\nSUMMARY host=10.1.2.3 reachable=1 unreachable=1\n";
    const prep = new hostprep.SqlServerHostPreparation("lx", {
      enabled: true,
      os: "linux",
      ssh,
      managedInstanceHost: "10.1.2.3",
      ports: [5022, { from: 11000, to: 11000 }],
    });
    await settle();
    expect(commands().map((c) => [c.name, c.inputs.create, c.inputs.stdin])).toEqual([
      ["lx-prepare", "bash -s", hostprep.buildLinuxPreparationScript()],
      [
        "lx-reachability",
        "bash -s",
        hostprep.buildLinuxReachabilityScript({
          host: "10.1.2.3",
          ports: [5022, { from: 11000, to: 11000 }],
        }),
      ],
    ]);
    // @pulumi/command keeps the whole SSH connection (private key included) secret.
    expect(commands()[0].inputs.connection).toMatchObject({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      value: { host: "sql1.contoso.local", user: "admin", privateKey: "KEY" },
    });
    expect(await valueOf(prep.reachability)).toMatchObject({
      reachable: 1,
      unreachable: 1,
      unreachableText: "11000",
    });
  });

  it("Windows, enabled: PowerShell reading the script from stdin; no reachability without a host", async () => {
    new hostprep.SqlServerHostPreparation("win", {
      enabled: true,
      os: "windows",
      ssh,
      instanceName: "SQL2022",
    });
    await settle();
    expect(commands()).toHaveLength(1);
    expect(commands()[0].inputs.create).toBe(
      "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command -",
    );
    expect(commands()[0].inputs.stdin).toBe(
      hostprep.buildWindowsPreparationScript({ instanceName: "SQL2022" }),
    );
  });

  it("refuses invalid and hostile values before registering anything", () => {
    const cases: [Partial<HostPrep.SqlServerHostPreparationArgs>, string][] = [
      [{ os: "linux", managedInstanceHost: "x; reboot" }, "host"],
      [{ os: "windows", instanceName: "x'; Restart-Computer; '" }, "instanceName"],
      [{ os: "linux", instanceName: "SQL2022" }, "instanceName"],
      [{ os: "macos" as never }, "os"],
      [{ os: "linux", traceFlags: [1800, -1] }, "traceFlags"],
      [{ os: "linux", managedInstanceHost: "mi", ports: [{ from: 11999, to: 11000 }] }, "ports[0]"],
      [{ os: "linux", enabled: true }, "ssh"],
    ];
    for (const [args, field] of cases) {
      let caught: unknown;
      try {
        new hostprep.SqlServerHostPreparation("bad", args as HostPrep.SqlServerHostPreparationArgs);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(hostprep.HostPrepInputError);
      expect((caught as HostPrep.HostPrepInputError).field).toBe(field);
    }
  });
});
