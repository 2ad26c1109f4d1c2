/** Database, backup, master key, certificate and endpoint DDL. Literals only, as SQL Server requires. */
import type { SqlValue } from "../types";
import type { EndpointSpec, WindowsAuth, EndpointAlgorithm } from "../model/contract";
import type { BackupTarget, Expr, Statement } from "./ast";
import { parseAlterAvailabilityGroup, parseCreateAvailabilityGroup } from "./parse-ag";
import { parseExpression } from "./parse-expression";
import type { TokenStream } from "./token-stream";

export function parseCreate(ts: TokenStream, line: number): Statement {
  ts.expectWord("CREATE");
  if (ts.acceptWord("DATABASE")) return { kind: "createDatabase", name: ts.identifier(), line };
  if (ts.acceptWord("MASTER", "KEY")) {
    ts.expectWord("ENCRYPTION", "BY", "PASSWORD");
    ts.expectSymbol("=");
    return { kind: "createMasterKey", password: ts.stringLiteral(), line };
  }
  if (ts.acceptWord("CERTIFICATE")) return parseCreateCertificate(ts, line);
  if (ts.acceptWord("ENDPOINT")) return { kind: "createEndpoint", spec: parseEndpoint(ts, true), line };
  if (ts.acceptWord("AVAILABILITY", "GROUP")) return parseCreateAvailabilityGroup(ts, line);
  throw ts.unexpected();
}

export function parseDrop(ts: TokenStream, line: number): Statement {
  ts.expectWord("DROP");
  if (ts.acceptWord("DATABASE")) {
    const names = [ts.identifier()];
    while (ts.acceptSymbol(",")) names.push(ts.identifier());
    return { kind: "dropDatabase", names, line };
  }
  if (ts.acceptWord("MASTER", "KEY")) return { kind: "dropMasterKey", line };
  if (ts.acceptWord("CERTIFICATE")) return { kind: "dropCertificate", name: ts.identifier(), line };
  if (ts.acceptWord("ENDPOINT")) return { kind: "dropEndpoint", name: ts.identifier(), line };
  if (ts.acceptWord("AVAILABILITY", "GROUP"))
    return { kind: "dropAvailabilityGroup", name: ts.identifier(), line };
  throw ts.unexpected();
}

export function parseAlter(ts: TokenStream, line: number): Statement {
  ts.expectWord("ALTER");
  if (ts.acceptWord("DATABASE")) {
    const database = ts.identifier();
    ts.expectWord("SET", "RECOVERY");
    const model = ts.expectChoice(["FULL", "SIMPLE", "BULK_LOGGED"] as const);
    if (ts.acceptWord("WITH")) {
      if (!ts.acceptWord("NO_WAIT") && !ts.acceptWord("ROLLBACK", "IMMEDIATE")) throw ts.unexpected();
    }
    return { kind: "setRecovery", database, model, line };
  }
  if (ts.acceptWord("ENDPOINT")) return { kind: "alterEndpoint", spec: parseEndpoint(ts, false), line };
  if (ts.acceptWord("AVAILABILITY", "GROUP")) return parseAlterAvailabilityGroup(ts, line);
  throw ts.unexpected();
}

/** BACKUP DATABASE|LOG d TO DISK|URL = path [WITH option [= value], ...] */
export function parseBackup(ts: TokenStream, line: number): Statement {
  ts.expectWord("BACKUP");
  const type = ts.expectChoice(["DATABASE", "LOG"] as const);
  const database = ts.identifier();
  ts.expectWord("TO");
  const kind = ts.expectChoice(["DISK", "URL"] as const);
  ts.expectSymbol("=");
  const target: BackupTarget = { kind, path: parseStringOrVariable(ts) };
  const options: Record<string, SqlValue | true> = {};
  if (ts.acceptWord("WITH")) {
    do {
      const name = ts.next();
      if (name.kind !== "word") throw ts.unexpected(name);
      options[name.value] = ts.acceptSymbol("=") ? literalValue(ts) : true;
    } while (ts.acceptSymbol(","));
  }
  return { kind: "backup", type, database, target, options, line };
}

function parseStringOrVariable(ts: TokenStream): Expr {
  const token = ts.peek();
  if (token.kind !== "string" && token.kind !== "variable") throw ts.unexpected();
  return parseExpression(ts);
}

/** A literal option value: string, integer, or a bare word (upper-cased). */
export function literalValue(ts: TokenStream): SqlValue {
  const token = ts.next();
  switch (token.kind) {
    case "string":
      return token.value;
    case "number":
      return Number(token.text);
    case "word":
      return token.value;
    default:
      throw ts.unexpected(token);
  }
}

function parseCreateCertificate(ts: TokenStream, line: number): Statement {
  const name = ts.identifier();
  const spec: { name: string } & Record<string, unknown> = { name };
  if (ts.acceptWord("FROM")) {
    ts.expectWord("BINARY");
    ts.expectSymbol("=");
    const token = ts.next();
    if (token.kind !== "binary") throw ts.unexpected(token);
    spec.fromBinary = token.binary;
  }
  if (ts.acceptWord("ENCRYPTION", "BY", "PASSWORD")) {
    ts.expectSymbol("=");
    spec.encryptionPassword = ts.stringLiteral();
  }
  if (ts.acceptWord("WITH")) {
    do {
      const option = ts.expectChoice(["SUBJECT", "START_DATE", "EXPIRY_DATE"] as const);
      ts.expectSymbol("=");
      const value = ts.stringLiteral();
      if (option === "SUBJECT") spec.subject = value;
      else if (option === "START_DATE") spec.startDate = value;
      else spec.expiryDate = value;
    } while (ts.acceptSymbol(","));
  } else if (!spec.fromBinary) throw ts.unexpected();
  return { kind: "createCertificate", spec, line };
}

/** [STATE = s] [AS TCP (...)] [FOR DATABASE_MIRRORING (...)]; CREATE requires the last two. */
function parseEndpoint(ts: TokenStream, create: boolean): EndpointSpec {
  const spec: EndpointSpec = { name: ts.identifier() };
  if (ts.acceptWord("STATE")) {
    ts.expectSymbol("=");
    spec.state = ts.expectChoice(["STARTED", "STOPPED", "DISABLED"] as const);
  }
  if (ts.acceptWord("AS")) {
    ts.expectWord("TCP");
    parseTcpOptions(ts, spec);
  } else if (create) throw ts.unexpected();
  if (ts.acceptWord("FOR")) {
    ts.expectWord("DATABASE_MIRRORING");
    parseMirroringOptions(ts, spec);
  } else if (create) throw ts.unexpected();
  return spec;
}

function parseTcpOptions(ts: TokenStream, spec: EndpointSpec): void {
  ts.expectSymbol("(");
  do {
    const option = ts.expectChoice(["LISTENER_PORT", "LISTENER_IP"] as const);
    ts.expectSymbol("=");
    if (option === "LISTENER_PORT") spec.port = ts.integerLiteral();
    else if (ts.acceptWord("ALL")) spec.listenerIp = "ALL";
    else {
      ts.expectSymbol("(");
      let address = "";
      while (!ts.isSymbol(")") && !ts.atEnd()) address += ts.next().text;
      ts.expectSymbol(")");
      spec.listenerIp = address;
    }
  } while (ts.acceptSymbol(","));
  ts.expectSymbol(")");
}

const WINDOWS_METHODS = ["NTLM", "KERBEROS", "NEGOTIATE"] as const;

function parseMirroringOptions(ts: TokenStream, spec: EndpointSpec): void {
  ts.expectSymbol("(");
  do {
    const option = ts.expectChoice(["ROLE", "AUTHENTICATION", "ENCRYPTION"] as const);
    ts.expectSymbol("=");
    if (option === "ROLE") spec.role = ts.expectChoice(["ALL", "PARTNER", "WITNESS", "NONE"] as const);
    else if (option === "AUTHENTICATION") spec.authentication = parseAuthentication(ts);
    else spec.encryption = parseEncryption(ts);
  } while (ts.acceptSymbol(","));
  ts.expectSymbol(")");
}

function parseAuthentication(ts: TokenStream): NonNullable<EndpointSpec["authentication"]> {
  let windows: WindowsAuth | undefined;
  let certificate: string | undefined;
  const parseWindows = () => {
    windows =
      ts.isWord("NTLM") || ts.isWord("KERBEROS") || ts.isWord("NEGOTIATE")
        ? ts.expectChoice(WINDOWS_METHODS)
        : "NEGOTIATE";
  };
  if (ts.acceptWord("CERTIFICATE")) {
    certificate = ts.identifier();
    if (ts.acceptWord("WINDOWS")) parseWindows();
    return { windows, certificate, certificateFirst: true };
  }
  ts.expectWord("WINDOWS");
  parseWindows();
  if (ts.acceptWord("CERTIFICATE")) certificate = ts.identifier();
  return { windows, certificate, certificateFirst: false };
}

function parseEncryption(ts: TokenStream): NonNullable<EndpointSpec["encryption"]> {
  const mode = ts.expectChoice(["DISABLED", "SUPPORTED", "REQUIRED"] as const);
  if (mode === "DISABLED") return { mode, algorithms: [] };
  // CREATE ENDPOINT documents RC4 as the default algorithm.
  if (!ts.acceptWord("ALGORITHM")) return { mode, algorithms: ["RC4"] };
  const algorithms: EndpointAlgorithm[] = [ts.expectChoice(["AES", "RC4"] as const)];
  if (ts.isWord("AES") || ts.isWord("RC4")) algorithms.push(ts.expectChoice(["AES", "RC4"] as const));
  return { mode, algorithms };
}
