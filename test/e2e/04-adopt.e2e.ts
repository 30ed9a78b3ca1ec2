// Migration from the Helm layout in adopt mode, under the real engine: each live object is
// imported and, in the same run, updated in place to what ffnodes declares (the v3.248 engine
// diffs an imported resource against its declared inputs and updates it); nothing is replaced or
// deleted, every data holder keeps its uid and its data, and with adopt mode then turned off
// there is nothing left to change.
import { strict as assert } from "node:assert";
import { environment } from "./hooks";
import { vaultApi } from "./harness";
import { KubeObject, kubeGet, kubectl } from "../../e2e/kubectl";
import { Workdir } from "../../e2e/workdir";
import { assertKubernetesMatchesPlan, plan } from "./live";

const STACK = "legacy-prod";
const NAMESPACE = "legacy";
const MOUNT = "legacy-application";
const HELM_CREDENTIALS = { mongodb_username: "mongodb_helm", mongodb_password: "helm-mongo-pw", postgresql_username: "postgresql_helm", postgresql_password: "helm-pg-pw" };

/** What the Helm layout left behind: no ffnodes labels, other policy HCL, data in Vault. */
async function createHelmLayout(): Promise<void> {
  const env = environment();
  kubectl(env, ["create", "namespace", NAMESPACE]);
  // Created, not applied, as Helm and ArgoCD create them: no server-side apply ownership.
  kubectl(env, ["create", "-f", "-"], `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: legacy-minio, namespace: ${NAMESPACE} }
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: standard
  resources: { requests: { storage: 2Gi } }
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: ${NAMESPACE}, namespace: argocd }
spec:
  generators:
    - list: { elements: [{ name: ffcloud }] }
  template:
    metadata: { name: "${NAMESPACE}-{{name}}" }
    spec:
      project: default
      source: { repoURL: "https://gitlab.com/fitfile/deployment.git", path: "charts/{{name}}", targetRevision: latest-release }
      destination: { server: "https://kubernetes.default.svc", namespace: ${NAMESPACE} }
`);
  await vaultApi(env, "POST", `sys/mounts/${MOUNT}`, { type: "kv", options: { version: "2" }, description: "helm era" });
  await vaultApi(env, "POST", `${MOUNT}/data/app`, { data: HELM_CREDENTIALS });
  await vaultApi(env, "POST", `${MOUNT}/data/extra`, { data: { keep: "me" } });
  await vaultApi(env, "PUT", "sys/policy/legacy-app-read", { policy: `path "${MOUNT}/*" { capabilities = ["read", "list"] }` });
  await vaultApi(env, "PUT", "sys/policy/legacy-operator", { policy: `path "${MOUNT}/*" { capabilities = ["create", "read", "update", "delete", "list"] }` });
  await vaultApi(env, "POST", "auth/kubernetes/role/legacy", { bound_service_account_names: ["default"], bound_service_account_namespaces: [NAMESPACE], token_policies: ["legacy-app-read"] });
}

function uids(): Record<string, string | undefined> {
  const env = environment();
  const uid = (o: KubeObject | undefined) => o?.metadata.uid;
  return {
    namespace: uid(kubeGet(env, "namespace", NAMESPACE)),
    claim: uid(kubeGet(env, "persistentvolumeclaim", "legacy-minio", NAMESPACE)),
    applicationSet: uid(kubeGet(env, "applicationsets.argoproj.io", NAMESPACE, "argocd")),
  };
}

async function vaultData(): Promise<unknown[]> {
  const env = environment();
  const read = async (p: string) => ((await vaultApi(env, "GET", p))?.data as { data: unknown } | undefined)?.data;
  return [await read(`${MOUNT}/data/app`), await read(`${MOUNT}/data/extra`)];
}

describe("migration in adopt mode: pulumi up over the Helm layout", () => {
  let workdir: Workdir;
  let uidsBefore: Record<string, string | undefined>;

  before(async () => {
    workdir = new Workdir(environment());
    await createHelmLayout();
    uidsBefore = uids();
    workdir.ensureStack(STACK);
  });
  after(() => workdir.remove());

  it("previews imports, creations and in-place updates only: no replace, no delete", () => {
    const preview = workdir.preview(STACK);
    for (const step of preview.steps) assert.ok(["same", "create", "import", "update"].includes(step.op), `unexpected ${step.op} of ${step.urn}`);
    assert.ok(preview.changeSummary.import >= 8, `expected the live objects to be imported: ${JSON.stringify(preview.changeSummary)}`);
  });

  it("succeeds; every stateful object keeps its uid and its data, and is as ffnodes declares it", async () => {
    workdir.pulumi(["up", "--yes", "--skip-preview", "-s", STACK]);
    assert.deepEqual(uids(), uidsBefore);
    assert.deepEqual(await vaultData(), [HELM_CREDENTIALS, { keep: "me" }]);
    const stackPlan = plan(workdir, STACK);
    assertKubernetesMatchesPlan(environment(), stackPlan);
    const policy = await vaultApi(environment(), "GET", "sys/policy/legacy-app-read");
    const planned = stackPlan.resources.find((r) => r.type === "vault:index/policy:Policy" && r.name === "vault-policy-app-read");
    assert.equal((policy?.data as { rules: string }).rules, planned?.inputs.policy);
    const role = await vaultApi(environment(), "GET", "auth/kubernetes/role/legacy");
    assert.ok(!(role?.data as { bound_service_account_names: string[] }).bound_service_account_names.includes("default"), "the role is bound as ffnodes declares");
  });

  it("then, with adopt mode turned off, has nothing left to change", () => {
    // As the migration guide says (README, "Migrating a live customer").
    workdir.pulumi(["config", "rm", "ffnodes:adopt", "-s", STACK]);
    workdir.pulumi(["config", "rm", "ffnodes:adoptIds", "-s", STACK]);
    assert.doesNotMatch(workdir.read(`stacks/Pulumi.${STACK}.yaml`), /ffnodes:adopt/);
    workdir.pulumi(["preview", "--expect-no-changes", "-s", STACK]);
  });

  it("and keeps the uids and the data through that", async () => {
    workdir.pulumi(["up", "--yes", "--skip-preview", "-s", STACK]);
    assert.deepEqual(uids(), uidsBefore);
    assert.deepEqual(await vaultData(), [HELM_CREDENTIALS, { keep: "me" }]);
  });
});
