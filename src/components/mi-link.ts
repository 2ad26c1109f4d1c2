/**
 * MiLink: the front door. Links SQL Server databases with an Azure SQL Managed Instance: reads
 * SQL Server and the managed instance (in preview too), checks the prerequisites, then builds one
 * SqlServerTrust for the pair and one DatabaseLink per database.
 *
 * Every argument is validated before anything is registered. Children are registered at once, so
 * `pulumi preview` shows them all, but their inputs flow from the preflight result: when a
 * prerequisite fails, no child reaches the engine and the preview fails with every problem and
 * its fix.
 */
import * as azure from "@pulumi/azure-native";
import * as pulumi from "@pulumi/pulumi";
import type { SqlServerConnection } from "../dynamic/common/connection";
import { defaultEndpointCertificateSubject } from "../dynamic/endpoint-certificate";
import { defaultEndpointCertificateName } from "../tsql/names";
import { endpointUrl } from "../tsql/urls";
import { DEFAULTS, type MiLinkArgs } from "./args";
import { DatabaseLink, type DatabaseLinkStatus } from "./database-link";
import { resolveLinkNames } from "./link-names";
import { preflight, type ManagedInstanceFacts } from "./preflight";
import { MiLinkArgsError, MiLinkPreflightError } from "./problems";
import { renderScript } from "./script";
import { getSqlServerInfoOutput, type SqlServerInfo } from "./sql-server-info";
import { defaultCertificateExpiry, SqlServerTrust } from "./sql-server-trust";
import { databaseSlug } from "./slug";
import { validateMiLinkArgs } from "./validate-args";

/** What the checks saw, passed on to the children once they pass. */
interface Checked {
  info: SqlServerInfo;
  mi: ManagedInstanceFacts & { id: string };
}

/** SQL Server databases replicated to (or from) an Azure SQL Managed Instance through the link. */
export class MiLink extends pulumi.ComponentResource {
  /** Per database: object names, the Azure link's id and its observed state. */
  public readonly links!: pulumi.Output<Record<string, DatabaseLinkStatus>>;
  /** SQL Server's endpoint certificate: name, thumbprint, expiry. */
  public readonly sqlServerCertificate!: pulumi.Output<{
    name: string;
    thumbprint: string;
    expiryDate: string;
  }>;
  /** The managed instance's endpoint certificate as imported on SQL Server: name (the FQDN), thumbprint, expiry. */
  public readonly managedInstanceCertificate!: pulumi.Output<{
    name: string;
    thumbprint: string;
    expiryDate: string | null;
  }>;
  /** The T-SQL and Azure REST sequence this component performs, for review (no secrets). */
  public readonly script!: pulumi.Output<string>;
  /** What the read-only lookup found on SQL Server. */
  public readonly sqlServerInfo!: pulumi.Output<SqlServerInfo>;

  /** The instance-wide objects. */
  public readonly trust: SqlServerTrust;
  /** The per-database links, keyed by database. */
  public readonly databaseLinks: Record<string, DatabaseLink>;

  constructor(name: string, args: MiLinkArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = validateMiLinkArgs(args);
    if (problems.length > 0) throw new MiLinkArgsError(name, problems);
    super("mi-link:index:MiLink", name, {}, opts);

    const sql = args.sqlServer;
    const miArgs = args.managedInstance;
    const initialPrimary = args.initialPrimary ?? DEFAULTS.initialPrimary;
    const failoverMode = args.failoverMode ?? DEFAULTS.failoverMode;
    const replicationMode = args.replicationMode ?? DEFAULTS.replicationMode;
    const endpointPort = pulumi.output(sql.endpointPort ?? DEFAULTS.endpointPort);
    const linkNames = resolveLinkNames(args.databases, args.links);
    const password = sql.password === undefined ? undefined : pulumi.secret(sql.password);
    const sqlAccessToken = sql.accessToken === undefined ? undefined : pulumi.secret(sql.accessToken);

    this.sqlServerInfo = getSqlServerInfoOutput(
      {
        host: sql.host,
        port: sql.port,
        user: sql.user,
        password,
        authenticationType: sql.authenticationType,
        domain: sql.domain,
        accessToken: sqlAccessToken,
        encrypt: sql.encrypt,
        trustServerCertificate: sql.trustServerCertificate,
      },
      args.databases,
    );
    const miLookup = azure.sql.getManagedInstanceOutput(
      { resourceGroupName: miArgs.resourceGroupName, managedInstanceName: miArgs.name },
      { parent: this },
    );
    const miFacts = pulumi.all([miLookup, pulumi.output(miArgs.name)]).apply(([mi, miName]) => ({
      id: mi.id,
      name: miName,
      fullyQualifiedDomainName: mi.fullyQualifiedDomainName,
      databaseFormat: mi.databaseFormat,
      collation: mi.collation,
    }));

    const checked: pulumi.Output<Checked> = pulumi
      .all([
        this.sqlServerInfo,
        miFacts,
        endpointPort,
        pulumi.output(args.certificateExpiry),
        args.backupTarget,
      ])
      .apply(([info, mi, port, expiry, backupTarget]) => {
        if (args.preflight !== false) {
          const found = preflight(info, mi, {
            links: linkNames,
            initialPrimary,
            failoverMode,
            endpointPort: port,
            certificateExpiry: expiry,
            hasBackupTarget: backupTarget !== undefined,
            now: new Date(),
          });
          if (found.length > 0) throw new MiLinkPreflightError(name, found);
        }
        return { info, mi };
      });

    // Every child's inputs pass through `checked`: nothing is created unless the checks passed.
    const gated = <T>(value: pulumi.Input<T>): pulumi.Output<pulumi.Unwrap<T>> =>
      pulumi.all([checked, value]).apply(([, v]) => v) as pulumi.Output<pulumi.Unwrap<T>>;
    const connection: pulumi.Output<SqlServerConnection> = gated(
      pulumi.output({
        host: sql.host,
        port: sql.port,
        user: sql.user,
        authenticationType: sql.authenticationType,
        domain: sql.domain,
        encrypt: sql.encrypt,
        trustServerCertificate: sql.trustServerCertificate,
      }),
    ) as pulumi.Output<SqlServerConnection>;
    const serverName = checked.apply((c) => c.info.serverName);
    const productVersion = checked.apply((c) => c.info.productVersion);
    const fqdn = checked.apply((c) => c.mi.fullyQualifiedDomainName);
    const subscriptionId = pulumi
      .all([checked, pulumi.output(miArgs.subscriptionId)])
      .apply(([c, given]) => given ?? subscriptionOf(c.mi.id));
    const managedInstanceName = gated(miArgs.name);
    const resourceGroupName = gated(miArgs.resourceGroupName);
    const sqlEndpointUrl = pulumi
      .all([checked, pulumi.output(sql.endpointHost), endpointPort])
      .apply(([, host, port]) => endpointUrl(host, port));

    this.trust = new SqlServerTrust(
      `${name}-trust`,
      {
        connection,
        password,
        accessToken: sqlAccessToken,
        serverName,
        managedInstance: {
          subscriptionId,
          resourceGroupName,
          name: managedInstanceName,
          armEndpoint: miArgs.armEndpoint,
          accessToken: miArgs.accessToken === undefined ? undefined : pulumi.secret(miArgs.accessToken),
          tlsCaPem: miArgs.tlsCaPem,
        },
        masterKeyPassword: pulumi.secret(args.masterKeyPassword),
        certificateExpiry: args.certificateExpiry,
        endpointPort,
        endpointName: sql.endpointName,
        endpointAlgorithms: sql.endpointAlgorithms,
      },
      { parent: this },
    );

    this.databaseLinks = {};
    for (const names of linkNames) {
      this.databaseLinks[names.database] = new DatabaseLink(
        `${name}-${databaseSlug(names.database)}`,
        {
          connection,
          password,
          accessToken: sqlAccessToken,
          database: names.database,
          agName: names.agName,
          miAgName: names.miAgName,
          dagName: names.dagName,
          trust: this.trust,
          serverName,
          productVersion,
          endpointUrl: sqlEndpointUrl,
          resourceGroupName,
          managedInstanceName,
          managedInstanceFqdn: fqdn,
          initialPrimary,
          failoverMode,
          replicationMode,
          backupTarget: args.backupTarget,
          waitFor: args.waitFor,
          waitTimeoutSeconds: args.waitTimeoutSeconds,
        },
        { parent: this },
      );
    }

    this.links = pulumi
      .all(Object.values(this.databaseLinks).map((link) => link.status))
      .apply((statuses) => Object.fromEntries(statuses.map((s) => [s.database, s])));
    this.sqlServerCertificate = pulumi
      .all([this.trust.certificateName, this.trust.certificateThumbprint, this.trust.certificateExpiry])
      .apply(([certName, thumbprint, expiryDate]) => ({ name: certName, thumbprint, expiryDate }));
    this.managedInstanceCertificate = pulumi
      .all([
        this.trust.managedInstanceFqdn,
        this.trust.managedInstanceCertificateThumbprint,
        this.trust.managedInstanceCertificateExpiry,
      ])
      .apply(([certName, thumbprint, expiryDate]) => ({ name: certName, thumbprint, expiryDate }));
    this.script = pulumi
      .all([
        checked,
        subscriptionId,
        resourceGroupName,
        pulumi.output({ host: sql.endpointHost, port: endpointPort, name: sql.endpointName }),
        pulumi.output(sql.endpointAlgorithms),
        pulumi.output(args.certificateExpiry),
        args.backupTarget,
      ])
      .apply(([c, subscription, group, endpoint, algorithms, expiry, backupTarget]) => {
        const certificateName = defaultEndpointCertificateName(c.info.serverName);
        const existing = c.info.mirroringEndpoint;
        return renderScript({
          serverName: c.info.serverName,
          productVersion: c.info.productVersion,
          certificateName,
          certificateSubject: defaultEndpointCertificateSubject(certificateName),
          // Without an explicit expiry: the day the certificate would get if created now.
          certificateExpiry: expiry ?? defaultCertificateExpiry(),
          endpointName: endpoint.name ?? DEFAULTS.endpointName,
          endpointHost: endpoint.host,
          endpointPort: endpoint.port,
          endpointAlgorithms: algorithms,
          existingEndpoint: existing
            ? { name: existing.name, windowsAuth: /NTLM|KERBEROS|NEGOTIATE/.test(existing.authentication) }
            : undefined,
          subscriptionId: subscription,
          resourceGroupName: group,
          managedInstanceName: c.mi.name,
          managedInstanceFqdn: c.mi.fullyQualifiedDomainName,
          links: linkNames,
          initialPrimary,
          failoverMode,
          replicationMode,
          backupTarget,
        });
      });

    this.registerOutputs({
      links: this.links,
      sqlServerCertificate: this.sqlServerCertificate,
      managedInstanceCertificate: this.managedInstanceCertificate,
      script: this.script,
    });
  }
}

/** The subscription GUID of an ARM resource id (`/subscriptions/<id>/...`). */
function subscriptionOf(resourceId: string): string {
  const match = /^\/subscriptions\/([^/]+)\//i.exec(resourceId ?? "");
  if (!match) {
    throw new Error(
      `Cannot tell the managed instance's subscription from its id "${resourceId}". Set managedInstance.subscriptionId.`,
    );
  }
  return match[1];
}
