// (e) `pulumi preview` of demo-local under the real CLI, the program started as Pulumi.yaml has
// it committed, against the same preview with Pulumi's default TypeScript start (ts-node, which
// type-checks). Needs the e2e environment (`npm run e2e:env -- up`): the providers talk to it.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { status } from "../e2e/env";
import { Workdir } from "../e2e/workdir";

const STACK = "demo-local";

function previewSeconds(workdir: Workdir): number {
  const start = process.hrtime.bigint();
  workdir.pulumi(["preview", "-s", STACK]);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Pulumi.yaml with the runtime options replaced by Pulumi's defaults for a TypeScript program. */
function withDefaultTypeScriptStart(pulumiYaml: string): string {
  const replaced = pulumiYaml.replace(/ {2}options:\n(?: {4}.*\n)+/, "  options:\n    typescript: true\n");
  if (replaced === pulumiYaml) throw new Error("Pulumi.yaml has no runtime options block to replace");
  return replaced;
}

export function benchPulumiPreview(runs: number): string[] {
  const env = status();
  if (!env) return ["pulumi preview: not measured; it needs the e2e environment: npm run e2e:env -- up, then npm run bench"];
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "ffnodes-bench-state-"));
  const isolated = { ...env, vars: { ...env.vars, PULUMI_BACKEND_URL: `file://${backend}` } };
  const committed = new Workdir(isolated);
  const tsNode = new Workdir(isolated);
  try {
    tsNode.write("Pulumi.yaml", withDefaultTypeScriptStart(tsNode.read("Pulumi.yaml")));
    for (const workdir of [committed, tsNode]) {
      workdir.ensureStack(STACK);
      previewSeconds(workdir); // warms the transpile cache and the plugins' first start
    }
    const times: [number[], number[]] = [[], []];
    for (let run = 0; run < runs; run++) [committed, tsNode].forEach((workdir, i) => times[i].push(previewSeconds(workdir)));
    const [fast, slow] = times.map((t) => [...t].sort((a, b) => a - b)[Math.floor(t.length / 2)]);
    return [
      `pulumi preview -s ${STACK}, as committed          ${fast.toFixed(2)} s`,
      `    with typescript: true (ts-node)                ${slow.toFixed(2)} s; committed start = ${(fast / slow).toFixed(2)}x of it`,
    ];
  } finally {
    committed.remove();
    tsNode.remove();
    fs.rmSync(backend, { recursive: true, force: true });
  }
}
