/**
 * Every kind of resource ffnodes declares, by Pulumi type token, with what the tools must know of
 * it: the fleet diff (what is replaced, what a reviewer must not miss), the policy pack (what must
 * be protected, what a team may not write), decommission (how a person finds it live) and the
 * offline plan's mock engine (what the provider computes). test/kinds.test.ts fails when a stack's
 * plan holds a type that is not here, or when an entry here is declared by no plan.
 */
export interface KindFacts {
  /** How people read the kind: `Vault policy`, `NetworkPolicy`. */
  label: string;
  /** Holds a tenant's data whatever its options say: replacing or deleting it loses data. */
  holdsData: boolean;
  /** Draws the tenant's boundary (who may read what, reach where, deploy what): any change to it is flagged. */
  isolation: boolean;
  /**
   * Input paths whose change makes the provider replace the resource (delete and create) rather
   * than update it: a change at or below the path; `""` is any input.
   */
  replaceOn: readonly string[];
  /** For a kind that confines the namespace: its RBAC group and resource, which the team's Role may read and never write. */
  confines?: { apiGroup: string; resource: string };
  /** Outputs the provider computes rather than echoes: the offline engine's stable stand-ins, from the logical name. */
  mockOutputs?: (name: string) => Record<string, unknown>;
  /** The live object's name on its platform (namespace/name, Vault path, host), from its state's outputs. */
  liveName?: (outputs: Record<string, unknown>) => string | undefined;
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

const component = (label: string): KindFacts => ({ label, holdsData: false, isolation: false, replaceOn: [] });

/** A Kubernetes object's `namespace/name` (or `name`), from its metadata. */
function objectName(outputs: Record<string, unknown>): string | undefined {
  const metadata = outputs.metadata;
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const { name, namespace } = metadata as Record<string, unknown>;
  const named = text(name);
  return named && (text(namespace) ? `${text(namespace)}/${named}` : named);
}

/**
 * A Kubernetes kind. Every kind replaces on metadata.name and, when namespaced, on
 * metadata.namespace, plus its own fields, as pulumi-kubernetes v4 provider/pkg/provider/diff.go
 * (`forceNew`) lists them. For a cluster-scoped kind the provider clears the namespace on both
 * sides before it compares (`Diff` in provider.go), so a namespace set there changes nothing.
 */
function kubernetes(label: string, facts: Partial<Omit<KindFacts, "label" | "liveName">> & { clusterScoped?: boolean } = {}): KindFacts {
  const { clusterScoped, ...rest } = facts;
  return {
    label,
    holdsData: false,
    isolation: false,
    ...rest,
    replaceOn: ["metadata.name", ...(clusterScoped ? [] : ["metadata.namespace"]), ...(rest.replaceOn ?? [])],
    liveName: objectName,
  };
}

/** A generated value: the offline stand-in `offline-<name>` for the output that holds it. */
const generated = (output: string) => (name: string) => ({ [output]: `offline-${name}` });

/*
 * Vault: the `ForceNew` fields of terraform-provider-vault (vault_mount, vault_policy,
 * vault_kv_secret_v2, vault_kubernetes_auth_backend_role). Cloudflare v6: dns_record's zone_id and
 * type, and every field of origin_ca_certificate (RequiresReplace in the v5 Terraform provider it
 * bridges). Random and TLS: every argument of random_password, random_string, tls_private_key and
 * tls_cert_request is ForceNew. The credential keys' own provider (components/credential-keys.ts)
 * never replaces.
 */
export const KINDS = {
  "ffnodes:index:Customer": component("customer"),
  "ffnodes:customer:NamespaceIsolation": component("namespace component"),
  "ffnodes:customer:Storage": component("storage component"),
  "ffnodes:customer:Vault": component("Vault component"),
  "ffnodes:customer:DnsRecords": component("DNS component"),
  "ffnodes:customer:Certificates": component("certificates component"),
  "ffnodes:customer:Addons": component("addons component"),
  "ffnodes:customer:GitOps": component("GitOps component"),

  "kubernetes:core/v1:Namespace": kubernetes("Namespace", { holdsData: true, clusterScoped: true }),
  "kubernetes:core/v1:PersistentVolumeClaim": kubernetes("PersistentVolumeClaim", {
    holdsData: true,
    replaceOn: ["spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"],
  }),
  "kubernetes:core/v1:ResourceQuota": kubernetes("ResourceQuota", { replaceOn: ["spec.scopes"], confines: { apiGroup: "", resource: "resourcequotas" } }),
  "kubernetes:core/v1:LimitRange": kubernetes("LimitRange", { confines: { apiGroup: "", resource: "limitranges" } }),
  "kubernetes:networking.k8s.io/v1:NetworkPolicy": kubernetes("NetworkPolicy", { isolation: true, confines: { apiGroup: "networking.k8s.io", resource: "networkpolicies" } }),
  "kubernetes:rbac.authorization.k8s.io/v1:Role": kubernetes("Role", { isolation: true }),
  "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": kubernetes("RoleBinding", { isolation: true, replaceOn: ["roleRef"] }),
  "kubernetes:core/v1:ServiceAccount": kubernetes("ServiceAccount"),
  // A Secret's data too, unless the provider's enableSecretMutable is set, which ffnodes does not set.
  "kubernetes:core/v1:Secret": kubernetes("Secret", { replaceOn: ["type", "stringData", "data"] }),
  "kubernetes:core/v1:Service": kubernetes("Service", { replaceOn: ["spec.clusterIP"] }),
  "kubernetes:apps/v1:Deployment": kubernetes("Deployment", { replaceOn: ["spec.selector"] }),
  "kubernetes:networking.k8s.io/v1:Ingress": kubernetes("Ingress"),
  "kubernetes:cert-manager.io/v1:Certificate": kubernetes("Certificate"),
  "kubernetes:cert-manager.io/v1:Issuer": kubernetes("Issuer"),
  "kubernetes:secrets.hashicorp.com/v1beta1:VaultAuth": kubernetes("VaultAuth"),
  "kubernetes:secrets.hashicorp.com/v1beta1:VaultStaticSecret": kubernetes("VaultStaticSecret"),
  "kubernetes:argoproj.io/v1alpha1:AppProject": kubernetes("AppProject", { isolation: true }),
  "kubernetes:argoproj.io/v1alpha1:ApplicationSet": kubernetes("ApplicationSet"),

  "vault:index/mount:Mount": {
    label: "Vault mount",
    holdsData: true,
    isolation: false,
    replaceOn: ["type", "local", "sealWrap", "externalEntropyAccess"],
    liveName: (o) => text(o.path),
  },
  "vault:kv/secretV2:SecretV2": { label: "Vault secret", holdsData: true, isolation: false, replaceOn: ["mount", "name"], liveName: (o) => text(o.path) },
  "vault:index/policy:Policy": { label: "Vault policy", holdsData: false, isolation: true, replaceOn: ["name"], liveName: (o) => text(o.name) },
  "vault:kubernetes/authBackendRole:AuthBackendRole": {
    label: "Vault auth role",
    holdsData: false,
    isolation: true,
    replaceOn: ["backend", "roleName"],
    liveName: (o) => text(o.roleName),
  },
  "pulumi-nodejs:dynamic/ffnodes:VaultCredentialKeys": { label: "VaultCredentialKeys", holdsData: false, isolation: false, replaceOn: [] },
  "random:index/randomPassword:RandomPassword": { label: "RandomPassword", holdsData: false, isolation: false, replaceOn: [""], mockOutputs: generated("result") },
  "random:index/randomString:RandomString": { label: "RandomString", holdsData: false, isolation: false, replaceOn: [""], mockOutputs: generated("result") },

  "cloudflare:index/dnsRecord:DnsRecord": {
    label: "DNS record",
    holdsData: false,
    isolation: false,
    replaceOn: ["zoneId", "type"],
    liveName: (o) => text(o.name) && `${text(o.name)} (${text(o.type) ?? "record"})`,
  },
  "cloudflare:index/originCaCertificate:OriginCaCertificate": { label: "OriginCaCertificate", holdsData: false, isolation: false, replaceOn: [""] },
  "tls:index/privateKey:PrivateKey": { label: "PrivateKey", holdsData: false, isolation: false, replaceOn: [""], mockOutputs: generated("privateKeyPem") },
  "tls:index/certRequest:CertRequest": { label: "CertRequest", holdsData: false, isolation: false, replaceOn: [""], mockOutputs: generated("certRequestPem") },
} satisfies Record<string, KindFacts>;

/** A type token ffnodes declares: a misspelt one does not build. */
export type KindType = keyof typeof KINDS;

/** What ffnodes knows of a type, or undefined for one it does not declare. */
export function kindOf(type: string): KindFacts | undefined {
  return Object.hasOwn(KINDS, type) ? KINDS[type as KindType] : undefined;
}

/** Whether a change at `path` (`spec.storageClassName`, `rules[0].verbs`) makes the provider replace a resource of this type. */
export function forcesReplacement(type: string, path: string): boolean {
  const under = (prefix: string) => prefix === "" || path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);
  return kindOf(type)?.replaceOn.some(under) ?? false;
}

/** A resource as a person finds it on its platform: its kind and its live name, else its logical name. */
export function describeLive(type: string, outputs: Record<string, unknown>, logicalName: string): string {
  const kind = kindOf(type);
  const label = kind?.label ?? type.slice(type.lastIndexOf(":") + 1);
  return `${label} ${kind?.liveName?.(outputs) ?? logicalName}`;
}

/** The RBAC resources that confine the namespace, by API group in the registry's order: a team may read them, never write them. */
export function confiningResources(): { apiGroups: string[]; resources: string[] }[] {
  const byGroup = new Map<string, string[]>();
  for (const facts of Object.values(KINDS) as KindFacts[]) {
    if (facts.confines) byGroup.set(facts.confines.apiGroup, [...(byGroup.get(facts.confines.apiGroup) ?? []), facts.confines.resource]);
  }
  return [...byGroup].map(([group, resources]) => ({ apiGroups: [group], resources }));
}
