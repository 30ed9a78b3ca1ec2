import * as assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import * as fc from "fast-check";
import { stringify } from "yaml";
import { diff } from "../src/cli/diff";
import { UsageError } from "../src/cli/run";
import { EXIT_CHANGES, EXIT_INVALID_CONFIG } from "../src/errors";
import { linkPackages, planCommand } from "../src/diff/checkout";
import { FleetDiff, compareFleet, fieldChanges } from "../src/diff/compare";
import { MARKDOWN_BUDGET, renderMarkdown, renderText } from "../src/diff/render";
import { SECRET_PLACEHOLDER } from "../src/config/secrets";
import { StackPlan } from "../src/plan/engine";
import { REPO_ROOT, runCommand, tempDir } from "./helpers";

/** The project's files a plan needs: the program, its settings, the customers and stacks. */
const PROJECT_FILES = ["package.json", "tsconfig.json", "Pulumi.yaml", "src", "customers", "stacks"];

function git(root: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "user.name=ffnodes test", "-c", "user.email=test@ffnodes.invalid", ...args], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** A git repository made of the project's files, one commit, with the project's packages. */
function projectRepo(): string {
  const root = tempDir("diff-test");
  for (const entry of PROJECT_FILES) fs.cpSync(path.join(REPO_ROOT, entry), path.join(root, entry), { recursive: true });
  linkPackages(REPO_ROOT, root);
  fs.writeFileSync(path.join(root, ".gitignore"), "node_modules\n");
  git(root, "init", "--quiet", "--initial-branch=main");
  git(root, "add", "-A");
  git(root, "commit", "--quiet", "-m", "fleet");
  return root;
}

function edit(root: string, file: string, change: (text: string) => string): void {
  const full = path.join(root, file);
  const before = fs.readFileSync(full, "utf8");
  const after = change(before);
  assert.notEqual(after, before, `the edit of ${file} changed nothing`);
  fs.writeFileSync(full, after);
}

function write(root: string, file: string, text: string): void {
  fs.writeFileSync(path.join(root, file), text);
}

const byStack = (fleet: FleetDiff) => new Map(fleet.stacks.map((s) => [s.stack, s]));

async function jsonDiff(root: string, args: string[]): Promise<{ exitCode: number; fleet: FleetDiff & { base: string; head: string }; output: string }> {
  const result = await diff([...args, "--json"], root);
  return { exitCode: result.exitCode, fleet: JSON.parse(result.output) as FleetDiff & { base: string; head: string }, output: result.output };
}

describe("npm run diff", function () {
  this.timeout(120_000);
  const roots: string[] = [];
  const repo = () => {
    const root = projectRepo();
    roots.push(root);
    return root;
  };
  after(() => {
    for (const root of roots) fs.rmSync(root, { recursive: true, force: true });
  });

  afterEach(() => {
    // Every temporary worktree is removed, whatever the outcome.
    for (const root of roots) assert.equal(git(root, "worktree", "list", "--porcelain").match(/^worktree /gm)?.length, 1, `a worktree of ${root} was left behind`);
  });

  it("no change: exit 0, every stack counted as unchanged", async () => {
    const root = repo();
    for (const file of fs.readdirSync(path.join(root, "stacks")).filter((f) => f !== "Pulumi.ff-c-prod.yaml")) fs.rmSync(path.join(root, "stacks", file));
    git(root, "commit", "--quiet", "-am", "one stack");
    const { exitCode, fleet } = await jsonDiff(root, ["--base", "main"]);
    assert.equal(exitCode, 0);
    assert.deepEqual(fleet.stacks, []);
    assert.equal(fleet.unchanged, 1);
  });

  it("a default changed and a Vault policy widened in the code: every stack lists the field and flags the policy", async () => {
    const root = repo();
    edit(root, "customers/_defaults.yaml", (t) => t.replace("    pods: 100\n", "    pods: 120\n"));
    edit(root, "src/components/vault.ts", (t) => t.replace('{ path: globs.data, capabilities: ["read", "list"] }', '{ path: globs.data, capabilities: ["read", "list", "update"] }'));
    const result = await diff(["--base", "main"], root);
    assert.equal(result.exitCode, EXIT_CHANGES);
    const stacks = fs.readdirSync(path.join(root, "stacks")).map((f) => f.slice("Pulumi.".length, -".yaml".length));
    for (const stack of stacks) {
      const block = result.output.split("\n\n").find((b) => b.startsWith(`${stack}: `));
      assert.ok(block, `${stack} is not listed:\n${result.output}`);
      assert.match(block, /^ {2}! Vault policy vault-policy-app-read changes$/m);
      assert.match(block, /~ kubernetes:core\/v1:ResourceQuota quota\n\s+spec\.hard\.pods: "100" → "120"/);
      assert.match(block, /- {3}capabilities = \["read", "list"\]\n\s+\+ {3}capabilities = \["read", "update", "list"\]/);
      assert.doesNotMatch(block, /^\s+[+-] [a-z]+:/m, "neither change adds or removes resources");
    }
    assert.match(result.output, new RegExp(`^ffnodes diff: base main \\([0-9a-f]{7}\\) → head working tree: ${stacks.length} stack\\(s\\) changed, 0 added, 0 removed, 0 unchanged`));
  });

  it("one commit against another: a customer's change reaches its stacks and the peers whose Helm values list it; shrunk and renamed claims, new and removed stacks, secrets", async () => {
    const root = repo();
    // The base has kch-prod's token set, as `pulumi config set --secret` writes it.
    edit(root, "stacks/Pulumi.kch-prod.yaml", (t) => t.replace("config:\n", "config:\n  cloudflare:apiToken:\n    secure: v1:T0xEQ0lQSEVSVEVYVA==:T0xEQ0lQSEVSVEVYVGRHaHBjeUJwY3lCdWIzUWdjbVZoYkE9PQ==\n"));
    git(root, "commit", "--quiet", "-am", "kch-prod's token");
    edit(root, "customers/ff-b.yaml", (t) => t.replace("domain: app2.fitfile.net", "domain: app2-new.fitfile.net"));
    edit(root, "customers/kch.yaml", (t) => t.replace("    dbSuffix: _kch\n", "    dbSuffix: _kch\n    storage:\n      postgresql: { size: 4Gi }\n"));
    edit(root, "customers/kch.yaml", (t) => t.replace("      minio: { size: 16Gi }", "      minio: { size: 16Gi, existingClaim: kch-minio-data }"));
    edit(root, "stacks/Pulumi.kch-prod.yaml", (t) => t.replace(/secure: v1:\S+/, "secure: v1:NEWCIPHERTEXTdGhpcyBpcyBub3QgcmVhbA=="));
    write(root, "customers/ff-new.yaml", stringify({ name: "ff-new", displayName: "FF New", fitConnectCode: "FITConnect New", environments: { prod: { domain: "new.fitfile.net" } } }));
    write(root, "stacks/Pulumi.ff-new-prod.yaml", "config:\n  kubernetes:context: fitfile-prod\n");
    fs.rmSync(path.join(root, "stacks/Pulumi.demo-local.yaml"));
    git(root, "add", "-A");
    git(root, "commit", "--quiet", "-m", "change");
    write(root, "customers/ff-c.yaml", "not: [valid\n"); // the working tree is not the head here

    const { exitCode, fleet, output } = await jsonDiff(root, ["--base", "HEAD~1", "--head", "HEAD"]);
    assert.equal(exitCode, EXIT_CHANGES);
    assert.match(fleet.head, /^head HEAD \([0-9a-f]{7}\)$/);
    const stacks = byStack(fleet);
    assert.deepEqual([...stacks.keys()], ["demo-local", "ff-a-prod", "ff-b-prod", "ff-new-prod", "kch-prod", "kch-staging"]);
    assert.equal(fleet.unchanged, 1, "ff-c-prod lists ff-a only and is unchanged");

    // ff-b's domain: its own stack, and ff-a's FITConnect hosts (Helm values compared as YAML).
    const own = stacks.get("ff-b-prod")!;
    assert.ok(own.added.some((r) => r.name === "dns-app2-new.fitfile.net") && own.removed.some((r) => r.name === "dns-app2.fitfile.net"));
    const peer = stacks.get("ff-a-prod")!.changed;
    assert.deepEqual(peer.map((r) => r.name), ["gitops-applicationset"]);
    assert.deepEqual(peer[0].fields, [
      { path: "spec.generators[0].list.elements[name=ff-a-ffcloud].helmValues.appConfig.fitConnectHosts[1].fitConnectUri", old: "https://app2.fitfile.net/fitconnect", new: "https://app2-new.fitfile.net/fitconnect" },
    ]);

    const kchProd = stacks.get("kch-prod")!;
    assert.ok(kchProd.markers.some((m) => m.kind === "storage-shrunk" && m.resource === "kubernetes:core/v1:PersistentVolumeClaim claim-postgresql" && /16Gi to 4Gi/.test(m.message)));
    assert.deepEqual(kchProd.config, [{ path: "cloudflare:apiToken", old: SECRET_PLACEHOLDER, new: SECRET_PLACEHOLDER }]);

    const renamed = stacks.get("kch-staging")!;
    const claim = renamed.changed.find((r) => r.name === "claim-minio")!;
    assert.equal(claim.replace, true);
    assert.ok(claim.fields.some((f) => f.path === "metadata.name" && f.old === "pvc-kch-staging-minio" && f.new === "kch-minio-data"), JSON.stringify(claim.fields));
    assert.ok(renamed.markers.some((m) => m.kind === "data-holder-replaced" && /claim-minio \(protect, retainOnDelete, kind\) is replaced: metadata\.name/.test(m.message)));

    assert.equal(stacks.get("ff-new-prod")!.status, "added");
    assert.ok(stacks.get("ff-new-prod")!.added.length > 10);
    const removed = stacks.get("demo-local")!;
    assert.equal(removed.status, "removed");
    assert.ok(removed.markers.some((m) => m.kind === "data-holder-deleted" && /namespace/.test(m.message)));

    for (const text of [output, renderText(fleet, fleet), renderMarkdown(fleet, fleet)]) {
      assert.doesNotMatch(text, /NEWCIPHERTEXT|T0xEQ0lQSEVSVEVYV|offline-vault/, "a secret value or its ciphertext was printed");
    }
    assert.match(renderText(fleet, fleet), /~ stack settings \(secret\)\n\s+cloudflare:apiToken: "\[secret\]" → "\[secret\]"/);
  });

  it("a bad file on the head side: exit 1, the message names the side and the file, nothing is left behind", async () => {
    const root = repo();
    edit(root, "customers/ff-b.yaml", (t) => t.replace("    dbSuffix: _b\n", "    dbSuffix: _b\n    replicas: 3\n"));
    const run = await runCommand(async () => (await diff(["--base", "main"], root)).output);
    assert.equal(run.status, EXIT_INVALID_CONFIG, run.stderr);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /^ffnodes: invalid configuration on the head side \(working tree\); nothing was compared:\n {2}customers\/ff-b\.yaml: environments\.prod[^\n]*replicas/m);
    assert.doesNotMatch(run.stderr, /base side/);
    assert.equal(git(root, "worktree", "list", "--porcelain").match(/^worktree /gm)?.length, 1, "a worktree was left behind");
  });

  it("Ctrl-C while planning removes the base worktree and exits 130", async () => {
    const root = repo();
    const child = spawn(process.execPath, ["--require", "./src/cli/register-typescript.js", "src/cli/diff.ts", "--base", "main"], { cwd: root, stdio: "ignore" });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const worktrees = () => git(root, "worktree", "list", "--porcelain").match(/^worktree (.*)$/gm) ?? [];
    const deadline = Date.now() + 60_000;
    while (worktrees().length < 2) {
      assert.ok(Date.now() < deadline, "the base worktree never appeared");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const base = worktrees()[1].slice("worktree ".length);
    child.kill("SIGINT");
    assert.equal(await exited, 130);
    assert.equal(worktrees().length, 1);
    assert.equal(fs.existsSync(base), false, `${base} is left behind`);
  });

  it("usage mistakes exit 2 before anything is planned", async () => {
    const root = repo();
    for (const [args, message] of [
      [[], /--base <git-ref> is required/],
      [["--base", "main", "--json", "--markdown"], /at most one of --json and --markdown/],
      [["--base", "no-such-ref"], /--base: 'no-such-ref' is not a commit/],
      [["--base", "main", "--head", "main~5"], /--head: 'main~5' is not a commit/],
      [["--base", "main", "--stacks", "ff-a-prod,nope-prod"], /--stacks: no stack 'nope-prod' on either side/],
    ] as const) {
      await assert.rejects(diff([...args], root), (e: unknown) => e instanceof UsageError && message.test(e.message), String(args));
    }
  });
});

/** A minimal plan with the given resources. */
function plan(stack: string, resources: Partial<StackPlan["resources"][number]>[]): StackPlan {
  return {
    stack,
    customer: stack.split("-")[0],
    environment: "prod",
    outputs: {},
    resources: resources.map((r) => ({ type: "kubernetes:core/v1:ConfigMap", name: "r", depth: 0, protect: false, retainOnDelete: false, inputs: {}, ...r })),
  };
}

describe("diff: how a checkout is planned", () => {
  it("runs a plain node plan script straight from node, anything else through npm", () => {
    const root = tempDir("diff-script");
    try {
      const withScript = (plan: unknown) => {
        fs.writeFileSync(path.join(root, "package.json"), JSON.stringify({ scripts: { plan } }));
        return planCommand(root);
      };
      assert.deepEqual(withScript("node --require ./src/cli/register-typescript.js src/cli/plan.ts"), [
        process.execPath,
        ["--require", "./src/cli/register-typescript.js", "src/cli/plan.ts", "--all", "--json"],
      ]);
      const npm = ["npm", ["run", "--silent", "plan", "--", "--all", "--json"]];
      for (const script of ["ts-node src/cli/plan.ts", "node src/cli/plan.ts && rm -rf x", "node $(echo x)", "node 'a b'", 3, undefined]) {
        assert.deepEqual(withScript(script), npm, String(script));
      }
      fs.writeFileSync(path.join(root, "package.json"), "{ not json");
      assert.deepEqual(planCommand(root), npm);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("diff: comparing plans", () => {
  const json = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small" },
      fc.constantFrom("a", "b", 1, 2, true, null, SECRET_PLACEHOLDER),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom("name", "values", "x", "y"), tie("value"), { maxKeys: 3, noNullPrototype: true }),
    ),
  })).value;

  it("finds no change exactly when the values are equal, and never a path twice", () => {
    fc.assert(
      fc.property(json, json, (a, b) => {
        const changes = fieldChanges(a, b);
        assert.equal(changes.length === 0, isDeepStrictEqual(a, b));
        assert.equal(new Set(changes.map((c) => c.path)).size, changes.length);
        assert.deepEqual(fieldChanges(a, a), []);
      }),
    );
  });

  it("shows a secret as [secret] on both sides and never looks into it", () => {
    assert.deepEqual(fieldChanges({ data: SECRET_PLACEHOLDER }, { data: { password: "hunter2" } }), [{ path: "data", old: SECRET_PLACEHOLDER, new: { password: "hunter2" } }]);
    assert.deepEqual(fieldChanges({ data: SECRET_PLACEHOLDER }, { data: SECRET_PLACEHOLDER }), []);
  });

  it("compares Helm values as YAML, and text that is not a YAML mapping as text", () => {
    for (const [oldValues, newValues, expected] of [
      ["a: 1\nb: [x]\n", "b: [x]\na: 2\n", [{ path: "values.a", old: 1, new: 2 }]],
      ["a: 1\n", "a: 1\n# only a comment\n", []],
      ["a: [1\n", "a: 2\n", [{ path: "values", old: "a: [1\n", new: "a: 2\n" }]],
      ["- 1\n", "- 2\n", [{ path: "values", old: "- 1\n", new: "- 2\n" }]],
    ] as const) {
      assert.deepEqual(fieldChanges({ values: oldValues }, { values: newValues }), expected, oldValues);
    }
    assert.deepEqual(fieldChanges({ helmValues: "a: 1\n" }, { helmValues: "a: 2\n" }), [{ path: "helmValues.a", old: 1, new: 2 }]);
  });

  it("matches named list elements by name, so that an insertion changes nothing else", () => {
    const before = { elements: [{ name: "a", v: 1 }, { name: "c", v: 3 }] };
    const after = { elements: [{ name: "a", v: 1 }, { name: "b", v: 2 }, { name: "c", v: 3 }] };
    assert.deepEqual(fieldChanges(before, after), [{ path: "elements[name=b]", new: { name: "b", v: 2 } }]);
  });

  it("flags replacement only on the fields that force it, by provider", () => {
    const claim = (name: string, storage: string, storageClassName = "standard") => ({
      type: "kubernetes:core/v1:PersistentVolumeClaim",
      name: "claim",
      protect: true,
      retainOnDelete: true,
      inputs: { metadata: { name }, spec: { storageClassName, resources: { requests: { storage } } } },
    });
    const record = (inputs: object) => ({ type: "cloudflare:index/dnsRecord:DnsRecord", name: "dns-a.fitfile.net", retainOnDelete: true, inputs: { name: "a.fitfile.net", ...inputs } });
    const secret = (inputs: object) => ({ type: "kubernetes:core/v1:Secret", name: "certificate-secret", inputs: { metadata: { name: "s" }, type: "kubernetes.io/tls", ...inputs } });
    const cases: [object, object, boolean, string[]][] = [
      [claim("a", "8Gi"), claim("a", "16Gi"), false, []],
      [claim("a", "8Gi"), claim("a", "4Gi"), false, ["storage-shrunk"]],
      [claim("a", "8Gi"), claim("b", "8Gi"), true, ["data-holder-replaced"]],
      [claim("a", "8Gi"), claim("a", "8Gi", "fast"), true, ["data-holder-replaced"]],
      [{ type: "vault:index/policy:Policy", name: "p", inputs: { name: "x", policy: "a" } }, { type: "vault:index/policy:Policy", name: "p", inputs: { name: "x", policy: "b" } }, false, ["isolation-changed"]],
      [{ type: "vault:index/mount:Mount", name: "m", inputs: { path: "a", type: "kv" } }, { type: "vault:index/mount:Mount", name: "m", inputs: { path: "b", type: "kv" } }, false, []],
      [{ type: "vault:index/mount:Mount", name: "m", inputs: { path: "a", type: "kv" } }, { type: "vault:index/mount:Mount", name: "m", inputs: { path: "a", type: "kv-v2" } }, true, ["data-holder-replaced"]],
      // terraform-provider-cloudflare's dns_record: zone_id and type are RequiresReplace; a retained record replaced is flagged.
      [record({ type: "CNAME", content: "ingress.fitfile.net" }), record({ type: "A", content: "203.0.113.10" }), true, ["data-holder-replaced"]],
      [record({ zoneId: "z1" }), record({ zoneId: "z2" }), true, ["data-holder-replaced"]],
      [record({ content: "ingress.fitfile.net", proxied: true, ttl: 1 }), record({ content: "ingress-2.fitfile.net", proxied: false, ttl: 300 }), false, []],
      // pulumi-kubernetes replaces a Secret whose data changes (enableSecretMutable is not set).
      [secret({ stringData: { "tls.crt": "a" } }), secret({ stringData: { "tls.crt": "b" } }), true, []],
      [secret({ data: { a: "YQ==" } }), secret({ data: { a: "Yg==" } }), true, []],
      [secret({ metadata: { name: "s", labels: { a: "1" } } }), secret({ metadata: { name: "s", labels: { a: "2" } } }), false, []],
      // A Namespace is cluster-scoped: the provider ignores a namespace set on it.
      [{ type: "kubernetes:core/v1:Namespace", name: "ns", inputs: { metadata: { name: "a" } } }, { type: "kubernetes:core/v1:Namespace", name: "ns", inputs: { metadata: { name: "a", namespace: "b" } } }, false, []],
    ];
    for (const [before, after, replace, markers] of cases) {
      const fleet = compareFleet({ plans: [plan("s-prod", [before])], secrets: {} }, { plans: [plan("s-prod", [after])], secrets: {} });
      assert.equal(fleet.stacks[0].changed[0].replace, replace, JSON.stringify(after));
      assert.deepEqual(fleet.stacks[0].markers.map((m) => m.kind), markers, JSON.stringify(after));
    }
  });

  it("flags adopt mode starting and stopping", () => {
    const adopted = plan("s-prod", [{ name: "ns", import: "ns" }]);
    const created = plan("s-prod", [{ name: "ns" }]);
    const kinds = (a: StackPlan, b: StackPlan) => compareFleet({ plans: [a], secrets: {} }, { plans: [b], secrets: {} }).stacks[0].markers.map((m) => m.kind);
    assert.deepEqual(kinds(created, adopted), ["adopt-started"]);
    assert.deepEqual(kinds(adopted, created), ["adopt-stopped"]);
  });

  it("a changed, added or removed secret setting shows as changed, as [secret]", () => {
    const side = (secrets: Record<string, string>) => ({ plans: [plan("s-prod", [])], secrets: { "s-prod": secrets } });
    const fleet = compareFleet(side({ "cloudflare:apiToken": "fingerprint-1", "ffnodes:gone": "f" }), side({ "cloudflare:apiToken": "fingerprint-2", "ffnodes:new": "f" }));
    assert.deepEqual(fleet.stacks[0].config, [
      { path: "cloudflare:apiToken", old: SECRET_PLACEHOLDER, new: SECRET_PLACEHOLDER },
      { path: "ffnodes:gone", old: SECRET_PLACEHOLDER },
      { path: "ffnodes:new", new: SECRET_PLACEHOLDER },
    ]);
    assert.doesNotMatch(renderText(fleet, { base: "b", head: "h" }), /fingerprint/);
  });

  it("markdown: a summary table, a collapsed section per stack, values that cannot break out of their fence, within the budget", () => {
    const hostile = "```\n</details><script>x</script>";
    const stacks = Array.from({ length: 300 }, (_, i) => `c${i}-prod`);
    const fleet = compareFleet(
      { plans: stacks.map((s) => plan(s, [{ inputs: { data: "x".repeat(400) } }])), secrets: {} },
      { plans: stacks.map((s) => plan(s, [{ inputs: { data: hostile } }])), secrets: {} },
    );
    const markdown = renderMarkdown(fleet, { base: "base main", head: "head working tree" });
    assert.ok(markdown.length <= MARKDOWN_BUDGET, `${markdown.length} characters`);
    assert.match(markdown, /^\| stack \| change \| must not miss \|$/m);
    assert.match(markdown, /^\| c0-prod \| 0 added, 0 removed, 1 changed \|/m);
    const sections = markdown.match(/<details>/g)?.length ?? 0;
    assert.ok(sections > 0 && sections < stacks.length);
    assert.match(markdown, new RegExp(`${stacks.length - sections} stack section\\(s\\) left out`));
    assert.equal(markdown.match(/^<\/details>$/gm)?.length, sections, "a value closed a section early");
    assert.match(markdown, /^````diff$/m, "the fence is longer than the backticks inside");
  });
});
