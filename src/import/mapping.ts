/**
 * The one table that says where each key of the Helm values tree goes in a customer file.
 *
 * Paths are dotted, matched as prefixes of a value's key path (`*` matches any one key); the
 * first matching rule wins, so specific rules come before general ones. What a rule does not
 * consume of a value's path is appended to the setting path (`appConfig.ffCloudCode` under the
 * rule `appConfig` becomes `services.ffcloud.appConfig.ffCloudCode`).
 *
 * Scopes:
 * - `values`: any values file, at its top level (a node file, or one service's merged files);
 * - `service`: one service's values (a per-service file, or `<service>.` in a node file), with
 *   `{svc}` in a setting path standing for the service;
 * - `applicationSet`: the ApplicationSet document itself.
 *
 * A key with no customer setting yet is `pending`, naming the concern whose settings will hold
 * it: when that setting lands, turn the rule into a `setting`.
 */
import { isPlainObject } from "../config/merge";

export type Scope = "values" | "service" | "applicationSet";

/** A customer as the importer knows it: imported in this run, or an existing customer file. */
export interface KnownCustomer {
  name: string;
  fitConnectCode: string;
  /** Primary domain per environment. */
  domains: Record<string, string>;
}

export interface TransformContext {
  customer: string;
  environment: string;
  byCode: (fitConnectCode: string) => KnownCustomer | undefined;
}

/** List settings built from several values (peers, addons, hosts): items are unioned and sorted. */
export type ListSetting = "connects" | "addons" | "extraHosts";

export interface TransformResult {
  lists: { setting: ListSetting; items: string[] }[];
  /** Parts of the value not mapped, by key path below it. */
  unmapped: { path: string[]; reason: string }[];
}

export type Target =
  /** An environment setting; `freeForm` ones copy arbitrary values, so never from a secrets file. */
  | { kind: "setting"; path: string; freeForm?: true }
  /** A key of the customer's identity (top of the customer file). */
  | { kind: "identity"; key: "fitConnectCode" }
  | { kind: "list"; apply: (value: unknown, ctx: TransformContext) => TransformResult }
  | { kind: "pending"; concern: string; setting: string }
  | { kind: "unmapped"; why: string }
  /** Read by the importer itself (the ApplicationSet's generators and value files). */
  | { kind: "consumed" };

export interface Rule {
  scope: Scope;
  from: string;
  to: Target;
}

const setting = (path: string): Target => ({ kind: "setting", path });
const freeForm = (path: string): Target => ({ kind: "setting", path, freeForm: true });
const pending = (concern: string, what: string): Target => ({ kind: "pending", concern, setting: what });
const unmapped = (why: string): Target => ({ kind: "unmapped", why });
const consumed: Target = { kind: "consumed" };

const PGWEB = /^pgweb(-|$)/;

/** `fitConnectHosts` becomes `connects`: the peers, found by FITConnect code; the customer itself is implied. */
function fitConnectHosts(value: unknown, ctx: TransformContext): TransformResult {
  const result: TransformResult = { lists: [], unmapped: [] };
  if (!Array.isArray(value)) return { ...result, unmapped: [{ path: [], reason: "expected a list of fitConnectCode and fitConnectUri" }] };
  const connects: string[] = [];
  value.forEach((entry: unknown, i) => {
    const at = [String(i)];
    if (!isPlainObject(entry) || typeof entry.fitConnectCode !== "string") {
      result.unmapped.push({ path: at, reason: "expected fitConnectCode and fitConnectUri" });
      return;
    }
    for (const key of Object.keys(entry).filter((k) => k !== "fitConnectCode" && k !== "fitConnectUri").sort()) {
      result.unmapped.push({ path: [...at, key], reason: "ffnodes generates fitConnectCode and fitConnectUri only" });
    }
    const peer = ctx.byCode(entry.fitConnectCode);
    const domain = peer?.domains[ctx.environment];
    if (!peer || !domain) {
      result.unmapped.push({
        path: at,
        reason: peer
          ? `customer '${peer.name}' has no '${ctx.environment}' environment to connect to`
          : `no customer has FITConnect code '${entry.fitConnectCode}': import or create it, then add it to connects`,
      });
      return;
    }
    const generated = `https://${domain}/fitconnect`;
    if (entry.fitConnectUri !== generated) {
      result.unmapped.push({ path: [...at, "fitConnectUri"], reason: `ffnodes generates ${generated} from ${peer.name}'s domain` });
    }
    if (peer.name !== ctx.customer) connects.push(peer.name);
  });
  result.lists.push({ setting: "connects", items: connects });
  return result;
}

/** `extraDeploy`: the pgweb manifests become the pgweb addon (its ingress hosts extra hosts); anything else stays. */
function extraDeploy(value: unknown): TransformResult {
  const result: TransformResult = { lists: [], unmapped: [] };
  if (!Array.isArray(value)) return { ...result, unmapped: [{ path: [], reason: "expected a list of manifests" }] };
  let pgweb = false;
  const hosts: string[] = [];
  value.forEach((manifest: unknown, i) => {
    const kind = isPlainObject(manifest) && typeof manifest.kind === "string" ? manifest.kind : "?";
    const metadata = isPlainObject(manifest) && isPlainObject(manifest.metadata) ? manifest.metadata : {};
    const name = typeof metadata.name === "string" ? metadata.name : "?";
    if (!PGWEB.test(name) || !isPlainObject(manifest)) {
      result.unmapped.push({ path: [String(i)], reason: `${kind}/${name}: no ffnodes addon deploys it` });
      return;
    }
    if (kind === "Deployment") pgweb = true;
    if (kind === "Ingress" && isPlainObject(manifest.spec) && Array.isArray(manifest.spec.rules)) {
      for (const rule of manifest.spec.rules as unknown[]) {
        if (isPlainObject(rule) && typeof rule.host === "string") hosts.push(rule.host);
      }
    }
  });
  result.lists.push({ setting: "addons", items: pgweb ? ["pgweb"] : [] }, { setting: "extraHosts", items: hosts });
  return result;
}

export const RULES: Rule[] = [
  // Identity and names of the environment.
  { scope: "values", from: "namespace", to: setting("namespace") },
  { scope: "values", from: "host", to: setting("domain") },
  { scope: "values", from: "deploymentKey", to: setting("deploymentKey") },
  { scope: "values", from: "applicationVaultPath", to: setting("vault.path") },
  { scope: "values", from: "global.dbSuffix", to: setting("dbSuffix") },
  { scope: "values", from: "global.fitConnectCode", to: { kind: "identity", key: "fitConnectCode" } },
  { scope: "values", from: "global.app", to: pending("GitOps", "global.app (nodeEnv, fitfileEnv)") },
  { scope: "values", from: "global.sleuth", to: pending("GitOps", "monitoring (sleuth enabled, environment)") },
  { scope: "values", from: "global.db", to: unmapped("database names are generated from dbSuffix") },
  { scope: "values", from: "global", to: unmapped("global values are generated from the customer's settings; no setting holds this one") },
  // Storage.
  { scope: "values", from: "minio.persistence.size", to: setting("storage.minio.size") },
  { scope: "values", from: "minio.persistence.existingClaim", to: setting("storage.minio.existingClaim") },
  { scope: "values", from: "minio.persistence.storageClass", to: setting("storage.minio.storageClassName") },
  { scope: "values", from: "postgresql.primary.persistence.size", to: setting("storage.postgresql.size") },
  { scope: "values", from: "postgresql.primary.persistence.existingClaim", to: setting("storage.postgresql.existingClaim") },
  { scope: "values", from: "postgresql.primary.persistence.storageClass", to: setting("storage.postgresql.storageClassName") },
  // Addons, Vault, certificates, monitoring, GitOps.
  { scope: "values", from: "extraDeploy", to: { kind: "list", apply: extraDeploy } },
  { scope: "values", from: "vault", to: pending("Vault", "vault.role and the agent's secret path") },
  { scope: "values", from: "extraVaultSecrets", to: pending("Vault", "Vault-to-Kubernetes secret syncs") },
  { scope: "values", from: "certs", to: pending("certificates", "certificates and their hosts") },
  { scope: "values", from: "sleuth", to: pending("GitOps", "monitoring (sleuth)") },
  { scope: "values", from: "workflowTemplates.sleuth", to: pending("GitOps", "monitoring (sleuth)") },
  { scope: "values", from: "argocdApp.targetRevision", to: pending("GitOps", "targetRevision") },

  // One service's values: its application config, and everything else as its infrastructure config.
  { scope: "service", from: "appConfig.fitConnectHosts", to: { kind: "list", apply: fitConnectHosts } },
  { scope: "service", from: "appConfig", to: freeForm("services.{svc}.appConfig") },
  { scope: "service", from: "sleuth", to: pending("GitOps", "monitoring (sleuth)") },
  { scope: "service", from: "vault", to: pending("Vault", "vault.role and the agent's secret path") },
  { scope: "service", from: "", to: freeForm("services.{svc}.infraConfig") },

  // The ApplicationSet.
  { scope: "applicationSet", from: "apiVersion", to: consumed },
  { scope: "applicationSet", from: "kind", to: consumed },
  { scope: "applicationSet", from: "metadata", to: consumed },
  { scope: "applicationSet", from: "spec.generators", to: consumed },
  { scope: "applicationSet", from: "spec.template.metadata", to: consumed },
  { scope: "applicationSet", from: "spec.template.spec.source.helm.valueFiles", to: consumed },
  { scope: "applicationSet", from: "spec.template.spec.destination.namespace", to: setting("namespace") },
  { scope: "applicationSet", from: "spec.template.spec.destination.server", to: pending("GitOps", "destination cluster") },
  { scope: "applicationSet", from: "spec.template.spec.source.repoURL", to: pending("GitOps", "repoURL") },
  { scope: "applicationSet", from: "spec.template.spec.source.targetRevision", to: pending("GitOps", "targetRevision") },
  { scope: "applicationSet", from: "spec.template.spec.source.path", to: pending("GitOps", "chart path") },
  { scope: "applicationSet", from: "spec.template.spec.project", to: unmapped("ffnodes generates the customer's AppProject") },
  { scope: "applicationSet", from: "spec.template.spec.syncPolicy", to: unmapped("ffnodes generates the seed's sync policy") },
  { scope: "applicationSet", from: "spec.syncPolicy", to: unmapped("ffnodes generates the ApplicationSet's own policy") },
];

/**
 * Settings written even when they equal what would be derived: a live customer's data lives
 * under these names, so a later change to the defaults must never move it.
 */
export const PINNED = ["namespace", "dbSuffix", "vault.path"];

/** Settings that stay in each environment section even when every environment has the same value. */
export const PER_ENVIRONMENT = ["domain"];

/** Settings never proposed as shared defaults: they name one customer's own things. */
export const NEVER_DEFAULT = ["domain", "extraHosts", "namespace", "dbSuffix", "vault.path", "deploymentKey", "connects", "storage.*.existingClaim"];

/** Keys named like secrets that hold references to them (names, Vault paths), not secret values. */
export const SECRET_REFERENCES = ["extraVaultSecrets"];

/** Whether `pattern` (dotted, `*` for any key) is a prefix of `path`. */
export function matchesPrefix(pattern: string, path: string[]): boolean {
  const segments = pattern === "" ? [] : pattern.split(".");
  return segments.length <= path.length && segments.every((s, i) => s === "*" || s === path[i]);
}

/** The first rule of `scope` matching `path`, and how many keys of the path it consumed. */
export function findRule(scope: Scope, path: string[]): { rule: Rule; consumed: number } | undefined {
  const rule = RULES.find((r) => r.scope === scope && matchesPrefix(r.from, path));
  return rule && { rule, consumed: rule.from === "" ? 0 : rule.from.split(".").length };
}
