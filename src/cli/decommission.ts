import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { listStacks, noSuchStack } from "../config/files";
import { resolveEnvironment } from "../config/resolve";
import { readStackLayer } from "../config/stack-file";
import { Tombstone, readTombstone, tombstoneFileName } from "../config/tombstones";
import { DecommissionBackend, PulumiBackend } from "../decommission/backend";
import { DecommissionTarget, Step, checkRetirement, decommissionSteps, protectedButNotRetained, targetFromConfig } from "../decommission/run";
import { describe } from "../decommission/state";
import { KubectlWorkloads, Workloads } from "../decommission/workloads";
import { PRODUCTION_ENVIRONMENT } from "../rollout/waves";
import { EXIT_STACKS_FAILED, parseFlags, runCli, UsageError } from "./run";

const USAGE = `usage: npm run decommission -- --stack <customer>-<env> [--confirm <customer>-<env>] [--production] [--dry-run]

Removes a customer environment and keeps its data. Without --confirm repeating the stack name it
only prints what it would do. With it, in order: deletes the ApplicationSet (Argo CD stops
syncing), deletes the namespace's workloads, unprotects the data holders (namespace, claims,
Vault mount or secrets, DNS records), destroys everything else, removes the stack from
the Pulumi backend, and moves the environment's settings to customers/retired/<stack>.yaml, a
tombstone that keeps the retained data's names reserved. A production stack also needs
--production. A run that stops part-way is resumed by running the same command again.

Exit codes: 0 done (or dry run), 1 invalid configuration, 2 usage, 4 a step failed.`;

export interface DecommissionDependencies {
  backend?: (root: string) => Promise<DecommissionBackend>;
  workloads?: (context: string | undefined) => Workloads;
  /** Where progress goes (default: stderr). */
  progress?: { write(text: string): unknown };
  now?: () => Date;
}

interface DecommissionResult {
  output: string;
  exitCode: number;
}

async function defaultBackend(root: string): Promise<DecommissionBackend> {
  try {
    return await PulumiBackend.create(root);
  } catch (error) {
    throw new pulumi.RunError(`decommission needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/): ${(error as Error).message.split("\n")[0]}`);
  }
}

/** The stack's target: from an interrupted run's tombstone (`earlier`), else from its configuration. */
function targetOf(root: string, stack: string): { target: DecommissionTarget; earlier?: Tombstone } {
  const earlier = readTombstone(root, stack);
  if (earlier?.status === "in-progress") return { target: earlier, earlier };
  if (!listStacks(root).includes(stack)) {
    const retired = earlier ? `; it was decommissioned on ${earlier.retired ?? earlier.started} (${tombstoneFileName(stack)})` : "";
    throw noSuchStack(root, stack, retired);
  }
  return { target: targetFromConfig(root, resolveEnvironment(root, stack, readStackLayer(root, stack))) };
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
  const { target, earlier } = targetOf(root, stack);
  const dryRun = values["dry-run"] === true || values.confirm === undefined;
  if (target.environment === PRODUCTION_ENVIRONMENT && !values.production && !dryRun) {
    throw new UsageError(`${stack} is a production stack: give --production too`, USAGE);
  }
  checkRetirement(root, target);

  const backend = await (deps.backend ?? defaultBackend)(root);
  const resources = await backend.resources(stack);
  const unsafe = protectedButNotRetained(resources ?? []);
  if (unsafe.length > 0) {
    throw new pulumi.RunError(
      `${stack}: protected but not retained on delete, so a decommission would delete them: ${unsafe.map(describe).join(", ")}; ` +
        "retain them (retainOnDelete) or unprotect them on purpose first",
    );
  }
  const workloads = (deps.workloads ?? ((context) => new KubectlWorkloads(context)))(target.kubernetesContext);
  const now = deps.now ?? (() => new Date());
  const { steps, tombstone } = decommissionSteps({ root, target, resources, earlier, backend, workloads, now });
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

  const progress = deps.progress ?? process.stderr;
  const todo = steps.filter((s) => s.run);
  for (const [i, step] of steps.entries()) {
    if (!step.run) continue;
    const started = performance.now();
    progress.write(`decommission ${stack}: [${i + 1}/${steps.length}] ${step.name}: ${step.does}\n`);
    try {
      await step.run();
    } catch (error) {
      const left = todo.slice(todo.indexOf(step)).map((s) => s.name);
      const done = steps.slice(0, i).map((s) => s.name);
      return {
        output: [
          `ffnodes: decommission of ${stack} stopped at '${step.name}': ${(error as Error).message}`,
          `  done: ${done.join(", ") || "nothing"}`,
          `  left: ${left.join(", ")}`,
          fs.existsSync(path.join(root, tombstoneFileName(stack))) ? `  ${tombstoneFileName(stack)} records the progress.` : "  Nothing was changed.",
          `  To resume, fix the cause and run the same command again: ${command}`,
        ].join("\n"),
        exitCode: EXIT_STACKS_FAILED,
      };
    }
    progress.write(`decommission ${stack}: [${i + 1}/${steps.length}] ${step.name}: done in ${((performance.now() - started) / 1000).toFixed(1)}s\n`);
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
