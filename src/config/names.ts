/** Kubernetes and DNS name rules, shared by the schema and the components. */

/** RFC 1123 label as Kubernetes uses it for namespaces and most object names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const MAX_LABEL_LENGTH = 63;

/** A lower-case DNS host name: labels of 1..63 characters, 253 characters in all, no trailing dot. */
export const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$/;

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
