// `npm run decommission` of the production-shaped stack, by the real engine against the API
// server and Vault: what holds data stays (with the namespace's isolation), what syncs and runs
// goes, the stack leaves the backend, and its tombstone keeps the names from a new customer.
// It runs last: the retained namespace and Vault mount stay in the shared cluster and Vault, where
// they would stand in the way of any later scenario that creates e2e-prod. `up` and `decommission`
// run as the README's least-privileged deployer (test/e2e/deployer.ts) of the customer's three
// environments, which the scenario decommissions in turn.
import { strict as assert } from "node:assert";
import { environment } from "./hooks";
import { Deployer, grantDecommission, leastPrivilegedDeployer } from "./deployer";
import { vaultApi } from "./harness";
import { kubeGet, kubeList, kubectl } from "../../e2e/kubectl";
import { Workdir } from "../../e2e/workdir";
import type { StackOutputs } from "../../src/customer";
import { nonEmpty } from "../helpers";

const STACK = "e2e-prod";

describe("decommission: e2e-prod", () => {
  let workdir: Workdir;
  let outputs: StackOutputs;
  let namespace: string;
  let deployer: Deployer | undefined;

  before(async () => {
    deployer = await leastPrivilegedDeployer(environment(), ["e2e", "e2e-staging", "e2e-local"]);
    workdir = new Workdir(deployer.env);
    outputs = workdir.up(STACK);
    namespace = outputs.namespace;
    // The README's decommission rights, bound in the namespace by a cluster admin.
    grantDecommission(environment(), namespace);
    // A workload as Argo CD would have deployed it from the ApplicationSet.
    kubectl(environment(), ["create", "deployment", "ffcloud", "--image=registry.invalid/ffcloud:1", "-n", namespace]);
  });
  after(() => {
    workdir.remove();
    deployer?.remove();
  });

  it("without --confirm prints the plan with live names and changes nothing", () => {
    const result = workdir.run("npm", ["run", "-s", "decommission", "--", "--stack", STACK]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`ApplicationSet argocd/${namespace}`));
    assert.match(result.stdout, new RegExp(`claims pvc-${namespace}-\\w+ \\(\\d+Gi\\)`));
    assert.match(result.stdout, /Dry run: nothing was changed/);
    assert.ok(kubeGet(environment(), "applicationsets.argoproj.io", namespace, "argocd"), "the ApplicationSet is still there");
  });

  it("refuses a production stack without --production", () => {
    const result = workdir.run("npm", ["run", "-s", "decommission", "--", "--stack", STACK, "--confirm", STACK]);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /production stack: give --production too/);
  });

  describe("with --confirm and --production", () => {
    before(() => {
      const result = workdir.run("npm", ["run", "-s", "decommission", "--", "--stack", STACK, "--confirm", STACK, "--production"], { timeoutSeconds: 900 });
      assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    });

    it("keeps the namespace with its default-deny policy, the claims, the Vault mount and the credentials", async () => {
      const env = environment();
      assert.ok(kubeGet(env, "namespace", namespace), "the namespace was deleted");
      assert.ok(kubeGet(env, "networkpolicy", "default-deny", namespace), "the namespace lost its default-deny policy");
      for (const claim of nonEmpty(Object.values(outputs.claims), "claim")) {
        assert.ok(kubeGet(env, "persistentvolumeclaim", claim, namespace), `claim ${claim} was deleted`);
      }
      const { vault } = outputs;
      assert.ok(await vaultApi(env, "GET", `sys/mounts/${vault.mount}`), "the Vault mount was deleted");
      const secret = await vaultApi(env, "GET", vault.appSecretPath);
      assert.ok(secret, "the credentials secret was deleted");
    });

    it("removes the ApplicationSet, the AppProject and the workloads", () => {
      const env = environment();
      assert.equal(kubeGet(env, "applicationsets.argoproj.io", namespace, "argocd"), undefined);
      assert.equal(kubeGet(env, "appprojects.argoproj.io", namespace, "argocd"), undefined);
      assert.deepEqual(kubeList(env, "deployments.apps", namespace).map((d) => d.metadata.name), [], "pgweb (ffnodes') and ffcloud (Argo CD's) are gone");
      assert.deepEqual(kubeList(env, "pods", namespace), []);
    });

    it("removes the stack from the backend and retires its files", () => {
      const stacks = (JSON.parse(workdir.pulumi(["stack", "ls", "--json"])) as { name: string }[]).map((s) => s.name.split("/").pop());
      assert.ok(!stacks.includes(STACK), `still in the backend: ${stacks.join(", ")}`);
      assert.match(workdir.read(`customers/retired/${STACK}.yaml`), /status: retired/);
      assert.doesNotMatch(workdir.read("customers/e2e.yaml"), /^ {2}prod:/m);
    });

    it("refuses a new customer of the same name, naming the tombstone", () => {
      // The customer's other environments go too (they hold little or nothing here), so that its file is gone.
      for (const stack of ["e2e-staging", "e2e-local"]) {
        // Its namespace is named as the stack; where an earlier scenario applied it, a cluster admin binds decommission's rights there first.
        if (kubeGet(environment(), "namespace", stack)) grantDecommission(environment(), stack);
        const result = workdir.run("npm", ["run", "-s", "decommission", "--", "--stack", stack, "--confirm", stack], { timeoutSeconds: 900 });
        assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
      }
      const result = workdir.run("npm", ["run", "-s", "new-customer", "--", "--name", "e2e", "--domain", "e2e.fitfile.net"]);
      assert.equal(result.status, 1, result.stdout);
      // The namespace is derived from the name, so the name is what is blamed.
      assert.match(result.stderr, /customers\/e2e\.yaml: name: namespace 'e2e' of stack e2e-prod is reserved by customers\/retired\/e2e-prod\.yaml/);
      assert.match(result.stderr, /customers\/e2e\.yaml: environments\.prod\.domain: host 'e2e\.fitfile\.net' of stack e2e-prod is reserved by customers\/retired\/e2e-prod\.yaml/);
      assert.throws(() => workdir.read("customers/e2e.yaml"), "nothing was written");
    });
  });
});
