// The isolation guarantee, declared once as data: what each identity of a customer may do to its
// own resources, to the other customers' and to the cluster's, in Kubernetes RBAC, in Vault and in
// the network. test/e2e/12-isolation.e2e.ts asks the platforms about every cell and fails on any
// answer that differs; the README's table is rendered from this module (readme.ts), and
// test/isolation-table.test.ts fails when the README's table is not that rendering.
//
// A cell that the platforms allow and this module refuses is a defect in ffnodes, to be fixed in
// ffnodes, never written here as allowed.

import { DEPLOYER_NAMESPACE_ROLE } from "../../../src/config/names";

// ---------------------------------------------------------------------------------------------
// Kubernetes RBAC, asked of the API server through SubjectAccessReviews

/** The objects asked about, by the name the table shows. */
export const RBAC_OBJECTS = {
  Secrets: { group: "", resource: "secrets", kind: "Secret" },
  ConfigMaps: { group: "", resource: "configmaps", kind: "ConfigMap" },
  Pods: { group: "", resource: "pods", kind: "Pod" },
  NetworkPolicies: { group: "networking.k8s.io", resource: "networkpolicies", kind: "NetworkPolicy" },
  ResourceQuotas: { group: "", resource: "resourcequotas", kind: "ResourceQuota" },
  LimitRanges: { group: "", resource: "limitranges", kind: "LimitRange" },
  Roles: { group: "rbac.authorization.k8s.io", resource: "roles", kind: "Role" },
  RoleBindings: { group: "rbac.authorization.k8s.io", resource: "rolebindings", kind: "RoleBinding" },
  Namespace: { group: "", resource: "namespaces", kind: "Namespace" },
} as const;
export type RbacObject = keyof typeof RBAC_OBJECTS;
export const RBAC_OBJECT_NAMES = Object.keys(RBAC_OBJECTS) as RbacObject[];

export const VERBS = ["get", "list", "create", "update", "patch", "delete"] as const;
/** `exec`: create on pods/exec (what `kubectl exec` asks); `bind` and `escalate`: on Roles. */
export type RbacAction = (typeof VERBS)[number] | "exec" | "bind" | "escalate";

/** Every action asked of an object: the verbs, and exec on Pods, bind and escalate on Roles. */
export function actionsOf(object: RbacObject): RbacAction[] {
  if (object === "Pods") return [...VERBS, "exec"];
  if (object === "Roles") return [...VERBS, "bind", "escalate"];
  return [...VERBS];
}

/**
 * Where an identity is asked about: its customer's namespace, every other customer's, and the
 * cluster's own. The deployer belongs to no customer: it is asked about every customer's.
 * For the Namespace object, get, update, patch and delete name the namespace itself; list and
 * create are asked as the API server asks them, of the cluster.
 */
export const CLUSTER_NAMESPACES = ["kube-system", "argocd", "vault"] as const;
export type RbacScope = "its own namespace" | "another customer's" | "every customer's" | (typeof CLUSTER_NAMESPACES)[number];

export type RbacIdentity =
  | "team admin"
  | "team edit"
  | "team view"
  | "pgweb's ServiceAccount"
  | "the Vault sync ServiceAccount"
  | "each ServiceAccount the Vault role binds"
  | "the deployer";

export type RbacGrant = Partial<Record<RbacObject, RbacAction[]>>;

const ALL_WRITE = ["get", "list", "create", "update", "patch", "delete"] as const satisfies RbacAction[];
const READ = ["get", "list"] as const satisfies RbacAction[];
/** What a team only reads of the isolation ffnodes owns. */
const ISOLATION_READ: RbacGrant = { NetworkPolicies: [...READ], ResourceQuotas: [...READ], LimitRanges: [...READ] };
const TEAM_EDIT: RbacGrant = { Secrets: [...ALL_WRITE], ConfigMaps: [...ALL_WRITE], Pods: [...ALL_WRITE, "exec"], ...ISOLATION_READ };
/**
 * What RBAC grants the README's deployer (its "Kubernetes RBAC and an admission policy" block).
 * Cluster-wide, only what a new customer's first `up` needs before its namespace exists: the
 * namespaces themselves, and creating (patch: a server-side apply) its RoleBinding in them.
 */
const DEPLOYER_WRITE = ["get", "list", "create", "patch", "delete"] as const satisfies RbacAction[];
const DEPLOYER_CLUSTER_WIDE: RbacGrant = { RoleBindings: ["create", "patch"], Namespace: [...DEPLOYER_WRITE] };
/**
 * And in each customer's namespace, from ffnodes-deployer-namespace, which the stack binds there:
 * patch where `pulumi up` would update, Secrets only to create (the origin certificate's, read back
 * by name only), `escalate` for a team's Role, `bind` only on the team Roles by name (so not on
 * any Role); and Pods to list and delete, from decommission's block, which a cluster admin binds
 * there.
 */
const DEPLOYER_IN_CUSTOMERS: RbacGrant = {
  ...DEPLOYER_CLUSTER_WIDE,
  Secrets: ["create"],
  Pods: ["list", "delete"],
  NetworkPolicies: [...DEPLOYER_WRITE],
  ResourceQuotas: [...DEPLOYER_WRITE],
  LimitRanges: [...DEPLOYER_WRITE],
  Roles: [...DEPLOYER_WRITE, "escalate"],
  RoleBindings: [...DEPLOYER_WRITE],
};
const READS: RbacAction[] = ["get", "list"];
/**
 * Outside the customers' namespaces the admission policy `ffnodes-deployer` refuses every write
 * RBAC lets through (a RoleBinding there, of the one ClusterRole it may bind); what remains is
 * the Namespace objects: reading them, and creating a namespace (asked of the cluster, and one
 * labelled as a customer's).
 */
const DEPLOYER_OUTSIDE: RbacGrant = Object.fromEntries(
  Object.entries(DEPLOYER_CLUSTER_WIDE).map(([object, actions]) => [
    object,
    actions.filter((action) => READS.includes(action) || (object === "Namespace" && action === "create")),
  ]),
);

/** What each identity is allowed, by scope; every scope an identity has is listed, and what is absent is refused. */
export const RBAC_EXPECTED: Record<RbacIdentity, Partial<Record<RbacScope, RbacGrant>>> = {
  "team admin": {
    "its own namespace": { ...TEAM_EDIT, Roles: [...ALL_WRITE], RoleBindings: [...ALL_WRITE] },
    "another customer's": {},
    "kube-system": {},
    argocd: {},
    vault: {},
  },
  "team edit": { "its own namespace": TEAM_EDIT, "another customer's": {}, "kube-system": {}, argocd: {}, vault: {} },
  "team view": {
    "its own namespace": { ConfigMaps: [...READ], Pods: [...READ], ...ISOLATION_READ },
    "another customer's": {},
    "kube-system": {},
    argocd: {},
    vault: {},
  },
  "pgweb's ServiceAccount": { "its own namespace": {}, "another customer's": {}, "kube-system": {}, argocd: {}, vault: {} },
  "the Vault sync ServiceAccount": { "its own namespace": {}, "another customer's": {}, "kube-system": {}, argocd: {}, vault: {} },
  "each ServiceAccount the Vault role binds": { "its own namespace": {}, "another customer's": {}, "kube-system": {}, argocd: {}, vault: {} },
  "the deployer": { "every customer's": DEPLOYER_IN_CUSTOMERS, "kube-system": DEPLOYER_OUTSIDE, argocd: DEPLOYER_OUTSIDE, vault: DEPLOYER_OUTSIDE },
};

/**
 * What RBAC lets through for each identity and scope; absent, it is what the identity is allowed
 * (nothing else decides). Where it grants more than `RBAC_EXPECTED`, the rest is refused by
 * admission: the scenario asks those cells, and every write RBAC allows the deployer, with a real
 * request made as the deployer (server-side dry run), since a SubjectAccessReview sees no admission.
 */
export const RBAC_GRANTED: Partial<Record<RbacIdentity, Partial<Record<RbacScope, RbacGrant>>>> = {
  "the deployer": { "kube-system": DEPLOYER_CLUSTER_WIDE, argocd: DEPLOYER_CLUSTER_WIDE, vault: DEPLOYER_CLUSTER_WIDE },
};

/** What decides a cell: RBAC alone, or admission after RBAC allowed it. */
export type Decider = "RBAC" | "admission";

export function rbacAllowed(identity: RbacIdentity, scope: RbacScope, object: RbacObject, action: RbacAction): boolean {
  const grant = RBAC_EXPECTED[identity][scope];
  if (!grant) throw new Error(`${identity} is not asked about ${scope}`);
  return grant[object]?.includes(action) ?? false;
}

/** Whether RBAC (a SubjectAccessReview) lets the action through: what is allowed, and what admission refuses after it. */
export function rbacGranted(identity: RbacIdentity, scope: RbacScope, object: RbacObject, action: RbacAction): boolean {
  const granted = RBAC_GRANTED[identity]?.[scope];
  return granted ? (granted[object]?.includes(action) ?? false) : rbacAllowed(identity, scope, object, action);
}

/** Actions that change something, which admission sees; reads it never sees. */
export const WRITES: RbacAction[] = ["create", "update", "patch", "delete", "exec", "bind", "escalate"];

/** A request made as the deployer, always as a server-side dry run: admission answers it, nothing changes. */
export interface KubeRequest {
  method: "POST" | "PATCH" | "DELETE";
  /** The API path, without the dry-run query. */
  path: string;
  body?: unknown;
}

export interface DeployerRequestContext {
  /** A customer's namespace (labelled `app.kubernetes.io/managed-by: ffnodes` by its stack). */
  customer: string;
  /** That customer's team group, and its Role (which grants what the deployer does not hold). */
  teamGroup: string;
  teamRole: string;
}

/** What the admission policy confines beyond the RBAC table: namespaces and their label, and what a binding may grant. */
export interface DeployerProbe {
  what: string;
  /** `allowed`, or what refuses it. */
  expected: "allowed" | Decider;
  requests: (context: DeployerRequestContext) => KubeRequest[];
}

export const MANAGED_LABEL = "app.kubernetes.io/managed-by";
const RBAC_API = "/apis/rbac.authorization.k8s.io/v1";
const newNamespace = (labels: Record<string, string>): KubeRequest => ({
  method: "POST",
  path: "/api/v1/namespaces",
  body: { apiVersion: "v1", kind: "Namespace", metadata: { name: "isolation-probe-new", labels } },
});
const relabel = (namespace: string, value: string | null): KubeRequest => ({
  method: "PATCH",
  path: `/api/v1/namespaces/${namespace}`,
  body: { metadata: { labels: { [MANAGED_LABEL]: value } } },
});
const binding = (namespace: string, roleRef: { kind: string; name: string }, subject: Record<string, string>): KubeRequest => ({
  method: "POST",
  path: `${RBAC_API}/namespaces/${namespace}/rolebindings`,
  body: {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: "isolation-probe-new", namespace },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
    subjects: [subject],
  },
});
const group = (name: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name });
/** The README's deployer as a binding's subject. */
const DEPLOYER_ACCOUNT = { kind: "ServiceAccount", name: "ffnodes-deployer", namespace: "ffnodes" };
const DEPLOYER_ROLE = { kind: "ClusterRole", name: DEPLOYER_NAMESPACE_ROLE };

export const DEPLOYER_PROBES: DeployerProbe[] = [
  { what: `create a namespace labelled ${MANAGED_LABEL}: ffnodes`, expected: "allowed", requests: () => [newNamespace({ [MANAGED_LABEL]: "ffnodes" })] },
  { what: "create a namespace without that label, or with another value", expected: "admission", requests: () => [newNamespace({}), newNamespace({ [MANAGED_LABEL]: "helm" })] },
  { what: "add that label to a namespace without it (kube-system, argocd, vault)", expected: "admission", requests: () => CLUSTER_NAMESPACES.map((ns) => relabel(ns, "ffnodes")) },
  { what: "remove that label from a customer's namespace, or change its value", expected: "admission", requests: ({ customer }) => [relabel(customer, null), relabel(customer, "helm")] },
  { what: "bind a team's Role to the team's group in a customer's namespace", expected: "allowed", requests: ({ customer, teamGroup, teamRole }) => [binding(customer, { kind: "Role", name: teamRole }, group(teamGroup))] },
  {
    what: "bind a team's Role to a ServiceAccount, a user or a `system:` group (its own among them) in a customer's namespace",
    expected: "admission",
    requests: ({ customer, teamRole }) =>
      [
        DEPLOYER_ACCOUNT,
        { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "someone" },
        group("system:serviceaccounts"),
        group("system:authenticated"),
      ].map((subject) => binding(customer, { kind: "Role", name: teamRole }, subject)),
  },
  {
    what: "write a Role not named `ffnodes-team-<level>` in a customer's namespace",
    expected: "admission",
    requests: ({ customer }) => [
      {
        method: "POST",
        path: `${RBAC_API}/namespaces/${customer}/roles`,
        body: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "isolation-probe-new", namespace: customer }, rules: [] },
      },
    ],
  },
  { what: `bind ${DEPLOYER_NAMESPACE_ROLE} to itself in a customer's namespace`, expected: "allowed", requests: ({ customer }) => [binding(customer, DEPLOYER_ROLE, DEPLOYER_ACCOUNT)] },
  {
    what: `bind ${DEPLOYER_NAMESPACE_ROLE} to itself in kube-system, argocd, vault`,
    expected: "admission",
    requests: () => CLUSTER_NAMESPACES.map((ns) => binding(ns, DEPLOYER_ROLE, DEPLOYER_ACCOUNT)),
  },
  {
    what: `bind ${DEPLOYER_NAMESPACE_ROLE} to anyone else in a customer's namespace: the team's group, its namespace's same-named ServiceAccount, itself as a user`,
    expected: "admission",
    requests: ({ customer, teamGroup }) =>
      [
        group(teamGroup),
        { ...DEPLOYER_ACCOUNT, namespace: customer },
        { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: `system:serviceaccount:${DEPLOYER_ACCOUNT.namespace}:${DEPLOYER_ACCOUNT.name}` },
      ].map((subject) => binding(customer, DEPLOYER_ROLE, subject)),
  },
  {
    // RBAC's escalation check runs before admission: the deployer holds `bind` on no ClusterRole but its own, nor cluster-admin's rights.
    what: "bind the ClusterRole cluster-admin in a customer's namespace",
    expected: "RBAC",
    requests: ({ customer, teamGroup }) => [binding(customer, { kind: "ClusterRole", name: "cluster-admin" }, group(teamGroup))],
  },
];

// ---------------------------------------------------------------------------------------------
// Vault, asked with tokens from real logins

/** A customer's KV space and auth role, as its stack's outputs give them. */
export interface VaultSpace {
  /** The customer's Vault path: its own mount, or its prefix in the shared mount. */
  path: string;
  mount: string;
  /** `""` on an own mount, `<path>/` on the shared mount. */
  prefix: string;
  role: string;
  appReadPolicy: string;
}

export interface VaultProbeContext {
  own: VaultSpace;
  others: VaultSpace[];
  sharedMount: string;
  authMount: string;
}

export type VaultMethod = "GET" | "LIST" | "POST" | "PUT" | "PATCH" | "DELETE";
export interface VaultRequest {
  method: VaultMethod;
  path: string;
  body?: unknown;
}

export type VaultIdentity = "a bound ServiceAccount's login" | "the operator policy";
export const VAULT_IDENTITIES: VaultIdentity[] = ["a bound ServiceAccount's login", "the operator policy"];

export interface VaultProbe {
  what: string;
  allowed: Record<VaultIdentity, boolean>;
  /** The requests that make the probe for one customer; each is a cell. Run in order. */
  requests: (context: VaultProbeContext) => VaultRequest[];
}

/** A secret the probes write, never the credentials. */
const PROBE_SECRET = "isolation-probe";
const data = (space: VaultSpace, name: string) => `${space.mount}/data/${space.prefix}${name}`;
const metadata = (space: VaultSpace, name = "") => `${space.mount}/metadata/${space.prefix}${name}`;

/**
 * Paths on the shared mount that are not the customer's but look like it: its path with a
 * character or a segment appended (what a prefix glob without its `/` would also match), and the
 * other customers' paths.
 */
export function lookAlikePaths(context: VaultProbeContext): string[] {
  const { own, others, sharedMount } = context;
  return [`${own.path}x`, `${own.path}-x`, ...others.map((o) => o.path)].map((p) => `${sharedMount}/data/${p}/app`);
}

const BOTH = { "a bound ServiceAccount's login": true, "the operator policy": true };
const OPERATOR_ONLY = { "a bound ServiceAccount's login": false, "the operator policy": true };
const NEITHER = { "a bound ServiceAccount's login": false, "the operator policy": false };

export const VAULT_PROBES: VaultProbe[] = [
  { what: "read its credentials", allowed: BOTH, requests: ({ own }) => [{ method: "GET", path: data(own, "app") }] },
  { what: "list its space", allowed: BOTH, requests: ({ own }) => [{ method: "LIST", path: metadata(own) }] },
  { what: "read its credentials' metadata", allowed: BOTH, requests: ({ own }) => [{ method: "GET", path: metadata(own, "app") }] },
  {
    what: "read its credentials' key names (kv-v2 subkeys, the deployer's)",
    allowed: NEITHER,
    requests: ({ own }) => [{ method: "GET", path: `${own.mount}/subkeys/${own.prefix}app` }],
  },
  {
    what: "write and patch a secret and its metadata in its space",
    allowed: OPERATOR_ONLY,
    requests: ({ own }) => [
      { method: "POST", path: data(own, PROBE_SECRET), body: { data: { probe: "1" } } },
      { method: "POST", path: metadata(own, PROBE_SECRET), body: { max_versions: 5 } },
      { method: "PATCH", path: data(own, PROBE_SECRET), body: { data: { probe: "2" } } },
    ],
  },
  {
    what: "delete, undelete and destroy versions, and a secret's metadata, in its space",
    allowed: OPERATOR_ONLY,
    requests: ({ own }) => [
      { method: "DELETE", path: data(own, PROBE_SECRET) },
      { method: "POST", path: `${own.mount}/undelete/${own.prefix}${PROBE_SECRET}`, body: { versions: [2] } },
      { method: "PUT", path: `${own.mount}/destroy/${own.prefix}${PROBE_SECRET}`, body: { versions: [1] } },
      { method: "DELETE", path: metadata(own, PROBE_SECRET) },
    ],
  },
  {
    what: "read, list or write another customer's space",
    allowed: NEITHER,
    requests: ({ others }) =>
      others.flatMap((other) => [
        { method: "GET" as const, path: data(other, "app") },
        { method: "LIST" as const, path: metadata(other) },
        { method: "POST" as const, path: data(other, PROBE_SECRET), body: { data: { probe: "1" } } },
      ]),
  },
  {
    what: "read the shared mount outside its prefix: look-alike prefixes, other customers' paths",
    allowed: NEITHER,
    requests: (context) => lookAlikePaths(context).map((path) => ({ method: "GET" as const, path })),
  },
  { what: "list the shared mount", allowed: NEITHER, requests: ({ sharedMount }) => [{ method: "LIST", path: `${sharedMount}/metadata/` }] },
  {
    what: "read or change its mount's configuration and tuning",
    allowed: NEITHER,
    requests: ({ own }) => [
      { method: "GET", path: `${own.mount}/config` },
      { method: "POST", path: `${own.mount}/config`, body: { max_versions: 1 } },
      { method: "GET", path: `sys/mounts/${own.mount}/tune` },
      { method: "POST", path: `sys/mounts/${own.mount}/tune`, body: { max_lease_ttl: "1h" } },
    ],
  },
  {
    what: "read sys/: mounts, auth methods, its policy",
    allowed: NEITHER,
    requests: ({ own }) => [
      { method: "GET", path: "sys/mounts" },
      { method: "GET", path: "sys/auth" },
      { method: "GET", path: `sys/policies/acl/${own.appReadPolicy}` },
    ],
  },
  {
    what: "read or change its auth role, read the auth method's config",
    allowed: NEITHER,
    requests: ({ own, authMount }) => [
      { method: "GET", path: `auth/${authMount}/role/${own.role}` },
      { method: "POST", path: `auth/${authMount}/role/${own.role}`, body: { bound_service_account_namespaces: ["*"] } },
      { method: "GET", path: `auth/${authMount}/config` },
    ],
  },
  { what: "create a token", allowed: NEITHER, requests: () => [{ method: "POST", path: "auth/token/create", body: { ttl: "5m" } }] },
];

/** Logins through a customer's Kubernetes auth role, with TokenRequest tokens. */
export type LoginAttempt =
  | "each ServiceAccount the role binds, at the role's audience"
  | "a token re-signed by the control plane's key, not expired"
  | "the same-named ServiceAccount of another customer's namespace"
  | "a ServiceAccount of its namespace that the role does not bind"
  | "a bound ServiceAccount's token for another audience"
  | "a bound ServiceAccount's expired token"
  | "a bound ServiceAccount's token at another customer's role";

export const LOGINS_EXPECTED: Record<LoginAttempt, boolean> = {
  "each ServiceAccount the role binds, at the role's audience": true,
  "a token re-signed by the control plane's key, not expired": true,
  "the same-named ServiceAccount of another customer's namespace": false,
  "a ServiceAccount of its namespace that the role does not bind": false,
  "a bound ServiceAccount's token for another audience": false,
  "a bound ServiceAccount's expired token": false,
  "a bound ServiceAccount's token at another customer's role": false,
};

// ---------------------------------------------------------------------------------------------
// NetworkPolicies, evaluated by a policy engine over the live policies

/**
 * The peers of the flows. Customers A, B and C are the scenario's; a pod's address is in the
 * cluster's pod range (100.64.0.0/10, `network.clusterCidrs`). `apiServer` is the endpoint A's
 * `network.apiServer` names; B and C name none.
 */
export const PEERS = {
  "A's pods": { customer: "A", ip: "100.64.1.10" },
  "B's pods": { customer: "B", ip: "100.64.2.10" },
  "C's pods": { customer: "C", ip: "100.64.3.10" },
  "vault's pods": { namespace: "vault", ip: "100.64.10.10" },
  "kube-system's pods (cluster DNS)": { namespace: "kube-system", ip: "100.64.11.10" },
  "the ingress controller's pods": { namespace: "ingress-nginx", ip: "100.64.12.10" },
  "argocd's pods": { namespace: "argocd", ip: "100.64.13.10" },
  "NodeLocal DNSCache (169.254.20.10)": { ip: "169.254.20.10" },
  "the API server's endpoint (192.168.10.5)": { ip: "192.168.10.5" },
  "cloud metadata (169.254.169.254)": { ip: "169.254.169.254" },
  "10.0.0.10": { ip: "10.0.0.10" },
  "172.16.0.10": { ip: "172.16.0.10" },
  "192.168.1.10": { ip: "192.168.1.10" },
  "100.64.0.10 (cluster range)": { ip: "100.64.0.10" },
  "the internet (93.184.216.34)": { ip: "93.184.216.34" },
} as const;
export type Peer = keyof typeof PEERS;
/** The endpoint A's customer file sets as `network.apiServer.cidrs`. */
export const API_SERVER_CIDR = "192.168.10.5/32";

export interface Flow {
  from: Peer;
  to: Peer;
  port: number;
  protocol: "TCP" | "UDP";
  allowed: boolean;
  /** Why, where the verdict is not plain from the flow. */
  note?: string;
}

const flow = (from: Peer, to: Peer, port: number, protocol: "TCP" | "UDP", allowed: boolean, note?: string): Flow => ({ from, to, port, protocol, allowed, note });

export const FLOWS: Flow[] = [
  flow("A's pods", "A's pods", 8080, "TCP", true, "its own namespace"),
  flow("A's pods", "B's pods", 8080, "TCP", false),
  flow("A's pods", "B's pods", 443, "TCP", false, "the external port, to a pod address"),
  flow("B's pods", "A's pods", 8080, "TCP", false),
  flow("C's pods", "A's pods", 8080, "TCP", false),
  flow("A's pods", "C's pods", 8080, "TCP", false),
  flow("A's pods", "vault's pods", 8200, "TCP", true, "network.egressNamespaces"),
  flow("A's pods", "kube-system's pods (cluster DNS)", 53, "UDP", true),
  flow("A's pods", "kube-system's pods (cluster DNS)", 53, "TCP", true),
  flow("A's pods", "kube-system's pods (cluster DNS)", 443, "TCP", false),
  flow("A's pods", "NodeLocal DNSCache (169.254.20.10)", 53, "UDP", true, "network.dnsCidrs"),
  flow("A's pods", "the API server's endpoint (192.168.10.5)", 6443, "TCP", true, "A's network.apiServer"),
  flow("A's pods", "the API server's endpoint (192.168.10.5)", 443, "TCP", true, "A's network.apiServer"),
  flow("A's pods", "the API server's endpoint (192.168.10.5)", 22, "TCP", false),
  flow("B's pods", "the API server's endpoint (192.168.10.5)", 6443, "TCP", false, "B sets no network.apiServer"),
  flow("A's pods", "cloud metadata (169.254.169.254)", 80, "TCP", false),
  flow("A's pods", "cloud metadata (169.254.169.254)", 443, "TCP", false),
  flow("A's pods", "cloud metadata (169.254.169.254)", 53, "UDP", true, "DNS only: GKE Cloud DNS answers there (network.dnsCidrs)"),
  flow("A's pods", "10.0.0.10", 443, "TCP", false),
  flow("A's pods", "172.16.0.10", 443, "TCP", false),
  flow("A's pods", "192.168.1.10", 443, "TCP", false),
  flow("A's pods", "100.64.0.10 (cluster range)", 443, "TCP", false, "network.clusterCidrs"),
  flow("A's pods", "the internet (93.184.216.34)", 443, "TCP", true),
  flow("A's pods", "the internet (93.184.216.34)", 80, "TCP", false),
  flow("A's pods", "the internet (93.184.216.34)", 22, "TCP", false),
  flow("A's pods", "the internet (93.184.216.34)", 443, "UDP", false),
  flow("A's pods", "argocd's pods", 8080, "TCP", false),
  flow("the ingress controller's pods", "A's pods", 8080, "TCP", true, "network.ingressControllerNamespace"),
  flow("argocd's pods", "A's pods", 8080, "TCP", false),
  flow("kube-system's pods (cluster DNS)", "A's pods", 8080, "TCP", false),
];

// ---------------------------------------------------------------------------------------------
// Argo CD, asked of its real controllers (test/e2e/13-argocd.e2e.ts): a customer's Application,
// in its AppProject, syncing a chart that puts an object where the row says

export type ArgoCdAttempt =
  | "its own namespace, the kinds its project allows"
  | "another customer's namespace"
  | "kube-system"
  | "argocd"
  | "vault"
  | "a cluster-scoped object (ClusterRole)"
  | "a Namespace"
  | "a NetworkPolicy in its own namespace (the isolation ffnodes owns)"
  | "a source repository not in its project's sourceRepos";

/** Whether Argo CD syncs a customer's Application that deploys there; it refuses the rest before applying anything. */
export const ARGOCD_EXPECTED: Record<ArgoCdAttempt, boolean> = {
  "its own namespace, the kinds its project allows": true,
  "another customer's namespace": false,
  "kube-system": false,
  argocd: false,
  vault: false,
  "a cluster-scoped object (ClusterRole)": false,
  "a Namespace": false,
  "a NetworkPolicy in its own namespace (the isolation ffnodes owns)": false,
  "a source repository not in its project's sourceRepos": false,
};
