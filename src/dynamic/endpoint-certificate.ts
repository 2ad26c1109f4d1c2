/**
 * The SQL Server certificate that authenticates the database mirroring
 * endpoint, its private key encrypted by the database master key of master.
 * Its public key (`publicKey`, the DER) is what the managed instance is given
 * to trust SQL Server.
 *
 * Changing `name`, `subject`, `expiryDate` or `startDate` replaces the
 * certificate. While the endpoint still uses it the delete stops with a clear
 * error, so rotation never replaces a certificate in place: SqlServerTrust
 * creates the next generation as another resource under another name, switches
 * the endpoint to it, and the old resource is deleted at the end of the `up`.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  parseCertificate,
  readCertificate,
  runStatementThenRead,
  withServerConnection,
  type CertificateInfo,
} from "../sql";
import { CERTIFICATE_QUERY } from "../tsql/queries/certificate";
import {
  buildCreateEndpointCertificateSql,
  buildDropCertificateSql,
  formatCertificateDate,
  quoteString,
  TsqlInputError,
  validateCertificateName,
} from "../tsql";
import { calendarDay, isoOrNull, plainHex } from "./certificates/values";
import { endpointUsing, recordedCertificate } from "./certificates/usage";
import {
  createOutcomeUnknown,
  keepUnfinishedCreate,
  partiallyCreated,
  runCreateStatement,
  type CreateOutcomeFlag,
} from "./common/create-outcome";
import { checkConnectionInputs, FailureCollector, isUnknown } from "./common/check";
import { CONNECTION_SECRET_OUTPUTS, toConnectionArgs, type ConnectionInputs } from "./common/connection";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "./common/delegate";
import { diffInputs } from "./common/diff";
import { dropUnlessGone } from "./common/drop";
import {
  connectionProps,
  DYNAMIC_MODULE,
  objectId,
  withSecretOutputs,
  type ConnectionArgs,
  resourceProps,
  DynamicResource,
} from "./common/resource";

export interface EndpointCertificateInputs extends ConnectionInputs {
  /** Certificate name in master: 1-128 characters, no `\` and no NUL. */
  name: string;
  /** Default `Certificate for <name>` (filled in by check). */
  subject?: string;
  /** Last day of validity, `YYYY-MM-DD`; must be in the future. */
  expiryDate: string;
  /** First day of validity, `YYYY-MM-DD`. Default: now (SQL Server's default). */
  startDate?: string;
  /** Drop the certificate on delete even when it existed before. Default false. */
  dropAdoptedOnDelete?: boolean;
}

export interface EndpointCertificateOutputs extends EndpointCertificateInputs, CreateOutcomeFlag {
  subject: string;
  certificateId: number;
  /** The DER public certificate (CERTENCODED): `0x` + upper-case hex. */
  publicKey: string;
  /** SHA-1 of the DER: upper-case hex, no prefix. */
  thumbprint: string;
  /** As SQL Server reports it: ISO timestamps (the input days until the first read). */
  startDate: string;
  expiryDate: string;
  /** The certificate existed before this resource: it is left in place on delete. */
  adopted: boolean;
}

const SECRET_OUTPUTS = [...CONNECTION_SECRET_OUTPUTS];
const REPLACE_ON = ["name", "subject", "expiryDate", "startDate"];

/** The subject a certificate gets when none is given. */
export function defaultEndpointCertificateSubject(name: string): string {
  return `Certificate for ${name}`;
}

export class EndpointCertificateProvider implements pulumi.dynamic.ResourceProvider {
  async check(
    _olds: EndpointCertificateInputs,
    news: EndpointCertificateInputs,
  ): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    checkConnectionInputs(news, collector);
    const inputs = { ...news };
    const nameFailures = collector.failures.length;
    collector.check("name", inputs.name, (name) => validateCertificateName(name, "name"));
    const nameValid = collector.failures.length === nameFailures && !isUnknown(inputs.name);
    if (inputs.subject === undefined && nameValid) {
      inputs.subject = defaultEndpointCertificateSubject(inputs.name);
    }
    if (inputs.subject !== undefined) collector.check("subject", inputs.subject, checkSubject);
    if (inputs.expiryDate === undefined) {
      collector.add("expiryDate", "is required: the last day the certificate is valid, as YYYY-MM-DD");
    } else {
      collector.check("expiryDate", inputs.expiryDate, (day) => checkFutureDay(day, "expiryDate"));
    }
    if (inputs.startDate !== undefined) {
      collector.check("startDate", inputs.startDate, (day) => formatCertificateDate(day, "startDate"));
    }
    if (
      collector.failures.length === 0 &&
      ![inputs.name, inputs.subject, inputs.expiryDate, inputs.startDate].some(isUnknown)
    ) {
      // The builder checks what spans fields (the start before the expiry) exactly as create will.
      collector.check("expiryDate", inputs, (spec: EndpointCertificateInputs) =>
        buildCreateEndpointCertificateSql({ ...spec, subject: spec.subject ?? "" }),
      );
    }
    return { inputs, failures: collector.failures };
  }

  async diff(
    _id: string,
    olds: EndpointCertificateOutputs,
    news: EndpointCertificateInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    // Dates compare by calendar day: state holds SQL Server's timestamps, inputs hold days.
    // A start date left to SQL Server's default never counts as a change.
    const dayOr = (value: unknown) => calendarDay(value) ?? value;
    const outcome = diffInputs(
      {
        ...olds,
        expiryDate: dayOr(olds.expiryDate),
        startDate: news.startDate === undefined ? undefined : dayOr(olds.startDate),
      } as unknown as Record<string, unknown>,
      { ...news, expiryDate: dayOr(news.expiryDate), startDate: dayOr(news.startDate) } as unknown as Record<
        string,
        unknown
      >,
      { replaceOn: REPLACE_ON },
    );
    return keepUnfinishedCreate(olds, {
      changes: outcome.changes,
      replaces: outcome.replaces,
      // The same name cannot exist twice: the old certificate must go first.
      deleteBeforeReplace: outcome.replaces.length > 0 && !outcome.changed.includes("name"),
    });
  }

  async create(inputs: EndpointCertificateInputs): Promise<pulumi.dynamic.CreateResult> {
    const outs = await this.createOrFinish(inputs, false);
    return { id: objectId(inputs.connection, "certificate", inputs.name), outs };
  }

  /**
   * Creates the certificate, or adopts a matching one. `finishing`: a previous create's reply was
   * lost, so a matching certificate found now is the one that create made (not adopted).
   */
  private async createOrFinish(
    inputs: EndpointCertificateInputs,
    finishing: boolean,
  ): Promise<EndpointCertificateOutputs> {
    const subject = inputs.subject ?? defaultEndpointCertificateSubject(inputs.name);
    const id = objectId(inputs.connection, "certificate", inputs.name);
    return withServerConnection(toConnectionArgs(inputs), async (pool) => {
      const existing = await readCertificate(pool, inputs.name);
      if (existing) {
        const conflict = adoptionConflict(existing, { ...inputs, subject });
        if (conflict) throw new Error(conflict);
        return outputsFrom({ ...inputs, subject }, existing, !finishing);
      }
      // CREATE and the read of the new certificate share one round trip.
      const partial = { ...inputs, subject };
      const sets = await runCreateStatement(
        `certificate [${inputs.name}]`,
        id,
        partial,
        () =>
          runStatementThenRead(
            pool,
            buildCreateEndpointCertificateSql(partial),
            CERTIFICATE_QUERY,
            { name: inputs.name },
            { action: "create the endpoint certificate", object: `[${inputs.name}]` },
          ),
        async () => (await readCertificate(pool, inputs.name)) !== null,
      );
      const [createdRow] = sets[0] ?? [];
      const created = createdRow ? parseCertificate(createdRow) : null;
      if (!created) {
        const error = new Error(`Certificate [${inputs.name}] was created but cannot be read back.`);
        throw partiallyCreated(error, id, { ...partial, adopted: false, createOutcomeUnknown: true });
      }
      return outputsFrom(partial, created, false);
    });
  }

  async read(id: string, props: EndpointCertificateOutputs): Promise<pulumi.dynamic.ReadResult> {
    const certificate = await withServerConnection(toConnectionArgs(props), (pool) =>
      readCertificate(pool, props.name),
    );
    if (!certificate) return { id: "", props: {} };
    return { id, props: outputsFrom(props, certificate, props.adopted) };
  }

  async update(
    _id: string,
    olds: EndpointCertificateOutputs,
    news: EndpointCertificateInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    // A create whose reply was lost is finished: the certificate is made or found, and is the stack's.
    if (createOutcomeUnknown(olds)) return { outs: await this.createOrFinish(news, true) };
    // Everything that reaches SQL Server replaces; what is left (connection, credentials,
    // dropAdoptedOnDelete) is only stored.
    return {
      outs: {
        ...news,
        subject: olds.subject,
        certificateId: olds.certificateId,
        publicKey: olds.publicKey,
        thumbprint: olds.thumbprint,
        startDate: olds.startDate,
        expiryDate: olds.expiryDate,
        adopted: olds.adopted,
      },
    };
  }

  async delete(_id: string, props: EndpointCertificateOutputs): Promise<void> {
    if (props.adopted && !props.dropAdoptedOnDelete) return;
    await withServerConnection(toConnectionArgs(props), async (pool) => {
      const certificate = await recordedCertificate(pool, props.name, props.thumbprint);
      if (!certificate) return;
      const endpoint = await endpointUsing(pool, certificate);
      if (endpoint) {
        throw new Error(
          `Cannot drop certificate [${props.name}]: the database mirroring endpoint [${endpoint}] still ` +
            `authenticates with it. Drop the endpoint, or switch it to another certificate ` +
            `(ALTER ENDPOINT [${endpoint}] FOR DATABASE_MIRRORING (AUTHENTICATION = CERTIFICATE [<new>])), then run again.`,
        );
      }
      await dropUnlessGone(pool, buildDropCertificateSql(props.name), {
        action: "drop the endpoint certificate",
        object: `[${props.name}]`,
      });
    });
  }
}

function checkSubject(subject: unknown): void {
  quoteString(subject, "subject");
  if ((subject as string).trim().length === 0) {
    throw new TsqlInputError(
      "subject",
      "is empty",
      'Give the certificate a subject, or leave it out for "Certificate for <name>".',
    );
  }
}

/** A valid day after today (UTC): a certificate that expires today or earlier is useless to the link. */
function checkFutureDay(value: unknown, field: string): void {
  const day = formatCertificateDate(value as string, field);
  const today = formatCertificateDate(new Date(), field);
  if (day <= today) {
    throw new TsqlInputError(
      field,
      `${String(value)} is not in the future`,
      "Choose a later day, e.g. one year from now.",
    );
  }
}

/**
 * Why an existing certificate of the same name cannot be adopted, or null when it can: the
 * endpoint needs a private key encrypted by the master key, and the certificate must be the
 * one described (subject, expiry day, start day when given). A different expiry is a conflict,
 * not an adoption with other dates: adopting it would make every later preview propose a
 * replacement nobody asked for. The message gives the value that adopts it instead.
 */
function adoptionConflict(
  existing: CertificateInfo,
  wanted: EndpointCertificateInputs & { subject: string },
): string | null {
  const where = `Certificate [${existing.name}] already exists in master`;
  const remedy = `Drop it (DROP CERTIFICATE [${existing.name}]) if nothing uses it, or give this resource another name.`;
  if (existing.privateKeyEncryption !== "MK") {
    const how = existing.privateKeyEncryptionDescription ?? existing.privateKeyEncryption;
    return `${where} but its private key is ${how}, not ENCRYPTED_BY_MASTER_KEY: the endpoint cannot use it. ${remedy}`;
  }
  if ((existing.subject ?? "") !== wanted.subject) {
    return `${where} with subject "${existing.subject ?? ""}", not "${wanted.subject}". Set subject to "${existing.subject ?? ""}" to adopt it. ${remedy}`;
  }
  const expiry = calendarDay(existing.expiryDate ?? undefined);
  if (expiry !== calendarDay(wanted.expiryDate)) {
    return `${where} expiring on ${dashed(expiry)}, not ${wanted.expiryDate}. Set expiryDate to "${dashed(expiry)}" to adopt it. ${remedy}`;
  }
  const start = calendarDay(existing.startDate ?? undefined);
  if (wanted.startDate !== undefined && start !== calendarDay(wanted.startDate)) {
    return `${where} valid from ${dashed(start)}, not ${wanted.startDate}. Set startDate to "${dashed(start)}" (or leave it out) to adopt it. ${remedy}`;
  }
  return null;
}

function dashed(day: string | undefined): string {
  return day ? `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6, 8)}` : "(none)";
}

function outputsFrom(
  inputs: EndpointCertificateInputs,
  certificate: CertificateInfo,
  adopted: boolean,
): EndpointCertificateOutputs {
  return {
    ...inputs,
    subject: certificate.subject ?? "",
    certificateId: certificate.certificateId,
    publicKey: certificate.publicKey ?? "",
    thumbprint: plainHex(certificate.thumbprint),
    startDate: isoOrNull(certificate.startDate) ?? "",
    expiryDate: isoOrNull(certificate.expiryDate) ?? "",
    adopted,
  };
}

/** The implementation, loaded by the dynamic-provider host through {@link endpointCertificateProvider}. */
export const endpointCertificateOperations: ProviderOperations = new EndpointCertificateProvider();

/** The provider every resource of this class registers (its source, written once). */
export const endpointCertificateProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/endpoint-certificate.js`,
  "endpointCertificateOperations",
);

export interface EndpointCertificateArgs extends ConnectionArgs {
  /**
   * Certificate name in master (1-128 characters, no `\`). Required; the component derives it
   * from `@@SERVERNAME` with `defaultEndpointCertificateName`.
   */
  name: pulumi.Input<string>;
  /** Certificate subject. Default `Certificate for <name>`. */
  subject?: pulumi.Input<string>;
  /** Last day of validity, `YYYY-MM-DD`, in the future. Required. */
  expiryDate: pulumi.Input<string>;
  /** First day of validity, `YYYY-MM-DD`. Default: the moment of creation. */
  startDate?: pulumi.Input<string>;
  /** Drop the certificate on delete even when it existed before this resource. Default false. */
  dropAdoptedOnDelete?: pulumi.Input<boolean>;
}

/**
 * The certificate the database mirroring endpoint authenticates with. An existing certificate
 * with the same name, subject and expiry day and a private key encrypted by the master key is
 * adopted (and left in place on delete); any other existing certificate of that name is a conflict.
 */
export class EndpointCertificate extends DynamicResource {
  public readonly name!: pulumi.Output<string>;
  public readonly subject!: pulumi.Output<string>;
  public readonly certificateId!: pulumi.Output<number>;
  /** The DER public certificate, `0x` + upper-case hex: what the managed instance is given. */
  public readonly publicKey!: pulumi.Output<string>;
  /** SHA-1 of the DER, upper-case hex. */
  public readonly thumbprint!: pulumi.Output<string>;
  /** ISO timestamp, as SQL Server reports it. */
  public readonly startDate!: pulumi.Output<string>;
  /** ISO timestamp, as SQL Server reports it. */
  public readonly expiryDate!: pulumi.Output<string>;
  /** The certificate existed before this resource and is left in place on delete. */
  public readonly adopted!: pulumi.Output<boolean>;

  constructor(name: string, args: EndpointCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      endpointCertificateProvider,
      name,
      resourceProps(
        {
          ...connectionProps(args),
          name: args.name,
          subject: args.subject,
          expiryDate: args.expiryDate,
          startDate: args.startDate,
          dropAdoptedOnDelete: args.dropAdoptedOnDelete,
        },
        ["certificateId", "publicKey", "thumbprint", "adopted", "name", "subject", "startDate", "expiryDate"],
      ),
      withSecretOutputs(opts, SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "EndpointCertificate",
    );
  }
}
