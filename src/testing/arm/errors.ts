/** An ARM error response: HTTP status plus the `{"error":{"code","message"}}` body every RP returns. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ArmError";
  }

  body(): ArmErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export interface ArmErrorBody {
  error: { code: string; message: string; details?: Array<{ code: string; message: string }> };
}

export function notFound(resourceType: string, name: string): ArmError {
  return new ArmError(
    404,
    "ResourceNotFound",
    `The Resource '${resourceType}/${name}' under resource group was not found. ` +
      "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
  );
}

export function badRequest(code: string, message: string): ArmError {
  return new ArmError(400, code, message);
}

export function conflict(code: string, message: string): ArmError {
  return new ArmError(409, code, message);
}
