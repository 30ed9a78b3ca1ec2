import * as path from "node:path";
import { isMap, parseDocument } from "yaml";
import { isPlainObject } from "./merge";
import { dnsRecordName } from "./adopt";
import { stackFileName } from "./files";
import { ConfigError, Problem, joinPath } from "./problems";
import { PROTOTYPE_KEY_MESSAGE, prototypeKeyPaths, readYamlFile } from "./yaml";
import { SECRET_PLACEHOLDER } from "./secrets";
import { isCiphertext, setSecretCommand } from "./provider-secrets";

interface StackFileConfig {
  /** Full config keys (`namespace:key`) to their values as Pulumi passes them: strings, objects as JSON. */
  config: Record<string, string>;
  secretKeys: string[];
  /** Full keys whose `secure:` value is a placeholder, not a ciphertext Pulumi can decrypt. */
  placeholders: string[];
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


/** A stack file's config key in full: a key without a namespace belongs to the project (`ffnodes:`). */
export function fullConfigKey(key: string): string {
  return key.includes(":") ? key : `ffnodes:${key}`;
}

/**
 * Reads a stack's settings from its file as written. `secure:` values stay encrypted: they become
 * a placeholder marked secret, so that nothing needs a passphrase and nothing can leak.
 */
export function parseStackFile(root: string, stack: string): StackFileConfig {
  const file = stackFileName(stack);
  const read = readYamlFile(path.join(root, file), file);
  if (!read.ok) throw new ConfigError(read.problems);
  const document = read.value ?? {};
  if (!isPlainObject(document)) throw new ConfigError([{ file, path: "", message: "must be a mapping with a 'config' key" }]);
  const rawConfig = document.config ?? {};
  if (!isPlainObject(rawConfig)) throw new ConfigError([{ file, path: "config", message: "must be a mapping of config keys" }]);

  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const placeholders: string[] = [];
  const problems: Problem[] = [];
  for (const [key, value] of Object.entries(rawConfig)) {
    const fullKey = fullConfigKey(key);
    if (fullKey.startsWith("ffnodes:")) {
      for (const at of securePaths(value, [])) {
        problems.push({
          file,
          path: joinPath("config", key, ...at),
          message: "an encrypted secret in ffnodes settings: ffnodes settings hold no secrets; put it in the customer's Vault space (README, \"Tenant boundaries\") and keep only provider settings secure here",
        });
      }
    }
    if (isPlainObject(value) && "secure" in value) {
      config[fullKey] = SECRET_PLACEHOLDER;
      secretKeys.push(fullKey);
      if (!isCiphertext(value.secure)) placeholders.push(fullKey);
    } else {
      config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, secretKeys, placeholders };
}

/** Key paths of every `secure:` value inside a config value (`[]` for the value itself). */
function securePaths(value: unknown, at: string[]): string[][] {
  if (Array.isArray(value)) return value.flatMap((item, i) => securePaths(item, [...at, String(i)]));
  if (!isPlainObject(value)) return [];
  if ("secure" in value) return [at];
  return Object.entries(value).flatMap(([key, child]) => securePaths(child, [...at, key]));
}

/** The part of a stack file that configures the customer environment, read without Pulumi. */
export function readStackLayer(root: string, stack: string): StackSettingsLayer {
  const { config } = parseStackFile(root, stack);
  return stackLayerFromConfig(config, stackFileName(stack));
}

/**
 * A stack file's text with these `ffnodes:adoptIds` entries set, everything else (comments, order,
 * other keys) as it was. The key is the one the file already spells (`ffnodes:adoptIds` or
 * `adoptIds`), else `ffnodes:adoptIds`.
 */
export function withAdoptIds(text: string, ids: Record<string, string>): string {
  const document = parseDocument(text);
  const config = document.get("config");
  const spelt = isMap(config) && !config.has(STACK_KEYS.adoptIds) && config.has("adoptIds") ? "adoptIds" : STACK_KEYS.adoptIds;
  for (const [key, id] of Object.entries(ids)) document.setIn(["config", spelt, key], id);
  return document.toString();
}

/** What an operator must fill in before an adopted stack plans: each host's live record id. */
const RECORD_ID_PLACEHOLDER = "<zone id>/<record id>";

interface StackFileSpec {
  stack: string;
  environment: string;
  /** Whether the stack talks to Cloudflare (and so needs its token). */
  cloudflare: boolean;
  /**
   * Turns adopt mode on, for a customer that runs live: its resources are imported by id, never
   * created anew, and each of these hosts' record ids is left for the operator to fill in (until
   * then `plan` names every one that is missing).
   */
  adoptHosts?: string[];
}

/** A new stack file: provider settings with placeholders, never what the customer is. */
export function renderStackFile(spec: StackFileSpec): string {
  const { stack, environment } = spec;
  const lines = [`# Provider settings and secrets for stack ${stack}; what the customer is lives in customers/.`];
  if (spec.cloudflare) {
    // No placeholder under `secure:`: Pulumi refuses one with `bad value` before the program can
    // say which secret is missing and how to set it.
    lines.push(
      `# Before its first preview: pulumi stack init ${stack}, then`,
      `#   ${setSecretCommand("cloudflare:apiToken", stack)}`,
      "# and commit what they add here: the encrypted token and the secrets provider's settings.",
    );
  }
  lines.push("config:", `  kubernetes:context: fitfile-${environment}`, "  vault:address: https://vault.fitfile.net");
  if (spec.adoptHosts) {
    lines.push(
      "  # Imported from a live Helm deployment: adopt mode imports the live resources instead of creating them",
      `  # (README, "Migrating a live customer"). After the first successful up: pulumi config rm ffnodes:adopt -s ${stack}`,
      "  ffnodes:adopt: true",
    );
    if (spec.adoptHosts.length > 0) {
      lines.push(
        `  # Each host's live Cloudflare record as <zone id>/<record id> (npm run adopt-ids -- --stack ${stack} fills them in), or \`create\` for a host that has none yet:`,
        "  ffnodes:adoptIds:",
      );
      for (const host of spec.adoptHosts) lines.push(`    ${dnsRecordName(host)}: "${RECORD_ID_PLACEHOLDER}"`);
    }
  }
  return `${lines.join("\n")}\n`;
}
