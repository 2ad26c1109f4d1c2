import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";

/** A TokenCredential that always returns the same bearer token: enough for the ARM emulator. */
export class StaticTokenCredential implements TokenCredential {
  constructor(private readonly token = "emulator-token") {}

  async getToken(_scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    return { token: this.token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 };
  }
}
