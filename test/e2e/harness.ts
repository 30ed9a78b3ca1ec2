// Reads back what is live in the e2e Vault, so that scenarios assert on the platform, not on
// Pulumi's own account of what it did (the API server's objects: e2e/kubectl.ts).
import { Environment } from "../../e2e/env";

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

/** The data of a kv-v2 secret's current version, read through its API path (`<mount>/data/<name>`); undefined when it does not exist. */
export async function kvData(env: Environment, apiPath: string): Promise<Record<string, string> | undefined> {
  const secret = await vaultApi(env, "GET", apiPath);
  return (secret?.data as { data: Record<string, string> } | undefined)?.data;
}
