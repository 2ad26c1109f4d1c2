/**
 * The managed instance's database mirroring endpoint certificate, read from
 * Azure (runbook step 5): its public key is what SQL Server imports under the
 * MI's FQDN. A read-only resource: create and read GET it, delete leaves it (it
 * belongs to the managed instance). When Azure rotates the certificate, refresh
 * shows the new key as drift and dependents see the change on the next `up`.
 */
import * as pulumi from "@pulumi/pulumi";
import { AzureOperationError } from "../azure/errors";
import { managedInstanceResourceId, type AzureTarget } from "../azure/client";
import { StaticTokenCredential } from "../azure/credential";
import { readManagedInstanceEndpointCertificate } from "../azure/endpoint-certificate";
import { readManagedInstance } from "../azure/managed-instance";
import {
  validateArmEndpoint,
  validateManagedInstanceName,
  validateResourceGroupName,
  validateSubscriptionId,
  validateTimeoutSeconds,
  validateTlsCaPem,
} from "../azure/validate";
import { checkSecretReference, FailureCollector } from "./common/check";
import { secretOrConfig } from "./common/config";
import { forwardingProvider, PACKAGE_NAME, type ProviderOperations } from "./common/delegate";
import { diffInputs } from "./common/diff";
import {
  configKeyInput,
  DYNAMIC_MODULE,
  secretInput,
  withSecretOutputs,
  resourceProps,
  DynamicResource,
} from "./common/resource";

export interface ManagedInstanceEndpointCertificateInputs {
  subscriptionId: string;
  resourceGroupName: string;
  managedInstanceName: string;
  /** Default https://management.azure.com. */
  armEndpoint?: string;
  /** PEM certificates to trust for the ARM endpoint's TLS. Default: the system's. */
  tlsCaPem?: string;
  /** A bearer token for ARM instead of DefaultAzureCredential. Secret. */
  accessToken?: string;
  /** Instead of `accessToken`: the stack config key (with its namespace) holding it. */
  accessTokenConfig?: string;
  /** Deadline of each ARM call, retries included. Default 1800. */
  operationTimeoutSeconds?: number;
}

export interface ManagedInstanceEndpointCertificateOutputs extends ManagedInstanceEndpointCertificateInputs {
  /** DER as upper-case hex with 0x: ready for CREATE CERTIFICATE ... FROM BINARY. */
  publicKey: string;
  /** SHA-1 thumbprint, upper-case hex. */
  thumbprint: string;
  subject: string;
  /** ISO 8601. */
  expiryDate: string;
  /** The MI's FQDN: the name the certificate must have on SQL Server. */
  fqdn: string;
}

const SECRET_OUTPUTS = ["accessToken"];
/** Inputs that name another certificate: a change means a new resource. */
const TARGET_INPUTS = ["subscriptionId", "resourceGroupName", "managedInstanceName"];

function toTarget(inputs: ManagedInstanceEndpointCertificateInputs): AzureTarget {
  return {
    subscriptionId: inputs.subscriptionId,
    resourceGroupName: inputs.resourceGroupName,
    managedInstanceName: inputs.managedInstanceName,
    armEndpoint: inputs.armEndpoint,
    tlsCaPem: inputs.tlsCaPem,
    operationTimeoutSeconds: inputs.operationTimeoutSeconds,
    ...credentialOf(inputs),
  };
}

/** The ARM credential: the token given by value or by config reference; none means DefaultAzureCredential. */
function credentialOf(inputs: ManagedInstanceEndpointCertificateInputs): {
  credential?: StaticTokenCredential;
} {
  const token = secretOrConfig(inputs, "accessToken", "accessTokenConfig", "ARM access token");
  return token ? { credential: new StaticTokenCredential(token) } : {};
}

/** Reads the certificate and the FQDN; undefined when the managed instance (or its certificate) is gone. */
async function readCertificate(
  inputs: ManagedInstanceEndpointCertificateInputs,
  tolerateMissing: boolean,
): Promise<
  Omit<ManagedInstanceEndpointCertificateOutputs, keyof ManagedInstanceEndpointCertificateInputs> | undefined
> {
  const target = toTarget(inputs);
  try {
    const instance = await readManagedInstance(target);
    const certificate = await readManagedInstanceEndpointCertificate(target);
    return { ...certificate, fqdn: instance.fqdn };
  } catch (error) {
    if (tolerateMissing && error instanceof AzureOperationError && error.statusCode === 404) return undefined;
    throw error;
  }
}

export class ManagedInstanceEndpointCertificateProvider implements pulumi.dynamic.ResourceProvider {
  async check(
    _olds: ManagedInstanceEndpointCertificateInputs,
    news: ManagedInstanceEndpointCertificateInputs,
  ): Promise<pulumi.dynamic.CheckResult> {
    const collector = new FailureCollector();
    collector.check("subscriptionId", news.subscriptionId, (v) => validateSubscriptionId(v));
    collector.check("resourceGroupName", news.resourceGroupName, (v) => validateResourceGroupName(v));
    collector.check("managedInstanceName", news.managedInstanceName, (v) => validateManagedInstanceName(v));
    if (news.armEndpoint !== undefined) {
      collector.check("armEndpoint", news.armEndpoint, (v) => validateArmEndpoint(v));
    }
    if (news.tlsCaPem !== undefined) collector.check("tlsCaPem", news.tlsCaPem, (v) => validateTlsCaPem(v));
    if (news.operationTimeoutSeconds !== undefined) {
      collector.check("operationTimeoutSeconds", news.operationTimeoutSeconds, (v) =>
        validateTimeoutSeconds(v),
      );
    }
    checkSecretReference(news, "accessToken", "accessTokenConfig", "ARM access token", collector);
    if (news.accessToken !== undefined) {
      collector.require(
        "accessToken",
        news.accessToken,
        typeof news.accessToken === "string" && news.accessToken.length > 0 && !/\s/.test(news.accessToken),
        "must be a non-empty bearer token without spaces (az account get-access-token --query accessToken), " +
          "or left out to use DefaultAzureCredential",
      );
    }
    return { inputs: news, failures: collector.failures };
  }

  async diff(
    _id: string,
    olds: ManagedInstanceEndpointCertificateOutputs,
    news: ManagedInstanceEndpointCertificateInputs,
  ): Promise<pulumi.dynamic.DiffResult> {
    // Another managed instance is another certificate; the endpoint, TLS trust, token and
    // timeout only change how Azure is reached, so they update what is stored without a call.
    const { changes, replaces } = diffInputs(
      olds as unknown as Record<string, unknown>,
      news as unknown as Record<string, unknown>,
      { replaceOn: TARGET_INPUTS, deleteBeforeReplace: false },
    );
    return { changes, replaces, deleteBeforeReplace: false };
  }

  async create(inputs: ManagedInstanceEndpointCertificateInputs): Promise<pulumi.dynamic.CreateResult> {
    const read = await readCertificate(inputs, false);
    return {
      id: `${managedInstanceResourceId(toTarget(inputs))}/endpointCertificates/DATABASE_MIRRORING`,
      outs: { ...inputs, ...read },
    };
  }

  async read(
    id: string,
    props: ManagedInstanceEndpointCertificateOutputs,
  ): Promise<pulumi.dynamic.ReadResult> {
    const read = await readCertificate(props, true);
    if (!read) return { id: "", props: {} };
    return { id, props: { ...props, ...read } };
  }

  async update(
    _id: string,
    olds: ManagedInstanceEndpointCertificateOutputs,
    news: ManagedInstanceEndpointCertificateInputs,
  ): Promise<pulumi.dynamic.UpdateResult> {
    return {
      outs: {
        ...news,
        publicKey: olds.publicKey,
        thumbprint: olds.thumbprint,
        subject: olds.subject,
        expiryDate: olds.expiryDate,
        fqdn: olds.fqdn,
      },
    };
  }

  async delete(): Promise<void> {
    // The certificate belongs to the managed instance: nothing to remove.
  }
}

/** The implementation, loaded by the dynamic-provider host through {@link managedInstanceEndpointCertificateProvider}. */
export const managedInstanceEndpointCertificateOperations: ProviderOperations =
  new ManagedInstanceEndpointCertificateProvider();

/** The provider every resource of this class registers (its source, written once). */
export const managedInstanceEndpointCertificateProvider = forwardingProvider(
  `${PACKAGE_NAME}/dist/dynamic/mi-endpoint-certificate.js`,
  "managedInstanceEndpointCertificateOperations",
);

export interface ManagedInstanceEndpointCertificateArgs {
  /** Subscription of the managed instance (GUID). */
  subscriptionId: pulumi.Input<string>;
  /** Resource group of the managed instance. */
  resourceGroupName: pulumi.Input<string>;
  /** Name of the managed instance (not its FQDN). */
  managedInstanceName: pulumi.Input<string>;
  /** Azure Resource Manager endpoint. Default https://management.azure.com. */
  armEndpoint?: pulumi.Input<string>;
  /** PEM certificates to trust for the ARM endpoint's TLS (local emulators, inspecting proxies). Default: the system's trust store. */
  tlsCaPem?: pulumi.Input<string>;
  /** A bearer token for ARM. Default: none, DefaultAzureCredential signs in (az login, managed identity, environment). Stored as a secret. */
  accessToken?: pulumi.Input<string>;
  /** Instead of `accessToken`: the name of the stack config key holding it, read by the provider at run time. Default: none. */
  accessTokenConfig?: pulumi.Input<string>;
  /** Deadline of each ARM call, throttling and busy retries included, in seconds. Default 1800. */
  operationTimeoutSeconds?: pulumi.Input<number>;
}

/** The DATABASE_MIRRORING endpoint certificate of a managed instance, read from Azure. */
export class ManagedInstanceEndpointCertificate extends DynamicResource {
  /** DER as upper-case hex with 0x, for CREATE CERTIFICATE [fqdn] FROM BINARY = ... */
  public readonly publicKey!: pulumi.Output<string>;
  /** SHA-1 thumbprint, upper-case hex. */
  public readonly thumbprint!: pulumi.Output<string>;
  public readonly subject!: pulumi.Output<string>;
  /** Expiry, ISO 8601. */
  public readonly expiryDate!: pulumi.Output<string>;
  /** The managed instance's FQDN: the certificate's name on SQL Server. */
  public readonly fqdn!: pulumi.Output<string>;

  constructor(
    name: string,
    args: ManagedInstanceEndpointCertificateArgs,
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      managedInstanceEndpointCertificateProvider,
      name,
      resourceProps(
        {
          subscriptionId: args.subscriptionId,
          resourceGroupName: args.resourceGroupName,
          managedInstanceName: args.managedInstanceName,
          armEndpoint: args.armEndpoint,
          tlsCaPem: args.tlsCaPem,
          accessToken: secretInput(args.accessToken),
          accessTokenConfig: configKeyInput(args.accessTokenConfig),
          operationTimeoutSeconds: args.operationTimeoutSeconds,
        },
        ["publicKey", "thumbprint", "subject", "expiryDate", "fqdn"],
      ),
      withSecretOutputs(opts, SECRET_OUTPUTS),
      DYNAMIC_MODULE,
      "ManagedInstanceEndpointCertificate",
    );
  }
}
