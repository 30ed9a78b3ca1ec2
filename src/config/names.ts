/** Kubernetes and DNS name rules, shared by the schema and the components. */

/** RFC 1123 label as Kubernetes uses it for namespaces and most object names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_LABEL_LENGTH = 63;

/** A lower-case DNS host name: labels of 1..63 characters, 253 characters in all, no trailing dot. */
export const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;

/** How many characters must be inserted, deleted or replaced to turn `a` into `b` (Levenshtein). */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}

export function isDns1123Label(value: string): boolean {
  return value.length <= MAX_LABEL_LENGTH && DNS1123_LABEL.test(value);
}

/**
 * Joins parts into an object name, truncated to 63 characters and stripped of a trailing
 * dash, as the Helm charts' `trunc 63 | trimSuffix "-"` helper did.
 */
export function objectName(...parts: string[]): string {
  return parts.join("-").slice(0, MAX_LABEL_LENGTH).replace(/-+$/, "");
}

/** The name of a storage entry's claim: the existing claim it adopts, or `pvc-<namespace>-<key>`. */
export function claimName(namespace: string, key: string, existingClaim?: string): string {
  return existingClaim ?? `pvc-${namespace}-${key}`;
}

/** Where a customer's secrets live: a kv-v2 mount, and the prefix of its secrets' names there. */
export interface KvSpace {
  mount: string;
  /** `""` on the customer's own mount, `<path>/` under a shared mount. */
  prefix: string;
}

/** The customer's KV space: its own mount at its Vault path, or that path as a prefix inside the shared mount. */
export function customerKvSpace(vaultPath: string, vault: { mount: "own" | "shared"; sharedMount: string }): KvSpace {
  return vault.mount === "own" ? { mount: vaultPath, prefix: "" } : { mount: vault.sharedMount, prefix: `${vaultPath}/` };
}

/** A KV secret's name inside its mount, as the kv-v2 engine and the secrets operator name it. */
export function secretMountPath(space: KvSpace, name: string): string {
  return `${space.prefix}${name}`;
}

/** The API path of a KV secret, as policies and agent templates name it. */
export function secretApiPath(space: KvSpace, name: string): string {
  return `${space.mount}/data/${secretMountPath(space, name)}`;
}

/** The customer's namespace unless set: its name and the environment's suffix. */
export function defaultNamespace(customer: string, namespaceSuffix: string): string {
  return `${customer}${namespaceSuffix}`;
}

/** The customer's Vault path unless set: `<namespace>-application`, as the Helm charts named it. */
export function defaultVaultPath(namespace: string): string {
  return `${namespace}-application`;
}

/** The database suffix unless set: `_<namespace>`, its dashes as underscores. */
export function defaultDbSuffix(namespace: string): string {
  return `_${namespace.replace(/-/g, "_")}`;
}

/** The Kubernetes-auth role the customer's services log in with: named after the namespace, as the charts' `vault.role` was. */
export function vaultRoleName(namespace: string): string {
  return namespace;
}

/**
 * The ClusterRole of the README's manifests that holds what the deployer does inside a customer's
 * namespace, and its RoleBinding there, which the stack creates right after the namespace.
 */
export const DEPLOYER_NAMESPACE_ROLE = "ffnodes-deployer-namespace";
export const DEPLOYER_BINDING = "ffnodes-deployer";

/** The environment's cert-manager Certificate: `fitfile-<namespace>`, the Helm charts' name, which adopt mode imports. */
export function certificateName(namespace: string): string {
  return objectName("fitfile", namespace);
}

/** A customer's Vault policy: `<namespace>-<key>` (app-read, operator). */
export function vaultPolicyName(namespace: string, key: string): string {
  return `${namespace}-${key}`;
}

/** A namespaced Kubernetes object's id, as an import names it: `<namespace>/<name>`. */
export function namespacedId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The Vault id of a Kubernetes-auth role, as an import names it. */
export function vaultRoleId(authMount: string, role: string): string {
  return `auth/${authMount}/role/${role}`;
}

/** The ArgoCD Application (and Helm release) of a service: `<namespace>-<service>`, cut to 63 characters. */
export function applicationName(namespace: string, service: string): string {
  return objectName(namespace, service);
}

/** A database's name on the server: `<database><dbSuffix>`, as `global.db` gives it to the charts. */
export function databaseName(database: string, dbSuffix: string): string {
  return `${database}${dbSuffix}`;
}
