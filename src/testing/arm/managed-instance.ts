import type { SqlServerPartner } from "../sqlserver/model/partner";
import { LinkManager, type LinkHost, type LinkTiming } from "./links";
import { ManagedDatabases, type ManagedDatabaseView } from "./managed-databases";
import { managedInstanceCertificateFor, type ManagedInstanceCertificate } from "./mi-certificate";
import { validateManagedInstanceName } from "./names";
import { ServerTrustCertificateStore } from "./trust-certificates";

export type DatabaseFormat = "SQLServer2022" | "AlwaysUpToDate" | "SQLServer2025";

export interface ManagedInstanceOptions {
  name: string;
  resourceGroupName: string;
  subscriptionId: string;
  dnsZone?: string;
  location?: string;
  databaseFormat?: DatabaseFormat;
  hybridSecondaryUsage?: "Active" | "Passive";
  collation?: string;
  sqlServer?: SqlServerPartner;
  /** How long after becoming a database's primary its first full backup exists. Default 100 ms. */
  firstFullBackupDelayMs?: number;
}

export type EndpointType = "DATABASE_MIRRORING" | "SERVICE_BROKER";

/** One emulated managed instance: its properties, certificates, trust store and links. */
export class ManagedInstance implements LinkHost {
  readonly name: string;
  readonly fqdn: string;
  readonly resourceId: string;
  readonly location: string;
  readonly trustCertificates = new ServerTrustCertificateStore();
  readonly links: LinkManager;
  private readonly databases: ManagedDatabases;
  private sqlServer: SqlServerPartner | undefined;

  constructor(
    private readonly options: ManagedInstanceOptions,
    timing: LinkTiming,
  ) {
    validateManagedInstanceName(options.name);
    this.name = options.name;
    this.fqdn = `${options.name}.${options.dnsZone ?? "0a1b2c3d4e5f"}.database.windows.net`;
    this.location = options.location ?? "westeurope";
    this.resourceId =
      `/subscriptions/${options.subscriptionId}/resourceGroups/${options.resourceGroupName}` +
      `/providers/Microsoft.Sql/managedInstances/${options.name}`;
    this.sqlServer = options.sqlServer;
    this.links = new LinkManager(this, timing);
    this.databases = new ManagedDatabases(() => this.options.firstFullBackupDelayMs ?? 100);
  }

  /** The databases the links have brought to this managed instance, as observed now. */
  managedDatabases(): ManagedDatabaseView[] {
    this.databases.observe(this.links.databaseObservations());
    return this.databases.list();
  }

  managedDatabase(name: string): ManagedDatabaseView | undefined {
    this.databases.observe(this.links.databaseObservations());
    return this.databases.get(name);
  }

  beforeLinkDeleted(databases: string[]): void {
    this.databases.observe(this.links.databaseObservations());
    this.databases.linkDeleted(databases);
  }

  /** The Microsoft.Sql/managedInstances/databases resource of a managed database. */
  managedDatabaseResource(database: ManagedDatabaseView): Record<string, unknown> {
    return {
      id: `${this.resourceId}/databases/${database.name}`,
      name: database.name,
      type: "Microsoft.Sql/managedInstances/databases",
      location: this.location,
      properties: {
        status: "Online",
        collation: this.options.collation ?? "SQL_Latin1_General_CP1_CI_AS",
        creationDate: database.createdAt.toISOString(),
        ...(database.earliestRestorePoint
          ? { earliestRestorePoint: database.earliestRestorePoint.toISOString() }
          : {}),
        defaultSecondaryLocation: "northeurope",
      },
    };
  }

  get resourceGroupName(): string {
    return this.options.resourceGroupName;
  }

  partner(): SqlServerPartner | undefined {
    return this.sqlServer;
  }

  attachSqlServer(partner: SqlServerPartner | undefined): void {
    this.sqlServer = partner;
    this.links.reevaluate();
  }

  endpointCertificate(type: EndpointType): ManagedInstanceCertificate {
    return managedInstanceCertificateFor(this.fqdn, type);
  }

  trustInput() {
    return {
      name: this.name,
      fqdn: this.fqdn,
      endpointCertificateDer: this.endpointCertificate("DATABASE_MIRRORING").der,
      trustCertificates: this.trustCertificates.list().map(({ name, der }) => ({ name, der })),
    };
  }

  toResource(): Record<string, unknown> {
    return {
      id: this.resourceId,
      name: this.name,
      type: "Microsoft.Sql/managedInstances",
      location: this.location,
      sku: { name: "GP_Gen5", tier: "GeneralPurpose", family: "Gen5", capacity: 4 },
      properties: {
        provisioningState: "Succeeded",
        state: "Ready",
        fullyQualifiedDomainName: this.fqdn,
        dnsZone: this.options.dnsZone ?? "0a1b2c3d4e5f",
        databaseFormat: this.options.databaseFormat ?? "SQLServer2022",
        hybridSecondaryUsage: this.options.hybridSecondaryUsage ?? "Active",
        hybridSecondaryUsageDetected: this.options.hybridSecondaryUsage ?? "Active",
        collation: this.options.collation ?? "SQL_Latin1_General_CP1_CI_AS",
        licenseType: "LicenseIncluded",
        vCores: 4,
        storageSizeInGB: 256,
        proxyOverride: "Proxy",
        publicDataEndpointEnabled: false,
        timezoneId: "UTC",
        minimalTlsVersion: "1.2",
        requestedBackupStorageRedundancy: "Geo",
        currentBackupStorageRedundancy: "Geo",
        zoneRedundant: false,
        administratorLogin: "miadmin",
      },
    };
  }

  stop(): void {
    this.links.stop();
  }
}
