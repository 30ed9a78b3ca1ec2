import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { Layer, LayerSource, isPlainObject, mergeLayers, sourceOf, valueAtPath } from "./merge";
import { applicationName, claimName, isDns1123Label, MAX_LABEL_LENGTH } from "./names";
import { quantityValue } from "./quantity";
import { ConfigError, Problem, joinPath } from "./problems";
import { CustomerIdentity, EnvironmentSettings, IDENTITY_KEYS, customerIdentity, environmentSettings } from "./schema";
import { dnsLabel } from "./schema/common";
import { secretSettingProblems, stackBoundaryProblems } from "./boundaries";
import { ADOPT_KEY, unknownAdoptIds } from "./adopt";
import { entryExists } from "./write";
import { PROTOTYPE_KEY_MESSAGE, isReadableConfigFile, prototypeKeyPaths, readYamlFile } from "./yaml";

export const CUSTOMERS_DIR = "customers";
export const STACKS_DIR = "stacks";
export const DEFAULTS_FILE = `${CUSTOMERS_DIR}/_defaults.yaml`;
/** Tombstones of decommissioned stacks (src/config/tombstones.ts). */
export const RETIRED_DIR = `${CUSTOMERS_DIR}/retired`;

/** A FITConnect peer, as the customer's services need to reach it. */
export interface Peer {
  name: string;
  fitConnectCode: string;
  domain: string;
}

/** One customer environment, fully layered and validated: what the components are built from. */
export interface EnvironmentConfig {
  stack: string;
  environment: string;
  customer: Omit<CustomerIdentity, "environments">;
  namespace: string;
  dbSuffix: string;
  vaultPath: string;
  /** Primary domain first, then the extra hosts, without duplicates. */
  hosts: string[];
  peers: Peer[];
  settings: EnvironmentSettings;
  /** The cluster's shared-service namespaces (`sharedNamespaces` in the defaults file): reserved, and the only ones a tenant's selectors may name. */
  sharedNamespaces: string[];
  /**
   * Adoption of live resources (`ffnodes:adopt`): when enabled, every stateful resource is
   * imported by id instead of created. Ids that cannot be derived from names (a Cloudflare
   * record id, say) come from `ffnodes:adoptIds`, keyed by the resource's logical name.
   */
  adopt: { enabled: boolean; ids: Record<string, string> };
  /** Repository-relative files this environment was layered from, lowest first. */
  files: string[];
}

export interface StackSettingsLayer {
  /** The `ffnodes:settings` object of the stack's config, if any. */
  settings: unknown;
  /** The stack file it came from, for messages. */
  file: string;
  /** `ffnodes:adopt` and `ffnodes:adoptIds`. */
  adopt?: unknown;
  adoptIds?: unknown;
  /** What is wrong with the stack's `ffnodes:*` keys as such: unknown keys, keys that are not settings. */
  problems?: Problem[];
}

/** The `ffnodes:*` keys a stack's config may hold. */
const STACK_KEYS = { settings: "ffnodes:settings", adopt: "ffnodes:adopt", adoptIds: "ffnodes:adoptIds" } as const;

/**
 * Builds the stack layer from raw Pulumi config strings, keyed by full key (`ffnodes:settings`),
 * as `pulumi` passes them and as `plan` reads them from the stack file. A value that is not JSON
 * stays a string, so that the schema, not a JSON parser, says what is wrong with it. Another
 * `ffnodes:` key is a problem: a misspelt key would otherwise be ignored.
 */
export function stackLayerFromConfig(config: Record<string, string>, file: string): StackSettingsLayer {
  const known: string[] = Object.values(STACK_KEYS);
  const problems: Problem[] = Object.keys(config)
    .filter((key) => key.startsWith("ffnodes:") && !known.includes(key))
    .map((key) => ({ file, path: `config.${key}`, message: `unknown key (check its spelling); the ffnodes keys are ${known.join(", ")}` }));
  const value = (key: string): unknown => {
    const raw = config[key];
    if (raw === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
    problems.push(...prototypeKeyPaths(parsed).map((at) => ({ file, path: joinPath(`config.${key}`, at), message: PROTOTYPE_KEY_MESSAGE })));
    return parsed;
  };
  return { settings: value(STACK_KEYS.settings), adopt: value(STACK_KEYS.adopt), adoptIds: value(STACK_KEYS.adoptIds), file, problems };
}

const adoptSchema = z.strictObject({
  enabled: z.boolean("true or false"),
  ids: z.record(z.string(), z.string().min(1, "a non-empty resource id")),
});

interface Defaults {
  all: unknown;
  environments: Record<string, unknown>;
  sharedNamespaces: string[];
}

const defaultsFileSchema = z.strictObject({
  sharedNamespaces: z.array(dnsLabel),
  defaults: z.record(z.string(), z.unknown()),
  environments: z.record(z.string().regex(/^[a-z][a-z0-9]*$/, "lower-case letters and digits"), z.record(z.string(), z.unknown())),
});

export function stackFileName(stack: string): string {
  return `${STACKS_DIR}/Pulumi.${stack}.yaml`;
}

export function customerFileName(customer: string): string {
  return `${CUSTOMERS_DIR}/${customer}.yaml`;
}

// An unknown key's issue carries no list of the keys there are; its schema, seen only while
// parsing, does. Every strict object of the configuration gets that list as its message.
z.config({
  customError: (issue) => {
    const shape = issue.code === "unrecognized_keys" ? (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape : undefined;
    return shape ? `the keys here are: ${Object.keys(shape).join(", ")}` : undefined;
  },
});

/**
 * Turns zod issues into problems, attributing each to the layer that set (or lacked) the key.
 * `fileRootKeys`: keys a file's top level takes besides the schema's (a customer file's identity).
 */
export function issuesToProblems(
  issues: z.core.$ZodIssue[],
  input: unknown,
  locate: (path: string) => LayerSource,
  fileRootKeys: readonly string[] = [],
): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const keyPath = joinPath(base, key);
        const source = locate(keyPath);
        const atFileRoot = base === "" && source.prefix === "" && fileRootKeys.length > 0;
        const allowed = atFileRoot ? `${issue.message}, ${fileRootKeys.join(", ")}` : issue.message;
        problems.push({ file: source.file, path: joinPath(source.prefix, keyPath), message: `unknown key (check its spelling); ${allowed}` });
      }
      continue;
    }
    const source = locate(base);
    const missing = issue.code === "invalid_type" && valueAtPath(input, issue.path) === undefined;
    // zod's own message for a bad key of a record says nothing of what a key may be; the key's schema does.
    const badKey = issue.code === "invalid_key" && issue.message === "Invalid key in record";
    problems.push({
      file: source.file,
      path: joinPath(source.prefix, base),
      message: missing
        ? `required: ${issue.message.replace(/, received undefined$/, "")}`
        : badKey
          ? `not allowed as a key here: ${issue.issues.map((i) => i.message).join("; ")}`
          : issue.message,
    });
  }
  return problems;
}


export function loadDefaults(root: string): { defaults?: Defaults; problems: Problem[] } {
  const read = readYamlFile(path.join(root, DEFAULTS_FILE), DEFAULTS_FILE);
  if (!read.ok) return { problems: read.problems };
  const parsed = defaultsFileSchema.safeParse(read.value);
  if (!parsed.success) {
    return { problems: issuesToProblems(parsed.error.issues, read.value, () => ({ file: DEFAULTS_FILE, prefix: "" })) };
  }
  return { defaults: { all: parsed.data.defaults, environments: parsed.data.environments, sharedNamespaces: parsed.data.sharedNamespaces }, problems: [] };
}

/** Splits `<customer>-<env>` using the environments the defaults file declares. */
export function parseStackName(stack: string, environments: string[]): { customer: string; environment: string } | undefined {
  for (const environment of [...environments].sort((a, b) => b.length - a.length)) {
    const suffix = `-${environment}`;
    if (stack.endsWith(suffix) && stack.length > suffix.length) {
      return { customer: stack.slice(0, -suffix.length), environment };
    }
  }
  return undefined;
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

/** Names of every stack with a file in stacks/, sorted. */
export function listStacks(root: string): string[] {
  return yamlEntries(root, STACKS_DIR)
    .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
    .map((f) => f.slice("Pulumi.".length, -".yaml".length))
    .sort();
}

function resolvePeers(
  root: string,
  self: string,
  environment: string,
  connects: string[],
  connectsSource: LayerSource,
): { peers: Peer[]; problems: Problem[] } {
  const peers: Peer[] = [];
  const problems: Problem[] = [];
  connects.forEach((peerName, index) => {
    const at = joinPath(connectsSource.prefix, "connects", index);
    if (peerName === self) {
      problems.push({ file: connectsSource.file, path: at, message: "a customer cannot connect to itself" });
      return;
    }
    if (!entryExists(path.join(root, customerFileName(peerName)))) {
      problems.push({ file: connectsSource.file, path: at, message: `no customer '${peerName}' (expected ${customerFileName(peerName)})` });
      return;
    }
    const peer = loadCustomerFile(root, peerName);
    const peerEnv = peer.environments?.[environment];
    const domain = isPlainObject(peerEnv) && typeof peerEnv.domain === "string" ? peerEnv.domain : undefined;
    if (!peer.identity || !domain) {
      problems.push({
        file: connectsSource.file,
        path: at,
        message: `customer '${peerName}' has no valid '${environment}' environment with a domain in ${customerFileName(peerName)}`,
      });
      return;
    }
    peers.push({ name: peerName, fitConnectCode: peer.identity.fitConnectCode, domain });
  });
  return { peers, problems };
}

/**
 * Layers and validates one stack's configuration: built-in defaults, environment defaults, the
 * customer file, its environment section, then the stack's `ffnodes:settings`. Throws a
 * ConfigError listing every problem found.
 */
export function resolveEnvironment(root: string, stack: string, stackLayer: StackSettingsLayer): EnvironmentConfig {
  return resolveWithOrigins(root, stack, stackLayer).config;
}

/** Where a problem with a resolved value is told: a file and a key path in it. */
export interface Origin {
  file: string;
  path: string;
  /** How the value was derived, when no file sets it, e.g. "derived from the namespace". */
  derived?: string;
}

/** A resolved environment, and for any of its settings (a key path such as `vault.path`) the file and key that decided it. */
export interface LocatedEnvironment {
  config: EnvironmentConfig;
  origin: (key: string) => Origin;
}

/** resolveEnvironment, also telling where each setting came from: what the cross-customer checks blame. */
export function resolveWithOrigins(root: string, stack: string, stackLayer: StackSettingsLayer): LocatedEnvironment {
  const { defaults, problems } = loadDefaults(root);
  if (!defaults) throw new ConfigError(problems);

  const knownEnvironments = Object.keys(defaults.environments);
  const parsedName = parseStackName(stack, knownEnvironments);
  if (!parsedName) {
    throw new ConfigError([
      {
        file: stackLayer.file,
        path: "",
        message: `stack name '${stack}' must be <customer>-<environment>, environment one of: ${knownEnvironments.join(", ")} (${DEFAULTS_FILE})`,
      },
    ]);
  }
  const { customer, environment } = parsedName;
  const customerFile = customerFileName(customer);
  const loaded = loadCustomerFile(root, customer);
  const fileProblems = [...(stackLayer.problems ?? []), ...loaded.problems, ...unknownEnvironments(customerFile, loaded.environments, knownEnvironments)];
  const envSection = loaded.environments?.[environment];
  if (!isPlainObject(envSection)) {
    // Without an environments mapping, what the file lacks was told already.
    if (loaded.environments === undefined) throw new ConfigError(fileProblems);
    throw new ConfigError([
      ...fileProblems,
      {
        file: customerFile,
        path: joinPath("environments", environment),
        message: `stack '${stack}' needs a '${environment}' section here (a mapping with at least 'domain')`,
      },
    ]);
  }

  const envPrefix = joinPath("environments", environment);
  const customerEnvSource: LayerSource = { file: customerFile, prefix: envPrefix };
  const layers: Layer[] = [
    { source: { file: DEFAULTS_FILE, prefix: "defaults" }, value: defaults.all },
    { source: { file: DEFAULTS_FILE, prefix: envPrefix }, value: defaults.environments[environment] },
    { source: { file: customerFile, prefix: "" }, value: loaded.settings },
    { source: customerEnvSource, value: envSection },
  ];
  if (stackLayer.settings !== undefined) {
    if (!isPlainObject(stackLayer.settings)) {
      throw new ConfigError([{ file: stackLayer.file, path: "config.ffnodes:settings", message: "must be a mapping of settings" }]);
    }
    layers.push({ source: { file: stackLayer.file, prefix: "config.ffnodes:settings" }, value: stackLayer.settings });
  }
  const adopt = adoptSchema.safeParse({ enabled: stackLayer.adopt ?? false, ids: stackLayer.adoptIds ?? {} });
  if (!adopt.success) {
    throw new ConfigError(
      issuesToProblems(adopt.error.issues, { enabled: stackLayer.adopt, ids: stackLayer.adoptIds }, () => ({ file: stackLayer.file, prefix: "" })).map((p) => ({
        ...p,
        path: p.path.replace(/^enabled/, "config.ffnodes:adopt").replace(/^ids/, "config.ffnodes:adoptIds"),
      })),
    );
  }
  const merged = mergeLayers(layers);
  const locate = (p: string): LayerSource => sourceOf(merged.provenance, p, customerEnvSource);
  const parsed = environmentSettings.safeParse(merged.value);
  const paths = parsed.success ? derivedPaths(customer, parsed.data) : undefined;
  const secrets = [
    ...secretSettingProblems(merged.value, locate, paths?.vaultPath ?? "the customer's Vault path (vault.path; <namespace>-application by default)"),
    ...secretSettingProblems(
      { displayName: loaded.identity?.displayName, fitConnectCode: loaded.identity?.fitConnectCode },
      () => ({ file: customerFile, prefix: "" }),
      paths?.vaultPath ?? "the customer's Vault path",
    ),
  ];
  if (!parsed.success || !paths || !loaded.identity || fileProblems.length > 0) {
    throw new ConfigError([...fileProblems, ...secrets, ...(parsed.success ? [] : issuesToProblems(parsed.error.issues, merged.value, locate, IDENTITY_KEYS))]);
  }

  const settings = parsed.data;
  const { namespace, vaultPath } = paths;
  const peers = resolvePeers(root, customer, environment, settings.connects, locate("connects"));
  const { name, displayName, fitConnectCode } = loaded.identity;
  const origin = (key: string): Origin => {
    const set = (): Origin => {
      const source = locate(key);
      return { file: source.file, path: joinPath(source.prefix, key) };
    };
    if (key === "namespace" && settings.namespace === undefined) {
      return { file: customerFile, path: "name", derived: `derived from the name and namespaceSuffix '${settings.namespaceSuffix}'; set namespace to choose another` };
    }
    if ((key === "vault.path" && settings.vault.path === undefined) || (key === "dbSuffix" && settings.dbSuffix === undefined)) {
      return { ...origin("namespace"), derived: `derived from the namespace; set ${key} to choose another` };
    }
    return IDENTITY_KEYS.includes(key) ? { file: customerFile, path: key } : set();
  };
  const config: EnvironmentConfig = {
    stack,
    environment,
    customer: { name, displayName, fitConnectCode },
    namespace,
    dbSuffix: settings.dbSuffix ?? `_${namespace.replace(/-/g, "_")}`,
    vaultPath,
    hosts: [...new Set([settings.domain, ...settings.extraHosts])],
    peers: peers.peers,
    settings,
    sharedNamespaces: defaults.sharedNamespaces,
    adopt: adopt.data,
    files: [...new Set(layers.map((l) => l.source.file))],
  };
  const allProblems = [
    ...secrets,
    ...checkConsistency(namespace, settings, locate),
    ...checkAdoption(adopt.data, settings, [settings.domain, ...settings.extraHosts], stackLayer.file),
    ...unknownAdoptIds(adopt.data.ids, settings, [settings.domain, ...settings.extraHosts], stackLayer.file),
    ...peers.problems,
    ...stackBoundaryProblems(config, locate, stackLayer.file),
  ];
  if (allProblems.length > 0) throw new ConfigError(allProblems);
  return { config, origin };
}

/** The names live data sits under: the namespace (`<customer><namespaceSuffix>` by default) and the Vault path (`<namespace>-application`). */
function derivedPaths(customer: string, settings: EnvironmentSettings): { namespace: string; vaultPath: string } {
  const namespace = settings.namespace ?? `${customer}${settings.namespaceSuffix}`;
  return { namespace, vaultPath: settings.vault.path ?? `${namespace}-application` };
}

/** An environment section of a customer file named after no environment of the defaults: a typo that would go unchecked. */
function unknownEnvironments(file: string, environments: Record<string, unknown> | undefined, known: string[]): Problem[] {
  return Object.keys(environments ?? {})
    .filter((env) => !known.includes(env))
    .map((env) => ({
      file,
      path: joinPath("environments", env),
      message: `unknown environment (check its spelling); environments are: ${known.join(", ")} (${DEFAULTS_FILE})`,
    }));
}

/** The logical name of the DNS record of a host: the key of its live id in `ffnodes:adoptIds`. */
export const dnsRecordName = ADOPT_KEY.dnsRecord;

/** In `ffnodes:adoptIds`, this value creates the resource instead of importing it. */
export const ADOPT_CREATE = "create";

/**
 * Adopt mode imports what exists. A Cloudflare record's id cannot be derived from its name, and
 * creating a record that exists fails, so every host needs its live record id, or `create`.
 */
function checkAdoption(adopt: EnvironmentConfig["adopt"], settings: EnvironmentSettings, hosts: string[], file: string): Problem[] {
  if (!adopt.enabled || !settings.dns.enabled) return [];
  const recordId = /^[0-9a-f]{32}\/[0-9a-f]{32}$/;
  return [...new Set(hosts)]
    .filter((host) => {
      const id = adopt.ids[dnsRecordName(host)];
      return id !== ADOPT_CREATE && !recordId.test(id ?? "");
    })
    .map((host) => ({
      file,
      path: joinPath("config.ffnodes:adoptIds", dnsRecordName(host)),
      message: `adopt mode needs the live Cloudflare record of ${host} as '<zone id>/<record id>' (32 hexadecimal characters each), or '${ADOPT_CREATE}' to create it`,
    }));
}

/**
 * What the schema cannot see key by key: names derived from the namespace must stay valid
 * Kubernetes names, and the claims must fit the namespace's own storage quota.
 */
function checkConsistency(namespace: string, settings: EnvironmentSettings, locate: (p: string) => LayerSource): Problem[] {
  const problems: Problem[] = [];
  const at = (key: string, message: string) => {
    const source = locate(key);
    problems.push({ file: source.file, path: joinPath(source.prefix, key), message });
  };
  // A claim and its quota may come from different files: the problem is told at each key set
  // outside the defaults (whoever set it made them disagree), or at the quota when only the defaults did.
  const blame = (quotaKey: string, claimKeys: string[], message: string) => {
    const keys = [quotaKey, ...claimKeys].filter((key) => locate(key).file !== DEFAULTS_FILE);
    for (const key of keys.length > 0 ? keys : [quotaKey]) at(key, key === quotaKey ? message : `${message} (the quota is set in ${locate(quotaKey).file})`);
  };
  const claims = Object.entries(settings.storage);
  const requested = claims.reduce((sum, [, claim]) => sum + quantityValue(claim.size), 0);
  if (requested > quantityValue(settings.quota.requestsStorage)) {
    blame(
      "quota.requestsStorage",
      claims.map(([key]) => `storage.${key}.size`),
      `the claims request ${claims.map(([, c]) => c.size).join(" + ")}, more than quota.requestsStorage's ${settings.quota.requestsStorage}: raise the quota or shrink the claims`,
    );
  }
  if (claims.length > settings.quota.persistentVolumeClaims) {
    blame(
      "quota.persistentVolumeClaims",
      claims.map(([key]) => `storage.${key}`),
      `${claims.length} claims are configured but quota.persistentVolumeClaims allows ${settings.quota.persistentVolumeClaims}`,
    );
  }
  const applications = new Map<string, string>();
  for (const [service, spec] of Object.entries(settings.services)) {
    if (!spec.enabled) continue;
    const name = applicationName(namespace, service);
    const other = applications.get(name);
    if (other) {
      at(`services.${service}`, `application name '${name}' (namespace and service, cut to 63 characters) is the same as service '${other}''s: shorten the namespace or the service key`);
    }
    applications.set(name, service);
  }
  if (!isDns1123Label(namespace)) {
    at("namespace", `namespace '${namespace}' must be a DNS-1123 label of at most 63 characters`);
  }
  for (const [claim, spec] of Object.entries(settings.storage)) {
    const name = claimName(namespace, claim, spec.existingClaim);
    if (name.length > MAX_LABEL_LENGTH) {
      at(`storage.${claim}`, `claim name '${name}' is longer than 63 characters: shorten the claim key or set existingClaim`);
    }
  }
  return problems;
}
