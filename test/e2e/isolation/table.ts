// The isolation matrix as markdown tables, from the declared guarantee (expected.ts): what the
// README shows, and, with the platforms' answers beside it, what the e2e scenario prints.
import {
  ARGOCD_EXPECTED,
  ArgoCdAttempt,
  DEPLOYER_PROBES,
  Decider,
  FLOWS,
  LOGINS_EXPECTED,
  LoginAttempt,
  PEERS,
  RBAC_EXPECTED,
  RBAC_OBJECT_NAMES,
  RbacAction,
  RbacIdentity,
  RbacObject,
  RbacScope,
  VAULT_IDENTITIES,
  VAULT_PROBES,
  actionsOf,
  rbacAllowed,
  rbacGranted,
} from "./expected";

const ABBREVIATIONS: Record<RbacAction, string> = {
  get: "g",
  list: "l",
  create: "c",
  update: "u",
  patch: "p",
  delete: "d",
  exec: "exec",
  bind: "bind",
  escalate: "escalate",
};

/** The actions of a cell as the table writes them: `g l c u p d`, or `—` for none. */
export function actionsText(actions: RbacAction[]): string {
  return actions.length === 0 ? "—" : actions.map((a) => ABBREVIATIONS[a]).join(" ");
}

export function expectedActions(identity: RbacIdentity, scope: RbacScope, object: RbacObject): RbacAction[] {
  return actionsOf(object).filter((action) => rbacAllowed(identity, scope, object, action));
}

/** The actions RBAC lets through that admission refuses. */
export function expectedAdmissionRefusals(identity: RbacIdentity, scope: RbacScope, object: RbacObject): RbacAction[] {
  return actionsOf(object).filter((action) => rbacGranted(identity, scope, object, action) && !rbacAllowed(identity, scope, object, action));
}

/** A cell as the table writes it: the allowed actions, then those RBAC lets through and admission refuses. */
export function cellText(allowed: RbacAction[], refusedByAdmission: RbacAction[]): string {
  return refusedByAdmission.length === 0 ? actionsText(allowed) : `${actionsText(allowed)}; admission refuses ${actionsText(refusedByAdmission)}`;
}

export function expectedCell(identity: RbacIdentity, scope: RbacScope, object: RbacObject): string {
  return cellText(expectedActions(identity, scope, object), expectedAdmissionRefusals(identity, scope, object));
}

export const deciderVerdict = (expected: "allowed" | Decider) => (expected === "allowed" ? "allowed" : `refused by ${expected}`);

export function deployerTable(cell: (what: string, expected: "allowed" | Decider) => string): string[] {
  return [...header(["request of the deployer", "verdict"]), ...DEPLOYER_PROBES.map((probe) => row([probe.what, cell(probe.what, probe.expected)]))];
}

const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
const header = (cells: string[]) => [row(cells), row(cells.map(() => "---"))];
export const verdict = (allowed: boolean) => (allowed ? "allowed" : "refused");

/** Every (identity, scope) row of the RBAC table, in the declared order. */
export function rbacRows(): [RbacIdentity, RbacScope][] {
  return (Object.keys(RBAC_EXPECTED) as RbacIdentity[]).flatMap((identity) =>
    (Object.keys(RBAC_EXPECTED[identity]) as RbacScope[]).map((scope): [RbacIdentity, RbacScope] => [identity, scope]),
  );
}

/** The RBAC table; `cell` writes one identity's rights on one object in one scope. */
export function rbacTable(cell: (identity: RbacIdentity, scope: RbacScope, object: RbacObject) => string): string[] {
  return [
    ...header(["identity", "namespace", ...RBAC_OBJECT_NAMES]),
    ...rbacRows().map(([identity, scope]) => row([identity, scope, ...RBAC_OBJECT_NAMES.map((object) => cell(identity, scope, object))])),
  ];
}

export function vaultTable(cell: (probe: string, identity: (typeof VAULT_IDENTITIES)[number], allowed: boolean) => string): string[] {
  return [
    ...header(["request, with a token of", ...VAULT_IDENTITIES]),
    ...VAULT_PROBES.map((probe) => row([probe.what, ...VAULT_IDENTITIES.map((identity) => cell(probe.what, identity, probe.allowed[identity]))])),
  ];
}

export function loginTable(cell: (attempt: LoginAttempt, allowed: boolean) => string): string[] {
  return [
    ...header(["login through a customer's role", "verdict"]),
    ...(Object.entries(LOGINS_EXPECTED) as [LoginAttempt, boolean][]).map(([attempt, allowed]) => row([attempt, cell(attempt, allowed)])),
  ];
}

export function argoCdTable(cell: (attempt: ArgoCdAttempt, allowed: boolean) => string): string[] {
  return [
    ...header(["a customer's Application deploys into or creates", "verdict"]),
    ...(Object.entries(ARGOCD_EXPECTED) as [ArgoCdAttempt, boolean][]).map(([attempt, allowed]) => row([attempt, cell(attempt, allowed)])),
  ];
}

export function flowTable(cell: (index: number, allowed: boolean) => string): string[] {
  return [
    ...header(["from", "to", "port", "verdict", "why"]),
    ...FLOWS.map((f, i) => row([f.from, f.to, `${f.port}/${f.protocol}`, cell(i, f.allowed), f.note ?? ""])),
  ];
}

/** The README's tables: the declared verdicts. */
export function readmeTables(): string {
  return [
    "Kubernetes RBAC (`g l c u p d`: get, list, create, update, patch, delete; `exec`: create on",
    "pods/exec; `bind`, `escalate` on Roles; `—`: nothing). What a cell does not name, RBAC refuses",
    "(the SubjectAccessReview); after `admission refuses`, what RBAC lets through and admission",
    "refuses (a real request as the deployer: its policy `ffnodes-deployer`, or the API server's own",
    "NamespaceLifecycle for deleting kube-system):",
    "",
    ...rbacTable(expectedCell),
    "",
    "The deployer's namespaces and bindings, as admission decides them (real requests, server-side dry run):",
    "",
    ...deployerTable((_what, expected) => deciderVerdict(expected)),
    "",
    "Vault, with the token of a real login through the customer's role, or of its operator policy:",
    "",
    ...vaultTable((_probe, _identity, allowed) => verdict(allowed)),
    "",
    ...loginTable((_attempt, allowed) => verdict(allowed)),
    "",
    "Argo CD, its real controllers syncing a customer's Application in the customer's AppProject",
    "(`test/e2e/13-argocd.e2e.ts`; refused: Argo CD applies none of the chart's objects):",
    "",
    ...argoCdTable((_attempt, allowed) => verdict(allowed)),
    "",
    `NetworkPolicies (A's pods, B's and C's: ${Object.entries(PEERS)
      .filter(([, p]) => "customer" in p)
      .map(([, p]) => p.ip)
      .join(", ")}, in the cluster's pod range):`,
    "",
    ...flowTable((_index, allowed) => verdict(allowed)),
    "",
  ].join("\n");
}

export const README_BEGIN = "<!-- isolation matrix: generated by `node --require ./src/cli/register-typescript.js test/e2e/isolation/readme.ts`; do not edit -->";
export const README_END = "<!-- end of isolation matrix -->";

/** The README with its generated section replaced by `tables`; an error when the markers are missing. */
export function withTables(readme: string, tables: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error(`README.md has no generated isolation matrix between '${README_BEGIN}' and '${README_END}'`);
  return `${readme.slice(0, begin + README_BEGIN.length)}\n${tables}${readme.slice(end)}`;
}
