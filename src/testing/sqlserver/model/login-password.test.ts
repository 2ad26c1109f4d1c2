import { describe, expect, it } from "vitest";
import { createInstanceModel } from "./index";

describe("setLoginPassword", () => {
  it("rotates a login's password: the new one authenticates, the old one no longer does", () => {
    const model = createInstanceModel({
      logins: [{ name: "sa", password: "Old-Passw0rd!", sysadmin: true }],
    });
    model.setLoginPassword("SA", "New-Passw0rd!");
    expect(model.authenticate("sa", "New-Passw0rd!")).toBe(true);
    expect(model.authenticate("sa", "Old-Passw0rd!")).toBe(false);
    expect(() => model.setLoginPassword("nobody", "x")).toThrow(/no login nobody/);
  });
});
