/**
 * The diff rules every dynamic resource relies on: what replaces, what only updates, and an input
 * that replaces only once its new value is known (another resource's output in a preview).
 */
import { describe, expect, it } from "vitest";
import { UNKNOWN_VALUE } from "./check";
import { diffInputs } from "./diff";

const olds = { dagName: "DAG_Sales", timeoutSeconds: 600, linkId: "4f3c", observedAt: "2026-01-01" };
const spec = { replaceOn: ["dagName"], replaceOnKnownChange: ["linkId"] };

describe("diffInputs", () => {
  it("sees no change in equal inputs, ignoring outputs the state also holds", () => {
    const { observedAt: _output, ...inputs } = olds;
    expect(diffInputs(olds, inputs, spec)).toMatchObject({ changes: false, replaces: [] });
  });

  it("updates for an input outside the replacing ones, and treats null as absent", () => {
    expect(diffInputs(olds, { ...olds, timeoutSeconds: 900 }, spec)).toMatchObject({
      changes: true,
      replaces: [],
      changed: ["timeoutSeconds"],
    });
    expect(diffInputs({ ...olds, waitFor: null }, olds, spec).changes).toBe(false);
  });

  it("replaces for a changed or dropped replacing input", () => {
    expect(diffInputs(olds, { ...olds, dagName: "DAG_Other" }, spec).replaces).toEqual(["dagName"]);
    const { dagName: _dropped, ...withoutName } = olds;
    expect(diffInputs(olds, withoutName, spec).replaces).toEqual(["dagName"]);
  });

  it("replaces for a known new linkId, a dropped one or one set for the first time", () => {
    expect(diffInputs(olds, { ...olds, linkId: "9a1e" }, spec).replaces).toEqual(["linkId"]);
    const { linkId: _dropped, ...withoutLink } = olds;
    expect(diffInputs(olds, withoutLink, spec).replaces).toEqual(["linkId"]);
    expect(diffInputs(withoutLink, olds, spec).replaces).toEqual(["linkId"]);
  });

  it("plans an update, not a replacement, while the new linkId is unknown", () => {
    expect(diffInputs(olds, { ...olds, linkId: UNKNOWN_VALUE }, spec)).toMatchObject({
      changes: true,
      replaces: [],
      changed: ["linkId"],
    });
    // An unknown replacing input of the other kind still replaces: its value decides what exists.
    expect(diffInputs(olds, { ...olds, dagName: UNKNOWN_VALUE }, spec).replaces).toEqual(["dagName"]);
  });

  it("records the first value of a recordedFirst input by an update, and replaces on a later change", () => {
    const followed = {
      ...spec,
      replaceOnKnownChange: ["linkId", "groupDatabaseId"],
      recordedFirst: ["groupDatabaseId"],
    };
    const recorded = { ...olds, groupDatabaseId: "A1" };
    expect(diffInputs(olds, recorded, followed)).toMatchObject({ changes: true, replaces: [] });
    expect(diffInputs({ ...olds, groupDatabaseId: null }, recorded, followed).replaces).toEqual([]);
    expect(diffInputs(recorded, { ...olds, groupDatabaseId: "B2" }, followed).replaces).toEqual([
      "groupDatabaseId",
    ]);
    expect(diffInputs(recorded, { ...olds, groupDatabaseId: UNKNOWN_VALUE }, followed).replaces).toEqual([]);
    // linkId keeps its rule: set for the first time, it replaces.
    const { linkId: _dropped, ...withoutLink } = recorded;
    expect(diffInputs(withoutLink, recorded, followed).replaces).toEqual(["linkId"]);
  });
});
