// The scenario's customers as applied, and the SubjectAccessReviews of the RBAC matrix for them.
import { CLUSTER_NAMESPACES, RBAC_OBJECTS, RBAC_OBJECT_NAMES, RbacAction, RbacIdentity, RbacObject, RbacScope, VaultSpace, actionsOf, rbacAllowed } from "./expected";
import { ResourceAttributes, serviceAccountUser } from "./platforms";

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
  expected: boolean;
  actual?: boolean;
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

export function rbacCells(customers: Applied[]): RbacCell[] {
  const cells: RbacCell[] = [];
  const add = (identity: RbacIdentity, subject: string, user: RbacCell["user"], scopeNamespaces: [RbacScope, string[]][]) => {
    for (const [scope, namespaces] of scopeNamespaces) {
      for (const namespace of namespaces) {
        for (const object of RBAC_OBJECT_NAMES) {
          for (const action of actionsOf(object)) {
            cells.push({ identity, scope, object, action, subject, user, attributes: attributesOf(object, action, namespace), expected: rbacAllowed(identity, scope, object, action) });
          }
        }
      }
    }
  };
  const cluster = CLUSTER_NAMESPACES.map((ns): [RbacScope, string[]] => [ns, [ns]]);
  for (const c of customers) {
    const scopes: [RbacScope, string[]][] = [
      ["its own namespace", [c.namespace]],
      ["another customer's", customers.filter((o) => o !== c).map((o) => o.namespace)],
      ...cluster,
    ];
    add(`team ${c.team.level}`, `group ${c.team.group}`, { name: `${c.team.group}-member`, groups: [c.team.group, "system:authenticated"] }, scopes);
    add("pgweb's ServiceAccount", `${c.namespace}/${c.created.pgweb}`, serviceAccountUser(c.namespace, c.created.pgweb), scopes);
    add("the Vault sync ServiceAccount", `${c.namespace}/${c.created.sync}`, serviceAccountUser(c.namespace, c.created.sync), scopes);
    for (const account of c.chartAccounts) {
      add("each ServiceAccount the Vault role binds", `${c.namespace}/${account}`, serviceAccountUser(c.namespace, account), scopes);
    }
  }
  const deployer = serviceAccountUser("ffnodes", "ffnodes-deployer");
  add("the deployer", "ffnodes/ffnodes-deployer", deployer, [["every customer's", customers.map((c) => c.namespace)], ...cluster]);
  return cells;
}

