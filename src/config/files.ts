import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { isPlainObject } from "./merge";
import { ConfigError, Problem, issuesToProblems } from "./problems";
import { CustomerIdentity, IDENTITY_KEYS, customerIdentity } from "./schema";
import { dnsLabel } from "./schema/common";
import { editDistance } from "./names";
import { isReadableConfigFile, readYamlFile } from "./yaml";

export const CUSTOMERS_DIR = "customers";
export const STACKS_DIR = "stacks";
export const DEFAULTS_FILE = `${CUSTOMERS_DIR}/_defaults.yaml`;
/** Tombstones of decommissioned stacks (src/config/tombstones.ts). */
export const RETIRED_DIR = `${CUSTOMERS_DIR}/retired`;
/** The ServiceAccount `pulumi up` runs as (`deployer` in the defaults file): the README's least-privileged deployer. */
export interface Deployer {
  namespace: string;
  serviceAccount: string;
}

interface Defaults {
  all: unknown;
  environments: Record<string, unknown>;
  sharedNamespaces: string[];
  deployer: Deployer;
}

const defaultsFileSchema = z.strictObject({
  sharedNamespaces: z.array(dnsLabel),
  deployer: z.strictObject({ namespace: dnsLabel, serviceAccount: dnsLabel }),
  defaults: z.record(z.string(), z.unknown()).meta({ description: "a mapping of the settings every customer environment starts from" }),
  environments: z
    .record(z.string().regex(/^[a-z][a-z0-9]*$/, "lower-case letters and digits"), z.record(z.string(), z.unknown()))
    .meta({ description: "a mapping of environments to their settings, such as prod: {}" }),
});

export function stackFileName(stack: string): string {
  return `${STACKS_DIR}/Pulumi.${stack}.yaml`;
}

export function customerFileName(customer: string): string {
  return `${CUSTOMERS_DIR}/${customer}.yaml`;
}


export function loadDefaults(root: string): { defaults?: Defaults; problems: Problem[] } {
  const read = readYamlFile(path.join(root, DEFAULTS_FILE), DEFAULTS_FILE);
  if (!read.ok) return { problems: read.problems };
  const parsed = defaultsFileSchema.safeParse(read.value);
  if (!parsed.success) {
    return { problems: issuesToProblems(parsed.error.issues, read.value, () => ({ file: DEFAULTS_FILE, prefix: "" })) };
  }
  const { defaults, environments, sharedNamespaces, deployer } = parsed.data;
  return { defaults: { all: defaults, environments, sharedNamespaces, deployer }, problems: [] };
}

interface CustomerFile {
  identity?: CustomerIdentity;
  /** Customer-wide settings: every top-level key that is not identity. */
  settings: Record<string, unknown>;
  /** The environment sections; undefined when the file could not be read or has no `environments` mapping (a problem says so). */
  environments?: Record<string, unknown>;
  problems: Problem[];
}

export function loadCustomerFile(root: string, customer: string): CustomerFile {
  const file = customerFileName(customer);
  const read = readYamlFile(path.join(root, file), file);
  if (!read.ok) return { settings: {}, problems: read.problems };
  if (!isPlainObject(read.value)) return { settings: {}, problems: [{ file, path: "", message: "must be a mapping of keys to values" }] };
  const identityPart: Record<string, unknown> = {};
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(read.value)) {
    (IDENTITY_KEYS.includes(key) ? identityPart : settings)[key] = value;
  }
  const parsed = customerIdentity.safeParse(identityPart);
  const problems = parsed.success ? [] : issuesToProblems(parsed.error.issues, identityPart, () => ({ file, prefix: "" }));
  if (parsed.success && parsed.data.name !== customer) {
    problems.push({ file, path: "name", message: `must match the file name: '${customer}'` });
  }
  return {
    identity: parsed.success ? parsed.data : undefined,
    settings,
    environments: isPlainObject(identityPart.environments) ? identityPart.environments : undefined,
    problems,
  };
}

/** Names of every customer file (without `_defaults`), sorted. */
export function listCustomers(root: string): string[] {
  return yamlEntries(root, CUSTOMERS_DIR)
    .filter((f) => !f.startsWith("_"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
}

/**
 * A throw-away copy of the fleet's configuration (the YAML files of customers/, its tombstones and stacks/), for
 * trying new files against every other stack before anything is written. The caller removes it.
 */
export function scratchCopy(root: string): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ffnodes-scratch-"));
  try {
    for (const dir of [CUSTOMERS_DIR, RETIRED_DIR, STACKS_DIR]) {
      fs.mkdirSync(path.join(scratch, dir));
      for (const file of yamlEntries(root, dir)) {
        const original = path.resolve(root, dir, file);
        // Anything but a small regular file is linked, not read: reading it in the copy then fails
        // as it does in the project, with the same message. Nothing is written through such a link.
        if (isReadableConfigFile(original)) fs.copyFileSync(original, path.join(scratch, dir, file));
        else fs.symlinkSync(original, path.join(scratch, dir, file));
      }
    }
    return scratch;
  } catch (e) {
    fs.rmSync(scratch, { recursive: true, force: true });
    throw e;
  }
}

/** Names of the `.yaml` entries of a directory of the project, whatever they are; none when it is not a directory. */
export function yamlEntries(root: string, dir: string): string[] {
  const absolute = path.join(root, dir);
  if (!fs.existsSync(absolute) || !fs.statSync(absolute).isDirectory()) return [];
  return fs.readdirSync(absolute).filter((f) => f.endsWith(".yaml"));
}

/** Names of every stack with a file in stacks/, for a command over the whole fleet: none is a mistake (the wrong directory, say). */
export function fleetStacks(root: string): string[] {
  const stacks = listStacks(root);
  if (stacks.length === 0) throw new ConfigError([{ file: `${STACKS_DIR}/`, path: "", message: "holds no stack files: expected Pulumi.<customer>-<env>.yaml files" }]);
  return stacks;
}

/**
 * The refusal of a stack name that has no file in stacks/: the nearest name when it looks like a
 * typo of one, and the stacks there are. `why` says what else is known of it (a tombstone).
 */
export function noSuchStack(root: string, stack: string, why = ""): ConfigError {
  const stacks = listStacks(root);
  const distance = (name: string) => editDistance(stack.toLowerCase(), name);
  const nearest = [...stacks].sort((a, b) => distance(a) - distance(b))[0];
  const typo = nearest !== undefined && distance(nearest) <= Math.max(2, Math.floor(stack.length / 4)) ? ` (did you mean ${nearest}?)` : "";
  const there = stacks.length > 0 ? `stacks are: ${stacks.join(", ")}` : `${STACKS_DIR}/ holds no stack files`;
  return new ConfigError([{ file: stackFileName(stack), path: "", message: `no such stack${why}${typo}; ${there}` }]);
}

/** Names of every stack with a file in stacks/, sorted. */
export function listStacks(root: string): string[] {
  return yamlEntries(root, STACKS_DIR)
    .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
    .map((f) => f.slice("Pulumi.".length, -".yaml".length))
    .sort();
}
