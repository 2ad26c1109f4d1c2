/**
 * The shared working set of one instance: its state, clock, timings and the
 * lookups and permission checks every statement needs.
 */
import { randomUUID } from "node:crypto";
import type { ExecContext } from "./contract";
import { errors } from "./errors";
import type { HadrTimings } from "./options";
import type {
  AvailabilityGroupState,
  DatabaseSecurityState,
  DatabaseState,
  DistributedGroupState,
  GroupState,
  InstanceState,
  LoginState,
} from "./state";
import type { ProductInfo } from "./version";

export class ModelContext {
  constructor(
    public state: InstanceState,
    readonly timings: HadrTimings,
    readonly now: () => number,
    readonly product: ProductInfo,
  ) {}

  /** The collation caseSensitive() last answered for, and its answer. */
  private collationSeen?: string;
  private collationIsCaseSensitive = false;

  /** Whether the server collation is case-sensitive, re-derived only when the collation changes. */
  private caseSensitive(): boolean {
    const collation = this.state.collation;
    if (collation !== this.collationSeen) {
      this.collationIsCaseSensitive = /_CS_/i.test(collation);
      this.collationSeen = collation;
    }
    return this.collationIsCaseSensitive;
  }

  /** Object names compare case-insensitively unless the server collation is case-sensitive. */
  sameName(a: string, b: string): boolean {
    if (a === b) return true;
    return !this.caseSensitive() && a.toLowerCase() === b.toLowerCase();
  }

  /** A key two names share exactly when sameName holds for them (for indexing by name). */
  nameKey(name: string): string {
    return this.caseSensitive() ? name : name.toLowerCase();
  }

  login(name: string): LoginState | undefined {
    return this.state.logins.find((l) => this.sameName(l.name, name));
  }

  isSysadmin(login: string): boolean {
    return this.login(login)?.sysadmin ?? false;
  }

  database(name: string): DatabaseState | undefined {
    return this.state.databases.find((d) => this.sameName(d.name, name));
  }

  databaseById(id: number): DatabaseState | undefined {
    return this.state.databases.find((d) => d.id === id);
  }

  security(database: string): DatabaseSecurityState {
    const key = database.toLowerCase();
    let s = this.state.security[key];
    if (!s) {
      s = { certificates: [] };
      this.state.security[key] = s;
    }
    return s;
  }

  group(name: string): GroupState | undefined {
    return this.state.groups.find((g) => this.sameName(g.name, name));
  }

  availabilityGroup(name: string): AvailabilityGroupState | undefined {
    const g = this.group(name);
    return g?.kind === "AG" ? g : undefined;
  }

  distributedGroup(name: string): DistributedGroupState | undefined {
    const g = this.group(name);
    return g?.kind === "DAG" ? g : undefined;
  }

  /** The regular AG holding `database`, if any. */
  groupOfDatabase(database: string): AvailabilityGroupState | undefined {
    return this.state.groups.find(
      (g): g is AvailabilityGroupState =>
        g.kind === "AG" && g.databases.some((d) => this.sameName(d.name, database)),
    );
  }

  /** DDL needing a server-level permission (CREATE DATABASE, CREATE ENDPOINT, AG DDL): error 262. */
  requirePermission(ctx: ExecContext, statement: string): void {
    if (!this.isSysadmin(ctx.login)) throw errors.permissionDenied(statement, ctx.database);
  }

  /** Everything else sysadmin-only: error 15247. */
  requireSysadmin(ctx: ExecContext): void {
    if (!this.isSysadmin(ctx.login)) throw errors.noPermission();
  }

  newGuid(): string {
    return randomUUID().toUpperCase();
  }
}
