/**
 * The tenant invariants of a customer stack, as pure functions over one resource: the policy
 * pack (index.ts) runs them at preview and update time; tests run them on tables of resources.
 */

/** What a stack may touch: its customer's namespace and Vault path. */
export interface Tenant {
  stack: string;
  namespace: string;
  vaultPath: string;
}

/** The part of a resource the rules read (a subset of the policy SDK's validation arguments). */
export interface Candidate {
  type: string;
  name: string;
  props: Record<string, unknown>;
  protect: boolean;
}

export interface TenantRule {
  name: string;
  description: string;
  /** Violations, one message each; none when the resource complies. */
  check(resource: Candidate, tenant: Tenant): string[];
}

function at(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (typeof current !== "object" || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A property value for a message. */
function show(value: unknown, missing = "(unset)"): string {
  if (value === undefined || value === null) return missing;
  return typeof value === "string" ? value : JSON.stringify(value);
}

function items(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

/** `kubernetes:core/v1:Namespace` → group core, kind Namespace; undefined for anything that is not a Kubernetes object. */
export function kubernetesKind(type: string): { group: string; kind: string } | undefined {
  const match = /^kubernetes:([^:/]+)\/[^:/]+:([A-Za-z0-9]+)$/.exec(type);
  if (!match || NOT_OBJECTS.has(match[1]) || match[2].endsWith("List")) return undefined;
  return { group: match[1], kind: match[2] };
}

/** Type groups of the Kubernetes provider whose resources are components or releases, not objects. */
const NOT_OBJECTS = new Set(["helm.sh", "yaml", "kustomize"]);

/** Cluster-scoped kinds (the Namespace itself aside): a customer stack creates none of them. */
const CLUSTER_SCOPED = new Set([
  "APIService",
  "CSIDriver",
  "CertificateSigningRequest",
  "ClusterIssuer",
  "ClusterRole",
  "ClusterRoleBinding",
  "ClusterSecretStore",
  "CustomResourceDefinition",
  "IngressClass",
  "MutatingWebhookConfiguration",
  "Node",
  "PersistentVolume",
  "PriorityClass",
  "RuntimeClass",
  "StorageClass",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "ValidatingWebhookConfiguration",
  "VolumeAttachment",
  "VolumeSnapshotClass",
]);

const HELM_RELEASES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"]);

const namespaceRule: TenantRule = {
  name: "customer-namespace-only",
  description: "Kubernetes objects of a customer stack live in the customer's namespace (ArgoCD's own objects excepted); it creates no cluster-scoped objects but its namespace.",
  check({ type, props }, { namespace }) {
    if (HELM_RELEASES.has(type)) {
      return props.namespace === namespace ? [] : [`a Helm release must install into '${namespace}', not '${show(props.namespace, "the provider's default")}'`];
    }
    const k = kubernetesKind(type);
    if (!k || k.group === "argoproj.io") return [];
    if (k.group === "core" && k.kind === "Namespace") {
      const name = at(props, "metadata", "name");
      return name === namespace ? [] : [`this stack may create only its own namespace '${namespace}', not '${show(name, "(generated name)")}'`];
    }
    if (CLUSTER_SCOPED.has(k.kind)) return [`${k.kind} is cluster-scoped: a customer stack creates objects only inside '${namespace}'`];
    const actual = at(props, "metadata", "namespace");
    if (actual === namespace) return [];
    return [
      actual === undefined
        ? `${k.kind} has no metadata.namespace and would land in the provider's default namespace; set it to '${namespace}'`
        : `${k.kind} is in namespace '${show(actual)}'; this stack may only use '${namespace}'`,
    ];
  },
};

const protectedDataRule: TenantRule = {
  name: "data-protected",
  description: "The customer's namespace and its PersistentVolumeClaims are protected, so that no run can delete them.",
  check({ type, protect }) {
    const k = kubernetesKind(type);
    if (!k || k.group !== "core" || !["Namespace", "PersistentVolumeClaim"].includes(k.kind) || protect) return [];
    return [`a ${k.kind} holds data: it must be protected (protect: true)`];
  },
};

const nodePortRule: TenantRule = {
  name: "no-nodeport-services",
  description: "No Service of a customer opens a port on every node of the cluster.",
  check({ type, props }) {
    const k = kubernetesKind(type);
    if (!k || k.group !== "core" || k.kind !== "Service") return [];
    const violations: string[] = [];
    if (at(props, "spec", "type") === "NodePort") violations.push("a Service of type NodePort opens a port on every node; use ClusterIP behind the ingress controller");
    for (const port of items(at(props, "spec", "ports"))) {
      const nodePort = at(port, "nodePort");
      if (nodePort !== undefined) violations.push(`port ${show(at(port, "port"))} asks for nodePort ${show(nodePort)}; customer Services get no node ports`);
    }
    return violations;
  },
};

/** Paths a Vault policy grants: the quoted argument of each `path` block. */
export function vaultPolicyPaths(hcl: string): string[] {
  return [...hcl.matchAll(/(?:^|[\s{};])path\s+"([^"]*)"/g)].map((m) => m[1]);
}

const within = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

const vaultRule: TenantRule = {
  name: "vault-confined",
  description: "Vault policies grant only paths under the customer's Vault path; mounts and secrets stay there; Kubernetes-auth roles bind only the customer's namespace.",
  check({ type, props }, { namespace, vaultPath }) {
    switch (type) {
      case "vault:index/policy:Policy": {
        const hcl = typeof props.policy === "string" ? props.policy : "";
        const paths = vaultPolicyPaths(hcl);
        if (paths.length === 0) return [`the policy grants no recognisable path; it must grant paths under '${vaultPath}/'`];
        return paths.filter((p) => !within(p, vaultPath)).map((p) => `the policy grants '${p}', outside the customer's Vault path '${vaultPath}/'`);
      }
      case "vault:index/mount:Mount":
        return props.path === vaultPath ? [] : [`the mount is at '${show(props.path)}'; this stack may mount only '${vaultPath}'`];
      case "vault:kv/secretV2:SecretV2":
        return props.mount === vaultPath ? [] : [`the secret is in mount '${show(props.mount)}'; this stack may write only under '${vaultPath}'`];
      case "vault:kubernetes/authBackendRole:AuthBackendRole": {
        const bound = items(props.boundServiceAccountNamespaces);
        return bound.length === 1 && bound[0] === namespace
          ? []
          : [`the role binds service accounts of namespaces [${bound.map((b) => show(b)).join(", ")}]; it may bind only '${namespace}'`];
      }
      default:
        return [];
    }
  },
};

const appProjectRule: TenantRule = {
  name: "appproject-confined",
  description: "The customer's ArgoCD AppProject deploys only into the customer's namespace and no cluster-scoped kind but Namespace.",
  check({ type, props }, { namespace }) {
    if (type !== "kubernetes:argoproj.io/v1alpha1:AppProject") return [];
    const violations: string[] = [];
    for (const destination of items(at(props, "spec", "destinations"))) {
      const target = at(destination, "namespace");
      if (target !== namespace) violations.push(`destination namespace '${show(target, "(any)")}' is not the customer's namespace '${namespace}'`);
    }
    for (const allowed of items(at(props, "spec", "clusterResourceWhitelist"))) {
      if (at(allowed, "group") !== "" || at(allowed, "kind") !== "Namespace") {
        violations.push(`cluster resources '${show(at(allowed, "group"))}/${show(at(allowed, "kind"))}' are allowed; a customer project may allow only Namespace`);
      }
    }
    return violations;
  },
};

export const TENANT_RULES: readonly TenantRule[] = [namespaceRule, protectedDataRule, nodePortRule, vaultRule, appProjectRule];

/** Every violation of every rule, prefixed with the rule's name. */
export function violations(resource: Candidate, tenant: Tenant): string[] {
  return TENANT_RULES.flatMap((rule) => rule.check(resource, tenant).map((message) => `${rule.name}: ${message}`));
}
