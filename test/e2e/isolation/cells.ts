// The scenario's customers as applied, and the SubjectAccessReviews of the RBAC matrix for them.
import {
  CLUSTER_NAMESPACES,
  Decider,
  KubeRequest,
  RBAC_OBJECTS,
  RBAC_OBJECT_NAMES,
  RbacAction,
  RbacIdentity,
  RbacObject,
  RbacScope,
  VaultSpace,
  WRITES,
  actionsOf,
  rbacAllowed,
  rbacGranted,
} from "./expected";
import { ResourceAttributes, serviceAccountUser } from "./platforms";
import { DEPLOYER_NAMESPACE_ROLE } from "../../../src/config/names";

export type Key = "A" | "B" | "C";
export type TeamLevel = "view" | "edit" | "admin";

export interface VaultOutput {
  role: string;
  authMount: string;
  audience: string;
  path: string;
  mount: string;
  policies: { appRead: string; operator: string };
  serviceAccounts: string[];
}

export interface Applied {
  key: Key;
  namespace: string;
  team: { group: string; level: TeamLevel };
  vault: VaultOutput;
  space: VaultSpace;
  /** The ServiceAccounts ffnodes creates in the namespace, by name. */
  created: { pgweb: string; sync: string };
  /** The accounts the role binds that the services' charts create. */
  chartAccounts: string[];
}

/** One SubjectAccessReview: an identity of the table, the concrete user and request, the verdicts. */
export interface RbacCell {
  identity: RbacIdentity;
  scope: RbacScope;
  object: RbacObject;
  action: RbacAction;
  subject: string;
  user: { name: string; groups: string[] };
  attributes: ResourceAttributes;
  /** Whether the action is allowed in the end, and whether RBAC lets it through (more, where admission refuses the rest). */
  expected: boolean;
  granted: boolean;
  /** The SubjectAccessReview's answer. */
  reviewed?: boolean;
  /** The answer in the end, and what gave it: the SubjectAccessReview, or a real request's admission. */
  actual?: boolean;
  decidedBy?: Decider;
}

export function attributesOf(object: RbacObject, action: RbacAction, namespace: string): ResourceAttributes {
  const { group, resource } = RBAC_OBJECTS[object];
  if (object === "Namespace") {
    // The API server asks list and create of the cluster, the others of the namespace itself.
    return action === "list" || action === "create" ? { verb: action, group, resource } : { namespace, verb: action, group, resource, name: namespace };
  }
  if (action === "exec") return { namespace, verb: "create", group, resource, subresource: "exec" };
  return { namespace, verb: action, group, resource };
}

const teamMember = (c: Applied) => ({ name: `${c.team.group}-member`, groups: [c.team.group, "system:authenticated"] });
const cluster = CLUSTER_NAMESPACES.map((ns): [RbacScope, string[]] => [ns, [ns]]);
const customerScopes = (customers: Applied[], c: Applied): [RbacScope, string[]][] => [
  ["its own namespace", [c.namespace]],
  ["another customer's", customers.filter((o) => o !== c).map((o) => o.namespace)],
  ...cluster,
];

/** Every cell of the table for the customers as applied: each customer's identities, and the deployer. */
export function rbacCells(customers: Applied[]): RbacCell[] {
  return cellsOf((add) => {
    for (const c of customers) {
      const scopes = customerScopes(customers, c);
      add(`team ${c.team.level}`, `group ${c.team.group}`, teamMember(c), scopes);
      add("pgweb's ServiceAccount", `${c.namespace}/${c.created.pgweb}`, serviceAccountUser(c.namespace, c.created.pgweb), scopes);
      add("the Vault sync ServiceAccount", `${c.namespace}/${c.created.sync}`, serviceAccountUser(c.namespace, c.created.sync), scopes);
      for (const account of c.chartAccounts) {
        add("each ServiceAccount the Vault role binds", `${c.namespace}/${account}`, serviceAccountUser(c.namespace, account), scopes);
      }
    }
    add("the deployer", `${DEPLOYER.namespace}/${DEPLOYER.name}`, serviceAccountUser(DEPLOYER.namespace, DEPLOYER.name), [["every customer's", customers.map((c) => c.namespace)], ...cluster]);
  });
}

/** The cells of each customer's team group only, at the level it has now. */
export function teamCells(customers: Applied[]): RbacCell[] {
  return cellsOf((add) => {
    for (const c of customers) add(`team ${c.team.level}`, `group ${c.team.group}`, teamMember(c), customerScopes(customers, c));
  });
}

type AddCells = (identity: RbacIdentity, subject: string, user: RbacCell["user"], scopeNamespaces: [RbacScope, string[]][]) => void;

function cellsOf(fill: (add: AddCells) => void): RbacCell[] {
  const cells: RbacCell[] = [];
  const add: AddCells = (identity, subject, user, scopeNamespaces) => {
    for (const [scope, namespaces] of scopeNamespaces) {
      for (const namespace of namespaces) {
        for (const object of RBAC_OBJECT_NAMES) {
          for (const action of actionsOf(object)) {
            cells.push({
              identity,
              scope,
              object,
              action,
              subject,
              user,
              attributes: attributesOf(object, action, namespace),
              expected: rbacAllowed(identity, scope, object, action),
              granted: rbacGranted(identity, scope, object, action),
            });
          }
        }
      }
    }
  };
  fill(add);
  return cells;
}

/** The README's deployer ServiceAccount, the subject of its bindings and of its admission policy. */
export const DEPLOYER = { namespace: "ffnodes", name: "ffnodes-deployer" };

/** Whether a cell needs a real request: a write RBAC lets through, which admission may still refuse. */
export const needsRealRequest = (cell: RbacCell) => cell.identity === "the deployer" && cell.reviewed === true && WRITES.includes(cell.action);

/** The name of the objects the scenario puts in each namespace, for the deployer's real requests to change and delete. */
export const PROBE_NAME = "isolation-probe";
/** The kinds of the probe objects: those the deployer may change or delete (a Role before its binding). */
export const PROBED_OBJECTS: RbacObject[] = ["Pods", "NetworkPolicies", "ResourceQuotas", "LimitRanges", "Roles", "RoleBindings"];
/** A Role name the policy lets the deployer write (a team's), holding only what the deployer holds. */
const PROBE_ROLE = "ffnodes-team-isolation-probe";

const apiPath = (object: RbacObject, namespace: string) => {
  const { group, resource } = RBAC_OBJECTS[object];
  const base = group === "" ? "/api/v1" : `/apis/${group}/v1`;
  return object === "Namespace" ? `${base}/namespaces` : `${base}/namespaces/${namespace}/${resource}`;
};
const nameOf = (object: RbacObject) => (object === "Roles" ? PROBE_ROLE : PROBE_NAME);

/**
 * The object of a kind the scenario creates in a namespace as the admin (`name` as given), or
 * the deployer's real requests send (another name): harmless, selecting and limiting nothing
 * that the scenario's customers use, and Pod Security `restricted`-conforming.
 */
export function probeObject(object: RbacObject, namespace: string, name = nameOf(object), rules = [{ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get"] }]): Record<string, unknown> {
  const { group, kind } = RBAC_OBJECTS[object];
  const apiVersion = group === "" ? "v1" : `${group}/v1`;
  const labels = { "app.kubernetes.io/name": "isolation-probe-object" };
  const isClusterNamespace = (CLUSTER_NAMESPACES as readonly string[]).includes(namespace);
  const metadata = object === "Namespace" ? { name, labels: { "app.kubernetes.io/managed-by": "ffnodes" } } : { name, namespace, labels };
  const specs: Record<RbacObject, Record<string, unknown>> = {
    Secrets: { type: "Opaque", stringData: { probe: "not a credential" } },
    ConfigMaps: { data: { probe: "1" } },
    Pods: {
      spec: {
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "probe",
            image: "registry.invalid/isolation-probe:1",
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          },
        ],
      },
    },
    NetworkPolicies: { spec: { podSelector: { matchLabels: labels }, policyTypes: ["Ingress"] } },
    ResourceQuotas: { spec: { hard: { "count/configmaps": "1000" } } },
    LimitRanges: { spec: { limits: [{ type: "PersistentVolumeClaim", max: { storage: "100Ti" } }] } },
    Roles: { rules },
    // RBAC's escalation check answers a binding before admission does: outside the customers'
    // namespaces the deployer may bind only its own ClusterRole, so that is what reaches admission there.
    RoleBindings: {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", ...(isClusterNamespace ? { kind: "ClusterRole", name: DEPLOYER_NAMESPACE_ROLE } : { kind: "Role", name: PROBE_ROLE }) },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "isolation-probe-group" }],
    },
    Namespace: {},
  };
  return { apiVersion, kind, metadata, ...specs[object] };
}

/**
 * The real request of a deployer's cell: create another object of the kind (for `escalate`, a
 * team-named Role granting what the deployer does not hold: reading Secrets), change or delete
 * the scenario's probe object, or, for the Namespace, create a labelled namespace and change or
 * delete the namespace itself.
 */
export function realRequest(cell: RbacCell): KubeRequest {
  const { object, action } = cell;
  const namespace = cell.attributes.namespace ?? "";
  const collection = apiPath(object, namespace);
  if (action === "create" || action === "escalate") {
    const body =
      action === "escalate"
        ? probeObject("Roles", namespace, `${PROBE_ROLE}-escalate`, [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"] }])
        : probeObject(object, namespace, `${nameOf(object)}-new`);
    return { method: "POST", path: collection, body };
  }
  const target = `${collection}/${object === "Namespace" ? namespace : nameOf(object)}`;
  if (action === "patch") return { method: "PATCH", path: target, body: { metadata: { annotations: { "ffnodes.fitfile.net/isolation-probe": "changed" } } } };
  if (action === "delete") return { method: "DELETE", path: target };
  throw new Error(`no real request for ${action} on ${object}: the deployer is granted none`);
}
