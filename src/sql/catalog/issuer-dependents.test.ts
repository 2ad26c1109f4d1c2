import { describe, expect, it } from "vitest";
import { matchesDnsPattern } from "./issuer-dependents";

describe("matchesDnsPattern", () => {
  it("matches a wildcard pattern by suffix and anything else exactly, ignoring case", () => {
    const pattern = "*.database.windows.net";
    expect(matchesDnsPattern("sqlmi1.0a1b2c3d4e5f.database.windows.net", pattern)).toBe(true);
    expect(matchesDnsPattern("SQLMI1.0A1B.Database.Windows.Net.", pattern)).toBe(true);
    expect(matchesDnsPattern("database.windows.net", pattern)).toBe(false);
    expect(matchesDnsPattern("sqlmi1.database.windows.net.contoso.com", pattern)).toBe(false);
    expect(matchesDnsPattern("MicrosoftPKI", pattern)).toBe(false);
    expect(matchesDnsPattern("host.contoso.com", "HOST.contoso.com")).toBe(true);
    expect(matchesDnsPattern("a.host.contoso.com", "host.contoso.com")).toBe(false);
  });
});
