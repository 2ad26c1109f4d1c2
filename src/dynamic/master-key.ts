/**
 * The database master key of master: it encrypts the private key of the
 * endpoint certificate. Created when absent; an existing key is adopted without
 * knowing its password and is left in place on delete.
 *
 * The password is given as a secret value (`masterKeyPassword`) or as the name of the stack config
 * key holding it (`masterKeyPasswordConfig`), read when the key is created.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  createOutcomeUnknown,
  keepUnfinishedCreate,
  runCreateStatement,
  type CreateOutcomeFlag,
} from "./common/create-outcome";
import type * as mssql from "mssql";
import {
  parseMasterKey,
  readMasterKey,
  runStatement,
  runStatementThenRead,
  withServerConnection,
  type MasterKeyInfo,
} from "../sql";
import { MASTER_KEY_QUERY } from "../tsql/queries/master-key";
import { buildCreateMasterKeySql, buildDropMasterKeySql } from "../tsql";
import { checkConnectionInputs, FailureCollector, isUnknown } from "./common/check";
import { ConfigReferenceError, secretOrConfig } from "./common/config";
import { CONNECTION_SECRET_OUTPUTS, toConnectionArgs, type ConnectionInputs } from "./common/connection";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "./common/delegate";
import { diffInputs } from "./common/diff";
import { logWarning } from "./common/log";
import {
  configKeyInput,
  connectionProps,
  DYNAMIC_MODULE,
  objectId,
  secretInput,
  withSecretOutputs,
  type ConnectionArgs,
  resourceProps,
  DynamicResource,
} from "./common/resource";

export interface MasterKeyInputs extends ConnectionInputs {
  /** Password that encrypts the key (used only when the key is created). Secret. */
  masterKeyPassword?: string;
  /** Instead of `masterKeyPassword`: the stack config key (with its namespace) holding it. */
  masterKeyPasswordConfig?: string;
  /** Drop the key on delete even when it existed before. Default false. */
  dropAdoptedOnDelete?: boolean;
}

export interface MasterKeyOutputs extends MasterKeyInputs, CreateOutcomeFlag {
  /** The key existed before this resource: it is left in place on delete. */
  adopted: boolean;
  keyGuid: string | null;
  createDate: string | null;
}

const SECRET_OUTPUTS = [...CONNECTION_SECRET_OUTPUTS, "masterKeyPassword"];

/**
 * The master key password, from the stack config when given by reference. Throws a
 * {@link ConfigReferenceError} naming the property at fault (never the password).
 */
export function masterKeyPasswordOf(inputs: Partial<MasterKeyInputs>): string {
  const password = secretOrConfig(
    inputs,
    "masterKeyPassword",
    "masterKeyPasswordConfig",
    "master key password",
  );
  if (typeof password === "string" && password.length > 0) return password;
  throw new ConfigReferenceError(
    "masterKeyPassword",
    "",
    "is required: the password that encrypts the database master key of master " +
      "(or masterKeyPasswordConfig, the stack config key holding it)",
  );
}

export class MasterKeyProvider implements pulumi.dynamic.ResourceProvider {
  async check(_olds: MasterKeyInputs, news: MasterKeyInputs): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    checkConnectionInputs(news, collector);
    if (!isUnknown(news.masterKeyPassword) && !isUnknown(news.masterKeyPasswordConfig)) {
      try {
        masterKeyPasswordOf(news);
      } catch (error) {
        if (!(error instanceof ConfigReferenceError)) throw error;
        collector.add(error.property, error.reason);
      }
    }
    return { inputs: news, failures: collector.failures };
  }

  async diff(_id: string, olds: MasterKeyOutputs, news: MasterKeyInputs): Promise<pulumi.dynamic.DiffResult> {
    // Nothing replaces the key: its password only matters when it is created, and the
    // connection settings name the same SQL Server.
    const { changes } = diffInputs(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      {
        replaceOn: [],
      },
    );
    return keepUnfinishedCreate(olds, { changes });
  }

  async create(inputs: MasterKeyInputs): Promise<pulumi.dynamic.CreateResult> {
    const outs = await this.createOrFinish(inputs, false);
    return { id: objectId(inputs.connection, "master-key", "master"), outs };
  }

  /**
   * Creates the key, or adopts the existing one. `finishing`: a previous create's reply was lost,
   * so a key found now is the one that create made (not adopted).
   */
  private async createOrFinish(inputs: MasterKeyInputs, finishing: boolean): Promise<MasterKeyOutputs> {
    const id = objectId(inputs.connection, "master-key", "master");
    return withServerConnection(toConnectionArgs(inputs), async (pool) => {
      const existing = await readMasterKey(pool);
      const key = existing ?? (await this.createKey(pool, inputs, id));
      return {
        ...inputs,
        adopted: existing !== null && !finishing,
        keyGuid: key?.keyGuid ?? null,
        createDate: key?.createDate?.toISOString() ?? null,
      };
    });
  }

  /**
   * CREATE MASTER KEY and the read of the new key, in one round trip. A request that failed after
   * the CREATE ran leaves a key the stack made: the resource is recorded as partially created.
   */
  private async createKey(
    pool: mssql.ConnectionPool,
    inputs: MasterKeyInputs,
    id: string,
  ): Promise<MasterKeyInfo | null> {
    const password = masterKeyPasswordOf(inputs);
    const partial = { ...inputs, keyGuid: null, createDate: null };
    const sets = await runCreateStatement(
      "the database master key of master",
      id,
      partial,
      () =>
        runStatementThenRead(
          pool,
          buildCreateMasterKeySql(password),
          MASTER_KEY_QUERY,
          {},
          {
            action: "create the database master key",
            object: "master",
            secrets: [password],
          },
        ),
      async () => (await readMasterKey(pool)) !== null,
    );
    return parseMasterKey(sets[0] ?? []);
  }

  async read(id: string, props: MasterKeyOutputs): Promise<pulumi.dynamic.ReadResult> {
    const key = await withServerConnection(toConnectionArgs(props), (pool) => readMasterKey(pool));
    if (!key) return { id: "", props: {} };
    return {
      id,
      props: { ...props, keyGuid: key.keyGuid, createDate: key.createDate?.toISOString() ?? null },
    };
  }

  async update(
    _id: string,
    olds: MasterKeyOutputs,
    news: MasterKeyInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    // A create whose reply was lost is finished: the key is made or found, and is the stack's.
    if (createOutcomeUnknown(olds)) return { outs: await this.createOrFinish(news, true) };
    return { outs: { ...news, adopted: olds.adopted, keyGuid: olds.keyGuid, createDate: olds.createDate } };
  }

  async delete(_id: string, props: MasterKeyOutputs): Promise<void> {
    if (props.adopted && !props.dropAdoptedOnDelete) return;
    await withServerConnection(toConnectionArgs(props), async (pool) => {
      if (!(await readMasterKey(pool))) return;
      try {
        await runStatement(pool, buildDropMasterKeySql(), undefined, {
          action: "drop the database master key",
          object: "master",
        });
      } catch (error) {
        // 15580: other certificates or keys are still encrypted by it; they are not ours to break.
        if ((error as { number?: number }).number !== 15580) throw error;
        logWarning(`The database master key of master is still used by other objects; it was left in place.`);
      }
    });
  }
}

/** The implementation, loaded by the dynamic-provider host through {@link masterKeyProvider}. */
export const masterKeyOperations: ProviderOperations = new MasterKeyProvider();

/** The provider every resource of this class registers (its source, written once). */
export const masterKeyProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/master-key.js`,
  "masterKeyOperations",
);

export interface MasterKeyArgs extends ConnectionArgs {
  /** Password that encrypts the database master key when it is created. Stored as a secret. Give it or `masterKeyPasswordConfig`. */
  masterKeyPassword?: pulumi.Input<string>;
  /**
   * Instead of `masterKeyPassword`: the name of the stack config key holding it (`"masterKeyPassword"`
   * or `"<namespace>:masterKeyPassword"`), read by the provider when it creates the key. Default: none.
   */
  masterKeyPasswordConfig?: pulumi.Input<string>;
  /** Drop the key on delete even when it existed before this resource. Default false. */
  dropAdoptedOnDelete?: pulumi.Input<boolean>;
}

/** The database master key of master on one SQL Server. */
export class MasterKey extends DynamicResource {
  /** The key existed before this resource and is left in place on delete. */
  public readonly adopted!: pulumi.Output<boolean>;
  public readonly keyGuid!: pulumi.Output<string | null>;
  public readonly createDate!: pulumi.Output<string | null>;

  constructor(name: string, args: MasterKeyArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      masterKeyProvider,
      name,
      resourceProps(
        {
          ...connectionProps(args),
          masterKeyPassword: secretInput(args.masterKeyPassword),
          masterKeyPasswordConfig: configKeyInput(args.masterKeyPasswordConfig),
          dropAdoptedOnDelete: args.dropAdoptedOnDelete,
        },
        ["adopted", "keyGuid", "createDate"],
      ),
      withSecretOutputs(opts, SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "MasterKey",
    );
  }
}
