import type { EnvironmentConfig } from "../config/environment";
import { stackFileName } from "../config/files";
import { formatProblems } from "../config/problems";
import { requiredCredentials, unsetSecretProblems } from "../config/provider-secrets";
import { parseStackFile } from "../config/stack-file";
import type { StackTarget } from "./waves";

/**
 * The selected stacks whose stack file has a placeholder where a secret belongs, or lacks a
 * credential their resources need (set nowhere in `env` either), each with the problems in the
 * words the program itself stops with: Pulumi would refuse a placeholder with `bad value`,
 * naming neither the file nor the key.
 */
export function secretsNotSet(root: string, configs: readonly EnvironmentConfig[], targets: readonly StackTarget[], env: NodeJS.ProcessEnv): Map<string, string> {
  const selected = new Set(targets.map((t) => t.stack));
  const unset = new Map<string, string>();
  for (const config of configs.filter((c) => selected.has(c.stack))) {
    const written = parseStackFile(root, config.stack);
    const problems = unsetSecretProblems(
      { stack: config.stack, file: stackFileName(config.stack), keys: Object.keys(written.config), placeholders: written.placeholders, needed: requiredCredentials(config.settings) },
      env,
    );
    if (problems.length > 0) unset.set(config.stack, formatProblems(problems));
  }
  return unset;
}
