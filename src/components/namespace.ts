import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ADOPT_KEY } from "../config/adopt";
import { ipBlocks } from "../config/cidr";
import { EnvironmentConfig } from "../config/environment";
import { Deployer } from "../config/files";
import { DEPLOYER_BINDING, DEPLOYER_NAMESPACE_ROLE } from "../config/names";
import { ResolvedSettings } from "../config/tenancy";
import { confiningResources } from "../kinds";
import { standardLabels } from "./labels";
import { ADOPTABLE, adoptedId, holdsData } from "./safety";

type Metadata = k8s.types.input.meta.v1.ObjectMeta;
type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
type PolicyRule = { apiGroups: string[]; resources: string[]; verbs: string[] };
type TeamLevel = NonNullable<ResolvedSettings["team"]>["clusterRole"];
type Labels = Record<string, string>;

const READ = ["get", "list", "watch"];
const WRITE = [...READ, "create", "update", "patch", "delete", "deletecollection"];
/** What a team works with: its workloads, their configuration, storage and ingresses. */
const WORKLOADS: Omit<PolicyRule, "verbs">[] = [
  { apiGroups: [""], resources: ["pods", "services", "endpoints", "configmaps", "persistentvolumeclaims", "serviceaccounts", "replicationcontrollers"] },
  { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets", "replicasets", "deployments/scale", "statefulsets/scale", "replicasets/scale"] },
  { apiGroups: ["batch"], resources: ["jobs", "cronjobs"] },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"] },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets"] },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses"] },
];
/** The namespace's isolation, which ffnodes owns: a team may read it, never change it. */
const ISOLATION: Omit<PolicyRule, "verbs">[] = confiningResources();
const OBSERVE: PolicyRule[] = [
  ...ISOLATION.map((r) => ({ ...r, verbs: READ })),
  { apiGroups: [""], resources: ["events", "pods/log"], verbs: READ },
];

/**
 * The team's Role, in place of the built-in view/edit/admin ClusterRoles: those let edit and
 * admin delete the namespace's NetworkPolicies, and RBAC grants only add up. Nothing here writes
 * the isolation, and no `bind`, `escalate` or `impersonate`: an admin may create Roles and
 * RoleBindings only with permissions it holds itself (Kubernetes RBAC privilege-escalation
 * prevention, https://kubernetes.io/docs/reference/access-authn-authz/rbac/#privilege-escalation-prevention-and-bootstrapping).
 */
export function teamRules(level: TeamLevel): PolicyRule[] {
  if (level === "view") return [...WORKLOADS.map((r) => ({ ...r, verbs: READ })), ...OBSERVE];
  const edit: PolicyRule[] = [
    ...WORKLOADS.map((r) => ({ ...r, verbs: WRITE })),
    { apiGroups: [""], resources: ["secrets"], verbs: WRITE },
    { apiGroups: [""], resources: ["pods/exec", "pods/attach", "pods/portforward"], verbs: ["get", "create"] },
    ...OBSERVE,
  ];
  return level === "edit" ? edit : [...edit, { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: WRITE }];
}

type RoleBindingSpec = {
  metadata: Metadata;
  roleRef: k8s.types.input.rbac.v1.RoleRef;
  subjects: k8s.types.input.rbac.v1.Subject[];
};

export interface NamespaceSpecs {
  namespace: { metadata: Metadata };
  /** The deployer's rights in the namespace: everything else the stack creates there waits for it. */
  deployerBinding: RoleBindingSpec;
  resourceQuota: { metadata: Metadata; spec: k8s.types.input.core.v1.ResourceQuotaSpec };
  limitRange: { metadata: Metadata; spec: k8s.types.input.core.v1.LimitRangeSpec };
  /** Keyed by policy name. */
  networkPolicies: Record<string, { metadata: Metadata; spec: NetworkPolicySpec }>;
  teamRole?: { metadata: Metadata; rules: PolicyRule[] };
  teamRoleBinding?: RoleBindingSpec;
}

const byName = (namespace: string) => ({ "kubernetes.io/metadata.name": namespace });
const tcp = (ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));

/** Each reviewed opt-in on the namespace, where anyone looking at it sees why it is less confined: `ffnodes.fitfile.net/opt-in.privileged-pods`. */
function optInAnnotations(optIns: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(optIns).map(([key, reason]) => [`ffnodes.fitfile.net/opt-in.${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, reason]));
}

type Network = ResolvedSettings["network"];

/** The namespace: its labels, Pod Security Admission levels, display name and reviewed opt-ins. */
export function namespaceObject(namespace: string, labels: Labels, podSecurity: ResolvedSettings["podSecurity"], displayName: string, optIns?: Record<string, string>): NamespaceSpecs["namespace"] {
  return {
    metadata: {
      name: namespace,
      labels: {
        ...labels,
        "pod-security.kubernetes.io/enforce": podSecurity.enforce,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": podSecurity.warn,
        "pod-security.kubernetes.io/warn-version": "latest",
        "pod-security.kubernetes.io/audit": podSecurity.audit,
        "pod-security.kubernetes.io/audit-version": "latest",
      },
      annotations: { ...ADOPTABLE, "ffnodes.fitfile.net/display-name": displayName, ...optInAnnotations(optIns) },
    },
  };
}

/** The ResourceQuota: what the scheduler may reserve (requests), and counts of objects; no node ports by default. */
export function resourceQuota(metadata: Metadata, quota: ResolvedSettings["quota"]): NamespaceSpecs["resourceQuota"] {
  return {
    metadata,
    spec: {
      hard: {
        "requests.cpu": quota.requestsCpu,
        "requests.memory": quota.requestsMemory,
        "requests.storage": quota.requestsStorage,
        persistentvolumeclaims: String(quota.persistentVolumeClaims),
        pods: String(quota.pods),
        services: String(quota.services),
        "services.loadbalancers": String(quota.servicesLoadBalancers),
        "services.nodeports": String(quota.servicesNodePorts),
        secrets: String(quota.secrets),
        configmaps: String(quota.configMaps),
      },
    },
  };
}

/** The LimitRange: a container's default request, and its max, which is also its default limit (README, "Settings"). */
export function limitRange(metadata: Metadata, limits: ResolvedSettings["limits"]): NamespaceSpecs["limitRange"] {
  return {
    metadata,
    spec: {
      limits: [
        {
          type: "Container",
          default: { cpu: limits.maxCpu, memory: limits.maxMemory },
          defaultRequest: { cpu: limits.defaultRequestCpu, memory: limits.defaultRequestMemory },
          max: { cpu: limits.maxCpu, memory: limits.maxMemory },
        },
      ],
    },
  };
}

/**
 * The NetworkPolicies, keyed by name: deny everything, then allow DNS, the namespace itself, the
 * ingress controller, and the egress the settings name (shared services, the API server, the
 * outside world but its private ranges).
 */
export function networkPolicies(meta: (name: string) => Metadata, network: Network): NamespaceSpecs["networkPolicies"] {
  const policy = (name: string, spec: NetworkPolicySpec) => [name, { metadata: meta(name), spec }] as const;
  const policies = [
    policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    policy("allow-dns", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              { namespaceSelector: { matchLabels: byName(network.dnsNamespace) } },
              ...network.dnsCidrs.map((cidr) => ({ ipBlock: { cidr } })),
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
    }),
    policy("allow-same-namespace", {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    }),
    policy("allow-ingress-controller", {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: byName(network.ingressControllerNamespace) } }] }],
    }),
  ];
  if (network.egressNamespaces.length > 0) {
    policies.push(
      policy("allow-egress-cluster-services", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: network.egressNamespaces.map((ns) => ({ namespaceSelector: { matchLabels: byName(ns) } })) }],
      }),
    );
  }
  // Policies add up: the API server's own rule lets through what the external rule excepts.
  const { apiServer } = network;
  if (apiServer.cidrs.length > 0 && apiServer.ports.length > 0) {
    policies.push(
      policy("allow-egress-api-server", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: tcp(apiServer.ports) }],
      }),
    );
  }
  const external = network.externalEgress;
  const externalBlocks = ipBlocks(external.cidrs, [...external.except, ...network.clusterCidrs]);
  if (externalBlocks.length > 0 && external.ports.length > 0) {
    policies.push(
      policy("allow-egress-external", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: externalBlocks.map((ipBlock) => ({ ipBlock })), ports: tcp(external.ports) }],
      }),
    );
  }
  return Object.fromEntries(policies);
}

/** The team's Role `ffnodes-team-<level>` and its binding to the team's group, in the namespace only; nothing without a team. */
export function teamAccess(meta: (name: string) => Metadata, team: ResolvedSettings["team"]): Pick<NamespaceSpecs, "teamRole" | "teamRoleBinding"> {
  if (!team) return {};
  const name = `ffnodes-team-${team.clusterRole}`;
  return {
    teamRole: { metadata: meta(name), rules: teamRules(team.clusterRole) },
    // Named anew (the binding to a ClusterRole was `team-<level>`): Kubernetes never changes a
    // binding's roleRef in place, and a new name makes Pulumi create the new binding instead.
    teamRoleBinding: {
      metadata: meta(name),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: team.group }],
    },
  };
}

/** The deployer as the subject of a RoleBinding: what the policy pack compares a binding's subjects with. */
export function deployerSubject(deployer: Deployer): k8s.types.input.rbac.v1.Subject {
  return { kind: "ServiceAccount", namespace: deployer.namespace, name: deployer.serviceAccount };
}

/**
 * The deployer's RoleBinding to the README's ClusterRole ffnodes-deployer-namespace, in this
 * namespace only: RBAC cannot name a namespace that does not exist yet, so the deployer reads (and
 * writes) the namespaced kinds only where a stack has bound it. Its creation waits until the
 * deployer's own watch of RoleBindings here succeeds (`pulumi.com/waitFor`, pulumi-kubernetes
 * provider/pkg/await: an informer with the deployer's credentials that retries until allowed), so
 * that nothing after it meets an authorizer that has not seen the binding yet.
 */
export function deployerAccess(meta: (name: string) => Metadata, deployer: Deployer): RoleBindingSpec {
  const metadata = meta(DEPLOYER_BINDING);
  return {
    metadata: { ...metadata, annotations: { ...ADOPTABLE, "pulumi.com/waitFor": "jsonpath={.roleRef.name}" } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: DEPLOYER_NAMESPACE_ROLE },
    subjects: [deployerSubject(deployer)],
  };
}

/** What the namespace component creates: the namespace and everything that confines it, composed from the parts above. */
export function buildNamespace(config: EnvironmentConfig): NamespaceSpecs {
  const { settings } = config;
  const { namespace } = config.tenancy;
  const labels = standardLabels(config, "namespace");
  const meta = (name: string): Metadata => ({ name, namespace, labels });
  return {
    namespace: namespaceObject(namespace, labels, settings.podSecurity, config.customer.displayName, settings.optIns),
    deployerBinding: deployerAccess(meta, config.deployer),
    resourceQuota: resourceQuota(meta("quota"), settings.quota),
    limitRange: limitRange(meta("limits"), settings.limits),
    networkPolicies: networkPolicies(meta, settings.network),
    ...teamAccess(meta, settings.team),
  };
}

/** The customer's namespace with the deployer's access, its quota, limits, network policies and team access. */
export class NamespaceIsolation extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  readonly name: pulumi.Output<string>;

  constructor(name: string, config: EnvironmentConfig, opts?: pulumi.ComponentResourceOptions) {
    super("ffnodes:customer:NamespaceIsolation", name, {}, opts);
    const specs = buildNamespace(config);
    this.namespace = new k8s.core.v1.Namespace(
      ADOPT_KEY.namespace,
      specs.namespace,
      holdsData({ parent: this, import: adoptedId(config.adopt, ADOPT_KEY.namespace, config.tenancy.namespace) }),
    );
    // Kept by a destroy, like the namespace: deleting it would revoke, half-way, the rights the
    // destroy's own waits use; it goes with the namespace (a tombstone's purge).
    const deployer = new k8s.rbac.v1.RoleBinding("deployer", specs.deployerBinding, { parent: this, dependsOn: [this.namespace], retainOnDelete: true });
    const inNamespace = { parent: this, dependsOn: [this.namespace, deployer] };
    // The workloads outlive a destroy (the namespace is retained, ArgoCD preserves them): so does what confines them.
    const isolation = { ...inNamespace, retainOnDelete: true };
    new k8s.core.v1.ResourceQuota("quota", specs.resourceQuota, isolation);
    new k8s.core.v1.LimitRange("limits", specs.limitRange, isolation);
    for (const [policyName, policy] of Object.entries(specs.networkPolicies)) {
      new k8s.networking.v1.NetworkPolicy(`netpol-${policyName}`, policy, isolation);
    }
    if (specs.teamRole && specs.teamRoleBinding) {
      const role = new k8s.rbac.v1.Role("team-role", specs.teamRole, inNamespace);
      new k8s.rbac.v1.RoleBinding("team", specs.teamRoleBinding, { ...inNamespace, dependsOn: [...inNamespace.dependsOn, role] });
    }
    this.name = this.namespace.metadata.name;
    this.registerOutputs({ name: this.name });
  }
}
