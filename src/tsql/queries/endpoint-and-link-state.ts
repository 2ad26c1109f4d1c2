/**
 * The mirroring endpoint (first result set) and the live state of a link by its distributed
 * availability group's name (@name, the three result sets of LINK_STATE_QUERY), in one batch:
 * what a check of the link's endpoint certificate observes at each poll, in one round trip.
 */
import { LINK_STATE_QUERY } from "./link-state";
import { MIRRORING_ENDPOINT_QUERY } from "./mirroring-endpoint";

export const ENDPOINT_AND_LINK_STATE_QUERY = `${MIRRORING_ENDPOINT_QUERY};\n${LINK_STATE_QUERY}`;
