// A stack's check against the fleet is skipped only where the fleet, byte for byte and with this
// code, has passed every cross-stack check (src/config/fleet-verdict.ts).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { checkAllStacks, stackFleetProblems } from "../src/config/fleet";
import { VERDICTS_DIR, fleetFingerprint, fleetPassed } from "../src/config/fleet-verdict";
import { listStacks } from "../src/config/files";
import { formatProblem } from "../src/config/problems";
import { resolveWithOrigins } from "../src/config/resolve";
import { readStackLayer, stackLayerFromConfig } from "../src/config/stack-file";
import { writeTombstone } from "../src/config/tombstones";
import { tenantOf } from "../src/policy/tenant";
import { fixtureRoot, stackFile } from "./helpers";

/** The repository's fleet plus a customer `x` (prod) of its own, so that each test's fleet is new. */
function fleet(marker: string, files: Record<string, string> = {}): string {
  return fixtureRoot(
    {
      "customers/x.yaml": `# ${marker}\nname: x\ndisplayName: X\nfitConnectCode: FITConnect X\nenvironments:\n  prod:\n    domain: x.fitfile.net\n`,
      "stacks/Pulumi.x-prod.yaml": stackFile(),
      ...files,
    },
    { withRepoCustomers: true },
  );
}

const problemsOf = (root: string, stack: string) => stackFleetProblems(root, resolveWithOrigins(root, stack, readStackLayer(root, stack))).map(formatProblem);
const write = (root: string, file: string, text: string) => fs.writeFileSync(path.join(root, file), text);
const CLASH = /namespace 'ff-a' of stack x-prod is already used by stack ff-a-prod/;

describe("verdicts of the fleet checks", function () {
  this.timeout(30_000);
  const run = `${process.pid}-${Date.now()}`;

  it("a fleet that passes plan --all's check is recorded as passed; one with a clash is not", () => {
    const clean = fleet(`clean ${run}`);
    assert.equal(checkAllStacks(clean, listStacks(clean)).problems.length, 0);
    assert.equal(fleetPassed(fleetFingerprint(clean)!), true);

    const clashing = fleet(`clashing ${run}`, { "stacks/Pulumi.x-prod.yaml": stackFile("  ffnodes:settings:\n    namespace: ff-a\n") });
    assert.notEqual(checkAllStacks(clashing, listStacks(clashing)).problems.length, 0);
    assert.equal(fleetPassed(fleetFingerprint(clashing)!), false);
  });

  it("a check of part of the fleet, or with newcomers, records nothing", () => {
    const root = fleet(`part ${run}`);
    assert.equal(checkAllStacks(root, ["x-prod", "ff-a-prod"]).problems.length, 0);
    assert.equal(checkAllStacks(root, listStacks(root), ["x-prod"]).problems.length, 0);
    assert.equal(fleetPassed(fleetFingerprint(root)!), false);
  });

  it("one stack's check that finds the whole fleet clean records it, as the program's first preview does", () => {
    const root = fleet(`one ${run}`);
    assert.deepEqual(problemsOf(root, "x-prod"), []);
    assert.equal(fleetPassed(fleetFingerprint(root)!), true);
  });

  it("a recorded verdict stands for exactly the files it saw: any change is checked in full", () => {
    const changes: [string, (root: string) => void][] = [
      ["the customer file", (root) => write(root, "customers/x.yaml", fs.readFileSync(path.join(root, "customers/x.yaml"), "utf8") + "namespace: ff-a\n")],
      ["the stack file", (root) => write(root, "stacks/Pulumi.x-prod.yaml", stackFile("  ffnodes:settings:\n    namespace: ff-a\n"))],
      ["the defaults", (root) => write(root, "customers/_defaults.yaml", `${fs.readFileSync(path.join(root, "customers/_defaults.yaml"), "utf8")}# reviewed\n`)],
    ];
    for (const [what, change] of changes) {
      const root = fleet(`change ${what} ${run}`);
      assert.deepEqual(problemsOf(root, "x-prod"), [], what);
      assert.equal(fleetPassed(fleetFingerprint(root)!), true, what);
      change(root);
      assert.equal(fleetPassed(fleetFingerprint(root)!), false, what);
      // A comment in the defaults clashes with nothing, but is a fleet not yet checked all the same.
      if (what !== "the defaults") assert.match(problemsOf(root, "x-prod").join("\n"), CLASH, what);
    }
  });

  it("a tombstone added to a passed fleet is checked: a retired stack's names stay reserved", () => {
    const root = fleet(`tombstone ${run}`);
    assert.deepEqual(problemsOf(root, "x-prod"), []);
    writeTombstone(root, {
      stack: "old-prod",
      status: "retired",
      started: "2026-01-01T00:00:00Z",
      customer: "old",
      environment: "prod",
      argocdNamespace: "argocd",
      reserved: { namespace: "x", vaultPath: "old-application", dbSuffix: "_old", hosts: [] },
      retained: { claims: [], vaultSecrets: [], dnsRecords: [], inNamespace: [], other: [] },
      purge: [],
      customerFile: {},
    });
    assert.match(problemsOf(root, "x-prod").join("\n"), /namespace 'x' of stack x-prod is reserved by customers\/retired\/old-prod\.yaml/);
  });

  it("a stack whose configuration as Pulumi passes it differs from its file is checked in full", () => {
    const root = fleet(`config ${run}`);
    assert.deepEqual(problemsOf(root, "x-prod"), []);
    const fromConfig = stackLayerFromConfig({ "ffnodes:settings": JSON.stringify({ namespace: "ff-a" }) }, "stacks/Pulumi.x-prod.yaml");
    const member = resolveWithOrigins(root, "x-prod", fromConfig);
    assert.match(stackFleetProblems(root, member, false).map(formatProblem).join("\n"), CLASH);
  });

  it("the stack layer Pulumi passes (values as JSON text, keys in any order) is the one of the file: the verdict applies to pulumi preview", () => {
    const root = fleet(`layer ${run}`, {
      "stacks/Pulumi.x-prod.yaml": stackFile("  ffnodes:adopt: true\n  ffnodes:settings:\n    dbSuffix: _x\n    quota: { pods: 20, services: 10 }\n"),
    });
    const asPulumiPassesIt = { "kubernetes:context": "test", "ffnodes:adopt": "true", "ffnodes:settings": '{"quota":{"services":10,"pods":20},"dbSuffix":"_x"}' };
    assert.ok(isDeepStrictEqual(stackLayerFromConfig(asPulumiPassesIt, "stacks/Pulumi.x-prod.yaml"), readStackLayer(root, "x-prod")));
  });

  it("trusts a recorded verdict without layering the fleet again (the policy pack too)", () => {
    const root = fleet(`trusted ${run}`, { "stacks/Pulumi.x-prod.yaml": stackFile("  ffnodes:settings:\n    namespace: ff-a\n") });
    assert.match(problemsOf(root, "x-prod").join("\n"), CLASH);
    const forged = path.join(VERDICTS_DIR, fleetFingerprint(root)!);
    fs.mkdirSync(VERDICTS_DIR, { recursive: true });
    fs.writeFileSync(forged, "");
    try {
      assert.deepEqual(problemsOf(root, "x-prod"), [], "the clash is not looked for under a verdict for these very files");
      assert.equal(tenantOf(root, "x-prod").namespace, "ff-a");
    } finally {
      fs.rmSync(forged, { force: true });
    }
    assert.match(problemsOf(root, "x-prod").join("\n"), CLASH);
  });

  it("a fleet with a file that cannot be read has no fingerprint, so no verdict stands for it", () => {
    const root = fleet(`unreadable ${run}`);
    fs.mkdirSync(path.join(root, "stacks/Pulumi.y-prod.yaml"));
    assert.equal(fleetFingerprint(root), undefined);
    assert.match(checkAllStacks(root, listStacks(root)).problems.map(formatProblem).join("\n"), /stacks\/Pulumi\.y-prod\.yaml: is a directory/);
  });
});
