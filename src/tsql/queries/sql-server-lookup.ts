/**
 * The read-only lookup MiLink runs before registering anything, as one batch of SELECTs: one
 * request instead of four round trips on the critical path of every `up` and `preview`. In order,
 * one result set each:
 *   1. who the server is (SERVER_INFO_QUERY);
 *   2. the named databases (databasesQuery), only when there are names (parameters @db0, ...);
 *   3. the mirroring endpoint (MIRRORING_ENDPOINT_QUERY);
 *   4. the endpoint certificate candidates (ENDPOINT_CERTIFICATE_CANDIDATES_QUERY).
 * Every value travels as a parameter: the text holds no value of the user's and no secret.
 */
import { CERTIFICATE_COLUMNS } from "./certificate";
import { databasesQuery } from "./databases";
import { MIRRORING_ENDPOINT_QUERY } from "./mirroring-endpoint";
import { SERVER_INFO_QUERY } from "./server-info";

/**
 * The certificates of master the endpoint certificate in use can be: the one the mirroring
 * endpoint authenticates with (by certificate_id, so no name has to be read first), and every
 * first generation of a default endpoint certificate name (`Cert_<server>_endpoint`). The default
 * name depends on @@SERVERNAME (and on a hash when it is long), so the caller picks this server's
 * among them; `[_]` is a literal underscore in LIKE.
 */
export const ENDPOINT_CERTIFICATE_CANDIDATES_QUERY = `${CERTIFICATE_COLUMNS}
WHERE c.certificate_id IN (SELECT e.certificate_id FROM sys.database_mirroring_endpoints e)
   OR c.name LIKE N'Cert[_]%[_]endpoint'
ORDER BY c.name`;

/** The lookup for `databaseCount` named databases (0: no database result set at all). */
export function sqlServerLookupQuery(databaseCount: number): string {
  const databases = databaseCount > 0 ? [databasesQuery(databaseCount)] : [];
  return [SERVER_INFO_QUERY, ...databases, MIRRORING_ENDPOINT_QUERY, ENDPOINT_CERTIFICATE_CANDIDATES_QUERY]
    .map((select) => `${select};`)
    .join("\n");
}
