import {
  KvSpace,
  applicationName,
  certificateName,
  claimName,
  customerKvSpace,
  databaseName,
  defaultDbSuffix,
  defaultNamespace,
  defaultVaultPath,
  namespacedId,
  secretApiPath,
  secretMountPath,
  vaultPolicyName,
  vaultRoleId,
  vaultRoleName,
} from "./names";
import type { EnvironmentSettings } from "./schema";
import { APP_SECRET, VaultSettings } from "./schema/vault";

/** The Vault policies of a customer, by key: what its policy names and adoption keys end in. */
export const VAULT_POLICY_KEYS = ["app-read", "operator"] as const;
export type VaultPolicyKey = (typeof VAULT_POLICY_KEYS)[number];

/** The pgweb addon: its name, its service account's, and its basic-auth KV secret's in the customer's space. */
export const PGWEB = "pgweb";

/** A KV secret of the customer: its name inside the mount (what the engine writes) and its API path (what policies and agents read). */
export interface KvSecret {
  name: string;
  apiPath: string;
}

/**
 * Every name a customer environment's resources are known by, derived once from its settings:
 * what the components, the Helm values, the fleet checks, the importer's report and the policy
 * pack read, so that no two of them can disagree.
 */
export interface Tenancy {
  /** `<customer><namespaceSuffix>` unless `namespace` is set. */
  namespace: string;
  /** Appended to every database name: `_<namespace>` unless `dbSuffix` is set. */
  dbSuffix: string;
  /** Which of the names above and the Vault path were derived rather than set: what a clash between two derived ones says. */
  derived: { namespace: boolean; vaultPath: boolean; dbSuffix: boolean };
  vault: {
    /** The customer's Vault path: its own kv-v2 mount, or its prefix inside the shared mount. `<namespace>-application` unless set. */
    path: string;
    space: KvSpace;
    /** The secret with the generated database credentials. */
    credentials: KvSecret;
    /** The Kubernetes-auth role, and its Vault id (`auth/<mount>/role/<role>`). */
    role: string;
    roleId: string;
    policies: Record<VaultPolicyKey, string>;
    /** Every service account the role binds, sorted: the services', the secrets operator's when it syncs, the addons'. */
    serviceAccounts: string[];
  };
  /** Database names on the server by database (`global.db`): `<database><dbSuffix>`. */
  databases: Record<string, string>;
  /** Claim names by storage key. */
  claims: Record<string, string>;
  /** ArgoCD Application (and Helm release) names by enabled service. */
  applications: Record<string, string>;
  /** The cert-manager Certificate and the kubernetes.io/tls Secret every ingress reads. */
  certificate: { name: string; secretName: string };
  /** The AppProject and ApplicationSet, both named after the namespace, and their id in ArgoCD's namespace. */
  gitops: { name: string; id: string };
  /** Present when the pgweb addon runs. */
  pgweb?: { serviceAccount: string; authSecret: KvSecret; databaseHost: string };
}

/**
 * The settings the components see: those the tenancy resolves (namespace, namespaceSuffix,
 * dbSuffix, vault.path) are read from the tenancy only, never unresolved.
 */
export type ResolvedSettings = Omit<EnvironmentSettings, "namespace" | "namespaceSuffix" | "dbSuffix" | "vault"> & { vault: Omit<VaultSettings, "path"> };

/** The tenancy of a customer's environment with these (validated) settings, and the settings it leaves to the components. */
export function resolveTenancy(customer: string, all: EnvironmentSettings): { tenancy: Tenancy; settings: ResolvedSettings } {
  const { namespace: namespaceSetting, namespaceSuffix, dbSuffix, vault: { path: pathSetting, ...vault }, ...rest } = all;
  const settings: ResolvedSettings = { ...rest, vault };
  const namespace = namespaceSetting ?? defaultNamespace(customer, namespaceSuffix);
  const suffix = dbSuffix ?? defaultDbSuffix(namespace);
  const path = pathSetting ?? defaultVaultPath(namespace);
  const space = customerKvSpace(path, vault);
  const secret = (name: string): KvSecret => ({ name: secretMountPath(space, name), apiPath: secretApiPath(space, name) });
  const role = vaultRoleName(namespace);
  const pgwebOn = settings.addons.includes(PGWEB);
  const syncs = vault.extraSecrets.length > 0;
  const tenancy: Tenancy = {
    namespace,
    dbSuffix: suffix,
    derived: { namespace: namespaceSetting === undefined, vaultPath: pathSetting === undefined, dbSuffix: dbSuffix === undefined },
    vault: {
      path,
      space,
      credentials: secret(APP_SECRET),
      role,
      roleId: vaultRoleId(vault.auth.mount, role),
      policies: { "app-read": vaultPolicyName(namespace, "app-read"), operator: vaultPolicyName(namespace, "operator") },
      serviceAccounts: [...new Set([...vault.auth.serviceAccounts, ...(syncs ? [vault.secretsOperator.serviceAccount] : []), ...(pgwebOn ? [PGWEB] : [])])].sort(),
    },
    databases: Object.fromEntries(settings.app.databases.map((db) => [db, databaseName(db, suffix)])),
    claims: Object.fromEntries(Object.entries(settings.storage).map(([key, claim]) => [key, claimName(namespace, key, claim.existingClaim)])),
    applications: Object.fromEntries(
      Object.entries(settings.services)
        .filter(([, service]) => service.enabled)
        .map(([service]) => [service, applicationName(namespace, service)]),
    ),
    certificate: { name: certificateName(namespace), secretName: settings.certificates.secretName },
    gitops: { name: namespace, id: namespacedId(settings.gitops.argocdNamespace, namespace) },
    pgweb: pgwebOn
      ? {
          serviceAccount: PGWEB,
          authSecret: secret(PGWEB),
          // The databases application's PostgreSQL service, as its chart names it after the release.
          databaseHost: settings.pgweb.databaseHost ?? `${applicationName(namespace, "databases")}-postgresql`,
        }
      : undefined,
  };
  return { tenancy, settings };
}
