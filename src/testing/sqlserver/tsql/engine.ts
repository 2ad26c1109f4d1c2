/** The T-SQL engine behind the TDS front end: sessions, batches and RPCs over an instance model. */
import type { InstanceModel } from "../model/contract";
import { SqlError, type EngineEvent, type RpcParam, type Session, type SqlEngine } from "../types";
import { callProcedure, runSpExecuteSql, SP_EXECUTESQL } from "./exec";
import { reportError, runBatch, toSqlError } from "./interpreter";
import { BatchAborted, Cancelled, defaultSessionOptions, type Runtime, type SessionOptions } from "./runtime";

/** SPIDs of user sessions start above the system ones, as in SQL Server. */
const FIRST_SPID = 51;

export function createSqlEngine(model: InstanceModel): SqlEngine {
  let nextSpid = FIRST_SPID;
  const sessionOptions = new Map<number, SessionOptions>();

  const runtime = (session: Session): Runtime => {
    let options = sessionOptions.get(session.id);
    if (!options) {
      options = defaultSessionOptions();
      sessionOptions.set(session.id, options);
    }
    return {
      model,
      session,
      options,
      events: [],
      variables: new Map(),
      lastRowCount: 0,
      lastError: 0,
      scopeDepth: 0,
      tryScopes: [],
      handling: [],
    };
  };

  /** Runs `body`; an ATTENTION yields the events so far (the TDS layer discards them anyway). */
  const run = async (rt: Runtime, body: () => Promise<void>): Promise<EngineEvent[]> => {
    try {
      await body();
    } catch (error) {
      // Never reject: anything unexpected still reaches the client as an error message.
      if (!(error instanceof Cancelled) && !(error instanceof BatchAborted)) {
        reportError(rt, toSqlError(error));
        rt.events.push({ kind: "done", error: true });
      }
    }
    return rt.events;
  };

  return {
    identity: () => ({
      serverName: model.serverName(),
      productVersion: String(model.serverProperty("ProductVersion")),
      collation: String(model.serverProperty("Collation")),
    }),

    authenticate: (user, password) => {
      const ok = model.authenticate(user, password);
      return { ok, database: ok ? model.defaultDatabase(user) : "master" };
    },

    openSession: (login, database) => {
      const target = database || model.defaultDatabase(login);
      try {
        model.canUseDatabase(login, target);
      } catch {
        throw new SqlError(
          4060,
          `Cannot open database "${target}" requested by the login. The login failed.`,
          11,
        );
      }
      const id = model.databaseId(target);
      const canonical = (id !== null && model.databaseName(id)) || target;
      const session: Session = { id: nextSpid++, login, database: canonical, tranCount: 0, cancelled: false };
      sessionOptions.set(session.id, defaultSessionOptions());
      return session;
    },

    closeSession: (session) => {
      sessionOptions.delete(session.id);
      session.tranCount = 0;
    },

    executeBatch: async (session, sql) => {
      const rt = runtime(session);
      return run(rt, () => runBatch(rt, sql));
    },

    executeRpc: async (session, procName, params) => {
      const rt = runtime(session);
      return run(rt, async () => {
        const args = params.map((param: RpcParam) => ({ name: param.name, value: param.value }));
        let returnStatus = 0;
        try {
          if (procName.toLowerCase() === SP_EXECUTESQL) await runSpExecuteSql(rt, args);
          else returnStatus = callProcedure(rt, procName, args);
        } catch (error) {
          if (error instanceof Cancelled) throw error;
          if (!(error instanceof BatchAborted)) {
            reportError(rt, toSqlError(error));
            rt.events.push({ kind: "done", error: true });
          }
          returnStatus = -6;
        }
        rt.events.push({ kind: "returnStatus", value: returnStatus });
      });
    },
  };
}
