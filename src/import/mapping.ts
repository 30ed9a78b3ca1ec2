/**
 * The one table that says where each key of the Helm values tree goes in a customer file.
 *
 * Paths are dotted, matched as prefixes of a value's key path (`*` matches any one key); the
 * first matching rule wins, so specific rules come before general ones. What a rule does not
 * consume of a value's path is appended to the setting path (`appConfig.ffCloudCode` under the
 * rule `appConfig` becomes `services.ffcloud.appConfig.ffCloudCode`).
 *
 * Scopes:
 * - `values`: each values file, at its top level (a node file, or one service's merged files);
 * - `service`: one service's values (a per-service file, or `<service>.` in a node file), with
 *   `{svc}` in a setting path standing for the service;
 * - `applicationSet`: the ApplicationSet document itself.
 *
 * A `transform` reads a whole value (a list, or a value checked against other settings) and
 * runs once every direct setting of the environment is known, in table order.
 */
import { isPlainObject } from "../config/merge";
import { certificateName, defaultVaultPath, secretApiPath, vaultRoleName } from "../config/names";
import { APP_SECRET } from "../config/schema/vault";

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
  /** A setting (dotted path) as the environment's values set it directly; undefined when none did. */
  setting: (path: string) => unknown;
}

/** List settings built from several values (peers, addons, hosts, repositories): items are unioned and sorted. */
export type ListSetting = "connects" | "addons" | "extraHosts" | "gitops.sourceRepos";

export interface TransformResult {
  lists: { setting: ListSetting; items: string[] }[];
  /** Settings (dotted path) and their values. */
  settings?: { path: string; value: unknown }[];
  /** Parts of the value not mapped, by key path below it. */
  unmapped: { path: string[]; reason: string }[];
}

export type Target =
  /** An environment setting; `freeForm` ones copy arbitrary values, so never from a secrets file. */
  | { kind: "setting"; path: string; freeForm?: true }
  /** A key of the customer's identity (top of the customer file). */
  | { kind: "identity"; key: "fitConnectCode" }
  | { kind: "transform"; apply: (value: unknown, ctx: TransformContext) => TransformResult }
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
const transform = (apply: (value: unknown, ctx: TransformContext) => TransformResult): Target => ({ kind: "transform", apply });
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

/** `extraDeploy`: the pgweb manifests become the pgweb addon (its image, its ingress hosts extra hosts); anything else stays. */
function extraDeploy(value: unknown): TransformResult {
  const result: TransformResult = { lists: [], settings: [], unmapped: [] };
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
    if (kind === "Deployment") {
      pgweb = true;
      const containers = valueAt(manifest, ["spec", "template", "spec", "containers"]);
      const image = Array.isArray(containers) && isPlainObject(containers[0]) ? containers[0].image : undefined;
      if (typeof image === "string") result.settings?.push({ path: "pgweb.image", value: image });
    }
    if (kind === "Ingress") {
      result.unmapped.push({
        path: [String(i)],
        reason: "pgweb's public Ingress: ffnodes keeps pgweb unpublished (kubectl port-forward) until the customer file sets pgweb.publish: true, after review (README, pgweb)",
      });
    }
    if (kind === "Ingress" && isPlainObject(manifest.spec) && Array.isArray(manifest.spec.rules)) {
      for (const rule of manifest.spec.rules as unknown[]) {
        if (isPlainObject(rule) && typeof rule.host === "string") hosts.push(rule.host);
      }
      if (typeof manifest.spec.ingressClassName === "string") result.settings?.push({ path: "pgweb.ingressClassName", value: manifest.spec.ingressClassName });
    }
  });
  result.lists.push({ setting: "addons", items: pgweb ? ["pgweb"] : [] }, { setting: "extraHosts", items: hosts });
  return result;
}

const valueAt = (value: unknown, path: string[]): unknown => path.reduce<unknown>((node, key) => (isPlainObject(node) ? node[key] : undefined), value);

/** The Vault path of the environment: as imported, or else the default one of its namespace. */
function ownVaultPath(ctx: TransformContext): string | undefined {
  const path = ctx.setting("vault.path");
  const namespace = ctx.setting("namespace");
  return typeof path === "string" ? path : typeof namespace === "string" ? defaultVaultPath(namespace) : undefined;
}

/** A KV path below `space` (`space`, `space/x`, `space/data/x`), as the secret's name inside it; the credentials secret for the space itself. */
function secretInSpace(vaultPath: string, space: string): string | undefined {
  const path = vaultPath.replace(/^\/+|\/+$/g, "");
  if (path === space) return APP_SECRET;
  if (!path.startsWith(`${space}/`)) return undefined;
  const rest = path.slice(space.length + 1).replace(/^data\//, "");
  return rest === "" ? APP_SECRET : rest;
}

/** `vault.role`: ffnodes names the Kubernetes-auth role after the namespace; any other role is reported. */
function vaultRole(value: unknown, ctx: TransformContext): TransformResult {
  const namespace = ctx.setting("namespace");
  if (typeof namespace === "string" && value === vaultRoleName(namespace)) return { lists: [], settings: [{ path: "namespace", value }], unmapped: [] };
  const reason =
    typeof namespace === "string"
      ? `ffnodes names the Vault role after the namespace ('${namespace}'): the role '${String(value)}' is not adopted`
      : "ffnodes names the Vault role after the namespace, which the tree does not name: check that they match";
  return { lists: [], unmapped: [{ path: [], reason }] };
}

/** `vault.path`: the secret path the charts' agent templates read; its first segment is the customer's Vault path. */
function vaultPath(value: unknown): TransformResult {
  if (typeof value !== "string" || value.replace(/^\/+/, "") === "") return { lists: [], unmapped: [{ path: [], reason: "expected a Vault path" }] };
  const space = value.replace(/^\/+/, "").split("/")[0];
  const secret = secretInSpace(value, space);
  return {
    lists: [],
    settings: [{ path: "vault.path", value: space }],
    unmapped:
      secret === APP_SECRET
        ? []
        : [{ path: [], reason: `the charts now read the generated secret ${secretApiPath({ mount: space, prefix: "" }, APP_SECRET)}: move the keys of '${secret}' there` }],
  };
}

const EXTRA_SECRET_KEYS = ["secretName", "secretNamespace", "vaultPath"];

/** `extraVaultSecrets`: syncs of the customer's own KV secrets into its namespace become `vault.extraSecrets`. */
function extraVaultSecrets(value: unknown, ctx: TransformContext): TransformResult {
  if (!Array.isArray(value)) return { lists: [], unmapped: [{ path: [], reason: "expected a list of secretName, secretNamespace and vaultPath" }] };
  const namespace = ctx.setting("namespace");
  const space = ownVaultPath(ctx);
  const skipped: TransformResult["unmapped"] = [];
  const syncs: { secretName: string; vaultSecret: string }[] = [];
  value.forEach((entry: unknown, i) => {
    const at = [String(i)];
    if (!isPlainObject(entry) || typeof entry.secretName !== "string" || typeof entry.vaultPath !== "string") {
      skipped.push({ path: at, reason: "expected secretName and vaultPath" });
      return;
    }
    const problems = Object.keys(entry)
      .filter((k) => !EXTRA_SECRET_KEYS.includes(k))
      .sort()
      .map((k) => ({ path: [...at, k], reason: "no ffnodes setting: ffnodes syncs the KV secret's keys as they are; this sync was not imported" }));
    if (entry.secretNamespace !== undefined && entry.secretNamespace !== namespace) {
      problems.push({ path: [...at, "secretNamespace"], reason: `ffnodes syncs into the customer's namespace ('${String(namespace)}') only; this sync was not imported` });
    }
    const vaultSecret = space === undefined ? undefined : secretInSpace(entry.vaultPath, space);
    if (vaultSecret === undefined) {
      problems.push({ path: [...at, "vaultPath"], reason: `outside the customer's Vault path ('${String(space)}'); this sync was not imported` });
    }
    if (problems.length === 0 && vaultSecret === APP_SECRET) {
      problems.push({
        path: at,
        reason: `would sync every key of the credentials secret '${APP_SECRET}' (the database passwords) into Secret '${entry.secretName}'; ffnodes syncs only listed keys (the defaults sync sleuth-secret's apiKey): add vault.extraSecrets by hand if more is needed; this sync was not imported`,
      });
    }
    skipped.push(...problems);
    if (problems.length === 0 && vaultSecret !== undefined) syncs.push({ secretName: entry.secretName, vaultSecret });
  });
  return { lists: [], settings: syncs.length > 0 ? [{ path: "vault.extraSecrets", value: syncs }] : [], unmapped: skipped };
}

const CERTIFICATE_KEYS = ["name", "namespace", "dnsNames", "secretName"];

/**
 * `certs.certificates`: ffnodes creates one certificate for the environment's hosts. The
 * customer's own certificate gives the Secret's name, and its names not yet hosts become extra
 * hosts; certificates of other namespaces are the cluster's, not the customer's.
 */
function certificates(value: unknown, ctx: TransformContext): TransformResult {
  const result: TransformResult = { lists: [], settings: [], unmapped: [] };
  if (!Array.isArray(value)) return { ...result, unmapped: [{ path: [], reason: "expected a list of certificates" }] };
  const namespace = ctx.setting("namespace");
  const hosts: string[] = [];
  value.forEach((cert: unknown, i) => {
    const at = [String(i)];
    if (!isPlainObject(cert)) {
      result.unmapped.push({ path: at, reason: "expected name, namespace, dnsNames and secretName" });
      return;
    }
    if (typeof namespace !== "string" || cert.namespace !== namespace) {
      const names = Array.isArray(cert.dnsNames) ? ` (${cert.dnsNames.join(", ")})` : "";
      result.unmapped.push({ path: at, reason: `a certificate of namespace '${String(cert.namespace)}'${names}: cluster-wide, not the customer's; ffnodes leaves it to the cluster` });
      return;
    }
    const expected = certificateName(namespace);
    if (cert.name !== expected) {
      result.unmapped.push({ path: [...at, "name"], reason: `ffnodes names the environment's Certificate '${expected}' (adopt mode imports that one): '${String(cert.name)}' is not adopted` });
    }
    if (typeof cert.secretName === "string") result.settings?.push({ path: "certificates.secretName", value: cert.secretName });
    if (Array.isArray(cert.dnsNames)) hosts.push(...cert.dnsNames.filter((h): h is string => typeof h === "string" && h !== ctx.setting("domain")));
    for (const key of Object.keys(cert).filter((k) => !CERTIFICATE_KEYS.includes(k)).sort()) {
      result.unmapped.push({ path: [...at, key], reason: "ffnodes's certificate takes its issuer and settings from `certificates`" });
    }
  });
  result.lists.push({ setting: "extraHosts", items: hosts });
  return result;
}

/** The ApplicationSet's repository: the charts' repoURL, and so one of the AppProject's source repositories. */
function repoURL(value: unknown): TransformResult {
  if (typeof value !== "string") return { lists: [], unmapped: [{ path: [], reason: "expected a repository URL" }] };
  return { lists: [{ setting: "gitops.sourceRepos", items: [value] }], settings: [{ path: "gitops.repoURL", value }], unmapped: [] };
}

const CHART_PATH = /^charts\/\{\{\s*\.?serviceName\s*\}\}$/;

/** ffnodes deploys each service from `charts/<service>`; another chart path is reported. */
function chartPath(value: unknown): TransformResult {
  if (typeof value === "string" && CHART_PATH.test(value)) return { lists: [], unmapped: [] };
  return { lists: [], unmapped: [{ path: [], reason: `ffnodes deploys each service from charts/<service>; this ApplicationSet uses '${String(value)}'` }] };
}

const sleuth = (from: string, scope: Scope = "values"): Rule[] => [
  { scope, from: `${from}.enabled`, to: setting("sleuth.enabled") },
  { scope, from: `${from}.environment`, to: setting("sleuth.environment") },
];

const GENERATED_VAULT = unmapped("ffnodes generates the charts' Vault settings (role, path, agent templates)");

export const RULES: Rule[] = [
  // Identity and names of the environment.
  { scope: "values", from: "namespace", to: setting("namespace") },
  { scope: "values", from: "host", to: setting("domain") },
  { scope: "values", from: "deploymentKey", to: setting("deploymentKey") },
  { scope: "values", from: "applicationVaultPath", to: setting("vault.path") },
  { scope: "values", from: "global.dbSuffix", to: setting("dbSuffix") },
  { scope: "values", from: "global.fitConnectCode", to: { kind: "identity", key: "fitConnectCode" } },
  { scope: "values", from: "global.app.nodeEnv", to: setting("app.nodeEnv") },
  { scope: "values", from: "global.app.fitfileEnv", to: setting("app.fitfileEnv") },
  ...sleuth("global.sleuth"),
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
  { scope: "values", from: "extraDeploy", to: transform(extraDeploy) },
  { scope: "values", from: "vault.role", to: transform(vaultRole) },
  { scope: "values", from: "vault.path", to: transform(vaultPath) },
  { scope: "values", from: "vault", to: GENERATED_VAULT },
  { scope: "values", from: "extraVaultSecrets", to: transform(extraVaultSecrets) },
  { scope: "values", from: "certs.certificates", to: transform(certificates) },
  { scope: "values", from: "certs", to: unmapped("ffnodes creates the environment's certificate from `certificates`") },
  ...sleuth("sleuth"),
  ...sleuth("workflowTemplates.sleuth"),
  { scope: "values", from: "argocdApp.targetRevision", to: setting("gitops.targetRevision") },

  // One service's values: its application config, and everything else as its infrastructure config.
  { scope: "service", from: "appConfig.fitConnectHosts", to: transform(fitConnectHosts) },
  { scope: "service", from: "appConfig", to: freeForm("services.{svc}.appConfig") },
  ...sleuth("sleuth", "service"),
  { scope: "service", from: "vault.role", to: transform(vaultRole) },
  { scope: "service", from: "vault.path", to: transform(vaultPath) },
  { scope: "service", from: "vault", to: GENERATED_VAULT },
  { scope: "service", from: "", to: freeForm("services.{svc}.infraConfig") },

  // The ApplicationSet.
  { scope: "applicationSet", from: "apiVersion", to: consumed },
  { scope: "applicationSet", from: "kind", to: consumed },
  { scope: "applicationSet", from: "metadata", to: consumed },
  { scope: "applicationSet", from: "spec.generators", to: consumed },
  { scope: "applicationSet", from: "spec.template.metadata", to: consumed },
  { scope: "applicationSet", from: "spec.template.spec.source.helm.valueFiles", to: consumed },
  { scope: "applicationSet", from: "spec.template.spec.destination.namespace", to: setting("namespace") },
  { scope: "applicationSet", from: "spec.template.spec.destination.server", to: setting("gitops.cluster") },
  { scope: "applicationSet", from: "spec.template.spec.source.repoURL", to: transform(repoURL) },
  { scope: "applicationSet", from: "spec.template.spec.source.targetRevision", to: setting("gitops.targetRevision") },
  { scope: "applicationSet", from: "spec.template.spec.source.path", to: transform(chartPath) },
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
