import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { fleetStacks } from "../src/config/files";
import { KINDS, KindFacts, KindType, confiningResources, describeLive, kindOf } from "../src/kinds";
import { StackPlan, planStack } from "../src/plan/engine";
import { compareFleet } from "../src/diff/compare";
import { renderText } from "../src/diff/render";
import { teamRules } from "../src/components/namespace";
import { violations } from "../src/policy/rules";
import { REPO_ROOT, customerFixture, fixtureRoot } from "./helpers";

const E2E_FIXTURES = path.join(REPO_ROOT, "test", "e2e", "fixtures");

/** A customer that turns on every option that declares a kind of its own: a team, Origin CA certificates, a published pgweb, a secret sync. */
const EVERY_OPTION = customerFixture(
  "every",
  [
    "domain: every.fitfile.net",
    "extraHosts: [every-pgweb.fitfile.net]",
    "dns: { advancedCertificateManager: true }",
    "certificates: { mode: origin-ca }",
    "team: { group: every-team, clusterRole: admin }",
    "addons: [pgweb]",
    "pgweb: { publish: true, host: every-pgweb.fitfile.net, allowedSourceRanges: [203.0.113.0/24], externalAuthUrl: 'https://auth.fitfile.net/oauth2/auth' }",
  ].join("\n"),
);

/** Every plan the project makes: the example stacks, the e2e suite's stacks, and a customer with every option on. */
async function everyPlan(): Promise<StackPlan[]> {
  const e2eRoot = fixtureRoot({});
  fs.cpSync(E2E_FIXTURES, e2eRoot, { recursive: true });
  const optionsRoot = fixtureRoot(EVERY_OPTION);
  const plans: StackPlan[] = [];
  for (const root of [REPO_ROOT, e2eRoot, optionsRoot]) {
    const stacks = fleetStacks(root);
    assert.ok(stacks.length > 0, `no stacks under ${root}`);
    for (const stack of stacks) plans.push(await planStack(root, stack));
  }
  return plans;
}

const facts = Object.entries(KINDS) as [KindType, KindFacts][];

describe("the registry of resource kinds (src/kinds.ts)", function () {
  this.timeout(120_000);
  let declared: Map<string, string[]>;
  before(async () => {
    declared = new Map();
    for (const plan of await everyPlan()) {
      for (const r of plan.resources) declared.set(r.type, [...(declared.get(r.type) ?? []), plan.stack]);
    }
  });

  it("holds every type any plan declares: the example stacks, the e2e stacks, every option", () => {
    assert.ok(declared.size >= 30, `only ${declared.size} types planned`);
    const missing = [...declared].filter(([type]) => !kindOf(type)).map(([type, stacks]) => `${type} (${stacks[0]})`);
    assert.deepEqual(missing, []);
  });

  it("holds nothing that no plan declares", () => {
    assert.deepEqual(
      facts.map(([type]) => type).filter((type) => !declared.has(type)),
      [],
    );
  });

  it("knows no type it was not given, not even an inherited property's name", () => {
    for (const type of ["kubernetes:core/v1:ConfigMap", "constructor", "toString", "__proto__", ""]) assert.equal(kindOf(type), undefined, type);
  });

  it("every data holder has fields that replace it, so that losing it to a replacement is flagged; every Kubernetes kind replaces on its name and namespace", () => {
    for (const [type, kind] of facts) {
      if (type.startsWith("kubernetes:")) assert.deepEqual(kind.replaceOn.slice(0, 2), ["metadata.name", "metadata.namespace"], type);
      if (kind.holdsData) assert.ok(kind.replaceOn.length > 0, type);
    }
  });

  it("the team's Role reads the kinds that confine the namespace and writes none of them", () => {
    const confining = confiningResources().flatMap((r) => r.resources);
    assert.deepEqual(confining.sort(), ["limitranges", "networkpolicies", "resourcequotas"]);
    for (const level of ["view", "edit", "admin"] as const) {
      const rules = teamRules(level);
      for (const resource of confining) {
        const verbs = rules.filter((r) => r.resources.includes(resource)).flatMap((r) => r.verbs);
        assert.deepEqual(verbs.sort(), ["get", "list", "watch"], `${level}: ${resource}`);
      }
    }
  });

  it("describes a live resource by its kind and live name, else its logical name", () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["kubernetes:core/v1:PersistentVolumeClaim", { metadata: { name: "pvc-a-minio", namespace: "a" } }, "PersistentVolumeClaim a/pvc-a-minio"],
      ["kubernetes:core/v1:Namespace", { metadata: { name: "a" } }, "Namespace a"],
      ["kubernetes:core/v1:Namespace", {}, "Namespace logical"],
      ["vault:index/mount:Mount", { path: "a-application" }, "Vault mount a-application"],
      ["vault:kv/secretV2:SecretV2", { path: "a-application/data/app" }, "Vault secret a-application/data/app"],
      ["vault:index/policy:Policy", { name: "a-app-read" }, "Vault policy a-app-read"],
      ["vault:kubernetes/authBackendRole:AuthBackendRole", { roleName: "a" }, "Vault auth role a"],
      ["cloudflare:index/dnsRecord:DnsRecord", { name: "a.fitfile.net", type: "CNAME" }, "DNS record a.fitfile.net (CNAME)"],
      ["random:index/randomPassword:RandomPassword", { result: "x" }, "RandomPassword logical"],
      ["kubernetes:core/v1:ConfigMap", { metadata: { name: "c" } }, "ConfigMap logical"],
    ];
    for (const [type, outputs, expected] of cases) assert.equal(describeLive(type, outputs, "logical"), expected);
  });
});

describe("the team's Role in the fleet diff and the policy pack", () => {
  const ROLE: KindType = "kubernetes:rbac.authorization.k8s.io/v1:Role";
  const role = (rules: unknown) => ({ type: ROLE, name: "team-role", depth: 2, protect: false, retainOnDelete: false, inputs: { metadata: { name: "ffnodes-team-admin", namespace: "a" }, rules } });
  const planOf = (resource: ReturnType<typeof role>): StackPlan => ({ stack: "a-prod", customer: "a", environment: "prod", outputs: {}, resources: [resource] });

  it("a Role that lets the team delete the NetworkPolicies is flagged `!` in the diff and refused by the pack", () => {
    const before = role(teamRules("admin"));
    const widened = [...teamRules("admin"), { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["delete"] }];
    const after = role(widened);
    const fleet = compareFleet({ plans: [planOf(before)], secrets: {} }, { plans: [planOf(after)], secrets: {} });
    assert.deepEqual(
      fleet.stacks[0].markers.map((m) => m.message),
      ["Role team-role changes"],
    );
    assert.match(renderText(fleet, { base: "main", head: "HEAD" }), /^ {2}! Role team-role changes$/m);
    const tenant = { stack: "a-prod", namespace: "a", kv: { mount: "a-application", prefix: "" }, argocdNamespace: "argocd", selectableNamespaces: [], optIns: { privilegedPods: false, unrestrictedEgress: false }, deployer: { namespace: "ffnodes", serviceAccount: "ffnodes-deployer" } };
    assert.deepEqual(violations({ type: ROLE, name: "team-role", props: after.inputs, protect: false }, tenant), ["team-access-confined: a rule lets the team change networkpolicies, the namespace's isolation"]);
    assert.deepEqual(violations({ type: ROLE, name: "team-role", props: before.inputs, protect: false }, tenant), []);
  });

  it("every kind of the boundary is flagged when it changes, is added or is deleted; no other kind is", () => {
    for (const [type, kind] of facts) {
      const resource = (value: string) => ({ type, name: "r", depth: 1, protect: false, retainOnDelete: false, inputs: { metadata: { name: "r", namespace: "a" }, value } });
      const plan = (resources: ReturnType<typeof resource>[]): StackPlan => ({ stack: "a-prod", customer: "a", environment: "prod", outputs: {}, resources });
      const flagged = (a: StackPlan, b: StackPlan) =>
        compareFleet({ plans: [a], secrets: {} }, { plans: [b], secrets: {} }).stacks[0].markers.filter((m) => m.kind === "isolation-changed").map((m) => m.message);
      const expected = (what: string) => (kind.isolation ? [`${kind.label} r ${what}`] : []);
      assert.deepEqual(flagged(plan([resource("1")]), plan([resource("2")])), expected("changes"), type);
      assert.deepEqual(flagged(plan([]), plan([resource("1")])), expected("is added"), type);
      assert.deepEqual(flagged(plan([resource("1")]), plan([])), expected("is deleted"), type);
    }
    assert.ok(facts.some(([, k]) => k.isolation) && facts.some(([, k]) => !k.isolation));
  });
});
