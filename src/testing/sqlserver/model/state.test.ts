import { describe, expect, it } from "vitest";
import { createInstanceModel, issueManagedInstanceCertificate } from "./index";
import { DIGICERT_GLOBAL_ROOT_G2_HEX } from "./root-certificates";
import { execContext, MI_FQDN, setUpLink } from "./test-support";

const VIEWS = [
  "sys.databases",
  "sys.symmetric_keys",
  "sys.certificates",
  "sys.endpoints",
  "sys.tcp_endpoints",
  "sys.database_mirroring_endpoints",
  "sys.availability_groups",
  "sys.availability_replicas",
  "sys.availability_databases_cluster",
  "sys.dm_hadr_availability_replica_states",
  "sys.dm_hadr_database_replica_states",
  "sys.dm_hadr_automatic_seeding",
  "msdb.dbo.backupset",
];

describe("state save and restore", () => {
  it("restores an identical catalog from JSON, certificates and trusted issuers included", () => {
    let clock = Date.UTC(2026, 2, 1);
    const ctx = execContext();
    const model = createInstanceModel({ serverName: "HOST\\INST", now: () => clock });
    setUpLink(model, "sales");
    model.createCertificate(ctx, { name: MI_FQDN, fromBinary: issueManagedInstanceCertificate(MI_FQDN).der });
    model.createCertificate(ctx, {
      name: "DigiCertPKI",
      fromBinary: Buffer.from(DIGICERT_GLOBAL_ROOT_G2_HEX, "hex"),
    });
    model.executeProcedure(ctx, "sp_certificate_add_issuer", [
      { name: "", value: model.certificateId("DigiCertPKI") },
      { name: "", value: "*.database.windows.net" },
    ]);
    model.partner.connectRemote("DAG_sales", {
      managedInstanceName: "sqlmi1",
      managedInstanceRole: "SECONDARY",
    });
    clock += 400;

    const json = JSON.stringify(model.saveState());
    model.dispose();
    const restored = createInstanceModel({ state: JSON.parse(json), now: () => clock });
    for (const view of VIEWS) {
      expect(restored.catalogTable(view, ctx), view).toEqual(model.catalogTable(view, ctx));
    }
    expect(restored.serverName()).toBe("HOST\\INST");
    expect(restored.serverProperty("InstanceName")).toBe("INST");
    expect(restored.partner.trustedIssuers()).toEqual(model.partner.trustedIssuers());
    const id = restored.certificateId("Cert_HOST\\INST_endpoint")!;
    expect(restored.certificateEncoded(id)).toEqual(model.certificateEncoded(id));
    expect(JSON.parse(json).security.master.certificates[0].privateKeyPem).toMatch(
      /^-----BEGIN PRIVATE KEY-----/,
    );

    // The restarted instance resumes the link where it stopped: seeding completes on time.
    expect(restored.partner.linkStatus("DAG_sales")!.seedingState).toBe("SEEDING");
    clock += 400;
    expect(restored.partner.linkStatus("DAG_sales")).toMatchObject({
      seedingState: "COMPLETED",
      synchronizationState: "SYNCHRONIZING",
    });
    restored.dispose();
  });

  it("refuses a state of another format", () => {
    const state = createInstanceModel().saveState();
    expect(() => createInstanceModel({ state: { ...state, format: 99 as 1 } })).toThrow(/format/);
  });
});
