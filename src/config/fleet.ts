import { fleetBoundaryProblems } from "./boundaries";
import { EnvironmentConfig, customerFileName, listStacks, resolveEnvironment } from "./load";
import { ConfigError, Problem, formatProblem, joinPath } from "./problems";
import { readStackLayer } from "./stack-file";
import { Tombstone, readTombstones, tombstoneFileName } from "./tombstones";

interface Claim {
  value: string;
  config: EnvironmentConfig;
  /** Key path, relative to the environment section, of the setting that produced the value. */
  key: string;
}

function hostKey(config: EnvironmentConfig, host: string): string {
  return host === config.settings.domain ? "domain" : "extraHosts";
}

/** What must be unique across every stack of the fleet, and where each value comes from. */
const UNIQUE: { what: string; claims: (c: EnvironmentConfig) => Claim[]; reserved: (t: Tombstone) => string[] }[] = [
  { what: "namespace", claims: (c) => [{ value: c.namespace, config: c, key: "namespace" }], reserved: (t) => [t.reserved.namespace] },
  {
    what: "host",
    claims: (c) => c.hosts.map((h) => ({ value: h, config: c, key: hostKey(c, h) })),
    reserved: (t) => t.reserved.hosts,
  },
  { what: "Vault path", claims: (c) => [{ value: c.vaultPath, config: c, key: "vault.path" }], reserved: (t) => [t.reserved.vaultPath] },
  { what: "dbSuffix", claims: (c) => [{ value: c.dbSuffix, config: c, key: "dbSuffix" }], reserved: (t) => [t.reserved.dbSuffix] },
];

/**
 * Cross-customer checks over every stack: no two stacks share a namespace, host, Vault path or
 * database suffix, and no host falls under another stack's wildcard. One problem per clash, on
 * the later stack, naming the earlier one.
 */
export function checkFleet(configs: EnvironmentConfig[]): Problem[] {
  const problems: Problem[] = [];
  const sorted = [...configs].sort((a, b) => a.stack.localeCompare(b.stack));
  for (const { what, claims } of UNIQUE) {
    const owners = new Map<string, EnvironmentConfig>();
    for (const claim of sorted.flatMap(claims)) {
      const owner = owners.get(claim.value);
      if (owner && owner.stack !== claim.config.stack) {
        problems.push({
          file: customerFileName(claim.config.customer.name),
          path: joinPath("environments", claim.config.environment, claim.key),
          message: `${what} '${claim.value}' of stack ${claim.config.stack} is already used by stack ${owner.stack}; each must be unique across the fleet`,
        });
      } else if (!owner) {
        owners.set(claim.value, claim.config);
      }
    }
  }
  problems.push(...checkSharedMounts(sorted), ...wildcardClashes(sorted));
  return problems;
}

/** A wildcard host `*.<name>` answers, and its certificate covers, other stacks' hosts under `<name>`. */
function wildcardClashes(sorted: EnvironmentConfig[]): Problem[] {
  return sorted.flatMap((owner) =>
    owner.hosts
      .filter((wildcard) => wildcard.startsWith("*."))
      .flatMap((wildcard) =>
        sorted
          .filter((other) => other.stack !== owner.stack)
          .flatMap((other) =>
            other.hosts
              .filter((host) => host.endsWith(wildcard.slice(1)))
              .map((host) => ({
                file: customerFileName(other.customer.name),
                path: joinPath("environments", other.environment, hostKey(other, host)),
                message: `host '${host}' of stack ${other.stack} is covered by wildcard '${wildcard}' of stack ${owner.stack}; each host must belong to one stack`,
              })),
          ),
      ),
  );
}

/**
 * A customer's own KV mount must not be named like any stack's shared mount: the customers
 * under that shared mount would fall inside its policies.
 */
function checkSharedMounts(configs: EnvironmentConfig[]): Problem[] {
  const shared = new Map<string, EnvironmentConfig>();
  for (const c of configs) if (!shared.has(c.settings.vault.sharedMount)) shared.set(c.settings.vault.sharedMount, c);
  return configs
    .filter((c) => c.settings.vault.mount === "own" && shared.has(c.vaultPath))
    .map((c) => ({
      file: customerFileName(c.customer.name),
      path: joinPath("environments", c.environment, "vault.path"),
      message: `own mount '${c.vaultPath}' of stack ${c.stack} has the name of the shared mount of stack ${shared.get(c.vaultPath)?.stack}; choose another path`,
    }));
}

/**
 * Names that a retired stack's data still sits under (its tombstone in customers/retired/) are
 * given to no stack; only the stack being decommissioned keeps them until it is gone.
 */
export function checkReservations(configs: EnvironmentConfig[], tombstones: Tombstone[]): Problem[] {
  const problems: Problem[] = [];
  for (const tombstone of tombstones) {
    const holds = (c: EnvironmentConfig) => !(tombstone.status === "in-progress" && tombstone.stack === c.stack);
    for (const { what, claims, reserved } of UNIQUE) {
      const names = new Set(reserved(tombstone));
      for (const claim of configs.filter(holds).flatMap(claims).filter((c) => names.has(c.value))) {
        problems.push({
          file: customerFileName(claim.config.customer.name),
          path: joinPath("environments", claim.config.environment, claim.key),
          message:
            `${what} '${claim.value}' of stack ${claim.config.stack} is reserved by ${tombstoneFileName(tombstone.stack)}: ` +
            `retired stack ${tombstone.stack} left its data under it; choose another, or purge that data and delete the tombstone (README, "Removing a customer")`,
        });
      }
    }
  }
  return problems;
}

/** Every cross-stack check: uniqueness, wildcards, shared mounts, retired stacks' names, and the boundaries between tenants. */
function fleetProblems(configs: EnvironmentConfig[], tombstones: Tombstone[]): Problem[] {
  return [...checkFleet(configs), ...checkReservations(configs, tombstones), ...fleetBoundaryProblems(configs)];
}

/** Layers each stack's configuration from its files, collecting every problem. */
function resolveStacks(root: string, stacks: string[]): { configs: EnvironmentConfig[]; problems: Problem[] } {
  const configs: EnvironmentConfig[] = [];
  const problems: Problem[] = [];
  for (const stack of stacks) {
    try {
      configs.push(resolveEnvironment(root, stack, readStackLayer(root, stack)));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  return { configs, problems };
}

/** Layers every stack's configuration, collecting all problems, then runs the fleet checks. */
export function checkAllStacks(root: string, stacks: string[]): { configs: EnvironmentConfig[]; problems: Problem[] } {
  const { configs, problems } = resolveStacks(root, stacks);
  const retired = readTombstones(root);
  return { configs, problems: [...problems, ...retired.problems, ...fleetProblems(configs, retired.tombstones)] };
}

/**
 * The fleet checks of one stack, as `pulumi up -s <stack>` runs them: its configuration against
 * every other stack of customers/ and stacks/ (`fleet`, when the caller layered them already).
 * What the other stacks clash on among themselves, or cannot be layered, is for their own runs;
 * every clash this stack brings is refused, whichever of the two it is reported on.
 */
export function stackFleetProblems(root: string, config: EnvironmentConfig, fleet?: EnvironmentConfig[]): Problem[] {
  const others = (fleet ?? resolveStacks(root, listStacks(root).filter((s) => s !== config.stack)).configs).filter((c) => c.stack !== config.stack);
  const { tombstones } = readTombstones(root);
  const theirs = new Set(fleetProblems(others, tombstones).map(formatProblem));
  return fleetProblems([config, ...others], tombstones).filter((p) => !theirs.has(formatProblem(p)));
}
