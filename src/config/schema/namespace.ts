import { z } from "zod";
import { cidr, count, dnsLabel, quantity } from "./common";

const podSecurityLevel = z.enum(["privileged", "baseline", "restricted"]);
const port = z.int("a port from 1 to 65535").min(1, "a port from 1 to 65535").max(65535, "a port from 1 to 65535");

/** Namespace, its isolation, and who may work in it. */
export const namespaceSettings = {
  /** Overrides the namespace name (default: customer name plus the environment's namespaceSuffix). */
  namespace: dnsLabel.optional(),
  /** Appended to the customer name to make the default namespace: "" for prod, "-staging" for staging. */
  namespaceSuffix: z.string().regex(/^(-[a-z0-9]+)*$/, "empty, or '-' followed by lower-case letters and digits"),
  podSecurity: z.strictObject({
    enforce: podSecurityLevel,
    warn: podSecurityLevel,
    audit: podSecurityLevel,
  }),
  quota: z.strictObject({
    requestsCpu: quantity,
    requestsMemory: quantity,
    limitsCpu: quantity,
    limitsMemory: quantity,
    requestsStorage: quantity,
    persistentVolumeClaims: count,
    pods: count,
    services: count,
    servicesLoadBalancers: count,
    servicesNodePorts: count,
    secrets: count,
    configMaps: count,
  }),
  limits: z.strictObject({
    defaultCpu: quantity,
    defaultMemory: quantity,
    defaultRequestCpu: quantity,
    defaultRequestMemory: quantity,
    maxCpu: quantity,
    maxMemory: quantity,
  }),
  network: z.strictObject({
    /** Namespace of the cluster's ingress controller, allowed to reach the customer's pods. */
    ingressControllerNamespace: dnsLabel,
    /** Namespace of the cluster DNS service, the only egress allowed outside the namespace by default. */
    dnsNamespace: dnsLabel,
    /**
     * DNS servers outside `dnsNamespace` the pods may query on port 53: a node-local cache
     * (NodeLocal DNSCache listens on 169.254.20.10) or the cloud's resolver (GKE's Cloud DNS
     * answers on 169.254.169.254).
     */
    dnsCidrs: z.array(cidr),
    /**
     * The Kubernetes API server's endpoints (`kubectl get endpointslice kubernetes -n default`) and
     * ports: the pods that call it (Argo Workflows, the `workflows` service) reach it there, as
     * policies apply after the `kubernetes` Service's address is translated. Empty: no pod may.
     */
    apiServer: z.strictObject({
      cidrs: z.array(cidr),
      ports: z.array(port),
    }),
    /** The cluster's pod and service CIDRs: never reached through `externalEgress`, whatever its CIDRs. */
    clusterCidrs: z.array(cidr),
    /** In-cluster namespaces the customer's pods may call (Vault, monitoring). */
    egressNamespaces: z.array(dnsLabel),
    /** Traffic allowed out of the cluster: to these CIDRs minus the exceptions, on these ports. */
    externalEgress: z.strictObject({
      cidrs: z.array(cidr),
      except: z.array(cidr),
      ports: z.array(port),
    }),
  }),
  /** The customer's team: a group bound to a ClusterRole inside the namespace only. */
  team: z
    .strictObject({
      group: z.string().min(1, "a group name from the cluster's identity provider"),
      clusterRole: z.enum(["view", "edit", "admin"]),
    })
    .optional(),
};
