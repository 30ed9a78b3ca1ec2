import * as pulumi from "@pulumi/pulumi";
import { EnvironmentConfig, resolveEnvironment, stackFileName, stackLayerFromConfig } from "./config/load";
import { ConfigError } from "./config/problems";
import { Customer } from "./customer";

/** Reads this stack's configuration: the customer files under `root` plus `ffnodes:settings`. */
export function readStackConfig(root: string): EnvironmentConfig {
  const stack = pulumi.getStack();
  const config = new pulumi.Config("ffnodes");
  return resolveEnvironment(root, stack, stackLayerFromConfig((key) => config.get(key), stackFileName(stack)));
}

/**
 * The Pulumi program: one customer environment per stack. Invalid configuration stops the
 * program before anything is registered, with every problem listed and no stack trace.
 */
export function runProgram(root: string, opts?: pulumi.ComponentResourceOptions): Customer {
  let config: EnvironmentConfig;
  try {
    config = readStackConfig(root);
  } catch (e) {
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
  return new Customer(config, opts);
}
