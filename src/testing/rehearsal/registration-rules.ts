/**
 * The engine's rules for a registration before any provider call: which part of the rehearsal serves the
 * resource, the `ignoreChanges` option, and whether the `replacementTrigger` option asks for a replacement.
 */
import { isDeepStrictEqual } from "node:util";
import type { ResourceKind } from "./state";
import { WireMap, WireValue, stripSecrets } from "./wire";

export function kindOf(registration: {
  type: string;
  custom: boolean;
  replaceOnChanges?: readonly string[];
}): ResourceKind {
  if (!registration.custom) return "component";
  if (registration.type.startsWith("pulumi:providers:")) return "provider";
  if (registration.type.startsWith("pulumi-nodejs:dynamic")) {
    // The dynamic-provider host answers a diff without the changed keys the option is matched against.
    if ((registration.replaceOnChanges ?? []).length > 0) {
      throw new Error(
        `the rehearsal does not apply replaceOnChanges to the dynamic resource type ${registration.type}: ` +
          `its provider's diff decides its replacements`,
      );
    }
    return "dynamic";
  }
  if (registration.type.startsWith("azure-native:")) return "azure-native";
  throw new Error(
    `the rehearsal cannot create ${registration.type}: it serves dynamic resources, ` +
      `azure-native:sql resources of the link and component resources`,
  );
}

/** The engine's `ignoreChanges` for top-level properties: the old value is kept. */
export function applyIgnoreChanges(news: WireMap, olds: WireMap | undefined, ignore: string[]): WireMap {
  if (!olds || ignore.length === 0) return news;
  const result = { ...news };
  for (const key of ignore) {
    if (key in olds) result[key] = olds[key];
    else delete result[key];
  }
  return result;
}

/**
 * Whether a resource's `replacementTrigger` asks for its replacement: a value different from the one last
 * recorded, secrets compared by their values. A resource without the option is never replaced by it. A
 * trigger recorded for the first time counts as a change: Pulumi's documentation does not say, and a
 * replacement is the cautious reading.
 */
export function replacementTriggered(recorded: WireValue | undefined, next: WireValue | undefined): boolean {
  if (next === undefined) return false;
  return recorded === undefined || !isDeepStrictEqual(stripSecrets(recorded), stripSecrets(next));
}
