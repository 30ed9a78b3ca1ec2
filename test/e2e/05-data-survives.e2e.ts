// Data outlives its stack: `pulumi destroy` refuses what holds data, and the path a person takes
// to remove a stack (unprotect, then destroy) leaves the namespace, the claims, the Vault mount
// and the credentials secret in place, and the namespace's quota, LimitRange and NetworkPolicies.
// Before that, previews of changed settings and code show a replacement exactly where src/kinds.ts
// says a field forces one (the providers' own field-level diff), and the engine refuses to
// replace the protected claims and Vault mount.
import { strict as assert } from "node:assert";
import { environment } from "./hooks";
import { kvData, vaultApi } from "./harness";
import { kubeGet } from "../../e2e/kubectl";
import { Workdir } from "../../e2e/workdir";
import type { StackOutputs } from "../../src/customer";
import { nonEmpty } from "../helpers";
import { forcesReplacement } from "../../src/kinds";
import { PreviewJson, typeOfUrn } from "./live";

const STACK = "e2e-local";

describe("data survives: destroying e2e-local", () => {
  let workdir: Workdir;
  let outputs: StackOutputs;

  before(() => {
    workdir = new Workdir(environment());
    outputs = workdir.up(STACK);
  });
  after(() => workdir.remove());

  /**
   * Previews e2e-local with a file edited, the edit undone afterwards: the changed steps with the
   * provider's field-level diff, whether the preview passed, and its error diagnostics.
   */
  function previewWith(file: string, from: string, to: string) {
    const original = workdir.read(file);
    assert.ok(original.includes(from), `${file} holds ${from}`);
    workdir.write(file, original.replace(from, to));
    try {
      const result = workdir.pulumiMayFail(["preview", "--json", "-s", STACK]);
      const preview = JSON.parse(result.stdout) as PreviewJson;
      const changed = preview.steps.filter((s) => s.op !== "same").map((s) => ({ ...s, type: typeOfUrn(s.urn) }));
      const errors = (preview.diagnostics ?? []).filter((d) => d.severity === "error");
      return { passed: result.status === 0, changed, errors };
    } finally {
      workdir.write(file, original);
    }
  }

  /** Every field the provider reports as changing replaces exactly when src/kinds.ts says it does. */
  function assertFieldsAsRegistered(changed: ReturnType<typeof previewWith>["changed"]): void {
    const fields = changed.flatMap((s) => Object.entries(s.detailedDiff ?? {}).map(([path, d]) => ({ type: s.type, path, replaces: d.kind.endsWith("-replace") })));
    assert.ok(fields.length > 0, "the provider reported no field");
    assert.deepEqual(
      fields.filter((f) => f.replaces !== forcesReplacement(f.type, f.path)),
      [],
    );
  }

  const ops = (changed: ReturnType<typeof previewWith>["changed"]) => changed.map((s) => `${s.type} ${s.op}`).sort();

  // Before anything is destroyed: a refused destroy deletes what is not protected first.
  it("previews in-place updates for fields src/kinds.ts says do not replace: a quota, an auth role's TTL", () => {
    const { passed, changed, errors } = previewWith(
      "stacks/Pulumi.e2e-local.yaml",
      "config:\n",
      "config:\n  ffnodes:settings:\n    quota: { configMaps: 90 }\n    vault: { auth: { tokenTtlSeconds: 7200 } }\n",
    );
    assert.ok(passed, JSON.stringify(errors));
    assert.deepEqual(ops(changed), ["kubernetes:core/v1:ResourceQuota update", "vault:kubernetes/authBackendRole:AuthBackendRole update"]);
    assertFieldsAsRegistered(changed);
  });

  for (const { what, file, from, to, type } of [
    { what: "a claim's storage class", file: "stacks/Pulumi.e2e-local.yaml", from: "config:\n", to: "config:\n  ffnodes:settings:\n    storageClassName: e2e-other\n", type: "kubernetes:core/v1:PersistentVolumeClaim" },
    { what: "the Vault mount's type", file: "src/components/vault.ts", from: 'type: "kv",', to: 'type: "kv-v2",', type: "vault:index/mount:Mount" },
  ]) {
    it(`previews a replacement for ${what}, as src/kinds.ts says, and the engine refuses it: the ${type.split(":").pop()} is protected`, () => {
      const { passed, changed, errors } = previewWith(file, from, to);
      const replaced = changed.filter((s) => s.type === type);
      assert.ok(replaced.length > 0 && replaced.every((s) => s.op === "replace"), `previewed: ${ops(changed).join(", ")}`);
      assertFieldsAsRegistered(replaced);
      assert.ok(!passed);
      assert.deepEqual([...new Set(errors.filter((d) => /marked for protection/.test(d.message)).map((d) => typeOfUrn(d.urn ?? "")))], [type], JSON.stringify(errors));
    });
  }

  it("refuses a plain pulumi destroy, naming the protected resources", () => {
    const result = workdir.pulumiMayFail(["destroy", "--yes", "--skip-preview", "-s", STACK]);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout + result.stderr, /protect/);
    assert.ok(kubeGet(environment(), "namespace", outputs.namespace), "the namespace is still there");
  });

  it("after unprotect and destroy, keeps the namespace, the claims, the Vault mount and the secret", async () => {
    workdir.pulumi(["state", "unprotect", "--all", "--yes", "-s", STACK]);
    workdir.pulumi(["destroy", "--yes", "--skip-preview", "-s", STACK]);
    const env = environment();
    const namespace = outputs.namespace;
    assert.ok(kubeGet(env, "namespace", namespace), "the namespace was deleted");
    for (const claim of nonEmpty(Object.values(outputs.claims), "claim")) {
      assert.ok(kubeGet(env, "persistentvolumeclaim", claim, namespace), `claim ${claim} was deleted`);
    }
    const { vault } = outputs;
    assert.ok(await vaultApi(env, "GET", `sys/mounts/${vault.mount}`), "the Vault mount was deleted");
    assert.equal(Object.keys((await kvData(env, vault.appSecretPath)) ?? {}).length, 4, "the credentials secret was deleted");
    // Its workloads stay (ArgoCD preserves them), and so does what confines them.
    assert.ok(kubeGet(env, "resourcequota", "quota", namespace), "the quota was deleted");
    assert.ok(kubeGet(env, "limitrange", "limits", namespace), "the LimitRange was deleted");
    for (const policy of ["default-deny", "allow-dns", "allow-same-namespace", "allow-ingress-controller"]) {
      assert.ok(kubeGet(env, "networkpolicy", policy, namespace), `NetworkPolicy ${policy} was deleted`);
    }
    // What holds no data is gone with the stack.
    assert.equal(kubeGet(env, "applicationsets.argoproj.io", namespace, "argocd"), undefined);
  });
});
