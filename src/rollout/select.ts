import { EnvironmentConfig } from "../config/environment";
import { CUSTOMERS_DIR, DEFAULTS_FILE, STACKS_DIR, loadDefaults } from "../config/files";
import { StackTarget } from "./waves";

/** Files every stack is built from, besides the defaults file: a change to any of them affects the whole fleet. */
const FLEET_WIDE = [/^src\//, /^package(-lock)?\.json$/, /^Pulumi\.yaml$/, /^tsconfig[^/]*\.json$/];

/**
 * Stacks a change to `files` (repository-relative paths) affects: all of them for a change to
 * the defaults, the program or its packages; a customer's stacks for its file, and the stacks of
 * customers that connect to it (their values embed the peer's code and domain); a stack for its
 * own file. Sorted by name.
 */
export function affectedStacks(configs: readonly EnvironmentConfig[], files: readonly string[]): string[] {
  if (files.some((f) => f === DEFAULTS_FILE || FLEET_WIDE.some((pattern) => pattern.test(f)))) {
    return configs.map((c) => c.stack).sort();
  }
  const customers = new Set<string>();
  const stacks = new Set<string>();
  for (const file of files) {
    const customer = new RegExp(`^${CUSTOMERS_DIR}/([^/_][^/]*)\\.yaml$`).exec(file);
    if (customer) customers.add(customer[1]);
    const stack = new RegExp(`^${STACKS_DIR}/Pulumi\\.([^/]+)\\.yaml$`).exec(file);
    if (stack) stacks.add(stack[1]);
  }
  return configs
    .filter((c) => stacks.has(c.stack) || customers.has(c.customer.name) || c.peers.some((p) => customers.has(p.name)))
    .map((c) => c.stack)
    .sort();
}

export interface Selection {
  /** Environments to keep (none: all). */
  environments?: string[];
  /** Stacks to keep (none: all). */
  stacks?: string[];
  /** Only stacks affected by these changed files. */
  changedFiles?: string[];
}

/** The stacks a rollout covers: every valid stack, narrowed by each given criterion. */
export function selectTargets(configs: readonly EnvironmentConfig[], selection: Selection): StackTarget[] {
  const affected = selection.changedFiles ? new Set(affectedStacks(configs, selection.changedFiles)) : undefined;
  return configs
    .filter((c) => !selection.environments || selection.environments.includes(c.environment))
    .filter((c) => !selection.stacks || selection.stacks.includes(c.stack))
    .filter((c) => !affected || affected.has(c.stack))
    .map((c) => ({ stack: c.stack, environment: c.environment, ...(c.settings.rollout?.canary ? { canary: true } : {}) }))
    .sort((a, b) => a.stack.localeCompare(b.stack));
}

/** The environments customers/_defaults.yaml declares, sorted. */
export function knownEnvironments(root: string): string[] {
  return Object.keys(loadDefaults(root).defaults?.environments ?? {}).sort();
}
