// Compares what a stack's offline plan declares with what is live in the e2e API server and
// Vault. The plan is the program's own account of its inputs; the live objects are the real
// platforms' (defaults filled in, quantities normalised), so a declared field must be present
// with the same value, and the platform may add more.
import { strict as assert } from "node:assert";
import type { StackPlan, PlannedResource } from "../../src/plan/engine";
import { Environment } from "../../e2e/env";
import { KubeObject, kubeGet } from "../../e2e/kubectl";
import { Workdir } from "../../e2e/workdir";

/**
 * What `pulumi preview --json` prints (pulumi's display.PreviewDigest): the steps with the
 * provider's field-level diff (or, where it gives none, the properties that differ and those
 * that replace), and the diagnostics.
 */
export interface PreviewJson {
  steps: { op: string; urn: string; detailedDiff?: Record<string, { kind: string }> | null; diffReasons?: string[]; replaceReasons?: string[] }[];
  diagnostics?: { urn?: string; message: string; severity: string }[];
}

/** The resource type of a URN: the last of its type chain. */
export const typeOfUrn = (urn: string) => (urn.split("::")[2] ?? "").split("$").pop() ?? "";

export function plan(workdir: Workdir, stack: string): StackPlan {
  const result = workdir.run(process.execPath, ["--require", "./src/cli/register-typescript.js", "src/cli/plan.ts", "--stack", stack, "--json"]);
  if (result.status !== 0) throw new Error(`plan --stack ${stack} exited ${result.status}: ${result.stderr}`);
  return JSON.parse(result.stdout) as StackPlan;
}

function kubernetesResources(stackPlan: StackPlan): PlannedResource[] {
  return stackPlan.resources.filter((r) => r.type.startsWith("kubernetes:"));
}

/** kubectl's name for a declared object's kind: Kind.version.group, or Kind in the core group. */
function kubectlKind(inputs: Record<string, unknown>): string {
  const apiVersion = inputs.apiVersion as string;
  const kind = inputs.kind as string;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  return group ? `${kind}.${version}.${group}` : kind;
}

function liveObject(env: Environment, resource: PlannedResource): KubeObject | undefined {
  const metadata = resource.inputs.metadata as { name: string; namespace?: string };
  return kubeGet(env, kubectlKind(resource.inputs), metadata.name, metadata.namespace);
}

/** Asserts that `live` holds every field of `declared`, at the same path, with the same value. */
function assertContains(live: unknown, declared: unknown, at: string): void {
  if (declared === undefined || declared === "[secret]") return;
  if (Array.isArray(declared)) {
    assert.ok(Array.isArray(live), `${at}: expected a list, live has ${JSON.stringify(live)}`);
    assert.equal(live.length, declared.length, `${at}: expected ${declared.length} items, live has ${JSON.stringify(live)}`);
    declared.forEach((item, i) => assertContains(live[i], item, `${at}[${i}]`));
    return;
  }
  if (declared !== null && typeof declared === "object") {
    assert.ok(live !== null && typeof live === "object", `${at}: expected an object, live has ${JSON.stringify(live)}`);
    for (const [key, value] of Object.entries(declared)) assertContains((live as Record<string, unknown>)[key], value, `${at}.${key}`);
    return;
  }
  // Scalars compare as text: the API server returns numbers where a spec may hold strings.
  assert.equal(String(live), String(declared as string | number | boolean | null), `${at}: declared ${JSON.stringify(declared)}, live ${JSON.stringify(live)}`);
}

/** Asserts that every Kubernetes object the plan declares is live with its declared fields. */
export function assertKubernetesMatchesPlan(env: Environment, stackPlan: StackPlan): void {
  for (const resource of kubernetesResources(stackPlan)) {
    const live = liveObject(env, resource);
    assert.ok(live, `${resource.type} ${resource.name} is not in the API server`);
    assertContains(live, { metadata: resource.inputs.metadata, spec: resource.inputs.spec, data: resource.inputs.data }, `${resource.type} ${resource.name}`);
  }
}
