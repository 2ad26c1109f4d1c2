/**
 * MiLink's optional host preparation (`hostPreparation`): the SqlServerHostPreparation arguments
 * checked with the component's other arguments, and the commands it runs rendered for the review
 * script. The SSH connection is never rendered: its host, user and credentials are placeholders.
 */
import {
  buildHostPreparationScripts,
  HOST_PREPARATION_SHELLS,
  type SqlServerHostPreparationArgs,
} from "../hostprep/component";
import { HostPrepInputError } from "../hostprep/inputs";
import type { Problem } from "./problems";

/** The builders name some values by their own option; MiLink's users know them by these. */
const FIELD_NAMES: Record<string, string> = {
  host: "managedInstanceHost",
  timeoutSeconds: "reachabilityTimeoutSeconds",
};

/** Every problem of `hostPreparation`, each naming the field and the fix. */
export function hostPreparationProblems(args: SqlServerHostPreparationArgs | undefined): Problem[] {
  if (args === undefined) return [];
  if (typeof args !== "object" || args === null) {
    return [
      {
        field: "hostPreparation",
        problem: "must be an object",
        fix: 'Pass { os: "windows" | "linux", enabled: true, ssh: { host, user, privateKey } }, or leave it out.',
      },
    ];
  }
  const problems: Problem[] = [];
  try {
    buildHostPreparationScripts(args);
  } catch (error) {
    if (!(error instanceof HostPrepInputError)) throw error;
    const field = error.field.replace(/^[A-Za-z]+/, (name) => FIELD_NAMES[name] ?? name);
    problems.push({
      field: `hostPreparation.${field}`,
      problem: error.reason,
      fix: "Correct the value, or leave hostPreparation out and prepare the host yourself.",
    });
  }
  if (args.enabled === true && args.ssh === undefined) {
    problems.push({
      field: "hostPreparation.ssh",
      problem: "is required when enabled: the SSH connection to the SQL Server host",
      fix: "Pass ssh: { host, user, privateKey } (or password), or set enabled: false.",
    });
  }
  return problems;
}

/** Whether the preparation runs and restarts SQL Server, so Always On is on before any SQL step. */
export function hostPreparationEnablesAlwaysOn(args: SqlServerHostPreparationArgs | undefined): boolean {
  return args?.enabled === true && args.restart !== false;
}

/** Ends the scripts in the rendering; never a line of the scripts themselves. */
const HEREDOC_END = "MI_LINK_HOST_SCRIPT";
const SSH_TARGET = "<hostPreparation.ssh.user>@<hostPreparation.ssh.host>";

function command(shell: string, script: string): string {
  return `ssh ${SSH_TARGET} '${shell}' <<'${HEREDOC_END}'\n${script.replace(/\n$/, "")}\n${HEREDOC_END}`;
}

/**
 * The commands the preparation runs, in order, as the review script shows them: the shell each
 * runs over SSH with its script on stdin. Empty when the preparation is not enabled.
 */
export function renderHostPreparation(args: SqlServerHostPreparationArgs | undefined): string[] {
  if (args?.enabled !== true) return [];
  const scripts = buildHostPreparationScripts(args);
  const shell = HOST_PREPARATION_SHELLS[args.os];
  const flags = (args.traceFlags ?? [1800, 9567]).join(", ");
  const restart = args.restart !== false;
  const tool = args.os === "windows" ? "Enable-SqlAlwaysOn and the startup parameters" : "mssql-conf";
  const sections = [
    `-- 0. SQL Server host (${args.os}), over SSH before any SQL step: Always On and trace flags ${flags} ` +
      `(${tool})${restart ? ", then the service restart" : ", no restart (they take effect at the next one)"}. ` +
      "The SSH host, user and credentials are not shown.",
    command(shell, scripts.preparation),
  ];
  if (scripts.reachability !== undefined) {
    sections.push(
      "-- 0. SQL Server host: from the host, the managed instance's ports (the link's 5022 and 11000-11999 unless given)",
      command(shell, scripts.reachability),
    );
  }
  return sections;
}
