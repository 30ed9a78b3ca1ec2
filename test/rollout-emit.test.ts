import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as fc from "fast-check";
import { parse } from "yaml";
import { rollout } from "../src/cli/rollout";
import { GITLAB_MAX_NEEDS, JOB_TEMPLATE, githubMatrix, gitlabPipeline, stackJobName } from "../src/rollout/emit";
import { StackTarget } from "../src/rollout/waves";
import { REPO_ROOT } from "./helpers";

interface Job {
  stage: string;
  needs: string[];
  script: string[];
  extends?: string;
  resource_group?: string;
}

const fleet = (staging: number, prod: number): StackTarget[] => [
  ...Array.from({ length: staging }, (_, i) => ({ stack: `c${String(i).padStart(3, "0")}-staging`, environment: "staging" })),
  ...Array.from({ length: prod }, (_, i) => ({ stack: `c${String(i).padStart(3, "0")}-prod`, environment: "prod" })),
];

function jobs(yaml: string): { stages: string[]; jobs: Record<string, Job> } {
  const doc = parse(yaml) as Record<string, unknown>;
  const { stages, ...rest } = doc;
  return { stages: stages as string[], jobs: rest as Record<string, Job> };
}

/** Every job a job waits for, through gate jobs. */
function upstream(all: Record<string, Job>, name: string, seen = new Set<string>()): Set<string> {
  for (const need of all[name].needs ?? []) {
    if (!seen.has(need)) {
      seen.add(need);
      upstream(all, need, seen);
    }
  }
  return seen;
}

describe("rollout --emit gitlab-ci", () => {
  it("the repository's fleet: one job per stack, one stage per wave, waves chained with needs", async () => {
    const { output } = await rollout(["--emit", "gitlab-ci", "--env", "staging,prod", "--canary", "2"], REPO_ROOT);
    const { stages, jobs: all } = jobs(output);
    assert.deepEqual(stages, ["staging", "canary", "production"]);
    const stackJobs = Object.entries(all).filter(([name]) => name.startsWith("rollout "));
    assert.deepEqual(
      stackJobs.map(([name, job]) => [name, job.stage, job.needs]),
      [
        ["rollout kch-staging", "staging", []],
        ["rollout ff-a-prod", "canary", ["rollout kch-staging"]],
        ["rollout ff-b-prod", "canary", ["rollout kch-staging"]],
        ["rollout ff-c-prod", "production", ["rollout ff-a-prod", "rollout ff-b-prod"]],
        ["rollout kch-prod", "production", ["rollout ff-a-prod", "rollout ff-b-prod"]],
      ],
    );
    for (const [name, job] of stackJobs) {
      const stack = name.slice("rollout ".length);
      assert.deepEqual(job.script, [`npm run rollout -- --stacks ${stack} --report-dir reports/${stack}`]);
      assert.equal(job.extends, JOB_TEMPLATE);
      assert.equal(job.resource_group, `ffnodes-${stack}`);
    }
    assert.ok(all[JOB_TEMPLATE]);
  });

  it("every job of a wave waits for every job of the wave before, within GitLab's limit of needs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 130 }), fc.integer({ min: 0, max: 130 }), fc.integer({ min: 0, max: 60 }), (staging, prod, canary) => {
        const targets = fleet(staging, prod);
        const { jobs: all } = jobs(gitlabPipeline(targets, canary));
        const stackJobs = Object.keys(all).filter((n) => n.startsWith("rollout "));
        assert.equal(stackJobs.length, targets.length);
        for (const job of Object.values(all)) assert.ok((job.needs ?? []).length <= GITLAB_MAX_NEEDS);
        const stagingJobs = targets.filter((t) => t.environment === "staging").map((t) => stackJobName(t.stack));
        const prodJobs = targets.filter((t) => t.environment === "prod").map((t) => stackJobName(t.stack));
        const canaryJobs = prodJobs.slice(0, canary);
        const restJobs = prodJobs.slice(canary);
        const check = (later: string[], earlier: string[]) => {
          for (const job of later) {
            const waits = upstream(all, job);
            for (const e of earlier) assert.ok(waits.has(e), `${job} does not wait for ${e}`);
          }
        };
        check(canaryJobs, stagingJobs);
        check(restJobs, canaryJobs.length > 0 ? canaryJobs : stagingJobs);
        for (const job of stagingJobs) assert.deepEqual(all[job].needs, []);
      }),
      { numRuns: 40 },
    );
  });

  it("an empty selection is still a valid pipeline", () => {
    const { jobs: all } = jobs(gitlabPipeline([], 1));
    assert.deepEqual(Object.keys(all), ["nothing to roll out"]);
  });
});

describe("rollout --emit github-matrix", () => {
  it("one matrix per wave, each stack once, with the parallelism bound", async () => {
    const { output } = await rollout(["--emit", "github-matrix", "--parallel", "3"], REPO_ROOT);
    assert.ok(!output.includes("\n"), "the matrix must fit on one line of $GITHUB_OUTPUT");
    assert.deepEqual(JSON.parse(output), {
      parallel: 3,
      staging: {
        include: [
          { stack: "demo-local", environment: "local" },
          { stack: "kch-staging", environment: "staging" },
        ],
      },
      canary: { include: [{ stack: "ff-a-prod", environment: "prod" }] },
      production: {
        include: [
          { stack: "ff-b-prod", environment: "prod" },
          { stack: "ff-c-prod", environment: "prod" },
          { stack: "kch-prod", environment: "prod" },
        ],
      },
    });
  });

  it("keeps every wave key when a wave is empty", () => {
    assert.deepEqual(JSON.parse(githubMatrix([], 0, 4)), { parallel: 4, staging: { include: [] }, canary: { include: [] }, production: { include: [] } });
  });
});

describe("CI files", () => {
  const read = (file: string) => parse(fs.readFileSync(path.join(REPO_ROOT, file), "utf8")) as Record<string, Record<string, unknown>>;
  const scripts = (job: Record<string, unknown>) => (job.script as string[]).join("\n");

  it("GitLab: previews affected stacks on merge requests, rolls out through the generated child pipeline, checks drift on a schedule", () => {
    const ci = read(".gitlab-ci.yml");
    assert.match(scripts(ci.preview), /npm run rollout -- --preview-only .*--affected-since "origin\/\$CI_MERGE_REQUEST_TARGET_BRANCH_NAME" --report-dir reports/);
    assert.match((ci.preview.after_script as string[]).join("\n"), /merge_requests\/\$CI_MERGE_REQUEST_IID\/notes/);
    assert.match(scripts(ci["rollout-pipeline"]), /npm run --silent rollout -- --emit gitlab-ci .*> rollout-pipeline.yml/);
    assert.deepEqual(ci.rollout.trigger, { include: [{ artifact: "rollout-pipeline.yml", job: "rollout-pipeline" }], strategy: "depend" });
    assert.match(scripts(ci.drift), /npm run rollout -- --drift/);
    assert.deepEqual(ci.drift.rules, [{ if: '$CI_PIPELINE_SOURCE == "schedule"' }]);
  });

  it("GitHub: the waves are fed by the emitted matrix, and drift runs on a schedule", () => {
    const ci = read(".github/workflows/ci.yml");
    const jobs = ci.jobs as Record<string, Record<string, unknown>>;
    assert.match(JSON.stringify(jobs.select), /--emit github-matrix/);
    for (const [wave, needs] of [["staging", "select"], ["canary", ["select", "staging"]], ["production", ["select", "canary"]]] as const) {
      assert.deepEqual(jobs[wave].needs, needs);
      assert.equal((jobs[wave].strategy as { matrix: string }).matrix, `\${{ fromJSON(needs.select.outputs.plan).${wave} }}`);
    }
    const drift = read(".github/workflows/drift.yml");
    assert.ok((drift.on as { schedule?: unknown }).schedule);
    assert.match(JSON.stringify(drift.jobs), /npm run rollout -- --drift/);
  });
});
