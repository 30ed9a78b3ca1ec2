// Argo CD in the e2e environment, as a cluster runs it but as processes on loopback: the
// ApplicationSet controller, the application controller and the repo-server (one multicall
// binary under their names, e2e/tools/argocd), the Redis they cache in, and a chart source they
// fetch with no network: the charts of test/e2e/fixtures/chart-source in a git repository served
// over HTTPS with a certificate of the environment's own CA. No Argo CD API server, UI or Dex:
// the controllers need none of them.
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Cluster, kubectl } from "./kubectl";

/** Where the charts come from, in the repository. */
const CHART_SOURCE = path.resolve(__dirname, "..", "test", "e2e", "fixtures", "chart-source");
/** Argo CD's namespace; the customers' `gitops.argocdNamespace` default. */
export const ARGOCD_NAMESPACE = "argocd";
/** The revision the chart source's one branch is named after: the customers' `gitops.targetRevision` default. */
export const CHART_REVISION = "latest-release";
/** The repository of the charts, and one the customers' projects do not name (`sourceRepos`). */
const CHART_REPOSITORIES = { charts: "charts.git", unlisted: "unlisted.git" } as const;
/** How often the application controller compares every Application again (its `--app-resync`, `timeout.reconciliation`); 3 minutes in a release. */
const RESYNC_SECONDS = 10;

/** What the environment starts and waits for; e2e/env.ts provides it. */
export interface Daemons {
  start(name: string, binary: string, args: string[], env: Record<string, string>): void;
  waitFor(what: string, check: () => boolean | Promise<boolean>): Promise<void>;
  freePort(): Promise<number>;
  which(name: string): string;
  /** Whether a GET of the URL answers 2xx. */
  answers(url: string): Promise<boolean>;
}

export interface ArgoCd {
  /** The chart repository's URL, as a customer's `gitops.repoURL` names it. */
  repoURL: string;
  /** A repository the chart source serves that no customer's project allows. */
  unlistedRepoURL: string;
}

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const result = spawnSync("git", args, { cwd, encoding: "utf8", env });
  if (result.error) throw new Error(`git: ${result.error.message} (the chart source needs git: apt-get install git)`);
  if (result.status !== 0) throw new Error(`git ${args.join(" ")} in ${cwd} exited ${result.status}:\n${result.stderr}`);
  return result.stdout;
}

/**
 * The files of the chart source: each service chart of `charts/` with the shared
 * `service-templates/` as its templates, and the `confined/` charts as they are.
 */
function chartSourceFiles(source = CHART_SOURCE): Map<string, string> {
  const files = new Map<string, string>();
  const add = (from: string, to: string) => {
    for (const file of fs.readdirSync(from, { recursive: true, encoding: "utf8" })) {
      const full = path.join(from, file);
      if (fs.statSync(full).isFile()) files.set(path.join(to, file), fs.readFileSync(full, "utf8"));
    }
  };
  for (const chart of fs.readdirSync(path.join(source, "charts"))) {
    add(path.join(source, "charts", chart), path.join("charts", chart));
    add(path.join(source, "service-templates"), path.join("charts", chart, "templates"));
  }
  add(path.join(source, "confined"), "confined");
  return files;
}

/** Writes the chart source as bare repositories under `root`, each with the one branch CHART_REVISION. */
function makeChartRepositories(root: string): void {
  const work = path.join(root, "work");
  fs.mkdirSync(work, { recursive: true });
  for (const [file, text] of chartSourceFiles()) {
    fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    fs.writeFileSync(path.join(work, file), text);
  }
  // No user's git configuration (signing, hooks, templates) applies to this repository.
  const env = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
  git(work, ["init", "--quiet", "--initial-branch", CHART_REVISION], env);
  git(work, ["add", "."], env);
  git(work, ["-c", "user.name=ffnodes e2e", "-c", "user.email=e2e@ffnodes.invalid", "commit", "--quiet", "-m", "The e2e chart source"], env);
  for (const name of Object.values(CHART_REPOSITORIES)) git(root, ["clone", "--quiet", "--bare", work, name], env);
  fs.rmSync(work, { recursive: true, force: true });
}

/** The cluster objects Argo CD reads its settings and the chart repository from. */
function settingsManifests(repoURL: string, caPem: string): unknown {
  const metadata = (name: string, labels: Record<string, string> = {}) => ({
    name,
    namespace: ARGOCD_NAMESPACE,
    // Argo CD's settings manager reads only ConfigMaps that carry this label (util/settings/settings.go).
    labels: { "app.kubernetes.io/part-of": "argocd", ...labels },
  });
  return {
    apiVersion: "v1",
    kind: "List",
    items: [
      { apiVersion: "v1", kind: "ConfigMap", metadata: metadata("argocd-cm"), data: {} },
      // The secret key signs the API server's sessions; the controllers read it with the rest of the settings.
      { apiVersion: "v1", kind: "Secret", metadata: metadata("argocd-secret"), stringData: { "server.secretkey": crypto.randomBytes(32).toString("base64") } },
      // The CA of the chart source, as an operator registers one (`argocd cert add-tls`); the
      // repo-server reads it from ARGOCD_TLS_DATA_PATH, where a cluster mounts this ConfigMap.
      { apiVersion: "v1", kind: "ConfigMap", metadata: metadata("argocd-tls-certs-cm"), data: { [new URL(repoURL).hostname]: caPem } },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: metadata("e2e-chart-source", { "argocd.argoproj.io/secret-type": "repository" }),
        stringData: { type: "git", name: "e2e-chart-source", url: repoURL },
      },
    ],
  };
}

/**
 * Starts the chart source, Redis and Argo CD's three components against the cluster, and waits
 * until each answers. `dir` is this part's folder of the environment's state; `pki` holds the
 * environment's CA (`ca.crt`) and the chart source's certificate (`git-https.crt`, `.key`).
 */
export async function startArgoCd(daemons: Daemons, cluster: Cluster, dir: string, pki: string): Promise<ArgoCd> {
  const gitRoot = path.join(dir, "git");
  makeChartRepositories(gitRoot);
  const [gitPort, redisPort, repoPort, repoMetricsPort, controllerMetricsPort, appsetMetricsPort, appsetProbePort, appsetWebhookPort] = await Promise.all(
    Array.from({ length: 8 }, () => daemons.freePort()),
  );
  const base = `https://127.0.0.1:${gitPort}`;
  const argocd: ArgoCd = { repoURL: `${base}/${CHART_REPOSITORIES.charts}`, unlistedRepoURL: `${base}/${CHART_REPOSITORIES.unlisted}` };
  const caPem = fs.readFileSync(path.join(pki, "ca.crt"), "utf8");

  daemons.start("git-https", daemons.which("git-https"), [
    "--listen", `127.0.0.1:${gitPort}`, "--root", gitRoot, "--cert", path.join(pki, "git-https.crt"), "--key", path.join(pki, "git-https.key"),
  ], {});
  daemons.start("redis", daemons.which("redis"), ["--listen", `127.0.0.1:${redisPort}`], {});
  const caOnly = { ...process.env, GIT_SSL_CAINFO: path.join(pki, "ca.crt"), GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" };
  await daemons.waitFor("the chart source", () => spawnSync("git", ["ls-remote", argocd.repoURL], { env: caOnly }).status === 0);

  kubectl(cluster, ["apply", "--server-side", "--field-manager=ffnodes-e2e", "-f", "-"], JSON.stringify(settingsManifests(argocd.repoURL, caPem)));

  // What a cluster's pods have by their image and mounts: the TLS store, a temporary folder of
  // their own (clones, the askpass socket, Helm's caches), Helm and git on PATH, no GnuPG.
  const tlsDir = path.join(dir, "tls");
  const home = path.join(dir, "home");
  const tmp = path.join(dir, "tmp");
  for (const folder of [tlsDir, home, tmp]) fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(tlsDir, new URL(argocd.repoURL).hostname), caPem);
  const common = {
    // The application controller's in-cluster destination is read from KUBECONFIG alone, whatever
    // --kubeconfig says (Cluster.RawRestConfig); the components' own clients read it too.
    KUBECONFIG: cluster.kubeconfig,
    PATH: [path.dirname(daemons.which("helm")), process.env.PATH ?? ""].join(path.delimiter),
    HOME: home,
    TMPDIR: tmp,
  };
  const redis = ["--redis", `127.0.0.1:${redisPort}`];
  const namespace = ["--namespace", ARGOCD_NAMESPACE];
  const logs = ["--logformat", "text"];

  daemons.start("argocd-repo-server", daemons.which("argocd-repo-server"), [
    "--address", "127.0.0.1", "--port", String(repoPort),
    "--metrics-address", "127.0.0.1", "--metrics-port", String(repoMetricsPort),
    ...redis, ...logs,
  ], { ...common, ARGOCD_TLS_DATA_PATH: tlsDir, ARGOCD_GPG_ENABLED: "false", ARGOCD_ASK_PASS_SOCK: path.join(tmp, "askpass.sock") });
  await daemons.waitFor("Argo CD's repo-server", () => daemons.answers(`http://127.0.0.1:${repoMetricsPort}/healthz`));

  // The application controller's metrics server listens on all interfaces (controller/appcontroller.go
  // formats "0.0.0.0:<port>"; no flag sets its address): the one port here that is not loopback only.
  daemons.start("argocd-application-controller", daemons.which("argocd-application-controller"), [
    "--repo-server", `127.0.0.1:${repoPort}`, "--metrics-port", String(controllerMetricsPort),
    "--app-resync", String(RESYNC_SECONDS), "--app-resync-jitter", "0",
    ...redis, ...namespace, ...logs,
  ], {
    ...common,
    // The in-cluster destination (https://kubernetes.default.svc) is KUBECONFIG's cluster.
    ARGOCD_FAKE_IN_CLUSTER: "true",
  });
  daemons.start("argocd-applicationset-controller", daemons.which("argocd-applicationset-controller"), [
    "--argocd-repo-server", `127.0.0.1:${repoPort}`,
    "--metrics-addr", `127.0.0.1:${appsetMetricsPort}`, "--probe-addr", `127.0.0.1:${appsetProbePort}`, "--webhook-addr", `127.0.0.1:${appsetWebhookPort}`,
    ...namespace, ...logs,
  ], common);
  await daemons.waitFor("Argo CD's application controller", () => daemons.answers(`http://127.0.0.1:${controllerMetricsPort}/healthz`));
  // It registers no health checks on its probe address: its manager's metrics server answers once it runs.
  await daemons.waitFor("Argo CD's ApplicationSet controller", () => daemons.answers(`http://127.0.0.1:${appsetMetricsPort}/metrics`));
  return argocd;
}
