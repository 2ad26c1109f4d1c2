import type { EngineEvent, LoginResult, RpcParam, ServerIdentity, Session, SqlEngine } from "../types";
import { SqlError } from "../types";

/**
 * A scripted SqlEngine for exercising the TDS front end without the T-SQL
 * interpreter: a handful of recognised batch texts, everything else succeeds
 * with no rows. Tests read `batches`/`rpcs` to see what arrived.
 */
export class ScriptedEngine implements SqlEngine {
  readonly batches: string[] = [];
  readonly rpcs: { procName: string; params: RpcParam[] }[] = [];
  readonly closed: number[] = [];
  private nextSessionId = 51;
  /** Batch text → events; checked before the built-in behaviour. */
  readonly scripts = new Map<string, (session: Session, params: RpcParam[]) => EngineEvent[]>();
  /** Procedures other than sp_executesql. */
  readonly procedures = new Map<string, (session: Session, params: RpcParam[]) => EngineEvent[]>();

  /** Called when a slow request ("WAITFOR DELAY") starts running. */
  onSlowStart: ((session: Session) => void) | undefined;

  constructor(
    private readonly users: Record<string, string> = { sa: "Str0ng!Passw0rd" },
    private readonly slowRequestMs = 5000,
  ) {}

  identity(): ServerIdentity {
    return { serverName: "SQL1", productVersion: "16.0.4125.3", collation: "SQL_Latin1_General_CP1_CI_AS" };
  }

  authenticate(user: string, password: string): LoginResult {
    return { ok: this.users[user] === password, database: "master" };
  }

  openSession(login: string, database: string): Session {
    if (database === "missing") {
      throw new SqlError(
        4060,
        `Cannot open database "${database}" requested by the login. The login failed.`,
        11,
      );
    }
    return { id: this.nextSessionId++, login, database, tranCount: 0, cancelled: false };
  }

  closeSession(session: Session): void {
    this.closed.push(session.id);
  }

  async executeBatch(session: Session, sql: string): Promise<EngineEvent[]> {
    this.batches.push(sql);
    return this.run(session, sql, []);
  }

  async executeRpc(session: Session, procName: string, params: RpcParam[]): Promise<EngineEvent[]> {
    this.rpcs.push({ procName, params });
    if (procName === "sp_executesql")
      return this.run(session, String(params[0]?.value ?? ""), params.slice(2));
    const procedure = this.procedures.get(procName);
    if (procedure) return procedure(session, params);
    return [
      {
        kind: "error",
        message: {
          number: 2812,
          state: 62,
          severity: 16,
          message: `Could not find stored procedure '${procName}'.`,
        },
      },
      { kind: "done", error: true },
    ];
  }

  private async run(session: Session, sql: string, params: RpcParam[]): Promise<EngineEvent[]> {
    const text = sql.trim();
    const script = this.scripts.get(text);
    if (script) return script(session, params);
    if (text === "WAITFOR DELAY") return this.slow(session);
    if (/^BEGIN TRAN(SACTION)?\b/i.test(text)) session.tranCount++;
    else if (/^COMMIT( TRAN(SACTION)?)?\b/i.test(text))
      session.tranCount = Math.max(0, session.tranCount - 1);
    else if (/^ROLLBACK( TRAN(SACTION)?)?\b/i.test(text)) session.tranCount = 0;
    return [{ kind: "done" }];
  }

  /** Runs until the session is cancelled (ATTENTION) or the slow-request time passes. */
  private async slow(session: Session): Promise<EngineEvent[]> {
    const until = Date.now() + this.slowRequestMs;
    this.onSlowStart?.(session);
    while (!session.cancelled && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
    return [
      { kind: "rows", resultSet: { columns: [{ name: "x", type: { kind: "int" } }], rows: [[1]] } },
      { kind: "done", rowCount: 1 },
    ];
  }
}
