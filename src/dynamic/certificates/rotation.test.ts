import { describe, expect, it } from "vitest";
import {
  expiryWarning,
  generationName,
  isGenerationOf,
  parseRotationWindow,
  planEndpointCertificate,
  type EndpointCertificatePlanInput,
} from "./rotation";

const NOW = new Date("2026-11-26T07:00:00Z");
const BASE = "Cert_SQL1_endpoint";

function plan(extra: Partial<EndpointCertificatePlanInput>) {
  return planEndpointCertificate({
    baseName: BASE,
    current: null,
    rotateBeforeDays: 30,
    validityYears: 2,
    now: NOW,
    ...extra,
  });
}

describe("parseRotationWindow", () => {
  it("reads days and refuses anything else, naming the field and the fix", () => {
    expect(parseRotationWindow("30d")).toBe(30);
    expect(parseRotationWindow(" 7 D ")).toBe(7);
    for (const bad of ["30", "1 month", "0d", "366d", 30, undefined]) {
      expect(() => parseRotationWindow(bad)).toThrow(/^Invalid rotateCertificateBefore: .* Use "<n>d"/);
    }
  });
});

describe("planEndpointCertificate", () => {
  it("creates the first generation under the base name: 2 years, or the explicit day", () => {
    expect(plan({})).toMatchObject({
      name: BASE,
      expiryDate: "2028-11-26",
      generation: "",
      action: "create",
    });
    expect(plan({ explicitExpiry: "2030-12-31" })).toMatchObject({ name: BASE, expiryDate: "2030-12-31" });
  });

  it("keeps the certificate in use while it is outside the window and the expiry is unchanged", () => {
    const current = { name: BASE, expiryDate: "2028-11-20T00:00:00.000Z" };
    expect(plan({ current })).toMatchObject({
      name: BASE,
      expiryDate: "2028-11-20",
      action: "keep",
      generation: "",
    });
    expect(plan({ current, explicitExpiry: "2028-11-20" }).action).toBe("keep");
    const rotated = { name: `${BASE}_20281120`, expiryDate: "2028-11-20T00:00:00.000Z" };
    expect(plan({ current: rotated })).toMatchObject({
      name: rotated.name,
      generation: "20281120",
      action: "keep",
    });
  });

  it("rotates to a new generation when certificateExpiry names another day", () => {
    const current = { name: BASE, expiryDate: "2028-11-20T00:00:00.000Z" };
    expect(plan({ current, explicitExpiry: "2030-06-30" })).toMatchObject({
      name: `${BASE}_20300630`,
      expiryDate: "2030-06-30",
      generation: "20300630",
      action: "rotate-expiry-changed",
      replaces: current,
      expiresWithinWindow: false,
    });
  });

  it("rotates inside the window to a certificate valid 2 years, then keeps that one", () => {
    const current = { name: BASE, expiryDate: "2026-12-10T00:00:00.000Z" };
    const rotated = plan({ current });
    expect(rotated).toMatchObject({
      name: `${BASE}_20281126`,
      expiryDate: "2028-11-26",
      action: "rotate-window",
    });
    const next = plan({ current: { name: rotated.name, expiryDate: "2028-11-26T00:00:00.000Z" } });
    expect(next).toMatchObject({ name: rotated.name, action: "keep" });
  });

  it("an explicit expiry wins inside the window, and says it expires within it", () => {
    const current = { name: BASE, expiryDate: "2026-12-10T00:00:00.000Z" };
    expect(plan({ current, explicitExpiry: "2026-12-10" })).toMatchObject({
      action: "keep",
      expiresWithinWindow: true,
    });
  });
});

describe("generations and warnings", () => {
  it("recognizes the base name and its dated generations only", () => {
    expect(isGenerationOf(BASE, BASE)).toBe(true);
    expect(isGenerationOf(BASE, generationName(BASE, "2030-12-31"))).toBe(true);
    expect(isGenerationOf(BASE, `${BASE}_old`)).toBe(false);
    expect(isGenerationOf(BASE, "MyCert")).toBe(false);
  });

  it("warns about either side only within the window", () => {
    expect(expiryWarning("sqlServer", BASE, "2026-12-10T00:00:00Z", 30, NOW)).toMatch(
      /\[Cert_SQL1_endpoint\] expires on 2026-12-10, within rotateCertificateBefore \(30 days\)/,
    );
    expect(expiryWarning("sqlServer", BASE, "2027-12-10T00:00:00Z", 30, NOW)).toBeUndefined();
    expect(expiryWarning("managedInstance", "mi", "2026-12-01T00:00:00Z", 30, NOW)).toMatch(
      /managed instance's endpoint certificate .* Azure renews it/,
    );
  });
});
