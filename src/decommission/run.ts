import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, parseDocument } from "yaml";
import { checkAllStacks } from "../config/fleet";
import { EnvironmentConfig } from "../config/environment";
import { customerFileName, listStacks, noSuchStack, scratchCopy, stackFileName } from "../config/files";
import { resolveEnvironment } from "../config/resolve";
import { readStackLayer } from "../config/stack-file";
import { isPlainObject } from "../config/merge";
import { ConfigError, formatProblem } from "../config/problems";
import { parseStackFile } from "../config/stack-file";
import { RetainedData, Tombstone, readTombstone, tombstoneFileName, writeTombstone } from "../config/tombstones";
import { writeConfigFiles } from "../config/write";
import { readBoundedFile, readYamlFile } from "../config/yaml";
import * as pulumi from "@pulumi/pulumi";
import { DecommissionBackend, PulumiBackend } from "./backend";
import { DecommissionPlan, StateResource, describe, planDecommission, retainedData } from "./state";
import { KubectlWorkloads, Workloads } from "./workloads";

/** The stack a decommission removes, from its configuration or, when resuming, from its tombstone. */
type DecommissionTarget = Omit<Tombstone, "status" | "started" | "retired" | "retained" | "purge">;

function targetFromConfig(root: string, config: EnvironmentConfig): DecommissionTarget {
  const file = customerFileName(config.customer.name);
  const read = readYamlFile(path.join(root, file), file);
  if (!read.ok) throw new ConfigError(read.problems);
  // resolveEnvironment read this file as a mapping already.
  if (!isPlainObject(read.value)) throw new ConfigError([{ file, path: "", message: "must be a mapping of keys to values" }]);
  const { environments, ...topLevel } = read.value;
  const section = isPlainObject(environments) ? environments[config.environment] : undefined;
  return {
    stack: config.stack,
    customer: config.customer.name,
    environment: config.environment,
    argocdNamespace: config.settings.gitops.argocdNamespace,
    kubernetesContext: parseStackFile(root, config.stack).config["kubernetes:context"],
    reserved: { namespace: config.tenancy.namespace, vaultPath: config.tenancy.vault.path, dbSuffix: config.tenancy.dbSuffix, hosts: config.hosts },
    customerFile: { ...topLevel, environments: { [config.environment]: section } },
  };
}

/**
 * Moves the environment out of the customer's files: its section leaves the customer file (the
 * whole file when it was the last one) and its stack file goes. Each part is skipped once done.
 */
function retireFiles(root: string, target: DecommissionTarget): void {
  const file = customerFileName(target.customer);
  const customerFile = path.join(root, file);
  if (fs.existsSync(customerFile)) {
    const read = readBoundedFile(customerFile, file);
    if (!read.ok) throw new ConfigError(read.problems);
    const document = parseDocument(read.text);
    document.deleteIn(["environments", target.environment]);
    const left = document.get("environments");
    if (isMap(left) && left.items.length > 0) writeConfigFiles(root, [{ file, text: document.toString() }], true);
    else fs.rmSync(customerFile);
  }
  fs.rmSync(path.join(root, stackFileName(target.stack)), { force: true });
}

/**
 * Refuses a retirement that would break another stack (a peer whose `connects` names this
 * customer, say): the fleet is checked in a scratch copy with the files retired.
 */
function checkRetirement(root: string, target: DecommissionTarget): void {
  const others = listStacks(root).filter((s) => s !== target.stack);
  const before = new Set(checkAllStacks(root, others).problems.map(formatProblem));
  const scratch = scratchCopy(root);
  try {
    retireFiles(scratch, target);
    const introduced = checkAllStacks(scratch, listStacks(scratch)).problems.filter((p) => !before.has(formatProblem(p)));
    if (introduced.length > 0) {
      throw new ConfigError(introduced.map((p) => ({ ...p, message: `${p.message} (once stack ${target.stack} is retired)` })));
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Commands that delete the retained data for good, with its live names. */
function purgeCommands(target: DecommissionTarget, retained: RetainedData): string[] {
  const kubectl = `kubectl${target.kubernetesContext ? ` --context ${target.kubernetesContext}` : ""}`;
  const commands: string[] = [];
  if (retained.namespace) {
    commands.push(
      `${kubectl} delete namespace ${retained.namespace}`,
      `${kubectl} get persistentvolumes -o custom-columns=NAME:.metadata.name,CLAIM:.spec.claimRef.namespace --no-headers | awk '$2 == "${retained.namespace}" {print $1}' | xargs -r ${kubectl} delete persistentvolume`,
    );
  }
  if (retained.vaultMount) commands.push(`vault secrets disable ${retained.vaultMount}`);
  else {
    for (const secret of retained.vaultSecrets) {
      const [mount, name] = secret.split("/data/");
      commands.push(`vault kv metadata delete -mount=${mount} ${name}`);
    }
  }
  for (const record of retained.dnsRecords) commands.push(`# delete the DNS record ${record} in Cloudflare`);
  for (const other of retained.other) commands.push(`# delete ${other}`);
  commands.push(`git rm ${tombstoneFileName(target.stack)}`);
  return commands;
}

/** The union of what an earlier, interrupted run recorded and what the state still holds. */
function mergeRetained(earlier: RetainedData | undefined, now: RetainedData): RetainedData {
  if (!earlier) return now;
  const union = <T>(a: T[], b: T[]) => [...new Map([...a, ...b].map((x) => [JSON.stringify(x), x])).values()];
  return {
    namespace: now.namespace ?? earlier.namespace,
    claims: union(earlier.claims, now.claims),
    vaultMount: now.vaultMount ?? earlier.vaultMount,
    vaultSecrets: union(earlier.vaultSecrets, now.vaultSecrets),
    dnsRecords: union(earlier.dnsRecords, now.dnsRecords),
    inNamespace: union(earlier.inNamespace, now.inNamespace),
    other: union(earlier.other, now.other),
  };
}

export interface Step {
  name: string;
  /** What it does, with live names, for the dry run and the progress lines. */
  does: string;
  /** Names of what it acts on, listed under it in the dry run. */
  items: string[];
  /** Undefined when there is nothing left to do (a resumed run). */
  run?: () => Promise<void>;
}

interface DecommissionContext {
  root: string;
  target: DecommissionTarget;
  /** The stack's resources; undefined when the backend has no such stack. */
  resources: StateResource[] | undefined;
  /** The tombstone of an earlier run that stopped part-way. */
  earlier?: Tombstone;
  backend: DecommissionBackend;
  workloads: Workloads;
  now: () => Date;
}

/**
 * The steps, in order. Each one is planned from the live state read at the start, so that a run
 * after a failure skips what is done.
 */
function decommissionSteps(ctx: DecommissionContext): { steps: Step[]; plan: DecommissionPlan; tombstone: Tombstone } {
  const { root, target, backend, workloads } = ctx;
  const plan = planDecommission(ctx.resources ?? []);
  const retained = mergeRetained(ctx.earlier?.retained, retainedData(plan.retained));
  const tombstone: Tombstone = {
    ...target,
    status: "in-progress",
    started: ctx.earlier?.started ?? ctx.now().toISOString(),
    retained,
    purge: purgeCommands(target, retained),
  };
  const namespace = plan.namespace;
  const protectedUrns = plan.retained.filter((r) => r.protect).map((r) => r.urn);
  const steps: Step[] = [
    {
      name: "record",
      does: `write ${tombstoneFileName(target.stack)}: what is retained, and the names it reserves`,
      items: [],
      run: () => Promise.resolve(writeTombstone(root, tombstone)),
    },
    {
      name: "stop-sync",
      does: "delete the ApplicationSet, so that Argo CD stops syncing, and wait until Argo CD removed its Applications (their workloads stay)",
      items: plan.applicationSets.map(describe),
      run:
        namespace === undefined
          ? undefined
          : async () => {
              if (plan.applicationSets.length > 0) await backend.destroy(target.stack, plan.applicationSets.map((r) => r.urn));
              await workloads.waitForApplicationsGone(namespace, target.argocdNamespace);
            },
    },
    {
      name: "remove-workloads",
      does: `delete the workloads in namespace ${namespace ?? target.reserved.namespace} (Deployments, StatefulSets, DaemonSets, ReplicaSets, CronJobs, Jobs, Pods), keeping its claims, Services, ConfigMaps and Secrets`,
      items: [],
      run: namespace === undefined ? undefined : async () => void (await workloads.remove(namespace)),
    },
    {
      name: "unprotect",
      does: "unprotect the data holders; they are retained on delete, so the destroy leaves them in place",
      items: plan.retained.filter((r) => r.protect).map(describe),
      run: protectedUrns.length === 0 ? undefined : () => backend.unprotect(target.stack, protectedUrns),
    },
    {
      name: "destroy",
      does: "destroy everything else the stack created; what is retained on delete stays, so the retained namespace stays isolated",
      items: [
        ...plan.deleted.filter((r) => !plan.applicationSets.includes(r)).map(describe),
        ...plan.retained.filter((r) => !r.protect).map((r) => `${describe(r)} (retained on delete: stays)`),
      ],
      run: plan.deleted.length + plan.retained.length === 0 ? undefined : () => backend.destroy(target.stack),
    },
    {
      name: "remove-stack",
      does: `remove stack ${target.stack} from the Pulumi backend`,
      items: [],
      run: ctx.resources === undefined ? undefined : () => backend.removeStack(target.stack),
    },
    {
      name: "retire",
      does: `move the '${target.environment}' section of ${customerFileName(target.customer)} into the tombstone and delete ${stackFileName(target.stack)}`,
      items: [],
      run: () => {
        retireFiles(root, target);
        writeTombstone(root, { ...tombstone, status: "retired", retired: ctx.now().toISOString() });
        return Promise.resolve();
      },
    },
  ];
  return { steps, plan, tombstone };
}

/** Protected resources that are not retained on delete: unprotecting them would delete them. */
function protectedButNotRetained(resources: readonly StateResource[]): StateResource[] {
  return planDecommission(resources).deleted.filter((r) => r.protect === true);
}

export interface DecommissionDependencies {
  backend?: (root: string) => Promise<DecommissionBackend>;
  workloads?: (context: string | undefined) => Workloads;
  /** Where progress goes (default: stderr). */
  progress?: { write(text: string): unknown };
  now?: () => Date;
}

async function defaultBackend(root: string): Promise<DecommissionBackend> {
  try {
    return await PulumiBackend.create(root);
  } catch (error) {
    throw new pulumi.RunError(`decommission needs the Pulumi CLI on PATH (https://www.pulumi.com/docs/install/): ${(error as Error).message.split("\n")[0]}`);
  }
}

/** The stack's target: from an interrupted run's tombstone (`earlier`), else from its configuration. */
export function decommissionTarget(root: string, stack: string): { target: DecommissionTarget; earlier?: Tombstone } {
  const earlier = readTombstone(root, stack);
  if (earlier?.status === "in-progress") return { target: earlier, earlier };
  if (!listStacks(root).includes(stack)) {
    const retired = earlier ? `; it was decommissioned on ${earlier.retired ?? earlier.started} (${tombstoneFileName(stack)})` : "";
    throw noSuchStack(root, stack, retired);
  }
  return { target: targetFromConfig(root, resolveEnvironment(root, stack, readStackLayer(root, stack))) };
}

/**
 * What a decommission of `target` does, step by step, and the tombstone it writes. Refuses a
 * retirement that would break another stack, and a state where something protected is not
 * retained (deleting the stack would delete it).
 */
export async function prepareDecommission(
  root: string,
  target: DecommissionTarget,
  earlier: Tombstone | undefined,
  deps: DecommissionDependencies,
): Promise<{ steps: Step[]; tombstone: Tombstone; resources: StateResource[] | undefined }> {
  const { stack } = target;
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
  return { steps, tombstone, resources };
}

/** Where a run of the steps stopped: the step, why, and which steps are done and which are left. */
export interface Stopped {
  step: string;
  message: string;
  done: string[];
  left: string[];
}

/** Runs the steps not done yet, in order, telling `progress` of each; stops at the first failure. */
export async function runSteps(stack: string, steps: Step[], progress: { write(text: string): unknown }): Promise<Stopped | undefined> {
  const todo = steps.filter((s) => s.run);
  for (const [i, step] of steps.entries()) {
    if (!step.run) continue;
    const started = performance.now();
    progress.write(`decommission ${stack}: [${i + 1}/${steps.length}] ${step.name}: ${step.does}\n`);
    try {
      await step.run();
    } catch (error) {
      return {
        step: step.name,
        message: (error as Error).message,
        done: steps.slice(0, i).map((s) => s.name),
        left: todo.slice(todo.indexOf(step)).map((s) => s.name),
      };
    }
    progress.write(`decommission ${stack}: [${i + 1}/${steps.length}] ${step.name}: done in ${((performance.now() - started) / 1000).toFixed(1)}s\n`);
  }
  return undefined;
}
