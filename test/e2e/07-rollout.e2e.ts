// `npm run rollout` for real: a preview-only run changes no backend and no file, then previews
// and updates three e2e stacks in waves through the Automation API and the real CLI, writes its
// reports, and `--drift` finds the one stack whose namespace lost a label through the API.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { environment } from "./hooks";
import { kubectl } from "../../e2e/kubectl";
import { Workdir } from "../../e2e/workdir";

const STACKS = ["demo-local", "e2e-prod", "e2e-staging"];

describe("rollout over three e2e stacks", () => {
  let workdir: Workdir;
  const rollout = (args: string[], stacks = STACKS) =>
    workdir.run(process.execPath, ["--require", "./src/cli/register-typescript.js", "src/cli/rollout.ts", "--stacks", stacks.join(","), ...args], { timeoutSeconds: 1800 });

  before(() => {
    workdir = new Workdir(environment());
    // Rollout creates no stack: they exist before it runs, as a person's `pulumi stack init` leaves them.
    for (const stack of STACKS) workdir.ensureStack(stack);
  });
  after(() => workdir.remove());

  it("--preview-only creates no stack, writes no stack file, keeps the current stack, and reports the stack that is not initialized", () => {
    // A customer added since the stacks were made: its stack is not in the backend yet.
    workdir.write("customers/newcomer.yaml", "name: newcomer\ndisplayName: Newcomer\nfitConnectCode: FITConnect Newcomer\ndns: { enabled: false }\nenvironments:\n  staging: { domain: newcomer-staging.fitfile.net }\n");
    workdir.write("stacks/Pulumi.newcomer-staging.yaml", "config:\n  kubernetes:context: ffnodes-local\n");
    workdir.pulumi(["stack", "select", "e2e-staging"]);
    const backend = () => (JSON.parse(workdir.pulumi(["stack", "ls", "--json"])) as { name: string; current: boolean }[]).map((s) => `${s.name}${s.current ? " (current)" : ""}`).sort();
    const stackFiles = () => Object.fromEntries(fs.readdirSync(path.join(workdir.dir, "stacks")).map((f) => [f, workdir.read(`stacks/${f}`)]));
    const [stacksBefore, filesBefore] = [backend(), stackFiles()];
    assert.ok(stacksBefore.some((s) => s.endsWith("e2e-staging (current)")), stacksBefore.join(", "));
    // This copy's e2e-prod file has no salt (the stack was made from another copy): a plain `pulumi preview` would write one.
    assert.doesNotMatch(filesBefore["Pulumi.e2e-prod.yaml"], /encryptionsalt/);

    const result = rollout(["--preview-only", "--report-dir", "preview"], [...STACKS, "newcomer-staging"]);
    assert.equal(result.status, 4, `${result.stdout}\n${result.stderr}`);
    const report = JSON.parse(workdir.read("preview/rollout-report.json")) as { stacks: { stack: string; result: string; error?: string }[] };
    assert.deepEqual(
      report.stacks.map((s) => [s.stack, s.result, s.error]).sort(),
      [
        ["demo-local", "previewed", undefined],
        ["e2e-prod", "previewed", undefined],
        ["e2e-staging", "previewed", undefined],
        ["newcomer-staging", "not initialized", "not initialized: `pulumi stack init newcomer-staging`"],
      ],
    );
    assert.match(result.stdout, /^newcomer-staging: not initialized: `pulumi stack init newcomer-staging`$/m);
    assert.deepEqual(backend(), stacksBefore, "the backend's stacks, or the current one, changed");
    assert.deepEqual(stackFiles(), filesBefore, "a stack file changed");
  });

  it("previews, then updates in waves, and writes its reports", () => {
    const result = rollout(["--report-dir", "reports", "--parallel", "2"]);
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    const report = JSON.parse(fs.readFileSync(path.join(workdir.dir, "reports", "rollout-report.json"), "utf8")) as { stacks: { stack: string; wave: string; result: string }[] };
    assert.deepEqual(
      report.stacks.map((s) => [s.stack, s.wave]),
      [["demo-local", "staging"], ["e2e-staging", "staging"], ["e2e-prod", "canary"]],
      "non-production stacks first, then the production canary",
    );
    for (const s of report.stacks) assert.ok(["updated", "unchanged"].includes(s.result), JSON.stringify(s));
    assert.ok(fs.existsSync(path.join(workdir.dir, "reports", "rollout-report.md")));
    // Rollout ran the program in its own process; the program as pulumi starts it (Pulumi.yaml's
    // runtime, a node process of its own) declares exactly what was applied: nothing to change.
    for (const stack of STACKS) assert.deepEqual(Object.keys(workdir.preview(stack).changeSummary), ["same"], stack);
  });

  it("--drift reports exactly the stack whose namespace label was removed through the API", () => {
    kubectl(environment(), ["label", "namespace", "e2e", "app.kubernetes.io/managed-by-"]);
    let result: ReturnType<typeof rollout>;
    try {
      result = rollout(["--drift", "--report-dir", "drift"]);
    } finally {
      // The label back, as a cluster admin would put it: without it, the least-privileged
      // deployer's admission policy refuses every write in the namespace (90-decommission).
      kubectl(environment(), ["label", "namespace", "e2e", "app.kubernetes.io/managed-by=ffnodes"]);
    }
    assert.equal(result.status, 3, `${result.stdout}\n${result.stderr}`);
    const report = JSON.parse(fs.readFileSync(path.join(workdir.dir, "drift", "rollout-report.json"), "utf8")) as { stacks: { stack: string; result: string }[] };
    assert.deepEqual(report.stacks.filter((s) => s.result === "drifted").map((s) => s.stack), ["e2e-prod"]);
    assert.deepEqual(report.stacks.filter((s) => s.result === "in sync").map((s) => s.stack).sort(), ["demo-local", "e2e-staging"]);
  });
});
