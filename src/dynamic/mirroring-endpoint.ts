/**
 * The DATABASE_MIRRORING endpoint the link connects through. SQL Server allows one per instance:
 * when none exists it is created (certificate authentication, AES); an existing one, whatever its
 * name, is adopted and, when needed, altered to also accept the link's certificate and AES while
 * keeping its Windows authentication and algorithms. Delete drops only an endpoint this resource
 * created and nothing still uses; an adopted endpoint is put back the way it was found.
 */
import * as pulumi from "@pulumi/pulumi";
import { runStatement, withServerConnection } from "../sql";
import { createOutcomeUnknown, keepUnfinishedCreate, runCreateStatement } from "./common/create-outcome";
import { readReplicasOnPort } from "../sql/catalog/endpoint-replicas";
import { readMirroringEndpoint } from "../sql/catalog/mirroring-endpoint";
import type { EndpointAlgorithm } from "../sql/catalog/endpoint-settings";
import {
  buildAlterEndpointForLinkSql,
  buildCreateMirroringEndpointSql,
  buildDropEndpointSql,
  validateCertificateName,
  validateIdentifier,
  validatePort,
} from "../tsql";
import { buildRestoreEndpointSql } from "../tsql/statements/endpoint-restore";
import { checkConnectionInputs, FailureCollector } from "./common/check";
import {
  CONNECTION_INPUT_KEYS,
  CONNECTION_SECRET_OUTPUTS,
  keptOnUpdate,
  toConnectionArgs,
} from "./common/connection";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "./common/delegate";
import { diffInputs } from "./common/diff";
import { logWarning } from "./common/log";
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
  DEFAULT_ALGORITHMS,
  DEFAULT_ENDPOINT_NAME,
  DEFAULT_ENDPOINT_PORT,
  driftedFromLink,
  expectedConnectionAuth,
  expectedEncryption,
  originalOf,
  restoreSpec,
  servesLink,
  type EndpointOriginal,
} from "./mirroring-endpoint-plan";
import type { MirroringEndpointInputs, MirroringEndpointOutputs } from "./mirroring-endpoint-model";
import {
  alterForLink,
  endpointObject,
  statementContext,
  wrongPortError,
} from "./mirroring-endpoint-statements";

export type { MirroringEndpointInputs, MirroringEndpointOutputs } from "./mirroring-endpoint-model";

/** Inputs that only change how SQL Server is reached, not the endpoint. */
const CONNECTION_KEYS = CONNECTION_INPUT_KEYS;

type Outputs = MirroringEndpointOutputs;

/**
 * Inputs that differ from the state, `algorithms` with its default applied. `name` and `port` are
 * left out: `diff` compares them on their own (they replace, never update).
 */
function changedInputs(olds: Outputs, news: MirroringEndpointInputs): string[] {
  const { changed } = diffInputs(
    { ...olds, algorithms: olds.algorithms ?? DEFAULT_ALGORITHMS } as unknown as Record<string, unknown>,
    { ...news, algorithms: news.algorithms ?? DEFAULT_ALGORITHMS } as unknown as Record<string, unknown>,
    { replaceOn: [] },
  );
  return changed.filter((key) => key !== "name" && key !== "port");
}

export class MirroringEndpointProvider implements pulumi.dynamic.ResourceProvider {
  async check(
    _olds: MirroringEndpointInputs,
    news: MirroringEndpointInputs,
  ): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    checkConnectionInputs(news, collector);
    if (news.name !== undefined) collector.check("name", news.name, (n) => validateIdentifier(n, "name"));
    if (news.port !== undefined) collector.check("port", news.port, (p) => validatePort(p, "port"));
    if (news.certificateName === undefined) {
      collector.add(
        "certificateName",
        "is required: the endpoint certificate in master the link authenticates with",
      );
    } else {
      collector.check("certificateName", news.certificateName, (c) =>
        validateCertificateName(c, "certificateName"),
      );
    }
    if (news.algorithms !== undefined) {
      collector.check("algorithms", news.algorithms, (algorithms) =>
        // The builder's own validation: a list of AES / RC4 that includes AES.
        buildCreateMirroringEndpointSql({
          name: "n",
          port: DEFAULT_ENDPOINT_PORT,
          certificateName: "c",
          algorithms,
        }),
      );
    }
    return { inputs: news, failures: collector.failures };
  }

  async diff(_id: string, olds: Outputs, news: MirroringEndpointInputs): Promise<pulumi.dynamic.DiffResult> {
    const updates = changedInputs(olds, news);
    // `name` and `port` are compared with the state's, defaults applied (`port` is the managed one:
    // a move out of band shows in `listenerPort` and is refused, see update).
    // The name only matters when creating: an adopted endpoint keeps its own.
    const replaces: string[] = [];
    if (!olds.adopted && (news.name ?? DEFAULT_ENDPOINT_NAME).toLowerCase() !== olds.name.toLowerCase()) {
      replaces.push("name");
    }
    // A new port means a new endpoint; for an adopted one the new create refuses (the existing
    // endpoint listens elsewhere) after delete has put it back as it was found.
    if ((news.port ?? DEFAULT_ENDPOINT_PORT) !== olds.port) replaces.push("port");
    const changes = replaces.length > 0 || updates.length > 0 || driftedFromLink(olds);
    // One mirroring endpoint per instance: the old one must go before the new one is created.
    return keepUnfinishedCreate(olds, { changes, replaces, deleteBeforeReplace: true });
  }

  async create(inputs: MirroringEndpointInputs): Promise<pulumi.dynamic.CreateResult> {
    const outs = await this.createOrFinish(inputs, false);
    return { id: objectId(inputs.connection, "mirroring-endpoint", outs.name), outs };
  }

  /**
   * Creates the endpoint, or adopts (and if needed alters) the instance's existing one.
   * `finishing`: a previous create's reply was lost, so an endpoint found now under the expected
   * name, port and link certificate is the one that create made (not adopted). Any other endpoint
   * is someone else's and is adopted as usual.
   */
  private async createOrFinish(inputs: MirroringEndpointInputs, finishing: boolean): Promise<Outputs> {
    const name = inputs.name ?? DEFAULT_ENDPOINT_NAME;
    const port = inputs.port ?? DEFAULT_ENDPOINT_PORT;
    const algorithms = inputs.algorithms ?? [...DEFAULT_ALGORITHMS];
    const created: Outputs = {
      ...inputs,
      name,
      port,
      listenerPort: port,
      adopted: false,
      connectionAuth: expectedConnectionAuth(null),
      encryptionAlgorithm: expectedEncryption(algorithms),
      state: "STARTED",
    };
    return withServerConnection(toConnectionArgs(inputs), async (pool): Promise<Outputs> => {
      const existing = await readMirroringEndpoint(pool);
      if (!existing) {
        const id = objectId(inputs.connection, "mirroring-endpoint", name);
        await runCreateStatement(
          `the database mirroring endpoint ${endpointObject(name)}`,
          id,
          { ...created },
          () =>
            runStatement(
              pool,
              buildCreateMirroringEndpointSql({
                name,
                port,
                certificateName: inputs.certificateName,
                algorithms,
              }),
              undefined,
              statementContext(inputs, "create the database mirroring endpoint", name),
            ),
        );
        return created;
      }
      if (existing.port !== port) throw wrongPortError(existing, port);
      const ours =
        finishing &&
        existing.name.toLowerCase() === name.toLowerCase() &&
        servesLink(existing, inputs.certificateName);
      if (ours) {
        return {
          ...created,
          connectionAuth: existing.authentication.description,
          encryptionAlgorithm: existing.encryption.description,
          state: existing.state,
        };
      }
      const adopted: Outputs = {
        ...inputs,
        name: existing.name,
        port,
        listenerPort: port,
        adopted: true,
        connectionAuth: existing.authentication.description,
        encryptionAlgorithm: existing.encryption.description,
        state: existing.state,
      };
      if (servesLink(existing, inputs.certificateName)) return adopted;
      return { ...adopted, ...(await alterForLink(pool, inputs, existing)), ...originalOf(existing) };
    });
  }

  async read(id: string, props: Outputs): Promise<pulumi.dynamic.ReadResult> {
    const endpoint = await withServerConnection(toConnectionArgs(props), (pool) =>
      readMirroringEndpoint(pool),
    );
    // Another endpoint under another name is not this resource's: this one is gone.
    if (!endpoint || endpoint.name.toLowerCase() !== props.name.toLowerCase()) return { id: "", props: {} };
    const reported: Outputs = {
      ...props,
      listenerPort: endpoint.port ?? props.port,
      certificateName: endpoint.authentication.certificateName ?? "",
      connectionAuth: endpoint.authentication.description,
      encryptionAlgorithm: endpoint.encryption.description,
      state: endpoint.state,
    };
    // An adopted endpoint's algorithms are its own plus the requested ones: only a created
    // endpoint's list is the input as such.
    const found = endpoint.encryption.algorithms;
    const expected = props.algorithms ?? DEFAULT_ALGORITHMS;
    if (!props.adopted && found.join(",") !== expected.join(",")) reported.algorithms = found;
    return { id, props: reported };
  }

  async update(
    _id: string,
    olds: Outputs,
    news: MirroringEndpointInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    // A create whose reply was lost is finished: the endpoint is made or found, and is the stack's.
    if (createOutcomeUnknown(olds)) return { outs: await this.createOrFinish(news, true) };
    const kept: Outputs = {
      ...keptOnUpdate(olds, news, ["algorithms"]),
      name: olds.name,
      port: olds.port,
      adopted: olds.adopted,
    };
    const endpointChanged = changedInputs(olds, news).some((key) => !CONNECTION_KEYS.includes(key));
    // Connection or credential changes only refresh what Pulumi stores.
    if (!endpointChanged && !driftedFromLink(olds)) return { outs: kept };
    const outs = await withServerConnection(toConnectionArgs(news), async (pool): Promise<Outputs> => {
      const existing = await readMirroringEndpoint(pool);
      if (!existing || existing.name.toLowerCase() !== olds.name.toLowerCase()) {
        throw new Error(
          `The database mirroring endpoint ${endpointObject(olds.name)} no longer exists on ` +
            `${news.connection.host}. Run \`pulumi refresh\`, then \`pulumi up\` to create it again.`,
        );
      }
      if (existing.port !== olds.port) throw wrongPortError(existing, olds.port);
      const listening = { ...kept, listenerPort: olds.port };
      if (!olds.adopted) {
        const algorithms = news.algorithms ?? [...DEFAULT_ALGORITHMS];
        await runStatement(
          pool,
          buildAlterEndpointForLinkSql({
            name: olds.name,
            port: olds.port,
            certificateName: news.certificateName,
            algorithms,
          }),
          undefined,
          statementContext(news, "switch the database mirroring endpoint to the certificate", olds.name),
        );
        return {
          ...listening,
          connectionAuth: expectedConnectionAuth(null),
          encryptionAlgorithm: expectedEncryption(algorithms),
          state: "STARTED",
        };
      }
      // Record what it was like before the first change, once.
      const original = olds.originalAuthentication === undefined ? originalOf(existing) : {};
      return { ...listening, ...original, ...(await alterForLink(pool, news, existing, olds)) };
    });
    return { outs };
  }

  async delete(_id: string, props: Outputs): Promise<void> {
    await withServerConnection(toConnectionArgs(props), async (pool) => {
      const existing = await readMirroringEndpoint(pool);
      if (!existing || existing.name.toLowerCase() !== props.name.toLowerCase()) return;
      if (props.adopted) {
        if (props.originalAuthentication === undefined) return;
        await runStatement(
          pool,
          buildRestoreEndpointSql(restoreSpec(existing.name, props as EndpointOriginal)),
          undefined,
          statementContext(props, "restore the database mirroring endpoint as it was found", existing.name),
        );
        return;
      }
      const users = await readReplicasOnPort(pool, existing.port ?? props.port);
      if (users.length > 0) {
        const groups = [...new Set(users.map((u) => u.group))].join(", ");
        logWarning(
          `The database mirroring endpoint ${endpointObject(existing.name)} was left in place: availability ` +
            `groups still connect through port ${existing.port} (${groups}). Remove them, then drop it with ` +
            `DROP ENDPOINT ${endpointObject(existing.name)}.`,
        );
        return;
      }
      await runStatement(
        pool,
        buildDropEndpointSql(existing.name),
        undefined,
        statementContext(props, "drop the database mirroring endpoint", existing.name),
      );
    });
  }
}

/** The implementation, loaded by the dynamic-provider host through {@link mirroringEndpointProvider}. */
export const mirroringEndpointOperations: ProviderOperations = new MirroringEndpointProvider();

/** The provider every resource of this class registers (its source, written once). */
export const mirroringEndpointProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/mirroring-endpoint.js`,
  "mirroringEndpointOperations",
);

export interface MirroringEndpointArgs extends ConnectionArgs {
  /** Name of the endpoint when none exists and it is created. Default "database_mirroring_endpoint". */
  name?: pulumi.Input<string>;
  /** TCP port the endpoint listens on. Default 5022. An existing endpoint on another port is refused. */
  port?: pulumi.Input<number>;
  /** The endpoint certificate in master (with its private key). Changing it switches the endpoint in place. */
  certificateName: pulumi.Input<string>;
  /** Encryption algorithms in order of preference; must include AES. Default ["AES"]. */
  algorithms?: pulumi.Input<pulumi.Input<EndpointAlgorithm>[]>;
}

/** The database mirroring endpoint of one SQL Server, created or adopted for the link. */
export class MirroringEndpoint extends DynamicResource {
  /** The endpoint's actual name (an adopted endpoint keeps its own). */
  public readonly name!: pulumi.Output<string>;
  public readonly port!: pulumi.Output<number>;
  /** The port the endpoint listened on when last read (differs from `port` after a move out of band). */
  public readonly listenerPort!: pulumi.Output<number | undefined>;
  /** The endpoint existed before this resource: it is restored as found, never dropped, on delete. */
  public readonly adopted!: pulumi.Output<boolean>;
  /** connection_auth_desc, e.g. "CERTIFICATE" or "NEGOTIATE, CERTIFICATE". */
  public readonly connectionAuth!: pulumi.Output<string>;
  /** encryption_algorithm_desc, e.g. "AES" or "RC4, AES". */
  public readonly encryptionAlgorithm!: pulumi.Output<string>;
  /** STARTED, STOPPED or DISABLED. */
  public readonly state!: pulumi.Output<string>;
  /** Authentication of an adopted endpoint before it was altered (restored on delete). */
  public readonly originalAuthentication!: pulumi.Output<string | undefined>;
  /** Algorithms of an adopted endpoint before it was altered (restored on delete). */
  public readonly originalAlgorithms!: pulumi.Output<string | undefined>;

  constructor(name: string, args: MirroringEndpointArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      mirroringEndpointProvider,
      name,
      resourceProps(
        {
          ...connectionProps(args),
          name: args.name,
          port: args.port,
          certificateName: args.certificateName,
          algorithms: args.algorithms,
        },
        [
          "adopted",
          "connectionAuth",
          "encryptionAlgorithm",
          "state",
          "originalAuthentication",
          "originalAlgorithms",
          "name",
          "port",
          "listenerPort",
        ],
      ),
      withSecretOutputs(opts, CONNECTION_SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "MirroringEndpoint",
    );
  }
}
