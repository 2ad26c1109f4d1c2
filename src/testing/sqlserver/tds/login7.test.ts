import Login7Payload from "tedious/lib/login7-payload";
import PreloginPayload from "tedious/lib/prelogin-payload";
import { describe, expect, it } from "vitest";
import { decodePassword, encodePassword, parseLogin7 } from "./login7";
import { Encrypt, buildPrelogin, parsePrelogin } from "./prelogin";

describe("LOGIN7", () => {
  it("parses what tedious sends, password included", () => {
    const payload = new Login7Payload({
      tdsVersion: 0x74000004,
      packetSize: 8192,
      clientProgVer: 0,
      clientPid: 4242,
      connectionId: 0,
      clientTimeZone: 0,
      clientLcid: 0x409,
    });
    payload.userName = "linkadmin";
    payload.password = "pä$$wörd{}";
    payload.hostname = "build-agent";
    payload.appName = "pulumi-mi-link";
    payload.serverName = "sql1.contoso.local";
    payload.libraryName = "Tedious";
    payload.language = "us_english";
    payload.database = "LinkDb";
    const login = parseLogin7(payload.toBuffer());
    expect(login).toMatchObject({
      tdsVersion: 0x74000004,
      packetSize: 8192,
      clientPid: 4242,
      userName: "linkadmin",
      password: "pä$$wörd{}",
      hostName: "build-agent",
      appName: "pulumi-mi-link",
      serverName: "sql1.contoso.local",
      libraryName: "Tedious",
      language: "us_english",
      database: "LinkDb",
      hasFeatureExt: true,
    });
  });

  it("password obfuscation round-trips and is not the plain text", () => {
    const scrambled = encodePassword("Secret!");
    expect(scrambled.equals(Buffer.from("Secret!", "utf16le"))).toBe(false);
    expect(decodePassword(scrambled)).toBe("Secret!");
  });

  it("rejects a truncated message", () => {
    expect(() => parseLogin7(Buffer.alloc(40))).toThrow(/fixed part/);
  });
});

describe("PRELOGIN", () => {
  it("reads tedious's ENCRYPTION option for both settings", () => {
    const on = new PreloginPayload({
      encrypt: true,
      version: { major: 19, minor: 2, build: 2, subbuild: 0 },
    });
    const off = new PreloginPayload({
      encrypt: false,
      version: { major: 19, minor: 2, build: 2, subbuild: 0 },
    });
    expect(parsePrelogin(on.data).encryption).toBe(Encrypt.On);
    expect(parsePrelogin(off.data).encryption).toBe(Encrypt.NotSupported);
  });

  it("builds a response tedious reads back: version and encryption", () => {
    const response = new PreloginPayload(buildPrelogin({ version: "16.0.4125.3", encryption: Encrypt.On }));
    expect(response.version).toMatchObject({ major: 16, minor: 0, build: 4125, subbuild: 3 });
    expect(response.encryptionString).toBe("ON");
  });
});
