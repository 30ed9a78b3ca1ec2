// A new customer, applied by the real `pulumi` to the e2e API server and Vault: every declared
// object is live with its declared fields, a second run changes nothing, and the generated
// credentials are never overwritten.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { environment } from "./hooks";
import { kvData, vaultApi } from "./harness";
import { kubeGet } from "../../e2e/kubectl";
import { Workdir } from "../../e2e/workdir";
import type { StackOutputs } from "../../src/customer";
import { assertKubernetesMatchesPlan, plan } from "./live";
import type { StackPlan } from "../../src/plan/engine";

const CREDENTIAL_KEYS = ["mongodb_password", "mongodb_username", "postgresql_password", "postgresql_username"];

for (const stack of ["demo-local", "e2e-prod"]) {
  describe(`a new customer: pulumi up of ${stack}`, () => {
    let workdir: Workdir;
    let stackPlan: StackPlan;
    let outputs: StackOutputs;
    let space: StackOutputs["vault"];

    before(() => {
      workdir = new Workdir(environment());
      stackPlan = plan(workdir, stack);
      outputs = workdir.up(stack);
      space = outputs.vault;
    });
    after(() => workdir.remove());

    it("reports the planned outputs as the stack's outputs", () => {
      assert.equal(outputs.namespace, stackPlan.outputs.namespace);
      assert.deepEqual(outputs.claims, stackPlan.outputs.claims);
    });

    it("creates every Kubernetes object with its declared fields", () => {
      assertKubernetesMatchesPlan(environment(), stackPlan);
    });

    it("labels the namespace for Pod Security Admission", () => {
      const namespace = kubeGet(environment(), "namespace", outputs.namespace);
      assert.ok(namespace);
      assert.equal(namespace.metadata.labels?.["pod-security.kubernetes.io/enforce"], "baseline");
      assert.equal(namespace.metadata.labels?.["kubernetes.io/metadata.name"], outputs.namespace);
    });

    it("creates the customer's kv-v2 mount, both policies with the planned HCL, and the auth role bound to the namespace", async () => {
      const env = environment();
      const mount = await vaultApi(env, "GET", `sys/mounts/${space.mount}`);
      assert.ok(mount, `mount ${space.mount} does not exist`);
      assert.equal((mount.data as { type: string }).type, "kv");
      assert.equal((mount.data as { options: { version: string } }).options.version, "2");

      for (const resource of stackPlan.resources.filter((r) => r.type === "vault:index/policy:Policy")) {
        const live = await vaultApi(env, "GET", `sys/policy/${resource.inputs.name as string}`);
        assert.ok(live, `policy ${resource.inputs.name as string} does not exist`);
        assert.equal((live.data as { rules: string }).rules, resource.inputs.policy);
      }
      assert.deepEqual(
        stackPlan.resources.filter((r) => r.type === "vault:index/policy:Policy").map((r) => r.inputs.name).sort(),
        [space.policies.appRead, space.policies.operator].sort(),
      );

      const role = await vaultApi(env, "GET", `auth/${space.authMount}/role/${space.role}`);
      assert.ok(role, `auth role ${space.role} does not exist`);
      const data = role.data as { bound_service_account_namespaces: string[]; token_policies: string[] };
      assert.deepEqual(data.bound_service_account_namespaces, [outputs.namespace]);
      assert.deepEqual([...data.token_policies].sort(), [space.policies.appRead]);
    });

    it("writes the credentials secret with its four generated keys", async () => {
      const data = await kvData(environment(), space.appSecretPath);
      assert.ok(data, "the credentials secret does not exist");
      assert.deepEqual(Object.keys(data).sort(), CREDENTIAL_KEYS);
      for (const key of CREDENTIAL_KEYS) assert.ok(data[key].length >= 8, `${key} is empty or short`);
    });

    it("is idempotent: a second preview changes nothing, nor does a refresh followed by a preview", () => {
      workdir.pulumi(["preview", "--expect-no-changes", "-s", stack]);
      workdir.pulumi(["refresh", "--yes", "--skip-preview", "-s", stack]);
      workdir.pulumi(["preview", "--expect-no-changes", "-s", stack]);
    });

    it("keeps a password changed in Vault when it runs again", async () => {
      const env = environment();
      const secretPath = space.appSecretPath;
      const data = { ...(await kvData(env, secretPath)), postgresql_password: "rotated-by-an-operator" };
      await vaultApi(env, "POST", secretPath, { data });
      workdir.pulumi(["up", "--yes", "--skip-preview", "-s", stack]);
      assert.equal((await kvData(env, secretPath))?.postgresql_password, "rotated-by-an-operator");
    });

    it("never overwrites existing credentials from a stack that lost its state", async () => {
      const env = environment();
      const before = await vaultApi(env, "GET", space.appSecretPath);
      const lostState = fs.mkdtempSync(path.join(os.tmpdir(), "ffnodes-e2e-lost-state-"));
      const lost = new Workdir({ ...env, vars: { ...env.vars, PULUMI_BACKEND_URL: `file://${lostState}` } });
      try {
        // The way back from lost state is adopt mode. Here it adopts everything but names the
        // credentials to be created, so that nothing but Vault's check-and-set stands in the way.
        const stackFile = `stacks/Pulumi.${stack}.yaml`;
        const namespace = outputs.namespace;
        // Under `config:`, not at the end: demo-local's file ends with its top-level encryptionsalt.
        lost.write(stackFile, lost.read(stackFile).replace(/^config:\n/m, `config:\n  ffnodes:adopt: true\n  ffnodes:adoptIds:\n    vault-credentials: create\n    gitops-project: argocd/${namespace}\n`));
        lost.ensureStack(stack);
        const result = lost.pulumiMayFail(["up", "--yes", "--skip-preview", "-s", stack]);
        assert.notEqual(result.status, 0, "the credentials cannot be created over the live ones");
        assert.match(result.stdout + result.stderr, /check-and-set/, "Vault's check-and-set refused the write");
      } finally {
        lost.remove();
        fs.rmSync(lostState, { recursive: true, force: true });
      }
      const after = await vaultApi(env, "GET", space.appSecretPath);
      assert.deepEqual(after?.data, before?.data);
    });
  });
}
