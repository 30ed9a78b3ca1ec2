import { Candidate, Tenant, violations } from "../src/policy/rules";
import { StackPlan } from "../src/plan/engine";

export function metadataOf(inputs: Record<string, unknown>): { name?: string; namespace?: string } {
  return (inputs.metadata ?? {});
}

/** A planned resource as the policy pack sees it. */
export function candidateOf(resource: StackPlan["resources"][number]): Candidate {
  return { type: resource.type, name: resource.name, props: resource.inputs, protect: resource.protect, retainOnDelete: resource.retainOnDelete };
}

/**
 * The tenant policy's verdict on a whole plan, one line per violation naming the resource: the
 * policy pack's rules are the one tenant oracle. Pulumi's engine refuses two resources with one
 * URN at preview; the offline plan does not, so it is checked here (by type and name, which is stricter).
 */
export function planViolations(plan: StackPlan, tenant: Tenant): string[] {
  const seen = new Set<string>();
  return plan.resources.flatMap((r) => {
    const key = `${r.type} ${r.name}`;
    const duplicate = seen.has(key) ? [`${key}: another resource has this type and name`] : [];
    seen.add(key);
    return [...duplicate, ...violations(candidateOf(r), tenant).map((v) => `${key}: ${v}`)];
  });
}
