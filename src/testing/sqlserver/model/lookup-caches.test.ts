import { describe, expect, it } from "vitest";
import { createSelfSignedCertificate, isSignedBy } from "./certificates";
import { ModelContext } from "./context";
import { localDatabase, localDatabaseIndex, NameIndex } from "./hadr-status";
import { DEFAULT_TIMINGS, initialState } from "./options";
import type { DistributedGroupState } from "./state";
import { parseProductVersion } from "./version";

function context(collation: string): ModelContext {
  const state = initialState({ collation, databases: [{ name: "Sales" }, { name: "sales2" }] }, 0);
  return new ModelContext(state, DEFAULT_TIMINGS, () => 0, parseProductVersion(state.productVersion));
}

describe("name comparison follows the server collation", () => {
  it("compares case-insensitively, then case-sensitively once the collation changes", () => {
    const m = context("SQL_Latin1_General_CP1_CI_AS");
    expect(m.sameName("Sales", "SALES")).toBe(true);
    expect(m.nameKey("Sales")).toBe(m.nameKey("sALES"));
    expect(m.database("SALES")?.name).toBe("Sales");
    m.state.collation = "Latin1_General_100_CS_AS";
    expect(m.sameName("Sales", "SALES")).toBe(false);
    expect(m.sameName("Sales", "Sales")).toBe(true);
    expect(m.nameKey("Sales")).not.toBe(m.nameKey("sALES"));
    expect(m.database("SALES")).toBeUndefined();
    m.state.collation = "Latin1_General_CI_AS";
    expect(m.database("SALES")?.name).toBe("Sales");
  });
});

describe("localDatabaseIndex", () => {
  it("finds each link's local database as localDatabase does, first match by name", () => {
    for (const collation of ["SQL_Latin1_General_CP1_CI_AS", "Latin1_General_CS_AS"]) {
      const m = context(collation);
      m.state.groups.push(
        { kind: "AG", name: "ag1", databases: [{ name: "SALES" }] } as never,
        { kind: "AG", name: "AG1", databases: [{ name: "sales2" }] } as never,
        { kind: "AG", name: "ag2", databases: [{ name: "Sales" }] } as never,
        { kind: "AG", name: "empty", databases: [] } as never,
      );
      const dags = ["AG1", "ag1", "ag2", "empty", "missing"].map(
        (localAgName) => ({ kind: "DAG", localAgName }) as DistributedGroupState,
      );
      const index = localDatabaseIndex(m);
      for (const dag of dags)
        expect(index(dag), `${collation} ${dag.localAgName}`).toBe(localDatabase(m, dag));
      const names = new NameIndex(m);
      for (const name of ["AG1", "ag1", "Ag2", "empty", "missing"])
        expect(names.availabilityGroup(name)).toBe(m.availabilityGroup(name));
      for (const name of ["sales", "SALES", "Sales", "sales2", "master", "nope"])
        expect(names.database(name)).toBe(m.database(name));
    }
  });
});

describe("isSignedBy", () => {
  it("gives the same verdicts when asked again, after more pairs than it remembers", () => {
    const validity = { startDate: new Date(0), expiryDate: new Date(4_000_000_000_000) };
    const a = createSelfSignedCertificate({ subject: "a", ...validity }).der;
    const b = createSelfSignedCertificate({ subject: "b", ...validity }).der;
    const ask = () => [
      isSignedBy(a, a),
      isSignedBy(a, b),
      isSignedBy(b, b),
      isSignedBy(b, a),
      isSignedBy(a, Buffer.from("x")),
    ];
    const expected = [true, false, true, false, false];
    expect(ask()).toEqual(expected);
    expect(ask()).toEqual(expected);
    for (let k = 0; k < 300; k++) isSignedBy(a, Buffer.from(`not a certificate ${k}`));
    expect(ask()).toEqual(expected);
  });
});
