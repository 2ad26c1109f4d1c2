/**
 * Helpers for the model's tests: an ExecContext that records messages, and
 * the link's objects set up the way the runbook does.
 */
import type { ServerMessage } from "../types";
import type { ExecContext } from "./contract";
import type { SqlServerInstance } from "./instance";

export interface RecordingContext extends ExecContext {
  messages: ServerMessage[];
}

export function execContext(login = "sa", database = "master"): RecordingContext {
  const messages: ServerMessage[] = [];
  return {
    login,
    database,
    inTransaction: false,
    messages,
    info: (message) => messages.push({ severity: 0, ...message }),
  };
}

/** Reads one catalog view as objects keyed by column name. */
export function rows(
  model: SqlServerInstance,
  view: string,
  ctx: ExecContext = execContext(),
): Array<Record<string, unknown>> {
  const t = model.catalogTable(view, ctx);
  if (!t) throw new Error(`no such view ${view}`);
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c.name, r[i]])));
}

export const MI_FQDN = "sqlmi1.0a1b2c3d4e5f.database.windows.net";

/** Runbook steps 1-3 and 9-11 on SQL Server for `db`: FULL + backup, master key, certificate, endpoint, AG, DAG. */
export function setUpLink(
  model: SqlServerInstance,
  db = "sales",
  options: { ag?: string; dag?: string } = {},
): { ag: string; dag: string } {
  const ctx = execContext();
  const ag = options.ag ?? `AG_${db}`;
  const dag = options.dag ?? `DAG_${db}`;
  if (model.databaseId(db) === null) model.createDatabase(ctx, db);
  model.setRecoveryModel(ctx, db, "FULL");
  model.backup(ctx, {
    database: db,
    type: "DATABASE",
    target: { kind: "DISK", path: `/tmp/${db}.bak` },
    copyOnly: false,
    options: {},
  });
  if (!rows(model, "sys.symmetric_keys").length) model.createMasterKey(ctx, "Str0ng!Passw0rd");
  const certName = `Cert_${model.serverName()}_endpoint`;
  if (model.certificateId(certName) === null) {
    model.createCertificate(ctx, {
      name: certName,
      subject: `Certificate for ${certName}`,
      expiryDate: "03/30/2099",
    });
  }
  if (!rows(model, "sys.database_mirroring_endpoints").length) {
    model.createEndpoint(ctx, {
      name: "database_mirroring_endpoint",
      state: "STARTED",
      port: 5022,
      listenerIp: "ALL",
      role: "ALL",
      authentication: { certificate: certName, certificateFirst: true },
      encryption: { mode: "REQUIRED", algorithms: ["AES"] },
    });
  }
  model.createAvailabilityGroup(ctx, {
    name: ag,
    clusterType: "NONE",
    options: {},
    databases: [db],
    replicas: [
      {
        serverName: model.serverName(),
        endpointUrl: "TCP://10.0.0.4:5022",
        availabilityMode: "SYNCHRONOUS_COMMIT",
        failoverMode: "MANUAL",
        seedingMode: "AUTOMATIC",
      },
    ],
  });
  model.createDistributedAvailabilityGroup(ctx, {
    name: dag,
    members: [
      {
        agName: ag,
        listenerUrl: "TCP://10.0.0.4:5022",
        availabilityMode: "ASYNCHRONOUS_COMMIT",
        failoverMode: "MANUAL",
        seedingMode: "AUTOMATIC",
        sessionTimeout: 20,
      },
      {
        agName: `${ag}_MI`,
        listenerUrl: `tcp://${MI_FQDN}:5022;Server=[sqlmi1]`,
        availabilityMode: "ASYNCHRONOUS_COMMIT",
        failoverMode: "MANUAL",
        seedingMode: "AUTOMATIC",
      },
    ],
  });
  return { ag, dag };
}
