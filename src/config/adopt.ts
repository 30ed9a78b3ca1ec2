import { z } from "zod";
import type { EnvironmentConfig } from "./environment";
import { ConfigError, Problem, issuesToProblems, joinPath } from "./problems";
import { CLOUDFLARE_ID } from "./schema/dns";
import { ResolvedSettings, VAULT_POLICY_KEYS, VaultPolicyKey } from "./tenancy";

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
  vaultPolicy: (key: VaultPolicyKey) => `vault-policy-${key}`,
  dnsRecord: (host: string) => `dns-${host}`,
} as const;

/** The keys of `ffnodes:adoptIds` that name a resource of a stack with these settings. */
export function adoptableKeys(settings: ResolvedSettings, hosts: string[]): string[] {
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
export function unknownAdoptIds(ids: Record<string, string>, settings: ResolvedSettings, hosts: string[], file: string): Problem[] {
  const known = adoptableKeys(settings, hosts);
  return Object.keys(ids)
    .filter((key) => !known.includes(key))
    .map((key) => ({
      file,
      path: joinPath("config.ffnodes:adoptIds", key),
      message: `no resource of this stack is adopted under this key (check its spelling, or the host); the keys are: ${known.join(", ")}`,
    }));
}

const adoptSchema = z.strictObject({
  enabled: z.boolean("true or false"),
  ids: z.record(z.string(), z.string().min(1, "a non-empty resource id")),
});

/** `ffnodes:adopt` and `ffnodes:adoptIds` of a stack file, checked; a ConfigError at those keys otherwise. */
export function parseAdoption(adopt: unknown, adoptIds: unknown, file: string): EnvironmentConfig["adopt"] {
  const parsed = adoptSchema.safeParse({ enabled: adopt ?? false, ids: adoptIds ?? {} });
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    issuesToProblems(parsed.error.issues, { enabled: adopt, ids: adoptIds }, () => ({ file, prefix: "" })).map((p) => ({
      ...p,
      path: p.path.replace(/^enabled/, "config.ffnodes:adopt").replace(/^ids/, "config.ffnodes:adoptIds"),
    })),
  );
}

/** The logical name of the DNS record of a host: the key of its live id in `ffnodes:adoptIds`. */
export const dnsRecordName = ADOPT_KEY.dnsRecord;

/** Whether an `ffnodes:adoptIds` key is a DNS record's. */
export function isDnsRecordKey(key: string): boolean {
  return key.startsWith(dnsRecordName(""));
}

/** In `ffnodes:adoptIds`, this value creates the resource instead of importing it. */
export const ADOPT_CREATE = "create";

/** The import id of a Cloudflare DNS record (terraform-provider-cloudflare's dns_record): `<zone id>/<record id>`. */
export function recordImportId(zoneId: string, recordId: string): string {
  return `${zoneId}/${recordId}`;
}

/** Whether an `ffnodes:adoptIds` value is a record's import id, `<zone id>/<record id>`. */
export function isRecordImportId(id: string | undefined): boolean {
  const [zone, record, ...rest] = (id ?? "").split("/");
  return rest.length === 0 && CLOUDFLARE_ID.test(zone) && CLOUDFLARE_ID.test(record ?? "");
}

/**
 * Adopt mode imports what exists. A Cloudflare record's id cannot be derived from its name, and
 * creating a record that exists fails, so every host needs its live record id, or `create`.
 */
export function checkAdoption(adopt: EnvironmentConfig["adopt"], settings: ResolvedSettings, hosts: string[], file: string): Problem[] {
  if (!adopt.enabled || !settings.dns.enabled) return [];
  return [...new Set(hosts)]
    .filter((host) => {
      const id = adopt.ids[dnsRecordName(host)];
      return id !== ADOPT_CREATE && !isRecordImportId(id);
    })
    .map((host) => ({
      file,
      path: joinPath("config.ffnodes:adoptIds", dnsRecordName(host)),
      message: `adopt mode needs the live Cloudflare record of ${host} as '<zone id>/<record id>' (32 hexadecimal characters each), or '${ADOPT_CREATE}' to create it`,
    }));
}

