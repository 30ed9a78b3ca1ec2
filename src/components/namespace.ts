import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ipBlocks } from "../config/cidr";
import { EnvironmentConfig } from "../config/load";
import { standardLabels } from "./labels";
import { ADOPTABLE, adoptedId, holdsData } from "./safety";

type Metadata = k8s.types.input.meta.v1.ObjectMeta;
type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

export interface NamespaceSpecs {
  namespace: { metadata: Metadata };
  resourceQuota: { metadata: Metadata; spec: k8s.types.input.core.v1.ResourceQuotaSpec };
  limitRange: { metadata: Metadata; spec: k8s.types.input.core.v1.LimitRangeSpec };
  /** Keyed by policy name. */
  networkPolicies: Record<string, { metadata: Metadata; spec: NetworkPolicySpec }>;
  teamRoleBinding?: {
    metadata: Metadata;
    roleRef: k8s.types.input.rbac.v1.RoleRef;
    subjects: k8s.types.input.rbac.v1.Subject[];
  };
}

const byName = (namespace: string) => ({ "kubernetes.io/metadata.name": namespace });
const tcp = (ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));

/** What the namespace component creates: the namespace and everything that confines it. */
export function buildNamespace(config: EnvironmentConfig): NamespaceSpecs {
  const { namespace, settings } = config;
  const labels = standardLabels(config, "namespace");
  const meta = (name: string): Metadata => ({ name, namespace, labels });
  const { podSecurity, quota, limits, network } = settings;

  const policy = (name: string, spec: NetworkPolicySpec) => [name, { metadata: meta(name), spec }] as const;
  const networkPolicies = [
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
    networkPolicies.push(
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
    networkPolicies.push(
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
    networkPolicies.push(
      policy("allow-egress-external", {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [{ to: externalBlocks.map((ipBlock) => ({ ipBlock })), ports: tcp(external.ports) }],
      }),
    );
  }

  return {
    namespace: {
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
        annotations: { ...ADOPTABLE, "ffnodes.fitfile.net/display-name": config.customer.displayName },
      },
    },
    resourceQuota: {
      metadata: meta("quota"),
      spec: {
        hard: {
          "requests.cpu": quota.requestsCpu,
          "requests.memory": quota.requestsMemory,
          "limits.cpu": quota.limitsCpu,
          "limits.memory": quota.limitsMemory,
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
    },
    limitRange: {
      metadata: meta("limits"),
      spec: {
        limits: [
          {
            type: "Container",
            default: { cpu: limits.defaultCpu, memory: limits.defaultMemory },
            defaultRequest: { cpu: limits.defaultRequestCpu, memory: limits.defaultRequestMemory },
            max: { cpu: limits.maxCpu, memory: limits.maxMemory },
          },
        ],
      },
    },
    networkPolicies: Object.fromEntries(networkPolicies),
    teamRoleBinding: settings.team && {
      metadata: meta(`team-${settings.team.clusterRole}`),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: settings.team.clusterRole },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: settings.team.group }],
    },
  };
}

/** The customer's namespace with its quota, limits, network policies and team access. */
export class NamespaceIsolation extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;
  readonly name: pulumi.Output<string>;

  constructor(name: string, config: EnvironmentConfig, opts?: pulumi.ComponentResourceOptions) {
    super("ffnodes:customer:NamespaceIsolation", name, {}, opts);
    const specs = buildNamespace(config);
    this.namespace = new k8s.core.v1.Namespace(
      "namespace",
      specs.namespace,
      holdsData({ parent: this, import: adoptedId(config, "namespace", config.namespace) }),
    );
    const inNamespace = { parent: this, dependsOn: [this.namespace] };
    new k8s.core.v1.ResourceQuota("quota", specs.resourceQuota, inNamespace);
    new k8s.core.v1.LimitRange("limits", specs.limitRange, inNamespace);
    for (const [policyName, policy] of Object.entries(specs.networkPolicies)) {
      new k8s.networking.v1.NetworkPolicy(`netpol-${policyName}`, policy, inNamespace);
    }
    if (specs.teamRoleBinding) {
      new k8s.rbac.v1.RoleBinding("team", specs.teamRoleBinding, inNamespace);
    }
    this.name = this.namespace.metadata.name;
    this.registerOutputs({ name: this.name });
  }
}
