import { badRequest } from "./errors";

const DAG_NAME = /^[#a-zA-Z_][\w@#$]*$/;
const MANAGED_INSTANCE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export function validateDistributedAvailabilityGroupName(name: string): void {
  if (name.length < 1 || name.length > 128 || !DAG_NAME.test(name)) {
    throw badRequest(
      "InvalidResourceName",
      `The distributed availability group name '${name}' is invalid: 1-128 characters, ` +
        "starting with a letter, '_' or '#', then letters, digits, '_', '@', '#' or '$'.",
    );
  }
}

export function validateManagedInstanceName(name: string): void {
  if (name.length < 1 || name.length > 63 || !MANAGED_INSTANCE_NAME.test(name)) {
    throw badRequest(
      "InvalidResourceName",
      `The managed instance name '${name}' is invalid: 1-63 lower-case letters, digits and ` +
        "single hyphens, not starting or ending with a hyphen.",
    );
  }
}
