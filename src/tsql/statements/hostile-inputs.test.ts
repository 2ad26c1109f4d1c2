/**
 * Every caller-supplied text that a builder quotes, fed hostile values: the statement must keep
 * exactly the token structure it has for a harmless value (so nothing was injected), and the
 * value must come back out of its single token unchanged. Values that cannot be quoted safely
 * (NUL, over-long names) must be refused with a TsqlInputError naming the field.
 */
import { describe, expect, it } from "vitest";
import { TsqlInputError } from "../quote";
import { buildCreateAgSql, buildDropAgSql, buildGrantCreateAnyDatabaseSql } from "./availability-group";
import { buildFullBackupSql, buildLogBackupSql } from "./backup";
import {
  buildAddIssuerSql,
  buildCreateCertificateFromBinarySql,
  buildCreateEndpointCertificateSql,
  buildDropCertificateSql,
  buildValidateCaChainSql,
} from "./certificates";
import {
  buildCreateDistributedAgSql,
  buildDagFailoverSql,
  buildForceFailoverSql,
  buildSetDagAvailabilityModeSql,
  buildSetDagRoleSecondarySql,
  type CreateDistributedAgSpec,
} from "./distributed-ag";
import {
  buildAlterEndpointForLinkSql,
  buildCreateMirroringEndpointSql,
  buildDropEndpointSql,
} from "./endpoint";
import { buildCreateMasterKeySql } from "./master-key";
import { buildSetRecoveryFullSql } from "./recovery";

type Token = {
  kind: "ident" | "string" | "word" | "number" | "symbol" | "comment";
  text: string;
  value: string;
};

/** A T-SQL scanner with SQL Server's quoting rules: [..]] identifiers, N'..'' literals, comments. */
function scan(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const rest = sql.slice(i);
    const ws = /^\s+/.exec(rest);
    if (ws) {
      i += ws[0].length;
      continue;
    }
    let match: RegExpExecArray | null;
    if ((match = /^(--[^\n]*|\/\*[\s\S]*?\*\/)/.exec(rest))) {
      tokens.push({ kind: "comment", text: match[0], value: match[0] });
    } else if ((match = /^\[((?:[^\]]|\]\])*)\]/.exec(rest))) {
      tokens.push({ kind: "ident", text: match[0], value: match[1].replace(/]]/g, "]") });
    } else if ((match = /^N?'((?:[^']|'')*)'/.exec(rest))) {
      tokens.push({ kind: "string", text: match[0], value: match[1].replace(/''/g, "'") });
    } else if ((match = /^(0x[0-9A-Fa-f]*|\d+)/.exec(rest))) {
      tokens.push({ kind: "number", text: match[0], value: match[0] });
    } else if ((match = /^[@#A-Za-z_][\w@#$]*/.exec(rest))) {
      tokens.push({ kind: "word", text: match[0], value: match[0].toUpperCase() });
    } else {
      match = /^[\s\S]/.exec(rest)!;
      tokens.push({ kind: "symbol", text: match[0], value: match[0] });
    }
    i += match[0].length;
  }
  return tokens;
}

/** The statement's structure with the contents of identifiers and literals blanked out. */
function skeleton(sql: string): string[] {
  return scan(sql).map((token) =>
    token.kind === "ident" || token.kind === "string" ? token.kind : `${token.kind}:${token.value}`,
  );
}

const HOSTILE = [
  "a]; DROP DATABASE x--",
  "'; DROP TABLE t; --",
  "x'y",
  "]]",
  "[",
  "']",
  "N'",
  '"',
  "/* c */",
  "x\nGO\nDROP DATABASE y",
  "\u2019; DROP TABLE t; --",
  "\u02BC\uFF07\u2018\u201B",
  "\u0060; SELECT 1",
];

const dag: CreateDistributedAgSpec = {
  dagName: "DAG_x",
  agName: "AG_x",
  miAgName: "AG_x_MI",
  sqlServerListenerUrl: "TCP://10.0.0.4:5022",
  miFqdn: "mi1.abc.database.windows.net",
  miName: "mi1",
  database: "x",
  initialPrimary: "SqlServer",
};
const ag = {
  agName: "AG_x",
  database: "x",
  serverName: "S",
  endpointUrl: "TCP://h:5022",
  version: "16.0.4125.3",
};
const endpoint = { name: "e", port: 5022, certificateName: "c" };

/** One quoted input of one builder: field name and how to build with a given value. */
const CASES: { builder: string; field: string; build: (value: string) => string; certificateName?: true }[] =
  [
    { builder: "buildSetRecoveryFullSql", field: "database", build: (v) => buildSetRecoveryFullSql(v) },
    {
      builder: "buildFullBackupSql",
      field: "database",
      build: (v) => buildFullBackupSql(v, { disk: "NUL" }),
    },
    {
      builder: "buildFullBackupSql",
      field: "target.disk",
      build: (v) => buildFullBackupSql("d", { disk: v }),
    },
    { builder: "buildLogBackupSql", field: "database", build: (v) => buildLogBackupSql(v, { disk: "NUL" }) },
    { builder: "buildLogBackupSql", field: "target.disk", build: (v) => buildLogBackupSql("d", { disk: v }) },
    { builder: "buildCreateMasterKeySql", field: "password", build: (v) => buildCreateMasterKeySql(v) },
    {
      builder: "buildCreateEndpointCertificateSql",
      field: "name",
      certificateName: true,
      build: (v) => buildCreateEndpointCertificateSql({ name: v, subject: "s", expiryDate: "2030-01-01" }),
    },
    {
      builder: "buildCreateEndpointCertificateSql",
      field: "subject",
      build: (v) => buildCreateEndpointCertificateSql({ name: "c", subject: v, expiryDate: "2030-01-01" }),
    },
    {
      builder: "buildCreateCertificateFromBinarySql",
      field: "name",
      certificateName: true,
      build: (v) => buildCreateCertificateFromBinarySql(v, "0x3082"),
    },
    { builder: "buildDropCertificateSql", field: "name", build: (v) => buildDropCertificateSql(v) },
    {
      builder: "buildAddIssuerSql",
      field: "certName",
      certificateName: true,
      build: (v) => buildAddIssuerSql(v, "*.database.windows.net"),
    },
    {
      builder: "buildValidateCaChainSql",
      field: "certName",
      certificateName: true,
      build: (v) => buildValidateCaChainSql(v),
    },
    {
      builder: "buildCreateMirroringEndpointSql",
      field: "name",
      build: (v) => buildCreateMirroringEndpointSql({ ...endpoint, name: v }),
    },
    {
      builder: "buildCreateMirroringEndpointSql",
      field: "certificateName",
      certificateName: true,
      build: (v) => buildCreateMirroringEndpointSql({ ...endpoint, certificateName: v }),
    },
    {
      builder: "buildAlterEndpointForLinkSql",
      field: "name",
      build: (v) => buildAlterEndpointForLinkSql({ ...endpoint, name: v }),
    },
    {
      builder: "buildAlterEndpointForLinkSql",
      field: "certificateName",
      certificateName: true,
      build: (v) => buildAlterEndpointForLinkSql({ ...endpoint, windowsAuth: true, certificateName: v }),
    },
    { builder: "buildDropEndpointSql", field: "name", build: (v) => buildDropEndpointSql(v) },
    { builder: "buildCreateAgSql", field: "agName", build: (v) => buildCreateAgSql({ ...ag, agName: v }) },
    {
      builder: "buildCreateAgSql",
      field: "database",
      build: (v) => buildCreateAgSql({ ...ag, database: v }),
    },
    {
      builder: "buildCreateAgSql",
      field: "serverName",
      build: (v) => buildCreateAgSql({ ...ag, serverName: v }),
    },
    {
      builder: "buildGrantCreateAnyDatabaseSql",
      field: "agName",
      build: (v) => buildGrantCreateAnyDatabaseSql(v),
    },
    { builder: "buildDropAgSql", field: "name", build: (v) => buildDropAgSql(v) },
    {
      builder: "buildCreateDistributedAgSql",
      field: "dagName",
      build: (v) => buildCreateDistributedAgSql({ ...dag, dagName: v }),
    },
    {
      builder: "buildCreateDistributedAgSql",
      field: "agName",
      build: (v) => buildCreateDistributedAgSql({ ...dag, agName: v }),
    },
    {
      builder: "buildCreateDistributedAgSql",
      field: "miAgName",
      build: (v) => buildCreateDistributedAgSql({ ...dag, miAgName: v }),
    },
    {
      builder: "buildSetDagAvailabilityModeSql",
      field: "dagName",
      build: (v) =>
        buildSetDagAvailabilityModeSql({ ...dag, dagName: v, availabilityMode: "SYNCHRONOUS_COMMIT" }),
    },
    {
      builder: "buildSetDagAvailabilityModeSql",
      field: "agName",
      build: (v) =>
        buildSetDagAvailabilityModeSql({ ...dag, agName: v, availabilityMode: "SYNCHRONOUS_COMMIT" }),
    },
    {
      builder: "buildSetDagAvailabilityModeSql",
      field: "miAgName",
      build: (v) =>
        buildSetDagAvailabilityModeSql({ ...dag, miAgName: v, availabilityMode: "SYNCHRONOUS_COMMIT" }),
    },
    { builder: "buildDagFailoverSql", field: "dagName", build: (v) => buildDagFailoverSql(v) },
    { builder: "buildForceFailoverSql", field: "dagName", build: (v) => buildForceFailoverSql(v) },
    {
      builder: "buildSetDagRoleSecondarySql",
      field: "dagName",
      build: (v) => buildSetDagRoleSecondarySql(v),
    },
  ];

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TsqlInputError);
    return (error as TsqlInputError).field;
  }
  return undefined;
}

describe("hostile inputs", () => {
  it("the scanner used here sees injected statements and comments", () => {
    expect(skeleton("DROP TABLE [t]; --x")).toEqual([
      "word:DROP",
      "word:TABLE",
      "ident",
      "symbol:;",
      "comment:--x",
    ]);
    expect(skeleton("N'a''b' [c]]d]")).toEqual(["string", "ident"]);
    expect(skeleton("N'a'b'")).not.toEqual(["string"]);
  });

  for (const testCase of CASES) {
    describe(`${testCase.builder} ${testCase.field}`, () => {
      it("keeps every hostile value inside one token, unchanged", () => {
        const expected = skeleton(testCase.build("harmless"));
        for (const value of HOSTILE) {
          const sql = testCase.build(value);
          expect(skeleton(sql), `${value} -> ${sql}`).toEqual(expected);
          const carriers = scan(sql).filter((token) => token.value === value);
          expect(carriers.length, `${value} -> ${sql}`).toBeGreaterThan(0);
          expect(carriers.every((token) => token.kind === "ident" || token.kind === "string")).toBe(true);
        }
      });

      it("refuses NUL and over-long names with an error naming the field", () => {
        expect(fieldOf(() => testCase.build("a\u0000b"))).toBe(testCase.field);
        if (
          testCase.field !== "password" &&
          testCase.field !== "subject" &&
          testCase.field !== "target.disk"
        ) {
          expect(fieldOf(() => testCase.build("n".repeat(129)))).toBe(testCase.field);
          expect(testCase.build("n".repeat(128))).toContain("n".repeat(128));
        }
        if (testCase.certificateName) {
          expect(fieldOf(() => testCase.build("HOST\\INSTANCE"))).toBe(testCase.field);
        }
      });
    });
  }
});
