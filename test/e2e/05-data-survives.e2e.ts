// Data outlives its stack: `pulumi destroy` refuses what holds data, and the path a person takes
// to remove a stack (unprotect, then destroy) leaves the namespace, the claims, the Vault mount
// and the credentials secret in place, and the namespace's quota, LimitRange and NetworkPolicies.
import { strict as assert } from "node:assert";
import { environment } from "./hooks";
import { kubeGet, vaultApi } from "./harness";
import { Workdir } from "../../e2e/workdir";

const STACK = "e2e-local";

describe("data survives: destroying e2e-local", () => {
  let workdir: Workdir;
  let outputs: Record<string, unknown>;

  before(() => {
    workdir = new Workdir(environment());
    outputs = workdir.up(STACK);
  });
  after(() => workdir.remove());

  it("refuses a plain pulumi destroy, naming the protected resources", () => {
    const result = workdir.pulumiMayFail(["destroy", "--yes", "--skip-preview", "-s", STACK]);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout + result.stderr, /protect/);
    assert.ok(kubeGet(environment(), "namespace", outputs.namespace as string), "the namespace is still there");
  });

  it("after unprotect and destroy, keeps the namespace, the claims, the Vault mount and the secret", async () => {
    workdir.pulumi(["state", "unprotect", "--all", "--yes", "-s", STACK]);
    workdir.pulumi(["destroy", "--yes", "--skip-preview", "-s", STACK]);
    const env = environment();
    const namespace = outputs.namespace as string;
    assert.ok(kubeGet(env, "namespace", namespace), "the namespace was deleted");
    for (const claim of Object.values(outputs.claims as Record<string, string>)) {
      assert.ok(kubeGet(env, "persistentvolumeclaim", claim, namespace), `claim ${claim} was deleted`);
    }
    const vault = outputs.vault as { mount: string; appSecretPath: string };
    assert.ok(await vaultApi(env, "GET", `sys/mounts/${vault.mount}`), "the Vault mount was deleted");
    const secret = await vaultApi(env, "GET", vault.appSecretPath);
    assert.equal(Object.keys((secret?.data as { data: Record<string, string> }).data).length, 4, "the credentials secret was deleted");
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
