import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { offlineMocks } from "../src/plan/mocks";
import { parseStackFile } from "../src/config/stack-file";
import { reveal } from "../src/plan/engine";
import { REPO_ROOT } from "./helpers";

/** Loads src/index.ts afresh, as `pulumi` does, for the given stack and config. */
async function loadProgram(stack: string, config: Record<string, string>): Promise<unknown> {
  await pulumi.runtime.setMocks(offlineMocks, "ffnodes", stack, false);
  pulumi.runtime.setAllConfig(config);
  const entry = require.resolve("../src/index");
  delete require.cache[entry];
  return (await import(entry)) as unknown;
}

describe("the Pulumi entry point (src/index.ts)", () => {
  const cwd = process.cwd();
  before(() => process.chdir(REPO_ROOT));
  after(() => process.chdir(cwd));

  it("exports the customer's outputs as the stack outputs", async () => {
    const outputs = (await reveal(await loadProgram("ff-a-prod", parseStackFile(REPO_ROOT, "ff-a-prod").config))) as Record<string, unknown>;
    assert.equal(outputs.namespace, "ff-a");
    assert.equal(outputs.vaultPath, "ff-a-application");
    assert.deepEqual(outputs.hosts, ["app.fitfile.net", "prod-pgweb.fitfile.net", "argo-workflows.fitfile.net", "ac.fitfile.net"]);
  });

  it("stops with a RunError listing the problems, so pulumi prints no stack trace", async () => {
    const config = { "ffnodes:settings": JSON.stringify({ quota: { pods: "many" }, colour: "blue" }) };
    await assert.rejects(
      () => loadProgram("ff-a-prod", config),
      (e: unknown) => {
        assert.ok(pulumi.RunError.isInstance(e));
        assert.match(e.message, /stacks\/Pulumi\.ff-a-prod\.yaml: config\.ffnodes:settings\.quota\.pods: /);
        assert.match(e.message, /stacks\/Pulumi\.ff-a-prod\.yaml: config\.ffnodes:settings\.colour: unknown key/);
        return true;
      },
    );
  });
});
