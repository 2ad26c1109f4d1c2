/** Availability group DDL (regular and distributed). No variables or expressions: literals only. */
import type { SqlValue } from "../types";
import type {
  AlterAvailabilityGroupAction,
  AvailabilityMode,
  DistributedMemberSpec,
  FailoverMode,
  ReplicaSpec,
  SeedingMode,
} from "../model/contract";
import type { Statement } from "./ast";
import { literalValue } from "./parse-ddl";
import type { TokenStream } from "./token-stream";

const AVAILABILITY_MODES = ["SYNCHRONOUS_COMMIT", "ASYNCHRONOUS_COMMIT", "CONFIGURATION_ONLY"] as const;
const FAILOVER_MODES = ["MANUAL", "AUTOMATIC", "EXTERNAL"] as const;
const SEEDING_MODES = ["AUTOMATIC", "MANUAL"] as const;
const CLUSTER_TYPES = ["WSFC", "EXTERNAL", "NONE"] as const;

interface MemberOptions {
  endpointUrl?: string;
  listenerUrl?: string;
  availabilityMode?: AvailabilityMode;
  failoverMode?: FailoverMode;
  seedingMode?: SeedingMode;
  sessionTimeout?: number;
}

export function parseCreateAvailabilityGroup(ts: TokenStream, line: number): Statement {
  const name = ts.identifier();
  const options: Record<string, SqlValue | true> = {};
  let clusterType: "WSFC" | "EXTERNAL" | "NONE" | undefined;
  if (ts.acceptWord("WITH")) {
    ts.expectSymbol("(");
    do {
      const option = ts.next();
      if (option.kind !== "word") throw ts.unexpected(option);
      if (option.value === "CLUSTER_TYPE") {
        ts.expectSymbol("=");
        clusterType = ts.expectChoice(CLUSTER_TYPES);
      } else options[option.value] = ts.acceptSymbol("=") ? literalValue(ts) : true;
    } while (ts.acceptSymbol(","));
    ts.expectSymbol(")");
  }
  if (options.DISTRIBUTED === true) {
    ts.expectWord("AVAILABILITY", "GROUP", "ON");
    const members = parseMemberList(ts).map((m) => toDistributedMember(ts, m));
    return { kind: "createDistributedAvailabilityGroup", spec: { name, members }, line };
  }
  ts.expectWord("FOR");
  const databases: string[] = [];
  if (ts.acceptWord("DATABASE")) {
    databases.push(ts.identifier());
    while (ts.acceptSymbol(",")) databases.push(ts.identifier());
  }
  ts.expectWord("REPLICA", "ON");
  const replicas: ReplicaSpec[] = [];
  do {
    const serverName = ts.stringLiteral();
    ts.expectWord("WITH");
    const member = parseMemberOptions(ts);
    if (!member.endpointUrl || !member.availabilityMode || !member.failoverMode) throw ts.unexpected();
    replicas.push({
      serverName,
      endpointUrl: member.endpointUrl,
      availabilityMode: member.availabilityMode,
      failoverMode: member.failoverMode,
      seedingMode: member.seedingMode,
      sessionTimeout: member.sessionTimeout,
    });
  } while (ts.acceptSymbol(","));
  return {
    kind: "createAvailabilityGroup",
    spec: { name, clusterType, options, databases, replicas },
    line,
  };
}

export function parseAlterAvailabilityGroup(ts: TokenStream, line: number): Statement {
  const name = ts.identifier();
  const action = parseAlterAction(ts);
  return { kind: "alterAvailabilityGroup", name, action, line };
}

function parseAlterAction(ts: TokenStream): AlterAvailabilityGroupAction {
  if (ts.acceptWord("SET")) {
    ts.expectSymbol("(");
    ts.expectWord("ROLE");
    ts.expectSymbol("=");
    ts.expectWord("SECONDARY");
    ts.expectSymbol(")");
    return { kind: "setRole", role: "SECONDARY" };
  }
  if (ts.acceptWord("MODIFY", "AVAILABILITY", "GROUP", "ON")) {
    const members = parseMemberList(ts).map(({ agName, options }) => ({
      agName,
      availabilityMode: options.availabilityMode,
      failoverMode: options.failoverMode,
      seedingMode: options.seedingMode,
      listenerUrl: options.listenerUrl,
      sessionTimeout: options.sessionTimeout,
    }));
    return { kind: "modifyDistributedMembers", members };
  }
  if (ts.acceptWord("MODIFY", "REPLICA", "ON")) {
    const serverName = ts.stringLiteral();
    ts.expectWord("WITH");
    const { listenerUrl: _ignored, ...changes } = parseMemberOptions(ts);
    return { kind: "modifyReplica", serverName, changes: dropUndefined(changes) };
  }
  if (ts.acceptWord("FAILOVER")) return { kind: "failover" };
  if (ts.acceptWord("FORCE_FAILOVER_ALLOW_DATA_LOSS")) return { kind: "forceFailoverAllowDataLoss" };
  if (ts.acceptWord("GRANT", "CREATE", "ANY", "DATABASE")) return { kind: "grantCreateAnyDatabase" };
  if (ts.acceptWord("ADD", "DATABASE")) return { kind: "addDatabase", database: ts.identifier() };
  if (ts.acceptWord("REMOVE", "DATABASE")) return { kind: "removeDatabase", database: ts.identifier() };
  throw ts.unexpected();
}

function parseMemberList(ts: TokenStream): Array<{ agName: string; options: MemberOptions }> {
  const members: Array<{ agName: string; options: MemberOptions }> = [];
  do {
    const agName = ts.stringLiteral();
    ts.expectWord("WITH");
    members.push({ agName, options: parseMemberOptions(ts) });
  } while (ts.acceptSymbol(","));
  return members;
}

function toDistributedMember(
  ts: TokenStream,
  member: { agName: string; options: MemberOptions },
): DistributedMemberSpec {
  const { listenerUrl, availabilityMode, failoverMode, seedingMode, sessionTimeout } = member.options;
  if (!listenerUrl || !availabilityMode || !failoverMode || !seedingMode) throw ts.unexpected();
  return { agName: member.agName, listenerUrl, availabilityMode, failoverMode, seedingMode, sessionTimeout };
}

/** ( ENDPOINT_URL | LISTENER_URL = '..', AVAILABILITY_MODE = .., FAILOVER_MODE = .., SEEDING_MODE = .., ... ) */
function parseMemberOptions(ts: TokenStream): MemberOptions {
  const options: MemberOptions = {};
  ts.expectSymbol("(");
  do {
    const option = ts.next();
    if (option.kind !== "word") throw ts.unexpected(option);
    if (option.value === "PRIMARY_ROLE" || option.value === "SECONDARY_ROLE") {
      skipParenthesized(ts);
      continue;
    }
    ts.expectSymbol("=");
    switch (option.value) {
      case "ENDPOINT_URL":
        options.endpointUrl = ts.stringLiteral();
        break;
      case "LISTENER_URL":
        options.listenerUrl = ts.stringLiteral();
        break;
      case "AVAILABILITY_MODE":
        options.availabilityMode = ts.expectChoice(AVAILABILITY_MODES);
        break;
      case "FAILOVER_MODE":
        options.failoverMode = ts.expectChoice(FAILOVER_MODES);
        break;
      case "SEEDING_MODE":
        options.seedingMode = ts.expectChoice(SEEDING_MODES);
        break;
      case "SESSION_TIMEOUT":
        options.sessionTimeout = ts.integerLiteral();
        break;
      case "BACKUP_PRIORITY":
        ts.integerLiteral();
        break;
      default:
        throw ts.unexpected(option);
    }
  } while (ts.acceptSymbol(","));
  ts.expectSymbol(")");
  return options;
}

function skipParenthesized(ts: TokenStream): void {
  ts.expectSymbol("(");
  let depth = 1;
  while (depth > 0) {
    if (ts.atEnd()) throw ts.unexpected();
    const token = ts.next();
    if (token.kind === "symbol" && token.value === "(") depth++;
    if (token.kind === "symbol" && token.value === ")") depth--;
  }
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
