/**
 * Bash that prepares a Linux SQL Server for the link: `mssql-conf set hadr.hadrenabled 1`,
 * `mssql-conf traceflag 1800 9567 on`, then `systemctl restart mssql-server` (both settings take
 * effect only at start). Linux hosts run one instance, so there is no instance name.
 */
import { quotePosix, validateTraceFlag } from "./inputs";
import { LINK_TRACE_FLAGS } from "./windows";

export interface LinuxPreparationOptions {
  /** Default [1800, 9567]. */
  traceFlags?: readonly number[];
  /** Restart the service so the changes take effect. Default true. */
  restart?: boolean;
  /** Prefix the commands with sudo. Default true. */
  sudo?: boolean;
}

export const MSSQL_CONF = "/opt/mssql/bin/mssql-conf";

/** The script; every value validated and quoted. @throws HostPrepInputError */
export function buildLinuxPreparationScript(options: LinuxPreparationOptions = {}): string {
  const flags = (options.traceFlags ?? LINK_TRACE_FLAGS).map((f) => validateTraceFlag(f));
  const sudo = (options.sudo ?? true) ? "sudo " : "";
  const restart = options.restart ?? true;
  const lines = [
    "set -euo pipefail",
    `${sudo}${MSSQL_CONF} set hadr.hadrenabled 1`,
    `${sudo}${MSSQL_CONF} traceflag ${flags.map((f) => quotePosix(String(f))).join(" ")} on`,
  ];
  if (restart) lines.push(`${sudo}systemctl restart mssql-server`);
  lines.push(
    `echo ${quotePosix(`PREPARED hadr=enabled traceflags=${flags.join(",")} restarted=${restart ? "yes" : "no"}`)}`,
  );
  return lines.join("\n") + "\n";
}
