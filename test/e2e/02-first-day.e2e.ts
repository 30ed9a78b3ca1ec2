// A new user's first day with the real CLI, as the README leads it: `pulumi stack init
// demo-local` leaves the committed stack file as it is; new-customer's next steps work in the
// order it prints them (and the other order fails as they say); a stack whose Cloudflare token is
// not set stops in the one problem format, naming the file, the key and the command; a
// placeholder that Pulumi itself refuses with `bad value` is reported by rollout instead, once.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../e2e/env";
import { environment } from "./hooks";
import { Workdir } from "../../e2e/workdir";

describe("a new user's first day under the real CLI", () => {
  let workdir: Workdir;

  before(() => {
    // A new user's shell holds no Cloudflare token: the one `e2e:env -- up` exports (the
    // Cloudflare API double's) would satisfy the check this scenario shows.
    const vars = Object.fromEntries(Object.entries(environment().vars).filter(([name]) => name !== "CLOUDFLARE_API_TOKEN"));
    workdir = new Workdir({ ...environment(), vars });
  });
  after(() => workdir.remove());

  it("pulumi stack init demo-local, with the local passphrase, writes nothing into the committed stack file; another passphrase is refused", () => {
    const backend = fs.mkdtempSync(path.join(os.tmpdir(), "ffnodes-e2e-backend-"));
    try {
      // A backend that has no demo-local yet, as on a fresh laptop.
      const pulumi = (args: string[], vars: Record<string, string> = {}) =>
        spawnSync("pulumi", [...args, "--non-interactive"], {
          cwd: workdir.dir,
          env: { ...process.env, ...environment().vars, PULUMI_BACKEND_URL: `file://${backend}`, ...vars },
          encoding: "utf8",
        });
      const file = "stacks/Pulumi.demo-local.yaml";
      const committed = fs.readFileSync(path.join(REPO_ROOT, file), "utf8");
      assert.equal(workdir.read(file), committed);
      const wrong = pulumi(["stack", "init", "demo-local"], { PULUMI_CONFIG_PASSPHRASE: "the-team-passphrase" });
      assert.notEqual(wrong.status, 0);
      assert.match(wrong.stderr, /incorrect passphrase/);
      assert.equal(workdir.read(file), committed);
      const init = pulumi(["stack", "init", "demo-local"]);
      assert.equal(init.status, 0, init.stderr);
      assert.equal(workdir.read(file), committed, "pulumi stack init wrote into the committed stack file");
    } finally {
      fs.rmSync(backend, { recursive: true, force: true });
    }
  });

  it("new-customer's next steps work in the order it prints them; the secret first fails as they say; previews stop until the token is set", () => {
    const made = workdir.run("npm", ["run", "-s", "new-customer", "--", "--name", "firstday", "--domain", "firstday.fitfile.net", "--env", "staging"]);
    assert.equal(made.status, 0, made.stderr);
    const steps = made.stdout.split("\n").filter((line) => /^\s+pulumi /.test(line)).map((line) => line.trim());
    assert.deepEqual(steps, ["pulumi stack init firstday-staging", "pulumi config set --secret cloudflare:apiToken <value> -s firstday-staging"]);

    const early = workdir.pulumiMayFail(["config", "set", "--secret", "cloudflare:apiToken", "a-token", "-s", "firstday-staging"]);
    assert.notEqual(early.status, 0);
    assert.match(early.stderr, /no stack named 'firstday-staging' found/);

    workdir.pulumi(["stack", "init", "firstday-staging"]);
    const unset = workdir.pulumiMayFail(["preview", "-s", "firstday-staging"]);
    assert.notEqual(unset.status, 0);
    const problem =
      "stacks/Pulumi.firstday-staging.yaml: config.cloudflare:apiToken: not set, and the stack manages Cloudflare DNS records (dns.enabled): " +
      "`pulumi config set --secret cloudflare:apiToken <value> -s firstday-staging` (the stack must exist first: `pulumi stack init firstday-staging`), or set CLOUDFLARE_API_TOKEN in the environment";
    assert.equal((unset.stdout + unset.stderr).split(problem).length - 1, 1, `the problem is not told once:\n${unset.stdout}${unset.stderr}`);
    assert.doesNotMatch(unset.stdout + unset.stderr, /bad value|at .*\.ts:\d+:\d+/);

    workdir.pulumi(["config", "set", "--secret", "cloudflare:apiToken", "a-token", "-s", "firstday-staging"]);
    const file = "stacks/Pulumi.firstday-staging.yaml";
    const written = workdir.read(file);
    assert.match(written, /^encryptionsalt: v1:/m, "what to commit: the secrets provider's settings");
    assert.match(written, /cloudflare:apiToken:\n\s+secure: v1:/, "what to commit: the encrypted token");
    const set = workdir.pulumiMayFail(["preview", "-s", "firstday-staging"], { timeoutSeconds: 300 });
    assert.doesNotMatch(set.stdout + set.stderr, /config\.cloudflare:apiToken/, "the token is set: the check passes");
  });

  it("a placeholder token: Pulumi refuses it with `bad value`, naming neither file nor key; rollout names both, once, and previews the other stacks", () => {
    const file = "stacks/Pulumi.firstday-staging.yaml";
    workdir.write(file, workdir.read(file).replace(/secure: v1:\S+/, "secure: placeholder-set-with-pulumi-config-set-secret"));
    const upstream = workdir.pulumiMayFail(["preview", "-s", "firstday-staging"]);
    assert.notEqual(upstream.status, 0);
    assert.match(upstream.stdout + upstream.stderr, /validating stack config: bad value/);

    const rollout = workdir.run(process.execPath, ["--require", "./src/cli/register-typescript.js", "src/cli/rollout.ts", "--preview-only", "--stacks", "demo-local,firstday-staging", "--report-dir", "first-day"], { timeoutSeconds: 900 });
    assert.equal(rollout.status, 4, `${rollout.stdout}\n${rollout.stderr}`);
    const report = JSON.parse(workdir.read("first-day/rollout-report.json")) as { stacks: { stack: string; result: string; error?: string }[] };
    assert.deepEqual(
      report.stacks.map((s) => [s.stack, s.result, s.error]),
      [
        ["demo-local", "previewed", undefined],
        [
          "firstday-staging",
          "secrets not set",
          "invalid configuration, 1 problem(s); nothing was changed:\n  stacks/Pulumi.firstday-staging.yaml: config.cloudflare:apiToken: a placeholder, not an encrypted secret: set it with `pulumi config set --secret cloudflare:apiToken <value> -s firstday-staging`",
        ],
      ],
    );
    const markdown = workdir.read("first-day/rollout-report.md");
    assert.equal(markdown.split("config.cloudflare:apiToken").length - 1, 1, markdown);
    assert.doesNotMatch(markdown + rollout.stdout, /bad value/);
  });
});
