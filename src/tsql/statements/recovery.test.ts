import { describe, expect, it } from "vitest";
import { TsqlInputError } from "../quote";
import { buildSetRecoveryFullSql } from "./recovery";

describe("buildSetRecoveryFullSql", () => {
  it("matches the runbook's statement", () => {
    expect(buildSetRecoveryFullSql("SalesDb")).toBe("ALTER DATABASE [SalesDb] SET RECOVERY FULL;");
  });

  it("quotes hostile names and refuses invalid ones", () => {
    expect(buildSetRecoveryFullSql("a]; DROP DATABASE x--")).toBe(
      "ALTER DATABASE [a]]; DROP DATABASE x--] SET RECOVERY FULL;",
    );
    expect(() => buildSetRecoveryFullSql("")).toThrow(TsqlInputError);
    expect(() => buildSetRecoveryFullSql("d".repeat(129))).toThrow(/database/);
  });
});
