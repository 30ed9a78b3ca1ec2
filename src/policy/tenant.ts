import { stackFleetProblems } from "../config/fleet";
import { resolveWithOrigins } from "../config/resolve";
import { readStackLayer } from "../config/stack-file";
import { ConfigError, formatProblem } from "../config/problems";
import { Tenant } from "./rules";

/** The stack a resource belongs to: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  if (!match) throw new Error(`not a resource URN: '${urn}'`);
  return match[1];
}

/**
 * What a stack may touch, from the same layered configuration the program reads (customer files
 * under `root`, plus the stack file's `ffnodes:settings`), so that the pack needs no settings of
 * its own. The stack is checked against the whole fleet first, as the program does: an override
 * that moves it into another tenant's namespace or Vault path makes every resource a violation.
 */
export function tenantOf(root: string, stack: string): Tenant {
  const located = resolveWithOrigins(root, stack, readStackLayer(root, stack));
  const problems = stackFleetProblems(root, located);
  if (problems.length > 0) throw new ConfigError(problems);
  const { config } = located;
  const { settings } = config;
  return {
    stack,
    namespace: config.tenancy.namespace,
    kv: config.tenancy.vault.space,
    argocdNamespace: settings.gitops.argocdNamespace,
    selectableNamespaces: ["kube-system", ...config.sharedNamespaces],
    deployer: config.deployer,
    optIns: { privilegedPods: settings.optIns?.privilegedPods !== undefined, unrestrictedEgress: settings.optIns?.unrestrictedEgress !== undefined },
  };
}

/** `tenantOf`, once per stack; an invalid configuration becomes a message. */
export function tenantResolver(root: string): (urn: string) => Tenant | string {
  const cache = new Map<string, Tenant | string>();
  return (urn) => {
    const stack = stackOfUrn(urn);
    let tenant = cache.get(stack);
    if (tenant === undefined) {
      try {
        tenant = tenantOf(root, stack);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        tenant = `the configuration of stack ${stack} is invalid, so its tenant cannot be checked: ${error.problems.map(formatProblem).join("; ")}`;
      }
      cache.set(stack, tenant);
    }
    return tenant;
  };
}
