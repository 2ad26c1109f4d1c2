import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueManagedInstanceCertificate } from "../model";
import type { EngineEvent } from "../types";
import { createHarness, errors, infos, records, resultSets, type Harness } from "./fixtures/harness";
import { loadSeedScripts, type SeedScript } from "./fixtures/seed-scripts";

const MI_FQDN = "sqlmi1.73d19f36a420a.database.windows.net";
const EXPIRY_YEAR = new Date().getUTCFullYear() + 2;

/** The runbook's scripts run in document order against one instance, as an operator would. */
describe("the runbook's T-SQL scripts, in order", () => {
  let h: Harness;
  let scripts: Map<string, SeedScript>;
  const miCertificate = issueManagedInstanceCertificate(MI_FQDN);

  beforeAll(() => {
    h = createHarness({ serverName: "SQL1", databases: [{ name: "SalesDb", recoveryModel: "SIMPLE" }] });
    const loaded = loadSeedScripts({
      "<PublicKey>": "0x" + miCertificate.der.toString("hex").toUpperCase(),
      // The runbook asks to adjust its sample expiry date (long past) to a future one.
      "'03/30/2025'": `'03/30/${EXPIRY_YEAR}'`,
    });
    scripts = new Map(loaded.map((s) => [s.id, s]));
  });
  afterAll(() => h.dispose());

  /** Runs every batch of a script (GO-separated), failing on any error. */
  async function runScript(id: string, fill: Record<string, string> = {}): Promise<EngineEvent[]> {
    const script = scripts.get(id);
    if (!script) throw new Error(`no script ${id}`);
    const events: EngineEvent[] = [];
    for (let batch of script.batches) {
      for (const [name, value] of Object.entries(fill)) batch = batch.split(name).join(value);
      events.push(...(await h.run(batch)));
    }
    expect(errors(events), id).toEqual([]);
    return events;
  }

  it("sets FULL recovery and takes the first full backup", async () => {
    await runScript("recovery-and-backup");
    const [set] = resultSets(
      await h.run("SELECT recovery_model_desc FROM sys.databases WHERE name = 'SalesDb'"),
    );
    expect(set.rows).toEqual([["FULL"]]);
  });

  it("creates the master key once", async () => {
    const first = await runScript("master-key");
    expect(infos(first).map((m) => m.message)).toContain(
      "Creating master key.\rKeep the password confidential and in a secure place.",
    );
    const second = await runScript("master-key");
    expect(infos(second).map((m) => m.message)).toContain("Master key already exists.");
  });

  it("creates the SQL Server certificate through dynamic SQL, and only once", async () => {
    const first = await runScript("create-certificate");
    expect(infos(first).map((m) => m.message)).toContain(
      `CREATE CERTIFICATE [Cert_SQL1_endpoint] \r    WITH SUBJECT = 'Certificate for Cert_SQL1_endpoint',\r    EXPIRY_DATE = '03/30/${EXPIRY_YEAR}'\r`,
    );
    const second = await runScript("create-certificate");
    expect(infos(second).map((m) => m.message)).toContain("Certificate Cert_SQL1_endpoint already exists.");
  });

  it("shows the certificate encrypted by the master key", async () => {
    const [set] = resultSets(await runScript("verify-certificate"));
    expect(records(set).map((r) => r.name)).toEqual(["Cert_SQL1_endpoint"]);
  });

  it("returns the certificate name and its public key", async () => {
    const [name, key] = resultSets(await runScript("public-key"));
    expect(records(name)).toEqual([{ SQLServerCertName: "Cert_SQL1_endpoint" }]);
    expect(key.columns[0]).toMatchObject({
      name: "SQLServerPublicKey",
      type: { kind: "varbinary", length: "max" },
    });
    const id = h.model.certificateId("Cert_SQL1_endpoint")!;
    expect(key.rows[0][0]).toEqual(h.model.certificateEncoded(id));
  });

  it("imports the managed instance certificate and the Azure root authorities", async () => {
    await runScript("import-mi-certificate");
    const microsoft = await runScript("microsoft-pki");
    expect(infos(microsoft).map((m) => m.message)).toContain("Creating MicrosoftPKI certificate.");
    await runScript("digicert-pki");
    const again = await runScript("digicert-pki");
    expect(infos(again).map((m) => m.message)).toContain("Certificate DigiCertPKI already exists.");
    const [all] = resultSets(await runScript("list-certificates"));
    expect(records(all).map((r) => r.name)).toEqual(
      expect.arrayContaining(["Cert_SQL1_endpoint", MI_FQDN, "MicrosoftPKI", "DigiCertPKI"]),
    );
  });

  it("finds and validates the managed instance certificate", async () => {
    const [found] = resultSets(await runScript("find-mi-certificate"));
    const [row] = records(found);
    expect(found.columns.map((c) => c.name)).toEqual([
      "name",
      "subject",
      "certificate_id",
      "start_date",
      "expiry_date",
    ]);
    expect(row.name).toBe(MI_FQDN);
    await runScript("validate-mi-certificate", { "<certificate_id>": String(row.certificate_id) });
  });

  it("creates the mirroring endpoint secured by the certificate", async () => {
    const [before] = resultSets(await runScript("check-mirroring-endpoint"));
    expect(before.rows).toEqual([]);
    const [name] = resultSets(await runScript("sqlserver-certificate-name"));
    expect(name.rows).toEqual([["Cert_SQL1_endpoint"]]);
    await runScript("create-endpoint");
    const [view] = resultSets(await runScript("view-endpoint"));
    expect(records(view)).toEqual([
      {
        name: "database_mirroring_endpoint",
        type_desc: "DATABASE_MIRRORING",
        state_desc: "STARTED",
        role_desc: "ALL",
        connection_auth_desc: "CERTIFICATE",
        is_encryption_enabled: true,
        encryption_algorithm_desc: "AES",
      },
    ]);
  });

  it("alters the endpoint to Windows then certificate authentication", async () => {
    await runScript("view-existing-endpoint");
    await runScript("alter-endpoint");
    const [view] = resultSets(await runScript("view-altered-endpoint"));
    expect(records(view)[0]).toMatchObject({
      connection_auth_desc: "NEGOTIATE, CERTIFICATE",
      encryption_algorithm_desc: "AES",
    });
  });

  it("creates the availability group and the distributed availability group", async () => {
    const [server] = resultSets(await runScript("server-name"));
    expect(records(server)).toEqual([{ SQLServerName: "SQL1" }]);
    await runScript("create-ag");
    await runScript("create-dag");
    const [groups] = resultSets(await runScript("list-ags"));
    const byName = Object.fromEntries(records(groups).map((r) => [r.name, r]));
    expect(byName.AG_SalesDb).toMatchObject({ is_distributed: false });
    expect(byName.DAG_SalesDb).toMatchObject({ is_distributed: true });
  });

  it("lists the replicas with their connection state", async () => {
    const [states] = resultSets(await runScript("replica-states"));
    expect(states.columns.map((c) => c.name)).toEqual([
      "Replica",
      "Endpoint",
      "Connected state",
      "Last connection error",
      "Last connection error No",
      "Last error timestamp",
    ]);
    expect(records(states)).toEqual(
      expect.arrayContaining([expect.objectContaining({ Replica: "SQL1", Endpoint: "TCP://10.0.0.4:5022" })]),
    );
  });

  it("drops the distributed availability group, then the availability group", async () => {
    await runScript("drop-dag");
    await runScript("drop-ag");
    const [groups] = resultSets(await h.run("SELECT name FROM sys.availability_groups"));
    expect(groups.rows).toEqual([]);
  });

  it("drops the managed instance certificate (re-import path)", async () => {
    await runScript("drop-mi-certificate");
    expect(h.model.certificateId(MI_FQDN)).toBeNull();
  });
});
