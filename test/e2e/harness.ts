// Reads back what is live in the e2e API server and Vault, so that scenarios assert on the
// platforms, not on Pulumi's own account of what it did.
import { spawnSync } from "node:child_process";
import { Environment } from "../../e2e/env";

/** A live Kubernetes object, or undefined when it does not exist. */
export function kubeGet(env: Environment, kind: string, name: string, namespace?: string): KubeObject | undefined {
  const args = ["--kubeconfig", env.kubeconfig, "get", kind, name, "-o", "json", ...(namespace ? ["-n", namespace] : [])];
  const result = spawnSync("kubectl", args, { encoding: "utf8", env: { ...process.env, ...env.vars } });
  if (result.status !== 0) {
    if (/NotFound|not found/.test(result.stderr)) return undefined;
    throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as KubeObject;
}

export function kubeList(env: Environment, kind: string, namespace: string): KubeObject[] {
  const args = ["--kubeconfig", env.kubeconfig, "get", kind, "-n", namespace, "-o", "json"];
  const result = spawnSync("kubectl", args, { encoding: "utf8", env: { ...process.env, ...env.vars } });
  if (result.status !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { items: KubeObject[] }).items;
}

export function kubectl(env: Environment, args: string[], input?: string): string {
  const result = spawnSync("kubectl", ["--kubeconfig", env.kubeconfig, ...args], { encoding: "utf8", input, env: { ...process.env, ...env.vars } });
  if (result.status !== 0) throw new Error(`kubectl ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

export interface KubeObject {
  metadata: { name: string; namespace?: string; uid: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** Calls Vault's HTTP API with the root token; returns undefined for a 404. */
export async function vaultApi(env: Environment, method: string, apiPath: string, body?: unknown): Promise<Record<string, unknown> | undefined> {
  const response = await fetch(`${env.vaultAddr}/v1/${apiPath}`, {
    method,
    headers: { "X-Vault-Token": env.vaultToken, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 404) return undefined;
  const text = await response.text();
  if (!response.ok) throw new Error(`Vault ${method} ${apiPath}: ${response.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}
