/**
 * One emulated SQL Server instance: the InstanceModel the T-SQL interpreter
 * drives, the SqlServerPartner the emulated managed instance drives, change
 * events, test controls, and state save/restore.
 */
import { EventEmitter } from "node:events";
import type { SqlValue } from "../types";
import { alterAvailabilityGroup } from "./alter-availability-group";
import {
  checkAgDdl,
  createAvailabilityGroup,
  createDistributedAvailabilityGroup,
  dropAvailabilityGroup,
} from "./availability-groups";
import { catalogTable } from "./catalog";
import { ModelContext } from "./context";
import type {
  AlterAvailabilityGroupAction,
  BackupSpec,
  CatalogTable,
  CreateAvailabilityGroupSpec,
  CreateCertificateSpec,
  CreateDistributedAvailabilityGroupSpec,
  EndpointSpec,
  ExecContext,
  InstanceModel,
  ProcedureArgument,
  ProcedureResult,
  RecoveryModel,
} from "./contract";
import * as databases from "./databases";
import { alterEndpoint, createEndpoint, dropEndpoint } from "./endpoints";
import { advance, nextDeadline } from "./hadr-clock";
import { linkView, localDatabase } from "./hadr-status";
import { DEFAULT_TIMINGS, initialState, type InstanceOptions } from "./options";
import type { SqlServerPartner } from "./partner";
import { executeProcedure } from "./procedures";
import * as security from "./security";
import { ModelPartner } from "./sqlserver-partner";
import { STATE_FORMAT, type InstanceState } from "./state";
import { engineEdition, parseProductVersion, versionString } from "./version";

/**
 * What changed: a statement ran, the MI acted on a link ("remote"), a link's phase moved
 * ("link", detail "<connected>/<seeding>/<synchronization>"), roles changed ("role", detail
 * "<SQL Server role>/<MI role>"), or a test control was used.
 */
export interface InstanceChange {
  kind: "statement" | "remote" | "link" | "role" | "control";
  /** The object concerned (database, availability group, ...). */
  object?: string;
  detail: string;
}

interface LinkSnapshot {
  roles: string;
  phase: string;
}

export class SqlServerInstance extends EventEmitter implements InstanceModel {
  readonly partner: SqlServerPartner;
  private readonly m: ModelContext;
  private timer: NodeJS.Timeout | undefined;
  private snapshot = new Map<string, LinkSnapshot>();
  private disposed = false;

  constructor(options: InstanceOptions = {}) {
    super();
    const now = options.now ?? Date.now;
    const state = options.state ? restore(options.state) : initialState(options, now());
    const timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.m = new ModelContext(state, timings, now, parseProductVersion(state.productVersion));
    this.partner = new ModelPartner(this.m, (detail, dag) =>
      this.changed({ kind: "remote", object: dag, detail }),
    );
    this.snapshot = this.takeSnapshot();
    this.schedule();
  }

  // ---- lifecycle, state and test controls

  /** A JSON-serializable copy of the whole instance (certificate keys included). */
  saveState(): InstanceState {
    advance(this.m);
    return JSON.parse(JSON.stringify(this.m.state)) as InstanceState;
  }

  /** Stops the HADR timer; the instance stays readable. */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Test control: the link's secondary stops (true) or resumes (false) hardening log. */
  holdSecondary(dagName: string, held: boolean): void {
    const dag = this.requireDag(dagName);
    dag.link.held = held;
    if (!held) dag.link.syncClockStart = this.m.now();
    this.changed({
      kind: "control",
      object: dag.name,
      detail: held ? "secondary held" : "secondary released",
    });
  }

  /** Test control: used log space of a database, in percent (sys.dm_db_log_space_usage, log_reuse_wait_desc). */
  setLogUsePercent(database: string, percent: number): void {
    const db = this.requireDatabase(database);
    db.logUsePercent = Math.max(0, Math.min(100, percent));
    this.changed({ kind: "control", object: db.name, detail: `log use ${db.logUsePercent}%` });
  }

  /**
   * Test control: the emulated workload writing to a database's log every lsnTickMs (default on for
   * user databases), on SQL Server, on the managed instance's copy (when it is a link's primary), or both.
   */
  setWorkload(
    database: string,
    running: boolean,
    side: "both" | "sqlServer" | "managedInstance" = "both",
  ): void {
    const db = this.requireDatabase(database);
    if (side !== "managedInstance") db.workload = running;
    for (const g of this.m.state.groups) {
      if (side !== "sqlServer" && g.kind === "DAG" && localDatabase(this.m, g) === db)
        g.link.remoteWorkload = running;
    }
    this.changed({
      kind: "control",
      object: db.name,
      detail: `workload ${running ? "started" : "stopped"} (${side})`,
    });
  }

  /** The HADR timings in use. */
  timings(): Readonly<typeof DEFAULT_TIMINGS> {
    return this.m.timings;
  }

  // ---- identity and functions

  serverName(): string {
    return this.m.state.serverName;
  }

  versionString(): string {
    return versionString(this.m.product, this.m.state.edition);
  }

  serverProperty(name: string): SqlValue {
    const s = this.m.state;
    const p = this.m.product;
    const [machine, instance] = s.serverName.split("\\");
    const properties: Record<string, SqlValue> = {
      productversion: s.productVersion,
      productmajorversion: String(p.major),
      productminorversion: String(p.minor),
      productbuild: String(p.build),
      productlevel: p.level,
      productupdatelevel: p.updateLevel,
      productupdatereference: null,
      edition: s.edition,
      engineedition: engineEdition(s.edition),
      ishadrenabled: s.hadrEnabled ? 1 : 0,
      hadrmanagerstatus: s.hadrEnabled ? 1 : 2,
      collation: s.collation,
      servername: s.serverName,
      machinename: machine,
      instancename: instance ?? null,
      isclustered: 0,
      isintegratedsecurityonly: 0,
      issingleuser: 0,
      isfulltextinstalled: 0,
      processid: process.pid,
    };
    const value = properties[name.toLowerCase()];
    return value === undefined ? null : value;
  }

  databaseId(name: string): number | null {
    return this.m.database(name)?.id ?? null;
  }

  databaseName(id: number): string | null {
    return this.m.databaseById(id)?.name ?? null;
  }

  certificateId(name: string): number | null {
    return security.findCertificate(this.m, "master", name)?.id ?? null;
  }

  certificateEncoded(id: number): Buffer | null {
    const cert = security.certificateById(this.m, "master", id);
    return cert ? Buffer.from(cert.derHex, "hex") : null;
  }

  canUseDatabase(login: string, database: string): void {
    databases.canUseDatabase(this.m, login, database);
  }

  // ---- logins

  /**
   * Test control: what `ALTER LOGIN [name] WITH PASSWORD = N'...'` does to an existing login (a password
   * rotation). Connections already open stay open, as on SQL Server; new logins need the new password.
   */
  setLoginPassword(name: string, password: string): void {
    const login = this.m.login(name);
    if (!login) throw new Error(`no login ${name}`);
    login.password = password;
  }

  authenticate(user: string, password: string): boolean {
    const login = this.m.login(user);
    return login !== undefined && login.password === password;
  }

  isSysadmin(login: string): boolean {
    return this.m.isSysadmin(login);
  }

  defaultDatabase(login: string): string {
    return this.m.login(login)?.defaultDatabase ?? "master";
  }

  // ---- catalog

  catalogTable(name: string, ctx: ExecContext): CatalogTable | undefined {
    advance(this.m);
    return catalogTable(this.m, name, ctx);
  }

  // ---- statements

  createDatabase(ctx: ExecContext, name: string): void {
    this.run(name, "CREATE DATABASE", () => databases.createDatabase(this.m, ctx, name));
  }

  dropDatabase(ctx: ExecContext, name: string): void {
    this.run(name, "DROP DATABASE", () => databases.dropDatabase(this.m, ctx, name));
  }

  setRecoveryModel(ctx: ExecContext, database: string, model: RecoveryModel): void {
    this.run(database, `SET RECOVERY ${model}`, () =>
      databases.setRecoveryModel(this.m, ctx, database, model),
    );
  }

  backup(ctx: ExecContext, spec: BackupSpec): void {
    this.run(spec.database, `BACKUP ${spec.type}`, () =>
      databases.backup(this.m, ctx, spec, (db) => this.replicaLagging(db)),
    );
  }

  createMasterKey(ctx: ExecContext, password: string): void {
    this.run(ctx.database, "CREATE MASTER KEY", () => security.createMasterKey(this.m, ctx, password));
  }

  dropMasterKey(ctx: ExecContext): void {
    this.run(ctx.database, "DROP MASTER KEY", () => security.dropMasterKey(this.m, ctx));
  }

  createCertificate(ctx: ExecContext, spec: CreateCertificateSpec): void {
    this.run(spec.name, "CREATE CERTIFICATE", () => security.createCertificate(this.m, ctx, spec));
  }

  dropCertificate(ctx: ExecContext, name: string): void {
    this.run(name, "DROP CERTIFICATE", () => security.dropCertificate(this.m, ctx, name));
  }

  createEndpoint(ctx: ExecContext, spec: EndpointSpec): void {
    this.run(spec.name, "CREATE ENDPOINT", () => createEndpoint(this.m, ctx, spec));
  }

  alterEndpoint(ctx: ExecContext, spec: EndpointSpec): void {
    this.run(spec.name, "ALTER ENDPOINT", () => alterEndpoint(this.m, ctx, spec));
  }

  dropEndpoint(ctx: ExecContext, name: string): void {
    this.run(name, "DROP ENDPOINT", () => dropEndpoint(this.m, ctx, name));
  }

  createAvailabilityGroup(ctx: ExecContext, spec: CreateAvailabilityGroupSpec): void {
    this.run(spec.name, "CREATE AVAILABILITY GROUP", () => createAvailabilityGroup(this.m, ctx, spec));
  }

  createDistributedAvailabilityGroup(ctx: ExecContext, spec: CreateDistributedAvailabilityGroupSpec): void {
    this.run(spec.name, "CREATE AVAILABILITY GROUP WITH (DISTRIBUTED)", () =>
      createDistributedAvailabilityGroup(this.m, ctx, spec),
    );
  }

  alterAvailabilityGroup(ctx: ExecContext, name: string, action: AlterAvailabilityGroupAction): void {
    this.run(name, `ALTER AVAILABILITY GROUP ${action.kind}`, () =>
      alterAvailabilityGroup(this.m, ctx, name, action),
    );
  }

  dropAvailabilityGroup(ctx: ExecContext, name: string): void {
    this.run(name, "DROP AVAILABILITY GROUP", () => dropAvailabilityGroup(this.m, ctx, name));
  }

  executeProcedure(ctx: ExecContext, name: string, args: ProcedureArgument[]): ProcedureResult {
    return this.run(name, `EXEC ${name}`, () => executeProcedure(this.m, ctx, name, args));
  }

  /** Exposed for the interpreter's AG DDL pre-checks (35221 / 35208 / 262) on statements it handles itself. */
  checkAvailabilityGroupDdl(ctx: ExecContext, statement: string): void {
    checkAgDdl(this.m, ctx, statement);
  }

  // ---- internals

  private run<T>(object: string, detail: string, action: () => T): T {
    advance(this.m);
    const result = action();
    // Consequences start now (e.g. a restarted endpoint lets the MI reconnect).
    advance(this.m);
    this.changed({ kind: "statement", object, detail });
    return result;
  }

  /** A log backup cannot truncate log that a link's secondary has not received (held, disconnected or seeding). */
  private replicaLagging(database: string): boolean {
    return this.m.state.groups.some(
      (g) =>
        g.kind === "DAG" &&
        localDatabase(this.m, g)?.name === database &&
        g.localRole === "PRIMARY" &&
        (g.link.held || g.link.connectedAt === undefined || g.link.seeding !== "COMPLETED"),
    );
  }

  private requireDag(name: string) {
    advance(this.m);
    const dag = this.m.distributedGroup(name);
    if (!dag) throw new Error(`Distributed availability group '${name}' does not exist`);
    return dag;
  }

  private requireDatabase(name: string) {
    advance(this.m);
    const db = this.m.database(name);
    if (!db) throw new Error(`Database '${name}' does not exist`);
    return db;
  }

  private takeSnapshot(): Map<string, LinkSnapshot> {
    const snapshot = new Map<string, LinkSnapshot>();
    for (const g of this.m.state.groups) {
      if (g.kind !== "DAG") continue;
      const v = linkView(this.m, g);
      snapshot.set(g.name, {
        roles: `${g.localRole}/${g.remoteRole}`,
        phase: `${v.connected}/${v.seedingState}/${v.secondaryState}`,
      });
    }
    return snapshot;
  }

  /** Emits the change and any role / link phase transitions it caused, then re-arms the timer. */
  private changed(change?: InstanceChange): void {
    if (change) this.emit("change", change);
    const next = this.takeSnapshot();
    for (const [name, now] of next) {
      const before = this.snapshot.get(name);
      if (before && before.roles !== now.roles)
        this.emit("change", { kind: "role", object: name, detail: now.roles });
      if (before && before.phase !== now.phase)
        this.emit("change", { kind: "link", object: name, detail: now.phase });
    }
    this.snapshot = next;
    this.schedule();
  }

  private schedule(): void {
    if (this.disposed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = nextDeadline(this.m);
    if (deadline === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        advance(this.m);
        this.changed();
      },
      Math.max(1, deadline - this.m.now() + 1),
    );
    this.timer.unref?.();
  }
}

function restore(saved: InstanceState): InstanceState {
  if (saved.format !== STATE_FORMAT)
    throw new Error(`Unsupported instance state format ${String(saved.format)}`);
  return JSON.parse(JSON.stringify(saved)) as InstanceState;
}
