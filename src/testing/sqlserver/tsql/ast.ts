/** The typed syntax tree of a T-SQL batch. */
import type { SqlType, SqlValue } from "../types";
import type {
  AlterAvailabilityGroupAction,
  CreateAvailabilityGroupSpec,
  CreateCertificateSpec,
  CreateDistributedAvailabilityGroupSpec,
  EndpointSpec,
  RecoveryModel,
} from "../model/contract";

/** A declared or CAST target type, with the name as written (for messages). */
export interface TypeRef {
  name: string;
  type: SqlType;
  /** varchar/char/text: values are stored in the collation's code page (see code-page.ts). */
  nonUnicode?: boolean;
}

export type Expr =
  | { kind: "literal"; value: SqlValue; type: SqlType }
  | { kind: "variable"; name: string; line: number }
  | { kind: "globalVariable"; name: string }
  /** `parts` is the multi-part name as written, e.g. ["r", "replica_id"]. */
  | { kind: "column"; parts: string[] }
  | { kind: "binary"; op: BinaryOp; left: Expr; right: Expr }
  | { kind: "negate"; operand: Expr }
  | { kind: "not"; operand: Expr }
  | { kind: "like"; operand: Expr; pattern: Expr; negated: boolean }
  /** `subquery`: the list is the single column of list[0] (a subquery), IN (SELECT ...). */
  | { kind: "in"; operand: Expr; list: Expr[]; negated: boolean; subquery?: boolean }
  | { kind: "isNull"; operand: Expr; negated: boolean }
  | { kind: "between"; operand: Expr; low: Expr; high: Expr; negated: boolean }
  | { kind: "exists"; query: SelectStatement }
  | { kind: "subquery"; query: SelectStatement }
  | { kind: "case"; operand?: Expr; whens: Array<{ when: Expr; then: Expr }>; otherwise?: Expr }
  | { kind: "cast"; operand: Expr; target: TypeRef; style?: Expr }
  /** A built-in function; `star` for COUNT(*). `name` upper-cased. */
  | { kind: "call"; name: string; args: Expr[]; star?: boolean };

export type BinaryOp = "+" | "-" | "*" | "/" | "%" | "=" | "<>" | "<" | ">" | "<=" | ">=" | "AND" | "OR";

export type SelectItem =
  | { kind: "star"; qualifier?: string }
  | { kind: "expr"; expr: Expr; alias?: string }
  | { kind: "assign"; variable: string; expr: Expr };

export interface TableSource {
  /** Name parts as written (unquoted), e.g. ["master", "sys", "certificates"]. */
  parts: string[];
  alias?: string;
}

export interface Join {
  type: "INNER" | "LEFT";
  source: TableSource;
  on: Expr;
}

export interface OrderItem {
  expr: Expr;
  descending: boolean;
}

export interface SelectStatement {
  kind: "select";
  line: number;
  distinct: boolean;
  top?: Expr;
  items: SelectItem[];
  from?: TableSource;
  joins: Join[];
  where?: Expr;
  groupBy: Expr[];
  having?: Expr;
  orderBy: OrderItem[];
}

export interface ProcArg {
  /** "@name" or "" when positional. */
  name: string;
  value: Expr;
}

export type BackupTarget = { kind: "DISK" | "URL"; path: Expr };

export type Statement = { line: number } & (
  | SelectStatement
  | { kind: "use"; database: string }
  | { kind: "declare"; variables: Array<{ name: string; type: TypeRef; init?: Expr }> }
  | { kind: "setVariable"; name: string; value: Expr }
  | { kind: "setOption"; option: string; value: string }
  | { kind: "if"; condition: Expr; then: Statement; otherwise?: Statement }
  | { kind: "block"; body: Statement[] }
  | { kind: "while"; condition: Expr; body: Statement }
  | { kind: "break" }
  | { kind: "continue" }
  | { kind: "tryCatch"; body: Statement[]; handler: Statement[] }
  /** THROW without arguments: re-raises the error being handled (CATCH only). */
  | { kind: "rethrow" }
  | { kind: "print"; value: Expr }
  | { kind: "exec"; procedure: string; database?: string; args: ProcArg[]; returnStatus?: string }
  | { kind: "execString"; value: Expr }
  | { kind: "raiserror"; message: Expr; severity: Expr; state: Expr; args: Expr[] }
  | { kind: "throw"; number: Expr; message: Expr; state: Expr }
  | { kind: "waitfor"; delay: Expr }
  | { kind: "return" }
  | { kind: "beginTransaction" }
  | { kind: "commit" }
  | { kind: "rollback" }
  | { kind: "createDatabase"; name: string }
  | { kind: "dropDatabase"; names: string[] }
  | { kind: "setRecovery"; database: string; model: RecoveryModel }
  | {
      kind: "backup";
      type: "DATABASE" | "LOG";
      database: string;
      target: BackupTarget;
      options: Record<string, SqlValue | true>;
    }
  | { kind: "createMasterKey"; password: string }
  | { kind: "dropMasterKey" }
  | { kind: "createCertificate"; spec: CreateCertificateSpec }
  | { kind: "dropCertificate"; name: string }
  | { kind: "createEndpoint"; spec: EndpointSpec }
  | { kind: "alterEndpoint"; spec: EndpointSpec }
  | { kind: "dropEndpoint"; name: string }
  | { kind: "createAvailabilityGroup"; spec: CreateAvailabilityGroupSpec }
  | { kind: "createDistributedAvailabilityGroup"; spec: CreateDistributedAvailabilityGroupSpec }
  | { kind: "alterAvailabilityGroup"; name: string; action: AlterAvailabilityGroupAction }
  | { kind: "dropAvailabilityGroup"; name: string }
);

export type StatementKind = Statement["kind"];
