/**
 * Failed Azure Resource Manager calls, described: what was being done, on which
 * resource, the HTTP status and Azure error code, Azure's message and what to do.
 * The message never carries the request (its Authorization header holds a token).
 */

/** What an ARM call was doing, for messages: "read the endpoint certificate" on "managed instance sqlmi1". */
export interface ArmCallContext {
  /** A verb phrase: "read the endpoint certificate", "fail over the link". */
  action: string;
  /** The resource acted on, e.g. "link DAG_sales of managed instance sqlmi1". */
  resource: string;
}

/** A failed ARM call. `code` is Azure's error code (AnotherOperationInProgress, ...). */
export class AzureOperationError extends Error {
  /** HTTP status of the last answer, when there was one. */
  readonly statusCode?: number;
  /** Azure's error code, when the answer carried one. */
  readonly code?: string;
  /** Azure's own message, as sent. */
  readonly azureMessage?: string;
  /** What to do about it, when known. */
  readonly fix?: string;
  readonly action: string;
  readonly resource: string;

  constructor(fields: {
    context: ArmCallContext;
    statusCode?: number;
    code?: string;
    azureMessage?: string;
    fix?: string;
    detail?: string;
  }) {
    const { context, statusCode, code, azureMessage, fix, detail } = fields;
    const answer = [statusCode !== undefined ? `HTTP ${statusCode}` : undefined, code]
      .filter(Boolean)
      .join(" ");
    const message =
      `Could not ${context.action} (${context.resource})` +
      (answer ? `: Azure answered ${answer}` : "") +
      (azureMessage ? `: ${azureMessage.trim()}` : "") +
      (detail ? `${answer || azureMessage ? " " : ": "}${detail.trim()}` : "") +
      (fix ? ` Fix: ${fix}` : "");
    super(message);
    // Set explicitly: an Error subclass called without `new` (closure-serialized code) sets neither.
    this.message = message;
    this.name = "AzureOperationError";
    this.statusCode = statusCode;
    this.code = code;
    this.azureMessage = azureMessage;
    this.fix = fix;
    this.action = context.action;
    this.resource = context.resource;
  }
}

/** The `{"error":{"code","message"}}` body of an ARM error answer, when the text is one. */
export function parseArmErrorBody(text: string | null | undefined): { code?: string; message?: string } {
  if (!text) return {};
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const error = body?.error;
    return {
      code: typeof error?.code === "string" ? error.code : undefined,
      message: typeof error?.message === "string" ? error.message : undefined,
    };
  } catch {
    return {};
  }
}

/** Fixes for the answers any ARM call of this package can get. */
export function genericFix(statusCode: number | undefined, code: string | undefined): string | undefined {
  if (code === "AnotherOperationInProgress") {
    return (
      "another operation on the managed instance is still running (see its Activity log in the Azure portal); " +
      "wait for it to finish, then run the deployment again: what is done is kept and the rest continues."
    );
  }
  if (statusCode === 429) {
    return (
      "Azure Resource Manager throttled the requests of this identity; wait a few minutes and run the " +
      "deployment again."
    );
  }
  if (statusCode === 401) {
    return (
      "the Azure token was refused: sign in again (az login), check the tenant of the credential, or pass a " +
      "fresh accessToken."
    );
  }
  if (statusCode === 403 || code === "AuthorizationFailed") {
    return (
      "give the identity a role on the managed instance that allows this action (for example " +
      "SQL Managed Instance Contributor), then run the deployment again."
    );
  }
  if (code === "SubscriptionNotFound") return "check subscriptionId and that the identity can see it.";
  if (code === "ResourceGroupNotFound") return "check resourceGroupName (and subscriptionId).";
  if (statusCode === 404 || code === "ResourceNotFound" || code === "ParentResourceNotFound") {
    return "check subscriptionId, resourceGroupName and managedInstanceName.";
  }
  if (statusCode !== undefined && statusCode >= 500) {
    return "Azure had an internal error; run the deployment again in a few minutes.";
  }
  return undefined;
}
