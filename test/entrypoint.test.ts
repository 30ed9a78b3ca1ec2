import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import * as pulumi from "@pulumi/pulumi";
import { offlineMocks } from "../src/plan/mocks";
import { parseStackFile } from "../src/config/stack-file";
import { reveal } from "../src/plan/engine";
import { CommandOutcome, REPO_ROOT } from "./helpers";

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

  // The token as `pulumi config set --secret` sets it; the program sees it decrypted.
  const withToken = (stack: string) => ({ ...parseStackFile(REPO_ROOT, stack).config, "cloudflare:apiToken": "a-token" });

  it("exports the customer's outputs as the stack outputs", async () => {
    const outputs = (await reveal(await loadProgram("ff-a-prod", withToken("ff-a-prod")))) as Record<string, unknown>;
    assert.equal(outputs.namespace, "ff-a");
    assert.equal(outputs.vaultPath, "ff-a-application");
    assert.deepEqual(outputs.hosts, ["app.fitfile.net", "prod-pgweb.fitfile.net", "argo-workflows.fitfile.net", "ac.fitfile.net"]);
  });

  describe("a provider credential the stack needs, set neither in its config nor in the environment", () => {
    const saved = Object.fromEntries(["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_API_USER_SERVICE_KEY"].map((name) => [name, process.env[name]]));
    beforeEach(() => {
      for (const name of Object.keys(saved)) delete process.env[name];
    });
    after(() => {
      for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
    });

    it("stops the program before anything is registered, naming the stack file, the key and the commands", async () => {
      for (const stack of ["ff-a-prod", "kch-staging"]) {
        await assert.rejects(
          () => loadProgram(stack, parseStackFile(REPO_ROOT, stack).config),
          (e: unknown) => {
            assert.ok(pulumi.RunError.isInstance(e));
            assert.equal(
              e.message,
              "invalid configuration, 1 problem(s); nothing was changed:\n" +
                `  stacks/Pulumi.${stack}.yaml: config.cloudflare:apiToken: not set, and the stack manages Cloudflare DNS records (dns.enabled): ` +
                `\`pulumi config set --secret cloudflare:apiToken <value> -s ${stack}\` (the stack must exist first: \`pulumi stack init ${stack}\`), or set CLOUDFLARE_API_TOKEN in the environment`,
            );
            return true;
          },
        );
      }
    });

    it("runs with the credential in the config, or in the environment, and a stack without Cloudflare needs none", async () => {
      await loadProgram("ff-a-prod", withToken("ff-a-prod"));
      process.env.CLOUDFLARE_API_TOKEN = "from-ci";
      await loadProgram("ff-a-prod", parseStackFile(REPO_ROOT, "ff-a-prod").config);
      delete process.env.CLOUDFLARE_API_TOKEN;
      await loadProgram("demo-local", parseStackFile(REPO_ROOT, "demo-local").config);
    });
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

describe("Pulumi.yaml", () => {
  let project: {
    name: string;
    main?: string;
    stackConfigDir: string;
    runtime: { name: string; options: { typescript: boolean; nodeargs: string } };
  };
  let packageMain: string;
  before(() => {
    project = parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as typeof project;
    packageMain = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { main: string }).main;
  });

  it("names the project and its stack directory, and runs package.json's main from the project directory", () => {
    assert.equal(project.name, "ffnodes");
    assert.equal(project.stackConfigDir, "stacks");
    // A file `main` would make pulumi start node in that file's directory (verified under the real
    // CLI by test/e2e), where the nodeargs hook and customers/ are not.
    assert.equal(project.main, undefined);
    assert.equal(packageMain, "src/index.ts");
  });

  it("starts the program the way pulumi will: node with its nodeargs, no ts-node, no build output", () => {
    assert.equal(project.runtime.name, "nodejs");
    assert.equal(project.runtime.options.typescript, false);
    const script =
      `const pulumi = require("@pulumi/pulumi");` +
      `pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: () => ({ id: "0123456789abcdef0123456789abcdef" }) }, "ffnodes", "ff-a-prod", false)` +
      `.then(() => require("."))` +
      `.then((outputs) => outputs.namespace.apply((ns) => console.log("namespace=" + ns)));`;
    // The token from the environment, as CI may give it: ff-a-prod manages Cloudflare records.
    const env = { ...process.env, CLOUDFLARE_API_TOKEN: "a-token" };
    const result = spawnSync(process.execPath, [...project.runtime.options.nodeargs.split(" "), "-e", script], { cwd: REPO_ROOT, encoding: "utf8", env });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /namespace=ff-a/);
  });
});

describe("the commands as a user runs them (npm run <command>)", function () {
  // Each command once through its package.json script and runCli, for the exit code and what
  // reaches stdout and stderr; every other test calls the commands in this process.
  this.timeout(120_000);
  const npmRun = (args: string[]): Promise<CommandOutcome> =>
    new Promise((resolve, reject) => {
      const child = spawn("npm", ["run", "--silent", ...args], { cwd: REPO_ROOT });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.on("error", reject);
      child.on("close", (status) => resolve({ status: status ?? -1, stdout, stderr }));
    });
  const MISTAKEN = ["rollout", "new-customer", "import-helm", "diff", "decommission"];
  const outcomes = new Map<string, CommandOutcome>();
  before(async () => {
    const commands = [["plan", "--", "--stack", "ff-a-prod", "--json"], ...MISTAKEN.map((cli) => [cli, "--", "--bogus"])];
    const results = await Promise.all(commands.map(npmRun));
    commands.forEach(([cli], i) => outcomes.set(cli, results[i]));
  });

  it("plan prints its JSON document on stdout and exits 0", () => {
    const plan = outcomes.get("plan")!;
    assert.equal(plan.status, 0, plan.stderr);
    assert.equal((JSON.parse(plan.stdout) as { stack: string }).stack, "ff-a-prod");
  });

  for (const cli of MISTAKEN) {
    it(`${cli} with an unknown flag prints the message and the usage, no stack trace, and exits 2`, () => {
      const outcome = outcomes.get(cli)!;
      assert.equal(outcome.status, 2, outcome.stderr);
      assert.equal(outcome.stdout, "");
      assert.match(outcome.stderr, new RegExp(`^ffnodes: Unknown option '--bogus'.*\\n\\nusage: npm run ${cli} `));
      assert.doesNotMatch(outcome.stderr, /\n\s+at /);
    });
  }
});
