// Argo CD for real: the ApplicationSet controller, the application controller and the
// repo-server of the e2e environment (e2e/argocd.ts) take what `pulumi up` declares for two
// production-shaped customers, generate their Applications, render the e2e chart source's charts
// with the generated Helm values, sync them into each customer's namespace, and refuse what each
// customer's AppProject does not allow. Every assertion is on the API server. No kubelet runs, so
// no pod ever starts: the Applications' health stays Progressing.
import { strict as assert } from "node:assert";
import { parse, stringify } from "yaml";
import { environment } from "./hooks";
import { plan } from "./live";
import { KubeObject, kubeGet, kubeList, kubectl } from "../../e2e/kubectl";
import { ARGOCD_NAMESPACE, CHART_REVISION } from "../../e2e/argocd";
import { Workdir } from "../../e2e/workdir";
import type { StackOutputs } from "../../src/customer";
import type { StackPlan } from "../../src/plan/engine";
import type { ServiceElement } from "../../src/components/gitops";
import { nonEmpty } from "../helpers";
import { ARGOCD_EXPECTED, ArgoCdAttempt } from "./isolation/expected";
import { argoCdTable, verdict } from "./isolation/table";

const IN_CLUSTER = "https://kubernetes.default.svc";
const APPLICATIONS = "applications.argoproj.io";

interface ArgoStatus {
  sync?: { status?: string };
  health?: { status?: string };
  conditions?: { type: string; message: string }[];
  operationState?: { phase?: string; message?: string; syncResult?: { resources?: { kind: string; namespace: string; name: string; message: string }[] } };
}
type ArgoObject = Omit<KubeObject, "status"> & { status?: ArgoStatus };
type GitOpsInputs = { spec: Record<string, unknown> & { template: { spec: Record<string, unknown> } } };

/** Polls `probe` until it returns a value; fails naming `what` and the last thing it saw. */
async function eventually<T>(what: string, probe: () => T | undefined, seconds = 240): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last = "";
  for (;;) {
    try {
      const value = probe();
      if (value !== undefined) return value;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds}s waiting for ${what}${last ? `; last: ${last}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** A customer of this scenario: prod only, DNS off, its charts from the e2e chart source. */
function customerFile(name: string, repoURL: string, services: string): string {
  return `name: ${name}
displayName: ${name}
fitConnectCode: FITConnect ${name}
dns: { enabled: false }
storage:
  minio: { size: 1Gi }
  postgresql: { size: 1Gi }
gitops:
  repoURL: ${repoURL}
  sourceRepos: [${repoURL}]
services:
${services}
environments:
  prod:
    domain: ${name}.fitfile.net
`;
}

const stackOf = (name: string) => `${name}-prod`;
const application = (name: string) => kubeGet(environment(), APPLICATIONS, name, ARGOCD_NAMESPACE) as ArgoObject | undefined;
/** What Argo CD says about an Application: its conditions and its last operation, as text to match. */
const statusText = (app: ArgoObject | undefined) => JSON.stringify({ conditions: app?.status?.conditions, operationState: app?.status?.operationState });

function resourceOf(stackPlan: StackPlan, kind: "AppProject" | "ApplicationSet"): GitOpsInputs {
  const found = stackPlan.resources.find((r) => r.type === `kubernetes:argoproj.io/v1alpha1:${kind}`);
  assert.ok(found, `the plan of ${stackPlan.stack} has no ${kind}`);
  return found.inputs as unknown as GitOpsInputs;
}

function elementsOf(stackPlan: StackPlan): ServiceElement[] {
  const generators = resourceOf(stackPlan, "ApplicationSet").spec.generators as { list: { elements: ServiceElement[] } }[];
  return generators.flatMap((g) => g.list.elements);
}

function generatedApplications(namespace: string): ArgoObject[] {
  return kubeList(environment(), APPLICATIONS, ARGOCD_NAMESPACE).filter((a) => a.metadata.labels?.["app.kubernetes.io/instance"] === namespace);
}

/** Labels the Applications this scenario makes by hand, so that it deletes them when it ends. */
const HAND_MADE = "ffnodes-e2e/hand-made";

/** Applies an Application as a person (or a compromised chart repository) could add it to a customer's project. */
function applyApplication(name: string, project: string, source: { repoURL: string; path: string; values?: string }, namespace: string, syncPolicy: unknown = { automated: {} }): void {
  applyApplications([{ name, project, source, namespace, syncPolicy }]);
}

function applyApplications(apps: { name: string; project: string; source: { repoURL: string; path: string; values?: string }; namespace: string; syncPolicy?: unknown }[]): void {
  const items = apps.map(({ name, project, source, namespace, syncPolicy = { automated: {} } }) => ({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name, namespace: ARGOCD_NAMESPACE, labels: { [HAND_MADE]: "true" } },
    spec: {
      project,
      source: { repoURL: source.repoURL, path: source.path, targetRevision: CHART_REVISION, helm: { values: source.values ?? "" } },
      destination: { server: IN_CLUSTER, namespace },
      syncPolicy,
    },
  }));
  kubectl(environment(), ["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items }));
}

/** Waits until every Application of the list reports Synced after a successful sync of the current values. */
function synced(names: readonly string[], values: Record<string, string>): Promise<ArgoObject[]> {
  return eventually(`${names.join(", ")} to be Synced`, () => {
    const apps = names.map((name) => application(name));
    const pending = apps.filter((app, i) => !(app?.status?.sync?.status === "Synced" && app.status.operationState?.phase === "Succeeded" && (app.spec?.source as { helm: { values: string } }).helm.values === values[names[i]]));
    if (pending.length > 0) throw new Error(pending.map((app) => `${app?.metadata.name}: ${app?.status?.sync?.status} ${statusText(app)}`).join("; "));
    return apps as ArgoObject[];
  });
}

describe("Argo CD: the real controllers generate, sync and confine two customers' services", () => {
  const [A, B] = ["argo-a", "argo-b"];
  let workdir: Workdir;
  let planA: StackPlan;
  let outputsA: StackOutputs;
  let outputsB: StackOutputs;
  const repoURL = () => environment().argocd.repoURL;
  const frontendValues = () => {
    const frontend = elementsOf(planA).find((e) => e.serviceName === "frontend");
    assert.ok(frontend, "argo-a has no frontend");
    return frontend.helmValues;
  };
  const valuesOf = (stackPlan: StackPlan) => Object.fromEntries(elementsOf(stackPlan).map((e) => [e.name, e.helmValues]));
  /** What Argo CD did with each Application the isolation table asks about (README, "Isolation, as the platforms enforce it"). */
  const observed: { attempt: ArgoCdAttempt; application: string; synced: boolean }[] = [];
  const servicesA = (ffCloudCode: string, workflows: boolean) =>
    `  ffcloud: { enabled: true, appConfig: { ffCloudCode: ${ffCloudCode} } }\n  workflows: { enabled: ${workflows} }`;

  before(async () => {
    workdir = new Workdir(environment());
    workdir.write(`customers/${A}.yaml`, customerFile(A, repoURL(), servicesA("FFCloud_Argo_A_1", true)));
    // The other customer runs one service: it stands for a neighbour, not for a second rollout.
    workdir.write(`customers/${B}.yaml`, customerFile(B, repoURL(), ["databases", "ffcloud", "fitconnect", "workflows"].map((s) => `  ${s}: { enabled: false }`).join("\n")));
    for (const name of [A, B]) workdir.write(`stacks/Pulumi.${stackOf(name)}.yaml`, "config:\n  kubernetes:context: ffnodes-local\n");
    planA = plan(workdir, stackOf(A));
    for (const name of [A, B]) workdir.ensureStack(stackOf(name));
    await Promise.all([A, B].map((name) => workdir.pulumiAsync(["up", "--yes", "--skip-preview", "-s", stackOf(name)])));
    [outputsA, outputsB] = [workdir.outputs(stackOf(A)), workdir.outputs(stackOf(B))];
  });
  after(() => {
    try {
      kubectl(environment(), ["delete", APPLICATIONS, "-n", ARGOCD_NAMESPACE, "-l", `${HAND_MADE}=true`, "--ignore-not-found"]);
    } finally {
      workdir.remove();
    }
  });

  describe("1. generated", () => {
    it("the ApplicationSet reports ResourcesUpToDate, with one Application per enabled service in the customer's project, destination and byte-equal values", async () => {
      await eventually(`ApplicationSet ${A} to report ResourcesUpToDate`, () => {
        const set = kubeGet(environment(), "applicationsets.argoproj.io", A, ARGOCD_NAMESPACE) as ArgoObject | undefined;
        const condition = set?.status?.conditions?.find((c) => c.type === "ResourcesUpToDate");
        if (condition && (condition as unknown as { status: string }).status === "True") return true;
        throw new Error(JSON.stringify(set?.status?.conditions));
      });
      const elements = nonEmpty(elementsOf(planA), "list element");
      const apps = generatedApplications(outputsA.namespace);
      assert.deepEqual(apps.map((a) => a.metadata.name).sort(), elements.map((e) => e.name).sort());
      for (const element of elements) {
        const spec = apps.find((a) => a.metadata.name === element.name)?.spec as { project: string; destination: unknown; source: { repoURL: string; path: string; targetRevision: string; helm: { values: string } } };
        assert.equal(spec.project, outputsA.namespace);
        assert.deepEqual(spec.destination, { server: IN_CLUSTER, namespace: outputsA.namespace });
        assert.equal(spec.source.repoURL, repoURL());
        assert.equal(spec.source.path, `charts/${element.serviceName}`);
        assert.equal(spec.source.helm.values, element.helmValues, `${element.name}: the values differ from the plan's`);
      }
    });
  });

  describe("2. synced", () => {
    let apps: ArgoObject[];
    before(async () => {
      apps = await synced(elementsOf(planA).map((e) => e.name), valuesOf(planA));
    });

    it("every Application is Synced after a sync that succeeded; health stays Progressing because no kubelet starts the pods", () => {
      for (const app of nonEmpty(apps, "Application")) {
        assert.equal(app.status?.sync?.status, "Synced", app.metadata.name);
        assert.equal(app.status?.health?.status, "Progressing", `${app.metadata.name}: ${JSON.stringify(app.status?.health)}`);
        observed.push({ attempt: "its own namespace, the kinds its project allows", application: app.metadata.name, synced: true });
      }
    });

    it("the charts' objects are in the customer's namespace with ffnodes' values: app config codes, database host and suffix, Vault role and path, claims, ingress", () => {
      const env = environment();
      const namespace = outputsA.namespace;
      const ffcloud = elementsOf(planA).find((e) => e.serviceName === "ffcloud");
      assert.ok(ffcloud);
      const values = parse(ffcloud.helmValues) as { global: { fitConnectCode: string; dbSuffix: string }; vault: { role: string; path: string }; host: string };
      const config = kubeGet(env, "configmap", `${ffcloud.name}-config`, namespace);
      assert.ok(config?.data, `ConfigMap ${ffcloud.name}-config is not in ${namespace}`);
      const appConfig = JSON.parse(config.data["app-config.json"]) as Record<string, unknown>;
      assert.equal(appConfig.fitConnectCode, values.global.fitConnectCode);
      assert.equal(appConfig.dbSuffix, values.global.dbSuffix);
      assert.equal(appConfig.dbHost, `postgresql.${namespace}.svc.cluster.local`);
      assert.equal(appConfig.ffCloudCode, "FFCloud_Argo_A_1");
      assert.deepEqual(appConfig.fitConnectHosts, [{ fitConnectCode: `FITConnect ${A}`, fitConnectUri: `https://${A}.fitfile.net/fitconnect` }]);

      const annotations = (kubeGet(env, "deployment", ffcloud.name, namespace)?.spec as { template: { metadata: { annotations: Record<string, string> } } }).template.metadata.annotations;
      assert.equal(annotations["vault.hashicorp.com/role"], outputsA.vault.role);
      assert.equal(annotations["vault.hashicorp.com/role"], values.vault.role);
      assert.equal(annotations["vault.hashicorp.com/agent-inject-secret-postgresql.json"], values.vault.path);

      const databases = `${namespace}-databases`;
      const volumes = (kubeGet(env, "deployment", databases, namespace)?.spec as { template: { spec: { volumes: { persistentVolumeClaim?: { claimName: string } }[] } } }).template.spec.volumes;
      assert.deepEqual(
        volumes.flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : [])).sort(),
        Object.values(outputsA.claims).sort(),
      );
      const ingress = kubeGet(env, "ingress", `${namespace}-frontend`, namespace)?.spec as { rules: { host: string }[]; tls: { secretName: string }[] };
      assert.deepEqual(ingress.rules.map((r) => r.host), [values.host]);
    });

    it("a value the chart requires and the values lack fails the render, naming the value, and syncs nothing", async () => {
      // ffcloud's generated values without one database name, as if ffnodes stopped generating it.
      const ffcloud = elementsOf(planA).find((e) => e.serviceName === "ffcloud");
      assert.ok(ffcloud);
      const values = parse(ffcloud.helmValues) as { global: { db: Record<string, unknown> } };
      assert.ok(values.global.db.events, "the plan generates global.db.events");
      delete values.global.db.events;
      const name = `${A}-ffcloud-without-events`;
      applyApplication(name, A, { repoURL: repoURL(), path: "charts/ffcloud", values: stringify(values) }, A);
      const text = await eventually(`Argo CD to fail rendering ${name}`, () => {
        const status = statusText(application(name));
        return /ComparisonError/.test(status) ? status : undefined;
      });
      assert.match(text, /\.Values\.global\.db\.events is required/);
      assert.equal(kubeGet(environment(), "configmap", `${name}-config`, A), undefined);
      assert.equal(kubeGet(environment(), "deployment", name, A), undefined);
    });
  });

  describe("3. confined: each is refused by Argo CD, naming the project, and creates none of its objects", () => {
    // The charts of the chart source's confined/ folder: each holds one object the project must
    // refuse, and a ConfigMap it allows (`<name>-marker`), which a refused sync must not create either.
    const cases: { name: string; attempt: ArgoCdAttempt; path: string; values?: string; refused: RegExp; gone: (app: string) => KubeObject | undefined }[] = [
      {
        name: "cluster-role",
        attempt: "a cluster-scoped object (ClusterRole)",
        path: "confined/cluster-role",
        refused: /resource rbac\.authorization\.k8s\.io:ClusterRole is not permitted in project argo-a/,
        gone: (app: string) => kubeGet(environment(), "clusterrole", app),
      },
      { name: "namespace", attempt: "a Namespace", path: "confined/namespace", refused: /resource :Namespace is not permitted in project argo-a/, gone: (app: string) => kubeGet(environment(), "namespace", app) },
      {
        name: "kind",
        attempt: "a NetworkPolicy in its own namespace (the isolation ffnodes owns)",
        path: "confined/network-policy",
        refused: /resource networking\.k8s\.io:NetworkPolicy is not permitted in project argo-a/,
        gone: (app: string) => kubeGet(environment(), "networkpolicy", app, A),
      },
      ...(
        [
          ["kube-system", "kube-system"],
          [ARGOCD_NAMESPACE, "argocd"],
          ["vault", "vault"],
          [B, "another customer's namespace"],
        ] as [string, ArgoCdAttempt][]
      ).map(([target, attempt]) => ({
        name: `into-${target}`,
        attempt,
        path: "confined/elsewhere",
        values: `targetNamespace: ${target}\n`,
        refused: new RegExp(`namespace ${target} is not permitted in project 'argo-a'`),
        gone: (app: string) => kubeGet(environment(), "configmap", app, target),
      })),
    ];
    const appName = (name: string) => `${A}-confined-${name}`;

    before(() => {
      applyApplications(cases.map((c) => ({ name: appName(c.name), project: A, source: { repoURL: repoURL(), path: c.path, values: c.values }, namespace: A })));
    });

    for (const c of cases) {
      it(`a chart that creates ${c.name === "kind" ? "a kind the project forbids (NetworkPolicy)" : c.name.startsWith("into-") ? `an object in namespace ${c.name.slice(5)}` : `a cluster-scoped ${c.name}`}`, async () => {
        const name = appName(c.name);
        // Argo CD retries a failed automated sync (5 times, backing off); the first attempt's result names the refusal.
        const app = await eventually(`Argo CD to refuse ${name}`, () => {
          const live = application(name);
          if (c.refused.test(statusText(live))) return live;
          throw new Error(statusText(live));
        });
        assert.notEqual(app.status?.operationState?.phase, "Succeeded");
        assert.notEqual(app.status?.sync?.status, "Synced");
        assert.equal(c.gone(name), undefined, "the refused object exists");
        assert.equal(kubeGet(environment(), "configmap", `${name}-marker`, A), undefined, "an object of the refused sync exists");
        observed.push({ attempt: c.attempt, application: name, synced: false });
      });
    }

    it("an Application whose source repository is not in the project's sourceRepos", async () => {
      const name = appName("unlisted-repository");
      applyApplication(name, A, { repoURL: environment().argocd.unlistedRepoURL, path: "charts/frontend", values: frontendValues() }, A);
      const app = await eventually(`Argo CD to refuse ${name}`, () => {
        const text = statusText(application(name));
        return /InvalidSpecError/.test(text) ? text : undefined;
      });
      assert.match(app, /application repo https:\/\/127\.0\.0\.1:\d+\/unlisted\.git is not permitted in project 'argo-a'/);
      assert.equal(kubeGet(environment(), "deployment", name, A), undefined);
      observed.push({ attempt: "a source repository not in its project's sourceRepos", application: name, synced: false });
    });
  });

  describe("4. two customers", () => {
    it("neither customer's project lets an Application deploy into the other's namespace", async () => {
      const env = environment();
      const pairs = [
        [A, outputsB.namespace],
        [B, outputsA.namespace],
      ];
      applyApplications(pairs.map(([project, target]) => ({ name: `${project}-into-${target}`, project, source: { repoURL: repoURL(), path: "charts/frontend", values: frontendValues() }, namespace: target })));
      for (const [project, target] of pairs) {
        const name = `${project}-into-${target}`;
        const text = await eventually(`Argo CD to refuse ${name}`, () => {
          const status = statusText(application(name));
          return /InvalidSpecError/.test(status) ? status : undefined;
        });
        assert.match(text, new RegExp(`namespace '${target}' do not match any of the allowed destinations in project '${project}'`));
        assert.equal(kubeGet(env, "deployment", name, target), undefined);
        observed.push({ attempt: "another customer's namespace", application: name, synced: false });
      }
      // B's own Application syncs into B's namespace all the same.
      await synced([`${B}-frontend`], { [`${B}-frontend`]: elementsOf(plan(workdir, stackOf(B)))[0].helmValues });
    });
  });

  describe("5. a change reaches the cluster, and 6. a service turned off, by one `pulumi up`", () => {
    let changed: StackPlan;
    before(() => {
      workdir.write(`customers/${A}.yaml`, customerFile(A, repoURL(), servicesA("FFCloud_Argo_A_2", false)));
      changed = plan(workdir, stackOf(A));
      workdir.up(stackOf(A));
    });

    it("5. a value changed in the customer file changes the Application's values, and Argo CD syncs the new ConfigMap", async () => {
      const ffcloud = `${A}-ffcloud`;
      await synced([ffcloud], valuesOf(changed));
      const config = kubeGet(environment(), "configmap", `${ffcloud}-config`, A);
      assert.equal((JSON.parse(config?.data?.["app-config.json"] ?? "{}") as { ffCloudCode: string }).ffCloudCode, "FFCloud_Argo_A_2");
    });

    it("6. the turned-off service's Application goes away and its objects stay, no longer synced (preserveResourcesOnDeletion)", async () => {
      const workflows = `${A}-workflows`;
      await eventually(`Application ${workflows} to go`, () => (application(workflows) === undefined ? true : undefined));
      assert.ok(kubeGet(environment(), "deployment", workflows, A), "the turned-off service's Deployment was deleted");
      assert.ok(kubeGet(environment(), "configmap", `${workflows}-config`, A), "the turned-off service's ConfigMap was deleted");
      assert.deepEqual(generatedApplications(outputsA.namespace).map((a) => a.metadata.name).sort(), elementsOf(changed).map((e) => e.name).sort());
    });
  });

  describe("7. the namespace at sync time", () => {
    it("the first sync works when Argo CD gets there before the namespace exists: it fails, retries, and syncs once the namespace is there", async () => {
      // ffnodes' own project and sync policy (the plan's), for a namespace that does not exist yet.
      const env = environment();
      const early = "argo-early";
      const project = resourceOf(planA, "AppProject");
      const set = resourceOf(planA, "ApplicationSet");
      kubectl(env, ["apply", "-f", "-"], JSON.stringify({
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AppProject",
        metadata: { name: early, namespace: ARGOCD_NAMESPACE },
        spec: { ...project.spec, destinations: [{ server: IN_CLUSTER, namespace: early }] },
      }));
      const frontend = elementsOf(planA).find((e) => e.serviceName === "frontend");
      assert.ok(frontend);
      const name = `${early}-frontend`;
      applyApplication(name, early, { repoURL: repoURL(), path: "charts/frontend", values: frontend.helmValues }, early, set.spec.template.spec.syncPolicy);
      const refused = await eventually(`the first sync of ${name} to fail on the missing namespace`, () => {
        const text = statusText(application(name));
        return /not found|not permitted/.test(text) ? text : undefined;
      });
      assert.match(refused, new RegExp(`namespaces \\\\"${early}\\\\" not found`), "the sync failed for another reason than the missing namespace");
      kubectl(env, ["create", "namespace", early]);
      await synced([name], { [name]: frontend.helmValues });
      assert.ok(kubeGet(env, "deployment", name, early));
      kubectl(env, ["delete", "appproject", early, "-n", ARGOCD_NAMESPACE]);
    });
  });

  describe("8. decommission under the real controllers", () => {
    it("stop-sync waits until Argo CD has removed the generated Applications; claims, Services and ConfigMaps stay, workloads go", () => {
      const stack = stackOf(A);
      const result = workdir.run("npm", ["run", "-s", "decommission", "--", "--stack", stack, "--confirm", stack, "--production"], { timeoutSeconds: 900 });
      assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
      const env = environment();
      const namespace = outputsA.namespace;
      assert.deepEqual(generatedApplications(namespace).map((a) => a.metadata.name), []);
      assert.ok(kubeGet(env, "namespace", namespace), "the namespace was deleted");
      for (const claim of nonEmpty(Object.values(outputsA.claims), "claim")) assert.ok(kubeGet(env, "persistentvolumeclaim", claim, namespace), `claim ${claim} was deleted`);
      for (const service of ["databases", "ffcloud", "frontend"]) {
        assert.ok(kubeGet(env, "service", `${namespace}-${service}`, namespace), `Service ${namespace}-${service} was deleted`);
        assert.ok(kubeGet(env, "configmap", `${namespace}-${service}-config`, namespace), `ConfigMap ${namespace}-${service}-config was deleted`);
      }
      assert.deepEqual(kubeList(env, "deployments.apps", namespace).map((d) => d.metadata.name), []);
    });
  });
  describe("9. the isolation table's Argo CD rows", () => {
    it("every row was asked of the controllers above, and each answer is the declared verdict", () => {
      const answers = (attempt: ArgoCdAttempt) => observed.filter((o) => o.attempt === attempt);
      console.log(
        argoCdTable((attempt, allowed) => {
          const seen = answers(attempt);
          if (seen.length === 0) return `**expected ${verdict(allowed)}, not asked**`;
          return seen.every((o) => o.synced === allowed) ? verdict(allowed) : `**expected ${verdict(allowed)}, differs**`;
        }).join("\n"),
      );
      assert.deepEqual((Object.keys(ARGOCD_EXPECTED) as ArgoCdAttempt[]).filter((attempt) => answers(attempt).length === 0), [], "rows not asked");
      assert.deepEqual(observed.filter((o) => o.synced !== ARGOCD_EXPECTED[o.attempt]).map((o) => `${o.application}: ${o.attempt}`), []);
    });
  });
});
