/**
 * The end of a migration over one link, as a declared end state: create performs the cutover
 * (cutover/procedure.ts: failover to the managed instance, wait for its first full backup, delete
 * the Azure link, drop SQL Server's DAG and AG; the database on SQL Server stays) and records
 * `cutoverCompletedAt`. Once recorded nothing runs again: updates only record new settings, read
 * keeps the record, delete changes nothing. Check describes the cutover in `plannedAction` and
 * warns in preview that it ends the link.
 *
 * A failed create records nothing, so the next `pulumi up` runs the cutover again; each step skips
 * what is already done.
 */
import * as pulumi from "@pulumi/pulumi";
import { withConnection } from "../sql";
import { checkConnectionInputs, FailureCollector, isUnknown } from "./common/check";
import { connectionSecrets, toConnectionArgs } from "./common/connection";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "./common/delegate";
import { logWarning } from "./common/log";
import {
  DYNAMIC_MODULE,
  objectId,
  withSecretOutputs,
  resourceProps,
  DynamicResource,
} from "./common/resource";
import { cutOver, describeCutover } from "./cutover/procedure";
import {
  armAccessTokenOf,
  checkAzureInputs,
  checkLinkInputs,
  SECRET_OUTPUTS,
  toTarget,
  withDefaults,
  type LinkRoleInputs,
} from "./failover/inputs";
import { refuseRoleChange } from "./failover/rules";
import { linkOperationProps, type LinkRoleArgs } from "./link-role";

export interface LinkCutoverInputs extends Omit<LinkRoleInputs, "primary" | "cutover"> {
  /** Deadline of the wait for the managed instance's first full backup, in seconds. Default 3600. */
  firstBackupTimeoutSeconds?: number;
}

export interface LinkCutoverOutputs extends LinkCutoverInputs {
  /** When the cutover completed (ISO time): from then on nothing of the link is left. */
  cutoverCompletedAt: string;
  /** The managed database's earliest restore point: its first full backup. */
  managedInstanceFirstBackupAt: string;
  /** The run that completed the cutover also failed over (false: the managed instance already was primary). */
  failedOver: boolean;
  /** Distributed availability groups that still use SQL Server's availability group, which was kept. */
  availabilityGroupKeptFor: string[];
}

const DEFAULT_FIRST_BACKUP_TIMEOUT_SECONDS = 3600;

function asRoleInputs(inputs: LinkCutoverInputs): LinkRoleInputs {
  return withDefaults({ ...inputs, primary: "ManagedInstance", cutover: true });
}

export class LinkCutoverProvider implements pulumi.dynamic.ResourceProvider {
  async check(
    olds: Partial<LinkCutoverOutputs>,
    raw: LinkCutoverInputs,
  ): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    const news = {
      ...raw,
      firstBackupTimeoutSeconds: raw.firstBackupTimeoutSeconds ?? DEFAULT_FIRST_BACKUP_TIMEOUT_SECONDS,
    };
    const role = asRoleInputs(news);
    checkConnectionInputs(role, collector);
    checkAzureInputs(role, collector);
    checkLinkInputs(role, collector);
    collector.require(
      "firstBackupTimeoutSeconds",
      news.firstBackupTimeoutSeconds,
      isUnknown(news.firstBackupTimeoutSeconds) ||
        (Number.isFinite(news.firstBackupTimeoutSeconds) && news.firstBackupTimeoutSeconds > 0),
      `must be a positive number of seconds (default ${DEFAULT_FIRST_BACKUP_TIMEOUT_SECONDS})`,
    );
    const decisive = [
      news.productVersion,
      news.databaseFormat,
      news.failoverMode,
      news.forceFailoverAllowDataLoss,
    ];
    if (collector.failures.length === 0 && !decisive.some(isUnknown)) {
      const refusal = refuseRoleChange(role);
      if (refusal) collector.add(refusal.property, refusal.reason);
    }
    // Only a completed cutover is in the state (a failed create records nothing): old inputs mean done.
    const done = olds?.dagName !== undefined;
    const plannedAction = done
      ? `none: the cutover of [${String(olds.dagName)}] has completed`
      : describeCutover(news.dagName, news.agName, news.database, news.forceFailoverAllowDataLoss === true);
    if (!done && collector.failures.length === 0 && !isUnknown(news.dagName)) {
      logWarning(`Link [${news.dagName}]: ${plannedAction}.`);
    }
    return { inputs: { ...news, plannedAction }, failures: collector.failures };
  }

  async diff(
    _id: string,
    olds: LinkCutoverOutputs,
    news: LinkCutoverInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    // The cutover happened once; later setting changes are only recorded, never a replacement.
    const keys = new Set([...Object.keys(news), ...Object.keys(olds)]);
    const ignored = new Set([
      "plannedAction",
      "cutoverCompletedAt",
      "managedInstanceFirstBackupAt",
      "failedOver",
      "availabilityGroupKeptFor",
    ]);
    const changes = [...keys].some(
      (key) =>
        !ignored.has(key) &&
        JSON.stringify((olds as unknown as Record<string, unknown>)[key] ?? null) !==
          JSON.stringify((news as unknown as Record<string, unknown>)[key] ?? null),
    );
    return { changes, replaces: [], deleteBeforeReplace: false };
  }

  async create(raw: LinkCutoverInputs): Promise<pulumi.dynamic.CreateResult> {
    const inputs = asRoleInputs(raw);
    const outcome = await withConnection(toConnectionArgs(inputs), (pool) =>
      cutOver({
        pool,
        target: toTarget(inputs),
        dagName: inputs.dagName,
        agName: inputs.agName,
        miAgName: inputs.miAgName,
        database: inputs.database,
        productVersion: inputs.productVersion,
        replicationMode: inputs.replicationMode ?? "Async",
        synchronizationTimeoutSeconds: inputs.synchronizationTimeoutSeconds ?? 300,
        lsnStableSeconds: inputs.lsnStableSeconds ?? 5,
        secrets: [
          ...connectionSecrets(inputs),
          ...[armAccessTokenOf(inputs)].filter((t): t is string => !!t),
        ],
        forced: inputs.forceFailoverAllowDataLoss === true,
        firstBackupTimeoutSeconds: raw.firstBackupTimeoutSeconds ?? DEFAULT_FIRST_BACKUP_TIMEOUT_SECONDS,
        firstBackupPollMs: inputs.armPollIntervalMs ?? 5000,
      }),
    );
    const outs: LinkCutoverOutputs = {
      ...raw,
      cutoverCompletedAt: new Date().toISOString(),
      managedInstanceFirstBackupAt: outcome.firstFullBackupAt,
      failedOver: outcome.failedOver,
      availabilityGroupKeptFor: outcome.availabilityGroupKeptFor,
    };
    return { id: objectId(inputs.connection, "link-cutover", inputs.dagName), outs };
  }

  async update(
    _id: string,
    olds: LinkCutoverOutputs,
    news: LinkCutoverInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    return {
      outs: {
        ...news,
        cutoverCompletedAt: olds.cutoverCompletedAt,
        managedInstanceFirstBackupAt: olds.managedInstanceFirstBackupAt,
        failedOver: olds.failedOver,
        availabilityGroupKeptFor: olds.availabilityGroupKeptFor,
      },
    };
  }

  async read(id: string, props: LinkCutoverOutputs): Promise<pulumi.dynamic.ReadResult> {
    // A completed cutover is a fact of the past: nothing to observe again.
    return { id, props };
  }

  async delete(): Promise<void> {
    // The migration is done: forgetting the record changes nothing on either side.
  }
}

/** The implementation, loaded by the dynamic-provider host through {@link linkCutoverProvider}. */
export const linkCutoverOperations: ProviderOperations = new LinkCutoverProvider();

/** The provider every resource of this class registers (its source, written once). */
export const linkCutoverProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/link-cutover.js`,
  "linkCutoverOperations",
);

export interface LinkCutoverArgs extends Omit<LinkRoleArgs, "primary" | "cutover"> {
  /** Deadline of the wait for the managed instance's first full backup, in seconds. Default 3600. */
  firstBackupTimeoutSeconds?: pulumi.Input<number>;
}

/** The migration cutover of one link: once created, the link is gone and the managed instance holds the database. */
export class LinkCutover extends DynamicResource {
  /** What creating this resource does (set by check, shown in preview). */
  public readonly plannedAction!: pulumi.Output<string>;
  public readonly cutoverCompletedAt!: pulumi.Output<string>;
  public readonly managedInstanceFirstBackupAt!: pulumi.Output<string>;
  public readonly failedOver!: pulumi.Output<boolean>;
  public readonly availabilityGroupKeptFor!: pulumi.Output<string[]>;

  constructor(name: string, args: LinkCutoverArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      linkCutoverProvider,
      name,
      resourceProps(
        {
          ...linkOperationProps(args),
          firstBackupTimeoutSeconds: args.firstBackupTimeoutSeconds,
        },
        [
          "plannedAction",
          "cutoverCompletedAt",
          "managedInstanceFirstBackupAt",
          "failedOver",
          "availabilityGroupKeptFor",
        ],
      ),
      withSecretOutputs(opts, SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "LinkCutover",
    );
  }
}
