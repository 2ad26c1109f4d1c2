/**
 * SqlServerTrust: the instance-wide objects one SQL Server needs to talk to one managed instance,
 * shared by every database linked between them. The master key protects SQL Server's endpoint
 * certificate; its public key is given to the managed instance; the managed instance's endpoint
 * certificate is imported into SQL Server under its FQDN and validated against the Azure root
 * CAs; the mirroring endpoint authenticates with SQL Server's certificate.
 *
 * Linking one SQL Server to several managed instances (or several SQL Servers to one) creates one
 * SqlServerTrust per pair: objects that already exist on SQL Server (master key, endpoint
 * certificate, root CAs, endpoint) are adopted by the second, never duplicated.
 */
import * as azureSql from "@pulumi/azure-native/sql";
import * as pulumi from "@pulumi/pulumi";
import { connectionArgsOf, type ConnectionArgs } from "../dynamic/common/resource";
import { EndpointCertificate } from "../dynamic/endpoint-certificate";
import { MasterKey } from "../dynamic/master-key";
import { ManagedInstanceEndpointCertificate } from "../dynamic/mi-endpoint-certificate";
import { MirroringEndpoint } from "../dynamic/mirroring-endpoint";
import { TrustedCertificate } from "../dynamic/trusted-certificate";
import { defaultEndpointCertificateName } from "../tsql/names";
import { AZURE_ROOT_CERTIFICATES, AZURE_TRUSTED_ISSUER_DNS_NAME } from "../tsql/root-certificates";
import type { EndpointAlgorithm } from "../tsql/statements/endpoint";
import { TsqlInputError } from "../tsql";
import {
  dayAfterYears,
  DEFAULT_ROTATE_BEFORE,
  expiryWarning,
  parseRotationWindow,
  planEndpointCertificate,
  type CurrentEndpointCertificate,
  type EndpointCertificatePlan,
} from "../dynamic/certificates/rotation";
import { DEFAULTS } from "./args";

/** The managed instance side of a trust, with its subscription resolved. */
export interface TrustManagedInstanceArgs {
  /** Subscription of the managed instance (GUID). Required. */
  subscriptionId: pulumi.Input<string>;
  /** Resource group of the managed instance. Required. */
  resourceGroupName: pulumi.Input<string>;
  /** Short name of the managed instance. Required. */
  name: pulumi.Input<string>;
  /** ARM endpoint for the endpoint-certificate read. Default https://management.azure.com. */
  armEndpoint?: pulumi.Input<string>;
  /** Bearer token for that read. Wrapped as a secret. Default: DefaultAzureCredential. */
  accessToken?: pulumi.Input<string>;
  /** Instead of `accessToken`: the name of the stack config key holding it. Default: none. */
  accessTokenConfig?: pulumi.Input<string>;
  /** PEM certificates to trust for the ARM endpoint's TLS. Default: the system trust store. */
  tlsCaPem?: pulumi.Input<string>;
}

export interface SqlServerTrustArgs extends ConnectionArgs {
  /** `@@SERVERNAME` of the SQL Server; names the endpoint certificate. Required. */
  serverName: pulumi.Input<string>;
  /** The managed instance to trust. Required. */
  managedInstance: TrustManagedInstanceArgs;
  /** Password of master's database master key, used when the key has to be created. Wrapped as a secret. This or `masterKeyPasswordConfig` is required. */
  masterKeyPassword?: pulumi.Input<string>;
  /** Instead of `masterKeyPassword`: the name of the stack config key holding it, read by the provider. Default: none. */
  masterKeyPasswordConfig?: pulumi.Input<string>;
  /** Name of SQL Server's endpoint certificate. Default `Cert_<@@SERVERNAME>_endpoint` (`\` replaced by `_`). */
  certificateName?: pulumi.Input<string>;
  /** Last day (`YYYY-MM-DD`) of SQL Server's endpoint certificate. Default: 2 years after its creation, then stable. */
  certificateExpiry?: pulumi.Input<string>;
  /** Port of the mirroring endpoint. Default 5022. */
  endpointPort?: pulumi.Input<number>;
  /** Name of the mirroring endpoint when none exists. Default "database_mirroring_endpoint". */
  endpointName?: pulumi.Input<string>;
  /** Endpoint encryption algorithms, in order of preference. Default ["AES"]. */
  endpointAlgorithms?: pulumi.Input<EndpointAlgorithm[]>;
  /**
   * SQL Server's endpoint certificate as found before this run (`lookupEndpointCertificate`), null
   * when there is none. Given, `serverName`, `certificateName` and `certificateExpiry` must be plain
   * strings, and the certificate rotates: a new generation (`<name>_<YYYYMMDD>`) is created next to
   * the current one when `certificateExpiry` names another day or the current one expires within
   * `rotateCertificateBefore`; it is uploaded to the managed instance, the endpoint switches to it,
   * and the old one is removed from both sides at the end of the `up`. Default: no lookup (the
   * certificate is created once and kept; changing its expiry is refused while the endpoint uses it).
   */
  currentCertificate?: CurrentEndpointCertificate | null;
  /**
   * Rotate SQL Server's endpoint certificate (with `currentCertificate`) and warn about either
   * side's certificate when it expires within this window: `"<n>d"`, 1 to 365 days. Default "30d".
   */
  rotateCertificateBefore?: string;
  /**
   * Whether SQL Server already has a database mirroring endpoint, as a lookup before this run found
   * it (MiLink passes its preflight's answer). `false`: the endpoint is created while its certificate
   * is uploaded to the managed instance, not after, since nothing authenticates with it yet and no
   * link can drop. Default true: the endpoint waits for the upload, which a certificate switch under
   * live links needs.
   */
  endpointExists?: boolean;
}

/** `YYYY-MM-DD` of the day `years` after `now` (UTC). */
export function defaultCertificateExpiry(
  now: Date = new Date(),
  years: number = DEFAULTS.certificateValidityYears,
): string {
  return dayAfterYears(now, years);
}

/** The rotation plan of a trust given `currentCertificate`; throws on inputs that are not plain. */
function planFor(args: SqlServerTrustArgs, windowDays: number, now: Date): EndpointCertificatePlan {
  const plain = (value: unknown, field: string): string | undefined => {
    if (value === undefined || typeof value === "string") return value;
    throw new TsqlInputError(
      field,
      "must be a plain string when currentCertificate is given",
      "Resolve it first (e.g. inside an apply), as MiLink does.",
    );
  };
  const serverName = plain(args.serverName, "serverName") ?? "";
  return planEndpointCertificate({
    baseName: plain(args.certificateName, "certificateName") ?? defaultEndpointCertificateName(serverName),
    explicitExpiry: plain(args.certificateExpiry, "certificateExpiry"),
    current: args.currentCertificate ?? null,
    rotateBeforeDays: windowDays,
    validityYears: DEFAULTS.certificateValidityYears,
    now,
  });
}

/** The objects that let one SQL Server and one managed instance authenticate each other. */
export class SqlServerTrust extends pulumi.ComponentResource {
  /** Name of SQL Server's endpoint certificate in master. */
  public readonly certificateName!: pulumi.Output<string>;
  /** SHA-1 thumbprint of SQL Server's endpoint certificate. */
  public readonly certificateThumbprint!: pulumi.Output<string>;
  /** Expiry of SQL Server's endpoint certificate, as SQL Server reports it. */
  public readonly certificateExpiry!: pulumi.Output<string>;
  /** The managed instance's FQDN: also its certificate's name on SQL Server. */
  public readonly managedInstanceFqdn!: pulumi.Output<string>;
  /** SHA-1 thumbprint of the managed instance's endpoint certificate. */
  public readonly managedInstanceCertificateThumbprint!: pulumi.Output<string>;
  /** Expiry of the managed instance's endpoint certificate. */
  public readonly managedInstanceCertificateExpiry!: pulumi.Output<string | null>;
  /** Whether the managed instance's certificate chains to a trusted Azure root on SQL Server. */
  public readonly chainValid!: pulumi.Output<boolean | null>;
  /** The mirroring endpoint's name (an adopted endpoint keeps its own). */
  public readonly endpointName!: pulumi.Output<string>;
  /** The mirroring endpoint's port. */
  public readonly endpointPort!: pulumi.Output<number>;

  // The children, for `dependsOn` of the links built on this trust.
  /** master's database master key. */
  public readonly masterKey: MasterKey;
  /** SQL Server's endpoint certificate. */
  public readonly endpointCertificate: EndpointCertificate;
  /** SQL Server's certificate on the managed instance. */
  public readonly serverTrustCertificate: azureSql.ServerTrustCertificate;
  /** The managed instance's endpoint certificate, read from Azure. */
  public readonly managedInstanceEndpointCertificate: ManagedInstanceEndpointCertificate;
  /** The Azure root CAs, trusted for `*.database.windows.net`. */
  public readonly rootCertificates: TrustedCertificate[];
  /** The managed instance's certificate on SQL Server, named after its FQDN, chain validated. */
  public readonly managedInstanceCertificate: TrustedCertificate;
  /** The database mirroring endpoint. */
  public readonly endpoint: MirroringEndpoint;
  /** What rotation decided for SQL Server's endpoint certificate; undefined without `currentCertificate`. */
  public readonly certificatePlan: EndpointCertificatePlan | undefined;

  constructor(name: string, args: SqlServerTrustArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mi-link:index:SqlServerTrust", name, {}, opts);
    const parent = { parent: this };
    const connection = connectionArgsOf(args);
    const mi = args.managedInstance;

    this.masterKey = new MasterKey(
      `${name}-master-key`,
      {
        ...connection,
        masterKeyPassword: args.masterKeyPassword,
        masterKeyPasswordConfig: args.masterKeyPasswordConfig,
      },
      parent,
    );

    const now = new Date();
    const windowDays = parseRotationWindow(args.rotateCertificateBefore ?? DEFAULT_ROTATE_BEFORE);
    const plan = args.currentCertificate === undefined ? undefined : planFor(args, windowDays, now);
    this.certificatePlan = plan;
    // Each generation has its own resources: the old ones are no longer declared, so the engine
    // deletes them after every create and update of the up, once the endpoint uses the new one.
    const generation = plan?.generation ? `-${plan.generation}` : "";
    if (plan) reportPlan(plan, windowDays, now, this);

    // Without a lookup and without an explicit expiry the default moves every day; keeping the
    // first value stable is what "2 years from creation" means, so later runs ignore it.
    const expiryDefaulted = !plan && args.certificateExpiry === undefined;
    this.endpointCertificate = new EndpointCertificate(
      `${name}-endpoint-cert${generation}`,
      {
        ...connection,
        name:
          plan?.name ??
          args.certificateName ??
          pulumi.output(args.serverName).apply(defaultEndpointCertificateName),
        expiryDate: plan?.expiryDate ?? args.certificateExpiry ?? defaultCertificateExpiry(now),
      },
      { ...parent, dependsOn: [this.masterKey], ignoreChanges: expiryDefaulted ? ["expiryDate"] : [] },
    );

    this.serverTrustCertificate = new azureSql.ServerTrustCertificate(
      `${name}-sql-cert-on-mi${generation}`,
      {
        resourceGroupName: mi.resourceGroupName,
        managedInstanceName: mi.name,
        certificateName: this.endpointCertificate.name,
        publicBlob: this.endpointCertificate.publicKey,
      },
      // Another blob under the same name (a certificate made again under that name, or the trust changed
      // on the managed instance and seen by a refresh) deletes the old trust, then uploads: the API does
      // not document a PUT of another certificate over an existing trust, and may refuse it.
      { ...parent, replaceOnChanges: ["publicBlob"], deleteBeforeReplace: true },
    );

    // The managed instance's certificate and the roots are needed only once the links connect,
    // after two Azure operations. Until SQL Server's endpoint certificate exists they would compete
    // with the chain the upload waits for (master key, endpoint certificate) for the server-level
    // connections and the provider host's time: they follow it instead.
    const afterEndpointCertificate = { ...parent, dependsOn: [this.endpointCertificate] };
    this.managedInstanceEndpointCertificate = new ManagedInstanceEndpointCertificate(
      `${name}-mi-endpoint-cert`,
      {
        subscriptionId: mi.subscriptionId,
        resourceGroupName: mi.resourceGroupName,
        managedInstanceName: mi.name,
        armEndpoint: mi.armEndpoint,
        tlsCaPem: mi.tlsCaPem,
        accessToken: mi.accessToken === undefined ? undefined : pulumi.secret(mi.accessToken),
        accessTokenConfig: mi.accessTokenConfig,
      },
      afterEndpointCertificate,
    );

    this.rootCertificates = AZURE_ROOT_CERTIFICATES.map(
      (root) =>
        new TrustedCertificate(
          `${name}-root-${root.name.toLowerCase()}`,
          {
            ...connection,
            name: root.name,
            publicKey: root.blob,
            trustedIssuerFor: AZURE_TRUSTED_ISSUER_DNS_NAME,
            // Dropped on delete only when created here and no other managed instance's certificate
            // or link on this SQL Server relies on it (see TrustedCertificate).
          },
          afterEndpointCertificate,
        ),
    );

    this.managedInstanceCertificate = new TrustedCertificate(
      `${name}-mi-cert`,
      {
        ...connection,
        // The link only works when the certificate is named exactly after the managed instance's FQDN.
        name: this.managedInstanceEndpointCertificate.fqdn,
        publicKey: this.managedInstanceEndpointCertificate.publicKey,
        validateChain: true,
      },
      // The chain is validated on import: the roots must be trusted first.
      { ...parent, dependsOn: this.rootCertificates },
    );

    this.endpoint = new MirroringEndpoint(
      `${name}-endpoint`,
      {
        ...connection,
        name: args.endpointName,
        port: args.endpointPort ?? DEFAULTS.endpointPort,
        certificateName: this.endpointCertificate.name,
        algorithms: args.endpointAlgorithms,
      },
      // The managed instance must trust a certificate before an endpoint in use authenticates with
      // it, or its links drop with 41973 until it does. A new endpoint has no link yet: the links
      // themselves wait for the upload.
      args.endpointExists === false ? parent : { ...parent, dependsOn: [this.serverTrustCertificate] },
    );

    // The managed instance renews its own certificate: all this side can do is warn in time.
    pulumi
      .all([this.managedInstanceCertificate.expiryDate, this.managedInstanceEndpointCertificate.fqdn])
      .apply(([expiry, fqdn]) => {
        const warning = expiry
          ? expiryWarning("managedInstance", fqdn, expiry, windowDays, new Date())
          : undefined;
        if (warning) void pulumi.log.warn(warning, this);
      });

    this.certificateName = this.endpointCertificate.name;
    this.certificateThumbprint = this.endpointCertificate.thumbprint;
    this.certificateExpiry = this.endpointCertificate.expiryDate;
    this.managedInstanceFqdn = this.managedInstanceEndpointCertificate.fqdn;
    this.managedInstanceCertificateThumbprint = this.managedInstanceCertificate.thumbprint;
    this.managedInstanceCertificateExpiry = this.managedInstanceCertificate.expiryDate;
    this.chainValid = this.managedInstanceCertificate.chainValid;
    this.endpointName = this.endpoint.name;
    this.endpointPort = this.endpoint.port;
    this.registerOutputs({
      certificateName: this.certificateName,
      certificateThumbprint: this.certificateThumbprint,
      certificateExpiry: this.certificateExpiry,
      managedInstanceFqdn: this.managedInstanceFqdn,
      managedInstanceCertificateThumbprint: this.managedInstanceCertificateThumbprint,
      managedInstanceCertificateExpiry: this.managedInstanceCertificateExpiry,
      chainValid: this.chainValid,
      endpointName: this.endpointName,
      endpointPort: this.endpointPort,
    });
  }
}

/** Tells the user, at preview and up, what happens to SQL Server's endpoint certificate and why. */
function reportPlan(
  plan: EndpointCertificatePlan,
  windowDays: number,
  now: Date,
  resource: pulumi.Resource,
): void {
  const old = plan.replaces;
  if (plan.action === "rotate-window" && old) {
    void pulumi.log.warn(
      `SQL Server's endpoint certificate [${old.name}] expires on ${old.expiryDate.slice(0, 10)}, within ` +
        `rotateCertificateBefore (${windowDays} days): rotating to [${plan.name}], valid until ${plan.expiryDate}.`,
      resource,
    );
  } else if (plan.action === "rotate-expiry-changed" && old) {
    void pulumi.log.info(
      `certificateExpiry changed: rotating SQL Server's endpoint certificate from [${old.name}] to [${plan.name}], ` +
        `valid until ${plan.expiryDate}.`,
      resource,
    );
  }
  const warning = expiryWarning("sqlServer", plan.name, `${plan.expiryDate}T00:00:00Z`, windowDays, now);
  if (warning) void pulumi.log.warn(warning, resource);
}
