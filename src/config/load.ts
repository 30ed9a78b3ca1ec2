import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { Layer, LayerSource, isPlainObject, mergeLayers, sourceOf, valueAtPath } from "./merge";
import { claimName, isDns1123Label, MAX_LABEL_LENGTH, objectName } from "./names";
import { quantityValue } from "./quantity";
import { ConfigError, Problem, joinPath } from "./problems";
import { CustomerIdentity, EnvironmentSettings, IDENTITY_KEYS, customerIdentity, environmentSettings } from "./schema";
import { dnsLabel } from "./schema/common";
import { readYamlFile } from "./yaml";
import { secretSettingProblems, stackBoundaryProblems } from "./boundaries";

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
}

/**
 * Builds the stack layer from raw Pulumi config strings (as `pulumi` passes them, and as `plan`
 * reads them from the stack file). A value that is not JSON stays a string, so that the schema,
 * not a JSON parser, says what is wrong with it.
 */
export function stackLayerFromConfig(get: (key: string) => string | undefined, file: string): StackSettingsLayer {
  const value = (key: string): unknown => {
    const raw = get(key);
    if (raw === undefined) return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  };
  return { settings: value("settings"), adopt: value("adopt"), adoptIds: value("adoptIds"), file };
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

/** Turns zod issues into problems, attributing each to the layer that set (or lacked) the key. */
export function issuesToProblems(
  issues: z.core.$ZodIssue[],
  input: unknown,
  locate: (path: string) => LayerSource,
): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const keyPath = joinPath(base, key);
        const source = locate(keyPath);
        problems.push({ file: source.file, path: joinPath(source.prefix, keyPath), message: "unknown key (check its spelling)" });
      }
      continue;
    }
    const source = locate(base);
    const missing = issue.code === "invalid_type" && valueAtPath(input, issue.path) === undefined;
    problems.push({
      file: source.file,
      path: joinPath(source.prefix, base),
      message: missing ? `required: ${issue.message.replace(/, received undefined$/, "")}` : issue.message,
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
  environments: Record<string, unknown>;
  problems: Problem[];
}

export function loadCustomerFile(root: string, customer: string): CustomerFile {
  const file = customerFileName(customer);
  const read = readYamlFile(path.join(root, file), file);
  if (!read.ok) return { settings: {}, environments: {}, problems: read.problems };
  if (!isPlainObject(read.value)) {
    return { settings: {}, environments: {}, problems: [{ file, path: "", message: "must be a mapping of keys to values" }] };
  }
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
    environments: isPlainObject(identityPart.environments) ? identityPart.environments : {},
    problems,
  };
}

/** Names of every customer file (without `_defaults`), sorted. */
export function listCustomers(root: string): string[] {
  const dir = path.join(root, CUSTOMERS_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".yaml") && !f.startsWith("_"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort();
}

/**
 * A throw-away copy of the fleet's configuration (the YAML files of customers/, its tombstones and stacks/), for
 * trying new files against every other stack before anything is written. The caller removes it.
 */
export function scratchCopy(root: string): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ffnodes-scratch-"));
  for (const dir of [CUSTOMERS_DIR, RETIRED_DIR, STACKS_DIR]) {
    fs.mkdirSync(path.join(scratch, dir));
    if (!fs.existsSync(path.join(root, dir))) continue;
    for (const file of fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith(".yaml"))) {
      fs.copyFileSync(path.join(root, dir, file), path.join(scratch, dir, file));
    }
  }
  return scratch;
}

/** Names of every stack with a file in stacks/, sorted. */
export function listStacks(root: string): string[] {
  const dir = path.join(root, STACKS_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
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
    if (!fs.existsSync(path.join(root, customerFileName(peerName)))) {
      problems.push({ file: connectsSource.file, path: at, message: `no customer '${peerName}' (expected ${customerFileName(peerName)})` });
      return;
    }
    const peer = loadCustomerFile(root, peerName);
    const peerEnv = peer.environments[environment];
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
  const envSection = loaded.environments[environment];
  if (!isPlainObject(envSection)) {
    throw new ConfigError([
      ...loaded.problems,
      {
        file: customerFile,
        path: joinPath("environments", environment),
        message: `stack '${stack}' needs an '${environment}' section here (a mapping with at least 'domain')`,
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
  if (!parsed.success || !paths || !loaded.identity || loaded.problems.length > 0) {
    throw new ConfigError([...loaded.problems, ...secrets, ...(parsed.success ? [] : issuesToProblems(parsed.error.issues, merged.value, locate))]);
  }

  const settings = parsed.data;
  const { namespace, vaultPath } = paths;
  const peers = resolvePeers(root, customer, environment, settings.connects, locate("connects"));
  const { name, displayName, fitConnectCode } = loaded.identity;
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
    ...peers.problems,
    ...stackBoundaryProblems(config, locate, stackLayer.file),
  ];
  if (allProblems.length > 0) throw new ConfigError(allProblems);
  return config;
}

/** The names live data sits under: the namespace (`<customer><namespaceSuffix>` by default) and the Vault path (`<namespace>-application`). */
function derivedPaths(customer: string, settings: EnvironmentSettings): { namespace: string; vaultPath: string } {
  const namespace = settings.namespace ?? `${customer}${settings.namespaceSuffix}`;
  return { namespace, vaultPath: settings.vault.path ?? `${namespace}-application` };
}

/** The logical name of the DNS record of a host: the key of its live id in `ffnodes:adoptIds`. */
export function dnsRecordName(host: string): string {
  return `dns-${host}`;
}

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
  const claims = Object.values(settings.storage);
  const requested = claims.reduce((sum, claim) => sum + quantityValue(claim.size), 0);
  if (requested > quantityValue(settings.quota.requestsStorage)) {
    at(
      "quota.requestsStorage",
      `the claims request ${claims.map((c) => c.size).join(" + ")}, more than the quota's ${settings.quota.requestsStorage}: raise the quota or shrink the claims`,
    );
  }
  if (claims.length > settings.quota.persistentVolumeClaims) {
    at("quota.persistentVolumeClaims", `${claims.length} claims are configured but the quota allows ${settings.quota.persistentVolumeClaims}`);
  }
  const applications = new Map<string, string>();
  for (const [service, spec] of Object.entries(settings.services)) {
    if (!spec.enabled) continue;
    const name = objectName(namespace, service);
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
