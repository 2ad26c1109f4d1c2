/** Server-level DDL mapped to model calls, after SQL Server's rules for statements inside a transaction. */
import { SqlError } from "../types";
import type { Statement } from "./ast";
import { evaluate } from "./evaluate";
import { execContext, type Runtime } from "./runtime";
import { toText } from "./values";

type DdlStatement = Extract<
  Statement,
  {
    kind:
      | "createDatabase"
      | "dropDatabase"
      | "setRecovery"
      | "backup"
      | "createMasterKey"
      | "dropMasterKey"
      | "createCertificate"
      | "dropCertificate"
      | "createEndpoint"
      | "alterEndpoint"
      | "dropEndpoint"
      | "createAvailabilityGroup"
      | "createDistributedAvailabilityGroup"
      | "alterAvailabilityGroup"
      | "dropAvailabilityGroup";
  }
>;

const DDL_KINDS = new Set<string>([
  "createDatabase",
  "dropDatabase",
  "setRecovery",
  "backup",
  "createMasterKey",
  "dropMasterKey",
  "createCertificate",
  "dropCertificate",
  "createEndpoint",
  "alterEndpoint",
  "dropEndpoint",
  "createAvailabilityGroup",
  "createDistributedAvailabilityGroup",
  "alterAvailabilityGroup",
  "dropAvailabilityGroup",
]);

export function isDdl(statement: Statement): statement is DdlStatement {
  return DDL_KINDS.has(statement.kind);
}

/** The statement's name in "not allowed within a transaction" messages. */
function statementName(statement: DdlStatement): string | undefined {
  switch (statement.kind) {
    case "createDatabase":
      return "CREATE DATABASE";
    case "dropDatabase":
      return "DROP DATABASE";
    case "setRecovery":
      return "ALTER DATABASE";
    case "createEndpoint":
      return "CREATE ENDPOINT";
    case "alterEndpoint":
      return "ALTER ENDPOINT";
    case "dropEndpoint":
      return "DROP ENDPOINT";
    case "createAvailabilityGroup":
    case "createDistributedAvailabilityGroup":
      return "CREATE AVAILABILITY GROUP";
    case "alterAvailabilityGroup":
      return "ALTER AVAILABILITY GROUP";
    case "dropAvailabilityGroup":
      return "DROP AVAILABILITY GROUP";
    default:
      return undefined;
  }
}

function refuseInTransaction(statement: DdlStatement, rt: Runtime): void {
  if (rt.session.tranCount === 0) return;
  const name = statementName(statement);
  if (statement.kind === "createDatabase" || statement.kind === "setRecovery") {
    throw new SqlError(226, `${name} statement not allowed within multi-statement transaction.`);
  }
  if (name) throw new SqlError(574, `${name} statement cannot be used inside a user transaction.`);
}

export function executeDdl(statement: DdlStatement, rt: Runtime): void {
  if (statement.kind === "backup") {
    executeBackup(statement, rt);
    return;
  }
  refuseInTransaction(statement, rt);
  const model = rt.model;
  const ctx = execContext(rt);
  switch (statement.kind) {
    case "createDatabase":
      return model.createDatabase(ctx, statement.name);
    case "dropDatabase":
      for (const name of statement.names) model.dropDatabase(ctx, name);
      return;
    case "setRecovery":
      return model.setRecoveryModel(ctx, statement.database, statement.model);
    case "createMasterKey":
      return model.createMasterKey(ctx, statement.password);
    case "dropMasterKey":
      return model.dropMasterKey(ctx);
    case "createCertificate":
      return model.createCertificate(ctx, statement.spec);
    case "dropCertificate":
      return model.dropCertificate(ctx, statement.name);
    case "createEndpoint":
      return model.createEndpoint(ctx, statement.spec);
    case "alterEndpoint":
      return model.alterEndpoint(ctx, statement.spec);
    case "dropEndpoint":
      return model.dropEndpoint(ctx, statement.name);
    case "createAvailabilityGroup":
      return model.createAvailabilityGroup(ctx, statement.spec);
    case "createDistributedAvailabilityGroup":
      return model.createDistributedAvailabilityGroup(ctx, statement.spec);
    case "alterAvailabilityGroup":
      return model.alterAvailabilityGroup(ctx, statement.name, statement.action);
    case "dropAvailabilityGroup":
      return model.dropAvailabilityGroup(ctx, statement.name);
  }
}

/** A failed BACKUP reports its own error, then 3013 "... is terminating abnormally." */
function executeBackup(statement: Extract<Statement, { kind: "backup" }>, rt: Runtime): void {
  const terminating = new SqlError(3013, `BACKUP ${statement.type} is terminating abnormally.`);
  const fail = (error: unknown) => {
    if (error instanceof SqlError && error.number !== 3013) {
      // Inside TRY only the last error (3013) reaches CATCH, as in SQL Server.
      if (rt.tryScopes.length === 0)
        rt.events.push({
          kind: "error",
          message: {
            number: error.number,
            state: error.state,
            severity: error.severity,
            message: error.message,
            lineNumber: statement.line,
          },
        });
      return terminating;
    }
    return error;
  };
  if (rt.session.tranCount > 0) {
    throw fail(new SqlError(3021, "Cannot perform a backup or restore operation within a transaction."));
  }
  try {
    const path = evaluate(statement.target.path, rt);
    rt.model.backup(execContext(rt), {
      database: statement.database,
      type: statement.type,
      target: { kind: statement.target.kind, path: path === null ? "" : toText(path) },
      copyOnly: statement.options.COPY_ONLY === true,
      options: Object.fromEntries(Object.entries(statement.options).filter(([name]) => name !== "COPY_ONLY")),
    });
  } catch (error) {
    throw fail(error);
  }
}
