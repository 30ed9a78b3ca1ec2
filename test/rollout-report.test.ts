import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { rollout } from "../src/cli/rollout";
import { RolloutDependencies } from "../src/rollout/run";
import { UsageError } from "../src/cli/run";
import { EXIT_DRIFT, EXIT_STACKS_FAILED } from "../src/errors";
import { ConfigError } from "../src/config/problems";
import { RolloutReport } from "../src/rollout/engine";
import { FakeRunner, FakeStack } from "../src/rollout/fake";
import { formatDuration, renderJson, renderMarkdown, renderTable } from "../src/rollout/report";
import { REPO_ROOT, fixtureRoot, tempDir } from "./helpers";

const REPORT: RolloutReport = {
  mode: "rollout",
  startedAt: "2025-01-01T00:00:00.000Z",
  durationMs: 95_000,
  parallel: 2,
  stopped: "kch-staging failed during update",
  stacks: [
    { stack: "kch-staging", environment: "staging", wave: "staging", changes: { update: 2 }, result: "failed", durationMs: 12_300, attempts: 2, error: "error: update failed | badly" },
    { stack: "ff-a-prod", environment: "prod", wave: "canary", changes: {}, result: "skipped", durationMs: 4_000, attempts: 1 },
    { stack: "ff-b-prod", environment: "prod", wave: "production", result: "skipped", durationMs: 0, attempts: 0 },
  ],
};

describe("rollout report", () => {
  it("a table with the stack, its wave, the changes previewed, the result and the duration", () => {
    assert.equal(
      renderTable(REPORT),
      [
        "ffnodes rollout: 3 stack(s), 1 failed, 2 skipped",
        "",
        "stack        wave        changes previewed  result   duration",
        "-----------  ----------  -----------------  -------  --------",
        "kch-staging  staging     update 2           failed   12.3s",
        "ff-a-prod    canary      no changes         skipped  4.0s",
        "ff-b-prod    production  -                  skipped  0.0s",
        "",
        "stopped: kch-staging failed during update",
      ].join("\n"),
    );
  });

  it("Markdown for CI summaries, with the errors and escaped cells", () => {
    const md = renderMarkdown(REPORT);
    assert.match(md, /^### ffnodes rollout: 3 stack\(s\), 1 failed, 2 skipped\n/);
    assert.match(md, /\| stack \| wave \| changes previewed \| result \| duration \|\n\|---\|---\|---\|---\|---\|/);
    assert.match(md, /\| kch-staging \| staging \| update 2 \| failed \| 12\.3s \|/);
    assert.match(md, /\*\*Stopped:\*\* kch-staging failed during update/);
    assert.match(md, /<details><summary>Errors<\/summary>[\s\S]*#### kch-staging[\s\S]*error: update failed \| badly/);
    assert.doesNotMatch(md, /All stacks succeeded/);
  });

  it("JSON that reads back as the report", () => {
    assert.deepEqual(JSON.parse(renderJson(REPORT)), REPORT);
  });

  it("durations", () => {
    assert.deepEqual([0, 1_250, 59_949, 60_000, 125_400].map(formatDuration), ["0.0s", "1.3s", "59.9s", "1m00s", "2m05s"]);
  });
});

describe("npm run rollout (fake runner)", () => {
  // The repository's production stacks manage Cloudflare records: their token from the environment, as CI gives it.
  const savedToken = process.env.CLOUDFLARE_API_TOKEN;
  before(() => {
    process.env.CLOUDFLARE_API_TOKEN = "from-the-environment";
  });
  after(() => {
    if (savedToken === undefined) delete process.env.CLOUDFLARE_API_TOKEN;
    else process.env.CLOUDFLARE_API_TOKEN = savedToken;
  });
  const progressLines: string[] = [];
  const deps = (stacks: (stack: string) => FakeStack = () => ({})): RolloutDependencies & { runner: FakeRunner } => {
    const runner = new FakeRunner(stacks);
    return {
      runner,
      createRunner: () => Promise.resolve(runner),
      progress: { write: (text: string) => progressLines.push(text) },
      signal: new AbortController().signal,
      retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
    };
  };
  const reportDir = () => tempDir("report");

  beforeEach(() => (progressLines.length = 0));

  it("rolls out, prints the table, writes Markdown and JSON, and logs each start and finish with its duration", async () => {
    const dir = reportDir();
    const d = deps();
    const result = await rollout(["--env", "prod", "--parallel", "2", "--report-dir", dir], REPO_ROOT, d);
    assert.equal(result.exitCode, 0);
    assert.match(result.output, /ffnodes rollout: 4 stack\(s\), 4 updated/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["rollout-report.json", "rollout-report.md"]);
    const json = JSON.parse(fs.readFileSync(path.join(dir, "rollout-report.json"), "utf8"));
    assert.deepEqual(json.stacks.map((s: { stack: string }) => s.stack), ["ff-a-prod", "ff-b-prod", "ff-c-prod", "kch-prod"]);
    const log = progressLines.join("");
    for (const stack of ["ff-a-prod", "kch-prod"]) {
      for (const op of ["preview", "update"]) {
        assert.match(log, new RegExp(`start\\s+${op}\\s+${stack}\\n`));
        assert.match(log, new RegExp(`finish\\s+${op}\\s+${stack} \\d+\\.\\ds ok`));
      }
    }
    assert.ok(!log.includes("\x1b["), "no terminal control codes when stderr is not a terminal");
  });

  it("exits 4 when a stack failed", async () => {
    const result = await rollout(["--report-dir", reportDir()], REPO_ROOT, deps((s) => (s === "kch-staging" ? { fails: ["update"] } : {})));
    assert.equal(result.exitCode, EXIT_STACKS_FAILED);
    assert.match(result.output, /kch-staging\s+staging\s+update 1\s+failed/);
  });

  it("--preview-only never updates", async () => {
    const d = deps();
    const result = await rollout(["--preview-only", "--report-dir", reportDir()], REPO_ROOT, d);
    assert.equal(result.exitCode, 0);
    assert.deepEqual(d.runner.started("update"), []);
    assert.equal(d.runner.started("preview").length, 6);
  });

  it("--drift exits 3 when a stack drifted, 0 when none did", async () => {
    const drifted = await rollout(["--drift", "--report-dir", reportDir()], REPO_ROOT, deps((s) => (s === "ff-c-prod" ? { drift: { delete: 1 } } : {})));
    assert.equal(drifted.exitCode, EXIT_DRIFT);
    assert.match(drifted.output, /1 drifted, 5 in sync/);
    const clean = await rollout(["--drift", "--report-dir", reportDir()], REPO_ROOT, deps());
    assert.equal(clean.exitCode, 0);
  });

  const usage: [string[], RegExp][] = [
    [["--parallel", "0"], /--parallel must be a whole number from 1 to 64, got '0'/],
    [["--parallel", "100000000000000000000000"], /--parallel must be a whole number from 1 to 64, got '100000000000000000000000'/],
    [["--parallel", "two"], /--parallel must be a whole number/],
    [["--canary=-1"], /--canary must be a whole number from 0 to 1000/],
    [["--env", ""], /--env is empty/],
    [["--env", ","], /--env names nothing/],
    [["--stacks", " , "], /--stacks names nothing/],
    [["--env", "prod", "--env", "staging"], /--env is given more than once/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["--env", "qa"], /--env: unknown environment 'qa'; environments are: local, prod, staging/],
    [["--stacks", "ff-a-prod,nope-prod"], /--stacks: no stack 'nope-prod'/],
    [["--drift", "--preview-only"], /at most one of --preview-only and --drift/],
    [["--emit", "jenkins"], /--emit must be gitlab-ci or github-matrix/],
    [["--emit", "gitlab-ci", "--drift"], /--emit plans a rollout/],
    [["--report-dir", "customers"], /--report-dir 'customers' is inside customers\/, which holds configuration only/],
    [["--report-dir", "stacks/reports/today"], /--report-dir 'stacks\/reports\/today' is inside stacks\/, which holds configuration only/],
    [["--report-dir", "./customers/../stacks"], /is inside stacks\//],
    [["--report-dir", "package.json/reports"], /--report-dir 'package.json\/reports' cannot be a directory: .*package\.json is a file/],
  ];
  for (const [argv, message] of usage) {
    it(`usage error: ${argv.join(" ")}`, async () => {
      await assert.rejects(rollout(argv, REPO_ROOT, deps()), (e: unknown) => e instanceof UsageError && message.test(e.message));
    });
  }

  it("refuses to run over an invalid fleet, naming file and key", async () => {
    const root = fixtureRoot({ "customers/x.yaml": "name: x\ndisplayName: X\nfitConnectCode: X\nenvironments:\n  prod:\n    domain: app.fitfile.net\n", "stacks/Pulumi.x-prod.yaml": "config: {}\n" }, { withRepoCustomers: true });
    const d = deps();
    await assert.rejects(rollout([], root, d), (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.path === "environments.prod.domain"));
    assert.equal(d.runner.calls.length, 0);
  });
});
