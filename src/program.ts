import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { stackFleetProblems } from "./config/fleet";
import { EnvironmentConfig } from "./config/environment";
import { stackFileName } from "./config/files";
import { resolveWithOrigins } from "./config/resolve";
import { ConfigError } from "./config/problems";
import { requiredCredentials, unsetSecretProblems } from "./config/provider-secrets";
import { parseStackFile, stackLayerFromConfig } from "./config/stack-file";
import { Customer, CustomerOutputs } from "./customer";

/**
 * Reads this stack's configuration: the customer files under `root` plus `ffnodes:settings`,
 * checked against every other stack of the fleet, so that a person's `pulumi up -s <stack>` gets
 * the same cross-tenant checks as `plan --all`.
 */
function readStackConfig(root: string, checks: ProgramChecks = {}): EnvironmentConfig {
  const stack = pulumi.getStack();
  const file = stackFileName(stack);
  // Pulumi hands the program decrypted values: the stack file, as written, shows where a `secure:` sits.
  const written = fs.existsSync(path.join(root, file)) ? parseStackFile(root, stack) : undefined;
  const config = pulumi.runtime.allConfig();
  const layer = stackLayerFromConfig(config, file);
  const resolved = resolveWithOrigins(root, stack, layer);
  const inFile = written && stackLayerFromConfig(written.config, file);
  const problems = checks.fleetChecked ? [] : stackFleetProblems(root, resolved, isDeepStrictEqual(layer, inFile));
  if (checks.credentialsFrom) {
    const secrets = { stack, file, keys: Object.keys(config), placeholders: written?.placeholders ?? [], needed: requiredCredentials(resolved.config.settings) };
    problems.push(...unsetSecretProblems(secrets, checks.credentialsFrom));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved.config;
}

interface ProgramChecks {
  /**
   * The caller checked the whole fleet, this stack included, and found nothing (plan --all), so
   * this stack's check would find nothing either; skipping it keeps planning a fleet linear in its size.
   */
  fleetChecked?: boolean;
  /**
   * The environment the providers run in, under the real engine: every credential the stack's
   * resources need must be set, in its config or there, before anything is registered. An
   * offline plan decrypts nothing and needs none.
   */
  credentialsFrom?: NodeJS.ProcessEnv;
}

/**
 * The Pulumi program: one customer environment per stack. Invalid configuration stops the
 * program before anything is registered, with every problem listed and no stack trace.
 */
export function runProgram(root: string, opts?: pulumi.ComponentResourceOptions, checks: ProgramChecks = {}): Customer {
  let config: EnvironmentConfig;
  try {
    config = readStackConfig(root, checks);
  } catch (e) {
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  return new Customer(config, opts);
}

/**
 * The stack's outputs, the customer's, from the project at `root`: what `pulumi` runs (src/index.ts)
 * and what rollout runs in its own process for every stack. The providers run with this process's
 * environment, where they may find their credentials instead of the config.
 */
export function stackOutputs(root: string): CustomerOutputs {
  return runProgram(root, undefined, { credentialsFrom: process.env }).outputs;
}
