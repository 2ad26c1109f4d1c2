/**
 * The provider stored in state (`__provider`) is only a forwarder: each
 * method requires the package's compiled implementation by its published name
 * at run time. Pulumi's closure serializer cannot capture this package's
 * modules by value faithfully (module-level `exports.X` references and Node
 * built-ins are lost), and a forwarder keeps `__provider` small and free of
 * captured values. `require` resolves from the program's working directory,
 * where the package is installed.
 *
 * `configure` hands the stack config to the package's config store (config.ts), which every
 * provider reads credentials given by config reference from.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The name the package is installed under, as the dynamic-provider host requires it. */
export const PACKAGE_NAME = "pulumi-mi-link";

/**
 * What a forwarder calls: every method but `configure` (the forwarder's own). Annotating each
 * `<x>Operations` export with it makes a missing method (say `read`, used by refresh) a compile
 * error rather than a failure at run time.
 */
export type ProviderOperations = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

/**
 * A dynamic provider as it is registered and stored in state (`__provider`): the CommonJS source the
 * dynamic-provider host evaluates with `require-from-string(text).handler()`.
 */
export interface ProviderSource {
  readonly text: string;
}

/**
 * A provider whose methods call `require(modulePath)[exportName]`, as source written here rather than
 * produced by Pulumi's closure serializer: the serializer opens an inspector session, parses each
 * function with TypeScript and walks its captured scope, which costs a program about half a second of
 * CPU before its first dynamic resource registers. The source below is what the serializer produced
 * for the same forwarder, without its `with` scaffolding.
 * @param modulePath e.g. "pulumi-mi-link/dist/dynamic/master-key.js" (with the extension: the package exports map does not add it)
 * @param exportName the exported implementation, e.g. "masterKeyOperations"
 */
export function forwardingProvider(
  modulePath: string,
  exportName: string,
  configModulePath = `${PACKAGE_NAME}/dist/dynamic/common/config.js`,
): ProviderSource {
  const literal = (value: string) => JSON.stringify(value);
  const text = [
    `"use strict";`,
    `const implementation = () => require(${literal(modulePath)})[${literal(exportName)}];`,
    `const provider = {`,
    `  configure: async (req) => require(${literal(configModulePath)}).rememberStackConfig(req.config),`,
    `  check: (olds, news) => implementation().check(olds, news),`,
    `  diff: (id, olds, news) => implementation().diff(id, olds, news),`,
    `  create: (inputs) => implementation().create(inputs),`,
    `  read: (id, props) => implementation().read(id, props),`,
    `  update: (id, olds, news) => implementation().update(id, olds, news),`,
    `  delete: (id, props) => implementation().delete(id, props),`,
    `};`,
    `exports.handler = () => provider;`,
    ``,
  ].join("\n");
  return { text };
}
