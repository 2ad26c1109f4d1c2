/**
 * The links already on the managed instance, for the preflight's 100-link limit. Read in the
 * program (preview included) with the Azure options the component passes to the managed
 * instance's endpoint certificate reader: `managedInstance.armEndpoint`, `tlsCaPem` and
 * `accessToken` or `accessTokenConfig` (DefaultAzureCredential without either).
 */
import * as pulumi from "@pulumi/pulumi";
import { listLinks } from "../azure/links";
import { StaticTokenCredential } from "../azure/credential";
import type { ManagedInstanceArgs } from "./args";
import { requireSecretConfig } from "./credential-config";

/** Where the managed instance is and how to reach Azure Resource Manager, resolved. */
export interface ManagedInstanceLinksTarget {
  subscriptionId: string;
  resourceGroupName: string;
  managedInstanceName: string;
  armEndpoint?: string;
  tlsCaPem?: string;
  accessToken?: string;
}

/**
 * The names of the managed instance's links, or the reason they could not be read. Not being able
 * to list them does not stop the deployment: Azure refuses a link beyond the limit anyway, and the
 * program may lack read access in Azure where the providers have it.
 */
export async function readManagedInstanceLinkNames(
  target: ManagedInstanceLinksTarget,
): Promise<{ names: string[] } | { failure: string }> {
  try {
    const links = await listLinks({
      subscriptionId: target.subscriptionId,
      resourceGroupName: target.resourceGroupName,
      managedInstanceName: target.managedInstanceName,
      armEndpoint: target.armEndpoint,
      tlsCaPem: target.tlsCaPem,
      ...(target.accessToken ? { credential: new StaticTokenCredential(target.accessToken) } : {}),
      // A check, not the deployment: give up within a minute rather than the default half hour.
      operationTimeoutSeconds: 60,
    });
    return { names: links.map((link) => link.name) };
  } catch (error) {
    return { failure: error instanceof Error ? error.message : String(error) };
  }
}

/** The preflight warning when the links could not be listed. */
export function linkCountWarning(managedInstanceName: string, failure: string, requested: number): string {
  return (
    `Could not count the links already on managed instance "${managedInstanceName}", so the 100-link limit ` +
    `was checked against this component's ${requested} only. ${failure} ` +
    "Give this program read access to the managed instance's distributedAvailabilityGroups " +
    "(managedInstance.accessToken or accessTokenConfig, or a DefaultAzureCredential sign-in) to have them counted."
  );
}

/** The subscription GUID of an ARM resource id (`/subscriptions/<id>/...`), or undefined. */
function subscriptionOfResourceId(resourceId: string): string | undefined {
  return /^\/subscriptions\/([^/]+)\//i.exec(resourceId ?? "")?.[1];
}

/** The subscription GUID of the managed instance's ARM resource id; throws, naming the fix, without one. */
export function subscriptionOf(resourceId: string): string {
  const subscription = subscriptionOfResourceId(resourceId);
  if (subscription === undefined) {
    throw new Error(
      `Cannot tell the managed instance's subscription from its id "${resourceId}". Set managedInstance.subscriptionId.`,
    );
  }
  return subscription;
}

/**
 * The names of the links on the managed instance, read in the program (preview included); undefined,
 * with a warning on `resource`, when they cannot be listed. Link names are not secret.
 * @param mi the managed instance as the lookup found it (its id gives the default subscription)
 * @param requested how many links the component asks for, for the warning
 */
export function managedInstanceLinkNamesOutput(
  mi: pulumi.Output<{ id: string; name: string }>,
  azure: ManagedInstanceArgs,
  requested: number,
  resource: pulumi.Resource,
): pulumi.Output<string[] | undefined> {
  const target = pulumi.output({
    resourceGroupName: azure.resourceGroupName,
    armEndpoint: azure.armEndpoint,
    tlsCaPem: azure.tlsCaPem,
    // The token by value, or read from the stack config when given by reference.
    accessToken:
      azure.accessToken ??
      (azure.accessTokenConfig === undefined ? undefined : requireSecretConfig(azure.accessTokenConfig)),
  });
  // With the subscription given, the list runs alongside the managed instance's lookup, not after it.
  // Without one in the id either, "" makes the Azure call refuse, naming the field.
  const located =
    azure.subscriptionId === undefined
      ? mi.apply((found) => ({ subscriptionId: subscriptionOfResourceId(found.id) ?? "", name: found.name }))
      : pulumi.output({ subscriptionId: azure.subscriptionId, name: azure.name });
  return pulumi.unsecret(
    pulumi.all([located, target]).apply(async ([where, plain]) => {
      const read = await readManagedInstanceLinkNames({
        ...plain,
        subscriptionId: where.subscriptionId,
        managedInstanceName: where.name,
      });
      if ("names" in read) return read.names;
      await pulumi.log.warn(linkCountWarning(where.name, read.failure, requested), resource);
      return undefined;
    }),
  ) as pulumi.Output<string[] | undefined>;
}
