/**
 * LinkCertificateCheck: proof, before an old endpoint certificate is removed, that every link of
 * a set is CONNECTED while SQL Server's mirroring endpoint authenticates with `certificateName`.
 * Its input is the certificate's name, so a rotation re-runs it (an update), after the endpoint
 * switched and before the engine deletes the previous generation at the end of the up. One
 * observation reads the endpoint and every link in one round trip, so MiLink checks all its links
 * with one resource. When the proof fails the up stops there, the old certificate is still on both
 * sides, and the error says what SQL Server saw. Nothing is changed on SQL Server.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import {
  readEndpointAndLinkConnections,
  withServerConnection,
  type EndpointAndLinkConnections,
} from "../../sql";
import { validateCertificateName, validateDagName } from "../../tsql";
import { validateUserDatabase } from "../availability-group-inputs";
import { checkConnectionInputs, FailureCollector, isUnknown } from "../common/check";
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
  DynamicResource,
} from "../common/resource";

/** One link: its distributed availability group on SQL Server and the replicated database. */
export interface CheckedLink {
  dagName: string;
  database: string;
}

export interface LinkCertificateCheckInputs extends ConnectionInputs {
  /** The links that must be connected with the certificate; at least one. */
  links: CheckedLink[];
  /** The endpoint certificate the links must be connected with. */
  certificateName: string;
  /** Default 600. */
  timeoutSeconds?: number;
  /** Default 1; at least 1. */
  pollIntervalSeconds?: number;
}

export interface LinkCertificateCheckOutputs extends LinkCertificateCheckInputs {
  /** CONNECTED once verified. */
  connectedState: string;
  /** When the links were seen connected with the certificate (ISO 8601). */
  verifiedAt: string;
}

const DEFAULT_TIMEOUT_SECONDS = 600;

/** What one observation found of one link: the managed instance's connection. */
interface SeenLink {
  link: CheckedLink;
  connectedState: string | null;
  error: string | null;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sameName(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

/** Each link as the observation saw it: the connection of its member that is not SQL Server. */
function seenLinks(observed: EndpointAndLinkConnections, links: readonly CheckedLink[]): SeenLink[] {
  return links.map((link) => {
    const remote = observed.links.get(link.dagName.toLowerCase())?.find((member) => !member.isLocal);
    const error = remote?.lastConnectError;
    return {
      link,
      connectedState: remote?.connectedState ?? null,
      error: error ? `${error.number ?? "?"}: ${error.description ?? ""}` : null,
    };
  });
}

/** A stable id for the set of links: the hash of their names. */
function linksId(links: readonly CheckedLink[]): string {
  const names = links.map((link) => link.dagName.toLowerCase()).sort();
  return createHash("sha1").update(names.join("\n")).digest("hex").slice(0, 12);
}

export class LinkCertificateCheckProvider implements pulumi.dynamic.ResourceProvider {
  async check(
    _olds: LinkCertificateCheckInputs,
    news: LinkCertificateCheckInputs,
  ): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    checkConnectionInputs(news, collector);
    if (!isUnknown(news.links)) {
      if (!Array.isArray(news.links) || news.links.length === 0) {
        collector.add("links", "must list at least one link ({ dagName, database })");
      } else {
        news.links.forEach((link, i) => {
          collector.check(`links[${i}].dagName`, link?.dagName, (v) =>
            validateDagName(v, `links[${i}].dagName`),
          );
          collector.check(`links[${i}].database`, link?.database, (v) =>
            validateUserDatabase(v, `links[${i}].database`),
          );
        });
      }
    }
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
    // Only a new certificate needs a new proof. A link added is proven by its own readiness, a link
    // removed needs none: the list alone is not a change, so adding or removing a database leaves this
    // resource alone. Other inputs (credentials, timeouts) are recorded without SQL.
    const outcome = diffInputs(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      { replaceOn: [] },
    );
    const changes = outcome.changed.some((key) => key !== "links");
    return { changes, replaces: [], deleteBeforeReplace: false };
  }

  async create(inputs: LinkCertificateCheckInputs): Promise<pulumi.dynamic.CreateResult> {
    const outs = await verify(inputs);
    return { id: objectId(inputs.connection, "link-certificate", linksId(inputs.links)), outs };
  }

  async read(id: string, props: LinkCertificateCheckOutputs): Promise<pulumi.dynamic.ReadResult> {
    // A past proof: it stays as recorded until the certificate changes again.
    return { id, props };
  }

  async update(
    _id: string,
    olds: LinkCertificateCheckOutputs,
    news: LinkCertificateCheckInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    if (olds.verifiedAt && sameName(olds.certificateName, news.certificateName)) {
      return { outs: { ...news, connectedState: olds.connectedState, verifiedAt: olds.verifiedAt } };
    }
    return { outs: await verify(news) };
  }

  async delete(): Promise<void> {
    // An observation: there is nothing to remove.
  }
}

/** Polls until the endpoint uses the certificate and every link is CONNECTED, or fails. */
async function verify(inputs: LinkCertificateCheckInputs): Promise<LinkCertificateCheckOutputs> {
  const timeoutSeconds = inputs.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const intervalMs = Math.max(1, inputs.pollIntervalSeconds ?? 1) * 1000;
  const deadline = Date.now() + timeoutSeconds * 1000;
  // The server lane: the check reads the endpoint, and it is the last step of the up, where the
  // databases' lane is still busy with their first log backups.
  return withServerConnection(toConnectionArgs(inputs), async (pool) => {
    for (;;) {
      const polledAt = Date.now();
      // The endpoint and every link are observed in one round trip.
      const observed = await readEndpointAndLinkConnections(pool);
      const endpointCertificate = observed.endpoint?.authentication.certificateName ?? null;
      const waiting = seenLinks(observed, inputs.links).filter((seen) => seen.connectedState !== "CONNECTED");
      if (sameName(endpointCertificate, inputs.certificateName) && waiting.length === 0) {
        logInfo(
          `${inputs.links.length === 1 ? "The link is" : `All ${inputs.links.length} links are`} CONNECTED ` +
            `with the endpoint certificate [${inputs.certificateName}].`,
        );
        return { ...inputs, connectedState: "CONNECTED", verifiedAt: new Date().toISOString() };
      }
      const next = polledAt + intervalMs;
      if (next >= deadline) {
        throw new Error(failureMessage(inputs, endpointCertificate, waiting, timeoutSeconds));
      }
      await sleep(next - Date.now());
    }
  });
}

function failureMessage(
  inputs: LinkCertificateCheckInputs,
  endpointCertificate: string | null,
  waiting: readonly SeenLink[],
  timeoutSeconds: number,
): string {
  const endpoint = endpointCertificate
    ? `the mirroring endpoint authenticates with [${endpointCertificate}]`
    : "the mirroring endpoint does not authenticate with a certificate";
  const states =
    waiting.length === 0
      ? "every link is CONNECTED"
      : waiting
          .map(
            (seen) =>
              `link [${seen.link.dagName}] (database [${seen.link.database}]): the managed instance is ` +
              `${seen.connectedState ?? "not a member"}${seen.error ? ` (last error ${seen.error})` : ""}`,
          )
          .join("; ");
  return (
    `The links were not CONNECTED with the endpoint certificate [${inputs.certificateName}] within ` +
    `${timeoutSeconds}s: ${endpoint}; ${states}. The previous certificate was kept on both sides. ` +
    `Check that [${inputs.certificateName}] is among the managed instance's server trust certificates ` +
    "(41973 means it is not), then run `pulumi up` again."
  );
}

/** The implementation, loaded by the dynamic-provider host through {@link linkCertificateCheckProvider}. */
export const linkCertificateCheckOperations: ProviderOperations = new LinkCertificateCheckProvider();

/** The provider every resource of this class registers (its source, written once). */
export const linkCertificateCheckProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/certificates/link-certificate-check.js`,
  "linkCertificateCheckOperations",
);

export interface LinkCertificateCheckArgs extends ConnectionArgs {
  /** The links (distributed availability group and database) to check; at least one. Required. */
  links: pulumi.Input<pulumi.Input<{ dagName: pulumi.Input<string>; database: pulumi.Input<string> }>[]>;
  /** The endpoint certificate the links must be connected with; a new name verifies again. Required. */
  certificateName: pulumi.Input<string>;
  /** How long to wait before failing with what SQL Server saw, in seconds. Default 600. */
  timeoutSeconds?: pulumi.Input<number>;
  /** Seconds between two observations; at least 1. Default 1. */
  pollIntervalSeconds?: pulumi.Input<number>;
}

/** Verifies that links are CONNECTED while the endpoint uses a given certificate. */
export class LinkCertificateCheck extends DynamicResource {
  /** CONNECTED once verified. */
  public readonly connectedState!: pulumi.Output<string>;
  /** When the links were seen connected with the certificate (ISO 8601). */
  public readonly verifiedAt!: pulumi.Output<string>;

  constructor(name: string, args: LinkCertificateCheckArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      linkCertificateCheckProvider,
      name,
      resourceProps(
        {
          ...connectionProps(args),
          links: args.links,
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
