// The identity the README tells operators to run `pulumi up` (and `decommission`) as: its Vault
// policy and Kubernetes RBAC read from the README's code blocks as written, so that a scenario run
// as it checks the README's least privileges against the real API server and Vault.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Environment, REPO_ROOT } from "../../e2e/env";
import { vaultApi } from "./harness";
import { kubectl } from "../../e2e/kubectl";

const SERVICE_ACCOUNT = "ffnodes-deployer";
const SERVICE_ACCOUNT_NAMESPACE = "ffnodes";

/** The README's code block of a language that follows a marker, unindented. */
function readmeBlock(marker: string, language: string): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `the README has no '${marker}'`);
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(readme.slice(at));
  assert.ok(block, `the README has no ${language} block after '${marker}'`);
  const lines = block[1].split("\n");
  const indent = lines[0].length - lines[0].trimStart().length;
  return lines.map((line) => line.slice(indent)).join("\n");
}

/** The README's Vault policy for the identity that runs `pulumi up`, filled in for a customer on its own mount. */
function vaultPolicy(namespace: string, authMount: string): string {
  return readmeBlock("**Vault policy** of the identity that runs `pulumi up`", "hcl")
    .replaceAll("<ns>", namespace)
    .replaceAll("<auth-mount>", authMount)
    .replaceAll("<mount>", `${namespace}-application`)
    .replaceAll("<prefix>", "");
}

/** A kubeconfig for the README's ServiceAccount, with the RBAC of the README's blocks after each marker applied. */
function kubeconfigFor(env: Environment, dir: string, rbacMarkers: string[]): string {
  const account = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: SERVICE_ACCOUNT, namespace: SERVICE_ACCOUNT_NAMESPACE } };
  const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: SERVICE_ACCOUNT_NAMESPACE } };
  kubectl(env, ["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: [namespace, account] }));
  for (const marker of rbacMarkers) kubectl(env, ["apply", "-f", "-"], readmeBlock(marker, "yaml"));
  const token = kubectl(env, ["create", "token", SERVICE_ACCOUNT, "-n", SERVICE_ACCOUNT_NAMESPACE, "--duration", "2h"]).trim();
  const kubeconfig = path.join(dir, "kubeconfig");
  fs.copyFileSync(env.kubeconfig, kubeconfig);
  const context = /^current-context: (.*)$/m.exec(fs.readFileSync(kubeconfig, "utf8"))?.[1];
  assert.ok(context, "the e2e kubeconfig names its current context");
  kubectl(env, ["--kubeconfig", kubeconfig, "config", "set-credentials", SERVICE_ACCOUNT, `--token=${token}`]);
  kubectl(env, ["--kubeconfig", kubeconfig, "config", "set-context", context, `--user=${SERVICE_ACCOUNT}`]);
  return kubeconfig;
}

export interface Deployer {
  /** The environment with `VAULT_TOKEN` and `KUBECONFIG` of the deployer; the scenario's own reads stay the admin's. */
  env: Environment;
  remove(): void;
}

/**
 * The README's deployer for the given customer namespaces (the Vault policy is per customer
 * namespace), on the default auth mount. `decommission` adds the README's RBAC for decommissioning.
 */
export async function leastPrivilegedDeployer(env: Environment, customerNamespaces: string[], options: { decommission?: boolean } = {}): Promise<Deployer> {
  const policy = `ffnodes-deployer-${customerNamespaces.join("-")}`;
  await vaultApi(env, "PUT", `sys/policies/acl/${policy}`, { policy: customerNamespaces.map((ns) => vaultPolicy(ns, "kubernetes")).join("\n") });
  const token = (await vaultApi(env, "POST", "auth/token/create", { policies: [policy], ttl: "2h" })) as { auth: { client_token: string } };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ffnodes-e2e-deployer-"));
  const markers = ["**Kubernetes RBAC**", ...(options.decommission ? ["**`decommission`** needs"] : [])];
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  let kubeconfig: string;
  try {
    kubeconfig = kubeconfigFor(env, dir, markers);
  } catch (error) {
    remove();
    throw error;
  }
  return {
    env: { ...env, vars: { ...env.vars, VAULT_TOKEN: token.auth.client_token, KUBECONFIG: kubeconfig } },
    remove,
  };
}
