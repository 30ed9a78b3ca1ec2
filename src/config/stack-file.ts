import * as path from "node:path";
import { isPlainObject } from "./merge";
import { StackSettingsLayer, stackFileName, stackLayerFromConfig } from "./load";
import { ConfigError } from "./problems";
import { readYamlFile } from "./yaml";
import { SECRET_PLACEHOLDER } from "./secret";

export interface StackFileConfig {
  /** Full config keys (`namespace:key`) to their values as Pulumi passes them: strings, objects as JSON. */
  config: Record<string, string>;
  secretKeys: string[];
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
  for (const [key, value] of Object.entries(rawConfig)) {
    const fullKey = key.includes(":") ? key : `ffnodes:${key}`;
    if (isPlainObject(value) && "secure" in value) {
      config[fullKey] = SECRET_PLACEHOLDER;
      secretKeys.push(fullKey);
    } else {
      config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return { config, secretKeys };
}

/** The part of a stack file that configures the customer environment, read without Pulumi. */
export function readStackLayer(root: string, stack: string): StackSettingsLayer {
  const { config } = parseStackFile(root, stack);
  return stackLayerFromConfig((key) => config[`ffnodes:${key}`], stackFileName(stack));
}
