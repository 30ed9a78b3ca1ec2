import { fleetBoundaryProblems } from "./boundaries";
import { ConfigError, Problem, formatProblem, uniqueProblems } from "./problems";
import { EnvironmentConfig, LocatedEnvironment, Origin } from "./environment";
import { DEFAULTS_FILE, listCustomers, listStacks, loadCustomerFile, loadDefaults } from "./files";
import { fleetFingerprint, fleetPassed, recordFleetPassed } from "./fleet-verdict";
import { parseStackName, resolveWithOrigins } from "./resolve";
import type { SettingPath } from "./schema";
import { readStackLayer } from "./stack-file";
import { Tombstone, readTombstones, tombstoneFileName } from "./tombstones";

interface Claim {
  value: string;
  member: LocatedEnvironment;
  /** Where the value comes from: the key that set it, or that it is derived from. */
  origin: Origin;
  /** What else the message says about the value, e.g. how it is composed. */
  detail?: string;
}

const hostKey = (c: EnvironmentConfig, host: string): SettingPath => (host === c.settings.domain ? "domain" : `extraHosts.${c.settings.extraHosts.indexOf(host)}`);

/** The origin of a service's setting, or of the namespace when the service comes with the defaults (every customer has it). */
function serviceOrigin(member: LocatedEnvironment, service: string): Origin {
  const set = member.origin(`services.${service}`);
  return set.file === DEFAULTS_FILE ? member.origin("namespace") : set;
}

/**
 * What must be unique across the fleet, and where each value comes from. Values are unique
 * between stacks, or for `perCustomer` ones between customers (a customer's environments share
 * them). `alsoClashing` skips a clash another row already reports.
 */
const UNIQUE: {
  what: string;
  perCustomer?: boolean;
  claims: (m: LocatedEnvironment) => Omit<Claim, "member">[];
  alsoClashing?: (a: EnvironmentConfig, b: EnvironmentConfig) => boolean;
  /** The names of this kind a retired stack's tombstone reserves. */
  reserved?: (t: Tombstone) => string[];
}[] = [
  { what: "namespace", claims: (m) => [{ value: m.config.tenancy.namespace, origin: m.origin("namespace") }], reserved: (t) => [t.reserved.namespace] },
  { what: "host", claims: (m) => m.config.hosts.map((h) => ({ value: h, origin: m.origin(hostKey(m.config, h)) })), reserved: (t) => t.reserved.hosts },
  {
    what: "Vault path",
    claims: (m) => [{ value: m.config.tenancy.vault.path, origin: m.origin("vault.path") }],
    alsoClashing: (a, b) => a.tenancy.namespace === b.tenancy.namespace && a.tenancy.derived.vaultPath && b.tenancy.derived.vaultPath,
    reserved: (t) => [t.reserved.vaultPath],
  },
  {
    what: "dbSuffix",
    claims: (m) => [{ value: m.config.tenancy.dbSuffix, origin: m.origin("dbSuffix") }],
    alsoClashing: (a, b) => a.tenancy.namespace === b.tenancy.namespace && a.tenancy.derived.dbSuffix && b.tenancy.derived.dbSuffix,
    reserved: (t) => [t.reserved.dbSuffix],
  },
  {
    what: "database name",
    claims: (m) =>
      Object.entries(m.config.tenancy.databases).map(([db, name]) => ({
        value: name,
        origin: m.origin("dbSuffix"),
        detail: `database '${db}' and dbSuffix '${m.config.tenancy.dbSuffix}'`,
      })),
    alsoClashing: (a, b) => a.tenancy.dbSuffix === b.tenancy.dbSuffix,
  },
  {
    what: "application name",
    claims: (m) =>
      Object.entries(m.config.tenancy.applications).map(([service, name]) => ({
          value: name,
          origin: serviceOrigin(m, service),
          detail: `namespace '${m.config.tenancy.namespace}' and service '${service}', cut to 63 characters`,
        })),
    alsoClashing: (a, b) => a.tenancy.namespace === b.tenancy.namespace,
  },
  { what: "fitConnectCode", perCustomer: true, claims: (m) => [{ value: m.config.customer.fitConnectCode, origin: m.origin("fitConnectCode") }] },
];

/** "a, b or c". */
const either = (items: string[]) => (items.length > 1 ? `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}` : items.join(""));

/** What the fleet checks hold once they have passed, in words, for a report that they did. */
export const FLEET_CHECKS = [
  `no two stacks share a ${either(UNIQUE.filter((u) => !u.perCustomer).map((u) => u.what))}`,
  `no two customers share a ${either(UNIQUE.filter((u) => u.perCustomer).map((u) => u.what))}`,
  "no host is under another stack's wildcard",
  "no own Vault mount has a shared mount's name",
  "no stack takes a name a retired stack's tombstone reserves",
  "no stack names another's claims or DNS records",
];

function problemAt(origin: Origin, message: string): Problem {
  return { file: origin.file, path: origin.path, message: origin.derived ? `${message} (${origin.derived})` : message };
}

/**
 * Cross-customer checks over every stack: no two stacks share a namespace, host, Vault path,
 * database suffix or name, or application name; no two customers share a FITConnect code; no
 * host falls under another stack's wildcard; no own Vault mount takes a shared mount's name.
 * One problem per clash, blamed on the key that made it in the later stack, naming the earlier
 * one. Stacks are taken in name order, the `newcomers` (being added) last: a clash is theirs.
 */
function checkFleet(members: LocatedEnvironment[], newcomers: readonly string[] = []): Problem[] {
  const rank = (m: LocatedEnvironment) => (newcomers.includes(m.config.stack) ? 1 : 0);
  const sorted = [...members].sort((a, b) => rank(a) - rank(b) || a.config.stack.localeCompare(b.config.stack));
  const problems: Problem[] = [];
  for (const { what, perCustomer, claims, alsoClashing } of UNIQUE) {
    const owners = new Map<string, Claim>();
    for (const claim of sorted.flatMap((member) => claims(member).map((c): Claim => ({ ...c, member })))) {
      const owner = owners.get(claim.value);
      if (!owner) {
        owners.set(claim.value, claim);
        continue;
      }
      const [a, b] = [owner.member.config, claim.member.config];
      if ((perCustomer ? a.customer.name === b.customer.name : a.stack === b.stack) || alsoClashing?.(a, b)) continue;
      // The later claim is blamed, unless it only derives the value that the earlier one sets
      // explicitly (and is no newcomer): then the one who wrote the value caused the clash.
      const ownerToBlame = claim.origin.derived !== undefined && owner.origin.derived === undefined && rank(claim.member) === rank(owner.member);
      const [blamed, other] = ownerToBlame ? [owner, claim] : [claim, owner];
      const whose = perCustomer ? `customer ${other.member.config.customer.name}` : `stack ${other.member.config.stack}`;
      problems.push(
        problemAt(
          blamed.origin,
          `${what} '${blamed.value}'${blamed.detail ? ` (${blamed.detail})` : ""} of stack ${blamed.member.config.stack} is ${ownerToBlame ? "also" : "already"} used by ${whose}; each must be unique across the fleet`,
        ),
      );
    }
  }
  problems.push(...checkSharedMounts(sorted), ...wildcardClashes(sorted));
  return problems;
}

/** Of two clashing stacks, the one that comes later (in `sorted`) is blamed. */
function later<T>(sorted: LocatedEnvironment[], a: LocatedEnvironment, b: LocatedEnvironment, ifA: T, ifB: T): T {
  return sorted.indexOf(a) > sorted.indexOf(b) ? ifA : ifB;
}

/** A wildcard host `*.<name>` answers, and its certificate covers, other stacks' hosts under `<name>`. */
function wildcardClashes(sorted: LocatedEnvironment[]): Problem[] {
  return sorted.flatMap((owner) =>
    owner.config.hosts
      .filter((wildcard) => wildcard.startsWith("*."))
      .flatMap((wildcard) =>
        sorted
          .filter((other) => other.config.stack !== owner.config.stack)
          .flatMap((other) =>
            other.config.hosts
              .filter((host) => host.endsWith(wildcard.slice(1)))
              .map((host) =>
                later(
                  sorted,
                  owner,
                  other,
                  problemAt(
                    owner.origin(hostKey(owner.config, wildcard)),
                    `wildcard '${wildcard}' of stack ${owner.config.stack} covers host '${host}' of stack ${other.config.stack}; each host must belong to one stack`,
                  ),
                  problemAt(
                    other.origin(hostKey(other.config, host)),
                    `host '${host}' of stack ${other.config.stack} is covered by wildcard '${wildcard}' of stack ${owner.config.stack}; each host must belong to one stack`,
                  ),
                ),
              ),
          ),
      ),
  );
}

/**
 * A customer's own KV mount must not be named like any stack's shared mount: the customers
 * under that shared mount would fall inside its policies.
 */
function checkSharedMounts(sorted: LocatedEnvironment[]): Problem[] {
  const shared = new Map<string, LocatedEnvironment>();
  for (const m of sorted) if (!shared.has(m.config.settings.vault.sharedMount)) shared.set(m.config.settings.vault.sharedMount, m);
  return sorted.flatMap((own) => {
    const holder = shared.get(own.config.tenancy.vault.path);
    if (own.config.settings.vault.mount !== "own" || !holder || holder.config.stack === own.config.stack) return [];
    return [
      later(
        sorted,
        holder,
        own,
        problemAt(
          holder.origin("vault.sharedMount"),
          `shared mount '${own.config.tenancy.vault.path}' of stack ${holder.config.stack} has the name of the own mount of stack ${own.config.stack}; choose another`,
        ),
        problemAt(
          own.origin("vault.path"),
          `own mount '${own.config.tenancy.vault.path}' of stack ${own.config.stack} has the name of the shared mount of stack ${holder.config.stack}; choose another path`,
        ),
      ),
    ];
  });
}

/**

 * Names that a retired stack's data still sits under (its tombstone in customers/retired/) are
 * given to no stack; only the stack being decommissioned keeps them until it is gone. Told at the
 * key that gives the name (or that it derives from).
 */
function checkReservations(members: LocatedEnvironment[], tombstones: Tombstone[]): Problem[] {
  const problems: Problem[] = [];
  for (const tombstone of tombstones) {
    const holds = (m: LocatedEnvironment) => !(tombstone.status === "in-progress" && tombstone.stack === m.config.stack);
    for (const { what, claims, reserved } of UNIQUE) {
      const names = new Set(reserved?.(tombstone) ?? []);
      for (const member of members.filter(holds)) {
        for (const claim of claims(member).filter((c) => names.has(c.value))) {
          problems.push(
            problemAt(
              claim.origin,
              `${what} '${claim.value}' of stack ${member.config.stack} is reserved by ${tombstoneFileName(tombstone.stack)}: ` +
                `retired stack ${tombstone.stack} left its data under it; choose another, or purge that data and delete the tombstone (README, "Removing a customer")`,
            ),
          );
        }
      }
    }
  }
  return problems;
}

/** Every cross-stack check: uniqueness, wildcards, shared mounts, retired stacks' names, and the boundaries between tenants. */
function fleetProblems(members: LocatedEnvironment[], tombstones: Tombstone[], newcomers: readonly string[] = []): Problem[] {
  return [...checkFleet(members, newcomers), ...checkReservations(members, tombstones), ...fleetBoundaryProblems(members)];
}

/** Layers each stack's configuration from its files, collecting every problem. */
function resolveStacks(root: string, stacks: string[]): { members: LocatedEnvironment[]; problems: Problem[] } {
  const members: LocatedEnvironment[] = [];
  const problems: Problem[] = [];
  for (const stack of stacks) {
    try {
      members.push(resolveWithOrigins(root, stack, readStackLayer(root, stack)));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(...e.problems);
    }
  }
  return { members, problems };
}

/**
 * Layers every stack's configuration, collecting all problems (each once), then runs the fleet
 * checks. `newcomers` are stacks being added: clashes are blamed on them.
 */
export function checkAllStacks(
  root: string,
  stacks: string[],
  newcomers: readonly string[] = [],
): { configs: EnvironmentConfig[]; members: LocatedEnvironment[]; problems: Problem[] } {
  const whole = newcomers.length === 0 && sameNames(stacks, listStacks(root));
  const fingerprint = whole ? fleetFingerprint(root) : undefined;
  // Every stack layers the defaults: when they are broken, that is the one problem to tell.
  const defaults = loadDefaults(root);
  if (!defaults.defaults) return { configs: [], members: [], problems: defaults.problems };
  const { members, problems } = resolveStacks(root, stacks);
  const retired = readTombstones(root);
  const all = uniqueProblems([...problems, ...retired.problems, ...fleetProblems(members, retired.tombstones, newcomers)]);
  if (fingerprint !== undefined && all.length === 0) recordFleetPassed(root, fingerprint);
  return { configs: members.map((m) => m.config), members, problems: all };
}

const sameNames = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && [...a].sort().every((name, i) => name === [...b].sort()[i]);

/**
 * The fleet checks of one stack, as `pulumi up -s <stack>` runs them: its configuration against
 * every other stack of customers/ and stacks/.
 * What the other stacks clash on among themselves, or cannot be layered, is for their own runs;
 * every clash this stack brings is refused, whichever of the two it is reported on.
 * `asInItsFile`: the member was layered from its stack file as written. Then a fleet that has
 * passed every check as it is now (fleet-verdict.ts) is not layered again, and a fleet found
 * clean here is recorded as passed.
 */
export function stackFleetProblems(root: string, member: LocatedEnvironment, asInItsFile = true): Problem[] {
  const stack = member.config.stack;
  const stacks = listStacks(root);
  const fingerprint = asInItsFile && stacks.includes(stack) ? fleetFingerprint(root) : undefined;
  if (fingerprint !== undefined && fleetPassed(fingerprint)) return [];
  const others = resolveStacks(root, stacks.filter((s) => s !== stack));
  const retired = readTombstones(root);
  const theirs = new Set(fleetProblems(others.members, retired.tombstones).map(formatProblem));
  const problems = fleetProblems([member, ...others.members], retired.tombstones).filter((p) => !theirs.has(formatProblem(p)));
  if (fingerprint !== undefined && problems.length + theirs.size + others.problems.length + retired.problems.length === 0) recordFleetPassed(root, fingerprint);
  return problems;
}

/**
 * Problems of the customer files that none of `stacks` layers: nothing else reads them, so a
 * broken one (a directory in its place, a syntax error) would pass unseen. For the commands over
 * the whole fleet.
 */
export function checkCustomersWithoutStacks(root: string, stacks: string[]): Problem[] {
  const { defaults } = loadDefaults(root);
  if (!defaults) return [];
  const layered = new Set(stacks.map((stack) => parseStackName(stack, Object.keys(defaults.environments))?.customer));
  return listCustomers(root)
    .filter((customer) => !layered.has(customer))
    .flatMap((customer) => loadCustomerFile(root, customer).problems);
}
