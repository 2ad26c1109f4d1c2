/**
 * The trusted certificate provider through Pulumi's real dynamic-provider host, against the SQL
 * Server emulator: the root CAs with their issuer binding, the managed instance's certificate
 * whose chain validates only through them, lifecycle, exact diff, adoption and conflicts,
 * versions without the issuer procedures, hostile input, secrets and re-run convergence.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SqlServerEmulator } from "../../src/testing/sqlserver";
import { issueManagedInstanceCertificate } from "../../src/testing/sqlserver/model/certificates";
import {
  AZURE_ROOT_CERTIFICATES,
  AZURE_TRUSTED_ISSUER_DNS_NAME,
  DIGICERT_PKI_ROOT,
  MICROSOFT_PKI_ROOT,
} from "../../src/tsql";
import { UNKNOWN_VALUE } from "../../src/dynamic/common/check";
import { destroy, preview, refresh, up, type ResourceState } from "../support/engine-steps";
import { urnFor, type ProviderHost } from "../support/provider-host";
import { plaintextPaths } from "../support/wire";
import {
  asAdmin,
  certificatesInCatalog,
  dropAllCertificates,
  productStatements,
} from "./support/certificates";
import { connectionInputs } from "./support/emulator";
import { lostReplyLifecycle } from "./support/lost-reply";
import { startProviderTestBed } from "./support/test-bed";

const FQDN = "sqlmi1.0a1b2c3d4e5f.database.windows.net";
const MI_CERTIFICATE = `0x${issueManagedInstanceCertificate(FQDN).der.toString("hex").toUpperCase()}`;
const OTHER_MI_CERTIFICATE = `0x${issueManagedInstanceCertificate(FQDN).der.toString("hex").toUpperCase()}`;
const SECRET_OUTPUTS = { additionalSecretOutputs: ["password", "accessToken"] };

describe("TrustedCertificate provider", () => {
  let emulator: SqlServerEmulator;
  let host: ProviderHost;
  let providerText: string;
  const urnOf = (name: string) => urnFor("pulumi-nodejs:dynamic/mi-link:TrustedCertificate", name);
  const urn = urnOf("mi");

  beforeAll(async () => {
    ({ providerText, emulator, host } = await startProviderTestBed(
      "./dist/dynamic/trusted-certificate.js",
      "trustedCertificateProvider",
    ));
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await emulator?.stop();
  });

  beforeEach(async () => {
    emulator.tds.clearFaults();
    await dropAllCertificates(emulator);
  });

  const inputs = (extra: Record<string, unknown> = {}, target = emulator) => {
    const info = target.connectionInfo();
    return {
      __provider: providerText,
      connection: connectionInputs(target),
      password: pulumi.secret(info.password),
      name: FQDN,
      publicKey: MI_CERTIFICATE,
      ...extra,
    };
  };
  const rootInputs = (root = MICROSOFT_PKI_ROOT, extra: Record<string, unknown> = {}, target = emulator) =>
    inputs(
      {
        name: root.name,
        publicKey: root.blob,
        trustedIssuerFor: AZURE_TRUSTED_ISSUER_DNS_NAME,
        ...extra,
      },
      target,
    );
  const certificate = async (name = FQDN) =>
    (await certificatesInCatalog(emulator)).find((row) => row.name === name);
  const issuers = () => emulator.model.partner.trustedIssuers();
  const importRoots = async (target = emulator) => {
    for (const root of AZURE_ROOT_CERTIFICATES)
      await up(host, urnOf(root.name), rootInputs(root, {}, target));
  };

  it("imports the root CAs bound as trusted issuers; re-importing them adopts them", async () => {
    const states: ResourceState[] = [];
    for (const root of AZURE_ROOT_CERTIFICATES) {
      const created = await up(host, urnOf(root.name), rootInputs(root));
      expect(created.state.outputs).toMatchObject({ name: root.name, adopted: false, chainValid: null });
      expect(String(created.state.outputs.subject)).toMatch(/Root/);
      expect(created.state.outputs.thumbprint).toBe((await certificate(root.name))?.thumbprint);
      expect((await certificate(root.name))?.pvt_key_encryption_type_desc).toBe("NO_PRIVATE_KEY");
      expect((await preview(host, urnOf(root.name), rootInputs(root), created.state)).op).toBe("same");
      expect((await refresh(host, created.state))?.changed).toBe(false);
      states.push(created.state);
    }
    expect(issuers()).toEqual([
      { certificateName: "MicrosoftPKI", dnsName: AZURE_TRUSTED_ISSUER_DNS_NAME },
      { certificateName: "DigiCertPKI", dnsName: AZURE_TRUSTED_ISSUER_DNS_NAME },
    ]);
    // Re-importing (e.g. another link's stack) adopts them; the existing binding is success.
    const again = await up(host, urnOf("again"), rootInputs(DIGICERT_PKI_ROOT));
    expect(again.state.outputs.adopted).toBe(true);
    expect(issuers()).toHaveLength(2);
    // The adopted one stays whatever relies on it; the imported ones go once nothing does.
    await destroy(host, again.state);
    expect(await certificate("DigiCertPKI")).toBeDefined();
    for (const state of states) await destroy(host, state);
    expect(await certificate("MicrosoftPKI")).toBeUndefined();
    expect(await certificate("DigiCertPKI")).toBeUndefined();
    expect(issuers()).toEqual([]);
  });

  describe("a root CA on delete", () => {
    const OTHER_FQDN = "sqlmi2.0a1b2c3d4e5f.database.windows.net";
    const SQL_URL = "TCP://sql1.contoso.com:5022";
    const createRoots = async () => {
      const states: ResourceState[] = [];
      for (const root of AZURE_ROOT_CERTIFICATES)
        states.push((await up(host, urnOf(root.name), rootInputs(root))).state);
      return states;
    };
    const rootsInCatalog = async () =>
      (await certificatesInCatalog(emulator)).map((row) => row.name).filter((name) => name !== OTHER_FQDN);

    it("is dropped when this resource imported it and nothing relies on it", async () => {
      const states = await createRoots();
      emulator.tds.resetCounters();
      for (const state of states) await destroy(host, state);
      // Per root: read it and the endpoint, what relies on it (one round trip), then the drop.
      expect(productStatements(emulator.tds.requestLog())).toHaveLength(8);
      expect(await certificatesInCatalog(emulator)).toEqual([]);
      expect(issuers()).toEqual([]);
    });

    it("stays while another managed instance's certificate trusted through it remains, and goes after", async () => {
      const states = await createRoots();
      await asAdmin(
        emulator,
        `CREATE CERTIFICATE [${OTHER_FQDN}] FROM BINARY = ${`0x${issueManagedInstanceCertificate(OTHER_FQDN).der.toString("hex")}`}`,
      );
      for (const state of states) await destroy(host, state);
      expect(await rootsInCatalog()).toEqual(["DigiCertPKI", "MicrosoftPKI"]);
      expect(issuers()).toHaveLength(2);

      // Once the other certificate is gone, a later delete of a root it imported drops it.
      await asAdmin(emulator, `DROP CERTIFICATE [${OTHER_FQDN}]`);
      for (const state of states) await destroy(host, state);
      expect(await certificatesInCatalog(emulator)).toEqual([]);
    });

    it("stays while a link to a managed instance remains on SQL Server", async () => {
      const states = await createRoots();
      const serverName = emulator.connectionInfo().serverName;
      await asAdmin(
        emulator,
        `CREATE AVAILABILITY GROUP [AG_Other] WITH (CLUSTER_TYPE = NONE) FOR REPLICA ON N'${serverName}'
         WITH (ENDPOINT_URL = N'${SQL_URL}', AVAILABILITY_MODE = SYNCHRONOUS_COMMIT, FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC)`,
      );
      await asAdmin(
        emulator,
        `CREATE AVAILABILITY GROUP [DAG_Other] WITH (DISTRIBUTED) AVAILABILITY GROUP ON
         N'AG_Other' WITH (LISTENER_URL = N'${SQL_URL}', AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT, FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC),
         N'AG_Other_MI' WITH (LISTENER_URL = N'tcp://${OTHER_FQDN}:5022;Server=[sqlmi2]', AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT, FAILOVER_MODE = MANUAL, SEEDING_MODE = AUTOMATIC)`,
      );
      try {
        for (const state of states) await destroy(host, state);
        expect(await rootsInCatalog()).toEqual(["DigiCertPKI", "MicrosoftPKI"]);
      } finally {
        await asAdmin(emulator, "DROP AVAILABILITY GROUP [DAG_Other]; DROP AVAILABILITY GROUP [AG_Other]");
      }
      for (const state of states) await destroy(host, state);
      expect(await certificatesInCatalog(emulator)).toEqual([]);
    });

    it("stays when it was adopted, even with nothing relying on it", async () => {
      await asAdmin(emulator, `CREATE CERTIFICATE [MicrosoftPKI] FROM BINARY = ${MICROSOFT_PKI_ROOT.blob}`);
      const adopted = await up(host, urnOf("MicrosoftPKI"), rootInputs(MICROSOFT_PKI_ROOT));
      expect(adopted.state.outputs.adopted).toBe(true);
      await destroy(host, adopted.state);
      expect(await rootsInCatalog()).toEqual(["MicrosoftPKI"]);
    });

    it("stays with dropOnDelete: false", async () => {
      const kept = await up(
        host,
        urnOf("MicrosoftPKI"),
        rootInputs(MICROSOFT_PKI_ROOT, { dropOnDelete: false }),
      );
      await destroy(host, kept.state);
      expect(await rootsInCatalog()).toEqual(["MicrosoftPKI"]);
    });
  });

  it("validates the managed instance's certificate only once the roots are imported and bound", async () => {
    const validated = inputs({ validateChain: true });
    await expect(up(host, urn, validated)).rejects.toThrow(
      new RegExp(
        `SQL Server does not trust the chain of certificate \\[${FQDN.replace(/\./g, "\\.")}\\]: .*` +
          `Import the root CAs .*MicrosoftPKI and DigiCertPKI.*\\*\\.database\\.windows\\.net`,
      ),
    );
    expect(await certificate()).toBeUndefined(); // the failed import is rolled back

    // Imported without the issuer binding, the roots do not make it trusted.
    const unbound = await up(
      host,
      urnOf("unbound"),
      rootInputs(MICROSOFT_PKI_ROOT, { trustedIssuerFor: undefined }),
    );
    await expect(up(host, urn, validated)).rejects.toThrow(/does not trust the chain/);
    await destroy(host, { ...unbound.state, outputs: { ...unbound.state.outputs, dropOnDelete: true } });

    await importRoots();
    const created = await up(host, urn, validated);
    expect(created.state.outputs).toMatchObject({ chainValid: true, adopted: false, subject: FQDN });
    expect(String(created.state.outputs.issuer)).toMatch(/Microsoft Azure RSA TLS Issuing CA 07/);
    expect((await refresh(host, created.state))?.changed).toBe(false);

    // The chain is checked again on refresh: without the root's binding it no longer validates.
    await asAdmin(emulator, "DROP CERTIFICATE [MicrosoftPKI]");
    expect((await refresh(host, created.state))?.state.outputs.chainValid).toBe(false);
    await destroy(host, created.state);
    expect(await certificate()).toBeUndefined();
  });

  it("creates, reads without drift, updates in place, refreshes a drop, re-creates and deletes", async () => {
    await importRoots();
    const created = await up(host, urn, inputs(), undefined, SECRET_OUTPUTS);
    expect(created.state.outputs).toMatchObject({
      adopted: false,
      chainValid: null,
      publicKey: MI_CERTIFICATE,
    });
    expect(await certificate()).toMatchObject({
      subject: FQDN,
      pvt_key_encryption_type_desc: "NO_PRIVATE_KEY",
    });
    expect((await refresh(host, created.state))?.changed).toBe(false);
    expect((await preview(host, urn, inputs(), created.state)).op).toBe("same");
    // Lower-case hex without the prefix is the same certificate.
    expect(
      (await preview(host, urn, inputs({ publicKey: MI_CERTIFICATE.slice(2).toLowerCase() }), created.state))
        .op,
    ).toBe("same");

    // dropOnDelete and the connection settings are stored only.
    emulator.tds.resetCounters();
    const kept = await up(host, urn, inputs({ dropOnDelete: true }), created.state);
    expect(kept.op).toBe("update");
    expect(emulator.tds.counters().requests).toBe(0);

    // validateChain is checked in place.
    emulator.tds.resetCounters();
    const validated = await up(host, urn, inputs({ dropOnDelete: true, validateChain: true }), kept.state);
    expect(validated.op).toBe("update");
    expect(validated.state.outputs.chainValid).toBe(true);
    expect(productStatements(emulator.tds.requestLog()).join("\n")).toMatch(
      /sp_validate_certificate_ca_chain/,
    );
    expect(productStatements(emulator.tds.requestLog()).join("\n")).not.toMatch(/CREATE CERTIFICATE|DROP/);

    // trustedIssuerFor binds in place.
    const bound = await up(
      host,
      urn,
      inputs({ validateChain: true, trustedIssuerFor: "sqlmi1.0a1b2c3d4e5f.database.windows.net" }),
      validated.state,
    );
    expect(bound.op).toBe("update");
    expect(issuers()).toContainEqual({ certificateName: FQDN, dnsName: FQDN });

    // A new DER replaces the certificate, the old one first (same name).
    const plan = await preview(host, urn, inputs({ publicKey: OTHER_MI_CERTIFICATE }), bound.state);
    expect(plan.diff).toMatchObject({ replaces: ["publicKey"], deleteBeforeReplace: true });
    const renewed = await up(host, urn, inputs({ publicKey: OTHER_MI_CERTIFICATE }), bound.state);
    expect(renewed.op).toBe("replace");
    expect(renewed.state.outputs.thumbprint).toBe((await certificate())?.thumbprint);
    expect(renewed.state.outputs.thumbprint).not.toBe(created.state.outputs.thumbprint);

    await asAdmin(emulator, `DROP CERTIFICATE [${FQDN}]`);
    expect(await refresh(host, renewed.state)).toBeUndefined();
    const again = await up(host, urn, inputs());
    expect(again.state.outputs.adopted).toBe(false);
    await destroy(host, again.state);
    expect(await certificate()).toBeUndefined();
    await destroy(host, again.state); // already gone
    expect(await certificate("MicrosoftPKI")).toBeDefined();
  });

  it("reports a certificate swapped out of band as a publicKey change, and leaves it on delete", async () => {
    const created = await up(host, urn, inputs());
    await asAdmin(
      emulator,
      `DROP CERTIFICATE [${FQDN}]; CREATE CERTIFICATE [${FQDN}] FROM BINARY = ${OTHER_MI_CERTIFICATE}`,
    );
    const read = await refresh(host, created.state);
    expect(read?.changed).toBe(true);
    expect(read?.state.outputs.publicKey).toBe(OTHER_MI_CERTIFICATE);
    expect((await preview(host, urn, inputs(), read!.state)).diff?.replaces).toEqual(["publicKey"]);
    await destroy(host, created.state);
    expect(await certificate()).toBeDefined();
  });

  it("adopts the same certificate and leaves it; refuses another one under the same name", async () => {
    await asAdmin(emulator, `CREATE CERTIFICATE [${FQDN}] FROM BINARY = ${MI_CERTIFICATE}`);
    const adopted = await up(host, urn, inputs());
    expect(adopted.state.outputs.adopted).toBe(true);
    await destroy(host, adopted.state);
    expect(await certificate()).toBeDefined();

    const existing = await certificate();
    const error = await up(host, urn, inputs({ publicKey: OTHER_MI_CERTIFICATE })).catch((e: Error) => e);
    expect(String((error as Error).message)).toMatch(
      new RegExp(
        `Certificate \\[${FQDN.replace(/\./g, "\\.")}\\] already exists in master with another certificate ` +
          `\\(thumbprint ${String(existing?.thumbprint)}.*not the given one \\(thumbprint [0-9A-F]{40}\\).*DROP CERTIFICATE`,
      ),
    );
    expect(await certificate()).toEqual(existing);
  });

  it("names the copy when the same certificate is already in master under another name", async () => {
    await asAdmin(emulator, `CREATE CERTIFICATE [old_mi_name] FROM BINARY = ${MI_CERTIFICATE}`);
    emulator.tds.resetCounters();
    await expect(up(host, urn, inputs())).rejects.toThrow(
      /Cannot import certificate \[sqlmi1\..*\]: the same certificate \(thumbprint [0-9A-F]{40}\) is already in master as \[old_mi_name\].*DROP CERTIFICATE \[old_mi_name\]/,
    );
    expect(productStatements(emulator.tds.requestLog()).join("\n")).not.toMatch(/CREATE CERTIFICATE/);
    expect((await certificatesInCatalog(emulator)).map((row) => row.name)).toEqual(["old_mi_name"]);
  });

  it("reports SQL Server 2017 without the Azure Connect pack clearly, and works on 2016 with it", async () => {
    const old = new SqlServerEmulator({ productVersion: "14.0.3456.2" });
    await old.start();
    try {
      const failure = await up(host, urnOf("MicrosoftPKI"), rootInputs(MICROSOFT_PKI_ROOT, {}, old)).catch(
        (e: Error) => e,
      );
      expect(String((failure as Error).message)).toMatch(/2812/);
      expect(String((failure as Error).message)).toMatch(
        /Azure Connect feature pack \(13\.0\.7000\.253 \/ 14\.0\.3490\.10\)/,
      );
      expect(old.model.partner.trustedIssuers()).toEqual([]);
      const left = await asAdmin(old, "SELECT name FROM sys.certificates");
      expect(left).toEqual([]); // rolled back: a re-run after the update starts clean
    } finally {
      await old.stop();
    }

    const sql2016 = new SqlServerEmulator({ productVersion: "13.0.7000.253", serverName: "HOST\\INST" });
    await sql2016.start();
    try {
      sql2016.tds.resetCounters();
      await importRoots(sql2016);
      const created = await up(host, urn, inputs({ validateChain: true }, sql2016));
      expect(created.state.outputs.chainValid).toBe(true);
      const sent = productStatements(sql2016.tds.requestLog()).join("\n");
      expect(sent).toContain(
        "DECLARE @certificate_id int;\nSELECT @certificate_id = CERT_ID(N'MicrosoftPKI');\n" +
          "EXEC sp_certificate_add_issuer @certificate_id, N'*.database.windows.net';",
      );
      expect(sent).toContain(`CREATE CERTIFICATE [${FQDN}]\nFROM BINARY = ${MI_CERTIFICATE};`);
    } finally {
      await sql2016.stop();
    }
  }, 60_000);

  it("refuses bad input in check without sending a request", async () => {
    emulator.tds.resetCounters();
    const failuresOf = async (extra: Record<string, unknown>) =>
      (await host.check(urn, {}, inputs(extra))).failures;
    const properties = async (extra: Record<string, unknown>) =>
      (await failuresOf(extra)).map((f) => f.property);
    expect(await properties({ name: "HOST\\INST" })).toEqual(["name"]);
    expect(await properties({ name: "n".repeat(129) })).toEqual(["name"]);
    expect(await properties({ name: "a\u0000" })).toEqual(["name"]);
    expect(await properties({ publicKey: "0xZZ" })).toEqual(["publicKey"]);
    expect(await properties({ publicKey: "0x; DROP DATABASE x--" })).toEqual(["publicKey"]);
    expect(await properties({ publicKey: "0xABC" })).toEqual(["publicKey"]);
    expect(await properties({ publicKey: undefined })).toEqual(["publicKey"]);
    expect(await properties({ publicKey: "0x3082010A0282010100" })).toEqual(["publicKey"]);
    expect(await properties({ trustedIssuerFor: "x'; DROP DATABASE master--" })).toEqual([
      "trustedIssuerFor",
    ]);
    expect(await properties({ validateChain: "yes" })).toEqual(["validateChain"]);
    expect(await properties({ connection: { host: "bad host;", port: 0 } })).toEqual([
      "connection.host",
      "connection.port",
      "connection.user",
    ]);
    const [notX509] = await failuresOf({ publicKey: "0x3082010A0282010100" });
    expect(notX509?.reason).toMatch(/is not a DER-encoded X\.509 certificate/);
    const [badIssuer] = await failuresOf({ trustedIssuerFor: "x'; DROP DATABASE master--" });
    expect(badIssuer?.reason).toMatch(/^Invalid trustedIssuerFor: .*is not a DNS name pattern/);
    // Values unknown during preview are checked later.
    expect(
      await properties({ name: UNKNOWN_VALUE, publicKey: UNKNOWN_VALUE, trustedIssuerFor: UNKNOWN_VALUE }),
    ).toEqual([]);
    expect(emulator.tds.counters().requests).toBe(0);
  });

  it("stores a new connection or credential without sending SQL", async () => {
    const created = await up(host, urn, inputs());
    const info = emulator.connectionInfo();
    emulator.tds.resetCounters();
    const moved = await up(
      host,
      urn,
      inputs({ connection: connectionInputs(emulator, { connectTimeoutMs: 9000 }) }),
      created.state,
    );
    expect(moved.op).toBe("update");
    const rotated = await up(
      host,
      urn,
      inputs({ password: pulumi.secret(`${info.password}-next`) }),
      moved.state,
    );
    expect(rotated.op).toBe("update");
    expect(emulator.tds.counters().requests).toBe(0);
    await destroy(host, { ...rotated.state, outputs: { ...rotated.state.outputs, password: info.password } });
    expect(await certificate()).toBeUndefined();
  });

  it("quotes a hostile but legal name exactly", async () => {
    const name = "a]; DROP DATABASE x--'";
    const created = await up(host, urn, inputs({ name, trustedIssuerFor: FQDN }));
    expect(await certificate(name)).toMatchObject({ subject: FQDN });
    expect(issuers()).toEqual([{ certificateName: name, dnsName: FQDN }]);
    expect(await certificatesInCatalog(emulator)).toHaveLength(1);
    await destroy(host, created.state);
    expect(await certificatesInCatalog(emulator)).toEqual([]);
  });

  it("drops an imported certificate on delete: without a private key no endpoint can use it", async () => {
    const created = await up(host, urn, inputs());
    // The provider still checks the endpoint before dropping; SQL Server (15299) makes that moot.
    await expect(
      asAdmin(
        emulator,
        `CREATE ENDPOINT [Hadr_endpoint] STATE = STARTED AS TCP (LISTENER_PORT = 5022) FOR DATABASE_MIRRORING ` +
          `(ROLE = ALL, AUTHENTICATION = CERTIFICATE [${FQDN}], ENCRYPTION = REQUIRED ALGORITHM AES)`,
      ),
    ).rejects.toThrow(/no private key/);
    await destroy(host, created.state);
    expect(await certificate()).toBeUndefined();
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
    const cases = [
      {
        label: "root",
        urn: urnOf("MicrosoftPKI"),
        inputs: () => rootInputs(MICROSOFT_PKI_ROOT, { dropOnDelete: true }),
      },
      {
        label: "managed instance",
        urn,
        inputs: () => inputs({ validateChain: true, trustedIssuerFor: FQDN }),
      },
    ];
    await up(host, urnOf("DigiCertPKI"), rootInputs(DIGICERT_PKI_ROOT));
    for (const step of cases) {
      emulator.tds.resetCounters();
      const clean = await up(host, step.urn, step.inputs());
      const requestCount = emulator.tds.requestLog().length;
      const expected = { certificates: await certificatesInCatalog(emulator), issuers: issuers() };
      expect(requestCount).toBeGreaterThan(0);
      await destroy(host, clean.state);
      const baseline = { certificates: await certificatesInCatalog(emulator), issuers: issuers() };

      for (let k = 1; k <= requestCount; k++) {
        for (const action of ["error", "drop"] as const) {
          const label = `${step.label}: ${action} at request ${k}`;
          emulator.tds.resetCounters();
          emulator.tds.addFault({ on: { requestNumber: k }, action });
          let state: ResourceState | undefined;
          try {
            state = (await up(host, step.urn, step.inputs())).state;
          } catch {
            state = undefined;
          }
          emulator.tds.clearFaults();
          const rerun = await up(host, step.urn, step.inputs(), state);
          expect({ certificates: await certificatesInCatalog(emulator), issuers: issuers() }, label).toEqual(
            expected,
          );
          if (step.label === "managed instance") expect(rerun.state.outputs.chainValid, label).toBe(true);
          await destroy(host, { ...rerun.state, outputs: { ...rerun.state.outputs, adopted: false } });
          expect({ certificates: await certificatesInCatalog(emulator), issuers: issuers() }, label).toEqual(
            baseline,
          );
        }
      }
      // The managed instance's certificate needs the root for its chain.
      if (step.label === "root") await up(host, step.urn, rootInputs(MICROSOFT_PKI_ROOT));
    }
  }, 120_000);

  it("an import whose reply is lost stays the stack's: finished by the next up, dropped by destroy", async () => {
    await lostReplyLifecycle({
      host,
      emulator,
      urn,
      inputs: () => inputs(),
      createStatement: /^CREATE CERTIFICATE/,
      exists: async () => (await certificate()) !== undefined,
      ...SECRET_OUTPUTS,
    });
  });

  it("a root CA whose import reply is lost is bound as trusted issuer by the next up, and dropped by destroy", async () => {
    const root = MICROSOFT_PKI_ROOT;
    const run = await lostReplyLifecycle({
      host,
      emulator,
      urn: urnOf(root.name),
      inputs: () => rootInputs(root),
      createStatement: /^CREATE CERTIFICATE/,
      exists: async () => (await certificate(root.name)) !== undefined,
      whenFinished: () =>
        expect(issuers()).toContainEqual({
          certificateName: root.name,
          dnsName: AZURE_TRUSTED_ISSUER_DNS_NAME,
        }),
      ...SECRET_OUTPUTS,
    });
    expect(run.rerun.state.outputs.trustedIssuerFor).toBe(AZURE_TRUSTED_ISSUER_DNS_NAME);
    expect(issuers().map((i) => i.certificateName)).not.toContain(root.name);
  });
});
