import { strict as assert } from "node:assert";
import { isDns1123Label } from "../src/config/names";
import { StackPlan } from "../src/plan/engine";

/** Kinds that live outside any namespace. */
const CLUSTER_SCOPED = new Set(["kubernetes:core/v1:Namespace"]);

/** ArgoCD reads its objects from its own namespace only; what they deploy must stay in the customer's. */
const ARGOCD = "kubernetes:argoproj.io/";

function argoDestinations(inputs: Record<string, unknown>): unknown[] {
  const spec = inputs.spec as { destinations?: { namespace?: string }[]; template?: { spec: { destination: { namespace?: string } } } };
  const destinations = spec.destinations ?? (spec.template ? [spec.template.spec.destination] : []);
  return [...new Set(destinations.map((d) => d.namespace))];
}

export function metadataOf(inputs: Record<string, unknown>): { name?: string; namespace?: string } {
  return (inputs.metadata ?? {});
}

/** Invariants every stack must keep, whatever its customer file says. */
export function assertTenantInvariants(plan: StackPlan, namespace: string): void {
  for (const r of plan.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
    const meta = metadataOf(r.inputs);
    assert.ok(meta.name && isDns1123Label(meta.name), `${r.type} ${r.name}: name '${meta.name}' is not a DNS-1123 label of at most 63 characters`);
    if (CLUSTER_SCOPED.has(r.type)) {
      assert.equal(meta.name, namespace, `${r.type} ${r.name}`);
    } else if (r.type.startsWith(ARGOCD)) {
      assert.deepEqual(argoDestinations(r.inputs), [namespace], `${r.type} ${r.name} may deploy only into namespace ${namespace}`);
    } else if (!r.type.startsWith("kubernetes:apiextensions.k8s.io")) {
      assert.equal(meta.namespace, namespace, `${r.type} ${r.name} must be in namespace ${namespace}`);
    }
  }
  for (const r of plan.resources.filter((r) => ["kubernetes:core/v1:Namespace", "kubernetes:core/v1:PersistentVolumeClaim"].includes(r.type))) {
    assert.ok(r.protect && r.retainOnDelete, `${r.type} ${r.name} must be protected and retained on delete`);
  }
  const names = plan.resources.map((r) => `${r.type}::${r.name}`);
  assert.equal(new Set(names).size, names.length, "resource names are unique");
}

