import { describe, expect, it } from "vitest";
import { TsqlInputError } from "../quote";
import { buildCreateMasterKeySql, buildDropMasterKeySql } from "./master-key";

describe("buildCreateMasterKeySql", () => {
  it("creates the master key with an nvarchar password literal", () => {
    expect(buildCreateMasterKeySql("Str0ng!Pass")).toBe(
      "CREATE MASTER KEY ENCRYPTION BY PASSWORD = N'Str0ng!Pass';",
    );
  });

  it("keeps quotes and look-alikes in the password inside the literal", () => {
    expect(buildCreateMasterKeySql("it's\u2019; DROP--")).toBe(
      "CREATE MASTER KEY ENCRYPTION BY PASSWORD = N'it''s\u2019; DROP--';",
    );
  });

  it("refuses an empty password or NUL without echoing the password", () => {
    expect(() => buildCreateMasterKeySql("")).toThrow(TsqlInputError);
    try {
      buildCreateMasterKeySql("topsecret\u0000");
      expect.unreachable();
    } catch (error) {
      expect((error as TsqlInputError).field).toBe("password");
      expect((error as Error).message).not.toContain("topsecret");
    }
  });
});

describe("buildDropMasterKeySql", () => {
  it("drops the master key of the current database", () => {
    expect(buildDropMasterKeySql()).toBe("DROP MASTER KEY;");
  });
});
