import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { stackFleetProblems } from "./config/fleet";
import { EnvironmentConfig } from "./config/environment";
import { stackFileName } from "./config/files";
import { resolveWithOrigins } from "./config/resolve";
import { ConfigError } from "./config/problems";
import { readStackLayer, stackLayerFromConfig } from "./config/stack-file";
import { Customer } from "./customer";

/**
 * Reads this stack's configuration: the customer files under `root` plus `ffnodes:settings`,
 * checked against every other stack of the fleet, so that a person's `pulumi up -s <stack>` gets
 * the same cross-tenant checks as `plan --all`. `fleetChecked`: the caller checked the whole
 * fleet, this stack included, and found nothing (plan --all), so this stack's check would find
 * nothing either; skipping it keeps planning a fleet linear in its size.
 */
export function readStackConfig(root: string, fleetChecked = false): EnvironmentConfig {
  const stack = pulumi.getStack();
  // Pulumi hands the program decrypted values: the stack file, as written, shows where a `secure:` sits.
  const inFile = fs.existsSync(path.join(root, stackFileName(stack))) ? readStackLayer(root, stack) : undefined;
  const layer = stackLayerFromConfig(pulumi.runtime.allConfig(), stackFileName(stack));
  const resolved = resolveWithOrigins(root, stack, layer);
  const problems = fleetChecked ? [] : stackFleetProblems(root, resolved, isDeepStrictEqual(layer, inFile));
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved.config;
}

/**
 * The Pulumi program: one customer environment per stack. Invalid configuration stops the
 * program before anything is registered, with every problem listed and no stack trace.
 */
export function runProgram(root: string, opts?: pulumi.ComponentResourceOptions, fleetChecked = false): Customer {
  let config: EnvironmentConfig;
  try {
    config = readStackConfig(root, fleetChecked);
  } catch (e) {
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  return new Customer(config, opts);
}
