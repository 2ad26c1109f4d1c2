/**
 * Property values as they travel between a Pulumi program, the engine and a provider host.
 *
 *   toWire(props)                 // JS values, Outputs, pulumi.secret(...) → wire form (Pulumi's own serializer)
 *   stripSecrets(wire)            // what the engine sends a provider that declared acceptSecrets=false
 *   annotateSecrets(outs, ins)    // how the engine re-marks a provider's outputs as secret before saving state
 *   plaintextPaths(state, [password])  // where a secret would be stored in clear
 *   isSecretValue(v), secretValue(v), containsSecrets(v), UNKNOWN
 *
 * Wire form: plain JSON where a secret is `{ "4dabf1…": "1b4706…", value }` and an unknown (preview) value is the
 * string {@link UNKNOWN}.
 */
import * as rpc from "@pulumi/pulumi/runtime/rpc";

// getStore is internal to the SDK (no typings): it holds the monitor's feature flags.
const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { supportsSecrets: boolean } };

export type WireValue = null | boolean | number | string | WireValue[] | { [key: string]: WireValue };
export type WireMap = Record<string, WireValue>;

/** The sentinel the engine sends for values not known during preview. */
export const UNKNOWN = rpc.unknownValue;

export function secretValue(value: WireValue): WireValue {
  return { [rpc.specialSigKey]: rpc.specialSecretSig, value };
}

export function isSecretValue(value: unknown): value is { value: WireValue } {
  return rpc.isRpcSecret(value);
}

function isPlainObject(value: unknown): value is Record<string, WireValue> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function containsSecrets(value: unknown): boolean {
  if (isSecretValue(value)) return true;
  if (Array.isArray(value)) return value.some(containsSecrets);
  if (isPlainObject(value)) return Object.values(value).some(containsSecrets);
  return false;
}

/**
 * Serializes program-side values with `@pulumi/pulumi/runtime/rpc.serializeProperties`, as the language host
 * does for a monitor that supports secrets: `pulumi.secret(x)` becomes a secret wire value, an unknown Output
 * becomes {@link UNKNOWN}. Values already in wire form pass through unchanged.
 */
let serializing = 0;
let supportsSecretsBefore = false;

export async function toWire(props: Record<string, unknown>): Promise<WireMap> {
  // The flag is global and serialization is async: keep it set while any call is in flight.
  const store = state.getStore();
  if (serializing++ === 0) {
    supportsSecretsBefore = store.supportsSecrets;
    store.supportsSecrets = true;
  }
  try {
    return (await rpc.serializeProperties("harness", props)) as WireMap;
  } finally {
    if (--serializing === 0) store.supportsSecrets = supportsSecretsBefore;
  }
}

/** Replaces every secret by its plaintext, as the engine does for a provider that does not accept secrets. */
export function stripSecrets<T extends WireValue>(value: T): T {
  if (isSecretValue(value)) return stripSecrets(value.value) as T;
  if (Array.isArray(value)) return value.map((v) => stripSecrets(v)) as T;
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripSecrets(v)])) as T;
  }
  return value;
}

/**
 * The engine's rule for outputs of a provider that does not accept secrets: an output whose key matches an
 * input containing a secret is stored as secret; where both are objects the rule recurses so only the secret
 * leaves are wrapped. Keys the inputs do not have stay plaintext (that is what `additionalSecretOutputs` is for).
 */
export function annotateSecrets(outs: WireMap, ins: WireMap): WireMap {
  const result: WireMap = { ...outs };
  for (const [key, inValue] of Object.entries(ins)) {
    if (!(key in result)) continue;
    const outValue = result[key];
    if (
      isPlainObject(outValue) &&
      !isSecretValue(outValue) &&
      isPlainObject(inValue) &&
      !isSecretValue(inValue)
    ) {
      result[key] = annotateSecrets(outValue, inValue);
    } else if (!isSecretValue(outValue) && containsSecrets(inValue)) {
      result[key] = secretValue(outValue);
    }
  }
  return result;
}

/** Top-level keys whose value is (or contains) a secret. */
export function secretKeys(map: WireMap): string[] {
  return Object.keys(map).filter((key) => containsSecrets(map[key]));
}

/**
 * Where any of `needles` appears in clear in `value`: the JSON-ish paths of strings containing one, outside
 * secret wrappers. Run it on a `state` to prove a credential would not be stored in plaintext.
 */
export function plaintextPaths(value: WireValue, needles: string[], at = "$"): string[] {
  if (isSecretValue(value)) return [];
  if (typeof value === "string") return needles.some((n) => n !== "" && value.includes(n)) ? [at] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => plaintextPaths(v, needles, `${at}[${i}]`));
  if (isPlainObject(value)) {
    return Object.entries(value).flatMap(([k, v]) => plaintextPaths(v, needles, `${at}.${k}`));
  }
  return [];
}

/** Wraps the listed top-level keys as secret, as the engine does for a resource's `additionalSecretOutputs`. */
export function markSecret(map: WireMap, keys: readonly string[]): WireMap {
  const result: WireMap = { ...map };
  for (const key of keys) {
    if (key in result && !isSecretValue(result[key])) result[key] = secretValue(result[key]);
  }
  return result;
}
