import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { rollout } from "../src/cli/rollout";
import { POLICY_PACK_DIR } from "../src/rollout/automation";
import { REPO_ROOT, fixtureRoot, tempDir } from "./helpers";

interface Call {
  argv: string[];
  startedAt: number;
  endedAt: number;
}

const silent = { write: () => true };

describe("rollout through the Automation API (stand-in pulumi on PATH)", function () {
  this.timeout(30_000);
  const saved = { PATH: process.env.PATH, log: process.env.FAKE_PULUMI_LOG, lock: process.env.FAKE_PULUMI_LOCK_ONCE, stacks: process.env.FAKE_PULUMI_STACKS };
  let calls: Call[];
  let root: string;
  let result: { output: string; exitCode: number };

  before(async () => {
    const bin = tempDir("pulumi");
    const script = path.join(REPO_ROOT, "test/fixtures/pulumi-stand-in");
    fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\nexec "${process.execPath}" "${script}" "$@"\n`, { mode: 0o755 });
    const log = path.join(bin, "calls.jsonl");
    process.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ""}`;
    process.env.FAKE_PULUMI_LOG = log;
    process.env.FAKE_PULUMI_LOCK_ONCE = path.join(bin, "locked-once");
    // kch-prod is not in the backend.
    process.env.FAKE_PULUMI_STACKS = "demo-local,ff-a-prod,ff-b-prod,ff-c-prod,kch-staging";

    root = fixtureRoot({ "Pulumi.yaml": fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8") }, { withRepoCustomers: true });
    // Each stack's token set, as `pulumi config set --secret` writes it; ff-c-prod's is a placeholder.
    for (const stack of ["ff-a-prod", "ff-b-prod", "ff-c-prod", "kch-prod", "kch-staging"]) {
      const secure = stack === "ff-c-prod" ? "placeholder-set-with-pulumi-config-set-secret" : "v1:bm9uY2Vub25jZQ==:Y2lwaGVydGV4dA==";
      const file = path.join(root, "stacks", `Pulumi.${stack}.yaml`);
      fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("config:\n", `config:\n  cloudflare:apiToken:\n    secure: ${secure}\n`));
    }
    stackFiles = snapshot(root);
    result = await rollout(["--stacks", "ff-a-prod,ff-b-prod,kch-staging", "--parallel", "3", "--report-dir", "out"], root, {
      progress: silent,
      signal: new AbortController().signal,
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 10 },
    });
    calls = fs
      .readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Call);
  });

  after(() => {
    process.env.PATH = saved.PATH;
    for (const [key, value] of [["FAKE_PULUMI_LOG", saved.log], ["FAKE_PULUMI_LOCK_ONCE", saved.lock], ["FAKE_PULUMI_STACKS", saved.stacks]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  let stackFiles: Record<string, string>;
  const snapshot = (dir: string) => Object.fromEntries(fs.readdirSync(path.join(dir, "stacks")).map((f) => [f, fs.readFileSync(path.join(dir, "stacks", f), "utf8")]));
  const named = (command: string) => calls.filter((c) => c.argv[0] === command);
  const stackOf = (c: Call) => c.argv[c.argv.indexOf("--stack") + 1];

  it("succeeds and reports the previewed changes", () => {
    assert.equal(result.exitCode, 0, result.output);
    const report = JSON.parse(fs.readFileSync(path.join(root, "out/rollout-report.json"), "utf8"));
    assert.deepEqual(
      report.stacks.map((s: { stack: string; result: string; changes: unknown }) => [s.stack, s.result, s.changes]),
      [
        ["kch-staging", "updated", { create: 2 }],
        ["ff-a-prod", "updated", { create: 2 }],
        ["ff-b-prod", "updated", { create: 2 }],
      ],
    );
  });

  it("runs pulumi install once, before any stack", () => {
    assert.equal(named("install").length, 1);
    const firstStackCall = calls.findIndex((c) => c.argv.includes("--stack"));
    assert.ok(calls.findIndex((c) => c.argv[0] === "install") < firstStackCall);
  });

  it("creates no stack, selects none (the current stack stays the person's), and writes no stack file", () => {
    // Only commands that read: the backend's stacks, and an update's outputs and history.
    assert.deepEqual(calls.filter((c) => c.argv[0] === "stack" && !["ls", "output", "history"].includes(c.argv[1])).map((c) => c.argv.join(" ")), []);
    assert.equal(calls.filter((c) => c.argv[0] === "stack" && c.argv[1] === "ls").length, 1, "the backend's stacks are listed once");
    const operations = calls.filter((c) => ["preview", "up"].includes(c.argv[0]));
    assert.ok(operations.length > 0);
    for (const c of operations) {
      const configFile = c.argv[c.argv.indexOf("--config-file") + 1];
      assert.ok(c.argv.includes("--config-file") && path.basename(configFile) === `Pulumi.${stackOf(c)}.yaml`, c.argv.join(" "));
      assert.ok(path.relative(root, configFile).startsWith(".."), `${configFile} is inside the project`);
      assert.ok(!fs.existsSync(configFile), `${configFile} was left behind`);
    }
    // The stand-in wrote a salt into every stack file it was given, as Pulumi does into a file that has none.
    assert.deepEqual(snapshot(root), stackFiles);
  });

  it("--preview-only: a stack the backend does not have, and one whose token is a placeholder, are reported once each; the others are previewed", async () => {
    const before = fs.readFileSync(process.env.FAKE_PULUMI_LOG ?? "", "utf8").trim().split("\n").length;
    const preview = await rollout(["--preview-only", "--stacks", "ff-b-prod,ff-c-prod,kch-prod", "--report-dir", "missing"], root, { progress: silent, signal: new AbortController().signal });
    assert.equal(preview.exitCode, 4, preview.output);
    const log = fs.readFileSync(process.env.FAKE_PULUMI_LOG ?? "", "utf8").trim().split("\n").slice(before).map((l) => JSON.parse(l) as Call);
    assert.deepEqual(log.filter((c) => c.argv[0] === "preview").map(stackOf), ["ff-b-prod"]);
    assert.deepEqual(log.filter((c) => c.argv[0] === "stack" && c.argv[1] !== "ls").map((c) => c.argv.join(" ")), []);
    const report = JSON.parse(fs.readFileSync(path.join(root, "missing/rollout-report.json"), "utf8")) as { stacks: { stack: string; result: string; error?: string }[] };
    assert.deepEqual(
      report.stacks.map((s) => [s.stack, s.result, s.error]),
      [
        ["ff-b-prod", "previewed", undefined],
        ["ff-c-prod", "secrets not set", "invalid configuration, 1 problem(s); nothing was changed:\n  stacks/Pulumi.ff-c-prod.yaml: config.cloudflare:apiToken: a placeholder, not an encrypted secret: set it with `pulumi config set --secret cloudflare:apiToken <value> -s ff-c-prod`"],
        ["kch-prod", "not initialized", "not initialized: `pulumi stack init kch-prod`"],
      ],
    );
    const markdown = fs.readFileSync(path.join(root, "missing/rollout-report.md"), "utf8");
    assert.equal(markdown.split("config.cloudflare:apiToken").length - 1, 1, markdown);
    assert.match(preview.output, /^kch-prod: not initialized: `pulumi stack init kch-prod`$/m);
    assert.deepEqual(snapshot(root), stackFiles);
  });

  it("previews every stack by name with the tenant policy pack, non-interactively", () => {
    const previews = named("preview");
    assert.deepEqual(previews.map(stackOf).sort(), ["ff-a-prod", "ff-b-prod", "kch-staging"]);
    for (const p of previews) {
      assert.equal(p.argv[p.argv.indexOf("--policy-pack") + 1], POLICY_PACK_DIR);
      assert.ok(p.argv.includes("--non-interactive"));
      assert.ok(p.argv.includes("--event-log"));
    }
    assert.ok(fs.existsSync(path.join(POLICY_PACK_DIR, "PulumiPolicy.yaml")));
  });

  it("updates staging first, then the canary, then the rest, with the policy pack, retrying a lock", () => {
    const ups = named("up");
    // The first update met a lock and was tried again.
    assert.equal(ups.length, 4);
    assert.deepEqual(ups.map(stackOf), ["kch-staging", "kch-staging", "ff-a-prod", "ff-b-prod"]);
    for (const u of ups) {
      assert.ok(u.argv.includes("--yes") && u.argv.includes("--skip-preview"));
      assert.equal(u.argv[u.argv.indexOf("--policy-pack") + 1], POLICY_PACK_DIR);
    }
    const lastPreviewEnd = Math.max(...named("preview").map((p) => p.endedAt));
    assert.ok(ups[0].startedAt >= lastPreviewEnd, "an update started before every preview had finished");
    assert.ok(ups[2].startedAt >= ups[1].endedAt && ups[3].startedAt >= ups[2].endedAt, "waves overlapped");
  });

  it("checks drift with a refresh preview and exits 3 when a stack drifted", async () => {
    const before = fs.readFileSync(process.env.FAKE_PULUMI_LOG ?? "", "utf8").trim().split("\n").length;
    const drift = await rollout(["--drift", "--stacks", "ff-b-prod", "--report-dir", "drift"], root, { progress: silent, signal: new AbortController().signal });
    assert.equal(drift.exitCode, 3);
    assert.match(drift.output, /ff-b-prod\s+canary\s+update 1\s+drifted/);
    const log = fs.readFileSync(process.env.FAKE_PULUMI_LOG ?? "", "utf8").trim().split("\n").slice(before).map((l) => JSON.parse(l) as Call);
    const refresh = log.filter((c) => c.argv[0] === "refresh");
    assert.equal(refresh.length, 1);
    assert.ok(refresh[0].argv.includes("--preview-only"));
    assert.equal(stackOf(refresh[0]), "ff-b-prod");
    assert.equal(log.filter((c) => c.argv[0] === "up" || c.argv[0] === "preview").length, 0);
  });

  it("installs no plugins where automatic plugin acquisition is off: the providers are on PATH", async () => {
    const before = fs.readFileSync(process.env.FAKE_PULUMI_LOG ?? "", "utf8").trim().split("\n").length;
    process.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION = "true";
    try {
      const preview = await rollout(["--preview-only", "--stacks", "ff-b-prod", "--report-dir", "own-plugins"], root, { progress: silent, signal: new AbortController().signal });
      assert.equal(preview.exitCode, 0, preview.output);
    } finally {
      delete process.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION;
    }
    const log = fs.readFileSync(process.env.FAKE_PULUMI_LOG ?? "", "utf8").trim().split("\n").slice(before).map((l) => JSON.parse(l) as Call);
    assert.deepEqual(log.filter((c) => c.argv[0] === "install"), []);
    assert.equal(log.filter((c) => c.argv[0] === "preview").length, 1);
  });
});
