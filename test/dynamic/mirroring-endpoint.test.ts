/**
 * The mirroring endpoint provider through Pulumi's real dynamic-provider host, against the SQL
 * Server emulator: lifecycle, adoption of an existing endpoint (and its restoration), refusal of
 * an endpoint on another port, endpoints still used by availability groups, hostile input, secrets
 * and re-run convergence after a failure at every request of create.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { destroy, preview, refresh, up, type ResourceState } from "../support/engine-steps";
import { urnFor, type ProviderHost } from "../support/provider-host";
import { plaintextPaths, UNKNOWN } from "../support/wire";
import { adminBatch, catalogRows, connectionInputs, type CatalogRow } from "./support/emulator";
import { lostReplyLifecycle } from "./support/lost-reply";
import { startProviderTestBed } from "./support/test-bed";

describe("MirroringEndpoint provider", () => {
  let emulator: SqlServerEmulator;
  let host: ProviderHost;
  let providerText: string;
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:MirroringEndpoint", "endpoint");

  beforeAll(async () => {
    ({ providerText, emulator, host } = await startProviderTestBed(
      "./dist/dynamic/mirroring-endpoint.js",
      "mirroringEndpointProvider",
    ));
    await admin(
      "CREATE MASTER KEY ENCRYPTION BY PASSWORD = 'Mk-Secret!4f9a2c';\n" +
        "CREATE CERTIFICATE [Cert_A] WITH SUBJECT = 'A';\n" +
        "CREATE CERTIFICATE [Cert_B] WITH SUBJECT = 'B';",
    );
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await emulator?.stop();
  });

  afterEach(async () => {
    emulator.tds.clearFaults();
    await admin(
      "IF EXISTS (SELECT 1 FROM sys.database_mirroring_endpoints) DROP ENDPOINT " + (await endpointName()),
    );
  });

  const inputs = (extra: Record<string, unknown> = {}) => {
    const info = emulator.connectionInfo();
    return {
      __provider: providerText,
      connection: connectionInputs(emulator),
      password: pulumi.secret(info.password),
      certificateName: "Cert_A",
      ...extra,
    };
  };

  function rows(table: string): CatalogRow[] {
    return catalogRows(emulator, table);
  }

  /** The endpoint as the catalog has it, or undefined. */
  function catalogEndpoint() {
    const [e] = rows("sys.database_mirroring_endpoints");
    if (!e) return undefined;
    const tcp = rows("sys.tcp_endpoints").find((t) => t.endpoint_id === e.endpoint_id);
    const cert = rows("sys.certificates").find((c) => c.certificate_id === e.certificate_id);
    return {
      name: e.name,
      port: tcp?.port,
      state: e.state_desc,
      role: e.role_desc,
      auth: e.connection_auth_desc,
      certificate: cert?.name ?? null,
      encryption: e.encryption_algorithm_desc,
    };
  }

  async function endpointName(): Promise<string> {
    const name = catalogEndpoint()?.name;
    return name ? `[${String(name).replace(/]/g, "]]")}]` : "[none]";
  }

  async function admin(sqlText: string): Promise<void> {
    await adminBatch(emulator, sqlText);
  }

  const statements = () =>
    emulator.tds
      .requestLog()
      .map((entry) => entry.text)
      .filter((text) => /\b(CREATE|ALTER|DROP) ENDPOINT\b/.test(text));

  it("creates, reads without drift, updates each field in place, refreshes a drop, re-creates and deletes", async () => {
    const created = await up(host, urn, inputs());
    expect(created.op).toBe("create");
    expect(catalogEndpoint()).toEqual({
      name: "database_mirroring_endpoint",
      port: 5022,
      state: "STARTED",
      role: "ALL",
      auth: "CERTIFICATE",
      certificate: "Cert_A",
      encryption: "AES",
    });
    expect(created.state.outputs).toMatchObject({
      name: "database_mirroring_endpoint",
      port: 5022,
      adopted: false,
      connectionAuth: "CERTIFICATE",
      encryptionAlgorithm: "AES",
      state: "STARTED",
    });

    expect((await refresh(host, created.state))?.changed).toBe(false);
    expect((await preview(host, urn, inputs(), created.state)).op).toBe("same");

    // Connection settings only: an update that sends nothing.
    emulator.tds.resetCounters();
    const reconnected = await up(
      host,
      urn,
      inputs({ connection: connectionInputs(emulator, { requestTimeoutMs: 20_000 }) }),
      created.state,
    );
    expect(reconnected.op).toBe("update");
    expect(emulator.tds.counters().requests).toBe(0);

    // Certificate rotation switches the endpoint in place.
    emulator.tds.resetCounters();
    const rotated = await up(host, urn, inputs({ certificateName: "Cert_B" }), reconnected.state);
    expect(rotated.op).toBe("update");
    expect(statements()).toHaveLength(1);
    expect(statements()[0]).toContain("AUTHENTICATION = CERTIFICATE [Cert_B]");
    expect(catalogEndpoint()?.certificate).toBe("Cert_B");

    emulator.tds.resetCounters();
    const algorithms = await up(
      host,
      urn,
      inputs({ certificateName: "Cert_B", algorithms: ["AES", "RC4"] }),
      rotated.state,
    );
    expect(algorithms.op).toBe("update");
    expect(statements()).toHaveLength(1);
    expect(catalogEndpoint()?.encryption).toBe("AES, RC4");
    expect((await refresh(host, algorithms.state))?.changed).toBe(false);

    // A port change replaces the endpoint, deleting the old one first.
    const moved = await up(
      host,
      urn,
      inputs({ certificateName: "Cert_B", algorithms: ["AES", "RC4"], port: 5023 }),
      algorithms.state,
    );
    expect(moved.op).toBe("replace");
    expect(moved.plan.diff?.deleteBeforeReplace).toBe(true);
    expect(catalogEndpoint()?.port).toBe(5023);

    await admin("DROP ENDPOINT [database_mirroring_endpoint]");
    expect(await refresh(host, moved.state)).toBeUndefined();

    const again = await up(host, urn, inputs());
    expect(catalogEndpoint()?.certificate).toBe("Cert_A");
    await destroy(host, again.state);
    expect(catalogEndpoint()).toBeUndefined();
    expect(await refresh(host, again.state)).toBeUndefined();
    // Delete tolerates an endpoint already gone.
    await destroy(host, again.state);
  });

  it("reports drift on refresh and repairs it on the next up", async () => {
    const created = await up(host, urn, inputs());
    await admin(
      "ALTER ENDPOINT [database_mirroring_endpoint] STATE = STOPPED FOR DATABASE_MIRRORING (AUTHENTICATION = CERTIFICATE [Cert_B])",
    );
    const refreshed = await refresh(host, created.state);
    expect(refreshed?.changed).toBe(true);
    expect(refreshed?.state.outputs).toMatchObject({ state: "STOPPED", certificateName: "Cert_B" });
    const repaired = await up(host, urn, inputs(), refreshed!.state);
    expect(repaired.op).toBe("update");
    expect(catalogEndpoint()).toMatchObject({ state: "STARTED", certificate: "Cert_A" });
    await destroy(host, repaired.state);
  });

  it("reports a move to another port as the listener's, keeps the managed port, and refuses the move", async () => {
    const created = await up(host, urn, inputs());
    expect(created.state.outputs).toMatchObject({ port: 5022, listenerPort: 5022 });
    await admin("ALTER ENDPOINT [database_mirroring_endpoint] AS TCP (LISTENER_PORT = 5023)");
    const refreshed = await refresh(host, created.state);
    expect(refreshed?.changed).toBe(true);
    expect(refreshed?.state.outputs).toMatchObject({ port: 5022, listenerPort: 5023 });
    // Not a replacement, which would drop an endpoint other applications may use now.
    expect((await preview(host, urn, inputs(), refreshed!.state)).op).toBe("same");
    const forced = await up(host, urn, inputs({ algorithms: ["AES", "RC4"] }), refreshed!.state).catch(
      (error: Error) => error,
    );
    expect(String(forced)).toMatch(/already exists on port 5023, not on port 5022.*Set `port` to 5023/s);
    expect(catalogEndpoint()?.port).toBe(5023);

    // Moved back: an update that reads the endpoint records where it listens again.
    await admin("ALTER ENDPOINT [database_mirroring_endpoint] AS TCP (LISTENER_PORT = 5022)");
    const back = await up(host, urn, inputs({ algorithms: ["AES", "RC4"] }), refreshed!.state);
    expect(back.state.outputs).toMatchObject({ port: 5022, listenerPort: 5022 });
    await destroy(host, back.state);
    expect(rows("sys.database_mirroring_endpoints")).toEqual([]);
  });

  it("repairs drifted algorithms to the default and then sees no change", async () => {
    const created = await up(host, urn, inputs());
    await admin(
      "ALTER ENDPOINT [database_mirroring_endpoint] FOR DATABASE_MIRRORING (ENCRYPTION = REQUIRED ALGORITHM RC4)",
    );
    const refreshed = await refresh(host, created.state);
    expect(refreshed?.state.outputs).toMatchObject({ algorithms: ["RC4"], encryptionAlgorithm: "RC4" });
    const repaired = await up(host, urn, inputs(), refreshed!.state);
    expect(repaired.op).toBe("update");
    expect(rows("sys.database_mirroring_endpoints")[0].encryption_algorithm_desc).toBe("AES");
    // The state holds the algorithms now in use, so the repair is not run again at every up.
    expect(repaired.state.outputs).not.toHaveProperty("algorithms");
    expect((await preview(host, urn, inputs(), repaired.state)).op).toBe("same");
    expect((await refresh(host, repaired.state))?.changed).toBe(false);

    // The same when the program stops setting the algorithms it had set.
    const explicit = await up(host, urn, inputs({ algorithms: ["AES", "RC4"] }), repaired.state);
    const defaulted = await up(host, urn, inputs(), explicit.state);
    expect(defaulted.op).toBe("update");
    expect((await preview(host, urn, inputs(), defaulted.state)).op).toBe("same");
    await destroy(host, defaulted.state);
  });

  it("adopts a Windows (NEGOTIATE) endpoint with RC4, adds the certificate and AES, and restores it on delete", async () => {
    await admin(
      "CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5022) " +
        "FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM RC4)",
    );
    const before = catalogEndpoint();
    emulator.tds.resetCounters();
    const adopted = await up(host, urn, inputs());
    expect(statements()).toHaveLength(1);
    expect(statements()[0]).toContain("AUTHENTICATION = WINDOWS NEGOTIATE CERTIFICATE [Cert_A]");
    expect(catalogEndpoint()).toMatchObject({
      name: "Hadr_endpoint",
      auth: "NEGOTIATE, CERTIFICATE",
      certificate: "Cert_A",
      encryption: "RC4, AES",
      state: "STARTED",
    });
    expect(adopted.state.outputs).toMatchObject({
      name: "Hadr_endpoint",
      adopted: true,
      connectionAuth: "NEGOTIATE, CERTIFICATE",
      encryptionAlgorithm: "RC4, AES",
      originalAuthentication: "NEGOTIATE",
      originalAlgorithms: "RC4",
    });
    expect((await refresh(host, adopted.state))?.changed).toBe(false);
    expect((await preview(host, urn, inputs(), adopted.state)).op).toBe("same");
    // The name is only used when creating; another port means another endpoint.
    expect((await preview(host, urn, inputs({ name: "other" }), adopted.state)).op).toBe("same");
    expect((await preview(host, urn, inputs({ port: 5023 }), adopted.state)).op).toBe("replace");

    // Rotation keeps Windows authentication and the endpoint's own algorithms.
    const rotated = await up(host, urn, inputs({ certificateName: "Cert_B" }), adopted.state);
    expect(catalogEndpoint()).toMatchObject({
      auth: "NEGOTIATE, CERTIFICATE",
      certificate: "Cert_B",
      encryption: "RC4, AES",
    });
    expect(rotated.state.outputs).toMatchObject({
      originalAuthentication: "NEGOTIATE",
      originalAlgorithms: "RC4",
    });

    await destroy(host, rotated.state);
    expect(catalogEndpoint()).toEqual(before);
  });

  it("adopts an endpoint that already serves the link without changing it, and leaves it on delete", async () => {
    await admin(
      "CREATE ENDPOINT [mirror] STATE = STARTED AS TCP (LISTENER_PORT = 5022) " +
        "FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = CERTIFICATE [Cert_A], ENCRYPTION = REQUIRED ALGORITHM AES)",
    );
    const before = catalogEndpoint();
    emulator.tds.resetCounters();
    const adopted = await up(host, urn, inputs());
    expect(statements()).toEqual([]);
    expect(adopted.state.outputs.adopted).toBe(true);
    expect(adopted.state.outputs.originalAuthentication).toBeUndefined();
    await destroy(host, adopted.state);
    expect(catalogEndpoint()).toEqual(before);
  });

  it("refuses an existing endpoint on another port before any change", async () => {
    await admin(
      "CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5023) " +
        "FOR DATABASE_MIRRORING (AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM RC4)",
    );
    const before = catalogEndpoint();
    emulator.tds.resetCounters();
    const error = await up(host, urn, inputs()).catch((e: Error) => e);
    expect(String((error as Error).message)).toMatch(
      /\[Hadr_endpoint\] already exists on port 5023, not on port 5022/,
    );
    expect(String((error as Error).message)).toMatch(/Set `port` to 5023/);
    expect(statements()).toEqual([]);
    expect(catalogEndpoint()).toEqual(before);
  });

  it("leaves a created endpoint that an availability group still uses, with a warning", async () => {
    const created = await up(host, urn, inputs());
    await admin(
      "CREATE AVAILABILITY GROUP [AG_used] WITH (CLUSTER_TYPE = NONE) FOR REPLICA ON N'SQL1' WITH " +
        "(ENDPOINT_URL = 'TCP://10.0.0.4:5022', AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT, FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC)",
    );
    try {
      emulator.tds.resetCounters();
      await destroy(host, created.state);
      expect(statements()).toEqual([]);
      expect(catalogEndpoint()?.name).toBe("database_mirroring_endpoint");
      const warning = await host.waitForLog((e) => e.message.includes("was left in place"));
      expect(warning.message).toContain("AG_used");
    } finally {
      await admin("DROP AVAILABILITY GROUP [AG_used]");
    }
  });

  it("refuses hostile and invalid input in check without sending a request", async () => {
    emulator.tds.resetCounters();
    const bad = await host.check(
      urn,
      {},
      inputs({
        name: "a".repeat(129),
        port: 70000,
        certificateName: "HOST\\INST_cert",
        algorithms: ["DES"],
        connection: { host: "bad host;", port: 0 },
      }),
    );
    expect(bad.failures.map((f) => f.property).sort()).toEqual([
      "algorithms",
      "certificateName",
      "connection.host",
      "connection.port",
      "connection.user",
      "name",
      "port",
    ]);
    for (const hostile of [
      { certificateName: "x\u0000y" },
      { certificateName: "" },
      { algorithms: ["RC4"] },
      { algorithms: [] },
      { port: 1.5 },
      { name: "" },
    ]) {
      expect((await host.check(urn, {}, inputs(hostile))).failures).toHaveLength(1);
    }
    expect((await host.check(urn, {}, inputs({ certificateName: undefined }))).failures[0]?.property).toBe(
      "certificateName",
    );
    // Values unknown during preview are checked once known.
    const unknowns = await host.check(
      urn,
      {},
      inputs({ certificateName: UNKNOWN, port: UNKNOWN, algorithms: UNKNOWN }),
    );
    expect(unknowns.failures).toEqual([]);
    expect(emulator.tds.counters().requests).toBe(0);
  });

  it("quotes a hostile but legal name and certificate name", async () => {
    await admin("CREATE CERTIFICATE [c']]; DROP DATABASE x--] WITH SUBJECT = 'hostile'");
    try {
      const created = await up(
        host,
        urn,
        inputs({ name: "a]; DROP DATABASE x--", certificateName: "c']; DROP DATABASE x--" }),
      );
      expect(catalogEndpoint()).toMatchObject({
        name: "a]; DROP DATABASE x--",
        certificate: "c']; DROP DATABASE x--",
      });
      await destroy(host, created.state);
      expect(catalogEndpoint()).toBeUndefined();
    } finally {
      await admin("DROP CERTIFICATE [c']]; DROP DATABASE x--]");
    }
  });

  it("keeps credentials secret in state, and out of __provider and the host's logs", async () => {
    const secrets = [emulator.connectionInfo().password];
    const created = await up(host, urn, inputs());
    expect(plaintextPaths(created.plan.check.state, secrets)).toEqual([]);
    expect(plaintextPaths(created.state.outputs, secrets)).toEqual([]);
    expect(secrets.some((secret) => providerText.includes(secret))).toBe(false);
    await destroy(host, created.state);
    expect(host.logs().filter((entry) => secrets.some((s) => entry.message.includes(s)))).toEqual([]);
  });

  it("converges when adoption is run again after a failure at any of its requests, and still restores", async () => {
    const original =
      "CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5022) " +
      "FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM RC4)";
    await admin(original);
    const found = catalogEndpoint();
    emulator.tds.resetCounters();
    const clean = await up(host, urn, inputs());
    const texts = [...new Set(emulator.tds.requestLog().map((entry) => entry.text))];
    const expected = catalogEndpoint();
    await destroy(host, clean.state);
    expect(texts.some((text) => text.startsWith("ALTER ENDPOINT"))).toBe(true);

    for (const text of texts) {
      for (const action of ["error", "drop"] as const) {
        const where = `fault ${action} at ${text.slice(0, 40)}`;
        emulator.tds.addFault({ on: { match: new RegExp(`^${escapeRegExp(text)}$`) }, action });
        let state: ResourceState | undefined;
        try {
          state = (await up(host, urn, inputs())).state;
        } catch {
          state = undefined;
        }
        emulator.tds.clearFaults();
        if (text.startsWith("ALTER ENDPOINT")) expect(state, where).toBeUndefined();
        const rerun = await up(host, urn, inputs(), state);
        expect(catalogEndpoint(), where).toEqual(expected);
        await destroy(host, rerun.state);
        expect(catalogEndpoint(), where).toEqual(found);
      }
    }
  }, 60_000);

  it("converges when create is run again after a failure at any of its requests", async () => {
    emulator.tds.resetCounters();
    const clean = await up(host, urn, inputs());
    // Each request of a fault-free create, by its text: a pool opened earlier is reused, so
    // request numbers shift from run to run while the statements stay the same.
    const texts = [...new Set(emulator.tds.requestLog().map((entry) => entry.text))];
    const expected = catalogEndpoint();
    await destroy(host, clean.state);
    expect(texts.some((text) => text.startsWith("CREATE ENDPOINT"))).toBe(true);

    for (const text of texts) {
      for (const action of ["error", "drop"] as const) {
        const where = `fault ${action} at ${text.slice(0, 40)}`;
        emulator.tds.addFault({ on: { match: new RegExp(`^${escapeRegExp(text)}$`) }, action });
        let state: ResourceState | undefined;
        try {
          state = (await up(host, urn, inputs())).state;
        } catch {
          state = undefined;
        }
        emulator.tds.clearFaults();
        // A fault at the CREATE itself fails create: nothing retries a statement.
        if (text.startsWith("CREATE ENDPOINT")) expect(state, where).toBeUndefined();
        const rerun = await up(host, urn, inputs(), state);
        expect(catalogEndpoint(), where).toEqual(expected);
        expect(rows("sys.database_mirroring_endpoints")).toHaveLength(1);
        expect(rerun.state.outputs.adopted, where).toBe(state?.outputs.adopted ?? false);
        await admin("DROP ENDPOINT [database_mirroring_endpoint]");
      }
    }
  }, 60_000);

  it("a CREATE ENDPOINT whose reply is lost stays the stack's: finished by the next up, dropped by destroy", async () => {
    await lostReplyLifecycle({
      host,
      emulator,
      urn,
      inputs: () => inputs(),
      createStatement: /^CREATE ENDPOINT/,
      exists: () => catalogEndpoint() !== undefined,
      whenFinished: () =>
        expect(catalogEndpoint()).toMatchObject({ certificate: "Cert_A", state: "STARTED" }),
      additionalSecretOutputs: ["password", "accessToken"],
    });
  });

  it("after a lost reply, an endpoint the statement did not make (another certificate) is adopted, not claimed", async () => {
    // The connection drops before SQL Server runs the CREATE; a DBA then creates an endpoint of their own.
    emulator.tds.addFault({ on: { match: /^CREATE ENDPOINT/ }, action: "drop" });
    const failure = await up(host, urn, inputs()).then(
      () => undefined,
      (error: { initFailure?: { id: string; properties: Record<string, unknown>; reasons: string[] } }) =>
        error.initFailure,
    );
    emulator.tds.clearFaults();
    expect(failure?.properties).toMatchObject({ adopted: false, createOutcomeUnknown: true });
    expect(catalogEndpoint()).toBeUndefined();
    await admin(
      "CREATE ENDPOINT [Theirs] STATE = STARTED AS TCP (LISTENER_PORT = 5022) FOR DATABASE_MIRRORING " +
        "(ROLE = ALL, AUTHENTICATION = CERTIFICATE [Cert_B], ENCRYPTION = REQUIRED ALGORITHM AES)",
    );
    const checked = await host.check(urn, {}, inputs());
    const partial: ResourceState = {
      urn,
      id: failure!.id,
      inputs: checked.state,
      outputs: failure!.properties as ResourceState["outputs"],
      initErrors: failure!.reasons,
    };
    const rerun = await up(host, urn, inputs(), partial);
    expect(rerun.state.outputs).toMatchObject({ name: "Theirs", adopted: true });
    expect(catalogEndpoint()).toMatchObject({ name: "Theirs", certificate: "Cert_A" });
    await destroy(host, rerun.state);
    // Put back as it was found, not dropped.
    expect(catalogEndpoint()).toMatchObject({ name: "Theirs", certificate: "Cert_B" });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
