// The program starts under the real CLI exactly as committed: Pulumi.yaml unchanged, from the
// project root, through the project's transpile hook.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../../e2e/env";
import { environment } from "./hooks";
import { Workdir } from "../../e2e/workdir";

describe("the program as committed under the real CLI", () => {
  let workdir: Workdir;

  before(() => {
    workdir = new Workdir(environment());
  });
  after(() => workdir.remove());

  it("runs Pulumi.yaml byte for byte as committed, from the project root", () => {
    assert.equal(workdir.read("Pulumi.yaml"), fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
    workdir.ensureStack("demo-local");
    const { changeSummary } = workdir.preview("demo-local");
    const registered = Object.values(changeSummary).reduce((sum, n) => sum + n, 0);
    assert.ok(registered > 30, `the program registered the customer's resources: ${JSON.stringify(changeSummary)}`);
  });

  it("previews without a warning about the providers: they load from the plugin cache, not from PATH", () => {
    const result = workdir.pulumiMayFail(["preview", "-s", "demo-local"]);
    assert.equal(result.status, 0, result.stderr);
    const output = result.stdout + result.stderr;
    assert.match(output, /Resources:/);
    assert.doesNotMatch(output, /from \$PATH|warning:/);
  });

  it("stops a stack with invalid configuration with the problem, not a stack trace", () => {
    workdir.write("customers/demo.yaml", workdir.read("customers/demo.yaml").replace("domain: demo.localtest.me", "domain: demo.localtest.me\n    colour: blue"));
    const result = workdir.pulumiMayFail(["preview", "-s", "demo-local"]);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout + result.stderr, /customers\/demo\.yaml: environments\.local\.colour: unknown key/);
    assert.doesNotMatch(result.stdout + result.stderr, /at .*\.ts:\d+:\d+/);
  });

  it("refuses an unknown ffnodes key of the stack file, as pulumi passes the config, in the one problem format", () => {
    workdir.write("customers/demo.yaml", fs.readFileSync(path.join(REPO_ROOT, "customers/demo.yaml"), "utf8"));
    const stackFile = "stacks/Pulumi.demo-local.yaml";
    const original = workdir.read(stackFile);
    // Under `config:`, not at the end: `pulumi stack init` appends a top-level encryptionsalt.
    assert.match(original, /^config:\n/m);
    workdir.write(stackFile, original.replace(/^config:\n/m, "config:\n  ffnodes:adoptIdz: {}\n"));
    try {
      const result = workdir.pulumiMayFail(["preview", "-s", "demo-local"]);
      assert.notEqual(result.status, 0);
      const output = result.stdout + result.stderr;
      assert.match(output, /invalid configuration, 1 problem\(s\); nothing was changed:/);
      assert.match(output, /stacks\/Pulumi\.demo-local\.yaml: config\.ffnodes:adoptIdz: unknown key \(check its spelling\)/);
      assert.doesNotMatch(output, /at .*\.ts:\d+:\d+/);
    } finally {
      workdir.write(stackFile, original);
    }
  });
});
