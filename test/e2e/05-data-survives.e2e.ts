// Data outlives its stack: `pulumi destroy` refuses what holds data, and the path a person takes
// to remove a stack (unprotect, then destroy) leaves the namespace, the claims, the Vault mount
// and the credentials secret in place, and the namespace's quota, LimitRange and NetworkPolicies.
// Before that, a preview of changed settings shows a replacement exactly where src/kinds.ts says a
// field forces one (the provider's own field-level diff), and the engine refuses it for the claims.
import { strict as assert } from "node:assert";
import { environment } from "./hooks";
import { kvData, vaultApi } from "./harness";
import { kubeGet } from "../../e2e/kubectl";
import { Workdir } from "../../e2e/workdir";
import type { StackOutputs } from "../../src/customer";
import { nonEmpty } from "../helpers";
import { forcesReplacement } from "../../src/kinds";

/** What `pulumi preview --json` prints (pulumi's display.PreviewDigest): the steps with the provider's field-level diff, and the diagnostics. */
interface PreviewJson {
  steps: { op: string; urn: string; detailedDiff?: Record<string, { kind: string }> }[];
  diagnostics?: { urn?: string; message: string; severity: string }[];
}

/** The resource type of a URN: the last of its type chain. */
const typeOfUrn = (urn: string) => (urn.split("::")[2] ?? "").split("$").pop() ?? "";

const STACK = "e2e-local";

describe("data survives: destroying e2e-local", () => {
  let workdir: Workdir;
  let outputs: StackOutputs;

  before(() => {
    workdir = new Workdir(environment());
    outputs = workdir.up(STACK);
  });
  after(() => workdir.remove());

  it("refuses a plain pulumi destroy, naming the protected resources", () => {
    const result = workdir.pulumiMayFail(["destroy", "--yes", "--skip-preview", "-s", STACK]);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout + result.stderr, /protect/);
    assert.ok(kubeGet(environment(), "namespace", outputs.namespace), "the namespace is still there");
  });

  it("previews a replacement exactly for the fields src/kinds.ts says force one, and refuses it for the protected claims", () => {
    const stackFile = "stacks/Pulumi.e2e-local.yaml";
    const vaultCode = "src/components/vault.ts";
    const originals: Record<string, string> = { [stackFile]: workdir.read(stackFile), [vaultCode]: workdir.read(vaultCode) };
    // A claim's storage class and a Vault mount's type force a replacement (src/kinds.ts); a quota and an auth role's TTL do not.
    const settings = "  ffnodes:settings:\n    storageClassName: e2e-other\n    quota: { configMaps: 90 }\n    vault: { auth: { tokenTtlSeconds: 7200 } }\n";
    const edits: [string, string, string][] = [
      [stackFile, "config:\n", `config:\n${settings}`],
      [vaultCode, 'type: "kv",', 'type: "kv-v2",'],
    ];
    for (const [file, from, to] of edits) {
      assert.ok(originals[file].includes(from), `${file} holds ${from}`);
      workdir.write(file, originals[file].replace(from, to));
    }
    try {
      const result = workdir.pulumiMayFail(["preview", "--json", "-s", STACK]);
      const preview = JSON.parse(result.stdout) as PreviewJson;
      const changed = preview.steps.filter((s) => s.op !== "same").map((s) => ({ ...s, type: typeOfUrn(s.urn) }));
      const ops = new Set(changed.map((s) => `${s.type} ${s.op}`));
      for (const expected of [
        "kubernetes:core/v1:PersistentVolumeClaim replace",
        "vault:index/mount:Mount replace",
        "vault:kubernetes/authBackendRole:AuthBackendRole update",
        "kubernetes:core/v1:ResourceQuota update",
      ]) {
        assert.ok(ops.has(expected), `${expected} not previewed; previewed: ${[...ops].join(", ")}`);
      }
      // Every field the provider reports, replacing or not, is as the registry says.
      const fields = changed.flatMap((s) => Object.entries(s.detailedDiff ?? {}).map(([path, d]) => ({ type: s.type, path, replaces: d.kind.endsWith("-replace") })));
      assert.ok(fields.some((f) => f.replaces) && fields.some((f) => !f.replaces));
      assert.deepEqual(
        fields.filter((f) => f.replaces !== forcesReplacement(f.type, f.path)),
        [],
      );
      // The engine refuses to replace what holds data: the preview fails on the protected claims.
      assert.notEqual(result.status, 0);
      const refused = (preview.diagnostics ?? []).filter((d) => d.severity === "error" && /marked for protection/.test(d.message)).map((d) => typeOfUrn(d.urn ?? ""));
      assert.ok(refused.includes("kubernetes:core/v1:PersistentVolumeClaim"), JSON.stringify(preview.diagnostics));
    } finally {
      for (const [file, text] of Object.entries(originals)) workdir.write(file, text);
    }
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
