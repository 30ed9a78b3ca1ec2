import * as fs from "node:fs";
import * as path from "node:path";
import { tombstoneFileName } from "../config/tombstones";
import { DecommissionDependencies, Step, decommissionTarget, prepareDecommission, runSteps } from "../decommission/run";
import { PRODUCTION_ENVIRONMENT } from "../rollout/waves";
import { parseFlags, runCli, UsageError } from "./run";
import { EXIT_STACKS_FAILED } from "../errors";

const USAGE = `usage: npm run decommission -- --stack <customer>-<env> [--confirm <customer>-<env>] [--production] [--dry-run]

Removes a customer environment and keeps its data. Without --confirm repeating the stack name it
only prints what it would do. With it, in order: deletes the ApplicationSet (Argo CD stops
syncing), deletes the namespace's workloads, unprotects the data holders (namespace, claims,
Vault mount or secrets, DNS records), destroys everything else, removes the stack from
the Pulumi backend, and moves the environment's settings to customers/retired/<stack>.yaml, a
tombstone that keeps the retained data's names reserved. A production stack also needs
--production. A run that stops part-way is resumed by running the same command again.

Exit codes: 0 done (or dry run), 1 invalid configuration, 2 usage, 4 a step failed.`;

interface DecommissionResult {
  output: string;
  exitCode: number;
}

/** `skipped`: what a step with nothing to run is, "done" when resuming, else why there is nothing to do. */
function renderSteps(steps: Step[], skipped: string): string {
  return steps
    .map((step, i) => {
      const header = `  ${i + 1}. ${step.run ? "" : `(${skipped}) `}${step.does}`;
      return [header, ...step.items.map((item) => `       ${item}`)].join("\n");
    })
    .join("\n");
}

export async function decommission(argv: string[], root: string, deps: DecommissionDependencies = {}): Promise<DecommissionResult> {
  const { values } = parseFlags(
    argv,
    {
      stack: { type: "string" },
      confirm: { type: "string" },
      production: { type: "boolean" },
      "dry-run": { type: "boolean" },
      help: { type: "boolean" },
    },
    USAGE,
  );
  if (values.help) return { output: USAGE, exitCode: 0 };
  const stack = values.stack;
  if (typeof stack !== "string") throw new UsageError("--stack is required", USAGE);
  if (values.confirm !== undefined && values.confirm !== stack) {
    throw new UsageError(`--confirm must repeat the stack name exactly ('${stack}'), got '${values.confirm}'`, USAGE);
  }
  const { target, earlier } = decommissionTarget(root, stack);
  const dryRun = values["dry-run"] === true || values.confirm === undefined;
  if (target.environment === PRODUCTION_ENVIRONMENT && !values.production && !dryRun) {
    throw new UsageError(`${stack} is a production stack: give --production too`, USAGE);
  }
  const { steps, tombstone, resources } = await prepareDecommission(root, target, earlier, deps);
  const command = `npm run decommission -- --stack ${stack} --confirm ${stack}${target.environment === PRODUCTION_ENVIRONMENT ? " --production" : ""}`;
  const state = resources === undefined ? `stack ${stack} has no state in the backend: nothing of it is live` : `${resources.length} resources in the state`;

  if (dryRun) {
    const reserved = tombstone.reserved;
    return {
      output: [
        `Decommission of ${stack} (${state}${earlier ? `; resuming the run recorded in ${tombstoneFileName(stack)}` : ""}). It would:`,
        renderSteps(steps, earlier ? "done" : resources === undefined ? "nothing to do: never deployed" : "nothing to do"),
        "",
        `Left in place: ${tombstone.retained.namespace ? `namespace ${tombstone.retained.namespace}` : "no namespace"}; ` +
          `claims ${tombstone.retained.claims.map((c) => `${c.name} (${c.size})`).join(", ") || "none"}; ` +
          `${tombstone.retained.vaultMount ? `Vault mount ${tombstone.retained.vaultMount} with ` : ""}Vault secrets ${tombstone.retained.vaultSecrets.join(", ") || "none"}; ` +
          `DNS records ${tombstone.retained.dnsRecords.join(", ") || "none"}.`,
        `Reserved while the tombstone exists: namespace ${reserved.namespace}, Vault path ${reserved.vaultPath}, dbSuffix ${reserved.dbSuffix}, hosts ${reserved.hosts.join(", ")}.`,
        "",
        `Dry run: nothing was changed. To do it: ${command}`,
      ].join("\n"),
      exitCode: 0,
    };
  }

  const stopped = await runSteps(stack, steps, deps.progress ?? process.stderr);
  if (stopped) {
    return {
      output: [
        `ffnodes: decommission of ${stack} stopped at '${stopped.step}': ${stopped.message}`,
        `  done: ${stopped.done.join(", ") || "nothing"}`,
        `  left: ${stopped.left.join(", ")}`,
        fs.existsSync(path.join(root, tombstoneFileName(stack))) ? `  ${tombstoneFileName(stack)} records the progress.` : "  Nothing was changed.",
        `  To resume, fix the cause and run the same command again: ${command}`,
      ].join("\n"),
      exitCode: EXIT_STACKS_FAILED,
    };
  }
  return {
    output: [
      `Decommissioned ${stack}. Its data is left in place and recorded in ${tombstoneFileName(stack)}; commit that file and the retired ones.`,
      `To delete the data for good later, run the tombstone's purge commands (README, "Removing a customer").`,
    ].join("\n"),
    exitCode: 0,
  };
}

if (require.main === module) {
  runCli(async (argv) => {
    const result = await decommission(argv, process.cwd());
    process.exitCode = result.exitCode;
    if (result.exitCode === 0) return result.output;
    process.stderr.write(`${result.output}\n`);
    return "";
  });
}
