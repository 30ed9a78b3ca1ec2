import { WorkloadInputs } from "../src/components/helm-values";
import { buildVault } from "../src/components/vault";
import { EnvironmentConfig } from "../src/config/environment";
import { REPO_ROOT, resolveStack } from "./helpers";

/** A stack's layered config as the program resolves it (the repository's stack files set no ffnodes:settings). */
export function stackConfig(stack: string, root = REPO_ROOT): EnvironmentConfig {
  return resolveStack(root, stack);
}

/** What Customer passes the GitOps and addon components: the Vault component's outputs, the TLS secret's name. */
export function workloadInputs(config: EnvironmentConfig): WorkloadInputs {
  return { vault: buildVault(config).outputs, tlsSecretName: config.settings.certificates.secretName };
}
