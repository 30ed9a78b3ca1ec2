import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as vault from "@pulumi/vault";
import { ADOPT_KEY } from "../config/adopt";
import { CredentialKeys, vaultConnection } from "./credential-keys";
import { Adoption, EnvironmentConfig } from "../config/environment";
import { KvSpace, secretMountPath } from "../config/names";
import { VaultSettings } from "../config/schema/vault";
import { KvSecret, Tenancy, VaultPolicyKey } from "../config/tenancy";
import { standardLabels } from "./labels";
import { adoptedId, holdsData } from "./safety";
import { PolicyRule, renderPolicy } from "./vault-policy";

/** Where the Vault agent writes the rendered secret files in the services' pods. */
const AGENT_SECRET_DIR = "/secrets";
const VSO_API_VERSION = "secrets.hashicorp.com/v1beta1";
const VAULT_AUTH_NAME = "vault-auth";

type Labels = Record<string, string>;
interface Metadata {
  name: string;
  namespace: string;
  labels: Labels;
}

/*
 * The Vault Secrets Operator ships no typed models. These interfaces hold the fields ffnodes sets,
 * and test/vault.test.ts validates them against the required fields, types, enums and patterns of
 * the operator's published CRDs (hashicorp/vault-secrets-operator,
 * config/crd/bases/secrets.hashicorp.com_vaultauths.yaml and _vaultstaticsecrets.yaml, v1beta1).
 */
export interface VaultAuth {
  apiVersion: typeof VSO_API_VERSION;
  kind: "VaultAuth";
  metadata: Metadata;
  spec: {
    method: "kubernetes";
    mount: string;
    vaultConnectionRef?: string;
    kubernetes: { role: string; serviceAccount: string; audiences: string[] };
  };
}

export interface VaultStaticSecret {
  apiVersion: typeof VSO_API_VERSION;
  kind: "VaultStaticSecret";
  metadata: Metadata;
  spec: {
    vaultAuthRef: string;
    mount: string;
    path: string;
    type: "kv-v2";
    refreshAfter: string;
    hmacSecretData: boolean;
    destination: {
      name: string;
      create: boolean;
      overwrite: boolean;
      labels: Labels;
      transformation?: { excludeRaw: boolean; excludes: string[]; templates: Record<string, { text: string }> };
    };
  };
}

/** What the GitOps component (and the stack outputs) need to wire the services to Vault. */
export interface VaultOutputs {
  /** Kubernetes auth role the services log in with (`vault.role` in the charts). */
  role: string;
  authMount: string;
  audience: string;
  /** The customer's KV path (`<namespace>-application` by default). */
  path: string;
  /** The kv-v2 mount holding the customer's secrets. */
  mount: string;
  /** API path of the secret with the generated credentials, as agent templates read it. */
  appSecretPath: string;
  policies: { appRead: string; operator: string };
  serviceAccounts: string[];
  /** Agent-inject file templates by file name (`mongodb.json`, `postgresql.json`). */
  templates: Record<string, string>;
  /** The pod annotations that make the Vault agent render those files into /secrets. */
  agentAnnotations: Record<string, string>;
}

interface PolicySpec {
  key: VaultPolicyKey;
  name: string;
  rules: PolicyRule[];
  hcl: string;
  importId?: string;
}

export interface VaultSpecs {
  space: KvSpace;
  /** Present when the customer has its own kv-v2 mount. */
  mount?: { args: vault.MountArgs; importId?: string };
  policies: PolicySpec[];
  authRole: { args: vault.kubernetes.AuthBackendRoleArgs; importId?: string };
  /** Present when there are databases to generate credentials for. */
  credentials?: {
    databases: string[];
    passwordLength: number;
    /** The secret's name inside the mount. */
    name: string;
    importId?: string;
  };
  /** Present when there are secrets to sync into the namespace. */
  sync?: {
    serviceAccount: { metadata: Metadata; automountServiceAccountToken: boolean };
    vaultAuth: VaultAuth;
    staticSecrets: VaultStaticSecret[];
  };
  outputs: VaultOutputs;
}

/**
 * The policy paths of a kv-v2 space, as the engine's API splits them (Vault docs, "KV secrets
 * engine - version 2", ACL rules): the secrets' data, their metadata, and the soft delete,
 * undelete and destroy of given versions; nothing else.
 */
function spaceGlobs(space: KvSpace): Record<"data" | "metadata" | "delete" | "undelete" | "destroy", string> {
  const glob = (api: string) => `${space.mount}/${api}/${space.prefix}*`;
  return { data: glob("data"), metadata: glob("metadata"), delete: glob("delete"), undelete: glob("undelete"), destroy: glob("destroy") };
}

/** The seed's agent-inject template: the database's username and password as JSON. */
function agentTemplate(apiPath: string, database: string): string {
  return [
    `{{ with secret "${apiPath}" -}}`,
    "  {",
    `    "password":"{{ .Data.data.${database}_password }}",`,
    `    "username":"{{ .Data.data.${database}_username }}"`,
    "  }",
    "{{- end }}",
  ].join("\n");
}

type VaultNames = Tenancy["vault"];

/**
 * The customer's two policies, rendered from structured rules: `app-read` reads and lists its
 * secrets; `operator` writes them and deletes, undeletes and destroys their versions.
 */
export function vaultPolicies(names: Pick<VaultNames, "space" | "policies">, adopt: Adoption): PolicySpec[] {
  const globs = spaceGlobs(names.space);
  const policy = (key: PolicySpec["key"], rules: PolicyRule[]): PolicySpec => {
    const name = names.policies[key];
    return { key, name, rules, hcl: renderPolicy(rules), importId: adoptedId(adopt, ADOPT_KEY.vaultPolicy(key), name) };
  };
  return [
    policy("app-read", [
      { path: globs.data, capabilities: ["read", "list"] },
      { path: globs.metadata, capabilities: ["read", "list"] },
    ]),
    // `patch` is a partial write (`vault kv patch`), which `update` does not allow; versions are
    // deleted, undeleted and destroyed with `update` on their own paths.
    policy("operator", [
      { path: globs.data, capabilities: ["create", "read", "update", "patch", "delete"] },
      { path: globs.metadata, capabilities: ["create", "read", "update", "patch", "delete", "list"] },
      { path: globs.delete, capabilities: ["update"] },
      { path: globs.undelete, capabilities: ["update"] },
      { path: globs.destroy, capabilities: ["update"] },
    ]),
  ];
}

/** The customer's own kv-v2 mount, or none when its secrets live under a prefix of the shared mount. */
export function kvMount(namespace: string, space: KvSpace, mount: VaultSettings["mount"], adopt: Adoption): VaultSpecs["mount"] {
  if (mount !== "own") return undefined;
  return {
    args: { path: space.mount, type: "kv", options: { version: "2" }, description: `ffnodes: secrets of ${namespace}` },
    importId: adoptedId(adopt, ADOPT_KEY.vaultMount, space.mount),
  };
}

/** The Kubernetes auth role: the service accounts of the customer's namespace only, with the app-read policy. */
export function authRole(namespace: string, names: Pick<VaultNames, "role" | "roleId" | "serviceAccounts">, appReadPolicy: string, auth: VaultSettings["auth"], adopt: Adoption): VaultSpecs["authRole"] {
  return {
    args: {
      backend: auth.mount,
      roleName: names.role,
      boundServiceAccountNames: names.serviceAccounts,
      boundServiceAccountNamespaces: [namespace],
      audience: auth.audience,
      tokenTtl: auth.tokenTtlSeconds,
      tokenPolicies: [appReadPolicy],
    },
    importId: adoptedId(adopt, ADOPT_KEY.vaultAuthRole, names.roleId),
  };
}

/** The Vault agent's pod annotations and templates: each database's credentials rendered as JSON into /secrets. */
export function agentInjection(appSecretPath: string, role: string, authMount: string, databases: readonly string[]): Pick<VaultOutputs, "templates" | "agentAnnotations"> {
  const templates = Object.fromEntries(databases.map((db) => [`${db}.json`, agentTemplate(appSecretPath, db)]));
  const agentAnnotations: Record<string, string> = {
    "vault.hashicorp.com/agent-inject": "true",
    "vault.hashicorp.com/auth-path": `auth/${authMount}`,
    "vault.hashicorp.com/role": role,
  };
  for (const [file, template] of Object.entries(templates)) {
    agentAnnotations[`vault.hashicorp.com/agent-inject-secret-${file}`] = appSecretPath;
    agentAnnotations[`vault.hashicorp.com/agent-inject-template-${file}`] = template;
    agentAnnotations[`vault.hashicorp.com/secret-volume-path-${file}`] = AGENT_SECRET_DIR;
  }
  return { templates, agentAnnotations };
}

/** The generated credentials' secret, when there are databases to generate them for. */
export function generatedCredentials(secret: KvSecret, databases: string[], passwordLength: number, adopt: Adoption): VaultSpecs["credentials"] {
  if (databases.length === 0) return undefined;
  return { databases, passwordLength, name: secret.name, importId: adoptedId(adopt, ADOPT_KEY.vaultCredentials, secret.apiPath) };
}

/** Where the secret syncs run and what they stamp: the customer's namespace, its labels, its KV space and auth role. */
interface SyncScope {
  namespace: string;
  labels: Labels;
  space: KvSpace;
  role: string;
}

/** The Vault Secrets Operator's objects: its service account, its VaultAuth, and a VaultStaticSecret per synced secret; none without syncs. */
export function secretSyncs(scope: SyncScope, settings: Pick<VaultSettings, "extraSecrets" | "secretsOperator" | "auth">): VaultSpecs["sync"] {
  const { namespace, labels, space, role } = scope;
  const syncs = settings.extraSecrets;
  if (syncs.length === 0) return undefined;
  const syncAccount = settings.secretsOperator.serviceAccount;
  const meta = (name: string): Metadata => ({ name, namespace, labels });
  return {
    serviceAccount: { metadata: meta(syncAccount), automountServiceAccountToken: false },
    vaultAuth: {
      apiVersion: VSO_API_VERSION,
      kind: "VaultAuth",
      metadata: meta(VAULT_AUTH_NAME),
      spec: {
        method: "kubernetes",
        mount: settings.auth.mount,
        vaultConnectionRef: settings.secretsOperator.vaultConnectionRef,
        kubernetes: { role, serviceAccount: syncAccount, audiences: [settings.auth.audience] },
      },
    },
    staticSecrets: [...syncs]
      .sort((a, b) => a.secretName.localeCompare(b.secretName))
      .map((sync) => ({
        apiVersion: VSO_API_VERSION,
        kind: "VaultStaticSecret",
        metadata: meta(sync.secretName),
        spec: {
          vaultAuthRef: VAULT_AUTH_NAME,
          mount: space.mount,
          path: secretMountPath(space, sync.vaultSecret),
          type: "kv-v2",
          refreshAfter: settings.secretsOperator.refreshAfter,
          hmacSecretData: true,
          destination: {
            name: sync.secretName,
            create: true,
            // The Secret is Vault's copy, named by ffnodes in the customer's own namespace:
            // the operator takes over one that earlier tooling wrote (adopting a live
            // customer), and the setting stays when adopt mode is turned off.
            overwrite: true,
            labels,
            transformation: sync.keys && {
              excludeRaw: true,
              excludes: [".*"],
              templates: Object.fromEntries(
                Object.entries(sync.keys)
                  .sort(([a], [b]) => a.localeCompare(b))
                  .map(([key, vaultKey]) => [key, { text: `{{- get .Secrets "${vaultKey}" -}}` }]),
              ),
            },
          },
        },
      })),
  };
}

/** Everything the Vault component creates for one customer environment: the parts above, composed. */
export function buildVault(config: EnvironmentConfig): VaultSpecs {
  const { namespace, vault: names } = config.tenancy;
  const settings = config.settings.vault;
  const { space, role, serviceAccounts } = names;
  const policies = vaultPolicies(names, config.adopt);
  const [appRead, operator] = policies;
  const appSecretPath = names.credentials.apiPath;
  const databases = [...new Set(settings.credentials.databases)].sort();
  return {
    space,
    mount: kvMount(namespace, space, settings.mount, config.adopt),
    policies,
    authRole: authRole(namespace, names, appRead.name, settings.auth, config.adopt),
    credentials: generatedCredentials(names.credentials, databases, settings.credentials.passwordLength, config.adopt),
    sync: secretSyncs({ namespace, labels: standardLabels(config, "vault"), space, role }, settings),
    outputs: {
      role,
      authMount: settings.auth.mount,
      audience: settings.auth.audience,
      path: names.path,
      mount: space.mount,
      appSecretPath,
      policies: { appRead: appRead.name, operator: operator.name },
      serviceAccounts,
      ...agentInjection(appSecretPath, role, settings.auth.mount, databases),
    },
  };
}

/**
 * The customer's Vault space: its KV mount (or prefix), policies, Kubernetes auth role, the
 * generated database credentials (written once, never overwritten; a database listed later gets
 * its keys added) and the secret syncs.
 */
export class VaultSpace extends pulumi.ComponentResource {
  readonly outputs: VaultOutputs;

  constructor(name: string, config: EnvironmentConfig, opts?: pulumi.ComponentResourceOptions) {
    super("ffnodes:customer:Vault", name, {}, opts);
    const specs = buildVault(config);

    const mount = specs.mount && new vault.Mount(ADOPT_KEY.vaultMount, specs.mount.args, holdsData({ parent: this, import: specs.mount.importId }));
    const onMount = { parent: this, dependsOn: mount ? [mount] : [] };

    const policies = specs.policies.map(
      (p) => new vault.Policy(ADOPT_KEY.vaultPolicy(p.key), { name: p.name, policy: p.hcl }, { ...onMount, import: p.importId }),
    );
    const role = new vault.kubernetes.AuthBackendRole(ADOPT_KEY.vaultAuthRole, specs.authRole.args, {
      parent: this,
      dependsOn: policies,
      import: specs.authRole.importId,
    });

    let credentials: vault.kv.SecretV2 | undefined;
    if (specs.credentials) {
      const { databases, passwordLength, name: secretName, importId } = specs.credentials;
      const entries = databases.flatMap((db): pulumi.Output<[string, string]>[] => {
        // RandomString's result is no secret to the provider (RandomPassword's is): a username
        // is a credential too, so its state holds it encrypted.
        const user = new random.RandomString(
          `vault-${db}-username`,
          { length: 8, upper: false, special: false },
          { parent: this, additionalSecretOutputs: ["result"] },
        );
        const password = new random.RandomPassword(`vault-${db}-password`, { length: passwordLength, special: false }, { parent: this });
        return [
          user.result.apply((v): [string, string] => [`${db}_username`, `${db}_${v}`]),
          password.result.apply((v): [string, string] => [`${db}_password`, v]),
        ];
      });
      const values = pulumi.secret(pulumi.all(entries).apply((pairs) => Object.fromEntries(pairs.sort(([a], [b]) => a.localeCompare(b)))));
      const dataJson = values.apply((v) => JSON.stringify(v));
      // dataJson, a Pulumi secret, rather than the write-only dataJsonWo that @pulumi/vault 7.8.0
      // declares: the bridge serving the provider (pulumi-terraform-bridge v3.120.0,
      // pkg/tfgen/generate.go) only marks write-only fields secret and still keeps them in the
      // state (its TODO #3201), as RandomPassword keeps the generated values anyway.
      // Check-and-set 0: Vault accepts the write only while no secret exists at the path, so a
      // stack that lost its state (or points at another's path) can never overwrite credentials.
      // It goes in `options`: the provider sends its `cas` field outside the request's options,
      // where Vault ignores it (seen against a real Vault by test/e2e/01-new-customer.e2e.ts).
      credentials = new vault.kv.SecretV2(
        ADOPT_KEY.vaultCredentials,
        { mount: specs.space.mount, name: secretName, dataJson, disableRead: true, options: { cas: "0" } },
        // Written once: a rotated value in Vault is never read back nor overwritten by a later
        // run, nor an adopted one. `options` and `disableRead` matter only when it is created.
        holdsData({ ...onMount, import: importId, ignoreChanges: ["dataJson", "disableRead", "options"], additionalSecretOutputs: ["dataJson"] }),
      );
      // The secret is written once; a database listed later gets its keys added here.
      new CredentialKeys(
        "vault-credential-keys",
        { connection: vaultConnection(), mount: specs.space.mount, name: secretName, values },
        { parent: this, dependsOn: [credentials] },
      );
    }

    if (specs.sync) {
      // The component's own dependencies (the namespace) reach the syncs through the account.
      const account = new k8s.core.v1.ServiceAccount("vault-sync-service-account", specs.sync.serviceAccount, {
        parent: this,
        dependsOn: opts?.dependsOn,
      });
      const vaultAuth = new k8s.apiextensions.CustomResource("vault-sync-auth", specs.sync.vaultAuth, {
        parent: this,
        dependsOn: [role, account],
      });
      for (const secret of specs.sync.staticSecrets) {
        new k8s.apiextensions.CustomResource(`vault-sync-${secret.metadata.name}`, secret, {
          parent: this,
          dependsOn: credentials ? [vaultAuth, credentials] : [vaultAuth],
        });
      }
    }

    this.outputs = specs.outputs;
    this.registerOutputs({ ...this.outputs });
  }
}
