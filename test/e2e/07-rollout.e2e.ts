// `npm run rollout` for real: previews and updates three e2e stacks in waves through the
// Automation API and the real CLI, writes its reports, and `--drift` finds the one stack whose
// namespace lost a label through the API.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { environment } from "./hooks";
import { kubectl } from "../../e2e/kubectl";
import { Workdir } from "../../e2e/workdir";

const STACKS = ["demo-local", "e2e-prod", "e2e-staging"];

describe("rollout over three e2e stacks", () => {
  let workdir: Workdir;
  const rollout = (args: string[]) =>
    workdir.run(process.execPath, ["--require", "./src/cli/register-typescript.js", "src/cli/rollout.ts", "--stacks", STACKS.join(","), ...args], { timeoutSeconds: 1800 });

  before(() => {
    workdir = new Workdir(environment());
  });
  after(() => workdir.remove());

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
  });

  it("--drift reports exactly the stack whose namespace label was removed through the API", () => {
    kubectl(environment(), ["label", "namespace", "e2e", "app.kubernetes.io/managed-by-"]);
    const result = rollout(["--drift", "--report-dir", "drift"]);
    assert.equal(result.status, 3, `${result.stdout}\n${result.stderr}`);
    const report = JSON.parse(fs.readFileSync(path.join(workdir.dir, "drift", "rollout-report.json"), "utf8")) as { stacks: { stack: string; result: string }[] };
    assert.deepEqual(report.stacks.filter((s) => s.result === "drifted").map((s) => s.stack), ["e2e-prod"]);
    assert.deepEqual(report.stacks.filter((s) => s.result === "in sync").map((s) => s.stack).sort(), ["demo-local", "e2e-staging"]);
  });
});
