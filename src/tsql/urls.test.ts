import { describe, expect, it } from "vitest";
import { TsqlInputError } from "./quote";
import { endpointUrl, miListenerUrl, validateHost } from "./urls";

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TsqlInputError);
    return (error as TsqlInputError).field;
  }
  return undefined;
}

describe("endpointUrl", () => {
  it("builds TCP://host:port for DNS names, IPv4 and bracketed IPv6", () => {
    expect(endpointUrl("sqlserver1.contoso.com", 5022)).toBe("TCP://sqlserver1.contoso.com:5022");
    expect(endpointUrl("10.0.0.4", 5023)).toBe("TCP://10.0.0.4:5023");
    expect(endpointUrl("[fd00::4]", 5022)).toBe("TCP://[fd00::4]:5022");
    expect(endpointUrl("SQL_HOST-1", 5022)).toBe("TCP://SQL_HOST-1:5022");
  });

  it("refuses hosts with spaces, separators, quotes or bad addresses", () => {
    const bad = [
      "",
      "sql server",
      "sql;Server=x",
      "sql'host",
      'sql"host',
      "sql:5022",
      "tcp://sql",
      "sql/x",
      "-sql",
      "sql..com",
      "sql.",
      "256.1.1.1",
      "10.0.0",
      "01.2.3.4",
      "fd00::4",
      "[fd00::4%eth0]",
      "[not-ipv6]",
      `${"a".repeat(64)}.com`,
    ];
    for (const host of bad) {
      expect(
        fieldOf(() => endpointUrl(host, 5022)),
        host,
      ).toBe("host");
    }
  });

  it("refuses bad ports", () => {
    for (const port of [0, 65536, 1.5, NaN]) {
      expect(
        fieldOf(() => endpointUrl("sql1", port)),
        String(port),
      ).toBe("port");
    }
  });

  it("validateHost names the field", () => {
    expect(fieldOf(() => validateHost("a b", "sqlServerHost"))).toBe("sqlServerHost");
    expect(fieldOf(() => validateHost(undefined))).toBe("host");
  });
});

describe("miListenerUrl", () => {
  it("builds the MI listener URL as the runbook does", () => {
    expect(miListenerUrl("sqlmi1.73d19f36a420a.database.windows.net", "sqlmi1")).toBe(
      "tcp://sqlmi1.73d19f36a420a.database.windows.net:5022;Server=[sqlmi1]",
    );
  });

  it("appends the database when the MI is the initial primary", () => {
    expect(miListenerUrl("mi1.x.database.windows.net", "mi1", "Sales Db")).toBe(
      "tcp://mi1.x.database.windows.net:5022;Server=[mi1];Database=[Sales Db]",
    );
  });

  it("refuses addresses, bad MI names and databases that would break the URL", () => {
    expect(fieldOf(() => miListenerUrl("10.0.0.5", "mi1"))).toBe("miFqdn");
    expect(fieldOf(() => miListenerUrl("mi1.x.net;Server=y", "mi1"))).toBe("miFqdn");
    expect(fieldOf(() => miListenerUrl("mi1.x.net", "MI_1"))).toBe("miName");
    expect(fieldOf(() => miListenerUrl("mi1.x.net", "mi1]"))).toBe("miName");
    expect(fieldOf(() => miListenerUrl("mi1.x.net", "mi1", "a]; DROP DATABASE x--"))).toBe("database");
    expect(fieldOf(() => miListenerUrl("mi1.x.net", "mi1", "a;b"))).toBe("database");
    expect(fieldOf(() => miListenerUrl("mi1.x.net", "mi1", ""))).toBe("database");
  });
});
