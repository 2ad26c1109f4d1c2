import { describe, expect, it } from "vitest";
import { parseEndpointAuthentication, parseEndpointEncryption } from "./endpoint-settings";

describe("parseEndpointAuthentication", () => {
  it.each([
    ["NTLM", { windows: "NTLM", certificate: false, certificateFirst: false }],
    ["CERTIFICATE", { windows: null, certificate: true, certificateFirst: true }],
    ["NEGOTIATE, CERTIFICATE", { windows: "NEGOTIATE", certificate: true, certificateFirst: false }],
    ["CERTIFICATE, KERBEROS", { windows: "KERBEROS", certificate: true, certificateFirst: true }],
    ["KERBEROS", { windows: "KERBEROS", certificate: false, certificateFirst: false }],
  ])("reads %j", (description, expected) => {
    expect(parseEndpointAuthentication(description)).toEqual({ ...expected, description });
  });
});

describe("parseEndpointEncryption", () => {
  it.each([
    [false, "NONE", { mode: "DISABLED", algorithms: [] }],
    [true, "AES", { mode: "REQUIRED", algorithms: ["AES"] }],
    [true, "RC4, AES", { mode: "REQUIRED", algorithms: ["RC4", "AES"] }],
    [true, "NONE, AES", { mode: "SUPPORTED", algorithms: ["AES"] }],
    [true, "NONE, AES, RC4", { mode: "SUPPORTED", algorithms: ["AES", "RC4"] }],
  ] as const)("reads enabled=%s %j", (enabled, description, expected) => {
    expect(parseEndpointEncryption(enabled, description)).toEqual({ ...expected, description });
  });
});
