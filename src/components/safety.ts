import * as pulumi from "@pulumi/pulumi";
import { ADOPT_CREATE } from "../config/adopt";
import { Adoption } from "../config/environment";

/**
 * Options for anything that holds data (namespaces, claims, Vault data, ...): never deleted by
 * `pulumi destroy` or a replacement, refused by a destroy until unprotected by hand, and
 * recognised under its earlier top-level location (directly under the stack), so that moving it
 * from there into a component does not replace it. `rootStackResource` is undefined by design:
 * an alias whose `parent` key is present but undefined means "no parent" (@pulumi/pulumi
 * resource.d.ts, Alias; the SDK sends it as noParent), as test/aliases.test.ts checks.
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
export function adoptedId(adopt: Adoption, key: string, derivedId?: string): string | undefined {
  if (!adopt.enabled) return undefined;
  const id = adopt.ids[key] ?? derivedId;
  return id === ADOPT_CREATE ? undefined : id;
}

/**
 * Annotations of a Kubernetes object that adopt mode may import. Helm or ArgoCD created it, and
 * server-side apply refuses to change a field another manager set ("field conflict"); ffnodes
 * owns what it declares, so its apply takes those fields over (verified by test/e2e/04-adopt).
 * Always set, not only in adopt mode, so that turning adopt mode off changes nothing.
 */
export const ADOPTABLE = { "pulumi.com/patchForce": "true" } as const;
