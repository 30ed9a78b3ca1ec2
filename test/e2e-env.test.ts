// The e2e environment's `down` stops only what its own environment started (another
// environment's daemons and a person's own `pulumi` runs stay), says what it stopped, and prints
// the `unset` line; `up` prints a PATH with no npm-internal folders. Checked with real processes
// under a throw-away toolchain cache, in a child process so that the module reads that cache.
import { strict as assert } from "node:assert";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { REPO_ROOT, tempDir } from "./helpers";
import { alive, shellUnsets, startedByEnvironment, userPath } from "../e2e/env";

describe("e2e environment: down stops only its own processes", () => {
  it("kills a left-behind toolchain process of its own state folder, and leaves another environment's and a person's alone", async () => {
    const cache = tempDir("e2e-cache");
    const bin = path.join(cache, "bin", "pulumi-test");
    fs.mkdirSync(bin, { recursive: true });
    const sleep = path.join(bin, "pulumi-language-nodejs");
    fs.copyFileSync(spawnSync("sh", ["-c", "command -v sleep"], { encoding: "utf8" }).stdout.trim(), sleep);
    fs.chmodSync(sleep, 0o755);
    const ours = path.join(cache, "env-a");
    const theirs = path.join(cache, "env-b");
    const start = (env: NodeJS.ProcessEnv) => {
      const child = spawn(sleep, ["300"], { env: { PATH: process.env.PATH, ...env }, stdio: "ignore", detached: true });
      child.unref();
      return child.pid!;
    };
    const strayOfOurs = start({ PULUMI_HOME: path.join(ours, "pulumi-home") });
    const strayOfTheirs = start({ PULUMI_HOME: path.join(theirs, "pulumi-home"), PULUMI_BACKEND_URL: `file://${theirs}/backend` });
    const personsOwn = start({ HOME: "/root" });
    try {
      const script = `require("./e2e/env").down().then((lines) => process.stdout.write(JSON.stringify(lines)))`;
      const result = spawnSync(process.execPath, ["--require", "./src/cli/register-typescript.js", "-e", script], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        env: { ...process.env, FFNODES_E2E_CACHE: cache, FFNODES_E2E_STATE: ours },
      });
      assert.equal(result.status, 0, result.stderr);
      const stopped = JSON.parse(result.stdout) as string[];
      assert.deepEqual(stopped, [`pulumi-language-nodejs (pid ${strayOfOurs}), left behind by an interrupted run`]);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(alive(strayOfOurs), false, "this environment's left-behind process is stopped");
      assert.equal(alive(strayOfTheirs), true, "another environment's process is left running");
      assert.equal(alive(personsOwn), true, "a process of no environment is left running");
    } finally {
      for (const pid of [strayOfOurs, strayOfTheirs, personsOwn]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
  });

  it("tells a process of this environment by any variable that names its state folder, and only by those", () => {
    const state = "/tmp/ffnodes-e2e/env-a";
    const environ = (...entries: string[]) => entries.join("\0");
    const cases: [string, boolean][] = [
      [environ("HOME=/root", `PULUMI_HOME=${state}/pulumi-home`), true],
      [environ(`KUBECONFIG=${state}/kubeconfig`), true],
      [environ(`PULUMI_BACKEND_URL=file://${state}/backend`), true],
      [environ(`PULUMI_HOME=${state}-2/pulumi-home`), false], // a sibling folder whose name starts the same
      [environ(`PULUMI_HOME=/tmp/ffnodes-e2e/env-b/pulumi-home`), false],
      [environ(`SOME_OTHER=${state}/x`), false], // not one of the environment's variables
      [environ("HOME=/root"), false],
      ["", false],
    ];
    for (const [text, expected] of cases) assert.equal(startedByEnvironment(text, state), expected, JSON.stringify(text));
  });

  it("unsets every variable up printed, except PATH", () => {
    const names = shellUnsets().replace(/^unset /, "").split(" ");
    for (const name of ["KUBECONFIG", "PULUMI_HOME", "PULUMI_BACKEND_URL", "CLOUDFLARE_BASE_URL", "CLOUDFLARE_API_TOKEN", "FFNODES_E2E_CLOUDFLARE_READ_TOKEN"]) assert.ok(names.includes(name), `${name}: ${shellUnsets()}`);
    assert.ok(!names.includes("PATH"));
  });

  it("prints a PATH without npm's own folders ahead of the user's", () => {
    const npmPath = ["/work/x/node_modules/.bin", "/work/node_modules/.bin", "/node_modules/.bin", "/usr/lib/node_modules/npm/node_modules/@npmcli/run-script/lib/node-gyp-bin", "/usr/local/bin", "/usr/bin"].join(":");
    assert.equal(userPath(npmPath), "/usr/local/bin:/usr/bin");
  });
});
