import { z } from "zod";
import { quantityValue } from "../quantity";
import { cidr, count, dnsLabel, quantity } from "./common";

const optInReason = z.string().min(10, "a reason: what needs it and the review that allowed it (a ticket or merge request)");

const podSecurityLevel = z.enum(["privileged", "baseline", "restricted"]);
const port = z.int("a port from 1 to 65535").min(1, "a port from 1 to 65535").max(65535, "a port from 1 to 65535");

type Limits = Record<"defaultRequestCpu" | "defaultRequestMemory" | "maxCpu" | "maxMemory", string>;

/**
 * The order the API server requires of a LimitRange (ValidateLimitRange in
 * pkg/apis/core/validation): default request ≤ max (the default limit is the max).
 * Told at `limits`, which the layer that last set any of them owns: it made them disagree.
 */
function checkLimitOrder(limits: Limits, ctx: z.RefinementCtx): void {
  const pairs: [keyof Limits, keyof Limits][] = [
    ["defaultRequestCpu", "maxCpu"],
    ["defaultRequestMemory", "maxMemory"],
  ];
  // A value that is not a quantity was reported where it stands: there is no order to check.
  if (!Object.values(limits).every((value) => quantity.safeParse(value).success)) return;
  for (const [low, high] of pairs) {
    if (quantityValue(limits[low]) > quantityValue(limits[high])) {
      ctx.addIssue({
        code: "custom",
        message: `${low} ${limits[low]} is more than ${high} ${limits[high]}; Kubernetes refuses such a LimitRange: lower ${low} or raise ${high}`,
      });
    }
  }
}

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
    requestsStorage: quantity,
    persistentVolumeClaims: count,
    pods: count,
    services: count,
    servicesLoadBalancers: count,
    servicesNodePorts: count,
    secrets: count,
    configMaps: count,
  }),
  /**
   * Per container: the request a container that sets none gets, and the most it may use. The max
   * is also the default limit: LimitRanger gives a container without a limit the default limit,
   * and the API server then refuses any request above it (kubernetes.io/docs/concepts/policy/
   * limit-range, "Limit range and default requests"), so a lower default would refuse a chart's
   * container that sets only a request. The quota bounds requests, not limits, for the same reason:
   * every such container counts the max against a limits quota.
   */
  limits: z
    .strictObject({
      defaultRequestCpu: quantity,
      defaultRequestMemory: quantity,
      maxCpu: quantity,
      maxMemory: quantity,
    })
    .superRefine(checkLimitOrder),
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
  /**
   * Reviewed exceptions to the tenant boundaries, each a reason (what needs it, and the review
   * that allowed it). Only a customer file may set them; the namespace carries each as an
   * annotation and the stack's `optIns` output shows it.
   */
  optIns: z
    .strictObject({
      /** Allows `podSecurity.enforce: privileged`. */
      privilegedPods: optInReason.optional(),
      /** Allows external egress to private and link-local ranges (cloud metadata) that `except` does not exclude. */
      unrestrictedEgress: optInReason.optional(),
    })
    .optional(),
  /** The customer's team: a group bound, inside the namespace only, to ffnodes's team Role of this level. */
  team: z
    .strictObject({
      group: z.string().min(1, "a group name from the cluster's identity provider"),
      clusterRole: z.enum(["view", "edit", "admin"]),
    })
    .optional(),
};

/**
 * What the Vault agent injector requests for every pod it injects, as vault-k8s sets it by
 * default (agent-inject/agent/annotations.go: DefaultResourceRequestCPU 250m,
 * DefaultResourceRequestMem 64Mi): a sidecar, or with `agent-pre-populate-only` an init
 * container alone.
 */
const VAULT_AGENT = { requestsCpu: "250m", requestsMemory: "64Mi" } as const;

interface QuotaChecked {
  quota: Record<keyof typeof VAULT_AGENT, string>;
  limits: { defaultRequestCpu: string; defaultRequestMemory: string };
  services: Record<string, { enabled: boolean }>;
  addons: string[];
}

/**
 * The quota must hold at least one pod per enabled service, each a container at the
 * LimitRange's default requests plus the Vault agent's sidecar (the charts run with
 * agent-inject), and pgweb's pod, whose agent only runs before it starts: a pod's need is its containers' sum, or
 * an init container's when larger (kubernetes.io/docs/concepts/workloads/pods/init-containers).
 */
export function checkQuotaHoldsInjectedPods(settings: QuotaChecked, ctx: z.RefinementCtx<QuotaChecked>): void {
  const services = Object.entries(settings.services).filter(([, s]) => s.enabled).map(([name]) => name);
  const pgweb = settings.addons.includes("pgweb") ? 1 : 0;
  const container = {
    requestsCpu: settings.limits.defaultRequestCpu,
    requestsMemory: settings.limits.defaultRequestMemory,
  };
  const keys = Object.keys(VAULT_AGENT) as (keyof typeof VAULT_AGENT)[];
  // A quantity that is not one was reported where it stands.
  if (!keys.every((key) => quantity.safeParse(container[key]).success && quantity.safeParse(settings.quota[key]).success)) return;
  for (const key of keys) {
    const app = quantityValue(container[key]);
    const agent = quantityValue(VAULT_AGENT[key]);
    const needed = services.length * (app + agent) + pgweb * Math.max(app, agent);
    if (needed > quantityValue(settings.quota[key])) {
      const pods = `${services.length} service(s) (${services.join(", ")})${pgweb ? " and pgweb" : ""}`;
      ctx.addIssue({
        code: "custom",
        path: ["quota", key],
        message: `${settings.quota[key]} cannot hold one pod each for ${pods}: each pod requests the LimitRange's default ${container[key]} plus the Vault agent's ${VAULT_AGENT[key]}, at least ${formatQuantity(needed, key)} in all`,
      });
    }
  }
}

/** A quantity for a message: CPU in millicores, memory in Mi. */
function formatQuantity(value: number, key: keyof typeof VAULT_AGENT): string {
  return key.endsWith("Cpu") ? `${Math.ceil(value * 1000)}m` : `${Math.ceil(value / 2 ** 20)}Mi`;
}
