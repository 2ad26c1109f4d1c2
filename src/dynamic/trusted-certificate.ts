/**
 * A public certificate SQL Server trusts, imported `FROM BINARY`: the managed
 * instance's endpoint certificate (named exactly after the instance's FQDN, as
 * the link requires) or a root CA (MicrosoftPKI, DigiCertPKI) bound as trusted
 * issuer for `*.database.windows.net` so the managed instance's certificate
 * chain validates.
 *
 * On delete a certificate this resource imported is dropped unless
 * `dropOnDelete` is false. A trusted issuer (a root CA, `trustedIssuerFor` set)
 * is dropped only when nothing relies on it any more: no other certificate of
 * master named (or with a subject) matching its DNS name pattern, such as
 * another managed instance's certificate, and no distributed availability group
 * with a member whose endpoint host matches it (a link still in place). An
 * adopted certificate is always left in place. Changing `name` or `publicKey`
 * replaces the certificate.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  readCertificate,
  readIssuerDependents,
  runStatement,
  validateCertificateChain,
  withServerConnection,
  type CertificateInfo,
} from "../sql";
import { buildAddIssuerSql, buildCreateCertificateFromBinarySql, validateCertificateName } from "../tsql";
import {
  addIssuer,
  dropQuietly,
  refuseCopyUnderAnotherName,
  requireValidChain,
} from "./certificates/trust-steps";
import { endpointUsing, recordedCertificate } from "./certificates/usage";
import {
  createOutcomeUnknown,
  keepUnfinishedCreate,
  runCreateStatement,
  type CreateOutcomeFlag,
} from "./common/create-outcome";
import {
  isoOrNull,
  normalizeDerHex,
  parseDerCertificate,
  plainHex,
  thumbprintOf,
} from "./certificates/values";
import { checkConnectionInputs, FailureCollector, isUnknown } from "./common/check";
import { CONNECTION_SECRET_OUTPUTS, toConnectionArgs, type ConnectionInputs } from "./common/connection";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "./common/delegate";
import { diffInputs } from "./common/diff";
import { logInfo, logWarning } from "./common/log";
import {
  connectionProps,
  DYNAMIC_MODULE,
  objectId,
  withSecretOutputs,
  type ConnectionArgs,
  resourceProps,
  DynamicResource,
} from "./common/resource";

export interface TrustedCertificateInputs extends ConnectionInputs {
  /** Certificate name in master: 1-128 characters, no `\`. The managed instance's must be its FQDN. */
  name: string;
  /** The DER certificate, `0x` + hex (check stores it upper-case with the prefix). */
  publicKey: string;
  /** DNS name pattern to trust this certificate as issuer for (sp_certificate_add_issuer). Default none. */
  trustedIssuerFor?: string;
  /** Validate the chain (sp_validate_certificate_ca_chain) after import and on every read. Default false. */
  validateChain?: boolean;
  /**
   * Drop the certificate on delete when this resource imported it. Default true. A trusted issuer
   * is dropped only when no certificate or link relies on it any more.
   */
  dropOnDelete?: boolean;
}

export interface TrustedCertificateOutputs extends TrustedCertificateInputs, CreateOutcomeFlag {
  certificateId: number;
  /** SHA-1 of the DER: upper-case hex, no prefix. */
  thumbprint: string;
  subject: string | null;
  issuer: string | null;
  /** ISO timestamp. */
  expiryDate: string | null;
  /** The certificate existed before this resource: it is left in place on delete. */
  adopted: boolean;
  /** The chain validated at the last create, update or read; null when `validateChain` is off. */
  chainValid: boolean | null;
}

const SECRET_OUTPUTS = [...CONNECTION_SECRET_OUTPUTS];
const REPLACE_ON = ["name", "publicKey"];

export class TrustedCertificateProvider implements pulumi.dynamic.ResourceProvider {
  async check(
    _olds: TrustedCertificateInputs,
    news: TrustedCertificateInputs,
  ): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    checkConnectionInputs(news, collector);
    const inputs = { ...news };
    collector.check("name", inputs.name, (name) => validateCertificateName(name, "name"));
    if (inputs.publicKey === undefined) {
      collector.add("publicKey", "is required: the DER certificate to import, as 0x followed by hex digits");
    } else if (!isUnknown(inputs.publicKey)) {
      const before = collector.failures.length;
      collector.check("publicKey", inputs.publicKey, (blob) => parseDerCertificate(blob, "publicKey"));
      if (collector.failures.length === before) inputs.publicKey = normalizeDerHex(inputs.publicKey);
    }
    if (inputs.trustedIssuerFor !== undefined) {
      collector.check("trustedIssuerFor", inputs.trustedIssuerFor, (dnsName) =>
        buildAddIssuerSql("issuer", dnsName),
      );
    }
    for (const flag of ["validateChain", "dropOnDelete"] as const) {
      collector.require(
        flag,
        inputs[flag],
        inputs[flag] === undefined || typeof inputs[flag] === "boolean",
        "must be true or false",
      );
    }
    // The DNS name check reports the builder's field; name the property instead.
    for (const failure of collector.failures) {
      failure.reason = failure.reason.replace(/^Invalid dnsName:/, "Invalid trustedIssuerFor:");
    }
    return { inputs, failures: collector.failures };
  }

  async diff(
    _id: string,
    olds: TrustedCertificateOutputs,
    news: TrustedCertificateInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    const outcome = diffInputs(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      { replaceOn: REPLACE_ON },
    );
    return keepUnfinishedCreate(olds, {
      changes: outcome.changes,
      replaces: outcome.replaces,
      // The same name cannot exist twice, nor can the same DER under two names.
      deleteBeforeReplace: outcome.replaces.length > 0,
    });
  }

  async create(inputs: TrustedCertificateInputs): Promise<pulumi.dynamic.CreateResult> {
    const outs = await this.createOrFinish(inputs, false);
    return { id: objectId(inputs.connection, "certificate", inputs.name), outs };
  }

  /**
   * Imports the certificate, or adopts the same DER under the same name. `finishing`: a previous
   * create's reply was lost, so the certificate found now is the one that create imported.
   */
  private async createOrFinish(
    inputs: TrustedCertificateInputs,
    finishing: boolean,
  ): Promise<TrustedCertificateOutputs> {
    const publicKey = normalizeDerHex(inputs.publicKey);
    const id = objectId(inputs.connection, "certificate", inputs.name);
    return withServerConnection(toConnectionArgs(inputs), async (pool) => {
      const existing = await readCertificate(pool, inputs.name);
      if (existing && plainHex(existing.publicKey) !== plainHex(publicKey)) {
        throw new Error(
          `Certificate [${inputs.name}] already exists in master with another certificate ` +
            `(thumbprint ${plainHex(existing.thumbprint)}, subject "${existing.subject ?? ""}"), not the ` +
            `given one (thumbprint ${thumbprintOf(publicKey)}). If the existing one is stale (e.g. the ` +
            `managed instance's certificate was renewed), drop it (DROP CERTIFICATE [${inputs.name}]) and ` +
            `run again; otherwise give this resource the existing certificate's DER as publicKey.`,
        );
      }
      if (!existing) {
        await refuseCopyUnderAnotherName(pool, inputs.name, publicKey);
        await runCreateStatement(`certificate [${inputs.name}]`, id, { ...inputs, publicKey }, () =>
          runStatement(pool, buildCreateCertificateFromBinarySql(inputs.name, publicKey), undefined, {
            action: "import the certificate",
            object: `[${inputs.name}]`,
          }),
        );
      }
      const ours = !existing || finishing;
      try {
        if (inputs.trustedIssuerFor) await addIssuer(pool, inputs.name, inputs.trustedIssuerFor);
        const chainValid = inputs.validateChain ? await requireValidChain(pool, inputs.name) : null;
        const certificate = await readCertificate(pool, inputs.name);
        if (!certificate)
          throw new Error(`Certificate [${inputs.name}] was imported but cannot be read back.`);
        return outputsFrom({ ...inputs, publicKey }, certificate, !ours, chainValid);
      } catch (error) {
        // A certificate imported by this stack goes again, so a re-run starts from the same place
        // instead of adopting it (adopted certificates are never dropped).
        if (ours) await dropQuietly(pool, inputs.name);
        throw error;
      }
    });
  }

  async read(id: string, props: TrustedCertificateOutputs): Promise<pulumi.dynamic.ReadResult> {
    return withServerConnection(toConnectionArgs(props), async (pool) => {
      const certificate = await readCertificate(pool, props.name);
      if (!certificate) return { id: "", props: {} };
      const chainValid = props.validateChain
        ? ((await validateCertificateChain(pool, props.name))?.valid ?? false)
        : null;
      return { id, props: outputsFrom(props, certificate, props.adopted, chainValid) };
    });
  }

  async update(
    _id: string,
    olds: TrustedCertificateOutputs,
    news: TrustedCertificateInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    // A create whose reply was lost is finished: the certificate is imported or found, and is the stack's.
    if (createOutcomeUnknown(olds)) return { outs: await this.createOrFinish(news, true) };
    const { changed } = diffInputs(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      { replaceOn: REPLACE_ON },
    );
    const issuerChanged = changed.includes("trustedIssuerFor");
    const validate = news.validateChain === true && (issuerChanged || changed.includes("validateChain"));
    let chainValid = news.validateChain ? olds.chainValid : null;
    if (issuerChanged || validate) {
      chainValid = await withServerConnection(toConnectionArgs(news), async (pool) => {
        if (issuerChanged && news.trustedIssuerFor) await addIssuer(pool, news.name, news.trustedIssuerFor);
        return validate ? requireValidChain(pool, news.name) : chainValid;
      });
    }
    if (issuerChanged && olds.trustedIssuerFor) {
      logWarning(
        `Certificate [${news.name}] stays a trusted issuer for ${olds.trustedIssuerFor}: SQL Server has no ` +
          `statement to remove that binding; it goes when the certificate is dropped.`,
      );
    }
    return {
      outs: {
        ...news,
        publicKey: olds.publicKey,
        certificateId: olds.certificateId,
        thumbprint: olds.thumbprint,
        subject: olds.subject,
        issuer: olds.issuer,
        expiryDate: olds.expiryDate,
        adopted: olds.adopted,
        chainValid,
      },
    };
  }

  async delete(_id: string, props: TrustedCertificateOutputs): Promise<void> {
    if (props.adopted || props.dropOnDelete === false) return;
    await withServerConnection(toConnectionArgs(props), async (pool) => {
      const certificate = await recordedCertificate(pool, props.name, props.thumbprint);
      if (!certificate) return;
      const endpoint = await endpointUsing(pool, certificate);
      if (endpoint) {
        logWarning(
          `Certificate [${props.name}] is used by the database mirroring endpoint [${endpoint}]; it was left in place.`,
        );
        return;
      }
      if (props.trustedIssuerFor) {
        const reliedOnBy = await issuerReliedOnBy(pool, props.name, props.trustedIssuerFor);
        if (reliedOnBy) {
          logInfo(
            `Certificate [${props.name}] was left in place: it is the trusted issuer for ` +
              `${props.trustedIssuerFor} of ${reliedOnBy}. It goes with the last of them.`,
          );
          return;
        }
      }
      await dropQuietly(pool, props.name, true);
    });
  }
}

/** What still relies on the trusted issuer `name`, for a message; undefined when nothing does. */
async function issuerReliedOnBy(
  pool: Parameters<typeof readIssuerDependents>[0],
  name: string,
  dnsPattern: string,
): Promise<string | undefined> {
  const { certificates, distributedGroups } = await readIssuerDependents(pool, name, dnsPattern);
  const parts = [
    ...(certificates.length > 0 ? [`certificate ${certificates.map((c) => `[${c}]`).join(", ")}`] : []),
    ...(distributedGroups.length > 0
      ? [`distributed availability group ${distributedGroups.map((g) => `[${g}]`).join(", ")}`]
      : []),
  ];
  return parts.length > 0 ? parts.join(" and ") : undefined;
}

function outputsFrom(
  inputs: TrustedCertificateInputs,
  certificate: CertificateInfo,
  adopted: boolean,
  chainValid: boolean | null,
): TrustedCertificateOutputs {
  return {
    ...inputs,
    // What SQL Server holds, so a certificate swapped outside Pulumi shows as a publicKey change.
    publicKey: certificate.publicKey ? normalizeDerHex(certificate.publicKey) : inputs.publicKey,
    certificateId: certificate.certificateId,
    thumbprint: plainHex(certificate.thumbprint),
    subject: certificate.subject,
    issuer: certificate.issuer,
    expiryDate: isoOrNull(certificate.expiryDate),
    adopted,
    chainValid,
  };
}

/** The implementation, loaded by the dynamic-provider host through {@link trustedCertificateProvider}. */
export const trustedCertificateOperations: ProviderOperations = new TrustedCertificateProvider();

/** The provider every resource of this class registers (its source, written once). */
export const trustedCertificateProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/trusted-certificate.js`,
  "trustedCertificateOperations",
);

export interface TrustedCertificateArgs extends ConnectionArgs {
  /** Certificate name in master (no `\`). For the managed instance's certificate: exactly its FQDN. Required. */
  name: pulumi.Input<string>;
  /** The DER certificate as `0x` + hex. Required; changing it replaces the certificate. */
  publicKey: pulumi.Input<string>;
  /** DNS name pattern to trust the certificate as issuer for, e.g. `*.database.windows.net`. Default: none. */
  trustedIssuerFor?: pulumi.Input<string>;
  /** Validate the certificate's chain after import and on refresh (`chainValid`). Default false. */
  validateChain?: pulumi.Input<boolean>;
  /**
   * Drop the certificate on delete when this resource imported it. Default true. A trusted issuer
   * (`trustedIssuerFor`) is dropped only when no other certificate matching its DNS name pattern
   * (another managed instance's) and no distributed availability group with a member there remain.
   * An adopted certificate is never dropped.
   */
  dropOnDelete?: pulumi.Input<boolean>;
}

/**
 * A public certificate in master that SQL Server trusts. An existing certificate of the same
 * name and DER is adopted; the same name with another DER is a conflict.
 */
export class TrustedCertificate extends DynamicResource {
  public readonly name!: pulumi.Output<string>;
  public readonly publicKey!: pulumi.Output<string>;
  public readonly certificateId!: pulumi.Output<number>;
  /** SHA-1 of the DER, upper-case hex. */
  public readonly thumbprint!: pulumi.Output<string>;
  public readonly subject!: pulumi.Output<string | null>;
  public readonly issuer!: pulumi.Output<string | null>;
  /** ISO timestamp. */
  public readonly expiryDate!: pulumi.Output<string | null>;
  /** The certificate existed before this resource and is left in place on delete. */
  public readonly adopted!: pulumi.Output<boolean>;
  /** Whether the chain validated (null when `validateChain` is off). */
  public readonly chainValid!: pulumi.Output<boolean | null>;

  constructor(name: string, args: TrustedCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      trustedCertificateProvider,
      name,
      resourceProps(
        {
          ...connectionProps(args),
          name: args.name,
          publicKey: args.publicKey,
          trustedIssuerFor: args.trustedIssuerFor,
          validateChain: args.validateChain,
          dropOnDelete: args.dropOnDelete,
        },
        [
          "certificateId",
          "thumbprint",
          "subject",
          "issuer",
          "expiryDate",
          "adopted",
          "chainValid",
          "name",
          "publicKey",
        ],
      ),
      withSecretOutputs(opts, SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "TrustedCertificate",
    );
  }
}
