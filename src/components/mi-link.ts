/**
 * MiLink: the front door. Links SQL Server databases with an Azure SQL Managed Instance: reads
 * SQL Server and the managed instance (in preview too), checks the prerequisites, then builds one
 * SqlServerTrust for the pair and one DatabaseLink per database.
 *
 * Every argument is validated before anything is registered. The children are registered once
 * the lookups and the prerequisite checks are done; both run in preview, so `pulumi preview`
 * shows every child (unless the SQL Server's address is itself unknown in preview). A failed
 * check stops the program with one error listing every problem and its fix; no child is
 * registered.
 */
// The sql module alone: the package index loads every Azure service module (about 0.3 s per program).
import * as azureSql from "@pulumi/azure-native/sql";
import * as pulumi from "@pulumi/pulumi";
import type { SqlServerConnection } from "../dynamic/common/connection";
import type { CurrentEndpointCertificate } from "../dynamic/certificates/rotation";
import { SqlServerHostPreparation } from "../hostprep/component";
import { endpointUrl } from "../tsql/urls";
import type { DatabaseFormat } from "../tsql/versions";
import { DEFAULTS, type MiLinkArgs } from "./args";
import { DatabaseLink, type DatabaseLinkStatus } from "./database-link";
import { resolveLinkNames } from "./link-names";
import { hostPreparationEnablesAlwaysOn } from "./host-preparation";
import { managedInstanceLinkNamesOutput } from "./managed-instance-links";
import { preflight, type ManagedInstanceFacts } from "./preflight";
import { logBackupWarnings } from "./preflight-log";
import { MiLinkArgsError, MiLinkPreflightError } from "./problems";
import { plaintextConfigWarnings, requireSecretConfig } from "./credential-config";
import { miLinkScript } from "./mi-link-script";
import { linksCertificateCheck } from "./links-certificate-check";
import { subscriptionOf } from "./managed-instance-links";
import { getSqlServerInfoOutput, type SqlServerInfo } from "./sql-server-info";
import { SqlServerTrust } from "./sql-server-trust";
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

  constructor(name: string, args: MiLinkArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = validateMiLinkArgs(args);
    if (problems.length > 0) throw new MiLinkArgsError(name, problems);
    super("mi-link:index:MiLink", name, {}, opts);
    for (const warning of plaintextConfigWarnings({
      "sqlServer.passwordConfig": args.sqlServer.passwordConfig,
      "sqlServer.accessTokenConfig": args.sqlServer.accessTokenConfig,
      "managedInstance.accessTokenConfig": args.managedInstance.accessTokenConfig,
      masterKeyPasswordConfig: args.masterKeyPasswordConfig,
    })) {
      void pulumi.log.warn(warning, this);
    }

    const sql = args.sqlServer;
    const miArgs = args.managedInstance;
    const initialPrimary = args.initialPrimary ?? DEFAULTS.initialPrimary;
    const failoverMode = args.failoverMode ?? DEFAULTS.failoverMode;
    const replicationMode = args.replicationMode ?? DEFAULTS.replicationMode;
    const endpointPort = pulumi.output(sql.endpointPort ?? DEFAULTS.endpointPort);
    const linkNames = resolveLinkNames(args.databases, args.links);
    // The host is prepared (Always On, trace flags, restart) before any SQL step: the children wait for it.
    const hostPreparation =
      args.hostPreparation === undefined
        ? undefined
        : new SqlServerHostPreparation(`${name}-host`, args.hostPreparation, { parent: this });
    const hostPrepared: pulumi.Input<unknown> =
      args.hostPreparation?.enabled === true && hostPreparation
        ? pulumi.all([hostPreparation.preparationOutput, hostPreparation.reachability])
        : undefined;
    const password = sql.password === undefined ? undefined : pulumi.secret(sql.password);
    const sqlAccessToken = sql.accessToken === undefined ? undefined : pulumi.secret(sql.accessToken);
    // Credentials by config reference: the children get the key names only; the read-only lookup
    // below runs in this program and reads the values from the stack config, as secrets.
    const credentials = {
      password,
      accessToken: sqlAccessToken,
      passwordConfig: sql.passwordConfig,
      accessTokenConfig: sql.accessTokenConfig,
    };

    // During up the lookup waits for the host preparation, whose restart would cut its connection
    // (the connection retries cover the service coming back). Preview runs nothing on the host.
    const lookupHost =
      hostPrepared === undefined || pulumi.runtime.isDryRun()
        ? sql.host
        : pulumi.all([sql.host, hostPrepared]).apply(([host]) => host);
    const lookupConnection = {
      host: lookupHost,
      port: sql.port,
      user: sql.user,
      password:
        password ?? (sql.passwordConfig === undefined ? undefined : requireSecretConfig(sql.passwordConfig)),
      authenticationType: sql.authenticationType,
      domain: sql.domain,
      accessToken:
        sqlAccessToken ??
        (sql.accessTokenConfig === undefined ? undefined : requireSecretConfig(sql.accessTokenConfig)),
      encrypt: sql.encrypt,
      trustServerCertificate: sql.trustServerCertificate,
    };
    this.sqlServerInfo = getSqlServerInfoOutput(lookupConnection, args.databases);
    // The endpoint certificate in use decides whether this up rotates it (a shared trust decides
    // for itself).
    const currentCertificate: pulumi.Output<CurrentEndpointCertificate | null | undefined> =
      args.trust === undefined
        ? this.sqlServerInfo.apply((info) => info.endpointCertificate)
        : pulumi.output(undefined);
    const miLookup = azureSql.getManagedInstanceOutput(
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

    const existingLinks =
      args.preflight === false
        ? pulumi.output(undefined)
        : managedInstanceLinkNamesOutput(miFacts, miArgs, linkNames.length, this);

    const checked: pulumi.Output<Checked> = pulumi
      .all([
        this.sqlServerInfo,
        miFacts,
        endpointPort,
        pulumi.output(args.certificateExpiry),
        args.backupTarget,
        existingLinks,
        pulumi.output(args.cutover),
      ])
      .apply(([info, lookedUp, port, expiry, backupTarget, existing, cutover]) => {
        const mi = { ...lookedUp, linkNames: existing };
        if (args.preflight !== false) {
          const found = preflight(info, mi, {
            links: linkNames,
            initialPrimary,
            failoverMode,
            endpointPort: port,
            certificateExpiry: expiry,
            hasBackupTarget: backupTarget !== undefined,
            managesRole: args.primary !== undefined || cutover === true,
            hostEnablesAlwaysOn: hostPreparationEnablesAlwaysOn(args.hostPreparation),
            cutover: cutover === true,
            now: new Date(),
          });
          if (found.length > 0) throw new MiLinkPreflightError(name, found);
          if (cutover !== true) {
            const scheduled = args.logBackupSchedule !== undefined;
            for (const warning of logBackupWarnings(info, args.databases, new Date(), { scheduled })) {
              void pulumi.log.warn(warning, this);
            }
          }
        }
        return { info, mi };
      });

    // Children are registered once the checks pass: a failed check then stops the program with
    // one error listing every problem, and nothing reaches the engine. The lookups run in preview
    // too, so preview shows every child.
    const plan = pulumi.all([
      checked,
      pulumi.output({
        subscriptionId: miArgs.subscriptionId,
        resourceGroupName: miArgs.resourceGroupName,
        endpointHost: sql.endpointHost,
        endpointPort,
        endpointName: sql.endpointName,
        endpointAlgorithms: sql.endpointAlgorithms,
        certificateExpiry: args.certificateExpiry,
      }),
      args.backupTarget,
      currentCertificate,
      pulumi.output(args.cutover),
      pulumi.output(args.logBackupSchedule),
    ]);
    const built = plan.apply(async ([c, plain, , current, cutover]) => {
      const subscriptionId = plain.subscriptionId ?? subscriptionOf(c.mi.id);
      // Every SQL Server step takes the connection: through it they all wait for the prepared host.
      const connection: pulumi.Input<SqlServerConnection> = pulumi
        .all([
          pulumi.output({
            host: sql.host,
            port: sql.port,
            user: sql.user,
            authenticationType: sql.authenticationType,
            domain: sql.domain,
            encrypt: sql.encrypt,
            trustServerCertificate: sql.trustServerCertificate,
          }),
          hostPrepared,
        ])
        .apply(([plainConnection]) => plainConnection) as pulumi.Output<SqlServerConnection>;
      const sqlEndpointUrl = endpointUrl(plain.endpointHost, plain.endpointPort);

      const trust =
        args.trust ??
        new SqlServerTrust(
          `${name}-trust`,
          {
            connection,
            ...credentials,
            serverName: c.info.serverName,
            managedInstance: {
              subscriptionId,
              resourceGroupName: plain.resourceGroupName,
              name: c.mi.name,
              armEndpoint: miArgs.armEndpoint,
              accessToken: miArgs.accessToken === undefined ? undefined : pulumi.secret(miArgs.accessToken),
              accessTokenConfig: miArgs.accessTokenConfig,
              tlsCaPem: miArgs.tlsCaPem,
            },
            masterKeyPassword:
              args.masterKeyPassword === undefined ? undefined : pulumi.secret(args.masterKeyPassword),
            masterKeyPasswordConfig: args.masterKeyPasswordConfig,
            certificateExpiry: plain.certificateExpiry,
            currentCertificate: current,
            rotateCertificateBefore: args.rotateCertificateBefore,
            endpointExists: c.info.mirroringEndpoint !== null,
            endpointPort: plain.endpointPort,
            endpointName: sql.endpointName,
            endpointAlgorithms: sql.endpointAlgorithms,
          },
          { parent: this },
        );

      // The trust's chain (master key, certificates, upload) gates every link: its registrations go
      // to the engine before the databases' children are built, which takes the program a few
      // milliseconds of CPU per database.
      await registered(trust);

      const databaseLinks = linkNames.map(
        (names) =>
          new DatabaseLink(
            `${name}-${databaseSlug(names.database)}`,
            {
              connection,
              ...credentials,
              database: names.database,
              agName: names.agName,
              miAgName: names.miAgName,
              dagName: names.dagName,
              trust,
              serverName: c.info.serverName,
              productVersion: c.info.productVersion,
              endpointUrl: sqlEndpointUrl,
              resourceGroupName: plain.resourceGroupName,
              managedInstanceName: c.mi.name,
              managedInstanceFqdn: c.mi.fullyQualifiedDomainName,
              initialPrimary,
              failoverMode,
              replicationMode,
              backupTarget: args.backupTarget,
              logBackupSchedule: args.logBackupSchedule,
              waitFor: args.waitFor,
              waitTimeoutSeconds: args.waitTimeoutSeconds,
              certificateCheck: false,
              cutover: cutover === true,
              firstBackupTimeoutSeconds: args.firstBackupTimeoutSeconds,
              ...(args.primary === undefined && cutover !== true
                ? {}
                : {
                    primary: args.primary,
                    subscriptionId,
                    databaseFormat: c.mi.databaseFormat as DatabaseFormat,
                    armEndpoint: miArgs.armEndpoint,
                    tlsCaPem: miArgs.tlsCaPem,
                    armAccessToken: miArgs.accessToken,
                    armAccessTokenConfig: miArgs.accessTokenConfig,
                    forceFailoverAllowDataLoss: args.forceFailoverAllowDataLoss,
                    failoverTimeoutSeconds: args.failoverTimeoutSeconds,
                    failoverLsnStableSeconds: args.failoverLsnStableSeconds,
                    armPollIntervalMs: args.armPollIntervalMs,
                  }),
            },
            { parent: this },
          ),
      );

      linksCertificateCheck(
        name,
        databaseLinks,
        trust,
        { connection, ...credentials },
        args.waitTimeoutSeconds,
        this,
      );

      return pulumi.output({
        links: pulumi
          .all(databaseLinks.map((link) => link.status))
          .apply((statuses) => Object.fromEntries(statuses.map((st) => [st.database, st]))),
        sqlServerCertificate: {
          name: trust.certificateName,
          thumbprint: trust.certificateThumbprint,
          expiryDate: trust.certificateExpiry,
        },
        managedInstanceCertificate: {
          name: trust.managedInstanceFqdn,
          thumbprint: trust.managedInstanceCertificateThumbprint,
          expiryDate: trust.managedInstanceCertificateExpiry,
        },
      });
    });

    // Known in preview: only the lookups feed it, no resource output.
    this.script = plan.apply(([c, plain, backupTarget, current, cutover, logBackupSchedule]) =>
      miLinkScript(c.info, c.mi, plain, {
        args,
        links: linkNames,
        initialPrimary,
        failoverMode,
        replicationMode,
        backupTarget,
        currentCertificate: current,
        cutover: cutover === true,
        logBackupSchedule,
      }),
    );
    this.links = built.apply((b) => b.links) as pulumi.Output<Record<string, DatabaseLinkStatus>>;
    this.sqlServerCertificate = built.apply((b) => b.sqlServerCertificate);
    this.managedInstanceCertificate = built.apply((b) => b.managedInstanceCertificate);
    this.registerOutputs({
      links: this.links,
      sqlServerCertificate: this.sqlServerCertificate,
      managedInstanceCertificate: this.managedInstanceCertificate,
      script: this.script,
    });
  }
}

/** Resolves once `resource` has its URN and the registrations already started have been sent. */
function registered(resource: pulumi.Resource): Promise<void> {
  return new Promise((resolve) => resource.urn.apply(() => setImmediate(resolve)));
}
