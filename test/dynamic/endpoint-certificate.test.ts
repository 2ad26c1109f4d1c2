/**
 * The endpoint certificate provider through Pulumi's real dynamic-provider host, against the
 * SQL Server emulator: lifecycle, exact diff, adoption and conflicts, the endpoint guard on
 * delete, hostile input, versions and named instances, secrets, and re-run convergence.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { statementThenRead } from "../../src/sql/execute";
import { defaultEndpointCertificateName } from "../../src/tsql";
import { CERTIFICATE_QUERY } from "../../src/tsql/queries/certificate";
import { UNKNOWN_VALUE } from "../../src/dynamic/common/check";
import { destroy, preview, refresh, up, type ResourceState } from "../support/engine-steps";
import { urnFor, type ProviderHost } from "../support/provider-host";
import { plaintextPaths, type WireMap } from "../support/wire";
import {
  asAdmin,
  certificatesInCatalog,
  dropAllCertificates,
  dayFromNow,
  productStatements,
} from "./support/certificates";
import { connectionInputs } from "./support/emulator";
import { lostReplyLifecycle } from "./support/lost-reply";
import { startProviderTestBed } from "./support/test-bed";

const NAME = "Cert_SQL1_endpoint";
const EXPIRY = dayFromNow(400);
const SECRET_OUTPUTS = { additionalSecretOutputs: ["password", "accessToken"] };

describe("EndpointCertificate provider", () => {
  let emulator: SqlServerEmulator;
  let host: ProviderHost;
  let providerText: string;
  const urn = urnFor("pulumi-nodejs:dynamic/mi-link:EndpointCertificate", "cert");

  beforeAll(async () => {
    ({ providerText, emulator, host } = await startProviderTestBed(
      "./dist/dynamic/endpoint-certificate.js",
      "endpointCertificateProvider",
    ));
    await asAdmin(emulator, "CREATE MASTER KEY ENCRYPTION BY PASSWORD = 'Mk-Secret!4f9a2c'");
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await emulator?.stop();
  });

  beforeEach(async () => {
    emulator.tds.clearFaults();
    await dropAllCertificates(emulator);
  });

  const inputs = (extra: Record<string, unknown> = {}, target = emulator) => ({
    __provider: providerText,
    connection: connectionInputs(target),
    password: pulumi.secret(target.connectionInfo().password),
    name: NAME,
    expiryDate: EXPIRY,
    ...extra,
  });
  const certificate = async (name = NAME) =>
    (await certificatesInCatalog(emulator)).find((row) => row.name === name);

  it("creates, reads without drift, diffs exactly, refreshes a drop, re-creates and deletes", async () => {
    const created = await up(host, urn, inputs(), undefined, SECRET_OUTPUTS);
    expect(created.op).toBe("create");
    expect(await certificate()).toMatchObject({
      subject: `Certificate for ${NAME}`,
      pvt_key_encryption_type_desc: "ENCRYPTED_BY_MASTER_KEY",
      expiryDay: EXPIRY,
    });
    const outputs = created.state.outputs;
    expect(outputs).toMatchObject({ name: NAME, subject: `Certificate for ${NAME}`, adopted: false });
    expect(outputs.expiryDate).toBe(`${EXPIRY}T00:00:00.000Z`);
    const der = Buffer.from(String(outputs.publicKey).slice(2), "hex");
    expect(String(outputs.publicKey)).toMatch(/^0x[0-9A-F]+$/);
    expect(outputs.thumbprint).toBe(createHash("sha1").update(der).digest("hex").toUpperCase());
    expect(outputs.thumbprint).toBe((await certificate())?.thumbprint);

    const read = await refresh(host, created.state);
    expect(read?.changed).toBe(false);
    expect((await preview(host, urn, inputs(), created.state)).op).toBe("same");

    // Connection, credential and provider-only changes are updates that send no SQL.
    emulator.tds.resetCounters();
    const moved = await up(
      host,
      urn,
      inputs({
        connection: connectionInputs(emulator, { requestTimeoutMs: 20_000 }),
        dropAdoptedOnDelete: true,
      }),
      created.state,
    );
    expect(moved.op).toBe("update");
    expect(emulator.tds.counters().requests).toBe(0);
    expect(moved.state.outputs.thumbprint).toBe(outputs.thumbprint);

    // What SQL Server holds replaces: in place when the name stays, after the old one is gone.
    const subjectPlan = await preview(host, urn, inputs({ subject: "Other subject" }), created.state);
    expect(subjectPlan.diff).toMatchObject({ replaces: ["subject"], deleteBeforeReplace: true });
    const startPlan = await preview(host, urn, inputs({ startDate: dayFromNow(-3) }), created.state);
    expect(startPlan.diff?.replaces).toEqual(["startDate"]);
    const renamePlan = await preview(host, urn, inputs({ name: "Cert_other" }), created.state);
    // The default subject follows the name.
    expect(renamePlan.diff).toMatchObject({ replaces: ["name", "subject"], deleteBeforeReplace: false });

    const later = dayFromNow(800);
    const rotated = await up(host, urn, inputs({ expiryDate: later }), moved.state);
    expect(rotated.op).toBe("replace");
    expect(await certificatesInCatalog(emulator)).toHaveLength(1);
    expect((await certificate())?.expiryDay).toBe(later);
    expect(rotated.state.outputs.thumbprint).not.toBe(outputs.thumbprint);
    expect((await preview(host, urn, inputs({ expiryDate: later }), rotated.state)).op).toBe("same");

    await asAdmin(emulator, `DROP CERTIFICATE [${NAME}]`);
    expect(await refresh(host, rotated.state)).toBeUndefined();

    const again = await up(host, urn, inputs());
    expect(again.state.outputs.adopted).toBe(false);
    await destroy(host, again.state);
    expect(await certificate()).toBeUndefined();
    expect(await refresh(host, again.state)).toBeUndefined();
    await destroy(host, again.state); // already gone
  });

  it("reports drift: a certificate re-created out of band with another expiry", async () => {
    const created = await up(host, urn, inputs());
    await asAdmin(emulator, `DROP CERTIFICATE [${NAME}]`);
    await asAdmin(
      emulator,
      `CREATE CERTIFICATE [${NAME}] WITH SUBJECT = 'Certificate for ${NAME}', EXPIRY_DATE = '${dayFromNow(30).replace(/-/g, "")}'`,
    );
    const read = await refresh(host, created.state);
    expect(read?.changed).toBe(true);
    expect(read?.state.outputs.expiryDate).toBe(`${dayFromNow(30)}T00:00:00.000Z`);
    expect((await preview(host, urn, inputs(), read!.state)).diff?.replaces).toEqual(["expiryDate"]);
    // The certificate in SQL Server is no longer the one created: delete leaves it.
    await destroy(host, created.state);
    expect(await certificate()).toBeDefined();
  });

  it("adopts a matching certificate and leaves it on delete unless asked", async () => {
    await asAdmin(
      emulator,
      `CREATE CERTIFICATE [${NAME}] WITH SUBJECT = 'Certificate for ${NAME}', EXPIRY_DATE = '${EXPIRY.replace(/-/g, "")}'`,
    );
    const adopted = await up(host, urn, inputs());
    expect(adopted.state.outputs.adopted).toBe(true);
    expect((await preview(host, urn, inputs(), adopted.state)).op).toBe("same");
    await destroy(host, adopted.state);
    expect(await certificate()).toBeDefined();

    const owned = await up(host, urn, inputs({ dropAdoptedOnDelete: true }));
    expect(owned.state.outputs.adopted).toBe(true);
    await destroy(host, owned.state);
    expect(await certificate()).toBeUndefined();
  });

  it("refuses a conflicting certificate of the same name, saying what differs and how to fix it", async () => {
    const yyyymmdd = EXPIRY.replace(/-/g, "");
    const cases: Array<[string, RegExp]> = [
      [
        `CREATE CERTIFICATE [${NAME}] WITH SUBJECT = 'Someone else', EXPIRY_DATE = '${yyyymmdd}'`,
        /subject "Someone else", not "Certificate for Cert_SQL1_endpoint"\. Set subject to "Someone else"/,
      ],
      [
        `CREATE CERTIFICATE [${NAME}] WITH SUBJECT = 'Certificate for ${NAME}', EXPIRY_DATE = '20991231'`,
        /expiring on 2099-12-31, not .* Set expiryDate to "2099-12-31" to adopt it/,
      ],
      [
        `CREATE CERTIFICATE [${NAME}] ENCRYPTION BY PASSWORD = 'Pw-Other!123' WITH SUBJECT = 'Certificate for ${NAME}', EXPIRY_DATE = '${yyyymmdd}'`,
        /ENCRYPTED_BY_PASSWORD, not ENCRYPTED_BY_MASTER_KEY/,
      ],
    ];
    for (const [statement, message] of cases) {
      await asAdmin(emulator, statement);
      const before = await certificate();
      await expect(up(host, urn, inputs())).rejects.toThrow(message);
      await expect(up(host, urn, inputs())).rejects.toThrow(/DROP CERTIFICATE \[Cert_SQL1_endpoint\]/);
      expect(await certificate()).toEqual(before);
      await asAdmin(emulator, `DROP CERTIFICATE [${NAME}]`);
    }
  });

  it("never drops the certificate the mirroring endpoint authenticates with", async () => {
    const created = await up(host, urn, inputs());
    await asAdmin(
      emulator,
      `CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5022)
         FOR DATABASE_MIRRORING (ROLE = ALL, AUTHENTICATION = CERTIFICATE [${NAME}], ENCRYPTION = REQUIRED ALGORITHM AES)`,
    );
    try {
      await expect(destroy(host, created.state)).rejects.toThrow(
        /Cannot drop certificate \[Cert_SQL1_endpoint\]: the database mirroring endpoint \[Hadr_endpoint\] still authenticates with it/,
      );
      expect(await certificate()).toBeDefined();
    } finally {
      await asAdmin(emulator, "DROP ENDPOINT [Hadr_endpoint]");
    }
    await destroy(host, created.state);
    expect(await certificate()).toBeUndefined();
  });

  it("refuses bad input in check without sending a request", async () => {
    emulator.tds.resetCounters();
    const failuresOf = async (extra: Record<string, unknown>) =>
      (await host.check(urn, {}, inputs(extra))).failures.map((f) => f.property);
    expect(await failuresOf({ name: "SQL1\\INST" })).toEqual(["name"]);
    expect(await failuresOf({ name: "x".repeat(129) })).toEqual(["name"]);
    expect(await failuresOf({ name: "a\u0000b" })).toEqual(["name"]);
    expect(await failuresOf({ name: "" })).toEqual(["name"]);
    expect(await failuresOf({ subject: "bad\u0000subject" })).toEqual(["subject"]);
    expect(await failuresOf({ subject: "  " })).toEqual(["subject"]);
    expect(await failuresOf({ expiryDate: undefined })).toEqual(["expiryDate"]);
    expect(await failuresOf({ expiryDate: dayFromNow(-1) })).toEqual(["expiryDate"]);
    expect(await failuresOf({ expiryDate: "2027-02-30" })).toEqual(["expiryDate"]);
    expect(await failuresOf({ expiryDate: "20270101'; DROP DATABASE x--" })).toEqual(["expiryDate"]);
    expect(await failuresOf({ startDate: dayFromNow(500) })).toEqual(["expiryDate"]);
    expect(await failuresOf({ startDate: "tomorrow" })).toEqual(["startDate"]);
    expect(await failuresOf({ connection: { host: "bad host;", port: 70000 }, name: "a\\b" })).toEqual([
      "connection.host",
      "connection.port",
      "connection.user",
      "name",
    ]);
    const reason = (await host.check(urn, {}, inputs({ expiryDate: dayFromNow(-1) }))).failures[0]?.reason;
    expect(reason).toMatch(/is not in the future\. Choose a later day/);
    // Values unknown during preview are checked later.
    expect(
      await failuresOf({ name: UNKNOWN_VALUE, expiryDate: UNKNOWN_VALUE, startDate: UNKNOWN_VALUE }),
    ).toEqual([]);
    expect(emulator.tds.counters().requests).toBe(0);
  });

  it("quotes a hostile but legal name and subject exactly", async () => {
    const name = "a]; DROP DATABASE x--";
    // Quotes end the literal; `;` and `,` are left out only because the emulator shows subjects in
    // RFC 2253 escaped form.
    const subject = "O'Brien') DROP DATABASE master--";
    const created = await up(host, urn, inputs({ name, subject }));
    expect(await certificate(name)).toMatchObject({ subject });
    expect(await certificatesInCatalog(emulator)).toHaveLength(1);
    expect((await preview(host, urn, inputs({ name, subject }), created.state)).op).toBe("same");
    await destroy(host, created.state);
    expect(await certificate(name)).toBeUndefined();
  });

  it("creates the same statement on 2016, 2019 and 2022, default and named instances", async () => {
    const versions = ["13.0.7000.253", "15.0.4312.2", "16.0.4125.3"];
    for (const productVersion of versions) {
      for (const serverName of ["SQL1", "HOST\\INST"]) {
        const other = new SqlServerEmulator({ productVersion, serverName });
        await other.start();
        try {
          await asAdmin(other, "CREATE MASTER KEY ENCRYPTION BY PASSWORD = 'Mk-Secret!4f9a2c'");
          const name = defaultEndpointCertificateName(serverName);
          other.tds.resetCounters();
          const created = await up(host, urn, inputs({ name, startDate: dayFromNow(-1) }, other));
          const creates = productStatements(other.tds.requestLog()).filter((t) =>
            /CREATE CERTIFICATE/.test(t),
          );
          // The CREATE travels with the read of the new certificate (one round trip).
          expect(creates, `${productVersion} ${serverName}`).toEqual([
            statementThenRead(
              `CREATE CERTIFICATE [${name}]\n    WITH SUBJECT = N'Certificate for ${name}',\n` +
                `    START_DATE = '${dayFromNow(-1).replace(/-/g, "")}',\n    EXPIRY_DATE = '${EXPIRY.replace(/-/g, "")}';`,
              CERTIFICATE_QUERY,
            ),
          ]);
          expect(created.state.outputs.startDate).toBe(`${dayFromNow(-1)}T00:00:00.000Z`);
          expect(
            (await preview(host, urn, inputs({ name, startDate: dayFromNow(-1) }, other), created.state)).op,
          ).toBe("same");
          await destroy(host, created.state);
        } finally {
          await other.stop();
        }
      }
    }
  }, 60_000);

  it("fails clearly without a database master key", async () => {
    const bare = new SqlServerEmulator();
    await bare.start();
    try {
      await expect(up(host, urn, inputs({}, bare))).rejects.toThrow(/master key/i);
    } finally {
      await bare.stop();
    }
  });

  it("keeps credentials secret in state, and out of __provider and the host's logs", async () => {
    const secrets = [emulator.connectionInfo().password];
    const created = await up(host, urn, inputs(), undefined, SECRET_OUTPUTS);
    expect(plaintextPaths(created.plan.check.state, secrets)).toEqual([]);
    expect(plaintextPaths(created.state.outputs, secrets)).toEqual([]);
    expect(secrets.some((secret) => providerText.includes(secret))).toBe(false);
    await destroy(host, created.state);
    expect(host.logs().filter((entry) => secrets.some((s) => entry.message.includes(s)))).toEqual([]);
  });

  it("converges when create is run again after a failure at any of its requests", async () => {
    emulator.tds.resetCounters();
    const clean = await up(host, urn, inputs());
    const requestCount = emulator.tds.requestLog().length;
    const expected = (await certificatesInCatalog(emulator)).map(({ thumbprint: _t, ...row }) => row);
    await destroy(host, clean.state);
    expect(requestCount).toBeGreaterThan(0);

    for (let k = 1; k <= requestCount; k++) {
      for (const action of ["error", "drop"] as const) {
        const label = `${action} at request ${k}`;
        emulator.tds.resetCounters();
        emulator.tds.addFault({ on: { requestNumber: k }, action });
        let state: ResourceState | undefined;
        try {
          state = (await up(host, urn, inputs())).state;
        } catch {
          state = undefined;
        }
        emulator.tds.clearFaults();
        const rerun = await up(host, urn, inputs(), state);
        const catalog = (await certificatesInCatalog(emulator)).map(({ thumbprint: _t, ...row }) => row);
        expect(catalog, label).toEqual(expected);
        expect(rerun.state.outputs.thumbprint, label).toBe((await certificate())?.thumbprint);
        await asAdmin(emulator, `DROP CERTIFICATE [${NAME}]`);
      }
    }
  }, 60_000);

  it.each([
    ["whose reply is lost", "run-then-drop"],
    ["that ran although its request failed", "run-then-error"],
  ] as const)(
    "a CREATE %s stays the stack's: finished by the next up, dropped by destroy",
    async (_case, fault) => {
      await lostReplyLifecycle({
        host,
        emulator,
        urn,
        inputs: () => inputs(),
        createStatement: /^CREATE CERTIFICATE/,
        fault,
        exists: async () => (await certificate()) !== undefined,
        ...SECRET_OUTPUTS,
      });
    },
  );

  it("destroy right after a lost reply drops the certificate the create made", async () => {
    emulator.tds.addFault({ on: { match: /^CREATE CERTIFICATE/ }, action: "run-then-drop" });
    const failure = await up(host, urn, inputs()).then(
      () => undefined,
      (error: { initFailure?: { id: string; properties: Record<string, unknown> } }) => error.initFailure,
    );
    emulator.tds.clearFaults();
    expect(await certificate()).toBeDefined();
    await destroy(host, { urn, id: failure!.id, inputs: {}, outputs: failure!.properties as WireMap });
    expect(await certificate()).toBeUndefined();
  });
});
