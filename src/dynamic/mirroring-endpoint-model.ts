/** The mirroring endpoint resource's inputs and outputs (the provider is in mirroring-endpoint.ts). */
import type { EndpointAlgorithm } from "../sql/catalog/endpoint-settings";
import type { ConnectionInputs } from "./common/connection";
import type { CreateOutcomeFlag } from "./common/create-outcome";
import type { EndpointOriginal } from "./mirroring-endpoint-plan";

export interface MirroringEndpointInputs extends ConnectionInputs {
  /** Name of the endpoint when it is created. Default "database_mirroring_endpoint". */
  name?: string;
  /** TCP port. Default 5022. */
  port?: number;
  /** The endpoint certificate (in master, with its private key) the link authenticates with. */
  certificateName: string;
  /** Encryption algorithms in order of preference; must include AES. Default ["AES"]. */
  algorithms?: EndpointAlgorithm[];
}

export interface MirroringEndpointOutputs
  extends MirroringEndpointInputs, Partial<EndpointOriginal>, CreateOutcomeFlag {
  /** The endpoint's actual name (an adopted endpoint keeps its own). */
  name: string;
  /** The port this resource manages. */
  port: number;
  /**
   * The port the endpoint listened on when last read. A move out of band shows here on refresh, and the
   * next up refuses it (a replacement would drop an endpoint other applications may now use).
   */
  listenerPort?: number;
  /** The endpoint existed before this resource: it is restored, never dropped, on delete. */
  adopted: boolean;
  /** connection_auth_desc, e.g. "CERTIFICATE" or "NEGOTIATE, CERTIFICATE". */
  connectionAuth: string;
  /** encryption_algorithm_desc, e.g. "AES" or "RC4, AES". */
  encryptionAlgorithm: string;
  /** STARTED, STOPPED or DISABLED. */
  state: string;
}
