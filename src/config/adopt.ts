import { Problem, joinPath } from "./problems";
import type { EnvironmentSettings } from "./schema";

/** The Vault policies of a customer, by key: what its policy names and adoption keys end in. */
export const VAULT_POLICY_KEYS = ["app-read", "operator"] as const;

/**
 * The logical names of the resources adopt mode can import: the keys of `ffnodes:adoptIds`.
 * Components take their keys from here, so that an id under any other key is refused.
 */
export const ADOPT_KEY = {
  namespace: "namespace",
  certificate: "certificate",
  vaultMount: "vault-mount",
  vaultAuthRole: "vault-auth-role",
  vaultCredentials: "vault-credentials",
  gitopsProject: "gitops-project",
  gitopsApplicationSet: "gitops-applicationset",
  claim: (key: string) => `claim-${key}`,
  vaultPolicy: (key: (typeof VAULT_POLICY_KEYS)[number]) => `vault-policy-${key}`,
  dnsRecord: (host: string) => `dns-${host}`,
} as const;

/** The keys of `ffnodes:adoptIds` that name a resource of a stack with these settings. */
export function adoptableKeys(settings: EnvironmentSettings, hosts: string[]): string[] {
  return [
    ADOPT_KEY.namespace,
    ...Object.keys(settings.storage).map(ADOPT_KEY.claim),
    ...(settings.vault.mount === "own" ? [ADOPT_KEY.vaultMount] : []),
    ...VAULT_POLICY_KEYS.map(ADOPT_KEY.vaultPolicy),
    ADOPT_KEY.vaultAuthRole,
    ...(settings.vault.credentials.databases.length > 0 ? [ADOPT_KEY.vaultCredentials] : []),
    ...(settings.certificates.mode === "origin-ca" ? [] : [ADOPT_KEY.certificate]),
    ADOPT_KEY.gitopsProject,
    ADOPT_KEY.gitopsApplicationSet,
    ...(settings.dns.enabled ? [...new Set(hosts)].map(ADOPT_KEY.dnsRecord) : []),
  ];
}

/** An id under a key that names no resource of the stack (a typo, or a host it does not have) would be ignored: each is a problem. */
export function unknownAdoptIds(ids: Record<string, string>, settings: EnvironmentSettings, hosts: string[], file: string): Problem[] {
  const known = adoptableKeys(settings, hosts);
  return Object.keys(ids)
    .filter((key) => !known.includes(key))
    .map((key) => ({
      file,
      path: joinPath("config.ffnodes:adoptIds", key),
      message: `no resource of this stack is adopted under this key (check its spelling, or the host); the keys are: ${known.join(", ")}`,
    }));
}
