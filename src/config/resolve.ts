import * as path from "node:path";
import { Layer, LayerSource, isPlainObject, mergeLayers, sourceOf, valueAtPath } from "./merge";
import { isDns1123Label, MAX_LABEL_LENGTH } from "./names";
import { quantityValue } from "./quantity";
import { exceptionMismatches } from "./cidr";
import { ConfigError, Problem, issuesToProblems, joinPath } from "./problems";
import { IDENTITY_KEYS, IdentityKey, SettingPath, environmentSettings } from "./schema";
import { secretSettingProblems, stackBoundaryProblems } from "./boundaries";
import { checkAdoption, parseAdoption, unknownAdoptIds } from "./adopt";
import { EnvironmentConfig, LocatedEnvironment, Origin, Peer } from "./environment";
import { DEFAULTS_FILE, customerFileName, loadCustomerFile, loadDefaults } from "./files";
import { StackSettingsLayer } from "./stack-file";
import { ResolvedSettings, Tenancy, resolveTenancy } from "./tenancy";
import { entryExists } from "./write";

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
  const adopt = parseAdoption(stackLayer.adopt, stackLayer.adoptIds, stackLayer.file);
  const merged = mergeLayers(layers);
  const locate = (p: string): LayerSource => sourceOf(merged.provenance, p, customerEnvSource);
  const parsed = environmentSettings.safeParse(merged.value);
  const resolved = parsed.success ? resolveTenancy(customer, parsed.data) : undefined;
  const secrets = [
    ...secretSettingProblems(merged.value, locate, resolved?.tenancy.vault.path ?? "the customer's Vault path (vault.path; <namespace>-application by default)"),
    ...secretSettingProblems(
      { displayName: loaded.identity?.displayName, fitConnectCode: loaded.identity?.fitConnectCode },
      () => ({ file: customerFile, prefix: "" }),
      resolved?.tenancy.vault.path ?? "the customer's Vault path",
    ),
  ];
  if (!parsed.success || !resolved || !loaded.identity || fileProblems.length > 0) {
    throw new ConfigError([...fileProblems, ...secrets, ...(parsed.success ? [] : issuesToProblems(parsed.error.issues, merged.value, locate, IDENTITY_KEYS))]);
  }

  const { tenancy, settings } = resolved;
  const peers = resolvePeers(root, customer, environment, settings.connects, locate("connects"));
  const { name, displayName, fitConnectCode } = loaded.identity;
  const origin = (key: SettingPath | IdentityKey): Origin => {
    const set = (): Origin => {
      const source = locate(key);
      return { file: source.file, path: joinPath(source.prefix, key) };
    };
    if (key === "namespace" && tenancy.derived.namespace) {
      return { file: customerFile, path: "name", derived: `derived from the name and namespaceSuffix '${parsed.data.namespaceSuffix}'; set namespace to choose another` };
    }
    if ((key === "vault.path" && tenancy.derived.vaultPath) || (key === "dbSuffix" && tenancy.derived.dbSuffix)) {
      return { ...origin("namespace"), derived: `derived from the namespace; set ${key} to choose another` };
    }
    return IDENTITY_KEYS.includes(key) ? { file: customerFile, path: key } : set();
  };
  const config: EnvironmentConfig = {
    stack,
    environment,
    customer: { name, displayName, fitConnectCode },
    tenancy,
    hosts: [...new Set([settings.domain, ...settings.extraHosts])],
    peers: peers.peers,
    settings,
    sharedNamespaces: defaults.sharedNamespaces,
    deployer: defaults.deployer,
    adopt,
    files: [...new Set(layers.map((l) => l.source.file))],
  };
  const allProblems = [
    ...secrets,
    ...checkConsistency(stack, tenancy, settings, locate),
    ...checkEgressExceptions(settings, locate, (key) => layers.findIndex((layer) => layer.source === locate(key))),
    ...checkAdoption(adopt, settings, [settings.domain, ...settings.extraHosts], stackLayer.file),
    ...unknownAdoptIds(adopt.ids, settings, [settings.domain, ...settings.extraHosts], stackLayer.file),
    ...peers.problems,
    ...stackBoundaryProblems(config, locate, stackLayer.file),
  ];
  if (allProblems.length > 0) throw new ConfigError(allProblems);
  return { config, origin };
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
/**
 * External egress's exceptions against its CIDRs, after layering: a customer that narrows the
 * CIDRs inherits the defaults' exceptions, which may then lie outside them (Kubernetes refuses
 * the NetworkPolicy) or except a CIDR whole (it would allow nothing). Told at whichever of the two
 * keys a higher layer set: that layer made them disagree.
 */
function checkEgressExceptions(settings: ResolvedSettings, locate: (p: string) => LayerSource, layerOf: (key: string) => number): Problem[] {
  const CIDRS = "network.externalEgress.cidrs";
  const EXCEPT = "network.externalEgress.except";
  const { cidrs, except } = settings.network.externalEgress;
  const { outside, emptied } = exceptionMismatches(cidrs, except);
  if (outside.length + emptied.length === 0) return [];
  const at = (key: string, message: string): Problem => {
    const source = locate(key);
    return { file: source.file, path: joinPath(source.prefix, key), message };
  };
  const RULE = "Kubernetes refuses an ipBlock whose except is not strictly inside its cidr";
  if (layerOf(CIDRS) > layerOf(EXCEPT)) {
    const exceptFile = locate(EXCEPT).file;
    return [
      at(
        CIDRS,
        [
          ...(outside.length > 0 ? [`the exceptions ${outside.join(", ")} (${EXCEPT}, set in ${exceptFile}) are strictly inside none of these CIDRs (${RULE})`] : []),
          ...emptied.map(({ cidr, by }) => `${cidr} is excepted whole by ${by} (${EXCEPT}, set in ${exceptFile}), so it would allow nothing`),
        ].join("; ") + `: set ${EXCEPT} beside these CIDRs, to exceptions inside them or [] for none`,
      ),
    ];
  }
  const cidrsFile = locate(CIDRS).file;
  const where = cidrsFile === locate(EXCEPT).file ? "" : `, set in ${cidrsFile}`;
  return [
    ...outside.map((e) => at(`${EXCEPT}.${except.indexOf(e)}`, `${e} is strictly inside none of ${CIDRS} (${cidrs.join(", ")}${where}); ${RULE}: remove it, or add a CIDR that holds it`)),
    ...emptied.map(({ cidr, by }) => at(`${EXCEPT}.${except.indexOf(by)}`, `${by} covers ${cidr} of ${CIDRS}${where} whole, so that CIDR would allow nothing: remove one of them`)),
  ];
}

/**
 * What the schema cannot see key by key: names derived from the namespace must stay valid
 * Kubernetes names, and the claims must fit the namespace's own storage quota.
 */
function checkConsistency(stack: string, tenancy: Tenancy, settings: ResolvedSettings, locate: (p: SettingPath) => LayerSource): Problem[] {
  const problems: Problem[] = [];
  const at = (key: SettingPath, message: string) => {
    const source = locate(key);
    problems.push({ file: source.file, path: joinPath(source.prefix, key), message });
  };
  // A claim and its quota may come from different files. The problem is the stack's, told once:
  // at the first of them set outside the defaults (whoever set it made them disagree), or at the
  // quota when the defaults set them all, there naming every stack it breaks.
  const blame = (quotaKey: SettingPath, claimKeys: SettingPath[], message: (quota: string) => string) => {
    const key = [quotaKey, ...claimKeys].find((k) => locate(k).file !== DEFAULTS_FILE) ?? quotaKey;
    const source = locate(key);
    const quotaFile = locate(quotaKey).file;
    const quota = `${quotaKey}'s ${String(valueAtPath(settings, quotaKey.split(".")))}${quotaFile === source.file ? "" : ` (set in ${quotaFile})`}`;
    problems.push({ file: source.file, path: joinPath(source.prefix, key), message: message(quota), stacks: [stack] });
  };
  const claims = Object.entries(settings.storage);
  const requested = claims.reduce((sum, [, claim]) => sum + quantityValue(claim.size), 0);
  if (requested > quantityValue(settings.quota.requestsStorage)) {
    blame(
      "quota.requestsStorage",
      claims.map(([key]) => `storage.${key}.size` as const),
      (quota) => `the claims request ${claims.map(([key, c]) => `${key} ${c.size}`).join(" + ")}, more than ${quota}: raise the quota or shrink the claims`,
    );
  }
  if (claims.length > settings.quota.persistentVolumeClaims) {
    blame(
      "quota.persistentVolumeClaims",
      claims.map(([key]) => `storage.${key}` as const),
      (quota) => `${claims.length} claims are configured (${claims.map(([key]) => key).join(", ")}), more than ${quota}: raise the quota or remove claims`,
    );
  }
  const { namespace } = tenancy;
  const applications = new Map<string, string>();
  for (const [service, name] of Object.entries(tenancy.applications)) {
    const other = applications.get(name);
    if (other) {
      at(`services.${service}`, `application name '${name}' (namespace and service, cut to 63 characters) is the same as service '${other}''s: shorten the namespace or the service key`);
    }
    applications.set(name, service);
  }
  if (!isDns1123Label(namespace)) {
    at("namespace", `namespace '${namespace}' must be a DNS-1123 label of at most 63 characters`);
  }
  for (const [claim, name] of Object.entries(tenancy.claims)) {
    if (name.length > MAX_LABEL_LENGTH) {
      at(`storage.${claim}`, `claim name '${name}' is longer than 63 characters: shorten the claim key or set existingClaim`);
    }
  }
  return problems;
}

