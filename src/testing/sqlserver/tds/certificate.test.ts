import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { positiveSerialHex, serverCertificate } from "./certificate";

describe("the emulator's TLS certificate", () => {
  it("has a serial whose DER INTEGER is positive and minimal, whatever bytes were drawn", () => {
    // 1 draw in about 256 used to start with 00 followed by a byte below 0x80: OpenSSL then refused the
    // whole certificate ("illegal padding") and the emulator could not start.
    for (let i = 0; i < 5000; i++) {
      const serial = positiveSerialHex();
      expect(serial).toMatch(/^[0-9a-f]{16}$/);
      const first = parseInt(serial.slice(0, 2), 16);
      expect(first).toBeGreaterThanOrEqual(0x01);
      expect(first).toBeLessThanOrEqual(0x7f);
    }
  });

  it("is accepted by node's X.509 parser, with localhost and 127.0.0.1 as names", () => {
    const { certPem } = serverCertificate();
    const cert = new X509Certificate(certPem);
    expect(cert.subjectAltName).toContain("DNS:localhost");
    expect(cert.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(cert.serialNumber).toMatch(/^[0-9A-F]{16}$/);
  });
});
