/**
 * LinkCertificateCheck: proof, before an old endpoint certificate is removed, that the link is
 * CONNECTED while SQL Server's mirroring endpoint authenticates with `certificateName`. Its input
 * is the certificate's name, so a rotation re-runs it (an update), after the endpoint switched and
 * before the engine deletes the previous generation at the end of the up. When the proof fails the
 * up stops there, the old certificate is still on both sides, and the error says what SQL Server saw.
 * Nothing is changed on SQL Server.
 */
import * as pulumi from "@pulumi/pulumi";
import { readEndpointAndLinkState, withConnection } from "../../sql";
import { validateCertificateName, validateDagName } from "../../tsql";
import { validateUserDatabase } from "../availability-group-inputs";
import { checkConnectionInputs, FailureCollector } from "../common/check";
import { CONNECTION_SECRET_OUTPUTS, toConnectionArgs, type ConnectionInputs } from "../common/connection";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "../common/delegate";
import { diffInputs } from "../common/diff";
import { logInfo } from "../common/log";
import {
  connectionProps,
  DYNAMIC_MODULE,
  objectId,
  withSecretOutputs,
  type ConnectionArgs,
  resourceProps,
} from "../common/resource";
import { observeLink } from "../link-readiness-evidence";

export interface LinkCertificateCheckInputs extends ConnectionInputs {
  dagName: string;
  database: string;
  /** The endpoint certificate the link must be connected with. */
  certificateName: string;
  /** Default 600. */
  timeoutSeconds?: number;
  /** Default 1; at least 1. */
  pollIntervalSeconds?: number;
}

export interface LinkCertificateCheckOutputs extends LinkCertificateCheckInputs {
  /** CONNECTED once verified. */
  connectedState: string;
  /** When the link was seen connected with the certificate (ISO 8601). */
  verifiedAt: string;
}

const DEFAULT_TIMEOUT_SECONDS = 600;

/** What one observation found: the endpoint's certificate and the managed instance's connection. */
interface Seen {
  endpointCertificate: string | null;
  connectedState: string | null;
  error: string | null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sameName(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

export class LinkCertificateCheckProvider implements pulumi.dynamic.ResourceProvider {
  async check(
    _olds: LinkCertificateCheckInputs,
    news: LinkCertificateCheckInputs,
  ): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    checkConnectionInputs(news, collector);
    collector.check("dagName", news.dagName, (v) => validateDagName(v, "dagName"));
    collector.check("database", news.database, (v) => validateUserDatabase(v, "database"));
    collector.check("certificateName", news.certificateName, (v) =>
      validateCertificateName(v, "certificateName"),
    );
    collector.require(
      "timeoutSeconds",
      news.timeoutSeconds,
      news.timeoutSeconds == null || (Number.isFinite(news.timeoutSeconds) && news.timeoutSeconds > 0),
      `must be a positive number of seconds (default ${DEFAULT_TIMEOUT_SECONDS})`,
    );
    collector.require(
      "pollIntervalSeconds",
      news.pollIntervalSeconds,
      news.pollIntervalSeconds == null ||
        (Number.isFinite(news.pollIntervalSeconds) && news.pollIntervalSeconds >= 1),
      "must be at least 1 second (default 1)",
    );
    return { inputs: news, failures: collector.failures };
  }

  async diff(
    _id: string,
    olds: LinkCertificateCheckOutputs,
    news: LinkCertificateCheckInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    // Any change re-verifies in place: nothing exists on SQL Server to replace.
    const outcome = diffInputs(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      { replaceOn: [] },
    );
    return { changes: outcome.changes, replaces: [], deleteBeforeReplace: false };
  }

  async create(inputs: LinkCertificateCheckInputs): Promise<pulumi.dynamic.CreateResult> {
    const outs = await verify(inputs);
    return { id: objectId(inputs.connection, "link-certificate", inputs.dagName), outs };
  }

  async read(id: string, props: LinkCertificateCheckOutputs): Promise<pulumi.dynamic.ReadResult> {
    // A past proof: it stays as recorded until the certificate changes again.
    return { id, props };
  }

  async update(
    _id: string,
    _olds: LinkCertificateCheckOutputs,
    news: LinkCertificateCheckInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: await verify(news) };
  }

  async delete(): Promise<void> {
    // An observation: there is nothing to remove.
  }
}

/** Polls until the endpoint uses the certificate and the managed instance is CONNECTED, or fails. */
async function verify(inputs: LinkCertificateCheckInputs): Promise<LinkCertificateCheckOutputs> {
  const timeoutSeconds = inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const intervalMs = Math.max(1, inputs.pollIntervalSeconds ?? 1) * 1000;
  const deadline = Date.now() + timeoutSeconds * 1000;
  const label = `Link [${inputs.dagName}] (database [${inputs.database}])`;
  return withConnection(toConnectionArgs(inputs), async (pool) => {
    for (;;) {
      const polledAt = Date.now();
      // The endpoint and the link are observed in one round trip.
      const { endpoint, link } = await readEndpointAndLinkState(pool, inputs.dagName);
      const observation = observeLink(link, inputs.database);
      const seen: Seen = {
        endpointCertificate: endpoint?.authentication.certificateName ?? null,
        connectedState: observation.connectedState,
        error:
          observation.lastConnectErrorNumber === null
            ? null
            : `${observation.lastConnectErrorNumber}: ${observation.lastConnectErrorDescription ?? ""}`,
      };
      if (sameName(seen.endpointCertificate, inputs.certificateName) && seen.connectedState === "CONNECTED") {
        logInfo(`${label} is CONNECTED with the endpoint certificate [${inputs.certificateName}].`);
        return { ...inputs, connectedState: "CONNECTED", verifiedAt: new Date().toISOString() };
      }
      const next = polledAt + intervalMs;
      if (next >= deadline) throw new Error(failureMessage(label, inputs, seen, timeoutSeconds));
      await sleep(next - Date.now());
    }
  });
}

function failureMessage(
  label: string,
  inputs: LinkCertificateCheckInputs,
  seen: Seen,
  timeoutSeconds: number,
): string {
  const endpoint = seen.endpointCertificate
    ? `the mirroring endpoint authenticates with [${seen.endpointCertificate}]`
    : "the mirroring endpoint does not authenticate with a certificate";
  const state = `the managed instance is ${seen.connectedState ?? "not a member"}${seen.error ? ` (last error ${seen.error})` : ""}`;
  return (
    `${label} was not CONNECTED with the endpoint certificate [${inputs.certificateName}] within ` +
    `${timeoutSeconds}s: ${endpoint}, ${state}. The previous certificate was kept on both sides. ` +
    `Check that [${inputs.certificateName}] is among the managed instance's server trust certificates ` +
    "(41973 means it is not), then run `pulumi up` again."
  );
}

/** The implementation, loaded by the dynamic-provider host through {@link linkCertificateCheckProvider}. */
export const linkCertificateCheckOperations: ProviderOperations = new LinkCertificateCheckProvider();

/** One provider instance per class: Pulumi serializes it once per program. */
export const linkCertificateCheckProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/certificates/link-certificate-check.js`,
  "linkCertificateCheckOperations",
);

export interface LinkCertificateCheckArgs extends ConnectionArgs {
  /** The link's distributed availability group on SQL Server. Required. */
  dagName: pulumi.Input<string>;
  /** The replicated database. Required. */
  database: pulumi.Input<string>;
  /** The endpoint certificate the link must be connected with; a new name verifies again. Required. */
  certificateName: pulumi.Input<string>;
  /** How long to wait before failing with what SQL Server saw, in seconds. Default 600. */
  timeoutSeconds?: pulumi.Input<number>;
  /** Seconds between two observations; at least 1. Default 1. */
  pollIntervalSeconds?: pulumi.Input<number>;
}

/** Verifies that a link is CONNECTED while the endpoint uses a given certificate. */
export class LinkCertificateCheck extends pulumi.dynamic.Resource {
  /** CONNECTED once verified. */
  public readonly connectedState!: pulumi.Output<string>;
  /** When the link was seen connected with the certificate (ISO 8601). */
  public readonly verifiedAt!: pulumi.Output<string>;

  constructor(name: string, args: LinkCertificateCheckArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      linkCertificateCheckProvider,
      name,
      resourceProps(
        {
          ...connectionProps(args),
          dagName: args.dagName,
          database: args.database,
          certificateName: args.certificateName,
          timeoutSeconds: args.timeoutSeconds,
          pollIntervalSeconds: args.pollIntervalSeconds,
        },
        ["connectedState", "verifiedAt"],
      ),
      withSecretOutputs(opts, CONNECTION_SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "LinkCertificateCheck",
    );
  }
}
