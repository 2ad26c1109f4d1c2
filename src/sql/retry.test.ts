import { describe, expect, it } from "vitest";
import { describeSqlError } from "./errors";
import { isTransientConnectFailure, isTransientReadFailure, withRetry } from "./retry";

const sqlError = (number: number) =>
  Object.assign(new Error(`error ${number}`), { name: "RequestError", code: "EREQUEST", number });
const connectFailure = (code: string, systemCode?: string) =>
  Object.assign(new Error(`Failed to connect${systemCode ? ` - connect ${systemCode}` : ""}`), {
    name: "ConnectionError",
    code,
    originalError: {
      code,
      cause: systemCode ? Object.assign(new Error(systemCode), { code: systemCode }) : undefined,
    },
  });
const requestFailure = (code: string) =>
  Object.assign(new Error("request failed"), { name: "RequestError", code });

describe("transient classification", () => {
  it.each([4060, 40613, 40197, 40501, 49918, -2])("retries transient server error %i", (n) => {
    expect(isTransientConnectFailure(sqlError(n))).toBe(true);
  });

  it.each([15232, 15151, 35221, 1475, 102, 18456])("never retries SQL error %i", (n) => {
    expect(isTransientConnectFailure(sqlError(n))).toBe(false);
  });

  it("retries reset, refused and timed-out connects", () => {
    expect(isTransientConnectFailure(connectFailure("ESOCKET", "ECONNRESET"))).toBe(true);
    expect(isTransientConnectFailure(connectFailure("ESOCKET", "ECONNREFUSED"))).toBe(true);
    expect(isTransientConnectFailure(connectFailure("ETIMEOUT"))).toBe(true);
  });

  it("does not retry failed logins, unknown hosts or untrusted certificates", () => {
    expect(isTransientConnectFailure(connectFailure("ELOGIN"))).toBe(false);
    expect(isTransientConnectFailure(describeSqlError(connectFailure("ELOGIN"), { action: "connect" }))).toBe(
      false,
    );
    expect(isTransientConnectFailure(connectFailure("ESOCKET", "ENOTFOUND"))).toBe(false);
    const tls = Object.assign(new Error("Failed to connect - self-signed certificate in certificate chain"), {
      name: "ConnectionError",
      code: "ESOCKET",
    });
    expect(isTransientConnectFailure(tls)).toBe(false);
  });

  it("retries a read whose connection broke, but not one that timed out", () => {
    expect(isTransientReadFailure(requestFailure("ECONNCLOSED"))).toBe(true);
    expect(isTransientReadFailure(requestFailure("ETIMEOUT"))).toBe(false);
    expect(isTransientReadFailure(connectFailure("ETIMEOUT"))).toBe(true);
  });

  it("classifies described errors like raw ones", () => {
    const described = describeSqlError(connectFailure("ESOCKET", "ECONNRESET"), { action: "connect" });
    expect(isTransientConnectFailure(described)).toBe(true);
    expect(isTransientConnectFailure(describeSqlError(sqlError(15232), { action: "x" }))).toBe(false);
  });
});

describe("withRetry", () => {
  const noWait = { sleep: async () => undefined, random: () => 1 };

  it("retries transient failures with growing delays, then succeeds", async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw connectFailure("ESOCKET", "ECONNRESET");
        return "ok";
      },
      { ...noWait, initialDelayMs: 100, onRetry: ({ delayMs }) => delays.push(delayMs) },
    );
    expect(result).toBe("ok");
    expect(calls).toBe(3);
    expect(delays).toEqual([100, 200]);
  });

  it("stops after the allowed attempts and rethrows the last failure", async () => {
    let calls = 0;
    const failure = connectFailure("ESOCKET", "ECONNRESET");
    await expect(
      withRetry(
        async () => {
          calls++;
          throw failure;
        },
        { ...noWait, attempts: 3 },
      ),
    ).rejects.toBe(failure);
    expect(calls).toBe(3);
  });

  it("does not retry a permanent failure", async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw sqlError(15232);
      }, noWait),
    ).rejects.toMatchObject({ number: 15232 });
    expect(calls).toBe(1);
  });

  it("gives up when the next wait would pass the deadline", async () => {
    let clock = 0;
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          clock += 400;
          throw connectFailure("ETIMEOUT");
        },
        {
          ...noWait,
          attempts: 10,
          initialDelayMs: 500,
          deadlineMs: 2_000,
          now: () => clock,
          sleep: async (ms) => void (clock += ms),
        },
      ),
    ).rejects.toBeDefined();
    expect(calls).toBe(2);
  });
});
