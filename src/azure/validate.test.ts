import { describe, expect, it } from "vitest";
import { credentialScopeOf, managedInstanceResourceId, validateTarget } from "./client";
import {
  AzureInputError,
  validateArmEndpoint,
  validateLinkName,
  validateManagedInstanceName,
  validateResourceGroupName,
  validateSubscriptionId,
  validateTlsCaPem,
} from "./validate";

const target = {
  subscriptionId: "00000000-0000-0000-0000-000000000001",
  resourceGroupName: "rg-mi-link",
  managedInstanceName: "sqlmi1",
};

describe("ARM names and settings", () => {
  it("accepts Azure's names", () => {
    expect(() => validateTarget(target)).not.toThrow();
    expect(() => validateResourceGroupName("My_RG.(prod)-1")).not.toThrow();
    expect(() => validateLinkName("DAG_sales#2@x$")).not.toThrow();
    expect(() => validateArmEndpoint("https://management.usgovcloudapi.net/")).not.toThrow();
  });

  it.each([
    ["subscriptionId", () => validateSubscriptionId("a]; DROP DATABASE x--")],
    ["subscriptionId", () => validateSubscriptionId("")],
    ["resourceGroupName", () => validateResourceGroupName("rg/../x")],
    ["resourceGroupName", () => validateResourceGroupName("rg.")],
    ["resourceGroupName", () => validateResourceGroupName("r".repeat(91))],
    ["managedInstanceName", () => validateManagedInstanceName("SqlMi1")],
    ["managedInstanceName", () => validateManagedInstanceName("sqlmi1.abc.database.windows.net")],
    ["managedInstanceName", () => validateManagedInstanceName("a".repeat(64))],
    ["managedInstanceName", () => validateManagedInstanceName("bad\u0000name")],
    ["distributedAvailabilityGroupName", () => validateLinkName("1DAG")],
    ["distributedAvailabilityGroupName", () => validateLinkName("DAG'x")],
    ["distributedAvailabilityGroupName", () => validateLinkName("D" + "a".repeat(128))],
    ["armEndpoint", () => validateArmEndpoint("http://management.azure.com")],
    ["armEndpoint", () => validateArmEndpoint("https://management.azure.com/subscriptions")],
    ["armEndpoint", () => validateArmEndpoint("https://user:pw@management.azure.com")],
    ["armEndpoint", () => validateArmEndpoint("not a url")],
    ["tlsCaPem", () => validateTlsCaPem("MIIB...")],
  ])("refuses a bad %s", (field, validate) => {
    let thrown: unknown;
    try {
      validate();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AzureInputError);
    expect((thrown as AzureInputError).field).toBe(field);
  });

  it("derives the token scope from Azure clouds' endpoints only", () => {
    expect(credentialScopeOf(target)).toBe("https://management.azure.com/.default");
    expect(credentialScopeOf({ ...target, armEndpoint: "https://management.chinacloudapi.cn" })).toBe(
      "https://management.chinacloudapi.cn/.default",
    );
    expect(credentialScopeOf({ ...target, armEndpoint: "https://127.0.0.1:8443" })).toBe(
      "https://management.azure.com/.default",
    );
  });

  it("builds the managed instance's resource id", () => {
    expect(managedInstanceResourceId(target)).toBe(
      "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-mi-link/providers/Microsoft.Sql/managedInstances/sqlmi1",
    );
  });
});
