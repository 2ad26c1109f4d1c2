/**
 * Waits, with its own deadline, until the managed instance has joined the link's distributed
 * availability group (CONNECTED) and the database replicates (SYNCHRONIZING or SYNCHRONIZED),
 * polling SQL Server with one catalog query at a time and reporting connection and seeding progress
 * as they change. The Pulumi engine ignores customTimeouts for dynamic resources, so the deadline
 * is an input. Nothing is changed on SQL Server: read observes again, delete does nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { readLinkState, withConnection } from "../sql";
import { validateDagName } from "../tsql";
import { validateUserDatabase } from "./availability-group-inputs";
import { checkConnectionInputs, checkFollowedIds, FailureCollector } from "./common/check";
import { CONNECTION_SECRET_OUTPUTS, toConnectionArgs, type ConnectionInputs } from "./common/connection";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "./common/delegate";
import { diffInputs } from "./common/diff";
import { logInfo } from "./common/log";
import {
  connectionProps,
  DYNAMIC_MODULE,
  objectId,
  withSecretOutputs,
  type ConnectionArgs,
  resourceProps,
  DynamicResource,
} from "./common/resource";
import {
  describeObservation,
  isReady,
  observeLink,
  READINESS_LEVELS,
  timeoutMessage,
  type LinkObservation,
  type LinkReadinessLevel,
} from "./link-readiness-evidence";

export interface LinkReadinessInputs extends ConnectionInputs {
  /** The link's distributed availability group on SQL Server. */
  dagName: string;
  database: string;
  /** Default "SYNCHRONIZING". */
  waitFor?: LinkReadinessLevel;
  /** Default 600. */
  timeoutSeconds?: number;
  /** Default 1; at least 1. */
  pollIntervalSeconds?: number;
  /** The Azure link's distributedAvailabilityGroupId: a new one is a new link, waited for again. */
  linkId?: string;
  /** The database's group_database_id in its availability group: a new one (it joined again) is waited for again. */
  groupDatabaseId?: string | null;
}

export interface LinkReadinessOutputs extends LinkReadinessInputs {
  connectedState: string | null;
  synchronizationState: string | null;
  seedingProgressPercent: number | null;
  lastHardenedLsn: string | null;
  /** When the state was observed (ISO 8601). */
  observedAt: string;
}

const MIN_POLL_SECONDS = 1;

function withDefaults(inputs: LinkReadinessInputs): LinkReadinessInputs {
  return {
    ...inputs,
    waitFor: inputs.waitFor ?? "SYNCHRONIZING",
    timeoutSeconds: inputs.timeoutSeconds ?? 600,
    pollIntervalSeconds: inputs.pollIntervalSeconds ?? MIN_POLL_SECONDS,
  };
}

function outputsOf(
  inputs: LinkReadinessInputs,
  observation: LinkObservation,
  at: Date,
): LinkReadinessOutputs {
  return {
    ...inputs,
    connectedState: observation.connectedState,
    synchronizationState: observation.synchronizationState,
    seedingProgressPercent: observation.seedingProgressPercent,
    lastHardenedLsn: observation.lastHardenedLsn,
    observedAt: at.toISOString(),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class LinkReadinessProvider implements pulumi.dynamic.ResourceProvider {
  async check(_olds: LinkReadinessInputs, news: LinkReadinessInputs): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    checkConnectionInputs(news, collector);
    collector.check("dagName", news.dagName, (v) => validateDagName(v, "dagName"));
    collector.check("database", news.database, (v) => validateUserDatabase(v, "database"));
    collector.require(
      "waitFor",
      news.waitFor,
      news.waitFor == null || READINESS_LEVELS.includes(news.waitFor),
      `must be one of ${READINESS_LEVELS.join(", ")} (default SYNCHRONIZING)`,
    );
    collector.require(
      "timeoutSeconds",
      news.timeoutSeconds,
      news.timeoutSeconds == null || (Number.isFinite(news.timeoutSeconds) && news.timeoutSeconds > 0),
      "must be a positive number of seconds (default 600)",
    );
    collector.require(
      "pollIntervalSeconds",
      news.pollIntervalSeconds,
      news.pollIntervalSeconds == null ||
        (Number.isFinite(news.pollIntervalSeconds) && news.pollIntervalSeconds >= MIN_POLL_SECONDS),
      `must be at least ${MIN_POLL_SECONDS} second (default 1): at most one query per second per link`,
    );
    checkFollowedIds(news, collector);
    return { inputs: withDefaults(news), failures: collector.failures };
  }

  async diff(
    _id: string,
    olds: LinkReadinessOutputs,
    news: LinkReadinessInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    // The waiting settings only matter while waiting: changing them sends nothing to SQL Server.
    const outcome = diffInputs(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      {
        replaceOn: ["dagName", "database"],
        replaceOnKnownChange: ["linkId", "groupDatabaseId"],
        recordedFirst: ["groupDatabaseId"],
      },
    );
    return { changes: outcome.changes, replaces: outcome.replaces, deleteBeforeReplace: false };
  }

  async create(raw: LinkReadinessInputs): Promise<pulumi.dynamic.CreateResult> {
    const inputs = withDefaults(raw);
    const level = inputs.waitFor ?? "SYNCHRONIZING";
    const timeoutSeconds = inputs.timeoutSeconds ?? 600;
    const intervalMs = Math.max(MIN_POLL_SECONDS, inputs.pollIntervalSeconds ?? MIN_POLL_SECONDS) * 1000;
    const deadline = Date.now() + timeoutSeconds * 1000;
    const label = `Link [${inputs.dagName}] (database [${inputs.database}])`;
    const outs = await withConnection(toConnectionArgs(inputs), async (pool) => {
      let reported = "";
      for (;;) {
        const polledAt = Date.now();
        const observation = observeLink(await readLinkState(pool, inputs.dagName), inputs.database);
        const now = new Date();
        if (isReady(observation, level)) {
          logInfo(`${label} is ${level}: ${describeObservation(observation)}.`);
          return outputsOf(inputs, observation, now);
        }
        const summary = describeObservation(observation);
        if (summary !== reported) {
          logInfo(`${label}: waiting for ${level}: ${summary}.`);
          reported = summary;
        }
        const next = polledAt + intervalMs;
        if (next >= deadline) {
          throw new Error(
            timeoutMessage(inputs.dagName, inputs.database, level, timeoutSeconds, observation),
          );
        }
        await sleep(next - Date.now());
      }
    });
    return { id: objectId(inputs.connection, "link-readiness", inputs.dagName), outs };
  }

  async read(id: string, props: LinkReadinessOutputs): Promise<pulumi.dynamic.ReadResult> {
    const state = await withConnection(toConnectionArgs(props), (pool) => readLinkState(pool, props.dagName));
    if (!state) return { id: "", props: {} };
    const outs = outputsOf(props, observeLink(state, props.database), new Date());
    // An unchanged observation keeps its time, so a refresh of a steady link reports no change.
    const same =
      outs.connectedState === props.connectedState &&
      outs.synchronizationState === props.synchronizationState &&
      outs.seedingProgressPercent === props.seedingProgressPercent &&
      outs.lastHardenedLsn === props.lastHardenedLsn;
    return { id, props: same ? { ...outs, observedAt: props.observedAt } : outs };
  }

  async update(
    _id: string,
    olds: LinkReadinessOutputs,
    news: LinkReadinessInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    return {
      outs: {
        ...withDefaults(news),
        connectedState: olds.connectedState,
        synchronizationState: olds.synchronizationState,
        seedingProgressPercent: olds.seedingProgressPercent,
        lastHardenedLsn: olds.lastHardenedLsn,
        observedAt: olds.observedAt,
      },
    };
  }

  async delete(): Promise<void> {
    // Readiness is an observation: there is nothing to remove.
  }
}

/** The implementation, loaded by the dynamic-provider host through {@link linkReadinessProvider}. */
export const linkReadinessOperations: ProviderOperations = new LinkReadinessProvider();

/** The provider every resource of this class registers (its source, written once). */
export const linkReadinessProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/link-readiness.js`,
  "linkReadinessOperations",
);

export interface LinkReadinessArgs extends ConnectionArgs {
  /** The link's distributed availability group on SQL Server. Replaces. Required. */
  dagName: pulumi.Input<string>;
  /** The replicated database. Replaces. Required. */
  database: pulumi.Input<string>;
  /**
   * What to wait for: "CONNECTED" (the managed instance joined), "SYNCHRONIZING" (seeding done,
   * the database replicates) or "SYNCHRONIZED" (synchronous commit only). Default "SYNCHRONIZING".
   */
  waitFor?: pulumi.Input<LinkReadinessLevel>;
  /** How long to wait before failing with the evidence, in seconds. Default 600. */
  timeoutSeconds?: pulumi.Input<number>;
  /** Seconds between two observations; at least 1. Default 1. */
  pollIntervalSeconds?: pulumi.Input<number>;
  /**
   * The Azure link's `distributedAvailabilityGroupId`. Azure gives a link a new one each time it is
   * created, so a link made again (deleted on the managed instance, then created by the next up) is
   * waited for again. Replaces, once known. Default: none (the readiness follows no particular link).
   */
  linkId?: pulumi.Input<string>;
  /**
   * The database's `group_database_id` in its availability group on SQL Server (the group's
   * `groupDatabaseId` output). A database taken out of its group and put back joins with a new one:
   * whether the link replicates it again is then waited for again. Replaces, once known and once
   * recorded (its first value is only recorded). Default: none.
   */
  groupDatabaseId?: pulumi.Input<string | null>;
}

/** Waits until a link connects and its database replicates, as SQL Server sees it. */
export class LinkReadiness extends DynamicResource {
  /** The managed instance member's connection: CONNECTED or DISCONNECTED. */
  public readonly connectedState!: pulumi.Output<string | null>;
  /** The database's synchronization: SYNCHRONIZING, SYNCHRONIZED, ... */
  public readonly synchronizationState!: pulumi.Output<string | null>;
  public readonly seedingProgressPercent!: pulumi.Output<number | null>;
  public readonly lastHardenedLsn!: pulumi.Output<string | null>;
  /** When the outputs were observed (ISO 8601). */
  public readonly observedAt!: pulumi.Output<string>;

  constructor(name: string, args: LinkReadinessArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      linkReadinessProvider,
      name,
      resourceProps(
        {
          ...connectionProps(args),
          dagName: args.dagName,
          database: args.database,
          waitFor: args.waitFor,
          timeoutSeconds: args.timeoutSeconds,
          pollIntervalSeconds: args.pollIntervalSeconds,
          linkId: args.linkId,
          groupDatabaseId: args.groupDatabaseId,
        },
        ["connectedState", "synchronizationState", "seedingProgressPercent", "lastHardenedLsn", "observedAt"],
      ),
      withSecretOutputs(opts, CONNECTION_SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "LinkReadiness",
    );
  }
}
