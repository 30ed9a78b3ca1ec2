import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { checkAllStacks } from "../src/config/fleet";
import { rollout } from "../src/cli/rollout";
import { UsageError } from "../src/cli/run";
import { listStacks } from "../src/config/files";
import { changedFilesSince } from "../src/git";
import { affectedStacks, selectTargets } from "../src/rollout/select";
import { REPO_ROOT, fixtureRoot } from "./helpers";

const { configs } = checkAllStacks(REPO_ROOT, listStacks(REPO_ROOT));
const ALL = ["demo-local", "ff-a-prod", "ff-b-prod", "ff-c-prod", "kch-prod", "kch-staging"];

describe("rollout selection", () => {
  it("the repository's fleet is what these tests assume", () => {
    assert.deepEqual(configs.map((c) => c.stack), ALL);
  });

  const cases: [string, string[], string[]][] = [
    ["the defaults", ["customers/_defaults.yaml"], ALL],
    ["the program", ["src/components/storage.ts"], ALL],
    ["the packages", ["package-lock.json"], ALL],
    ["package.json", ["package.json"], ALL],
    ["the project file", ["Pulumi.yaml"], ALL],
    ["the TypeScript settings", ["tsconfig.json"], ALL],
    ["a customer's file: its stacks", ["customers/kch.yaml"], ["kch-prod", "kch-staging"]],
    ["a peer's file: its stacks and those that connect to it", ["customers/ff-b.yaml"], ["ff-a-prod", "ff-b-prod"]],
    ["a much-connected peer", ["customers/ff-a.yaml"], ["ff-a-prod", "ff-b-prod", "ff-c-prod"]],
    ["a stack file: that stack", ["stacks/Pulumi.kch-staging.yaml"], ["kch-staging"]],
    ["documentation and tests: nothing", ["README.md", "test/rollout.test.ts", ".gitlab-ci.yml"], []],
    ["a deleted customer: nothing left to run", ["customers/gone.yaml"], []],
    ["several at once", ["customers/demo.yaml", "stacks/Pulumi.ff-c-prod.yaml"], ["demo-local", "ff-c-prod"]],
  ];
  for (const [what, files, expected] of cases) {
    it(`a change to ${what}`, () => assert.deepEqual(affectedStacks(configs, files), expected));
  }

  it("narrows by environment, stack and change together", () => {
    const pick = (selection: Parameters<typeof selectTargets>[1]) => selectTargets(configs, selection).map((t) => t.stack);
    assert.deepEqual(pick({}), ALL);
    assert.deepEqual(pick({ environments: ["prod"] }), ["ff-a-prod", "ff-b-prod", "ff-c-prod", "kch-prod"]);
    assert.deepEqual(pick({ environments: ["staging", "prod"], changedFiles: ["customers/kch.yaml"] }), ["kch-prod", "kch-staging"]);
    assert.deepEqual(pick({ stacks: ["kch-prod", "ff-b-prod"], changedFiles: ["customers/ff-a.yaml"] }), ["ff-b-prod"]);
    assert.deepEqual(selectTargets(configs, { stacks: ["kch-staging"] }), [{ stack: "kch-staging", environment: "staging" }]);
  });
});

describe("rollout --affected-since against a git repository", function () {
  this.timeout(20_000);
  let root: string;
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" },
    });

  beforeEach(() => {
    root = fixtureRoot({ "README.md": "fleet\n" }, { withRepoCustomers: true });
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "fleet");
    git("checkout", "-q", "-b", "change");
  });

  const append = (file: string, text: string) => fs.appendFileSync(path.join(root, file), text);

  it("finds committed, uncommitted and untracked changes since the branch left the ref", () => {
    append("customers/ff-c.yaml", "extraHosts: [pgweb3.fitfile.net]\n");
    git("commit", "-qam", "ff-c gets a host");
    append("stacks/Pulumi.kch-staging.yaml", "# touched\n");
    fs.writeFileSync(path.join(root, "notes.txt"), "untracked\n");
    assert.deepEqual(changedFilesSince(root, "main"), ["customers/ff-c.yaml", "notes.txt", "stacks/Pulumi.kch-staging.yaml"]);
  });

  it("ignores what changed on the ref after the branch left it", () => {
    git("checkout", "-q", "main");
    append("customers/_defaults.yaml", "# main moved on\n");
    git("commit", "-qam", "main moves");
    git("checkout", "-q", "change");
    append("customers/kch.yaml", "# kch\n");
    assert.deepEqual(changedFilesSince(root, "main"), ["customers/kch.yaml"]);
  });

  it("selects only the affected stacks, peers included", async () => {
    append("customers/ff-b.yaml", "# a comment is a change too\n");
    const { output } = await rollout(["--affected-since", "main", "--emit", "github-matrix"], root);
    const matrix = JSON.parse(output);
    assert.deepEqual(matrix.canary.include, [{ stack: "ff-a-prod", environment: "prod" }]);
    assert.deepEqual(matrix.production.include, [{ stack: "ff-b-prod", environment: "prod" }]);
    assert.deepEqual(matrix.staging.include, []);
  });

  it("selects nothing when only documentation changed", async () => {
    append("README.md", "more\n");
    const { output } = await rollout(["--affected-since", "main", "--emit", "gitlab-ci"], root);
    assert.match(output, /nothing to roll out/);
  });

  it("a ref that is not a commit is a usage error", async () => {
    await assert.rejects(rollout(["--affected-since", "no-such-branch", "--emit", "gitlab-ci"], root), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /--affected-since: 'no-such-branch' is not a commit/);
      return true;
    });
  });
});
