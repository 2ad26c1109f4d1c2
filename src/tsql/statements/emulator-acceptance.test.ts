/**
 * The builders' statements, run in the runbook's order through the SQL Server emulator's T-SQL
 * interpreter (no network), with a hostile database name and a named instance: each statement is
 * accepted and has its documented effect on the catalog.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createInstanceModel, type SqlServerInstance } from "../../testing/sqlserver/model";
import { createSqlEngine } from "../../testing/sqlserver/tsql/engine";
import type { EngineEvent, SqlValue } from "../../testing/sqlserver/types";
import * as tsql from "../index";

const DATABASE = "Sales'x]; DROP DATABASE y--";
const SERVER = "HOST\\INST";

let model: SqlServerInstance | undefined;
afterEach(() => model?.dispose());

function open() {
  model = createInstanceModel({ serverName: SERVER, databases: [{ name: DATABASE }] });
  const engine = createSqlEngine(model);
  const session = engine.openSession("sa", "master");
  const run = async (sql: string) => {
    const events: EngineEvent[] = await engine.executeBatch(session, sql);
    const errors = events.flatMap((event) => (event.kind === "error" ? [event.message] : []));
    const rows = events.flatMap((event) => (event.kind === "rows" ? event.resultSet.rows : []));
    return { errors, rows };
  };
  const ok = async (sql: string) => {
    const result = await run(sql);
    expect(result.errors, sql).toEqual([]);
    return result.rows;
  };
  return { run, ok };
}

const column = (rows: SqlValue[][]) => rows.map((row) => row[0]);

describe("builders against the emulated SQL Server", () => {
  it("set up the link's SQL Server side, then take it down", async () => {
    const { run, ok } = open();
    const certificate = tsql.defaultEndpointCertificateName(SERVER);
    const agName = tsql.defaultAgName(DATABASE);
    const dagName = tsql.defaultDagName(DATABASE);
    const miAgName = tsql.defaultMiAgName(DATABASE);
    const listener = tsql.endpointUrl("10.0.0.4", 5022);

    await ok(tsql.buildSetRecoveryFullSql(DATABASE));
    await ok(tsql.buildFullBackupSql(DATABASE, { disk: "NUL" }));
    await ok(tsql.buildCreateMasterKeySql("Str0ng'Pa$$\u2019"));
    await ok(
      tsql.buildCreateEndpointCertificateSql({
        name: certificate,
        subject: `Certificate for ${certificate}`,
        expiryDate: "2030-01-01",
      }),
    );
    for (const root of tsql.AZURE_ROOT_CERTIFICATES) {
      await ok(tsql.buildCreateCertificateFromBinarySql(root.name, root.blob));
      await ok(tsql.buildAddIssuerSql(root.name, tsql.AZURE_TRUSTED_ISSUER_DNS_NAME));
    }
    const again = await run(tsql.buildAddIssuerSql("MicrosoftPKI", tsql.AZURE_TRUSTED_ISSUER_DNS_NAME));
    expect(again.errors[0]?.message).toMatch(/already added as a trusted issuer/);

    await ok(
      tsql.buildCreateMirroringEndpointSql({
        name: "database_mirroring_endpoint",
        port: 5022,
        certificateName: certificate,
      }),
    );
    await ok(
      tsql.buildAlterEndpointForLinkSql({
        name: "database_mirroring_endpoint",
        port: 5022,
        certificateName: certificate,
        windowsAuth: true,
        algorithms: ["RC4"],
      }),
    );
    expect(
      await ok(
        "SELECT connection_auth_desc, encryption_algorithm_desc FROM sys.database_mirroring_endpoints",
      ),
    ).toEqual([["NEGOTIATE, CERTIFICATE", "RC4, AES"]]);

    await ok(
      tsql.buildCreateAgSql({
        agName,
        database: DATABASE,
        serverName: SERVER,
        endpointUrl: listener,
        version: "16.0.4125.3",
      }),
    );
    await ok(
      tsql.buildCreateDistributedAgSql({
        dagName,
        agName,
        miAgName,
        sqlServerListenerUrl: listener,
        miFqdn: "sqlmi1.abc.database.windows.net",
        miName: "sqlmi1",
        database: DATABASE,
        initialPrimary: "SqlServer",
      }),
    );
    expect(column(await ok("SELECT name FROM sys.availability_groups ORDER BY name"))).toEqual(
      [agName, dagName].sort(),
    );
    const agDatabases = await ok(
      "SELECT d.database_name FROM sys.availability_databases_cluster d " +
        `JOIN sys.availability_groups g ON g.group_id = d.group_id WHERE g.name = ${tsql.quoteString(agName)}`,
    );
    expect(column(agDatabases)).toEqual([DATABASE]);
    await ok(
      tsql.buildSetDagAvailabilityModeSql({
        dagName,
        agName,
        miAgName,
        availabilityMode: "SYNCHRONOUS_COMMIT",
      }),
    );
    await ok(tsql.buildLogBackupSql(DATABASE, { disk: "NUL" }));

    await ok(tsql.buildDropAgSql(dagName));
    await ok(tsql.buildDropAgSql(agName));
    await ok(tsql.buildDropEndpointSql("database_mirroring_endpoint"));
    await ok(tsql.buildDropCertificateSql(certificate));
    expect(await ok("SELECT name FROM sys.availability_groups")).toEqual([]);
    expect(column(await ok("SELECT name FROM sys.certificates WHERE name LIKE N'Cert%'"))).toEqual([]);
  });

  it("creates the SQL Server side for a managed instance as initial primary", async () => {
    const { ok } = open();
    await ok(tsql.buildCreateMasterKeySql("Str0ngPass!"));
    await ok(tsql.buildCreateEndpointCertificateSql({ name: "c", subject: "s", expiryDate: "2030-01-01" }));
    await ok(tsql.buildCreateMirroringEndpointSql({ name: "e", port: 5022, certificateName: "c" }));
    await ok(
      tsql.buildCreateAgSql({
        agName: "AG_Sales",
        serverName: SERVER,
        endpointUrl: "TCP://sql1:5022",
        version: "16.0.4125.3",
      }),
    );
    await ok(tsql.buildGrantCreateAnyDatabaseSql("AG_Sales"));
    await ok(
      tsql.buildCreateDistributedAgSql({
        dagName: "DAG_Sales",
        agName: "AG_Sales",
        miAgName: "AG_Sales_MI",
        sqlServerListenerUrl: "TCP://sql1:5022",
        miFqdn: "sqlmi1.abc.database.windows.net",
        miName: "sqlmi1",
        database: "Sales",
        initialPrimary: "ManagedInstance",
      }),
    );
    expect(
      await ok(
        "SELECT r.endpoint_url FROM sys.availability_replicas r JOIN sys.availability_groups g ON g.group_id = r.group_id " +
          "WHERE g.name = N'DAG_Sales' ORDER BY r.endpoint_url",
      ),
    ).toEqual([
      ["TCP://sql1:5022"],
      ["tcp://sqlmi1.abc.database.windows.net:5022;Server=[sqlmi1];Database=[Sales]"],
    ]);
  });
});
