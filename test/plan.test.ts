import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { checkAllStacks } from "../src/config/fleet";
import { listStacks } from "../src/config/files";
import { StackPlan, planStack } from "../src/plan/engine";
import { renderTree } from "../src/plan/render";
import { plan } from "../src/cli/plan";
import { tenantOf } from "../src/policy/tenant";
import { REPO_ROOT, fixtureRoot, findResource, nonEmpty, planRepoStack, resourcesOfType, runCommand, stackFile } from "./helpers";
import { metadataOf } from "./invariants";
import { isCoreKind, validateCoreManifest } from "./k8s-schema";

describe("plan of the example stacks", () => {
  const plans: StackPlan[] = [];
  before(async () => {
    for (const stack of listStacks(REPO_ROOT)) plans.push(await planRepoStack(stack));
  });

  it("plans every example stack, including the local one", () => {
    assert.deepEqual(
      plans.map((p) => p.stack),
      ["demo-local", "ff-a-prod", "ff-b-prod", "ff-c-prod", "kch-prod", "kch-staging"],
    );
  });

  // Every resource of every stack against the tenant policy: test/policy.test.ts.
  it("outputs each stack's namespace, the one its tenant policy confines it to", () => {
    for (const plan of plans) assert.equal(plan.outputs.namespace, tenantOf(REPO_ROOT, plan.stack).namespace, plan.stack);
    assert.equal(plans.find((p) => p.stack === "kch-staging")?.outputs.namespace, "kch-staging");
  });

  it("validates every core manifest against the upstream Kubernetes schemas", () => {
    let validated = 0;
    for (const plan of plans) {
      for (const r of plan.resources.filter(isCoreKind)) {
        validateCoreManifest(r);
        validated++;
      }
    }
    assert.ok(validated > 50, `validated ${validated} manifests`);
  });

  it("isolates the namespace: Pod Security labels, default deny, DNS, same namespace, ingress controller", () => {
    const plan = plans.find((p) => p.stack === "ff-a-prod")!;
    const ns = findResource(plan, "kubernetes:core/v1:Namespace", "namespace");
    const labels = (ns.inputs.metadata as { labels: Record<string, string> }).labels;
    assert.equal(labels["pod-security.kubernetes.io/enforce"], "baseline");
    assert.equal(labels["pod-security.kubernetes.io/warn"], "restricted");
    assert.equal(labels["pod-security.kubernetes.io/audit"], "restricted");
    const policies = resourcesOfType(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => metadataOf(r.inputs).name);
    for (const name of ["default-deny", "allow-dns", "allow-same-namespace", "allow-ingress-controller"]) assert.ok(policies.includes(name), name);
    const deny = findResource(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "netpol-default-deny");
    assert.deepEqual(deny.inputs.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const quota = findResource(plan, "kubernetes:core/v1:ResourceQuota", "quota").inputs.spec as { hard: Record<string, string> };
    assert.equal(quota.hard["services.nodeports"], "0");
    assert.equal(quota.hard["requests.storage"], "256Gi");
  });

  it("names ff-a's MinIO claim as existingClaim says, imports neither claim outside adopt mode, both protected", () => {
    const plan = plans.find((p) => p.stack === "ff-a-prod")!;
    const minio = findResource(plan, "kubernetes:core/v1:PersistentVolumeClaim", "claim-minio");
    const postgres = findResource(plan, "kubernetes:core/v1:PersistentVolumeClaim", "claim-postgresql");
    assert.equal(metadataOf(minio.inputs).name, "pvc-ff-a-minio");
    assert.equal(minio.import, undefined);
    assert.ok(minio.protect && minio.retainOnDelete && postgres.protect && postgres.retainOnDelete);
    assert.equal(metadataOf(postgres.inputs).name, "pvc-ff-a-postgresql");
    assert.equal(postgres.import, undefined);
    assert.deepEqual((minio.inputs.spec as { resources: unknown }).resources, { requests: { storage: "64Gi" } });
    assert.deepEqual((postgres.inputs.spec as { resources: unknown }).resources, { requests: { storage: "8Gi" } });
  });

  it("reads as one tree under the customer component", () => {
    for (const plan of plans) {
      const roots = plan.resources.filter((r) => r.parent === undefined);
      assert.deepEqual(roots.map((r) => r.type), ["ffnodes:index:Customer"]);
      assert.match(renderTree(plan), /└─ /);
    }
  });

  it("passes the cross-customer checks", () => {
    const { problems } = checkAllStacks(REPO_ROOT, listStacks(REPO_ROOT));
    assert.deepEqual(problems, []);
  });

  it("is deterministic: two plans are byte-identical", async () => {
    const again = await planRepoStack("ff-a-prod");
    assert.equal(JSON.stringify(again), JSON.stringify(plans.find((p) => p.stack === "ff-a-prod")));
  });
});

describe("adopt mode", () => {
  it("imports the namespace and every claim by id and replaces nothing", async () => {
    const root = fixtureRoot({}, { withRepoCustomers: true });
    fs.appendFileSync(path.join(root, "stacks/Pulumi.kch-prod.yaml"), "  ffnodes:adopt: true\n  ffnodes:adoptIds: { dns-kch.fitfile.net: create }\n");
    const plan = await planStack(root, "kch-prod");
    assert.equal(findResource(plan, "kubernetes:core/v1:Namespace", "namespace").import, "kch");
    for (const claim of nonEmpty(resourcesOfType(plan, "kubernetes:core/v1:PersistentVolumeClaim"), "claim")) {
      assert.equal(claim.import, `kch/${metadataOf(claim.inputs).name}`);
      assert.ok(claim.protect && claim.retainOnDelete);
    }
  });
});

describe("cross-customer checks", () => {
  const customer = (name: string, prod: Record<string, unknown>) =>
    stringify({ name, displayName: name, fitConnectCode: `FITConnect ${name}`, environments: { prod } });
  const table: { what: string; a: Record<string, unknown>; b: Record<string, unknown>; path: string }[] = [
    { what: "host", a: { domain: "one.fitfile.net" }, b: { domain: "one.fitfile.net" }, path: "environments.prod.domain" },
    { what: "host", a: { domain: "one.fitfile.net", extraHosts: ["x.fitfile.net"] }, b: { domain: "two.fitfile.net", extraHosts: ["x.fitfile.net"] }, path: "environments.prod.extraHosts.0" },
    { what: "namespace", a: { domain: "one.fitfile.net", namespace: "shared" }, b: { domain: "two.fitfile.net", namespace: "shared" }, path: "environments.prod.namespace" },
    { what: "Vault path", a: { domain: "one.fitfile.net", vault: { path: "kv-shared" } }, b: { domain: "two.fitfile.net", vault: { path: "kv-shared" } }, path: "environments.prod.vault.path" },
    { what: "dbSuffix", a: { domain: "one.fitfile.net", dbSuffix: "_x" }, b: { domain: "two.fitfile.net", dbSuffix: "_x" }, path: "environments.prod.dbSuffix" },
  ];
  for (const row of table) {
    it(`rejects two customers sharing a ${row.what}`, () => {
      const root = fixtureRoot({
        "customers/alpha.yaml": customer("alpha", row.a),
        "customers/beta.yaml": customer("beta", row.b),
        "stacks/Pulumi.alpha-prod.yaml": stackFile(),
        "stacks/Pulumi.beta-prod.yaml": stackFile(),
      });
      const { problems } = checkAllStacks(root, listStacks(root));
      // A shared namespace also shares what derives from it (Vault path, dbSuffix): each is reported.
      const problem = problems.find((p) => p.path === row.path);
      assert.ok(problem, JSON.stringify(problems));
      assert.equal(problem.file, "customers/beta.yaml");
      assert.match(problem.message, new RegExp(`${row.what} .* already used by stack alpha-prod`));
      assert.ok(problems.every((p) => p.file === "customers/beta.yaml"));
    });
  }

  it("rejects an own Vault mount named like another customer's shared mount", () => {
    const root = fixtureRoot({
      "customers/alpha.yaml": customer("alpha", { domain: "one.fitfile.net", vault: { mount: "shared", sharedMount: "kv-fleet" } }),
      "customers/beta.yaml": customer("beta", { domain: "two.fitfile.net", vault: { path: "kv-fleet" } }),
      "stacks/Pulumi.alpha-prod.yaml": stackFile(),
      "stacks/Pulumi.beta-prod.yaml": stackFile(),
    });
    const { problems } = checkAllStacks(root, listStacks(root));
    assert.deepEqual(
      problems.map((p) => [p.file, p.path]),
      [["customers/beta.yaml", "environments.prod.vault.path"]],
    );
    assert.match(problems[0].message, /shared mount of stack alpha-prod/);
  });
});

describe("plan (the command)", () => {
  const run = (args: string[], cwd = REPO_ROOT) => runCommand(() => plan(args, cwd));

  it("prints the JSON document of the contract", async () => {
    const result = await run(["--stack", "ff-a-prod", "--json"]);
    assert.equal(result.status, 0, result.stderr);
    const doc = JSON.parse(result.stdout) as StackPlan;
    assert.deepEqual(Object.keys(doc).sort(), ["customer", "environment", "outputs", "resources", "stack"]);
    for (const r of nonEmpty(doc.resources, "resource")) {
      for (const key of ["type", "name", "protect", "retainOnDelete", "inputs"]) assert.ok(key in r, `${r.name} lacks ${key}`);
    }
  });

  /** Runs plan with what it writes to stderr (the progress of --all) captured. */
  const runCapturingStderr = async (args: string[]) => {
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string | Uint8Array) => written.push(String(chunk)) > 0;
    try {
      return { ...(await run(args)), progress: written.join("") };
    } finally {
      process.stderr.write = write;
    }
  };
  const SUMMARY = [
    "Planned 6 stacks, 225 resources. Fleet checks passed:",
    "  - no two stacks share a namespace, host, Vault path, dbSuffix, database name or application name",
    "  - no two customers share a fitConnectCode",
    "  - no host is under another stack's wildcard",
    "  - no own Vault mount has a shared mount's name",
    "  - no stack takes a name a retired stack's tombstone reserves",
    "  - no stack names another's claims or DNS records",
  ];

  it("--all closes with a summary: the stacks and resources planned, and the fleet checks that passed", async () => {
    const result = await runCapturingStderr(["--all"]);
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.split("\n");
    assert.deepEqual(lines.slice(-SUMMARY.length), SUMMARY);
    assert.equal(lines[lines.length - SUMMARY.length - 1], "", "a blank line sets the summary apart from the last stack's outputs");
  });

  it("--all --json prints the plans alone on stdout, and the summary after the progress on stderr", async () => {
    const result = await runCapturingStderr(["--all", "--json"]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual((JSON.parse(result.stdout) as StackPlan[]).map((p) => p.stack), ["demo-local", "ff-a-prod", "ff-b-prod", "ff-c-prod", "kch-prod", "kch-staging"]);
    assert.match(result.progress, /^planned demo-local \(1\/6\): \d+ resources\n/);
    assert.ok(result.progress.endsWith(`planned kch-staging (6/6): 36 resources\n${SUMMARY.join("\n")}\n`), result.progress);
  });

  it("prints the outputs readably: the YAML of the outputs, the Vault agent's templates a line each, no line as long as a template", async () => {
    const result = await run(["--stack", "ff-a-prod"]);
    const planned = await planRepoStack("ff-a-prod");
    const lines = result.stdout.split("\n");
    const outputs = lines.slice(lines.indexOf("Outputs:") + 1).map((line) => line.slice(2)).join("\n");
    assert.deepEqual(parse(outputs), planned.outputs, "the outputs read back as they are");
    const longest = Math.max(...lines.map((line) => line.length));
    assert.ok(longest <= 130, `a line of ${longest} characters`);
    const template = (planned.outputs.vault as { templates: Record<string, string> }).templates["postgresql.json"];
    assert.ok(template.split("\n").length >= 4);
    for (const line of template.split("\n")) assert.ok(lines.some((l) => l.endsWith(line) && l.trim() === line.trim()), `template line ${line}`);
  });

  it("exits non-zero with one line per problem naming file and key path", async () => {
    const root = fixtureRoot({
      "customers/acme.yaml": stringify({ name: "acme", displayName: "Acme", fitConnectCode: "F", environments: { prod: { domain: "BAD", quota: { pods: -1 } } } }),
      "stacks/Pulumi.acme-prod.yaml": stackFile(),
    });
    const result = await run(["--stack", "acme-prod"], root);
    assert.equal(result.status, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /customers\/acme\.yaml: environments\.prod\.domain: /);
    assert.match(result.stderr, /customers\/acme\.yaml: environments\.prod\.quota\.pods: /);
  });

  for (const args of [["--bogus"], [], ["--stack", "ff-a-prod", "--all"], ["--stack"]]) {
    it(`rejects '${args.join(" ")}' with the usage and exit code 2`, async () => {
      const result = await run(args);
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr, /\n\nusage: npm run plan /);
    });
  }

  it("names the stacks there are when asked for an unknown one", async () => {
    const result = await run(["--stack", "nobody-prod"]);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /stacks\/Pulumi\.nobody-prod\.yaml: no such stack; stacks are: .*ff-a-prod/);
  });

  it("--all reports a cross-customer clash and plans nothing", async () => {
    const root = fixtureRoot({}, { withRepoCustomers: true });
    fs.writeFileSync(path.join(root, "customers/copycat.yaml"), stringify({ name: "copycat", displayName: "C", fitConnectCode: "F", environments: { prod: { domain: "app.fitfile.net" } } }));
    fs.writeFileSync(path.join(root, "stacks/Pulumi.copycat-prod.yaml"), stackFile());
    const result = await run(["--all", "--json"], root);
    assert.equal(result.status, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /host 'app.fitfile.net' of stack ff-a-prod is already used by stack copycat-prod/);
  });
});
