import { z } from "zod";
import { RetainedData } from "../config/tombstones";
import { KindType, describeLive } from "../kinds";

/**
 * One resource of a stack's state, as `pulumi stack export` writes it (deployment version 3,
 * apitype.ResourceV3 in pulumi/sdk): the fields a decommission reads; the export has more.
 */
const stateResource = z.object({
  urn: z.string(),
  type: z.string(),
  custom: z.boolean().optional(),
  protect: z.boolean().optional(),
  retainOnDelete: z.boolean().optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
});
export type StateResource = z.infer<typeof stateResource>;

/** `pulumi stack export`'s output; a stack with nothing deployed yet has no resources. */
export const stackExport = z.object({ deployment: z.object({ resources: z.array(stateResource).optional() }).optional() });

/** What a decommission does to a stack's live resources, read from its state. */
export interface DecommissionPlan {
  /** The ApplicationSets: deleted first, so that Argo CD stops syncing. */
  applicationSets: StateResource[];
  /** Data holders (retained on delete): unprotected, then dropped from the state, left live. */
  retained: StateResource[];
  /** Everything else that is live: deleted. */
  deleted: StateResource[];
  /** The namespace whose workloads are stopped, if the stack created it. */
  namespace?: string;
}

const APPLICATION_SET: KindType = "kubernetes:argoproj.io/v1alpha1:ApplicationSet";
const NAMESPACE: KindType = "kubernetes:core/v1:Namespace";
const CLAIM: KindType = "kubernetes:core/v1:PersistentVolumeClaim";
const VAULT_MOUNT: KindType = "vault:index/mount:Mount";
const VAULT_SECRET: KindType = "vault:kv/secretV2:SecretV2";
const DNS_RECORD: KindType = "cloudflare:index/dnsRecord:DnsRecord";

/** Provider and component entries stand for nothing live. */
const isLive = (r: StateResource) => r.custom === true && !r.type.startsWith("pulumi:providers:");

export function planDecommission(resources: readonly StateResource[]): DecommissionPlan {
  const live = resources.filter(isLive);
  const namespace = live.find((r) => r.type === NAMESPACE);
  return {
    applicationSets: live.filter((r) => r.type === APPLICATION_SET),
    retained: live.filter((r) => r.retainOnDelete === true),
    deleted: live.filter((r) => r.retainOnDelete !== true),
    namespace: namespace && metadata(namespace).name,
  };
}

function metadata(r: StateResource): { name?: string; namespace?: string } {
  const value = r.outputs?.metadata;
  return typeof value === "object" && value !== null ? (value) : {};
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** A resource as a person finds it on its platform: kind and live name (namespace/name, Vault path, host). */
export function describe(r: StateResource): string {
  return describeLive(r.type, r.outputs ?? {}, r.urn.slice(r.urn.lastIndexOf("::") + 2));
}

/** The data a decommission leaves in place, by live name, for the tombstone. */
export function retainedData(retained: readonly StateResource[]): RetainedData {
  const of = (type: string) => retained.filter((r) => r.type === type);
  const known = new Set<string>([NAMESPACE, CLAIM, VAULT_MOUNT, VAULT_SECRET, DNS_RECORD]);
  const namespace = of(NAMESPACE)[0];
  const namespaceName = namespace && metadata(namespace).name;
  const mount = of(VAULT_MOUNT)[0];
  const rest = retained.filter((r) => !known.has(r.type));
  const inNamespace = (r: StateResource) => namespaceName !== undefined && metadata(r).namespace === namespaceName;
  return {
    namespace: namespaceName,
    claims: of(CLAIM).map((r) => ({ name: metadata(r).name ?? r.urn, size: claimSize(r) })),
    vaultMount: mount && text(mount.outputs?.path),
    vaultSecrets: of(VAULT_SECRET).map((r) => text(r.outputs?.path) ?? r.urn),
    dnsRecords: of(DNS_RECORD).map((r) => `${text(r.outputs?.type) ?? "record"} ${text(r.outputs?.name) ?? r.urn}`),
    inNamespace: rest.filter(inNamespace).map(describe),
    other: rest.filter((r) => !inNamespace(r)).map(describe),
  };
}

function claimSize(r: StateResource): string {
  const spec = (r.outputs?.spec ?? r.inputs?.spec) as { resources?: { requests?: { storage?: unknown } } } | undefined;
  return text(spec?.resources?.requests?.storage) ?? "unknown size";
}
