/**
 * A log backup while the link seeds the database breaks the seeding (error 1412: the log the
 * seeding needed was truncated), as mi-link.md §1 row 14 warns; the same backup after seeding
 * completed leaves the link alone. The seeding stays failed: the link has to be recreated.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createInstanceModel, type SqlServerInstance } from "./index";
import { execContext, rows, setUpLink } from "./test-support";

const T0 = Date.UTC(2026, 5, 1);
let clock = T0;
const open: SqlServerInstance[] = [];
afterEach(() => {
  for (const m of open.splice(0)) m.dispose();
});

/** The link's SQL Server objects, connected at 200 ms; seeding runs 200-700 ms (defaults). */
function seeding(): SqlServerInstance {
  clock = T0;
  const model = createInstanceModel({ now: () => clock });
  open.push(model);
  setUpLink(model, "sales");
  model.partner.connectRemote("DAG_sales", {
    managedInstanceName: "sqlmi1",
    managedInstanceRole: "SECONDARY",
  });
  return model;
}

const logBackup = (model: SqlServerInstance) =>
  model.backup(execContext(), {
    database: "sales",
    type: "LOG",
    target: { kind: "DISK", path: "/backup/sales.trn" },
    copyOnly: false,
    options: {},
  });

describe("log backup and seeding", () => {
  it("a log backup during seeding fails the seeding with 1412, for good", () => {
    const model = seeding();
    clock = T0 + 450;
    expect(model.partner.linkStatus("DAG_sales")?.seedingState).toBe("SEEDING");
    logBackup(model);
    expect(model.partner.linkStatus("DAG_sales")?.seedingState).toBe("FAILED");
    const [attempt] = rows(model, "sys.dm_hadr_automatic_seeding");
    expect(attempt).toMatchObject({ current_state: "FAILED", failure_state: 1 });
    expect(String(attempt.failure_state_desc)).toMatch(/^Error 1412: .*a log backup ran during seeding/);
    clock = T0 + 5000;
    expect(model.partner.linkStatus("DAG_sales")?.seedingState).toBe("FAILED");
  });

  it("a log backup after seeding completed leaves the link replicating", () => {
    const model = seeding();
    clock = T0 + 800;
    expect(model.partner.linkStatus("DAG_sales")?.seedingState).toBe("COMPLETED");
    logBackup(model);
    expect(model.partner.linkStatus("DAG_sales")).toMatchObject({
      seedingState: "COMPLETED",
      synchronizationState: "SYNCHRONIZING",
    });
  });
});
