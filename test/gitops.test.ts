import * as assert from "node:assert/strict";
import { AppProject, IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import { Application, IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import { ApplicationSet, IApplicationSet } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/ApplicationSet";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import { IPodTemplateSpec } from "kubernetes-models/v1/PodTemplateSpec";
import { IService } from "kubernetes-models/v1/Service";
import { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { parse } from "yaml";
import * as fs from "node:fs";
import { buildPgweb, pgwebCommand } from "../src/components/addons";
import { buildVault } from "../src/components/vault";
import { NAMESPACE_RESOURCE_BLACKLIST, ServiceElement, buildGitOps } from "../src/components/gitops";
import { buildHelmValues } from "../src/components/helm-values";
import { EnvironmentConfig } from "../src/config/environment";
import { listStacks } from "../src/config/files";
import { Problem } from "../src/config/problems";
import { StackPlan, planStack } from "../src/plan/engine";
import { offlineMocks } from "../src/plan/mocks";
import { parseStackFile } from "../src/config/stack-file";
import { runProgram } from "../src/program";
import { stackConfig } from "./gitops-helpers";
import { REPO_ROOT, Refusal, customerFixture, findResource, fixtureRoot, itRejects, planRepoStack, problemsOf, resolveStack, resourcesOfType, stackFile, withSettings } from "./helpers";
import { validateCoreManifest } from "./k8s-schema";

const APPSET = "kubernetes:argoproj.io/v1alpha1:ApplicationSet";
const PROJECT = "kubernetes:argoproj.io/v1alpha1:AppProject";
const SEED_REPO = "https://gitlab.com/fitfile/deployment.git";
const IN_CLUSTER = "https://kubernetes.default.svc";

/** Plain JSON of a spec or a planned resource's inputs, read as the model that validates it. */
function json<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function gitopsOf(config: EnvironmentConfig) {
  return buildGitOps(config);
}

function elementsOf(set: IApplicationSet): ServiceElement[] {
  return set.spec.generators.flatMap((g) => (g.list?.elements ?? []) as ServiceElement[]);
}

/**
 * What the ApplicationSet controller does with goTemplate and missingkey=error, for the plain
 * `{{ .field }}` references the template uses: every string field rendered against one element.
 */
function renderApplication(set: IApplicationSet, fields: Partial<ServiceElement>): IApplication {
  const render = (value: unknown): unknown => {
    if (typeof value === "string") {
      return value.replace(/\{\{ \.(\w+) \}\}/g, (_, key: keyof ServiceElement) => {
        const field = fields[key];
        if (field === undefined) throw new Error(`map has no entry for key "${key}"`);
        return field;
      });
    }
    if (Array.isArray(value)) return value.map(render);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v)]));
    return value;
  };
  return json<IApplication>({ apiVersion: "argoproj.io/v1alpha1", kind: "Application", ...(render(set.spec.template) as object) });
}

function problemsOfCustomer(customerYaml: string): Problem[] {
  const root = fixtureRoot({ "customers/x.yaml": customerYaml, "stacks/Pulumi.x-prod.yaml": stackFile() });
  return problemsOf(() => stackConfig("x-prod", root));
}

const customer = (envSection: string) => `name: x
displayName: X
fitConnectCode: FITConnect X
environments:
  prod:
    domain: x.fitfile.net
${envSection
  .split("\n")
  .map((l) => (l ? `    ${l}` : l))
  .join("\n")}
`;

describe("GitOps: AppProject and ApplicationSet", () => {
  describe("ff-a prod, as planned", () => {
    let plan: StackPlan;
    before(async () => {
      plan = await planRepoStack("ff-a-prod");
    });

    it("creates one AppProject and one ApplicationSet under the GitOps component", () => {
      const project = findResource(plan, PROJECT, "gitops-project");
      const set = findResource(plan, APPSET, "gitops-applicationset");
      assert.equal(project.parent, "gitops");
      assert.equal(set.parent, "gitops");
      assert.equal(findResource(plan, "ffnodes:customer:GitOps", "gitops").parent, "ff-a");
    });

    it("validates both against the ArgoCD CRD schemas", () => {
      new AppProject(json<IAppProject>(findResource(plan, PROJECT, "gitops-project").inputs)).validate();
      new ApplicationSet(json<IApplicationSet>(findResource(plan, APPSET, "gitops-applicationset").inputs)).validate();
    });

    it("confines the project to namespace ff-a, the seed's repository, no cluster-scoped kinds and no isolation kinds", () => {
      const { metadata, spec } = json<IAppProject>(findResource(plan, PROJECT, "gitops-project").inputs);
      assert.equal(metadata?.name, "ff-a");
      assert.equal(metadata?.namespace, "argocd");
      assert.deepEqual(spec.sourceRepos, [SEED_REPO]);
      assert.deepEqual(spec.destinations, [{ namespace: "ff-a", server: IN_CLUSTER }]);
      assert.deepEqual(spec.clusterResourceWhitelist, []);
      for (const kind of ["ResourceQuota", "LimitRange", "NetworkPolicy"]) {
        assert.ok(spec.namespaceResourceBlacklist?.some((r) => r.kind === kind), kind);
      }
    });

    it("keeps the seed's sync policy, without CreateNamespace while the project allows no Namespace, and never cascades a deletion into the workloads", () => {
      const { metadata, spec } = json<IApplicationSet>(findResource(plan, APPSET, "gitops-applicationset").inputs);
      assert.equal(metadata?.name, "ff-a");
      assert.equal(metadata?.namespace, "argocd");
      assert.equal(spec.goTemplate, true);
      assert.deepEqual(spec.goTemplateOptions, ["missingkey=error"]);
      assert.deepEqual(spec.syncPolicy, { preserveResourcesOnDeletion: true });
      assert.deepEqual(spec.template.spec.syncPolicy, {
        automated: { prune: true, selfHeal: true },
        syncOptions: ["Validate=false", "PrunePropagationPolicy=foreground", "PruneLast=true"],
        retry: { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } },
      });
      assert.equal(spec.template.spec.project, "ff-a");
      assert.deepEqual(spec.template.spec.destination, { namespace: "ff-a", server: IN_CLUSTER });
    });

    it("renders one valid Application per seed service: ff-a-<service>, charts/<service> at latest-release, values inline", () => {
      const set = json<IApplicationSet>(findResource(plan, APPSET, "gitops-applicationset").inputs);
      const config = stackConfig("ff-a-prod");
      const values = buildHelmValues(config);
      const apps = elementsOf(set).map((e) => renderApplication(set, e));
      assert.deepEqual(
        apps.map((a) => [a.metadata.name, a.spec.source?.path, a.spec.source?.targetRevision, a.spec.source?.repoURL]),
        ["databases", "ffcloud", "fitconnect", "frontend", "workflows"].map((s) => [`ff-a-${s}`, `charts/${s}`, "latest-release", SEED_REPO]),
      );
      for (const app of apps) {
        new Application(app).validate();
        const service = app.spec.source?.path?.slice("charts/".length) ?? "";
        assert.deepEqual(parse(app.spec.source?.helm?.values ?? ""), json(values[service]), service);
        assert.equal(app.spec.source?.helm?.valueFiles, undefined);
      }
      assert.deepEqual(plan.outputs.applications, apps.map((a) => a.metadata.name));
    });

    it("leaves no values-file path anywhere in the plan", () => {
      const text = JSON.stringify(plan);
      assert.doesNotMatch(text, /\/ffnodes\/[^"]*\.yaml/);
      assert.doesNotMatch(text, /valueFiles|app-config\.yaml|infra-config\.yaml|shared-secrets-values/);
    });
  });

  it("validates against the CRD schemas for every stack in the repository", () => {
    for (const stack of listStacks(REPO_ROOT)) {
      const specs = gitopsOf(stackConfig(stack));
      new AppProject(specs.project).validate();
      new ApplicationSet(specs.applicationSet).validate();
      for (const element of elementsOf(specs.applicationSet)) {
        new Application(renderApplication(specs.applicationSet, element)).validate();
      }
    }
  });

  it("gives no list element a `values` key, which the ApplicationSet controller reserves (argo-cd applicationset/generators/list.go, value_interpolation.go)", () => {
    for (const stack of listStacks(REPO_ROOT)) {
      for (const element of elementsOf(gitopsOf(stackConfig(stack)).applicationSet)) {
        assert.ok(!Object.hasOwn(element, "values"), `${stack}: ${element.name}`);
      }
    }
  });

  it("every AppProject confines destinations to its one namespace on its one cluster", () => {
    const base = stackConfig("ff-a-prod");
    const label = fc.stringMatching(/^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$/);
    const repo = fc.webUrl({ validSchemes: ["https"], withQueryParameters: false, withFragments: false });
    fc.assert(
      fc.property(
        label,
        fc.domain().map((d) => `https://${d}`),
        fc.uniqueArray(repo, { minLength: 1, maxLength: 4 }),
        fc.dictionary(label, fc.boolean(), { maxKeys: 6 }),
        (namespace, cluster, sourceRepos, services) => {
          const config = withSettings(base, {
            namespace,
            gitops: { ...base.settings.gitops, cluster, sourceRepos, repoURL: sourceRepos[0] },
            services: Object.fromEntries(Object.entries(services).map(([s, enabled]) => [s, { enabled }])),
          });
          const { project, applicationSet } = gitopsOf(config);
          assert.deepEqual(project.spec?.destinations, [{ server: cluster, namespace }]);
          assert.deepEqual(project.spec?.clusterResourceWhitelist, []);
          assert.deepEqual(project.spec?.namespaceResourceBlacklist, NAMESPACE_RESOURCE_BLACKLIST);
          assert.equal(applicationSet.spec.template.spec.project, project.metadata?.name);
          assert.deepEqual(applicationSet.spec.template.spec.destination, { server: cluster, namespace });
          assert.deepEqual(
            elementsOf(applicationSet).map((e) => e.serviceName),
            Object.keys(services).filter((s) => services[s]).sort(),
          );
          new AppProject(project).validate();
          new ApplicationSet(applicationSet).validate();
        },
      ),
      { numRuns: 100 },
    );
  });

  // Argo CD checks the namespace that CreateNamespace=true would create against the project like
  // any object (controller/sync.go): the option without the allowance fails every sync that finds
  // the namespace missing (shown against the real controllers by test/e2e/13-argocd.e2e.ts).
  it("asks Argo CD to create the namespace exactly when the project allows Namespaces", () => {
    const base = stackConfig("ff-a-prod");
    const cases: [string, { group: string; kind: string }[], boolean][] = [
      ["no cluster-scoped kind", [], false],
      ["Namespace", [{ group: "", kind: "Namespace" }], true],
      ["a Namespace of another group", [{ group: "example.com", kind: "Namespace" }], false],
      ["another core kind", [{ group: "", kind: "PersistentVolume" }], false],
    ];
    for (const [what, clusterResourceWhitelist, creates] of cases) {
      const { project, applicationSet } = gitopsOf(withSettings(base, { gitops: { ...base.settings.gitops, clusterResourceWhitelist } }));
      assert.deepEqual(project.spec?.clusterResourceWhitelist, clusterResourceWhitelist, what);
      const options = applicationSet.spec.template.spec.syncPolicy?.syncOptions ?? [];
      assert.equal(options.includes("CreateNamespace=true"), creates, `${what}: ${options.join(", ")}`);
      assert.deepEqual(options.filter((o) => o !== "CreateNamespace=true"), ["Validate=false", "PrunePropagationPolicy=foreground", "PruneLast=true"], what);
    }
  });

  it("produces no element for a disabled service, and pins a service to its own revision", () => {
    const root = fixtureRoot({
      "customers/x.yaml": customer("services:\n  workflows: { enabled: false }\n  frontend: { enabled: true, targetRevision: v1.2.3 }"),
      "stacks/Pulumi.x-prod.yaml": stackFile(),
    });
    const specs = gitopsOf(stackConfig("x-prod", root));
    const elements = elementsOf(specs.applicationSet);
    assert.deepEqual(
      elements.map((e) => [e.serviceName, e.targetRevision]),
      [
        ["databases", "latest-release"],
        ["ffcloud", "latest-release"],
        ["fitconnect", "latest-release"],
        ["frontend", "v1.2.3"],
      ],
    );
    assert.deepEqual(specs.applications, ["x-databases", "x-ffcloud", "x-fitconnect", "x-frontend"]);
  });

  describe("settings a user can get wrong", () => {
    const file = "customers/x.yaml";
    const cases: (Refusal & { section: string })[] = [
      {
        title: "pgweb on the primary domain",
        file,
        section: "addons: [pgweb]\npgweb: { publish: true, host: x.fitfile.net }",
        path: "environments.prod.pgweb.host",
        says: /must be one of the environment's extraHosts other than domain/,
      },
      {
        title: "pgweb on a host the environment does not have",
        file,
        section: "extraHosts: [db.fitfile.net]\naddons: [pgweb]\npgweb: { publish: true, host: pgweb.fitfile.net }",
        path: "environments.prod.pgweb.host",
        says: /'pgweb\.fitfile\.net' must be one of .*\(db\.fitfile\.net\)/,
      },
      {
        title: "a published pgweb without a host",
        file,
        section: "addons: [pgweb]\npgweb: { publish: true }",
        path: "environments.prod.addons",
        says: /a published pgweb needs its own host: set pgweb\.host/,
      },
      {
        title: "pgweb between two extra hosts named after it",
        file,
        section: "extraHosts: [pgweb.fitfile.net, old-pgweb.fitfile.net]\naddons: [pgweb]\npgweb: { publish: true }",
        path: "environments.prod.addons",
        says: /exactly one extra host whose first label names pgweb/,
      },
      { title: "an unknown addon", file, section: "addons: [adminer]", path: "environments.prod.addons.0", says: /pgweb/ },
      {
        title: "a chart repository the project does not allow",
        file,
        section: "gitops: { repoURL: https://github.com/elsewhere/charts.git }",
        path: "environments.prod.gitops.repoURL",
        says: /must be one of gitops\.sourceRepos/,
      },
      { title: "a cluster that is not an https URL", file, section: "gitops: { cluster: kubernetes.default.svc }", path: "environments.prod.gitops.cluster", says: /https URL/ },
      { title: "a typo in a service", file, section: "services: { ffcloud: { enabeld: true } }", path: "environments.prod.services.ffcloud.enabeld", says: /unknown key/ },
      { title: "a service without enabled", file, section: "services: { reports: { appConfig: {} } }", path: "environments.prod.services.reports.enabled", says: /required/ },
      { title: "a service name that is no DNS label", file, section: "services: { Reports: { enabled: true } }", path: "environments.prod.services.Reports", says: /DNS-1123/ },
    ];
    itRejects(cases, (c) => problemsOfCustomer(customer(c.section)), { alone: true });

    it("accepts pgweb on one of the environment's extra hosts", () => {
      assert.deepEqual(problemsOfCustomer(customer("extraHosts: [db.fitfile.net]\naddons: [pgweb]\npgweb: { host: db.fitfile.net }")), []);
    });
  });

  it("makes the ApplicationSet and pgweb wait for the namespace isolation, the storage and Vault", async () => {
    const stack = "ff-a-prod";
    const { config, secretKeys } = parseStackFile(REPO_ROOT, stack);
    await pulumi.runtime.setMocks(offlineMocks, "ffnodes", stack, false);
    pulumi.runtime.setAllConfig(config, secretKeys);
    const seen = new Map<string, { resource: pulumi.Resource; opts: pulumi.CustomResourceOptions }>();
    runProgram(REPO_ROOT, {
      transformations: [
        (args) => {
          seen.set(args.name, { resource: args.resource, opts: args.opts });
          return undefined;
        },
      ],
    });
    const waitsFor = (name: string, needed: string) => {
      const deps = seen.get(name)?.opts.dependsOn;
      return Array.isArray(deps) && deps.some((d) => d === seen.get(needed)?.resource);
    };
    for (const needed of ["gitops-project", "isolation", "storage", "vault"]) assert.ok(waitsFor("gitops-applicationset", needed), needed);
    for (const workload of ["pgweb-deployment", "pgweb-service", "pgweb-ingress"]) {
      for (const needed of ["isolation", "storage", "vault"]) assert.ok(waitsFor(workload, needed), `${workload} after ${needed}`);
    }
  });
});

describe("pgweb addon", () => {
  let config: EnvironmentConfig;
  let deployment: IDeployment;
  let service: IService;
  let ingress: IIngress;
  let pod: IPodTemplateSpec | undefined;
  before(() => {
    config = stackConfig("ff-a-prod");
    const specs = buildPgweb(config);
    deployment = json<IDeployment>(specs?.deployment);
    service = json<IService>(specs?.service);
    ingress = json<IIngress>(specs?.ingress);
    pod = deployment.spec?.template;
  });

  it("is created only where the environment's addons include it", async () => {
    assert.equal(buildPgweb(stackConfig("kch-prod")), undefined);
    const plan = await planRepoStack("ff-a-prod");
    assert.deepEqual(
      plan.resources.filter((r) => r.parent === "addons").map((r) => r.name),
      ["pgweb-deployment", "pgweb-service", "pgweb-serviceaccount", "pgweb-ingress"],
    );
    validateCoreManifest(findResource(plan, "kubernetes:apps/v1:Deployment", "pgweb-deployment"));
    validateCoreManifest(findResource(plan, "kubernetes:core/v1:Service", "pgweb-service"));
    validateCoreManifest(findResource(plan, "kubernetes:networking.k8s.io/v1:Ingress", "pgweb-ingress"));
    assert.equal(resourcesOfType(plan, "ffnodes:customer:Addons").length, 1);
  });

  it("connects to the configured PostgreSQL host instead of the databases application's", () => {
    const moved = withSettings(config, { pgweb: { ...config.settings.pgweb, databaseHost: "pg.shared.svc" } });
    const template = json<IDeployment>(buildPgweb(moved)?.deployment).spec?.template.metadata?.annotations?.["vault.hashicorp.com/agent-inject-template-database-url"];
    assert.match(template ?? "", /@pg\.shared\.svc:5432\/fitconnect\?/);
  });

  it("runs the seed's image on 8081 with its probes", () => {
    const [container] = pod?.spec?.containers ?? [];
    assert.equal(container.image, "sosedoff/pgweb:0.16.2");
    assert.deepEqual(container.ports, [{ name: "http", containerPort: 8081 }]);
    assert.deepEqual([container.readinessProbe?.initialDelaySeconds, container.readinessProbe?.periodSeconds], [15, 15]);
    assert.deepEqual([container.livenessProbe?.initialDelaySeconds, container.livenessProbe?.periodSeconds], [30, 15]);
    assert.equal(deployment.spec?.replicas, 1);
  });

  it("satisfies the restricted Pod Security profile the namespace warns at", () => {
    const security = pod?.spec?.securityContext;
    assert.equal(security?.runAsNonRoot, true);
    assert.ok((security?.runAsUser ?? 0) > 0);
    assert.deepEqual(security?.seccompProfile, { type: "RuntimeDefault" });
    for (const c of pod?.spec?.containers ?? []) {
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
      assert.deepEqual(c.securityContext?.capabilities?.drop, ["ALL"]);
      assert.equal(c.securityContext?.privileged, undefined);
    }
  });

  it("serves on ClusterIP port 80 and a TLS ingress on its own host", () => {
    assert.equal(service.spec?.type, "ClusterIP");
    assert.deepEqual(service.spec?.ports, [{ name: "http", port: 80, targetPort: "http" }]);
    assert.deepEqual(ingress.spec?.tls, [{ hosts: ["prod-pgweb.fitfile.net"], secretName: "cloudflare-tls" }]);
    assert.deepEqual(ingress.spec?.rules?.map((r) => r.host), ["prod-pgweb.fitfile.net"]);
    assert.ok(config.hosts.includes("prod-pgweb.fitfile.net"));
  });

  it("reads DATABASE_URL from the Vault component's generated PostgreSQL credentials, never from a value", () => {
    const annotations = pod?.metadata?.annotations ?? {};
    const secret = "ff-a-application/data/app";
    assert.equal(annotations["vault.hashicorp.com/agent-inject"], "true");
    assert.equal(annotations["vault.hashicorp.com/auth-path"], "auth/kubernetes");
    assert.equal(annotations["vault.hashicorp.com/role"], "ff-a");
    assert.equal(annotations["vault.hashicorp.com/agent-inject-secret-database-url"], secret);
    assert.equal(
      annotations["vault.hashicorp.com/agent-inject-template-database-url"],
      [
        `{{- with secret "${secret}" -}}`,
        "export DATABASE_URL='postgres://{{ .Data.data.postgresql_username | urlquery }}:{{ .Data.data.postgresql_password | urlquery }}@ff-a-databases-postgresql:5432/fitconnect?sslmode=disable'",
        "{{- end }}",
      ].join("\n"),
    );
    assert.ok(buildVault(config).outputs.templates["postgresql.json"].includes("postgresql_password"), "the Vault component generates these keys");
    assert.deepEqual(
      (buildVault(config).authRole.args.boundServiceAccountNames as string[]).filter((sa) => sa === "pgweb"),
      ["pgweb"],
      "the Vault role lets pgweb's account log in",
    );
    assert.deepEqual(
      (buildVault(stackConfig("kch-prod")).authRole.args.boundServiceAccountNames as string[]).filter((sa) => sa === "pgweb"),
      [],
      "and only where pgweb runs",
    );
    const [container] = pod?.spec?.containers ?? [];
    assert.match(container.command?.join(" ") ?? "", /\. \/vault\/secrets\/database-url && exec \/usr\/bin\/pgweb/);
    assert.equal(container.env, undefined);
  });

  // Flags as pgweb's pkg/command/options.go (sosedoff/pgweb) defines them; --open-retry since 0.15 (pull request #695).
  it("is read-only, locked to its one database, without SSH tunnels, and retries the database ArgoCD has yet to deploy", () => {
    const [container] = pod?.spec?.containers ?? [];
    const command = container.command?.join(" ") ?? "";
    for (const flag of ["--readonly", "--lock-session", "--no-ssh", "--open-retry=200"]) assert.ok(command.includes(` ${flag}`), `${flag} in ${command}`);
    assert.doesNotMatch(command, /--sessions|--url|--host/);
    assert.equal(deployment.metadata?.annotations?.["pulumi.com/skipAwait"], "true", "the first up does not wait for it");
    assert.deepEqual(container.readinessProbe?.tcpSocket, { port: "http" }, "basic auth answers 401 to an HTTP probe");
  });

  it("asks for basic auth from the customer's Vault space, and refuses to start without it", () => {
    const annotations = pod?.metadata?.annotations ?? {};
    for (const [file, key] of [["pgweb-auth-user", "username"], ["pgweb-auth-pass", "password"]]) {
      assert.equal(annotations[`vault.hashicorp.com/agent-inject-secret-${file}`], "ff-a-application/data/pgweb");
      assert.equal(annotations[`vault.hashicorp.com/agent-inject-template-${file}`], `{{- with secret "ff-a-application/data/pgweb" -}}{{ .Data.data.${key} }}{{- end }}`);
    }
    const command = pgwebCommand();
    assert.match(command, /--auth-user="\$\(cat \/vault\/secrets\/pgweb-auth-user\)" --auth-pass="\$\(cat \/vault\/secrets\/pgweb-auth-pass\)"/);
    assert.match(command, /^test -s \/vault\/secrets\/pgweb-auth-user && test -s \/vault\/secrets\/pgweb-auth-pass \|\| \{ .*exit 1; \}/);
  });

  it("is not published unless the customer file says so: no Ingress, reachable by port-forward", async () => {
    const root = fixtureRoot(customerFixture("db", "domain: db.fitfile.net\nextraHosts: [db-pgweb.fitfile.net]\naddons: [pgweb]"));
    const plan = await planStack(root, "db-prod");
    assert.deepEqual(plan.resources.filter((r) => r.parent === "addons").map((r) => r.name).sort(), ["pgweb-deployment", "pgweb-service", "pgweb-serviceaccount"]);
    const stackOnly = fixtureRoot({
      ...customerFixture("db", "domain: db.fitfile.net\nextraHosts: [db-pgweb.fitfile.net]\naddons: [pgweb]"),
      "stacks/Pulumi.db-prod.yaml": stackFile("  ffnodes:settings: { pgweb: { publish: true } }\n"),
    });
    assert.throws(() => resolveStack(stackOnly, "db-prod", { pgweb: { publish: true } }), /stacks\/Pulumi\.db-prod\.yaml: config\.ffnodes:settings\.pgweb\.publish: .*only a customer file/);
    for (const dir of [root, stackOnly]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("published, sits behind the ingress controller's IP allow-list and external authentication when set", () => {
    const guarded: EnvironmentConfig = {
      ...config,
      settings: { ...config.settings, pgweb: { ...config.settings.pgweb, allowedSourceRanges: ["203.0.113.0/24", "198.51.100.7/32"], externalAuthUrl: "https://auth.fitfile.net/oauth2/auth" } },
    };
    const annotations = json<IIngress>(buildPgweb(guarded)?.ingress).metadata?.annotations ?? {};
    assert.equal(annotations["nginx.ingress.kubernetes.io/whitelist-source-range"], "203.0.113.0/24,198.51.100.7/32");
    assert.equal(annotations["nginx.ingress.kubernetes.io/auth-url"], "https://auth.fitfile.net/oauth2/auth");
    assert.deepEqual(Object.keys(ingress.metadata?.annotations ?? {}), ["pulumi.com/skipAwait"], "none of them unless configured");
  });
});
