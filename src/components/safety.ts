import * as pulumi from "@pulumi/pulumi";
import { ADOPT_CREATE, EnvironmentConfig } from "../config/load";

/**
 * Options for anything that holds data (namespaces, claims, Vault data, ...): never deleted by
 * `pulumi destroy` or a replacement, refused by a destroy until unprotected by hand, and
 * recognised under its earlier top-level location so that moving it into or between components
 * does not replace it.
 */
export function holdsData(opts: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
  return {
    ...opts,
    protect: true,
    retainOnDelete: true,
    aliases: [...(opts.aliases ?? []), { parent: pulumi.rootStackResource }],
  };
}

/**
 * The `import` option for a stateful resource: its live id in adopt mode (an explicit id from
 * `ffnodes:adoptIds` under `key` wins over the derived one; `create` means create it), otherwise
 * nothing.
 */
export function adoptedId(config: EnvironmentConfig, key: string, derivedId?: string): string | undefined {
  if (!config.adopt.enabled) return undefined;
  const id = config.adopt.ids[key] ?? derivedId;
  return id === ADOPT_CREATE ? undefined : id;
}

/**
 * Options that import a live object by `importId` (none when it is undefined). The engine refuses
 * an import whose declared inputs differ from the live object, and a Helm-era object lacks what
 * ffnodes adds (labels, policies' new rules, descriptions), so the import ignores changes to every
 * declared input. The first run without adopt mode then updates the object in place to what
 * ffnodes declares; a difference that would replace it stops there, since data holders are protected.
 */
export function adoptOptions(importId: string | undefined, declared: object, ignoreChanges: string[] = []): pulumi.CustomResourceOptions {
  if (importId === undefined) return ignoreChanges.length > 0 ? { ignoreChanges } : {};
  return { import: importId, ignoreChanges: [...new Set([...ignoreChanges, ...Object.keys(declared)])].sort() };
}
