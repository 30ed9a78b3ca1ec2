// A throwaway control plane on loopback for the end-to-end tests and for trying stacks by hand:
// etcd, kube-apiserver and kube-controller-manager, a Vault dev server with Kubernetes auth
// pointed at that API server and reviewing logins with a reviewer account, the upstream CRDs, a
// local Cloudflare API double (e2e/tools/cloudflare-api), Argo CD's controllers and repo-server
// with a chart source of their own (e2e/argocd.ts), and a local file state backend. Every binary
// is built from the Go modules under e2e/tools
// (build.sh); nothing else is downloaded.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ArgoCd, startArgoCd } from "./argocd";
import { Cluster, kubectl } from "./kubectl";

export const REPO_ROOT = path.resolve(__dirname, "..");
const CACHE = process.env.FFNODES_E2E_CACHE ?? path.join(os.homedir(), ".cache", "ffnodes-e2e");
/** The running environment's files: certificates, data, logs, kubeconfig, state backend. */
const STATE_DIR = process.env.FFNODES_E2E_STATE ?? path.join(CACHE, "env");
/** The control plane's certificates and keys. */
const PKI_DIR = path.join(STATE_DIR, "pki");
const SHARED = process.env.FFNODES_SHARED ?? path.resolve(REPO_ROOT, "..", "shared");

/** The kubeconfig context the e2e API server is reached by; stacks/Pulumi.demo-local.yaml names it. */
const KUBE_CONTEXT = "ffnodes-local";
const VAULT_TOKEN = "ffnodes-e2e-root";
const VAULT_DEV_SERVER = path.join(REPO_ROOT, "e2e", "tools", "vault-dev-server.sh");
/** The local stacks' secrets passphrase, fixed and public: stacks/Pulumi.demo-local.yaml carries its salt (README, "Local cluster"). */
const PASSPHRASE = "ffnodes-local";
/** Storage classes of the e2e cluster. WaitForFirstConsumer, as on a kind or k3d cluster: a claim stays Pending until a pod uses it. */
const STORAGE_CLASSES = ["standard", "local-path"];
/**
 * The zones the Cloudflare API double serves: the production zone, a second one, and a zone
 * inside the first (a subdomain with a zone of its own), into which a host moves and keeps its name.
 */
export const CLOUDFLARE_ZONES = ["fitfile.net", "fitfile.co.uk", "eu.fitfile.net"];
/** Namespaces the cluster itself runs: ArgoCD's, and the ones the customers' NetworkPolicies name. */
const CLUSTER_NAMESPACES = ["argocd", "cert-manager", "ingress-nginx", "vault"];

export interface Environment {
  /** Variables that point `pulumi`, the providers and the tests at this environment. */
  vars: Record<string, string>;
  kubeconfig: string;
  vaultAddr: string;
  vaultToken: string;
  apiServer: string;
  /** The Cloudflare API double: its base URL (…/client/v4), a read and write token, and a read-only one. */
  cloudflare: { baseUrl: string; token: string; readToken: string };
  /** Argo CD's chart source: the repository URLs a customer's `gitops` settings name. */
  argocd: ArgoCd;
}

/** The variables `up` prints for `eval`, and `down`'s `unset` line clears. */
const EXPORTED_NAMES = [
  "PATH",
  "KUBECONFIG",
  "VAULT_ADDR",
  "VAULT_TOKEN",
  "PULUMI_BACKEND_URL",
  "PULUMI_CONFIG_PASSPHRASE",
  "PULUMI_SKIP_UPDATE_CHECK",
  "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION",
  "PULUMI_HOME",
  "CLOUDFLARE_BASE_URL",
  "CLOUDFLARE_API_TOKEN",
  "FFNODES_E2E_CLOUDFLARE_READ_TOKEN",
];

/**
 * The user's PATH without the folders npm puts ahead of it while it runs a script
 * (`node_modules/.bin` of each folder up to the root, npm's own `node-gyp-bin`), so that the
 * printed PATH holds only the toolchain's folders ahead of the user's own.
 */
export function userPath(npmPath: string): string {
  return npmPath
    .split(path.delimiter)
    .filter((dir) => dir !== "" && !dir.endsWith(`${path.sep}node_modules${path.sep}.bin`) && !dir.endsWith(`${path.sep}node-gyp-bin`))
    .join(path.delimiter);
}

interface Saved {
  pids: Record<string, number>;
  env: Environment;
}

const savedFile = path.join(STATE_DIR, "environment.json");

function log(message: string): void {
  process.stderr.write(`e2e-env: ${message}\n`);
}

/** Builds the toolchain (a no-op once it is cached) and returns the folders that hold it. */
function buildToolchain(): string[] {
  const result = spawnSync("bash", [path.join(REPO_ROOT, "e2e", "tools", "build.sh")], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  if (result.status !== 0) throw new Error(`building the e2e toolchain failed (exit ${result.status ?? result.signal}); see the output above`);
  return result.stdout.trim().split("\n").filter(Boolean);
}

/** Plugins the CLI finds beside its own binary (sdk go/common/workspace/plugins.go, IsPluginBundled). */
const BUNDLED_PLUGINS = ["pulumi-resource-pulumi-nodejs", "pulumi-language-nodejs"];

/**
 * Installs the providers the build made into the environment's plugin cache (PULUMI_HOME), each at
 * the version its npm SDK asks for (`pulumi.version` of @pulumi/<name>), and returns the toolchain
 * folders left for PATH: those holding anything but such providers. The engine warns `using
 * pulumi-resource-<name> from $PATH` for every plugin it finds on PATH that is not bundled beside
 * the CLI (GetPluginPath in sdk go/common/workspace/plugins.go), so every preview would print one
 * per provider; from the plugin cache it loads them silently, as it loads downloaded ones.
 */
function installProviders(binDirs: string[], pulumiHome: string): string[] {
  const installed = new Set<string>();
  for (const dir of binDirs) {
    for (const file of fs.readdirSync(dir)) {
      const name = /^pulumi-resource-(.+)$/.exec(file)?.[1];
      if (!name || BUNDLED_PLUGINS.includes(file)) continue;
      const sdk = path.join(REPO_ROOT, "node_modules", "@pulumi", name, "package.json");
      const version = fs.existsSync(sdk) ? (JSON.parse(fs.readFileSync(sdk, "utf8")) as { pulumi?: { version?: string } }).pulumi?.version : undefined;
      if (!version) continue;
      run(which(binDirs, "pulumi"), ["plugin", "install", "resource", name, version, "--file", path.join(dir, file)], { env: { ...process.env, PULUMI_HOME: pulumiHome, PULUMI_SKIP_UPDATE_CHECK: "1" } });
      installed.add(path.join(dir, file));
    }
  }
  // Dot files are the build's own markers (`.complete`).
  return binDirs.filter((dir) => fs.readdirSync(dir).some((file) => !file.startsWith(".") && !installed.has(path.join(dir, file))));
}

function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  const result = spawnSync(command, args, { encoding: "utf8", env: options.env ?? process.env, input: options.input });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stderr}`);
  return result.stdout;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function makePki(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const ssl = (...args: string[]) => run("openssl", args);
  const at = (name: string) => path.join(dir, name);
  ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/CN=ffnodes-e2e-ca", "-keyout", at("ca.key"), "-out", at("ca.crt"));
  const sign = (name: string, subject: string, extensions: string) => {
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", at(`${name}.key`), "-out", at(`${name}.csr`));
    fs.writeFileSync(at(`${name}.ext`), extensions);
    ssl("x509", "-req", "-in", at(`${name}.csr`), "-CA", at("ca.crt"), "-CAkey", at("ca.key"), "-CAcreateserial", "-days", "30", "-extfile", at(`${name}.ext`), "-out", at(`${name}.crt`));
  };
  sign(
    "apiserver",
    "/CN=kube-apiserver",
    "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n",
  );
  sign("admin", "/O=system:masters/CN=ffnodes-e2e-admin", "extendedKeyUsage=clientAuth\n");
  sign("git-https", "/CN=ffnodes-e2e-chart-source", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  ssl("genrsa", "-out", at("sa.key"), "2048");
  ssl("rsa", "-in", at("sa.key"), "-pubout", "-out", at("sa.pub"));
}

function kubeconfigText(server: string, pki: string): string {
  return [
    "apiVersion: v1",
    "kind: Config",
    `current-context: ${KUBE_CONTEXT}`,
    "clusters:",
    `- name: ${KUBE_CONTEXT}`,
    "  cluster:",
    `    server: ${server}`,
    `    certificate-authority: ${path.join(pki, "ca.crt")}`,
    "users:",
    `- name: ${KUBE_CONTEXT}-admin`,
    "  user:",
    `    client-certificate: ${path.join(pki, "admin.crt")}`,
    `    client-key: ${path.join(pki, "admin.key")}`,
    "contexts:",
    `- name: ${KUBE_CONTEXT}`,
    "  context:",
    `    cluster: ${KUBE_CONTEXT}`,
    `    user: ${KUBE_CONTEXT}-admin`,
    "",
  ].join("\n");
}

function startDaemon(name: string, binary: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  const logs = path.join(STATE_DIR, "logs");
  fs.mkdirSync(logs, { recursive: true });
  const out = fs.openSync(path.join(logs, `${name}.log`), "a");
  const child = spawn(binary, args, { detached: true, stdio: ["ignore", out, out], env });
  fs.closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return child.pid;
}

/** Whether a process of this id runs (signal 0 checks without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, pids: Record<string, number>, check: () => boolean | Promise<boolean>, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    for (const [name, pid] of Object.entries(pids)) {
      if (!alive(pid)) throw new Error(`${name} exited while waiting for ${what}; see ${path.join(STATE_DIR, "logs", `${name}.log`)}`);
    }
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`timed out after ${seconds}s waiting for ${what}; logs are in ${path.join(STATE_DIR, "logs")}`);
}

function which(binDirs: string[], name: string): string {
  for (const dir of binDirs) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`the e2e toolchain has no ${name} (looked in ${binDirs.join(", ")})`);
}

async function answers(url: string, headers: Record<string, string> = {}): Promise<boolean> {
  try {
    return (await fetch(url, { headers })).ok;
  } catch {
    return false;
  }
}

function vault(env: Environment, binDirs: string[], args: string[], input?: string): string {
  return run(which(binDirs, "vault"), args, { env: { ...process.env, VAULT_ADDR: env.vaultAddr, VAULT_TOKEN: env.vaultToken }, input });
}

/** The control plane's service-account token signing key: what the API server signs every token with. */
export function serviceAccountSigningKey(): string {
  return path.join(PKI_DIR, "sa.key");
}

/** The ServiceAccount Vault reviews Kubernetes logins with, in Vault's namespace. */
const TOKEN_REVIEWER = { namespace: "vault", name: "vault-token-reviewer" };

/**
 * The reviewer account, bound to system:auth-delegator (TokenReview and SubjectAccessReview, no
 * more), and its long-lived token Secret, as HashiCorp's guide for a Vault outside the cluster
 * has them (Kubernetes auth method, "Use long-lived tokens").
 */
function tokenReviewerManifests(): unknown {
  const { namespace, name } = TOKEN_REVIEWER;
  return {
    apiVersion: "v1",
    kind: "List",
    items: [
      { apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace } },
      {
        apiVersion: "v1",
        kind: "Secret",
        type: "kubernetes.io/service-account-token",
        metadata: { name, namespace, annotations: { "kubernetes.io/service-account.name": name } },
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
        subjects: [{ kind: "ServiceAccount", name, namespace }],
      },
    ],
  };
}

/** The reviewer's token once the token controller has filled in its Secret, else "". */
function reviewerToken(cluster: Cluster): string {
  const { namespace, name } = TOKEN_REVIEWER;
  const encoded = kubectl(cluster, ["get", "secret", name, "-n", namespace, "-o", "jsonpath={.data.token}"]);
  return Buffer.from(encoded, "base64").toString("utf8");
}

function crdFiles(): string[] {
  const root = path.join(SHARED, "schemas", "crds");
  if (!fs.existsSync(root)) throw new Error(`the upstream CRDs are not at ${root}; set FFNODES_SHARED to the shared/ folder`);
  return fs
    .readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".yaml"))
    .sort()
    .map((file) => path.join(root, file));
}

function storageClassManifest(name: string): string {
  return `apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata:\n  name: ${name}\nprovisioner: rancher.io/local-path\nvolumeBindingMode: WaitForFirstConsumer\nreclaimPolicy: Retain\n`;
}

function readSaved(): Saved | undefined {
  try {
    return JSON.parse(fs.readFileSync(savedFile, "utf8")) as Saved;
  } catch {
    return undefined;
  }
}

/** The running environment, if every one of its processes is alive. */
export function status(): Environment | undefined {
  const saved = readSaved();
  return saved && Object.keys(saved.env.vars).length > 0 && Object.values(saved.pids).every(alive) ? saved.env : undefined;
}

/** Starts the environment, or returns the one already running. */
export async function up(): Promise<Environment> {
  const running = status();
  if (running) return running;
  await down();

  const binDirs = buildToolchain();
  if (spawnSync("sh", ["-c", "command -v openssl"]).status !== 0) throw new Error("openssl is not installed; it makes the control plane's certificates (apt-get install openssl)");
  const started = Date.now();
  fs.mkdirSync(STATE_DIR, { recursive: true });
  const pki = PKI_DIR;
  makePki(pki);

  const [etcdPort, etcdPeerPort, apiPort, vaultPort, cloudflarePort] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const pids: Record<string, number> = {};
  const env: Environment = {
    kubeconfig: path.join(STATE_DIR, "kubeconfig"),
    apiServer: `https://127.0.0.1:${apiPort}`,
    vaultAddr: `http://127.0.0.1:${vaultPort}`,
    vaultToken: VAULT_TOKEN,
    // Tokens as long as Cloudflare's (40 characters), new at every start.
    cloudflare: { baseUrl: `http://127.0.0.1:${cloudflarePort}/client/v4`, token: randomBytes(20).toString("hex"), readToken: randomBytes(20).toString("hex") },
    vars: {},
    argocd: { repoURL: "", unlistedRepoURL: "" },
  };
  const save = () => fs.writeFileSync(savedFile, JSON.stringify({ pids, env } satisfies Saved, null, 2));
  const toolchainPath = [...binDirs, userPath(process.env.PATH ?? "")].join(path.delimiter);
  const cluster: Cluster = { kubeconfig: env.kubeconfig, vars: { PATH: toolchainPath } };
  const clusterAnswers = () => {
    try {
      kubectl(cluster, ["get", "--raw", "/readyz"]);
      return true;
    } catch {
      return false;
    }
  };

  try {
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const peerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    pids.etcd = startDaemon("etcd", which(binDirs, "etcd"), [
      "--data-dir", path.join(STATE_DIR, "etcd"),
      "--listen-client-urls", etcdUrl, "--advertise-client-urls", etcdUrl,
      "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
      "--initial-cluster", `default=${peerUrl}`, "--unsafe-no-fsync",
    ]);
    save();

    pids["kube-apiserver"] = startDaemon("kube-apiserver", which(binDirs, "kube-apiserver"), [
      "--etcd-servers", etcdUrl,
      "--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1", "--secure-port", String(apiPort),
      "--tls-cert-file", path.join(pki, "apiserver.crt"), "--tls-private-key-file", path.join(pki, "apiserver.key"),
      "--client-ca-file", path.join(pki, "ca.crt"),
      "--service-account-issuer", "https://kubernetes.default.svc.cluster.local",
      "--service-account-key-file", path.join(pki, "sa.pub"),
      "--service-account-signing-key-file", path.join(pki, "sa.key"),
      "--service-cluster-ip-range", "10.96.0.0/16",
      "--authorization-mode", "Node,RBAC",
    ]);
    save();
    fs.writeFileSync(env.kubeconfig, kubeconfigText(env.apiServer, pki));
    await waitFor("the API server", pids, clusterAnswers);

    pids["kube-controller-manager"] = startDaemon("kube-controller-manager", which(binDirs, "kube-controller-manager"), [
      "--kubeconfig", env.kubeconfig,
      "--bind-address", "127.0.0.1", "--secure-port", "0",
      "--leader-elect=false",
      // The controllers whose work the kubernetes provider waits for: quota status, namespace
      // deletion, service accounts and their tokens, claim protection, garbage collection.
      "--controllers", "namespace-controller,resourcequota-controller,serviceaccount-controller,serviceaccount-token-controller,persistentvolumeclaim-protection-controller,garbage-collector-controller,root-ca-certificate-publisher-controller",
      "--service-account-private-key-file", path.join(pki, "sa.key"),
      "--root-ca-file", path.join(pki, "ca.crt"),
    ]);
    save();

    pids.vault = startDaemon("vault", VAULT_DEV_SERVER, [which(binDirs, "vault"), `127.0.0.1:${vaultPort}`, VAULT_TOKEN, STATE_DIR]);
    save();
    await waitFor("Vault", pids, () => answers(`${env.vaultAddr}/v1/sys/health`));

    pids["cloudflare-api"] = startDaemon(
      "cloudflare-api",
      which(binDirs, "cloudflare-api"),
      ["--listen", `127.0.0.1:${cloudflarePort}`, "--zones", CLOUDFLARE_ZONES.join(",")],
      { ...process.env, CLOUDFLARE_API_DOUBLE_TOKEN: env.cloudflare.token, CLOUDFLARE_API_DOUBLE_READ_TOKEN: env.cloudflare.readToken },
    );
    save();
    await waitFor("the Cloudflare API double", pids, () => answers(`${env.cloudflare.baseUrl}/zones`, { Authorization: `Bearer ${env.cloudflare.readToken}` }));

    for (const file of crdFiles()) kubectl(cluster, ["apply", "--server-side", "--field-manager=ffnodes-e2e", "-f", file]);
    kubectl(cluster, ["wait", "--for=condition=Established", "--timeout=60s", "crd", "--all"]);
    kubectl(cluster, ["apply", "--server-side", "--field-manager=ffnodes-e2e", "-f", "-"], STORAGE_CLASSES.map(storageClassManifest).join("---\n"));
    for (const ns of CLUSTER_NAMESPACES) kubectl(cluster, ["create", "namespace", ns]);

    // Kubernetes auth as a cluster's Vault outside the cluster has it: logins are reviewed with a
    // reviewer account's token (TokenReview needs system:auth-delegator); without one Vault would
    // review each login with the login's own token, which lacks it, and refuse every login.
    kubectl(cluster, ["apply", "-f", "-"], JSON.stringify(tokenReviewerManifests()));
    await waitFor("the token reviewer's token", pids, () => reviewerToken(cluster) !== "");
    vault(env, binDirs, ["auth", "enable", "kubernetes"]);
    vault(env, binDirs, [
      "write", "auth/kubernetes/config", `kubernetes_host=${env.apiServer}`, `kubernetes_ca_cert=@${path.join(pki, "ca.crt")}`, "token_reviewer_jwt=-",
    ], reviewerToken(cluster));

    env.argocd = await startArgoCd(
      {
        start: (name, binary, args, daemonEnv) => {
          pids[name] = startDaemon(name, binary, args, { ...process.env, ...daemonEnv });
          save();
        },
        waitFor: (what, check) => waitFor(what, pids, check),
        freePort,
        which: (name) => which(binDirs, name),
        answers: (url) => answers(url),
      },
      cluster,
      path.join(STATE_DIR, "argocd"),
      pki,
    );

    const backend = path.join(STATE_DIR, "backend");
    fs.mkdirSync(backend, { recursive: true });
    const pulumiHome = path.join(STATE_DIR, "pulumi-home");
    const pathDirs = installProviders(binDirs, pulumiHome);
    env.vars = {
      PATH: [...pathDirs, userPath(process.env.PATH ?? "")].join(path.delimiter),
      KUBECONFIG: env.kubeconfig,
      VAULT_ADDR: env.vaultAddr,
      VAULT_TOKEN: env.vaultToken,
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
      PULUMI_SKIP_UPDATE_CHECK: "1",
      // Every provider is built here and installed into PULUMI_HOME's plugin cache; nothing is to be downloaded.
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_HOME: pulumiHome,
      // terraform-provider-cloudflare reads both when its provider config sets neither (internal/provider.go).
      CLOUDFLARE_BASE_URL: env.cloudflare.baseUrl,
      CLOUDFLARE_API_TOKEN: env.cloudflare.token,
      FFNODES_E2E_CLOUDFLARE_READ_TOKEN: env.cloudflare.readToken,
    };
    save();
    log(`up in ${Math.round((Date.now() - started) / 1000)}s; state and logs in ${STATE_DIR}`);
    for (const [name, pid] of Object.entries(pids)) log(`running ${name} (pid ${pid})`);
    log(`Argo CD's chart source: ${env.argocd.repoURL}; a stack syncs its charts from it after`);
    for (const key of ["repoURL", "sourceRepos[0]"]) log(`  pulumi config set --path 'ffnodes:settings.gitops.${key}' ${env.argocd.repoURL}`);
    return env;
  } catch (e) {
    save();
    await down();
    throw e;
  }
}

/**
 * Stops every process of the environment, the last started first, and removes its files. Safe to
 * call when nothing runs. Returns one line per process stopped. Only this environment's processes
 * are touched: another environment's daemons (another FFNODES_E2E_STATE) and a person's own
 * `pulumi` runs are left alone.
 */
export async function down(): Promise<string[]> {
  const saved = readSaved();
  const stopped: string[] = [];
  for (const [name, pid] of Object.entries(saved?.pids ?? {}).reverse()) {
    if (await stopGroup(name, pid)) stopped.push(`${name} (pid ${pid})`);
  }
  stopped.push(...killStrayProcessesOfThisEnvironment());
  fs.rmSync(STATE_DIR, { recursive: true, force: true });
  return stopped;
}

/** The names `shellExports` sets, as the line that unsets them again, for `eval` after `down`. */
export function shellUnsets(): string {
  return `unset ${EXPORTED_NAMES.filter((name) => name !== "PATH").join(" ")}`;
}

/**
 * Whether a process belongs to this environment: it was started with a variable that names this
 * environment's state folder (PULUMI_HOME, KUBECONFIG or PULUMI_BACKEND_URL from `vars`, which
 * `pulumi` passes on to its providers and language hosts).
 */
export function startedByEnvironment(environ: string, stateDir: string): boolean {
  const inside = path.resolve(stateDir) + path.sep;
  return environ.split("\0").some((entry) => {
    const eq = entry.indexOf("=");
    if (eq < 0 || !EXPORTED_NAMES.includes(entry.slice(0, eq))) return false;
    const value = entry.slice(eq + 1).replace(/^file:\/\//, "");
    return value.startsWith(inside);
  });
}

/**
 * Kills what still runs a binary of the toolchain on this environment's behalf: providers and
 * language hosts that a `pulumi` killed mid-run (a test's time-out) left behind. Read from /proc,
 * so Linux only.
 */
function killStrayProcessesOfThisEnvironment(): string[] {
  const bin = path.join(CACHE, "bin") + path.sep;
  const stopped: string[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return stopped;
  }
  for (const entry of entries) {
    let exe: string;
    let environ: string;
    try {
      exe = fs.readlinkSync(`/proc/${entry}/exe`);
      environ = fs.readFileSync(`/proc/${entry}/environ`, "latin1");
    } catch {
      continue; // gone, or not ours to read
    }
    if (!exe.startsWith(bin) || !startedByEnvironment(environ, STATE_DIR)) continue;
    try {
      process.kill(Number(entry), "SIGKILL");
      stopped.push(`${path.basename(exe)} (pid ${entry}), left behind by an interrupted run`);
    } catch {
      // already gone
    }
  }
  return stopped;
}

/** SIGTERM to a daemon's process group, then SIGKILL if it is still there after 10 seconds. Whether it was running. */
async function stopGroup(name: string, pid: number): Promise<boolean> {
  if (!alive(pid)) return false;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + 10_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!alive(pid)) return true;
  log(`${name} did not stop on SIGTERM; killing it`);
  signal("SIGKILL");
  return true;
}

/** The environment as shell assignments, for `eval "$(npm run -s e2e:env -- up)"`. */
export function shellExports(env: Environment): string {
  return Object.entries(env.vars)
    .map(([name, value]) => `export ${name}='${value.replace(/'/g, `'\\''`)}'`)
    .join("\n");
}
