/**
 * Two independent clients that run runbook scripts batch by batch: the mssql
 * driver (tedious) and FreeTDS `tsql`. Both report result sets as rows of
 * strings/values keyed by column name, informational messages, and SQL Server
 * errors as `SqlScriptError` with the error number.
 */
import { spawn } from "node:child_process";
import type * as mssql from "mssql";
import type { MssqlConfig } from "../../src/sql/connection-args";
import { tsqlEnv } from "../../src/testing/sqlserver/tds/test-clients";
import { splitBatches } from "./runbook";

export interface BatchOutcome {
  resultSets: Array<Array<Record<string, unknown>>>;
  messages: string[];
}

export interface ScriptRunner {
  readonly name: string;
  runScript(script: string): Promise<BatchOutcome>;
  close(): Promise<void>;
}

export class SqlScriptError extends Error {
  constructor(
    readonly number: number,
    message: string,
  ) {
    super(`SQL Server error ${number}: ${message}`);
  }
}

export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
}

export async function openMssqlRunner(server: ServerAddress, encrypt = true): Promise<ScriptRunner> {
  const sql: typeof mssql = require("mssql");
  const config: MssqlConfig = {
    server: server.host,
    port: server.port,
    user: server.user,
    password: server.password,
    database: "master",
    options: { encrypt, trustServerCertificate: true },
    // One session, as sqlcmd or SSMS keep: no "SELECT 1;" round trip before each batch (mssql's
    // default), which a person running the runbook does not pay either.
    pool: { max: 1 },
    validateConnection: false,
  };
  const pool = new sql.ConnectionPool(config);
  await pool.connect();
  return {
    name: "mssql",
    async runScript(script) {
      const outcome: BatchOutcome = { resultSets: [], messages: [] };
      for (const batch of splitBatches(script)) {
        const request = pool.request();
        request.on("info", (info: { message: string }) => outcome.messages.push(info.message));
        try {
          const result = await request.batch(batch);
          for (const set of result.recordsets as unknown as Array<Array<Record<string, unknown>>>) {
            outcome.resultSets.push([...set]);
          }
        } catch (error) {
          const e = error as {
            number?: number;
            message: string;
            originalError?: { info?: { number?: number } };
          };
          throw new SqlScriptError(e.number ?? e.originalError?.info?.number ?? -1, e.message);
        }
      }
      return outcome;
    },
    close: () => pool.close(),
  };
}

const COLUMN_SEPARATOR = "\u001f";
const ROW_SEPARATOR = "\u001e";

/**
 * FreeTDS `tsql`: one process per script, batches separated by `go` as tsql
 * expects. Result sets are parsed from its header line + rows output.
 */
export function openFreeTdsRunner(server: ServerAddress): ScriptRunner {
  return {
    name: "freetds",
    async runScript(script) {
      const input = splitBatches(script)
        .map((batch) => `${batch}\ngo\n`)
        .join("");
      const { stdout, stderr } = await runTsql(server, input + "exit\n");
      const error = /Msg (\d+) \(severity (\d+), state \d+\)[^\n]*\n\s*"?([^\n]*?)"?\s*$/m.exec(stderr);
      if (error && Number(error[2]) > 10) throw new SqlScriptError(Number(error[1]), error[3]);
      return { resultSets: parseTsqlResultSets(stdout), messages: parseTsqlMessages(stderr) };
    },
    async close() {},
  };
}

function runTsql(server: ServerAddress, input: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "tsql",
      [
        "-H",
        server.host,
        "-p",
        String(server.port),
        "-U",
        server.user,
        "-P",
        server.password,
        "-o",
        "v",
        "-t",
        COLUMN_SEPARATOR,
        "-r",
        ROW_SEPARATOR + "\n",
      ],
      { env: tsqlEnv({ TDSVER: "7.4" }) },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0 && !stderr.includes("Msg ")) reject(new Error(`tsql exited ${code}: ${stderr}`));
      else resolve({ stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/**
 * tsql prints a result set as a header row and data rows (each ending in our row
 * separator), then "(N rows affected)" when N > 0; an empty result set is its
 * header alone. So between two footers, the last N rows are data, the row before
 * them the header, and any rows before that headers of empty result sets.
 */
export function parseTsqlResultSets(stdout: string): Array<Array<Record<string, unknown>>> {
  const sets: Array<Array<Record<string, unknown>>> = [];
  let pending: string[][] = [];
  const flush = (dataRows: number) => {
    const headerIndex = pending.length - dataRows - 1;
    for (let i = 0; i < headerIndex; i++) sets.push([]);
    if (headerIndex >= 0) {
      const header = pending[headerIndex];
      sets.push(
        pending
          .slice(headerIndex + 1)
          .map((cells) => Object.fromEntries(header.map((c, i) => [c, cells[i]]))),
      );
    }
    pending = [];
  };
  for (const rawLine of stdout.split("\n")) {
    const line = rawLine.replace(/^(\d+> )+/, "");
    const footer = /^\((\d+) rows? affected\)$/.exec(line);
    if (footer) {
      if (pending.length > 0) flush(Number(footer[1]));
    } else if (line.endsWith(ROW_SEPARATOR)) {
      pending.push(line.slice(0, -ROW_SEPARATOR.length).split(COLUMN_SEPARATOR));
    }
  }
  flush(0);
  return sets;
}

function parseTsqlMessages(stderr: string): string[] {
  return stderr
    .split("\n")
    .map((line) => line.trim())
    .filter(
      (line) =>
        line.length > 0 &&
        !line.startsWith("Msg ") &&
        !line.startsWith("locale") &&
        !line.startsWith("using"),
    );
}
