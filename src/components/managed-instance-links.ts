/**
 * The links already on the managed instance, for the preflight's 100-link limit. Read in the
 * program (preview included) with the Azure options the component passes to the managed
 * instance's endpoint certificate reader: `managedInstance.armEndpoint`, `tlsCaPem` and
 * `accessToken` (DefaultAzureCredential without one).
 */
import { listLinks } from "../azure/links";
import { StaticTokenCredential } from "../azure/credential";

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
    "(managedInstance.accessToken, or a DefaultAzureCredential sign-in) to have them counted."
  );
}
