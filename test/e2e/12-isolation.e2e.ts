// Tenant isolation as the platforms themselves enforce it. Three customers applied for real (A and
// B each on its own Vault mount, C on the shared mount with a prefix that looks like A's path),
// then every cell of the matrix declared in isolation/expected.ts is asked of the platform that
// enforces it: the API server's authorizer (SubjectAccessReview), Vault (real logins with
// TokenRequest tokens, and requests with their tokens), and the NetworkPolicy conformance tool's
// engine over the live NetworkPolicies (evaluation: this control plane runs no network plugin).
// Every answer that differs from the declared verdict fails the scenario; the matrix is printed.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { environment } from "./hooks";
import { Deployer, leastPrivilegedDeployer } from "./deployer";
import { vaultApi } from "./harness";
import { kubeGet, kubeList, kubectl } from "../../e2e/kubectl";
import { Workdir } from "../../e2e/workdir";
import { Environment } from "../../e2e/env";
import { PGWEB } from "../../src/config/tenancy";
import { runPool } from "../../src/rollout/pool";
import {
  API_SERVER_CIDR,
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
import { Applied, Key, TeamLevel, rbacCells } from "./isolation/cells";
import { EnginePeer, KubeApi, evaluateFlows, resignedToken, vaultAllows, vaultLogin } from "./isolation/platforms";
import { actionsText, expectedActions, flowTable, loginTable, rbacTable, vaultTable, verdict } from "./isolation/table";

/** The scenario's customers; A's prefix-like path is C's shared-mount prefix. */
const CUSTOMERS: { key: Key; name: string; team: TeamLevel; settings: string }[] = [
  { key: "A", name: "iso-a", team: "admin", settings: `network: { apiServer: { cidrs: [${API_SERVER_CIDR}] } }\n` },
  { key: "B", name: "iso-b", team: "edit", settings: "" },
  { key: "C", name: "iso-c", team: "view", settings: "vault: { mount: shared, path: iso-a }\n" },
];

const customerFile = (c: (typeof CUSTOMERS)[number]) => `name: ${c.name}
displayName: Isolation ${c.key}
fitConnectCode: FITConnect Isolation ${c.key}
dns: { enabled: false }
storage:
  minio: { size: 1Gi }
  postgresql: { size: 1Gi }
addons: [pgweb]
team: { group: ${c.name}-team, clusterRole: ${c.team} }
${c.settings}environments:
  prod:
    domain: ${c.name}.fitfile.net
    extraHosts: [${c.name}-pgweb.fitfile.net]
`;

/** Runs `pulumi` in the project without blocking, so that the three customers apply side by side. */
function pulumiAsync(workdir: Workdir, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("pulumi", [...args, "--non-interactive"], { cwd: workdir.dir, env: { ...process.env, ...workdir.env.vars }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", reject);
    child.on("close", (status) => (status === 0 ? resolve() : reject(new Error(`pulumi ${args.join(" ")} exited ${status}:\n${output}`))));
  });
}

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

  before(async function () {
    this.timeout(20 * 60 * 1000);
    env = environment();
    workdir = new Workdir(env);
    for (const c of CUSTOMERS) {
      workdir.write(`customers/${c.name}.yaml`, customerFile(c));
      workdir.write(`stacks/Pulumi.${c.name}-prod.yaml`, workdir.read("stacks/Pulumi.e2e-prod.yaml"));
      workdir.ensureStack(`${c.name}-prod`);
    }
    await Promise.all(CUSTOMERS.map((c) => pulumiAsync(workdir, ["up", "--yes", "--skip-preview", "-s", `${c.name}-prod`])));
    for (const c of CUSTOMERS) {
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
        team: { group: `${c.name}-team`, level: c.team },
        vault,
        space: { path: vault.path, mount: vault.mount, prefix: vault.mount === vault.path ? "" : `${vault.path}/`, role: vault.role, appReadPolicy: vault.policies.appRead },
        created: { pgweb: PGWEB, sync: sync.serviceAccount },
        chartAccounts,
      });
      // The services' accounts, as ArgoCD's charts create them, so that they can log in.
      const accounts = chartAccounts.map((name) => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } }));
      kubectl(env, ["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: accounts }));
    }
    // The README's deployer RBAC, applied as written (its Vault token is not used here).
    deployer = await leastPrivilegedDeployer(env, applied.map((c) => c.namespace));
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

  it("Kubernetes RBAC: every identity of every customer, and the deployer, against every object of every namespace (SubjectAccessReview)", async function () {
    this.timeout(10 * 60 * 1000);
    const cells = rbacCells(applied);
    // 3 customers x 8 identities x 6 namespaces (its own, 2 others', 3 of the cluster), and the deployer x 6, each x 57 actions
    assert.equal(cells.length, (3 * 8 * 6 + 6) * RBAC_OBJECT_NAMES.reduce((n, o) => n + actionsOf(o).length, 0));
    await runPool(cells, 16, async (cell) => {
      cell.actual = await api.allowed(cell.user, cell.attributes);
    });
    const wrong = mismatches(cells);
    const actualActions = (identity: RbacIdentity, scope: RbacScope, object: RbacObject) =>
      actionsOf(object).filter((action) => cells.some((c) => c.identity === identity && c.scope === scope && c.object === object && c.action === action && c.actual));
    console.log(
      rbacTable((identity, scope, object) => {
        const expected = actionsText(expectedActions(identity, scope, object));
        const off = wrong.some((c) => c.identity === identity && c.scope === scope && c.object === object);
        return off ? `**expected ${expected}, actual ${actionsText(actualActions(identity, scope, object))}**` : expected;
      }).join("\n"),
    );
    console.log(`${cells.length} SubjectAccessReviews, ${cells.filter((c) => c.actual).length} allowed, ${wrong.length} differ from the declared verdict`);
    assert.deepEqual(
      wrong.map((c) => `${c.subject} ${c.action} ${c.object} in ${c.attributes.namespace ?? "the cluster"}: expected ${verdict(c.expected)}, the API server says ${verdict(c.actual === true)}`),
      [],
    );
    // Not a vacuous pass: the authorizer allowed what the table allows.
    assert.ok(cells.some((c) => c.actual && c.identity === "team admin") && cells.some((c) => c.actual && c.identity === "the deployer"));
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
});
