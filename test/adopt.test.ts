import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { adoptableKeys } from "../src/config/adopt";
import { ConfigError, Problem, formatProblem } from "../src/config/problems";
import { resolveEnvironment } from "../src/config/resolve";
import { readStackLayer } from "../src/config/stack-file";
import { PlannedResource, StackPlan, planStack } from "../src/plan/engine";
import { fixtureRoot } from "./helpers";

/** What a live customer already has, and so what adopt mode must import rather than create. */
const STATEFUL = [
  "kubernetes:core/v1:Namespace",
  "kubernetes:core/v1:PersistentVolumeClaim",
  "vault:index/mount:Mount",
  "vault:index/policy:Policy",
  "vault:kubernetes/authBackendRole:AuthBackendRole",
  "vault:kv/secretV2:SecretV2",
  "cloudflare:index/dnsRecord:DnsRecord",
  "kubernetes:cert-manager.io/v1:Certificate",
  "kubernetes:argoproj.io/v1alpha1:ApplicationSet",
];

/** What holds data: never replaced or deleted by the program, adopted or not. */
const HOLDS_DATA = ["kubernetes:core/v1:Namespace", "kubernetes:core/v1:PersistentVolumeClaim", "vault:index/mount:Mount", "vault:kv/secretV2:SecretV2"];

const ZONE = "0123456789abcdef0123456789abcdef";
const recordId = (i: number) => `${ZONE}/${String(i).padStart(32, "0")}`;

/** Plans a repository stack with `ffnodes:adopt: true` and a live record id for each of its hosts. */
async function planAdopted(stack: string): Promise<StackPlan> {
  const root = fixtureRoot({}, { withRepoCustomers: true });
  const config = resolveEnvironment(root, stack, readStackLayer(root, stack));
  const ids = config.hosts.map((host, i) => `    dns-${host}: ${recordId(i)}`).join("\n");
  fs.appendFileSync(path.join(root, `stacks/Pulumi.${stack}.yaml`), `  ffnodes:adopt: true\n  ffnodes:adoptIds:\n${ids}\n`);
  return planStack(root, stack);
}

const ofTypes = (plan: StackPlan, types: string[]): PlannedResource[] => plan.resources.filter((r) => types.includes(r.type));

describe("adopting a live customer (ffnodes:adopt)", () => {
  for (const stack of ["ff-a-prod", "kch-prod", "kch-staging"]) {
    it(`${stack}: every stateful resource is imported by its live id`, async () => {
      const plan = await planAdopted(stack);
      const stateful = ofTypes(plan, STATEFUL);
      assert.deepEqual([...new Set(stateful.map((r) => r.type))].sort(), [...STATEFUL].sort(), "every stateful kind is present");
      for (const r of stateful) assert.ok(r.import, `${r.type} ${r.name} has no import id`);
      const namespace = String(plan.outputs.namespace);
      assert.equal(ofTypes(plan, ["kubernetes:core/v1:Namespace"])[0].import, namespace);
      assert.equal(ofTypes(plan, ["kubernetes:argoproj.io/v1alpha1:ApplicationSet"])[0].import, `argocd/${namespace}`);
      for (const claim of ofTypes(plan, ["kubernetes:core/v1:PersistentVolumeClaim"])) {
        assert.equal(claim.import, `${namespace}/${(claim.inputs.metadata as { name: string }).name}`);
      }
    });

    it(`${stack}: nothing that holds data can be replaced or deleted`, async () => {
      const plan = await planAdopted(stack);
      for (const r of ofTypes(plan, HOLDS_DATA)) {
        assert.ok(r.protect, `${r.type} ${r.name} must be protected: a replace or delete fails instead of losing data`);
        assert.ok(r.retainOnDelete, `${r.type} ${r.name} must be retained on delete`);
      }
      const credentials = ofTypes(plan, ["vault:kv/secretV2:SecretV2"])[0];
      assert.deepEqual(credentials.ignoreChanges, ["dataJson", "disableRead", "options"], "adopted credentials keep their live values");
      for (const record of ofTypes(plan, ["cloudflare:index/dnsRecord:DnsRecord"])) assert.ok(record.retainOnDelete);
    });
  }

  for (const stack of ["ff-a-prod", "kch-prod", "kch-staging"]) {
    it(`${stack}: every Kubernetes object adopt mode imports takes over the fields it declares, adopt mode or not`, async () => {
      // Helm and ArgoCD created these objects; server-side apply refuses to change their fields
      // without a forced apply (verified under the real engine by test/e2e/04-adopt.e2e.ts).
      const adopted = (await planAdopted(stack)).resources.filter((r) => r.import && r.type.startsWith("kubernetes:"));
      const plain = await planStack(fixtureRoot({}, { withRepoCustomers: true }), stack);
      assert.ok(adopted.length >= 3);
      for (const r of adopted) {
        for (const plan of [r, plain.resources.find((p) => p.type === r.type && p.name === r.name)]) {
          const annotations = (plan?.inputs.metadata as { annotations?: Record<string, string> }).annotations;
          assert.equal(annotations?.["pulumi.com/patchForce"], "true", `${r.type} ${r.name}`);
        }
      }
    });
  }

  it("leaves adopt mode off by default: nothing is imported, not even a claim named by existingClaim", async () => {
    const root = fixtureRoot({}, { withRepoCustomers: true });
    const plan = await planStack(root, "ff-a-prod");
    assert.deepEqual(plan.resources.filter((r) => r.import).map((r) => `${r.type} ${r.name}`), []);
    const minio = ofTypes(plan, ["kubernetes:core/v1:PersistentVolumeClaim"]).find((r) => r.name === "claim-minio");
    assert.equal((minio?.inputs.metadata as { name: string }).name, "pvc-ff-a-minio", "the claim keeps the name existingClaim gives it");
  });
});

/** A stack file's `ffnodes:*` lines, as a stack file writes them. */
const stackLines = (lines: Record<string, string>) => Object.entries(lines).map(([key, value]) => `  ${key}: ${value}\n`).join("");

/** ff-a-prod as the repository has it, and with the settings that remove adoptable resources. */
const VARIANTS: { title: string; settings?: string }[] = [
  { title: "ff-a-prod" },
  { title: "ff-a-prod on the shared mount", settings: "{ vault: { mount: shared } }" },
  { title: "ff-a-prod without generated credentials", settings: "{ vault: { credentials: { databases: [] } } }" },
];

describe("adoption keys are the stateful resources' logical names (ffnodes:adoptIds)", () => {
  const roots: string[] = [];
  after(() => {
    for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
  });
  /** ff-a-prod under a fresh copy of the repository's customers, with these `ffnodes:*` lines in its stack file. */
  const withStackLines = (lines: Record<string, string>): string => {
    const root = fixtureRoot({}, { withRepoCustomers: true });
    roots.push(root);
    fs.appendFileSync(path.join(root, "stacks/Pulumi.ff-a-prod.yaml"), stackLines(lines));
    return root;
  };
  /** The logical names of what adopt mode can import in a plan: the stateful kinds, and the AppProject. */
  const adoptableNames = (plan: StackPlan): string[] =>
    ofTypes(plan, [...STATEFUL, "kubernetes:argoproj.io/v1alpha1:AppProject"])
      .map((r) => r.name)
      .sort();

  for (const variant of VARIANTS) {
    it(`${variant.title}: every key adopt mode takes names a planned resource, and every stateful resource has one`, async () => {
      const root = withStackLines(variant.settings ? { "ffnodes:settings": variant.settings } : {});
      const config = resolveEnvironment(root, "ff-a-prod", readStackLayer(root, "ff-a-prod"));
      const plan = await planStack(root, "ff-a-prod");
      assert.deepEqual([...adoptableKeys(config.settings, config.hosts)].sort(), adoptableNames(plan));
    });
  }

  // Checked without adopt mode too: a misspelt key is found before the day adopt mode is turned on.
  const MISTAKES: { title: string; key: string; settings?: string }[] = [
    { title: "a misspelt key", key: "namespce" },
    { title: "a key in the wrong case", key: "Namespace" },
    { title: "a misspelt claim", key: "claim-mino" },
    { title: "a claim the stack does not have", key: "claim-redis" },
    { title: "a Vault policy ffnodes does not write", key: "vault-policy-admin" },
    { title: "the resource's type instead of its logical name", key: "gitops-appset" },
    { title: "a host of another stack", key: "dns-app2.fitfile.net" },
    { title: "an own mount on the shared mount", key: "vault-mount", settings: "{ vault: { mount: shared } }" },
    { title: "credentials where none are generated", key: "vault-credentials", settings: "{ vault: { credentials: { databases: [] } } }" },
  ];
  for (const mistake of MISTAKES) {
    it(`refuses ${mistake.title} (${mistake.key}), naming the stack file, the key and the keys there are`, async () => {
      const settings: Record<string, string> = mistake.settings ? { "ffnodes:settings": mistake.settings } : {};
      const root = withStackLines({ ...settings, "ffnodes:adoptIds": `{ ${JSON.stringify(mistake.key)}: some-id }` });
      const expectedKeys = adoptableNames(await planStack(withStackLines(settings), "ff-a-prod"));
      let problems: Problem[] = [];
      try {
        resolveEnvironment(root, "ff-a-prod", readStackLayer(root, "ff-a-prod"));
        assert.fail("resolved a stack with an unknown adoptIds key");
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        problems = error.problems;
      }
      assert.equal(problems.length, 1, problems.map(formatProblem).join("\n"));
      const [problem] = problems;
      assert.equal(problem.file, "stacks/Pulumi.ff-a-prod.yaml");
      assert.equal(problem.path, `config.ffnodes:adoptIds.${mistake.key}`);
      const listed = /the keys are: (.*)$/.exec(problem.message)?.[1]?.split(", ");
      assert.deepEqual(listed && [...listed].sort(), expectedKeys, problem.message);
    });
  }
});
