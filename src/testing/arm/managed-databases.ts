/**
 * The managed instance's databases as far as the link makes them: a database appears once the link
 * has seeded it (or at once when the managed instance is the link's primary), and its first full
 * backup exists a configurable delay after the managed instance became its primary. Azure shows that
 * backup as `properties.earliestRestorePoint` on `GET .../managedInstances/{mi}/databases/{db}`, the
 * signal a cutover waits for before it drops the link (mi-link.md §1 row 15).
 *
 * State is derived lazily, on every read and just before a link is deleted: "became primary" is the
 * first observation of the managed instance as primary, which is at most one read late.
 */

/** What one link says about one of its databases at the moment of observation. */
export interface LinkedDatabaseObservation {
  database: string;
  /** Seeding has completed, or the managed instance holds the database as primary. */
  present: boolean;
  /** The managed instance is the database's primary. */
  managedInstancePrimary: boolean;
}

interface ManagedDatabaseRecord {
  name: string;
  createdAt: number;
  /** When the managed instance was first seen as primary: the first full backup starts then. */
  primarySince?: number;
  /** The link was deleted after the managed instance became primary: the database stays, standalone. */
  standalone: boolean;
}

export interface ManagedDatabaseView {
  name: string;
  createdAt: Date;
  /** Set once the first full backup exists. */
  earliestRestorePoint?: Date;
}

export class ManagedDatabases {
  private readonly records = new Map<string, ManagedDatabaseRecord>();

  constructor(private readonly firstFullBackupDelayMs: () => number) {}

  /** Applies what the links show now. */
  observe(observations: LinkedDatabaseObservation[], now = Date.now()): void {
    for (const o of observations) {
      const key = o.database.toLowerCase();
      let record = this.records.get(key);
      if (!record && o.present) {
        record = { name: o.database, createdAt: now, standalone: false };
        this.records.set(key, record);
      }
      if (record && o.managedInstancePrimary && record.primarySince === undefined) record.primarySince = now;
    }
  }

  /**
   * A link is being deleted: a database the managed instance never became primary of was only a
   * read-only replica and goes with the link (*unconfirmed*: Azure's exact behaviour); one it holds
   * as primary stays.
   */
  linkDeleted(databases: string[]): void {
    for (const name of databases) {
      const key = name.toLowerCase();
      const record = this.records.get(key);
      if (!record) continue;
      if (record.primarySince === undefined) this.records.delete(key);
      else record.standalone = true;
    }
  }

  list(now = Date.now()): ManagedDatabaseView[] {
    return [...this.records.values()].map((record) => this.view(record, now));
  }

  get(name: string, now = Date.now()): ManagedDatabaseView | undefined {
    const record = this.records.get(name.toLowerCase());
    return record ? this.view(record, now) : undefined;
  }

  private view(record: ManagedDatabaseRecord, now: number): ManagedDatabaseView {
    const backupAt =
      record.primarySince === undefined ? undefined : record.primarySince + this.firstFullBackupDelayMs();
    return {
      name: record.name,
      createdAt: new Date(record.createdAt),
      ...(backupAt !== undefined && now >= backupAt ? { earliestRestorePoint: new Date(backupAt) } : {}),
    };
  }
}
