// Tenant isolation as the platforms themselves enforce it. Three customers applied for real (A and
// B each on its own Vault mount, C on the shared mount with a prefix that looks like A's path),
// then every cell of the matrix declared in isolation/expected.ts is asked of the platform that
// enforces it: the API server's authorizer (SubjectAccessReview), Vault (real logins with
// TokenRequest tokens, and requests with their tokens), and the NetworkPolicy conformance tool's
// engine over the live NetworkPolicies (evaluation: this control plane runs no network plugin).
// Every answer that differs from the declared verdict fails the scenario; the matrix is printed.
import { strict as assert } from "node:assert";
import { environment } from "./hooks";
import { Deployer, DeployerCustomer, grantDecommission, leastPrivilegedDeployer } from "./deployer";
import { vaultApi } from "./harness";
import { kubeGet, kubeList, kubectl } from "../../e2e/kubectl";
import { Workdir } from "../../e2e/workdir";
import { Environment } from "../../e2e/env";
import { PGWEB } from "../../src/config/tenancy";
import { runPool } from "../../src/rollout/pool";
import {
  API_SERVER_CIDR,
  CLUSTER_NAMESPACES,
  DEPLOYER_PROBES,
  Decider,
  FLOWS,
  LOGINS_EXPECTED,
  LoginAttempt,
  PEERS,
  Peer,
  RBAC_OBJECT_NAMES,
  RbacIdentity,
  RbacObject,
  RbacScope,
  VAULT_IDENTITIES,
  VAULT_PROBES,
  VaultIdentity,
  VaultProbeContext,
  actionsOf,
  lookAlikePaths,
} from "./isolation/expected";
import { Applied, DEPLOYER, Key, RbacCell, TeamLevel, needsRealRequest, PROBED_OBJECTS, probeObject, rbacCells, realRequest, teamCells } from "./isolation/cells";
import { EnginePeer, KubeApi, evaluateFlows, resignedToken, serviceAccountUser, vaultAllows, vaultLogin } from "./isolation/platforms";
import { cellText, deciderVerdict, deployerTable, expectedCell, flowTable, loginTable, rbacTable, vaultTable, verdict } from "./isolation/table";

/** The scenario's customers; A's prefix-like path is C's shared-mount prefix. */
const CUSTOMERS: { key: Key; name: string; vault: DeployerCustomer; settings: string }[] = [
  { key: "A", name: "iso-a", vault: "iso-a", settings: `network: { apiServer: { cidrs: [${API_SERVER_CIDR}] } }\n` },
  { key: "B", name: "iso-b", vault: "iso-b", settings: "" },
  { key: "C", name: "iso-c", vault: { namespace: "iso-c", mount: "secret", prefix: "iso-a/" }, settings: "vault: { mount: shared, path: iso-a }\n" },
];
/** Each customer's team level in each round: every customer has every level once (A admin, B edit, C view first). */
const LEVELS: TeamLevel[] = ["admin", "edit", "view"];
const levelOf = (index: number, round: number) => LEVELS[(index + round) % LEVELS.length];

const customerFile = (c: (typeof CUSTOMERS)[number], team: TeamLevel) => `name: ${c.name}
displayName: Isolation ${c.key}
fitConnectCode: FITConnect Isolation ${c.key}
dns: { enabled: false }
storage:
  minio: { size: 1Gi }
  postgresql: { size: 1Gi }
addons: [pgweb]
team: { group: ${c.name}-team, clusterRole: ${team} }
${c.settings}environments:
  prod:
    domain: ${c.name}.fitfile.net
    extraHosts: [${c.name}-pgweb.fitfile.net]
`;

/** A Vault request of the matrix: one customer's identity, one request of a probe. */
interface VaultCell {
  customer: Key;
  identity: VaultIdentity;
  probe: string;
  request: string;
  expected: boolean;
  actual: boolean;
}

interface LoginCell {
  customer: Key;
  attempt: LoginAttempt;
  detail: string;
  expected: boolean;
  actual: boolean;
}

const mismatches = <T extends { expected: boolean; actual?: boolean }>(cells: T[]) => cells.filter((c) => c.actual !== c.expected);

describe("tenant isolation, asked of the API server, Vault and a NetworkPolicy engine: customers iso-a, iso-b (own mounts) and iso-c (shared mount, prefix iso-a)", () => {
  let workdir: Workdir;
  let deployer: Deployer | undefined;
  let api: KubeApi;
  let env: Environment;
  const applied: Applied[] = [];

  /** Applies every customer with its team at its level of the round, as the README's deployer, side by side. */
  const upAll = (round: number) => {
    CUSTOMERS.forEach((c, i) => workdir.write(`customers/${c.name}.yaml`, customerFile(c, levelOf(i, round))));
    return Promise.all(CUSTOMERS.map((c) => workdir.pulumiAsync(["up", "--yes", "--skip-preview", "-s", `${c.name}-prod`])));
  };

  /**
   * Asks each cell of the API server: a SubjectAccessReview, then, for a write that RBAC lets the
   * deployer through, the real request as the deployer (server-side dry run), which admission
   * answers too. Returns the cells that differ from the declared verdicts, each said in a line.
   */
  const ask = async (cells: RbacCell[]): Promise<string[]> => {
    await runPool(cells, 16, async (cell) => {
      cell.reviewed = await api.allowed(cell.user, cell.attributes);
    });
    await runPool(cells, 8, async (cell) => {
      if (!needsRealRequest(cell)) {
        cell.actual = cell.reviewed;
        cell.decidedBy = cell.reviewed ? undefined : "RBAC";
        return;
      }
      const answer = await api.asUser(cell.user, realRequest(cell));
      cell.actual = answer.allowed;
      cell.decidedBy = answer.decidedBy;
    });
    const where = (c: RbacCell) => `${c.subject} ${c.action} ${c.object} in ${c.attributes.namespace ?? "the cluster"}`;
    const said = (allowed: boolean, decidedBy?: Decider) => (allowed ? "allowed" : `refused by ${decidedBy}`);
    return cells.flatMap((c) => {
      const decider = c.expected ? undefined : c.granted ? "admission" : "RBAC";
      const wrong: string[] = [];
      if (c.reviewed !== c.granted) wrong.push(`${where(c)}: RBAC expected to ${c.granted ? "allow" : "refuse"}, the SubjectAccessReview says ${verdict(c.reviewed === true)}`);
      if (c.actual !== c.expected || c.decidedBy !== decider) wrong.push(`${where(c)}: expected ${said(c.expected, decider)}, the API server: ${said(c.actual === true, c.decidedBy)}`);
      return wrong;
    });
  };

  before(async function () {
    this.timeout(20 * 60 * 1000);
    env = environment();
    // The README's deployer, RBAC and admission policy as written; every `pulumi up` of the
    // scenario runs as it. Decommission's rights are bound in each customer's namespace below.
    deployer = await leastPrivilegedDeployer(
      env,
      CUSTOMERS.map((c) => c.vault),
    );
    workdir = new Workdir(deployer.env);
    for (const c of CUSTOMERS) {
      workdir.write(`stacks/Pulumi.${c.name}-prod.yaml`, workdir.read("stacks/Pulumi.e2e-prod.yaml"));
      workdir.ensureStack(`${c.name}-prod`);
    }
    await upAll(0);
    for (const [i, c] of CUSTOMERS.entries()) {
      const { namespace, vault } = workdir.outputs(`${c.name}-prod`);
      const created = kubeList(env, "serviceaccounts", namespace)
        .filter((sa) => sa.metadata.labels?.["app.kubernetes.io/managed-by"] === "ffnodes")
        .map((sa) => sa.metadata.name);
      const sync = kubeGet(env, "vaultauths.secrets.hashicorp.com", "vault-auth", namespace)?.spec?.kubernetes as { serviceAccount: string } | undefined;
      assert.ok(sync, `${namespace} has no VaultAuth`);
      assert.deepEqual(created.sort(), [PGWEB, sync.serviceAccount].sort(), `the ServiceAccounts ffnodes creates in ${namespace} are pgweb's and the sync account, which the matrix covers`);
      const chartAccounts = vault.serviceAccounts.filter((sa) => !created.includes(sa));
      assert.equal(chartAccounts.length, 5, `the role binds the five services' accounts besides: ${vault.serviceAccounts.join(", ")}`);
      applied.push({
        key: c.key,
        namespace,
        team: { group: `${c.name}-team`, level: levelOf(i, 0) },
        vault,
        space: { path: vault.path, mount: vault.mount, prefix: vault.mount === vault.path ? "" : `${vault.path}/`, role: vault.role, appReadPolicy: vault.policies.appRead },
        created: { pgweb: PGWEB, sync: sync.serviceAccount },
        chartAccounts,
      });
      // The services' accounts, as ArgoCD's charts create them, so that they can log in.
      const accounts = chartAccounts.map((name) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } }));
      kubectl(env, ["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: accounts }));
      grantDecommission(env, namespace);
    }
    api = new KubeApi(env);
  });

  after(() => {
    api?.close();
    workdir?.remove();
    deployer?.remove();
  });

  const customer = (key: Key) => {
    const c = applied.find((a) => a.key === key);
    assert.ok(c, `customer ${key} was applied`);
    return c;
  };

  it("Kubernetes RBAC: every identity of every customer, and the deployer, against every object of every namespace (SubjectAccessReview; the deployer's writes as real requests, which admission answers)", async function () {
    this.timeout(10 * 60 * 1000);
    const cells = rbacCells(applied);
    // 3 customers x 8 identities x 6 namespaces (its own, 2 others', 3 of the cluster), and the deployer x 6, each x 57 actions
    assert.equal(cells.length, (3 * 8 * 6 + 6) * RBAC_OBJECT_NAMES.reduce((n, o) => n + actionsOf(o).length, 0));
    // Objects of each kind the deployer may change or delete, in every namespace it is asked about, for its real requests.
    const probes = [...applied.map((c) => c.namespace), ...CLUSTER_NAMESPACES].flatMap((namespace) => PROBED_OBJECTS.map((object) => probeObject(object, namespace)));
    const probeList = JSON.stringify({ apiVersion: "v1", kind: "List", items: probes });
    kubectl(env, ["create", "-f", "-"], probeList);
    let wrong: string[];
    try {
      wrong = await ask(cells);
    } finally {
      kubectl(env, ["delete", "--ignore-not-found", "--wait=false", "-f", "-"], probeList);
    }
    const answered = (identity: RbacIdentity, scope: RbacScope, object: RbacObject) => cells.filter((c) => c.identity === identity && c.scope === scope && c.object === object);
    const actionsWhere = (mine: RbacCell[], test: (c: RbacCell) => boolean) => actionsOf(mine[0].object).filter((action) => mine.some((c) => c.action === action && test(c)));
    console.log(
      rbacTable((identity, scope, object) => {
        const mine = answered(identity, scope, object);
        const expected = expectedCell(identity, scope, object);
        const actual = cellText(
          actionsWhere(mine, (c) => c.actual === true),
          actionsWhere(mine, (c) => c.actual === false && c.decidedBy === "admission"),
        );
        return actual === expected && !mine.some((c) => c.reviewed !== c.granted) ? expected : `**expected ${expected}, actual ${actual}**`;
      }).join("\n"),
    );
    const real = cells.filter(needsRealRequest);
    console.log(
      `${cells.length} SubjectAccessReviews, ${cells.filter((c) => c.reviewed).length} allowed; ${real.length} real requests as the deployer, ` +
        `${real.filter((c) => c.decidedBy === "admission").length} refused by admission; ${wrong.length} differ from the declared verdict`,
    );
    assert.deepEqual(wrong, []);
    // Not a vacuous pass: the authorizer allowed what the table allows, and admission both admitted and refused the deployer.
    assert.ok(cells.some((c) => c.actual && c.identity === "team admin") && real.some((c) => c.actual) && real.some((c) => c.decidedBy === "admission"));
  });

  it("the deployer's namespaces and bindings: a real request each, as the deployer (server-side dry run), answered by admission or RBAC", async function () {
    this.timeout(2 * 60 * 1000);
    const user = serviceAccountUser(DEPLOYER.namespace, DEPLOYER.name);
    const answers: { what: string; request: string; expected: "allowed" | Decider; actual: "allowed" | Decider; message: string }[] = [];
    for (const c of applied) {
      const context = { customer: c.namespace, teamGroup: c.team.group, teamRole: `ffnodes-team-${c.team.level}` };
      for (const probe of DEPLOYER_PROBES) {
        for (const request of probe.requests(context)) {
          const answer = await api.asUser(user, request);
          answers.push({ what: probe.what, request: `${request.method} ${request.path}`, expected: probe.expected, actual: answer.allowed ? "allowed" : (answer.decidedBy ?? "RBAC"), message: answer.message });
        }
      }
    }
    const wrong = answers.filter((a) => a.actual !== a.expected);
    console.log(deployerTable((what, expected) => (wrong.some((a) => a.what === what) ? `**expected ${deciderVerdict(expected)}, differs**` : deciderVerdict(expected))).join("\n"));
    assert.equal(answers.length, 3 * DEPLOYER_PROBES.reduce((n, p) => n + p.requests({ customer: "x", teamGroup: "x", teamRole: "x" }).length, 0));
    assert.deepEqual(wrong.map((a) => `${a.request}: expected ${deciderVerdict(a.expected)}, the API server: ${deciderVerdict(a.actual)} ${a.message}`), []);
  });

  it("Vault logins: each bound ServiceAccount logs in at its role's audience; other namespaces, unbound accounts, other audiences, expired tokens and other customers' roles are refused", async function () {
    this.timeout(5 * 60 * 1000);
    const cells: LoginCell[] = [];
    const attempt = async (c: Applied, which: LoginAttempt, detail: string, role: string, jwt: string) => {
      const token = await vaultLogin(env, c.vault.authMount, role, jwt);
      cells.push({ customer: c.key, attempt: which, detail, expected: LOGINS_EXPECTED[which], actual: token !== undefined });
    };
    for (const c of applied) {
      const { namespace, vault } = c;
      for (const account of vault.serviceAccounts) {
        await attempt(c, "each ServiceAccount the role binds, at the role's audience", `${namespace}/${account}`, vault.role, await api.token(namespace, account, vault.audience));
      }
      const account = c.chartAccounts[0];
      const own = await api.token(namespace, account, vault.audience);
      const now = Math.floor(Date.now() / 1000);
      await attempt(c, "a token re-signed by the control plane's key, not expired", `${namespace}/${account}, expiring in 10 minutes`, vault.role, resignedToken(own, now + 600));
      await attempt(c, "a bound ServiceAccount's expired token", `${namespace}/${account}, expired an hour ago`, vault.role, resignedToken(own, now - 3600));
      await attempt(c, "a ServiceAccount of its namespace that the role does not bind", `${namespace}/default`, vault.role, await api.token(namespace, "default", vault.audience));
      await attempt(c, "a bound ServiceAccount's token for another audience", `${namespace}/${account} for audience vault`, vault.role, await api.token(namespace, account, "vault"));
      for (const other of applied.filter((o) => o !== c)) {
        await attempt(c, "the same-named ServiceAccount of another customer's namespace", `${other.namespace}/${account} at role ${vault.role}`, vault.role, await api.token(other.namespace, account, other.vault.audience));
        await attempt(c, "a bound ServiceAccount's token at another customer's role", `${namespace}/${account} at role ${other.vault.role}`, other.vault.role, own);
      }
    }
    const wrong = mismatches(cells);
    console.log(loginTable((which, allowed) => (wrong.some((c) => c.attempt === which) ? `**expected ${verdict(allowed)}, differs**` : verdict(allowed))).join("\n"));
    assert.equal(cells.length, 3 * (7 + 4 + 2 * 2));
    assert.deepEqual(wrong.map((c) => `${c.detail}: expected ${verdict(c.expected)}, Vault says ${verdict(c.actual)}`), []);
  });

  it("Vault requests: a login's token reads and lists only its own space; the operator policy's writes there too; neither reaches another customer, a look-alike prefix, sys/ or the mount's config", async function () {
    this.timeout(5 * 60 * 1000);
    const shared = customer("C").vault.mount;
    // Secrets where a look-alike prefix would reach, so that each refusal is of something that exists.
    for (const c of applied) {
      const context: VaultProbeContext = { own: c.space, others: applied.filter((o) => o !== c).map((o) => o.space), sharedMount: shared, authMount: c.vault.authMount };
      for (const lookAlike of lookAlikePaths(context)) {
        if (applied.some((o) => lookAlike === `${o.space.mount}/data/${o.space.prefix}app`)) continue;
        await vaultApi(env, "POST", lookAlike, { data: { planted: "look-alike" } });
      }
    }
    const cells: VaultCell[] = [];
    for (const c of applied) {
      const context: VaultProbeContext = { own: c.space, others: applied.filter((o) => o !== c).map((o) => o.space), sharedMount: shared, authMount: c.vault.authMount };
      const login = await vaultLogin(env, c.vault.authMount, c.vault.role, await api.token(c.namespace, c.chartAccounts[0], c.vault.audience));
      assert.ok(login, `${c.namespace}/${c.chartAccounts[0]} logs in`);
      const operator = (await vaultApi(env, "POST", "auth/token/create", { policies: [c.vault.policies.operator], ttl: "10m" })) as { auth: { client_token: string } };
      const tokens: Record<VaultIdentity, string> = { "a bound ServiceAccount's login": login, "the operator policy": operator.auth.client_token };
      for (const identity of VAULT_IDENTITIES) {
        for (const probe of VAULT_PROBES) {
          for (const request of probe.requests(context)) {
            const actual = await vaultAllows(env, tokens[identity], request);
            cells.push({ customer: c.key, identity, probe: probe.what, request: `${request.method} ${request.path}`, expected: probe.allowed[identity], actual });
          }
        }
      }
    }
    const wrong = mismatches(cells);
    console.log(vaultTable((probe, identity, allowed) => (wrong.some((c) => c.probe === probe && c.identity === identity) ? `**expected ${verdict(allowed)}, differs**` : verdict(allowed))).join("\n"));
    console.log(`${cells.length} Vault requests, ${wrong.length} differ from the declared verdict`);
    assert.ok(cells.length > 3 * 2 * VAULT_PROBES.length);
    assert.deepEqual(wrong.map((c) => `${c.customer} ${c.identity}: ${c.request}: expected ${verdict(c.expected)}, Vault says ${verdict(c.actual)}`), []);
  });

  it("NetworkPolicies: the flows of the table, evaluated by the conformance tool's engine over the live policies (evaluation, not enforcement)", async function () {
    this.timeout(2 * 60 * 1000);
    const policies = (JSON.parse(kubectl(env, ["get", "networkpolicies", "--all-namespaces", "-o", "json"])) as { items: { metadata: { namespace: string } }[] }).items;
    for (const c of applied) assert.ok(policies.filter((p) => p.metadata.namespace === c.namespace).length >= 5, `${c.namespace}'s policies are live`);
    const namespaceLabels = Object.fromEntries(
      (JSON.parse(kubectl(env, ["get", "namespaces", "-o", "json"])) as { items: { metadata: { name: string; labels?: Record<string, string> } }[] }).items.map((n) => [
        n.metadata.name,
        n.metadata.labels ?? {},
      ]),
    );
    const peer = (name: Peer): EnginePeer => {
      const p = PEERS[name];
      const namespace = "customer" in p ? customer(p.customer).namespace : "namespace" in p ? p.namespace : undefined;
      if (namespace === undefined) return { ip: p.ip };
      assert.ok(namespaceLabels[namespace], `namespace ${namespace} exists`);
      return { namespace, namespaceLabels: namespaceLabels[namespace], podLabels: { "app.kubernetes.io/name": "isolation-probe" }, ip: p.ip };
    };
    const verdicts = await evaluateFlows(
      env,
      policies,
      FLOWS.map((f) => ({ from: peer(f.from), to: peer(f.to), port: f.port, protocol: f.protocol })),
    );
    const wrong = FLOWS.map((f, i) => ({ f, v: verdicts[i] })).filter(({ f, v }) => v.allowed !== f.allowed);
    console.log(
      flowTable((i, allowed) => {
        const v = verdicts[i];
        return v.allowed === allowed ? verdict(allowed) : `**expected ${verdict(allowed)}, engine: ${verdict(v.allowed)} (ingress ${verdict(v.ingress)}, egress ${verdict(v.egress)})**`;
      }).join("\n"),
    );
    assert.deepEqual(
      wrong.map(({ f, v }) => `${f.from} → ${f.to} ${f.port}/${f.protocol}: expected ${verdict(f.allowed)}, engine: ingress ${verdict(v.ingress)}, egress ${verdict(v.egress)}`),
      [],
    );
  });
  it("each team level for every customer: the teams changed by `pulumi up` as the deployer, asked again (SubjectAccessReview)", async function () {
    this.timeout(10 * 60 * 1000);
    const seen = new Set<string>(applied.map((c) => `${c.key} ${c.team.level}`));
    const wrong: string[] = [];
    let asked = 0;
    for (const round of [1, 2]) {
      await upAll(round);
      applied.forEach((c, i) => (c.team.level = levelOf(i, round)));
      for (const c of applied) {
        assert.ok(kubeGet(env, "roles.rbac.authorization.k8s.io", `ffnodes-team-${c.team.level}`, c.namespace), `${c.namespace}'s team Role is now ${c.team.level}'s`);
        seen.add(`${c.key} ${c.team.level}`);
      }
      const cells = teamCells(applied);
      asked += cells.length;
      wrong.push(...(await ask(cells)));
      console.log(`round ${round}: ${applied.map((c) => `${c.key} ${c.team.level}`).join(", ")}: ${cells.length} SubjectAccessReviews, ${cells.filter((c) => c.actual).length} allowed`);
    }
    assert.equal(seen.size, applied.length * LEVELS.length, "every customer had every level");
    assert.equal(asked, 2 * 3 * 6 * RBAC_OBJECT_NAMES.reduce((n, o) => n + actionsOf(o).length, 0));
    assert.deepEqual(wrong, []);
  });
});
