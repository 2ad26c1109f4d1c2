/**
 * Credentials for ARM calls: a fixed bearer token (rehearsals, tests, tokens
 * obtained elsewhere), or DefaultAzureCredential, created once per process and
 * only when first needed (@azure/identity is large and this code runs inside
 * dynamic providers).
 */
import type { AccessToken, TokenCredential } from "@azure/core-auth";

/** A TokenCredential that always answers with the same bearer token. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token: string) {}

  async getToken(): Promise<AccessToken> {
    // The real expiry is unknown: claim an hour so the pipeline never asks twice in one call.
    return { token: this.token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 };
  }
}

let defaultCredential: TokenCredential | undefined;

/** DefaultAzureCredential (environment, workload/managed identity, Azure CLI, ...), shared by every call. */
export function defaultAzureCredential(): TokenCredential {
  if (!defaultCredential) {
    const identity: typeof import("@azure/identity") = require("@azure/identity");
    defaultCredential = new identity.DefaultAzureCredential();
  }
  return defaultCredential;
}
