import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { parse } from "yaml";
import { importHelmCommand } from "../src/cli/import-helm";
import { checkAllStacks } from "../src/config/fleet";
import { listStacks, loadDefaults } from "../src/config/files";
import { deepMerge, isPlainObject, sourceOf, valueAtPath } from "../src/config/merge";
import { ConfigError, Problem, formatProblem } from "../src/config/problems";
import { environmentSettings } from "../src/config/schema";
import { mapEnvironment } from "../src/import/apply";
import { readApplicationSet } from "../src/import/appset";
import { ImportResult, importHelm } from "../src/import";
import { PINNED, PER_ENVIRONMENT, RULES, matchesPrefix } from "../src/import/mapping";
import { isSecretKey, isSecretValue, withoutSecrets } from "../src/config/secrets";
import { CustomerValues, EnvironmentValues, Tree, readTree } from "../src/import/tree";
import { canonical, leaves } from "../src/import/values";
import { buildHelmValues } from "../src/components/helm-values";
import { buildGitOps } from "../src/components/gitops";
import { planStack } from "../src/plan/engine";
import { stackConfig } from "./gitops-helpers";
import { REPO_ROOT, findResource, fixtureRoot, resourcesOfType, runCommand, tempDir } from "./helpers";

const FIXTURE = path.join(REPO_ROOT, "test/fixtures/helm");

/** A project holding ff-a's FITConnect peers (ff-b, ff-c), whose own files name ff-a: only valid once ff-a is imported. */
function projectRoot(extra: Record<string, string> = {}): string {
  const repo = (f: string) => fs.readFileSync(path.join(REPO_ROOT, f), "utf8");
  const files = ["customers/ff-b.yaml", "customers/ff-c.yaml", "stacks/Pulumi.ff-b-prod.yaml", "stacks/Pulumi.ff-c-prod.yaml"];
  return fixtureRoot({ ...Object.fromEntries(files.map((f) => [f, repo(f)])), ...extra });
}

function run(root: string, options: Partial<Parameters<typeof importHelm>[0]> = {}): ImportResult {
  return importHelm({ dir: FIXTURE, root, dryRun: false, force: false, ...options });
}

const readYaml = (root: string, file: string): Record<string, unknown> => parse(fs.readFileSync(path.join(root, file), "utf8")) as Record<string, unknown>;

/** Every file below `dir` with its text. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const f of fs.readdirSync(d).sort()) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out.set(path.relative(dir, p), fs.readFileSync(p, "utf8"));
    }
  };
  walk(dir);
  return out;
}

function copyFixture(): string {
  const dir = tempDir("helm");
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

function expectProblem(action: () => unknown, file: RegExp, message: RegExp): void {
  assert.throws(action, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.ok(
      e.problems.some((p) => file.test(p.file) && message.test(formatProblem(p))),
      `no problem matching ${String(file)} / ${String(message)} in:\n${e.message}`,
    );
    return true;
  });
}

/** A leaf of a service's original values: its key path as the chart reads it, and where the tree set it. */
interface OriginalLeaf {
  path: string[];
  value: unknown;
  file: string;
  /** Key path inside that file. */
  filePath: string[];
}

type Change = "added" | "dropped" | "replaced";

/**
 * Where the generated values differ from the tree by design, and why; everything else must be
 * equal unless the import report lists the original key. `added`: the program sets the key where
 * the tree did not; `dropped`: the tree's key is deliberately absent; `replaced`: both differ.
 */
/** The zones of the repository's defaults. */
const ZONES = [{ name: "fitfile.net" }];

const BY_DESIGN: { path: string; change: Change[]; why: string }[] = [
  { path: "global.db", change: ["added"], why: "database names generated from app.databases and dbSuffix (the tree's global.db held passwords, reported as secrets)" },
  { path: "global.tls.secretName", change: ["added"], why: "the Secret of the certificate ffnodes creates (certificates.secretName)" },
  { path: "global.sleuth", change: ["added"], why: "every chart gets the environment's monitoring (sleuth.*), which the tree set for some charts only" },
  { path: "sleuth", change: ["added"], why: "as global.sleuth" },
  { path: "workflowTemplates.sleuth", change: ["added"], why: "as global.sleuth" },
  { path: "vault.role", change: ["added"], why: "the Kubernetes-auth role ffnodes creates, named after the namespace" },
  { path: "vault.path", change: ["added", "replaced"], why: "now the KV v2 API path of the generated secret (<vault.path>/data/app) the agent templates read" },
  { path: "namespace", change: ["added"], why: "every chart gets the namespace, which a per-service tree gave only as the ApplicationSet's destination" },
  { path: "certs.certificates", change: ["added", "dropped", "replaced"], why: "emptied: ffnodes creates the environment's Certificate, so no chart creates a second one for the same Secret" },
  { path: "minio.persistence", change: ["added"], why: "every chart gets the claims ffnodes creates or adopts (name and size)" },
  { path: "postgresql.primary.persistence", change: ["added"], why: "as minio.persistence" },
  ...["postgresql.primary", "postgresql.readReplicas", "mongodb", "minio", "minio.console", "minio.provisioning"].map((chart) => ({
    path: `${chart}.networkPolicy`,
    change: ["added"] as Change[],
    why: "the subcharts' own NetworkPolicies are off: the namespace's policies cover their pods, and the AppProject refuses NetworkPolicies",
  })),
  { path: "extraDeploy", change: ["dropped"], why: "pgweb's manifests became the pgweb addon, which ffnodes deploys itself; the rest is reported" },
  { path: "argocdApp", change: ["dropped"], why: "read by ArgoCD, not the charts: now the ApplicationSet's targetRevision (checked separately)" },
];

/** Every leaf with its key path; unlike the importer's `leaves`, lists are entered item by item. */
function allLeaves(value: unknown, at: string[] = []): [string[], unknown][] {
  if (Array.isArray(value) && value.length > 0) return value.flatMap((item, i) => allLeaves(item, [...at, String(i)]));
  if (isPlainObject(value) && Object.keys(value).length > 0) return Object.entries(value).flatMap(([k, v]) => allLeaves(v, [...at, k]));
  return isPlainObject(value) ? [] : [[at, value]];
}

/**
 * The values a service's chart read: its files merged in the ApplicationSet's order, as the
 * importer read them; a node file serves every service, each reading its own `<service>:`
 * section at the top level, as the importer maps it.
 */
function originalValues(env: EnvironmentValues, service: string, services: string[]): OriginalLeaf[] {
  const source = env.sources.find((s) => s.service === service) ?? env.sources.find((s) => s.service === undefined);
  assert.ok(source, `${env.environment}: no values for ${service}`);
  const fileOf = (p: string[]) => sourceOf(source.merged.provenance, p.join("."), { file: source.files[0], prefix: "" }).file;
  const leaf = (filePath: string[], value: unknown, path = filePath): OriginalLeaf => ({ path, value, file: fileOf(filePath), filePath });
  if (source.service) return allLeaves(source.merged.value).map(([p, v]) => leaf(p, v));
  const shared = allLeaves(source.merged.value).filter(([p]) => !services.includes(p[0]));
  const own = allLeaves(source.merged.value[service] ?? {}).map(([p, v]) => leaf([service, ...p], v, p));
  const ownKeys = new Set(own.map((l) => l.path.join(".")));
  return [...shared.filter(([p]) => !ownKeys.has(p.join("."))).map(([p, v]) => leaf(p, v)), ...own];
}

/** What the operator does after an import: puts each host's live Cloudflare record id in (a record belongs to one stack). */
function fillRecordIds(root: string): void {
  let n = 0;
  for (const stack of listStacks(root)) {
    const file = path.join(root, `stacks/Pulumi.${stack}.yaml`);
    const text = fs.readFileSync(file, "utf8").replace(/"<zone id>\/<record id>"/g, () => `${"a".repeat(32)}/${String(++n).padStart(32, "0")}`);
    fs.writeFileSync(file, text);
  }
}

describe("import-helm", () => {
  describe("importing the fixture tree", () => {
    let root: string;
    let result: ImportResult;
    let unfilled: Problem[];
    before(() => {
      root = projectRoot();
      result = run(root, {});
      unfilled = checkAllStacks(root, listStacks(root)).problems;
      fillRecordIds(root);
    });

    it("writes a customer file per customer and a stack file per environment", () => {
      assert.deepEqual(
        result.files.map((f) => f.file),
        ["customers/ff-a.yaml", "stacks/Pulumi.ff-a-prod.yaml", "customers/kch.yaml", "stacks/Pulumi.kch-prod.yaml", "stacks/Pulumi.kch-staging.yaml"],
      );
      const stack = readYaml(root, "stacks/Pulumi.kch-staging.yaml").config as Record<string, unknown>;
      assert.equal(stack["ffnodes:adopt"], true, "an imported customer is live: its stacks start in adopt mode");
      // No placeholder Pulumi would refuse with `bad value`: the file says how to set the token.
      assert.equal(stack["cloudflare:apiToken"], undefined);
      assert.match(fs.readFileSync(path.join(root, "stacks/Pulumi.kch-staging.yaml"), "utf8"), /^#\s+pulumi config set --secret cloudflare:apiToken <value> -s kch-staging$/m);
    });

    it("lists what to settle before adopting: record ids, claims under ffnodes' own names, the credentials secret", () => {
      const rows = result.data.beforeAdopting.filter((r) => r[0] === "ff-a-prod").map((r) => r[1]);
      assert.deepEqual(rows, [
        "ffnodes:adoptIds.dns-app.fitfile.net",
        "ffnodes:adoptIds.dns-prod-pgweb.fitfile.net",
        "storage.postgresql",
        "ffnodes:adoptIds.vault-credentials",
      ]);
      assert.match(result.report, /adopt mode imports the claim ff-a\/pvc-ff-a-postgresql; if the chart keeps this data in a claim of its own/);
    });

    it("leaves each host's live record id for the operator, and plan names every one missing", () => {
      const missing = unfilled.map((p) => `${p.file} ${p.path}`).sort();
      assert.deepEqual(missing, [
        "stacks/Pulumi.ff-a-prod.yaml config.ffnodes:adoptIds.dns-app.fitfile.net",
        "stacks/Pulumi.ff-a-prod.yaml config.ffnodes:adoptIds.dns-prod-pgweb.fitfile.net",
        "stacks/Pulumi.kch-prod.yaml config.ffnodes:adoptIds.dns-kch.fitfile.net",
        "stacks/Pulumi.kch-staging.yaml config.ffnodes:adoptIds.dns-staging.kch.fitfile.net",
      ]);
      for (const problem of unfilled) assert.match(problem.message, /live Cloudflare record of .* as '<zone id>\/<record id>'/);
    });

    it("writes files that validate with every other customer of the project, once the record ids are in", () => {
      const { problems, configs } = checkAllStacks(root, listStacks(root));
      assert.deepEqual(problems, []);
      assert.deepEqual(configs.map((c) => c.stack), ["ff-a-prod", "ff-b-prod", "ff-c-prod", "kch-prod", "kch-staging"]);
    });

    it("carries the seed's facts for ff-a: names, peers, storage, pgweb, FFCloud config", async () => {
      const ffa = readYaml(root, "customers/ff-a.yaml");
      assert.equal(ffa.fitConnectCode, "FITConnect A");
      const prod = (ffa.environments as Record<string, Record<string, unknown>>).prod;
      assert.equal(prod.domain, "app.fitfile.net");
      assert.equal(prod.deploymentKey, "prod-1");
      assert.equal(prod.dbSuffix, "_a");
      assert.deepEqual(prod.connects, ["ff-b", "ff-c"]);
      assert.deepEqual(prod.addons, ["pgweb"]);
      assert.deepEqual(prod.extraHosts, ["prod-pgweb.fitfile.net"]);
      assert.deepEqual(valueAtPath(prod, ["services", "ffcloud", "appConfig", "ffCloudCode"]), "FFCloud_Prod_1");
      assert.equal(valueAtPath(prod, ["services", "ffcloud", "appConfig", "fitConnectHosts"]), undefined, "fitConnectHosts became connects");

      const plan = await planStack(root, "ff-a-prod");
      const minio = findResource(plan, "kubernetes:core/v1:PersistentVolumeClaim", "claim-minio");
      assert.equal(valueAtPath(minio.inputs, ["metadata", "name"]), "pvc-ff-a-minio");
      assert.equal(minio.import, "ff-a/pvc-ff-a-minio");
      assert.equal(valueAtPath(minio.inputs, ["spec", "resources", "requests", "storage"]), "64Gi");
    });

    it("imports kch staging, two labels below its zone, DNS-only: Cloudflare's Universal SSL would not cover it proxied", () => {
      const kch = readYaml(root, "customers/kch.yaml").environments as Record<string, Record<string, unknown>>;
      assert.equal(kch.staging.domain, "staging.kch.fitfile.net");
      assert.deepEqual(kch.staging.dns, { proxied: false });
      assert.equal(kch.prod.dns, undefined, "kch.fitfile.net is one label below the zone: proxied as the defaults say");
    });

    it("plans both kch stacks, with the per-service values in place", async () => {
      for (const [stack, namespace, minio] of [
        ["kch-prod", "kch", "64Gi"],
        ["kch-staging", "kch-staging", "16Gi"],
      ]) {
        const plan = await planStack(root, stack);
        assert.equal(plan.outputs.namespace, namespace);
        const sizes = Object.fromEntries(
          resourcesOfType(plan, "kubernetes:core/v1:PersistentVolumeClaim").map((r) => [r.name, valueAtPath(r.inputs, ["spec", "resources", "requests", "storage"])]),
        );
        assert.deepEqual(sizes, { "claim-minio": minio, "claim-postgresql": "16Gi" });
      }
    });

    it("writes only what differs from the layered defaults, and what all environments share once", () => {
      const { defaults } = loadDefaults(root);
      assert.ok(defaults);
      for (const name of ["ff-a", "kch"]) {
        const doc = readYaml(root, `customers/${name}.yaml`);
        const envs = doc.environments as Record<string, Record<string, unknown>>;
        for (const [env, section] of Object.entries(envs)) {
          const layered = deepMerge(defaults.all, defaults.environments[env]);
          for (const [p, value] of leaves(deepMerge(doc, section) as Record<string, unknown>)) {
            if (["name", "displayName", "fitConnectCode", "environments"].includes(p[0])) continue;
            if ([...PINNED, ...PER_ENVIRONMENT].includes(p.join("."))) continue;
            assert.notDeepEqual(value, valueAtPath(layered, p), `${name} ${env}: ${p.join(".")} equals its default and should not be written`);
          }
        }
      }
      const kch = readYaml(root, "customers/kch.yaml");
      assert.deepEqual(kch.storage, { postgresql: { size: "16Gi" } }, "both environments' 16Gi is written once, customer-wide");
      assert.equal(valueAtPath(kch, ["services", "workflows", "enabled"]), false, "kch's ApplicationSet has no workflows application");
      assert.equal(valueAtPath(kch, ["environments", "staging", "storage", "minio", "size"]), "16Gi");
      assert.equal(valueAtPath(kch, ["environments", "prod", "storage"]), undefined, "prod's 64Gi MinIO is the default");
      const dropped = result.data.mapped.filter((r) => r[2] === "not written: same as the defaults").map((r) => r[1]);
      assert.ok(dropped.includes("ffnodes/fitfile/ff-a/values.yaml: minio.persistence.size"), dropped.join("\n"));
    });

    it("never writes a secret of the tree: every file of the project and the report are free of them", () => {
      const secrets = [...snapshot(FIXTURE).values()].flatMap((text) => text.match(/[\w-]*Fixture-[\w-]+/g) ?? []);
      assert.ok(secrets.length >= 12, `the fixture holds its secrets (found ${secrets.length})`);
      const written = [...snapshot(root).entries(), ["report", result.report] as const];
      for (const [file, text] of written) {
        for (const secret of secrets) assert.ok(!text.includes(secret), `${file} contains the secret ${secret}`);
      }
    });

    it("names each secret in the report with its file, key path and Vault path", () => {
      const found = result.data.secrets.map((s) => `${s.file}: ${s.path} -> ${s.vaultPath}`);
      for (const expected of [
        "ffnodes/fitfile/ff-a/shared-secrets-values.yaml: global.db.password -> ff-a-application",
        "ffnodes/fitfile/ff-a/shared-secrets-values.yaml: sleuth.apiKey -> ff-a-application",
        "ffnodes/fitfile/ff-a/values.yaml: extraDeploy.0.spec.template.spec.containers.0.env.0.value -> ff-a-application",
        "ffnodes/kch/prod/values/fitconnect/app-config.yaml: appConfig.sourceDatabaseUrl -> kch-application",
        "ffnodes/kch/prod/values/shared-secrets-values.yaml: imagePullAuth -> kch-application",
        "ffnodes/kch/staging/values/shared-secrets-values.yaml: global.db.postgresPassword -> kch-staging-application",
      ]) {
        assert.ok(found.includes(expected), `${expected} not in:\n${found.join("\n")}`);
      }
      assert.ok(!found.some((f) => f.includes("extraVaultSecrets")), "extraVaultSecrets names secrets; it holds none");
    });

    it("lists every key it could not map with its file and key path", () => {
      const listed = result.data.unmapped.map((u) => `${u.file}: ${u.path}`);
      for (const expected of [
        "ffnodes/fitfile/ff-a/values.yaml: legacyReportingUrl",
        "ffnodes/fitfile/ff-a/values.yaml: extraDeploy.3",
        "ffnodes/fitfile/ff-a/values.yaml: extraVaultSecrets.0",
        "ffnodes/fitfile/ff-a/values.yaml: certs.certificates.1",
        "ffnodes/fitfile/ff-a/values.yaml: certs.certificates.2",
        "ffnodes/kch/prod/values/frontend/infra-config.yaml: global.legacyAnalyticsId",
        "ffnodes/kch/prod/values/databases/app-config.yaml: ",
      ]) {
        assert.ok(listed.includes(expected), `${expected} not in:\n${listed.join("\n")}`);
      }
      assert.match(result.report, /\| ffnodes\/fitfile\/ff-a\/values\.yaml \| `legacyReportingUrl` \| no ffnodes setting for this key \|/);
      assert.match(result.report, /\| `certs\.certificates\.1` \| a certificate of namespace 'argocd' \(argocd\.fitfile\.net\): cluster-wide, not the customer's/);
      assert.ok(!listed.some((l) => /argocdApp|source\.(repoURL|targetRevision|path)|destination\.server|vault\.role|sleuth|global\.app/.test(l)), listed.join("\n"));
    });

    it("proposes what every imported customer shares as a default, and moves nothing", () => {
      assert.deepEqual(
        result.data.proposals.map((p) => `${p.section}.${p.path}=${String(p.value)} (${p.customers.join(",")})`),
        ["create", "delete", "update"].map((k) => `defaults.services.frontend.appConfig.features.queryPlan.${k}=enabled (ff-a,kch)`),
      );
      assert.equal(
        fs.readFileSync(path.join(root, "customers/_defaults.yaml"), "utf8"),
        fs.readFileSync(path.join(REPO_ROOT, "customers/_defaults.yaml"), "utf8"),
      );
    });

    it("is deterministic: a second import into another project writes the same bytes", () => {
      const again = projectRoot();
      run(again);
      fillRecordIds(again);
      assert.deepEqual(snapshot(again), snapshot(root));
    });
  });

  describe("round trip: import, then generate the Helm values", () => {
    let root: string;
    let result: ImportResult;
    let tree: Tree;
    before(() => {
      root = projectRoot();
      result = run(root);
      const { defaults } = loadDefaults(root);
      assert.ok(defaults);
      tree = readTree(FIXTURE, Object.keys(defaults.environments));
    });

    /** Original and generated values of one service, leaf by leaf, and what the comparison found. */
    function compare(customer: CustomerValues, env: EnvironmentValues, used: Set<string>): string[] {
      const stack = `${customer.name}-${env.environment}`;
      const config = stackConfig(stack, root);
      const generated = buildHelmValues(config);
      const services = env.applicationSet?.services ?? Object.keys(generated);
      assert.deepEqual(Object.keys(generated), [...services].sort(), `${stack}: one application per service of the tree`);
      const reported = [...result.data.unmapped, ...result.data.secrets];
      const isReported = (leaf: OriginalLeaf): boolean =>
        reported.some((f) => f.file === leaf.file && (f.path === "" || matchesPrefix(f.path, leaf.filePath)));
      const exception = (p: string[], change: Change): boolean => {
        const found = BY_DESIGN.find((e) => e.change.includes(change) && matchesPrefix(e.path, p));
        if (found) used.add(found.path);
        return found !== undefined;
      };
      return services.flatMap((service) => {
        const original = new Map(originalValues(env, service, services).map((leaf) => [leaf.path.join("."), leaf]));
        const produced = new Map(allLeaves(generated[service]).map(([p, v]) => [p.join("."), v]));
        const mismatches: string[] = [];
        for (const key of [...new Set([...original.keys(), ...produced.keys()])].sort()) {
          const before = original.get(key);
          const after = produced.get(key);
          const p = key.split(".");
          if (before && produced.has(key) && canonical(before.value) === canonical(after)) continue;
          if (before && isReported(before)) continue;
          if (before && produced.has(key) ? exception(p, "replaced") : before ? exception(p, "dropped") : exception(p, "added")) continue;
          mismatches.push(`${stack} ${service}: ${key}: original ${before ? JSON.stringify(before.value) : "(none)"}, generated ${produced.has(key) ? JSON.stringify(after) : "(none)"}`);
        }
        return mismatches;
      });
    }

    it("gives every service the values of its original files, merged in the ApplicationSet's order, except what the report lists and the program changes by design", () => {
      const used = new Set<string>();
      const mismatches = tree.customers.flatMap((customer) => customer.environments.flatMap((env) => compare(customer, env, used)));
      assert.deepEqual(mismatches, []);
      assert.deepEqual([...used].sort(), BY_DESIGN.map((e) => e.path).sort(), "every exception by design is one the fixture needs");
    });

    it("carries what moved from the values files to the ApplicationSet: repository, revision, cluster", () => {
      for (const customer of tree.customers) {
        for (const env of customer.environments) {
          const config = stackConfig(`${customer.name}-${env.environment}`, root);
          const { applicationSet } = buildGitOps(config);
          const source = applicationSet.spec?.template.spec.source;
          const original = env.applicationSet?.document ?? {};
          const revision = valueAtPath(original, ["spec", "template", "spec", "source", "targetRevision"]) ?? valueAtPath(env.sources[0].merged.value, ["argocdApp", "targetRevision"]);
          assert.equal(typeof revision, "string", `${config.stack}: the fixture names a revision`);
          for (const element of applicationSet.spec?.generators[0].list?.elements ?? []) assert.equal(valueAtPath(element, ["targetRevision"]), revision, config.stack);
          assert.equal(source?.path, "charts/{{ .serviceName }}");
          if (!env.applicationSet) continue;
          assert.equal(source?.repoURL, valueAtPath(original, ["spec", "template", "spec", "source", "repoURL"]), config.stack);
          assert.equal(applicationSet.spec?.template.spec.destination.server, valueAtPath(original, ["spec", "template", "spec", "destination", "server"]), config.stack);
        }
      }
    });

    it("lands ff-a's pgweb, certs, extraVaultSecrets, sleuth and argocdApp keys in its customer file, or drops them as defaults", () => {
      const ffa = readYaml(root, "customers/ff-a.yaml");
      // The seed syncs every key of the credentials secret: not imported, so the default sync, of sleuth's apiKey only, stands.
      assert.equal(valueAtPath(ffa, ["environments", "prod", "vault", "extraSecrets"]), undefined);
      assert.match(result.report, /`extraVaultSecrets\.0` \| would sync every key of the credentials secret 'app'/);
      const placed = result.data.mapped.filter((r) => r[0] === "ff-a (prod)").map((r) => `${r[1].replaceAll("ffnodes/fitfile/ff-a/values.yaml: ", "")} -> ${r[2]}`);
      const written = (key: string) => `customers/ff-a.yaml: environments.prod.${key}`;
      const asDefault = "not written: same as the defaults";
      for (const expected of [
        `extraDeploy -> ${written("addons")}`,
        `extraDeploy -> ${written("extraHosts")}`,
        `extraDeploy -> ${asDefault}`,
        `certs.certificates -> ${asDefault}`,
        `global.sleuth.enabled; ffcloud.sleuth.enabled; frontend.sleuth.enabled; workflowTemplates.sleuth.enabled -> ${asDefault}`,
        `global.sleuth.environment; frontend.sleuth.environment; workflowTemplates.sleuth.environment -> ${asDefault}`,
        `argocdApp.targetRevision -> ${asDefault}`,
        `global.app.nodeEnv -> ${asDefault}`,
      ]) {
        assert.ok(placed.includes(expected), `${expected} not in:\n${placed.join("\n")}`);
      }
      const kch = readYaml(root, "customers/kch.yaml");
      assert.deepEqual(valueAtPath(kch, ["environments", "prod", "sleuth"]), { environment: "prod" }, "kch prod reports to Sleuth as 'prod'");
      assert.deepEqual(valueAtPath(kch, ["environments", "prod", "app"]), { fitfileEnv: "prod" });
    });
  });

  describe("value-file order", () => {
    it("lists each application's files in valueFiles order, parameters filled in", () => {
      const read = readApplicationSet("appset.yaml", {
        spec: {
          generators: [{ list: { elements: [{ serviceName: "ffcloud", values: { appConfig: "/a.yaml", infraConfig: "/b.yaml" } }] } }],
          template: { spec: { source: { helm: { valueFiles: ["{{ .values.infraConfig }}", "{{values.appConfig}}", "/ffnodes/{{serviceName}}.yaml"] } } } },
        },
      });
      assert.deepEqual(read, { services: [{ name: "ffcloud", valueFiles: ["/b.yaml", "/a.yaml", "/ffnodes/ffcloud.yaml"] }], problems: [] });
    });

    it("gives a key set in two files the later file's value", () => {
      const root = projectRoot();
      run(root, { customers: ["ff-a", "kch"] });
      assert.equal(valueAtPath(readYaml(root, "customers/kch.yaml"), ["services", "ffcloud", "infraConfig", "replicaCount"]), 2);

      const tree = copyFixture();
      const appSet = path.join(tree, "ffnodes/kch/prod/templates/applicationset.yaml");
      const text = fs.readFileSync(appSet, "utf8");
      fs.writeFileSync(appSet, text.replace("- '{{values.appConfig}}'\n            - '{{values.infraConfig}}'", "- '{{values.infraConfig}}'\n            - '{{values.appConfig}}'"));
      const swapped = projectRoot();
      importHelm({ dir: tree, root: swapped, dryRun: false, force: false });
      const kch = readYaml(swapped, "customers/kch.yaml");
      assert.equal(valueAtPath(kch, ["environments", "prod", "services", "ffcloud", "infraConfig", "replicaCount"]), 1, "app-config.yaml now comes last");
      assert.equal(valueAtPath(kch, ["environments", "staging", "services", "ffcloud", "infraConfig", "replicaCount"]), 2);
    });

    it("reports two services disagreeing on an environment-wide key, keeping the first", () => {
      const source = (service: string, host: string, file: string) => ({
        service,
        files: [file],
        merged: { value: { host }, provenance: new Map([["host", { file, prefix: "" }]]) },
      });
      const env: EnvironmentValues = {
        environment: "prod",
        sources: [source("ffcloud", "a.fitfile.net", "ffcloud.yaml"), source("frontend", "b.fitfile.net", "frontend.yaml")],
        notes: [],
      };
      const draft = mapEnvironment(env, { customer: "x", defaultServices: [], zones: ZONES, byCode: () => undefined });
      assert.equal(draft.settings.get(JSON.stringify(["domain"]))?.value, "a.fitfile.net");
      assert.deepEqual(draft.unmapped, [{ file: "frontend.yaml", path: "host", reason: "differs from ffcloud.yaml: host, whose value was kept" }]);
    });
  });

  describe("keys checked against the environment's other settings", () => {
    /** Maps one node file's values for customer `x` in prod. */
    const mapNode = (values: Record<string, unknown>) => {
      const provenance = new Map([["", { file: "values.yaml", prefix: "" }]]);
      const env: EnvironmentValues = { environment: "prod", sources: [{ files: ["values.yaml"], merged: { value: values, provenance } }], notes: [] };
      const draft = mapEnvironment(env, { customer: "x", defaultServices: ["ffcloud"], zones: ZONES, byCode: () => undefined });
      return {
        setting: (p: string) => draft.settings.get(JSON.stringify(p.split(".")))?.value,
        unmapped: draft.unmapped.map((u) => `${u.path}: ${u.reason}`),
      };
    };
    const base = { namespace: "x", host: "x.fitfile.net" };
    const cases: { name: string; values: Record<string, unknown>; settings: Record<string, unknown>; unmapped: RegExp[] }[] = [
      { name: "a Vault role named after the namespace", values: { ...base, vault: { role: "x" } }, settings: { namespace: "x" }, unmapped: [] },
      { name: "a Vault role named otherwise", values: { ...base, ffcloud: { vault: { role: "x-role" } } }, settings: { namespace: "x" }, unmapped: [/^ffcloud\.vault\.role: ffnodes names the Vault role after the namespace \('x'\)/] },
      { name: "the agent's secret path", values: { ...base, vault: { path: "x-kv/data/app" } }, settings: { "vault.path": "x-kv" }, unmapped: [] },
      { name: "an agent path to another secret", values: { ...base, vault: { path: "x-kv/data/db" } }, settings: { "vault.path": "x-kv" }, unmapped: [/^vault\.path: the charts now read the generated secret x-kv\/data\/app: move the keys of 'db' there/] },
      {
        name: "secret syncs in and out of the customer's space",
        values: {
          ...base,
          applicationVaultPath: "x-kv",
          extraVaultSecrets: [
            { secretName: "a", secretNamespace: "x", vaultPath: "x-kv" },
            { secretName: "b", vaultPath: "/x-kv/data/reports" },
            { secretName: "c", secretNamespace: "argocd", vaultPath: "x-kv" },
            { secretName: "d", vaultPath: "shared/thing" },
            { secretName: "e", vaultPath: "x-kv", template: "{{ .password }}" },
          ],
        },
        settings: { "vault.extraSecrets": [{ secretName: "b", vaultSecret: "reports" }] },
        unmapped: [/^extraVaultSecrets\.0: would sync every key of the credentials secret 'app'/, /^extraVaultSecrets\.2\.secretNamespace: ffnodes syncs into the customer's namespace \('x'\) only/, /^extraVaultSecrets\.3\.vaultPath: outside the customer's Vault path \('x-kv'\)/, /^extraVaultSecrets\.4\.template: no ffnodes setting/],
      },
      {
        name: "the customer's certificate and a cluster-wide one",
        values: {
          ...base,
          certs: {
            certificates: [
              { name: "tls-x", namespace: "x", dnsNames: ["x.fitfile.net", "ac.fitfile.net"], secretName: "x-tls", issuerRef: { name: "le" } },
              { name: "argocd", namespace: "argocd", dnsNames: ["argocd.fitfile.net"], secretName: "argocd-tls" },
            ],
          },
        },
        settings: { "certificates.secretName": "x-tls", extraHosts: ["ac.fitfile.net"] },
        unmapped: [
          /^certs\.certificates\.0\.issuerRef: /,
          /^certs\.certificates\.0\.name: ffnodes names the environment's Certificate 'fitfile-x'/,
          /^certs\.certificates\.1: a certificate of namespace 'argocd' \(argocd\.fitfile\.net\): cluster-wide/,
        ],
      },
    ];
    for (const c of cases) {
      it(`${c.name}: mapped where ffnodes can hold it, reported with its key path where not`, () => {
        const mapped = mapNode(c.values);
        for (const [key, value] of Object.entries(c.settings)) assert.deepEqual(mapped.setting(key), value, key);
        assert.equal(mapped.unmapped.length, c.unmapped.length, mapped.unmapped.join("\n"));
        for (const pattern of c.unmapped) assert.ok(mapped.unmapped.some((u) => pattern.test(u)), `${String(pattern)} not in:\n${mapped.unmapped.join("\n")}`);
      });
    }

    it("a chart path other than charts/<service> is reported; the repository becomes repoURL and a source repository", () => {
      const document = { spec: { template: { spec: { source: { path: "helm/{{serviceName}}", repoURL: "https://gitlab.com/fitfile/other.git" } } } } };
      const env: EnvironmentValues = { environment: "prod", sources: [], applicationSet: { file: "appset.yaml", document, services: ["ffcloud"] }, notes: [] };
      const draft = mapEnvironment(env, { customer: "x", defaultServices: ["ffcloud"], zones: ZONES, byCode: () => undefined });
      assert.deepEqual(draft.unmapped, [{ file: "appset.yaml", path: "spec.template.spec.source.path", reason: "ffnodes deploys each service from charts/<service>; this ApplicationSet uses 'helm/{{serviceName}}'" }]);
      assert.equal(draft.settings.get(JSON.stringify(["gitops", "repoURL"]))?.value, "https://gitlab.com/fitfile/other.git");
      assert.deepEqual(draft.settings.get(JSON.stringify(["gitops", "sourceRepos"]))?.value, ["https://gitlab.com/fitfile/other.git"]);
    });
  });

  describe("existing files", () => {
    it("refuses to overwrite an existing customer without --force, and writes nothing", () => {
      const kch = fs.readFileSync(path.join(REPO_ROOT, "customers/kch.yaml"), "utf8");
      const root = projectRoot({ "customers/kch.yaml": kch });
      const before = snapshot(root);
      expectProblem(() => run(root), /^customers\/kch\.yaml$/, /already exists: give --force/);
      assert.deepEqual(snapshot(root), before);
    });

    it("replaces the customer with --force but keeps its stack files as they are", () => {
      const repo = (f: string) => fs.readFileSync(path.join(REPO_ROOT, f), "utf8");
      const root = projectRoot({ "customers/kch.yaml": repo("customers/kch.yaml"), "stacks/Pulumi.kch-prod.yaml": repo("stacks/Pulumi.kch-prod.yaml") });
      const result = run(root, { force: true });
      assert.deepEqual(result.kept, ["stacks/Pulumi.kch-prod.yaml"]);
      assert.equal(fs.readFileSync(path.join(root, "stacks/Pulumi.kch-prod.yaml"), "utf8"), repo("stacks/Pulumi.kch-prod.yaml"));
      assert.equal(valueAtPath(readYaml(root, "customers/kch.yaml"), ["environments", "prod", "deploymentKey"]), "prod-kch");
      assert.ok(result.files.some((f) => f.file === "stacks/Pulumi.kch-staging.yaml"), "a missing stack file is still written");
    });

    it("--dry-run prints every file it would write and writes nothing", () => {
      const root = projectRoot();
      const before = snapshot(root);
      const output = importHelmCommand([FIXTURE, "--dry-run"], root);
      assert.deepEqual(snapshot(root), before);
      assert.match(output, /^--- customers\/kch\.yaml \(not written: dry run\)\n# KCH: imported from ffnodes\/kch/m);
      assert.match(output, /^--- stacks\/Pulumi\.ff-a-prod\.yaml \(not written: dry run\)$/m);
      assert.match(output, /Dry run: nothing was written\./);
    });

    it("--customers imports only the customers named, and --report writes the Markdown report", () => {
      const root = fixtureRoot({});
      const report = path.join(root, "import-report.md");
      importHelmCommand([FIXTURE, "--customers", "kch", "--report", report], root);
      assert.deepEqual(fs.readdirSync(path.join(root, "customers")).sort(), ["_defaults.yaml", "kch.yaml"]);
      assert.match(fs.readFileSync(report, "utf8"), /^# ffnodes import report\n/);
      expectProblem(() => importHelmCommand([FIXTURE, "--customers", "nobody"], root), /helm$/, /no customer 'nobody' in the tree; it holds: ff-a, kch/);
    });

    it("lists ff-a's peers it cannot find as not mapped, instead of failing", () => {
      const root = fixtureRoot({});
      const result = run(root, { customers: ["ff-a"] });
      assert.equal(valueAtPath(readYaml(root, "customers/ff-a.yaml"), ["environments", "prod", "connects"]), undefined);
      const peers = result.data.unmapped.filter((u) => u.path.startsWith("ffcloud.appConfig.fitConnectHosts."));
      assert.deepEqual(
        peers.map((u) => `${u.path}: ${u.reason}`),
        [
          "ffcloud.appConfig.fitConnectHosts.1: no customer has FITConnect code 'FITConnect B': import or create it, then add it to connects",
          "ffcloud.appConfig.fitConnectHosts.2: no customer has FITConnect code 'FITConnect C': import or create it, then add it to connects",
        ],
      );
    });
  });

  describe("bad input", () => {
    const badTrees: { name: string; tree: () => string; message: RegExp }[] = [
      { name: "a missing directory", tree: () => path.join(os.tmpdir(), "ffnodes-no-such-tree"), message: /no such directory/ },
      {
        name: "malformed YAML",
        tree: () => {
          const dir = copyFixture();
          fs.writeFileSync(path.join(dir, "ffnodes/kch/prod/values/ffcloud/infra-config.yaml"), "replicaCount: [1, 2\nresources: {\n");
          return dir;
        },
        message: /ffnodes\/kch\/prod\/values\/ffcloud\/infra-config\.yaml: invalid YAML/,
      },
      {
        name: "a malformed ApplicationSet",
        tree: () => {
          const dir = copyFixture();
          const file = path.join(dir, "ffnodes/kch/staging/templates/applicationset.yaml");
          fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("    - list:", "    - git:"));
          return dir;
        },
        message: /ffnodes\/kch\/staging\/templates\/applicationset\.yaml: spec\.generators\.0: only list generators can be imported/,
      },
      {
        name: "a value file the ApplicationSet names but the tree lacks",
        tree: () => {
          const dir = copyFixture();
          fs.rmSync(path.join(dir, "ffnodes/kch/prod/values/frontend/infra-config.yaml"));
          return dir;
        },
        message: /value file '\/ffnodes\/kch\/prod\/values\/frontend\/infra-config\.yaml' of service 'frontend' is not in the tree/,
      },
      {
        name: "a tree with no customers",
        tree: () => {
          const dir = tempDir("empty");
          fs.mkdirSync(path.join(dir, "ffnodes/some-team/docs"), { recursive: true });
          return dir;
        },
        message: /no customers found: expected ffnodes\/<customer>\/<env>\/values/,
      },
      { name: "a directory without ffnodes/", tree: () => tempDir("other"), message: /expected a 'ffnodes\/' directory in it/ },
    ];
    for (const c of badTrees) {
      it(`${c.name}: one clear problem per mistake, nothing written`, () => {
        const root = projectRoot();
        const before = snapshot(root);
        expectProblem(() => importHelm({ dir: c.tree(), root, dryRun: false, force: false }), /./, c.message);
        assert.deepEqual(snapshot(root), before);
      });
    }

    // The command turns those problems into a message and an exit code; two cases show it.
    const cases: { name: string; args: () => string[]; status: number; message: RegExp }[] = [
      { name: "a missing directory", args: () => [path.join(os.tmpdir(), "ffnodes-no-such-tree")], status: 1, message: /ffnodes-no-such-tree: no such directory/ },
      { name: "no directory argument", args: () => [], status: 2, message: /give exactly one directory/ },
    ];
    for (const c of cases) {
      it(`command line, ${c.name}: a clear message, exit ${c.status}, nothing written`, async () => {
        const root = projectRoot();
        const before = snapshot(root);
        const outcome = await runCommand(() => importHelmCommand(c.args(), root));
        assert.equal(outcome.status, c.status, outcome.stderr);
        assert.match(outcome.stderr, c.message);
        assert.deepEqual(snapshot(root), before);
      });
    }

    it("an imported value the schema refuses names the customer file key and the tree key it came from", () => {
      const tree = copyFixture();
      const file = path.join(tree, "ffnodes/kch/staging/values/databases/infra-config.yaml");
      fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("size: 16Gi\npostgresql", "size: 16GB\npostgresql"));
      expectProblem(
        () => importHelm({ dir: tree, root: projectRoot(), dryRun: false, force: false }),
        /^customers\/kch\.yaml$/,
        /imported from ffnodes\/kch\/staging\/values\/databases\/infra-config\.yaml: minio\.persistence\.size/,
      );
    });
  });

  describe("secret detection", () => {
    const secretKeys = [
      "password",
      "dbPassword",
      "postgresPassword",
      "mongodb_password",
      "rootPassword",
      "passwd",
      "passphrase",
      "apiKey",
      "api_key",
      "API_TOKEN",
      "token",
      "accessToken",
      "clientSecret",
      "secret",
      "secretKey",
      "secretAccessKey",
      "accessKey",
      "privateKey",
      "private-key",
      "key",
      "credentials",
      "awsCredentials",
      "sentryDsn",
    ];
    const plainKeys = [
      "deploymentKey",
      "secretName",
      "secretNamespace",
      "existingSecret",
      "existingClaim",
      "fitConnectCode",
      "tokenTtl",
      "vaultPath",
      "opsUserId",
      "allowedClientIds",
      "host",
      "keyspace",
      "monkey",
    ];
    for (const key of secretKeys) it(`'${key}' is a secret`, () => assert.equal(isSecretKey(key), true));
    for (const key of plainKeys) it(`'${key}' is not a secret`, () => assert.equal(isSecretKey(key), false));

    it("finds secrets by value whatever the key: URLs with a password, private keys, JWTs", () => {
      assert.equal(isSecretValue("postgres://user:hunter2@db:5432/app"), true);
      assert.equal(isSecretValue("-----BEGIN RSA PRIVATE KEY-----\nMIIE..."), true);
      assert.equal(isSecretValue("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"), true);
      assert.equal(isSecretValue("https://app.fitfile.net/fitconnect"), false);
      assert.equal(isSecretValue("auth0|6323240d82155703a684c43f"), false);
    });

    it("property: a secret anywhere in a values tree is removed and reported at its path", () => {
      const key = fc.stringMatching(/^[a-z][a-zA-Z]{0,8}$/).filter((k) => !isSecretKey(k));
      fc.assert(
        fc.property(fc.array(key, { minLength: 0, maxLength: 4 }), fc.constantFrom(...secretKeys), fc.boolean(), (at, secretKey, inList) => {
          const secret = "s3cr3t-Property-Value";
          let tree: unknown = { [secretKey]: secret, keep: "visible" };
          if (inList) tree = [{ name: "first" }, tree];
          for (const k of [...at].reverse()) tree = { [k]: tree };
          const root = { wrapper: tree } as Record<string, unknown>;
          const { value, removed } = withoutSecrets(root);
          assert.ok(!JSON.stringify(value).includes(secret));
          assert.ok(JSON.stringify(value).includes("visible"));
          assert.deepEqual(removed, [["wrapper", ...at, ...(inList ? ["1"] : []), secretKey]]);
        }),
      );
    });
  });

  describe("mapping table", () => {
    const settingKeys = Object.keys(environmentSettings.shape);
    it("every setting it writes is a key of the environment schema", () => {
      for (const rule of RULES) {
        if (rule.to.kind === "setting") assert.ok(settingKeys.includes(rule.to.path.split(".")[0]), `${rule.from} -> ${rule.to.path}`);
      }
      for (const pinned of [...PINNED, ...PER_ENVIRONMENT]) assert.ok(settingKeys.includes(pinned.split(".")[0]), pinned);
    });

    it("maps each path with the first matching rule of its scope, specific before general", () => {
      for (const scope of ["values", "service", "applicationSet"] as const) {
        const rules = RULES.filter((r) => r.scope === scope);
        rules.forEach((rule, i) => {
          const shadowing = rules.slice(0, i).find((earlier) => rule.from.startsWith(earlier.from === "" ? "" : `${earlier.from}.`) || earlier.from === rule.from);
          assert.equal(shadowing, undefined, `${scope} rule '${rule.from}' can never match: '${shadowing?.from}' comes first`);
        });
      }
    });
  });
});
