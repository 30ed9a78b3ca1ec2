// The identity the README tells operators to run `pulumi up` (and `decommission`) as: its Vault
// policy and Kubernetes RBAC read from the README's code blocks as written, so that a scenario run
// as it checks the README's least privileges against the real API server and Vault.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Environment } from "../../e2e/env";
import { vaultApi } from "./harness";
import { kubectl } from "../../e2e/kubectl";
import { DEPLOYER } from "./isolation/cells";
import { DECOMMISSION_BLOCK, DEPLOYER_BLOCK, readmeBlock } from "./readme-blocks";

const SERVICE_ACCOUNT = DEPLOYER.name;
const SERVICE_ACCOUNT_NAMESPACE = DEPLOYER.namespace;

/** A customer the deployer deploys: its namespace, on its own mount, or with its KV mount and prefix (`<path>/`) on the shared one. */
export type DeployerCustomer = string | { namespace: string; mount: string; prefix: string };

/** The README's Vault policy for the identity that runs `pulumi up`, filled in for a customer. */
function vaultPolicy(customer: DeployerCustomer, authMount: string): string {
  const { namespace, mount, prefix } = typeof customer === "string" ? { namespace: customer, mount: `${customer}-application`, prefix: "" } : customer;
  return readmeBlock("**Vault policy** of the identity that runs `pulumi up`", "hcl")
    .replaceAll("<ns>", namespace)
    .replaceAll("<auth-mount>", authMount)
    .replaceAll("<mount>", mount)
    .replaceAll("<prefix>", prefix);
}

/**
 * Waits until the API server enforces the README's admission policy (it compiles a new policy
 * asynchronously): until it refuses the deployer a namespace without the ffnodes label.
 */
function awaitAdmissionPolicy(env: Environment): void {
  const as = `--as=system:serviceaccount:${SERVICE_ACCOUNT_NAMESPACE}:${SERVICE_ACCOUNT}`;
  for (let attempt = 0; attempt < 60; attempt++) {
    try {
      kubectl(env, ["create", "namespace", "ffnodes-admission-probe", "--dry-run=server", as]);
    } catch (error) {
      if (/ValidatingAdmissionPolicy 'ffnodes-deployer'/.test(String(error))) return;
      throw error;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  }
  assert.fail("the README's admission policy ffnodes-deployer was not enforced within 30 s");
}

/** A kubeconfig for the README's ServiceAccount, with the README's RBAC and admission policy applied. */
function kubeconfigFor(env: Environment, dir: string): string {
  const account = { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: SERVICE_ACCOUNT, namespace: SERVICE_ACCOUNT_NAMESPACE } };
  const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: SERVICE_ACCOUNT_NAMESPACE } };
  kubectl(env, ["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: [namespace, account] }));
  kubectl(env, ["apply", "-f", "-"], readmeBlock(DEPLOYER_BLOCK, "yaml"));
  awaitAdmissionPolicy(env);
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
 * The README's deployer for the given customers (the Vault policy is per customer), on the
 * default auth mount: its RBAC and admission policy as written.
 */
export async function leastPrivilegedDeployer(env: Environment, customers: DeployerCustomer[]): Promise<Deployer> {
  const policy = `ffnodes-deployer-${customers.map((c) => (typeof c === "string" ? c : c.namespace)).join("-")}`;
  await vaultApi(env, "PUT", `sys/policies/acl/${policy}`, { policy: customers.map((c) => vaultPolicy(c, "kubernetes")).join("\n") });
  const token = (await vaultApi(env, "POST", "auth/token/create", { policies: [policy], ttl: "2h" })) as { auth: { client_token: string } };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ffnodes-e2e-deployer-"));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  let kubeconfig: string;
  try {
    kubeconfig = kubeconfigFor(env, dir);
  } catch (error) {
    remove();
    throw error;
  }
  return {
    env: { ...env, vars: { ...env.vars, VAULT_TOKEN: token.auth.client_token, KUBECONFIG: kubeconfig } },
    remove,
  };
}

/** What a cluster admin applies before decommissioning a customer's namespace: the README's block for `decommission`, for that namespace. */
export function grantDecommission(env: Environment, namespace: string): void {
  kubectl(env, ["apply", "-f", "-"], readmeBlock(DECOMMISSION_BLOCK, "yaml").replaceAll("<ns>", namespace));
}
