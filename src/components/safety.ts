import * as pulumi from "@pulumi/pulumi";

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
