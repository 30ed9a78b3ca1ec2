// Migration from the Helm layout in adopt mode, under the real engine: the live objects are
// imported as they are (the engine refuses an import whose inputs differ, so ffnodes ignores its
// own additions on import), nothing is replaced or deleted, and the first run without adopt mode
// updates them in place to what ffnodes declares.
import { strict as assert } from "node:assert";
import { environment } from "./hooks";
import { KubeObject, kubeGet, kubectl, vaultApi } from "./harness";
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

/** The stack file with adopt mode turned off, as the migration guide's last step leaves it. */
function withoutAdoptMode(stackFile: string): string {
  return stackFile.replace(/\n {2}ffnodes:adopt: true\n {2}ffnodes:adoptIds:\n( {4}.*\n)+/, "\n");
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

  it("previews imports and creations only: no replace, no delete, no update", () => {
    const preview = workdir.preview(STACK);
    const ops = new Set(preview.steps.map((s) => s.op));
    for (const op of ops) assert.ok(["same", "create", "import"].includes(op), `unexpected ${op} in adopt mode: ${JSON.stringify(preview.steps.filter((s) => s.op === op).map((s) => s.urn))}`);
    assert.ok(preview.changeSummary.import >= 8, `expected the live objects to be imported: ${JSON.stringify(preview.changeSummary)}`);
  });

  it("succeeds, and every stateful object keeps its uid and its data", async () => {
    workdir.pulumi(["up", "--yes", "--skip-preview", "-s", STACK]);
    assert.deepEqual(uids(), uidsBefore);
    assert.deepEqual(await vaultData(), [HELM_CREDENTIALS, { keep: "me" }]);
  });

  it("then, with adopt mode off, updates in place to what ffnodes declares, replacing and deleting nothing", async () => {
    workdir.write(`stacks/Pulumi.${STACK}.yaml`, withoutAdoptMode(workdir.read(`stacks/Pulumi.${STACK}.yaml`)));
    assert.doesNotMatch(workdir.read(`stacks/Pulumi.${STACK}.yaml`), /adopt/);
    const preview = workdir.preview(STACK);
    for (const step of preview.steps) assert.ok(["same", "update"].includes(step.op), `unexpected ${step.op} of ${step.urn}`);
    workdir.pulumi(["up", "--yes", "--skip-preview", "-s", STACK]);
    assert.deepEqual(uids(), uidsBefore);
    assert.deepEqual(await vaultData(), [HELM_CREDENTIALS, { keep: "me" }]);
    assertKubernetesMatchesPlan(environment(), plan(workdir, STACK));
    const policy = await vaultApi(environment(), "GET", "sys/policy/legacy-app-read");
    const planned = plan(workdir, STACK).resources.find((r) => r.type === "vault:index/policy:Policy" && r.name === "vault-policy-app-read");
    assert.equal((policy?.data as { rules: string }).rules, planned?.inputs.policy);
  });

  it("and a preview after that shows no changes", () => {
    workdir.pulumi(["preview", "--expect-no-changes", "-s", STACK]);
  });
});
