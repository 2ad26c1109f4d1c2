/**
 * A CREATE whose reply never arrived. When the connection drops or the request times out after
 * SQL Server received the statement, nobody knows whether the object exists. Adopting it on the
 * next run would leave it behind on destroy (an orphan), so the provider records the resource as
 * partially created by the stack (`adopted: false`, `createOutcomeUnknown: true`); the engine
 * then calls `update`, which runs the create again and counts an object found under the expected
 * name as created by the stack, since only the lost statement can have made it (create read the
 * catalog just before and found nothing).
 */
import { SOCKET_CODES } from "../../sql/driver-errors";

/** The flag a partially created resource carries in its outputs until `update` has finished it. */
export interface CreateOutcomeFlag {
  /** The CREATE statement was sent but its reply was lost: whether it ran is not known yet. */
  createOutcomeUnknown?: boolean;
}

/**
 * Driver codes of a request that may have reached SQL Server and run: the connection broke or
 * the request timed out. (An array, not a Set: Pulumi's closure serializer copies module values.)
 */
const LOST_REPLY_CODES: readonly string[] = ["ESOCKET", "ECONNCLOSED", "ECONNRESET", "ETIMEOUT"];

/** Socket failures that happen before anything is sent: refused, or a name that does not resolve. */
const NEVER_CONNECTED_CODES: readonly string[] = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"];

/**
 * True when a failed statement may nevertheless have run: the failure carries no SQL Server
 * error number (a numbered error means SQL Server refused the statement) and is a transport
 * failure or a timeout.
 */
export function isOutcomeUnknown(error: unknown): boolean {
  const bag = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  if (typeof bag.number === "number") return false;
  if (Array.isArray(bag.numbers) && bag.numbers.length > 0) return false;
  const code = typeof bag.code === "string" ? bag.code : undefined;
  const systemCode = typeof bag.systemCode === "string" ? bag.systemCode : undefined;
  // No connection was made: the statement was never sent.
  if (systemCode !== undefined && NEVER_CONNECTED_CODES.includes(systemCode)) return false;
  return (
    (code !== undefined && LOST_REPLY_CODES.includes(code)) ||
    (systemCode !== undefined && SOCKET_CODES.includes(systemCode))
  );
}

/**
 * An error thrown from `create` (or `update`) once the object may exist on SQL Server: carrying
 * `id` and `properties`, it makes the engine record a partially created resource owned by the
 * stack, so the next `up` finishes the work through `update` instead of adopting the object.
 */
export function partiallyCreated(error: unknown, id: string, properties: Record<string, unknown>): Error {
  const failure = error instanceof Error ? error : new Error(String(error));
  return Object.assign(failure, { id, properties, reasons: [failure.message] });
}

/**
 * Runs the CREATE statement of `object`. When its reply is lost the outcome is unknown: the
 * error becomes a partially created resource with `properties` (the outputs as far as known),
 * owned by the stack. A definite failure (SQL Server answered with an error) propagates as is,
 * unless `createdDespiteError` (for a CREATE sent with a read in one request) finds the object
 * there: the CREATE ran and a later statement failed, so the object is the stack's all the same.
 */
export async function runCreateStatement<T>(
  object: string,
  id: string,
  properties: Record<string, unknown>,
  statement: () => Promise<T>,
  createdDespiteError?: () => Promise<boolean>,
): Promise<T> {
  try {
    return await statement();
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    const owned =
      " It is recorded as created by this stack: the next `pulumi up` finishes it, and `pulumi destroy` drops it.";
    if (isOutcomeUnknown(error)) {
      failure.message += ` The reply to CREATE was lost, so whether ${object} exists is unknown.${owned}`;
    } else if (createdDespiteError && (await createdDespiteError().catch(() => false))) {
      failure.message += ` ${object} was created before the request failed.${owned}`;
    } else {
      throw error;
    }
    throw partiallyCreated(failure, id, { ...properties, adopted: false, createOutcomeUnknown: true });
  }
}

/** True when `olds` is a resource whose CREATE reply was lost: `update` must finish the create. */
export function createOutcomeUnknown(olds: CreateOutcomeFlag | undefined): boolean {
  return olds?.createOutcomeUnknown === true;
}

/**
 * A diff that never hides an unfinished create: while the outcome is unknown there is always a
 * change, so the engine calls `update` (it does so for partially created resources anyway).
 */
export function keepUnfinishedCreate(
  olds: CreateOutcomeFlag,
  diff: { changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean },
): { changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean } {
  return createOutcomeUnknown(olds) ? { ...diff, changes: true } : diff;
}
