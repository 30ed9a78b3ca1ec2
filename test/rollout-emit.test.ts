import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as fc from "fast-check";
import { parse } from "yaml";
import { rollout } from "../src/cli/rollout";
import { UsageError } from "../src/cli/run";
import { ConfigError } from "../src/config/problems";
import { GITLAB_MAX_NEEDS, JOB_TEMPLATE, githubMatrix, gitlabPipeline, stackJobName } from "../src/rollout/emit";
import { StackTarget } from "../src/rollout/waves";
import { REPO_ROOT, fixtureRoot } from "./helpers";

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
  it("one matrix per wave, each stack once but the local ones, with the parallelism bound", async () => {
    const { output } = await rollout(["--emit", "github-matrix", "--parallel", "3"], REPO_ROOT);
    assert.ok(!output.includes("\n"), "the matrix must fit on one line of $GITHUB_OUTPUT");
    assert.deepEqual(JSON.parse(output), {
      parallel: 3,
      staging: { include: [{ stack: "kch-staging", environment: "staging" }] },
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

describe("rollout --emit: local stacks never run in CI", () => {
  const emitted = async (emit: string, flags: string[], root = REPO_ROOT): Promise<string[]> => {
    const { output } = await rollout(["--emit", emit, ...flags], root);
    if (emit === "github-matrix") {
      const matrix = JSON.parse(output) as Record<string, { include: { stack: string }[] }>;
      return ["staging", "canary", "production"].flatMap((wave) => matrix[wave].include.map((i) => i.stack));
    }
    return Object.keys(jobs(output).jobs).filter((n) => n.startsWith("rollout ")).map((n) => n.slice("rollout ".length));
  };

  for (const emit of ["gitlab-ci", "github-matrix"]) {
    it(`${emit}: a selection that takes in demo-local (on the ffnodes-local context) leaves it out`, async () => {
      for (const flags of [[], ["--canary", "0"], ["--canary", "4", "--parallel", "1"], ["--env", "staging"], ["--stacks", "kch-staging,kch-prod"]]) {
        const stacks = await emitted(emit, flags);
        assert.ok(stacks.length > 0, `${flags.join(" ")}: nothing emitted`);
        assert.ok(!stacks.includes("demo-local"), `${flags.join(" ")}: demo-local is in CI's waves`);
      }
      assert.deepEqual((await emitted(emit, [])).sort(), ["ff-a-prod", "ff-b-prod", "ff-c-prod", "kch-prod", "kch-staging"]);
    });

    it(`${emit}: a flag naming a local stack or the local environment is refused, naming the flag`, async () => {
      for (const [flags, says] of [
        [["--env", "local"], /^--env: local stacks \(environment local\) run on a person's own cluster and never in CI's waves; leave local out$/],
        [["--env", "staging,local,prod"], /^--env: local stacks/],
        [["--stacks", "demo-local"], /^--stacks: demo-local: local stacks .* leave it out$/],
        [["--stacks", "kch-staging,demo-local"], /^--stacks: demo-local: local stacks/],
      ] as const) {
        await assert.rejects(rollout(["--emit", emit, ...flags], REPO_ROOT), (e: unknown) => e instanceof UsageError && says.test(e.message), flags.join(" "));
      }
    });
  }

  it("a local stack of another customer is left out too: the environment decides, not the stack's name", async () => {
    const root = fixtureRoot({
      "customers/lab.yaml": "name: lab\ndisplayName: Lab\nfitConnectCode: FITConnect Lab\nenvironments:\n  local: { domain: lab.localtest.me }\n  staging: { domain: lab-staging.fitfile.net }\n",
      "stacks/Pulumi.lab-local.yaml": "config:\n  kubernetes:context: ffnodes-local\n",
      "stacks/Pulumi.lab-staging.yaml": "config:\n  kubernetes:context: fitfile-staging\n  cloudflare:apiToken:\n    secure: v1:abc:def\n",
    });
    assert.deepEqual(await emitted("gitlab-ci", [], root), ["lab-staging"]);
  });
});

describe("rollout: canaries chosen in customer files", () => {
  const withKch = (prodLines: string) =>
    fixtureRoot(
      { "customers/kch.yaml": fs.readFileSync(path.join(REPO_ROOT, "customers/kch.yaml"), "utf8").replace("    dbSuffix: _kch\n", `    dbSuffix: _kch\n${prodLines}`) },
      { withRepoCustomers: true },
    );
  const waves = async (root: string, flags: string[] = []) => {
    const matrix = JSON.parse((await rollout(["--emit", "github-matrix", ...flags], root)).output) as Record<string, { include: { stack: string }[] }>;
    return Object.fromEntries(["staging", "canary", "production"].map((w) => [w, matrix[w].include.map((i) => i.stack)]));
  };

  it("rollout.canary: true makes the customer's production stack the canary, instead of the first by name", async () => {
    const root = withKch("    rollout: { canary: true }\n");
    for (const flags of [[], ["--canary", "0"], ["--canary", "3"]]) {
      assert.deepEqual(await waves(root, flags), { staging: ["kch-staging"], canary: ["kch-prod"], production: ["ff-a-prod", "ff-b-prod", "ff-c-prod"] }, flags.join(" "));
    }
    assert.deepEqual((await waves(root, ["--stacks", "ff-b-prod,ff-c-prod"])).canary, ["ff-b-prod"], "none chosen in the selection: the first by name");
  });

  for (const [title, lines, key, says] of [
    ["not a boolean", "    rollout: { canary: yes }\n", "environments.prod.rollout.canary", /^true or false; found the text "yes"$/],
    ["a misspelt key", "    rollout: { canry: true }\n", "environments.prod.rollout.canry", /unknown key/],
    ["not a mapping", "    rollout: canary\n", "environments.prod.rollout", /object|mapping/i],
  ] as const) {
    it(`refuses rollout settings that are ${title}, naming the customer file and key`, async () => {
      await assert.rejects(
        rollout(["--emit", "gitlab-ci"], withKch(lines)),
        (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.file === "customers/kch.yaml" && p.path === key && says.test(p.message)),
      );
    });
  }
});
