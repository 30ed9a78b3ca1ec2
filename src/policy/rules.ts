/**
 * The tenant invariants of a customer stack, as pure functions over one resource: the policy
 * pack (index.ts) runs them at preview and update time; tests run them on tables of resources.
 * They enforce the same boundaries as the configuration (src/config/boundaries.ts), so that a
 * stack that got past it (an old commit, a hand edit) is still stopped at preview.
 */
import { parse } from "yaml";
import { isAllowedClusterResource, isSystemGroup, unexceptedRanges } from "../config/boundaries";
import { isPlainObject } from "../config/merge";
import { Deployer } from "../config/files";
import { DEPLOYER_NAMESPACE_ROLE, KvSpace, MAX_LABEL_LENGTH, isDns1123Label, secretApiPath } from "../config/names";
import { withoutSecrets } from "../config/secrets";
import { CREDENTIAL_KEYS_TYPE } from "../components/credential-keys";
import { deployerSubject } from "../components/namespace";
import { confiningResources, kindOf } from "../kinds";

/** What a stack may touch: its customer's namespace and KV space; what it may name: the cluster's shared services. */
export interface Tenant {
  stack: string;
  namespace: string;
  /** Where the customer's secrets live: its own mount, or its prefix in the shared mount. */
  kv: KvSpace;
  /** Where the customer's AppProject and ApplicationSet live. */
  argocdNamespace: string;
  /** Namespaces the customer's network policies may select besides its own: kube-system and the shared services. */
  selectableNamespaces: string[];
  /** Reviewed opt-ins of the customer file. */
  optIns: { privilegedPods: boolean; unrestrictedEgress: boolean };
  /** The fleet's deployer (`deployer` in the defaults file): the only subject the namespace's deployer binding may have. */
  deployer: Deployer;
}

/** The part of a resource the rules read (a subset of the policy SDK's validation arguments). */
export interface Candidate {
  type: string;
  name: string;
  props: Record<string, unknown>;
  protect: boolean;
  /**
   * Unknown to the policy pack: Pulumi's analyzer protocol sends `protect` but not
   * `retainOnDelete` (AnalyzerResourceOptions in pulumi's proto/pulumi/analyzer.proto, and
   * @pulumi/policy 1.21.0's server.js); the offline plan knows it.
   */
  retainOnDelete?: boolean;
}

interface TenantRule {
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
    // ArgoCD's objects live in ArgoCD's namespace: argocd-confined checks them.
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
  description: "What holds the customer's data (its namespace, claims, Vault mount and secrets) is protected, so that no run can delete it, and retained, so that leaving the program does not delete it either.",
  check({ type, protect, retainOnDelete }) {
    const kind = kindOf(type);
    if (!kind?.holdsData) return [];
    return [
      ...(protect ? [] : [`a ${kind.label} holds data: it must be protected (protect: true)`]),
      ...(retainOnDelete === false ? [`a ${kind.label} holds data: it must be retained on delete (retainOnDelete: true)`] : []),
    ];
  },
};

const objectNameRule: TenantRule = {
  name: "kubernetes-names-valid",
  description: `Every Kubernetes object of a customer stack has a name given by ffnodes: a DNS-1123 label of at most ${MAX_LABEL_LENGTH} characters (the Helm charts' trunc 63), so that it also serves as a label value and a Service name.`,
  check({ type, props }) {
    if (!kubernetesKind(type)) return [];
    const name = at(props, "metadata", "name");
    if (typeof name === "string" && isDns1123Label(name)) return [];
    return [`the name '${show(name, "(unset: generated)")}' is not a DNS-1123 label of at most ${MAX_LABEL_LENGTH} characters`];
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

/**
 * The kv-v2 API paths that address one secret (Vault docs, "KV secrets engine - version 2": ACL
 * rules and HTTP API); `config`, the only other one, is the whole mount's.
 */
const KV_SECRET_APIS = new Set(["data", "metadata", "delete", "undelete", "destroy", "subkeys"]);

/**
 * Whether a Vault API path (a policy's may end in a glob) lies in the customer's KV space:
 * anywhere in its own mount; in a shared mount, only a secret's API path below its prefix, so
 * never the mount's config, the whole mount, or a neighbour's prefix. `.` and `..` segments are
 * refused, whatever Vault would make of them. A mount is one path segment (config/schema/vault.ts).
 */
export function inKvSpace(path: string, space: KvSpace): boolean {
  const segments = path.split("/");
  if (segments.some((s) => s === "." || s === "..") || segments[0] !== space.mount) return false;
  if (space.prefix === "") return true;
  const [api, ...rest] = segments.slice(1);
  return KV_SECRET_APIS.has(api) && rest.join("/").startsWith(space.prefix);
}

/** Whether a KV secret, by its mount and its name there, lies in the customer's KV space. */
const secretInKvSpace = (mount: unknown, name: unknown, space: KvSpace) =>
  typeof mount === "string" && typeof name === "string" && name !== "" && inKvSpace(secretApiPath({ mount, prefix: "" }, name), space);

function describeKvSpace(space: KvSpace): string {
  return space.prefix === "" ? `its own mount '${space.mount}'` : `its prefix '${space.prefix}' in the shared mount '${space.mount}'`;
}

const vaultRule: TenantRule = {
  name: "vault-confined",
  description: "Vault policies grant only paths in the customer's KV space (its own mount, or its prefix in the shared mount); mounts, secrets and secret syncs stay there; Kubernetes-auth roles bind only the customer's namespace.",
  check({ type, props }, { namespace, kv }) {
    const k = kubernetesKind(type);
    if (k?.group === "secrets.hashicorp.com" && k.kind === "VaultStaticSecret") {
      const mount = at(props, "spec", "mount");
      const name = at(props, "spec", "path");
      return secretInKvSpace(mount, name, kv) ? [] : [`the sync reads '${show(name)}' in mount '${show(mount)}'; this stack reads secrets only in ${describeKvSpace(kv)}`];
    }
    switch (type) {
      case "vault:index/policy:Policy": {
        const hcl = typeof props.policy === "string" ? props.policy : "";
        const paths = vaultPolicyPaths(hcl);
        if (paths.length === 0) return [`the policy grants no recognisable path; it must grant paths in the customer's KV space, ${describeKvSpace(kv)}`];
        return paths.filter((p) => !inKvSpace(p, kv)).map((p) => `the policy grants '${p}', outside the customer's KV space, ${describeKvSpace(kv)}`);
      }
      case "vault:index/mount:Mount":
        if (kv.prefix !== "") return [`the mount is at '${show(props.path)}'; this stack keeps its secrets in the shared mount '${kv.mount}' and may mount nothing`];
        return props.path === kv.mount ? [] : [`the mount is at '${show(props.path)}'; this stack may mount only '${kv.mount}'`];
      case "vault:kv/secretV2:SecretV2":
      case CREDENTIAL_KEYS_TYPE:
        return secretInKvSpace(props.mount, props.name, kv)
          ? []
          : [`the secret is '${show(props.name)}' in mount '${show(props.mount)}'; this stack writes secrets only in ${describeKvSpace(kv)}`];
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
      if (!isAllowedClusterResource({ group: String(at(allowed, "group")), kind: String(at(allowed, "kind")) })) {
        violations.push(`cluster resources '${show(at(allowed, "group"))}/${show(at(allowed, "kind"))}' are allowed; a customer project may allow only Namespace`);
      }
    }
    return violations;
  },
};

const argocdRule: TenantRule = {
  name: "argocd-confined",
  description: "The customer's ArgoCD objects live in the cluster's ArgoCD namespace, are named after the customer's namespace, and deploy only into it through its own project.",
  check({ type, props }, { namespace, argocdNamespace }) {
    const k = kubernetesKind(type);
    if (!k || k.group !== "argoproj.io") return [];
    const violations: string[] = [];
    const where = at(props, "metadata", "namespace");
    if (where !== argocdNamespace) violations.push(`${k.kind} is in namespace '${show(where)}'; ArgoCD objects of this stack belong in '${argocdNamespace}'`);
    const name = at(props, "metadata", "name");
    if (name !== namespace) violations.push(`${k.kind} is named '${show(name)}'; this stack's ArgoCD objects are named '${namespace}'`);
    // An ApplicationSet's applications are its template; an Application is its own.
    if (k.kind === "ApplicationSet" || k.kind === "Application") {
      const application = k.kind === "ApplicationSet" ? at(props, "spec", "template", "spec") : at(props, "spec");
      const project = at(application, "project");
      if (project !== namespace) violations.push(`the applications use project '${show(project)}'; they must use the customer's own project '${namespace}'`);
      const target = at(application, "destination", "namespace");
      if (target !== namespace) violations.push(`the applications deploy into '${show(target, "(any)")}'; they may deploy only into '${namespace}'`);
    }
    return violations;
  },
};

const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** What a NetworkPolicy peer selects outside the namespace, as a violation; none for a peer inside it or a shared service. */
function peerViolation(peer: unknown, tenant: Tenant): string | undefined {
  const selector = at(peer, "namespaceSelector");
  if (selector !== undefined) {
    const labels = at(selector, "matchLabels");
    const target = at(labels, NAMESPACE_NAME_LABEL);
    const exact = at(selector, "matchExpressions") === undefined && typeof labels === "object" && labels !== null && Object.keys(labels).length === 1;
    if (!exact || typeof target !== "string") return `a peer selects namespaces by ${show(selector)}; select one namespace by its ${NAMESPACE_NAME_LABEL} label`;
    if (target !== tenant.namespace && !tenant.selectableNamespaces.includes(target)) {
      return `a peer selects namespace '${target}'; besides '${tenant.namespace}' only the cluster's shared services (${tenant.selectableNamespaces.join(", ")}) may be selected`;
    }
  }
  const block = at(peer, "ipBlock");
  if (block !== undefined && !tenant.optIns.unrestrictedEgress) {
    const cidr = at(block, "cidr");
    const except = items(at(block, "except")).filter((e): e is string => typeof e === "string");
    const reached = typeof cidr === "string" && /^[0-9.]+\/[0-9]+$/.test(cidr) ? unexceptedRanges(cidr, except, "wider") : [`${show(cidr)} (not an IPv4 CIDR ffnodes can check)`];
    if (reached.length > 0) return `ipBlock ${show(cidr)} reaches ${reached.join(", ")} without excepting it, and the customer file has no optIns.unrestrictedEgress`;
  }
  return undefined;
}

const networkPolicyRule: TenantRule = {
  name: "network-policies-confined",
  description: "The customer's NetworkPolicies select only its own namespace and the cluster's shared services, and reach no private or link-local range without a reviewed opt-in.",
  check({ type, props }, tenant) {
    if (type !== "kubernetes:networking.k8s.io/v1:NetworkPolicy") return [];
    const peers = [
      ...items(at(props, "spec", "ingress")).flatMap((rule) => items(at(rule, "from"))),
      ...items(at(props, "spec", "egress")).flatMap((rule) => items(at(rule, "to"))),
    ];
    return peers.map((peer) => peerViolation(peer, tenant)).filter((v): v is string => v !== undefined);
  },
};

/** Verbs that lift RBAC's privilege-escalation prevention, or grant everything. */
const ESCALATING_VERBS = new Set(["bind", "escalate", "impersonate", "*"]);
/** What confines the namespace: no team may write it. */
const ISOLATION_RESOURCES = new Set([...confiningResources().flatMap((r) => r.resources), "*"]);
const WRITE_VERBS = new Set(["create", "update", "patch", "delete", "deletecollection", "*"]);

/** Whether a binding's subjects are exactly the fleet's deployer. */
function bindsOnlyTheDeployer(subjects: unknown, deployer: Deployer): boolean {
  const expected = deployerSubject(deployer);
  const actual = items(subjects);
  return actual.length === 1 && at(actual[0], "kind") === expected.kind && at(actual[0], "namespace") === expected.namespace && at(actual[0], "name") === expected.name;
}

const teamAccessRule: TenantRule = {
  name: "team-access-confined",
  description: `The team is bound only to a Role of its namespace (or the read-only view ClusterRole), never as a Kubernetes system group, and no Role lets it change the namespace's isolation or escalate; the ClusterRole ${DEPLOYER_NAMESPACE_ROLE} is bound to the fleet's deployer alone.`,
  check({ type, props }, { namespace, deployer }) {
    const violations: string[] = [];
    if (type === "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding") {
      const kind = at(props, "roleRef", "kind");
      const role = at(props, "roleRef", "name");
      if (kind === "ClusterRole" && role === DEPLOYER_NAMESPACE_ROLE) {
        const { namespace: saNamespace, serviceAccount } = deployer;
        return bindsOnlyTheDeployer(at(props, "subjects"), deployer)
          ? []
          : [`the binding grants the ClusterRole '${DEPLOYER_NAMESPACE_ROLE}' to ${show(at(props, "subjects"))}; only the fleet's deployer, service account '${serviceAccount}' of namespace '${saNamespace}' (deployer in customers/_defaults.yaml), may hold it`];
      }
      if (!(kind === "Role" || (kind === "ClusterRole" && role === "view"))) {
        violations.push(`the binding grants ${show(kind)} '${show(role)}'; a team gets a Role of its namespace (or the view ClusterRole), which cannot change its NetworkPolicies, quota or limits`);
      }
      for (const subject of items(at(props, "subjects"))) {
        const name = at(subject, "name");
        if (at(subject, "kind") === "Group" && typeof name === "string" && isSystemGroup(name)) violations.push(`subject '${name}' is a Kubernetes system group: it stands for far more than a team`);
        if (at(subject, "kind") === "ServiceAccount" && at(subject, "namespace") !== namespace) {
          violations.push(`service account '${show(name)}' of namespace '${show(at(subject, "namespace"))}' is bound; only this namespace's accounts may be`);
        }
      }
    }
    if (type === "kubernetes:rbac.authorization.k8s.io/v1:Role") {
      for (const rule of items(at(props, "rules"))) {
        const verbs = items(at(rule, "verbs")).map(String);
        const resources = items(at(rule, "resources")).map(String);
        const escalating = verbs.filter((v) => ESCALATING_VERBS.has(v));
        if (escalating.length > 0) violations.push(`a rule grants ${escalating.join(", ")}: that lifts RBAC's privilege-escalation prevention`);
        const isolation = resources.filter((r) => ISOLATION_RESOURCES.has(r));
        if (isolation.length > 0 && verbs.some((v) => WRITE_VERBS.has(v))) violations.push(`a rule lets the team change ${isolation.join(", ")}, the namespace's isolation`);
      }
    }
    return violations;
  },
};

const podSecurityRule: TenantRule = {
  name: "pod-security-enforced",
  description: "The customer's namespace enforces a Pod Security level; privileged only with the customer file's reviewed opt-in.",
  check({ type, props }, { optIns }) {
    if (type !== "kubernetes:core/v1:Namespace") return [];
    const level = at(props, "metadata", "labels", "pod-security.kubernetes.io/enforce");
    if (level === "baseline" || level === "restricted") return [];
    if (level === "privileged" && optIns.privilegedPods) return [];
    return [`the namespace enforces Pod Security level '${show(level, "(none: privileged)")}'; baseline or restricted, or privileged with optIns.privilegedPods in the customer file`];
  },
};

const secretValuesRule: TenantRule = {
  name: "no-secret-values",
  description: "The Helm values ffnodes hands to ArgoCD hold no secret: secrets reach the pods from Vault.",
  check({ type, props }) {
    if (type !== "kubernetes:argoproj.io/v1alpha1:ApplicationSet") return [];
    const elements = items(at(props, "spec", "generators")).flatMap((g) => items(at(g, "list", "elements")));
    return elements.flatMap((element) => {
      const text = at(element, "helmValues");
      let values: unknown;
      try {
        values = typeof text === "string" ? parse(text) : undefined;
      } catch {
        return [`the values of service '${show(at(element, "serviceName"))}' are not YAML`];
      }
      if (!isPlainObject(values)) return [];
      return withoutSecrets(values).removed.map((p) => `the values of service '${show(at(element, "serviceName"))}' hold a secret at ${p.join(".")}; it belongs in Vault`);
    });
  },
};

export const TENANT_RULES: readonly TenantRule[] = [
  namespaceRule,
  protectedDataRule,
  objectNameRule,
  nodePortRule,
  vaultRule,
  appProjectRule,
  argocdRule,
  networkPolicyRule,
  teamAccessRule,
  podSecurityRule,
  secretValuesRule,
];

/** Every violation of every rule, prefixed with the rule's name. */
export function violations(resource: Candidate, tenant: Tenant): string[] {
  return TENANT_RULES.flatMap((rule) => rule.check(resource, tenant).map((message) => `${rule.name}: ${message}`));
}
