// The platforms the isolation scenario asks: the API server (SubjectAccessReview, TokenRequest),
// Vault (logins, requests with their tokens) and the NetworkPolicy engine (e2e/tools/netpol-engine).
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import { parse } from "yaml";
import { Environment, serviceAccountSigningKey } from "../../../e2e/env";
import type { Decider, KubeRequest, VaultRequest } from "./expected";

/** The API server as the e2e kubeconfig's admin reaches it, over one pool of kept-alive connections. */
export class KubeApi {
  private readonly agent: https.Agent;
  private readonly server: URL;

  constructor(env: Environment) {
    const config = parse(fs.readFileSync(env.kubeconfig, "utf8")) as {
      clusters: { cluster: { server: string; "certificate-authority": string } }[];
      users: { user: { "client-certificate": string; "client-key": string } }[];
    };
    const { cluster } = config.clusters[0];
    const { user } = config.users[0];
    this.server = new URL(cluster.server);
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 16,
      ca: fs.readFileSync(cluster["certificate-authority"]),
      cert: fs.readFileSync(user["client-certificate"]),
      key: fs.readFileSync(user["client-key"]),
    });
  }

  private send(method: string, apiPath: string, body: unknown, headers: Record<string, string | string[]> = {}): Promise<{ status: number; text: string }> {
    const contentType = method === "PATCH" ? "application/merge-patch+json" : "application/json";
    return new Promise((resolve, reject) => {
      const request = https.request(
        { host: this.server.hostname, port: this.server.port, path: apiPath, method, agent: this.agent, headers: { "Content-Type": contentType, ...headers } },
        (response) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
        },
      );
      request.on("error", reject);
      request.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  /** POSTs an object and returns the API server's answer; fails on any status but 201 and 200. */
  async post<T>(apiPath: string, body: unknown): Promise<T> {
    const { status, text } = await this.send("POST", apiPath, body);
    if (status === 200 || status === 201) return JSON.parse(text) as T;
    throw new Error(`POST ${apiPath}: ${status} ${text}`);
  }

  /**
   * A request made as the user (impersonated by the admin), as a server-side dry run: what
   * authorization and admission answer, and which refused it. Anything but a success or a 403 is
   * an error, never a verdict.
   */
  async asUser(user: { name: string; groups: string[] }, request: KubeRequest): Promise<{ allowed: boolean; decidedBy?: Decider; message: string }> {
    const { status, text } = await this.send(request.method, `${request.path}?dryRun=All`, request.body, {
      "Impersonate-User": user.name,
      "Impersonate-Group": user.groups,
    });
    if (status >= 200 && status < 300) return { allowed: true, message: "" };
    const message = (JSON.parse(text) as { message?: string }).message ?? text;
    if (status === 403) return { allowed: false, decidedBy: refusedBy(message), message };
    throw new Error(`${request.method} ${request.path} as ${user.name}: ${status} ${message}`);
  }

  close(): void {
    this.agent.destroy();
  }

  /** The API server's authorizer's answer for one request of one user. */
  async allowed(user: { name: string; groups: string[] }, attributes: ResourceAttributes): Promise<boolean> {
    const review = await this.post<{ status: { allowed?: boolean } }>("/apis/authorization.k8s.io/v1/subjectaccessreviews", {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: { user: user.name, groups: user.groups, resourceAttributes: attributes },
    });
    return review.status.allowed === true;
  }

  /** A bound token of a ServiceAccount from the TokenRequest API. */
  async token(namespace: string, serviceAccount: string, audience: string): Promise<string> {
    const answer = await this.post<{ status: { token: string } }>(`/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { audiences: [audience], expirationSeconds: 600 },
    });
    return answer.status.token;
  }
}

/**
 * What refused a request, from the API server's message: its authorizer ("User ... cannot ...")
 * or RBAC's own escalation check ("attempting to grant RBAC permissions not currently held"), or
 * admission: a ValidatingAdmissionPolicy, or the NamespaceLifecycle plugin's immortal namespaces.
 */
export function refusedBy(message: string): Decider {
  if (/ValidatingAdmissionPolicy '[^']+' with binding '[^']+' denied request|this namespace may not be deleted/.test(message)) return "admission";
  if (/User "[^"]+" cannot |attempting to grant RBAC permissions not currently held/.test(message)) return "RBAC";
  throw new Error(`a refusal of unknown origin: ${message}`);
}

export interface ResourceAttributes {
  namespace?: string;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
}

/** A ServiceAccount as the API server authenticates it. */
export function serviceAccountUser(namespace: string, name: string): { name: string; groups: string[] } {
  return { name: `system:serviceaccount:${namespace}:${name}`, groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"] };
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/**
 * The token with its times moved so that it expires at `expires` (seconds since the epoch),
 * signed again with the control plane's service-account signing key: what the API server itself
 * would have issued with that expiry (TokenRequest issues none shorter than 10 minutes).
 */
export function resignedToken(token: string, expires: number): string {
  const [header, payload] = token.split(".");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  const lifetime = 600;
  const moved = { ...claims, iat: expires - lifetime, nbf: expires - lifetime, exp: expires };
  const signed = `${header}.${base64url(JSON.stringify(moved))}`;
  const key = fs.readFileSync(serviceAccountSigningKey());
  return `${signed}.${base64url(crypto.sign("sha256", Buffer.from(signed), key))}`;
}

/**
 * What Vault answers a request: allowed (2xx, or 404: the policy let it through to a path that
 * holds nothing) or refused (403); any other status is an error, never a verdict.
 */
export async function vaultAllows(env: Environment, token: string, request: VaultRequest): Promise<boolean> {
  const list = request.method === "LIST";
  const response = await fetch(`${env.vaultAddr}/v1/${request.path}${list ? "?list=true" : ""}`, {
    method: list ? "GET" : request.method,
    headers: { "X-Vault-Token": token, "Content-Type": request.method === "PATCH" ? "application/merge-patch+json" : "application/json" },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  const text = await response.text();
  if (response.ok || response.status === 404) return true;
  if (response.status === 403) return false;
  throw new Error(`Vault ${request.method} ${request.path}: ${response.status} ${text}`);
}

/** A login through a Kubernetes auth role: its client token, or undefined when Vault refuses it (400 or 403). */
export async function vaultLogin(env: Environment, authMount: string, role: string, jwt: string): Promise<string | undefined> {
  const response = await fetch(`${env.vaultAddr}/v1/auth/${authMount}/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ role, jwt }),
  });
  const text = await response.text();
  if (response.ok) return (JSON.parse(text) as { auth: { client_token: string } }).auth.client_token;
  if (response.status === 400 || response.status === 403) return undefined;
  throw new Error(`Vault login at role ${role}: ${response.status} ${text}`);
}

/** A peer of a flow as the engine takes it: a pod (namespace, labels, address) or an address outside the cluster. */
export interface EnginePeer {
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  podLabels?: Record<string, string>;
  ip: string;
}

export interface EngineFlow {
  from: EnginePeer;
  to: EnginePeer;
  port: number;
  protocol: string;
}

/** The engine's verdict on each flow under the given NetworkPolicies (as the API server returns them). */
export async function evaluateFlows(env: Environment, policies: unknown[], flows: EngineFlow[]): Promise<{ ingress: boolean; egress: boolean; allowed: boolean }[]> {
  const child = spawn("netpol-engine", [], { env: { ...process.env, ...env.vars }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  child.stdin.end(JSON.stringify({ policies, flows }));
  const status = await exited;
  if (status !== 0) throw new Error(`netpol-engine exited ${status}: ${stderr}`);
  const verdicts = JSON.parse(stdout) as { ingress: boolean; egress: boolean; allowed: boolean }[];
  if (verdicts.length !== flows.length) throw new Error(`netpol-engine answered ${verdicts.length} of ${flows.length} flows`);
  return verdicts;
}
