/**
 * Statements compared token by token, with a scanner that follows SQL Server's quoting rules.
 *
 * Hostile inputs: every caller-supplied text a builder quotes must leave the statement with
 * exactly the token structure it has for a harmless value (nothing injected), and come back out
 * of its single token unchanged; values that cannot be quoted safely (NUL, over-long names) are
 * refused with a TsqlInputError naming the field.
 *
 * Runbook parity: where the product mirrors a statement of Microsoft's "configure link with
 * scripts" runbook, the builder's output has the same tokens as the runbook's text with its
 * placeholders filled in (case, spacing, `N` prefixes, semicolons and variable names aside).
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
import { MICROSOFT_PKI_ROOT } from "../root-certificates";

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

/** Tokens with the differences that do not change meaning normalised away. */
function normalised(sql: string): string[] {
  return scan(sql)
    .filter((token) => token.kind !== "comment" && token.value !== ";")
    .map((token) => {
      if (token.kind === "string") return `s:${token.value}`;
      if (token.kind === "word" && token.value.startsWith("@")) return "@variable";
      if (token.kind === "word" || token.kind === "ident") return `w:${token.value.toUpperCase()}`;
      return `${token.kind}:${token.value.toUpperCase()}`;
    });
}

describe("parity with Microsoft's runbook", () => {
  const runbook: { statement: string; seed: string; built: () => string }[] = [
    {
      statement: "ALTER DATABASE ... SET RECOVERY FULL",
      seed: "ALTER DATABASE [Sales] SET RECOVERY FULL",
      built: () => buildSetRecoveryFullSql("Sales"),
    },
    {
      statement: "BACKUP DATABASE",
      seed: "BACKUP DATABASE [Sales] TO DISK = N'/var/opt/mssql/backup/Sales.bak'",
      built: () => buildFullBackupSql("Sales", { disk: "/var/opt/mssql/backup/Sales.bak" }),
    },
    {
      statement: "CREATE MASTER KEY",
      seed: "    CREATE MASTER KEY ENCRYPTION BY PASSWORD = 'Str0ng!Pass'",
      built: () => buildCreateMasterKeySql("Str0ng!Pass"),
    },
    {
      statement: "CREATE CERTIFICATE (endpoint certificate, as the runbook's dynamic SQL renders it)",
      seed:
        "CREATE CERTIFICATE [Cert_sqlserver1_endpoint] \r" +
        "    WITH SUBJECT = 'Certificate for Cert_sqlserver1_endpoint',\r" +
        "    EXPIRY_DATE = '20250330'\r",
      built: () =>
        buildCreateEndpointCertificateSql({
          name: "Cert_sqlserver1_endpoint",
          subject: "Certificate for Cert_sqlserver1_endpoint",
          expiryDate: "2025-03-30",
        }),
    },
    {
      statement: "CREATE CERTIFICATE ... FROM BINARY (root CA)",
      seed: `    CREATE CERTIFICATE [MicrosoftPKI] FROM BINARY = ${MICROSOFT_PKI_ROOT.blob}`,
      built: () => buildCreateCertificateFromBinarySql(MICROSOFT_PKI_ROOT.name, MICROSOFT_PKI_ROOT.blob),
    },
    {
      statement: "sp_certificate_add_issuer",
      seed:
        "    DECLARE @CERTID int\n" +
        "    SELECT @CERTID = CERT_ID('MicrosoftPKI')\n" +
        "    EXEC sp_certificate_add_issuer @CERTID, N'*.database.windows.net'",
      built: () => buildAddIssuerSql("MicrosoftPKI", "*.database.windows.net"),
    },
    {
      statement: "DROP CERTIFICATE",
      seed: "DROP CERTIFICATE [sqlmi1.73d19f36a420a.database.windows.net] ",
      built: () => buildDropCertificateSql("sqlmi1.73d19f36a420a.database.windows.net"),
    },
    {
      statement: "CREATE ENDPOINT",
      seed:
        "CREATE ENDPOINT database_mirroring_endpoint\n" +
        "    STATE=STARTED   \n" +
        "    AS TCP (LISTENER_PORT=5022, LISTENER_IP = ALL)\n" +
        "    FOR DATABASE_MIRRORING (\n" +
        "        ROLE=ALL,\n" +
        "        AUTHENTICATION = CERTIFICATE [Cert_sqlserver1_endpoint],\n" +
        "        ENCRYPTION = REQUIRED ALGORITHM AES\n" +
        "    )  ",
      built: () =>
        buildCreateMirroringEndpointSql({
          name: "database_mirroring_endpoint",
          port: 5022,
          certificateName: "Cert_sqlserver1_endpoint",
        }),
    },
    {
      statement: "ALTER ENDPOINT (keeping Windows authentication)",
      seed:
        "ALTER ENDPOINT [Hadr_endpoint]   \n" +
        "    STATE=STARTED   \n" +
        "    AS TCP (LISTENER_PORT=5022, LISTENER_IP = ALL)\n" +
        "    FOR DATABASE_MIRRORING (\n" +
        "        ROLE=ALL,\n" +
        "        AUTHENTICATION = WINDOWS NEGOTIATE CERTIFICATE [Cert_sqlserver1_endpoint],\n" +
        "        ENCRYPTION = REQUIRED ALGORITHM AES\n" +
        "    )",
      built: () =>
        buildAlterEndpointForLinkSql({
          name: "Hadr_endpoint",
          port: 5022,
          certificateName: "Cert_sqlserver1_endpoint",
          windowsAuth: true,
          algorithms: ["AES"],
        }),
    },
    {
      statement: "CREATE AVAILABILITY GROUP",
      seed:
        "CREATE AVAILABILITY GROUP [AG_Sales]\n" +
        "WITH (CLUSTER_TYPE = NONE) -- <- Delete this line for SQL Server 2016 only.\n" +
        "    FOR database [Sales]  \n" +
        "    REPLICA ON   \n" +
        "        N'SQLSERVER1' WITH   \n" +
        "            (  \n" +
        "            ENDPOINT_URL = 'TCP://10.0.0.4:5022',\n" +
        "            AVAILABILITY_MODE = SYNCHRONOUS_COMMIT,\n" +
        "            FAILOVER_MODE = MANUAL,\n" +
        "            SEEDING_MODE = AUTOMATIC\n" +
        "            );",
      built: () =>
        buildCreateAgSql({
          agName: "AG_Sales",
          database: "Sales",
          serverName: "SQLSERVER1",
          endpointUrl: "TCP://10.0.0.4:5022",
          version: "16.0.4125.3",
        }),
    },
    {
      statement: "CREATE AVAILABILITY GROUP ... WITH (DISTRIBUTED)",
      seed:
        "CREATE AVAILABILITY GROUP [DAG_Sales]\n" +
        "WITH (DISTRIBUTED) \n" +
        "    AVAILABILITY GROUP ON  \n" +
        "    N'AG_Sales' WITH \n" +
        "    (\n" +
        "      LISTENER_URL = 'TCP://10.0.0.4:5022',\n" +
        "      AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT,\n" +
        "      FAILOVER_MODE = MANUAL,\n" +
        "      SEEDING_MODE = AUTOMATIC,\n" +
        "      SESSION_TIMEOUT = 20\n" +
        "    ),\n" +
        "    N'AG_Sales_MI' WITH\n" +
        "    (\n" +
        "      LISTENER_URL = 'tcp://sqlmi1.73d19f36a420a.database.windows.net:5022;Server=[sqlmi1]',\n" +
        "      AVAILABILITY_MODE = ASYNCHRONOUS_COMMIT,\n" +
        "      FAILOVER_MODE = MANUAL,\n" +
        "      SEEDING_MODE = AUTOMATIC\n" +
        "    );",
      built: () =>
        buildCreateDistributedAgSql({
          dagName: "DAG_Sales",
          agName: "AG_Sales",
          miAgName: "AG_Sales_MI",
          sqlServerListenerUrl: "TCP://10.0.0.4:5022",
          miFqdn: "sqlmi1.73d19f36a420a.database.windows.net",
          miName: "sqlmi1",
          database: "Sales",
          initialPrimary: "SqlServer",
        }),
    },
    {
      statement: "ALTER AVAILABILITY GROUP ... MODIFY (failover preparation)",
      seed:
        "ALTER AVAILABILITY GROUP [DAG_Sales] MODIFY AVAILABILITY GROUP ON N'AG_Sales' WITH " +
        "(AVAILABILITY_MODE = SYNCHRONOUS_COMMIT), N'AG_Sales_MI' WITH (AVAILABILITY_MODE = SYNCHRONOUS_COMMIT)",
      built: () =>
        buildSetDagAvailabilityModeSql({
          dagName: "DAG_Sales",
          agName: "AG_Sales",
          miAgName: "AG_Sales_MI",
          availabilityMode: "SYNCHRONOUS_COMMIT",
        }),
    },
    {
      statement: "DROP AVAILABILITY GROUP",
      seed: "DROP AVAILABILITY GROUP DAG_Sales  ",
      built: () => buildDropAgSql("DAG_Sales"),
    },
  ];

  it("the normalisation keeps differences that matter", () => {
    expect(normalised("DROP AVAILABILITY GROUP [DAG_A]")).not.toEqual(
      normalised("DROP AVAILABILITY GROUP [DAG_B]"),
    );
    expect(normalised("SET RECOVERY FULL")).not.toEqual(normalised("SET RECOVERY SIMPLE"));
    expect(normalised("X = N'a'")).toEqual(normalised("x='a';"));
  });

  for (const { statement, seed, built } of runbook) {
    it(statement, () => {
      expect(normalised(built())).toEqual(normalised(seed));
    });
  }
});
