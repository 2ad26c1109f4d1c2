import { describe, expect, it } from "vitest";
import {
  dagNameProblem,
  defaultAgName,
  defaultDagName,
  defaultEndpointCertificateName,
  defaultMiAgName,
  managedInstanceNameProblem,
  validateDagName,
  validateManagedInstanceName,
} from "./names";
import { TsqlInputError } from "./quote";

describe("defaultEndpointCertificateName", () => {
  it("follows Microsoft's Cert_<@@SERVERNAME>_endpoint for a default instance", () => {
    expect(defaultEndpointCertificateName("sqlserver1")).toBe("Cert_sqlserver1_endpoint");
  });

  it("replaces the backslash of a named instance", () => {
    expect(defaultEndpointCertificateName("HOST\\INSTANCE")).toBe("Cert_HOST_INSTANCE_endpoint");
  });

  it("stays within 128 characters and keeps long names apart", () => {
    const a = defaultEndpointCertificateName(`${"h".repeat(120)}\\A`);
    const b = defaultEndpointCertificateName(`${"h".repeat(120)}\\B`);
    expect(a.length).toBeLessThanOrEqual(128);
    expect(a).toMatch(/^Cert_h+_[0-9a-f]{8}_endpoint$/);
    expect(a).not.toBe(b);
    expect(defaultEndpointCertificateName(`${"h".repeat(120)}\\A`)).toBe(a);
  });

  it("refuses an empty server name", () => {
    expect(() => defaultEndpointCertificateName("")).toThrow(TsqlInputError);
  });
});

describe("default availability group names", () => {
  it("follow AG_<db>, AG_<db>_MI and DAG_<db> for ordinary names", () => {
    expect(defaultAgName("Sales")).toBe("AG_Sales");
    expect(defaultMiAgName("Sales")).toBe("AG_Sales_MI");
    expect(defaultDagName("Sales")).toBe("DAG_Sales");
  });

  it("sanitize names Azure would refuse and tag them with a hash", () => {
    const dag = defaultDagName("sales-db.2024");
    expect(dag).toMatch(/^DAG_sales_db_2024_[0-9a-f]{8}$/);
    expect(dagNameProblem(dag)).toBeUndefined();
    expect(defaultMiAgName("sales-db.2024")).toMatch(/^AG_sales_db_2024_[0-9a-f]{8}_MI$/);
  });

  it("keep databases whose sanitized names coincide apart, deterministically", () => {
    expect(defaultDagName("a-b")).not.toBe(defaultDagName("a.b"));
    expect(defaultDagName("a-b")).toBe(defaultDagName("a-b"));
    expect(defaultAgName("a-b")).not.toBe(defaultAgName("a_b"));
  });

  it("make hostile and Unicode names valid", () => {
    for (const db of ["a]; DROP DATABASE x--", "'; DROP TABLE t; --", "Ventes€", "数据库"]) {
      for (const name of [defaultAgName(db), defaultMiAgName(db), defaultDagName(db)]) {
        expect(dagNameProblem(name), name).toBeUndefined();
      }
    }
  });

  it("stay within 128 characters for the longest database names", () => {
    const db = "d".repeat(128);
    for (const name of [defaultAgName(db), defaultMiAgName(db), defaultDagName(db)]) {
      expect(name.length).toBeLessThanOrEqual(128);
      expect(dagNameProblem(name)).toBeUndefined();
    }
    expect(defaultMiAgName(db)).toMatch(/_MI$/);
  });

  it("refuse invalid database names", () => {
    expect(() => defaultDagName("")).toThrow(TsqlInputError);
    expect(() => defaultDagName("x".repeat(129))).toThrow(/database/);
  });
});

describe("Azure name validators", () => {
  it("accept valid DAG names and explain invalid ones", () => {
    expect(dagNameProblem("DAG_Sales")).toBeUndefined();
    expect(dagNameProblem("#x@$1")).toBeUndefined();
    expect(dagNameProblem("")).toBe("is empty");
    expect(dagNameProblem("1abc")).toMatch(/must start/);
    expect(dagNameProblem("a-b")).toMatch(/contains "-"/);
    expect(dagNameProblem("a".repeat(129))).toMatch(/129/);
  });

  it("validateDagName throws TsqlInputError naming the field", () => {
    expect(validateDagName("DAG_1")).toBe("DAG_1");
    const error = (() => {
      try {
        validateDagName("bad name", "link.dagName");
      } catch (e) {
        return e as TsqlInputError;
      }
    })();
    expect(error?.field).toBe("link.dagName");
    expect(error?.message).toContain('contains " "');
  });

  it("accept valid managed instance names and explain invalid ones", () => {
    expect(managedInstanceNameProblem("sqlmi-1")).toBeUndefined();
    expect(managedInstanceNameProblem("SqlMi")).toMatch(/lower-case/);
    expect(managedInstanceNameProblem("a--b")).toMatch(/hyphen/);
    expect(managedInstanceNameProblem("-a")).toBeDefined();
    expect(managedInstanceNameProblem("a".repeat(64))).toMatch(/63/);
    expect(validateManagedInstanceName("mi1")).toBe("mi1");
    expect(() => validateManagedInstanceName("mi_1")).toThrow(TsqlInputError);
    expect(() => validateManagedInstanceName(undefined)).toThrow(/managedInstanceName/);
  });
});
