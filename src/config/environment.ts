import type { Deployer } from "./files";
import type { CustomerIdentity, IdentityKey, SettingPath } from "./schema";
import type { ResolvedSettings, Tenancy } from "./tenancy";

/** A FITConnect peer, as the customer's services need to reach it. */
export interface Peer {
  name: string;
  fitConnectCode: string;
  domain: string;
}

/**
 * Adoption of live resources (`ffnodes:adopt`): when enabled, every stateful resource is
 * imported by id instead of created. Ids that cannot be derived from names (a Cloudflare
 * record id, say) come from `ffnodes:adoptIds`, keyed by the resource's logical name.
 */
export interface Adoption {
  enabled: boolean;
  ids: Record<string, string>;
}

/** One customer environment, fully layered and validated: what the components are built from. */
export interface EnvironmentConfig {
  stack: string;
  environment: string;
  customer: Omit<CustomerIdentity, "environments">;
  /** Every name derived from the settings: namespace, Vault space, role, claims, applications, ... (src/config/tenancy.ts). */
  tenancy: Tenancy;
  /** Primary domain first, then the extra hosts, without duplicates. */
  hosts: string[];
  peers: Peer[];
  settings: ResolvedSettings;
  /** The cluster's shared-service namespaces (`sharedNamespaces` in the defaults file): reserved, and the only ones a tenant's selectors may name. */
  sharedNamespaces: string[];
  /** The ServiceAccount `pulumi up` runs as (`deployer` in the defaults file), which the stack binds in its namespace. */
  deployer: Deployer;
  adopt: Adoption;
  /** Repository-relative files this environment was layered from, lowest first. */
  files: string[];
}

/** Where a problem with a resolved value is told: a file and a key path in it. */
export interface Origin {
  file: string;
  path: string;
  /** How the value was derived, when no file sets it, e.g. "derived from the namespace". */
  derived?: string;
}

/** A resolved environment, and for any of its settings (a key path such as `vault.path`) the file and key that decided it. */
export interface LocatedEnvironment {
  config: EnvironmentConfig;
  origin: (key: SettingPath | IdentityKey) => Origin;
}

