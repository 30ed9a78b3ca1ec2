import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as fc from "fast-check";
import * as hcl from "hcl2-parser";
import { z } from "zod";
import { VaultSpace, VaultSpecs, buildVault } from "../src/components/vault";
import { PolicyRule, renderPolicy } from "../src/components/vault-policy";
import { EnvironmentConfig } from "../src/config/environment";
import { stackFileName } from "../src/config/files";
import { resolveEnvironment } from "../src/config/resolve";
import { VaultSettings, vaultSettings } from "../src/config/schema/vault";
import { offlineMocks } from "../src/plan/mocks";
import { KINDS, KindType } from "../src/kinds";
import { planStack } from "../src/plan/engine";
import { SECRET_PLACEHOLDER } from "../src/config/secrets";
import { REPO_ROOT, findResource, fixtureRoot, nonEmpty, planRepoStack, resolveStack, resourcesOfType, stackFile, withSettings, itRejects, problemsOf } from "./helpers";

const T = {
  mount: "vault:index/mount:Mount",
  policy: "vault:index/policy:Policy",
  role: "vault:kubernetes/authBackendRole:AuthBackendRole",
  secret: "vault:kv/secretV2:SecretV2",
  vaultAuth: "kubernetes:secrets.hashicorp.com/v1beta1:VaultAuth",
  staticSecret: "kubernetes:secrets.hashicorp.com/v1beta1:VaultStaticSecret",
} satisfies Record<string, KindType>;

const seedConfig = (): EnvironmentConfig => resolveStack(REPO_ROOT, "ff-a-prod");

/** A valid customer environment: the seed's, with another namespace and Vault settings validated by the schema. */
function customer(base: EnvironmentConfig, namespace: string, vault: Partial<VaultSettings>): EnvironmentConfig {
  const settings = vaultSettings.vault.parse({ ...base.settings.vault, path: undefined, ...vault });
  return { ...withSettings(base, { namespace, vault: settings }), stack: `${namespace}-prod` };
}

/** The path blocks of an HCL policy as hcl2-parser reads them: path to capabilities. */
function parsePolicy(text: string): Record<string, string[]> {
  const [parsed, error] = hcl.parseToObject(text) as [{ path?: Record<string, { capabilities: string[] }[]> } | null, unknown];
  assert.equal(error, null, `policy does not parse:\n${text}`);
  assert.ok(parsed?.path, `policy has no path blocks:\n${text}`);
  return Object.fromEntries(
    Object.entries(parsed.path).map(([p, blocks]) => {
      assert.equal(blocks.length, 1, `one block per path: ${p}`);
      return [p, blocks[0].capabilities];
    }),
  );
}

/** Every policy path ffnodes writes is a literal prefix followed by one trailing glob. */
function literalPrefix(policyPath: string): string {
  assert.ok(policyPath.endsWith("/*") && policyPath.indexOf("*") === policyPath.length - 1, `glob only at the end, after '/': ${policyPath}`);
  return policyPath.slice(0, -1);
}

function grantedPaths(specs: VaultSpecs): string[] {
  return specs.policies.flatMap((p) => Object.keys(parsePolicy(p.hcl)));
}

/*
 * The fields ffnodes sets on the Vault Secrets Operator's kinds, with the types, enums, patterns
 * and required lists of the operator's published CRDs (hashicorp/vault-secrets-operator,
 * config/crd/bases/secrets.hashicorp.com_vaultauths.yaml and
 * secrets.hashicorp.com_vaultstaticsecrets.yaml, version v1beta1). Closed objects: a field not
 * listed here is a field the CRD would not know.
 */
const stringMap: z.core.JSONSchema.JSONSchema = { type: "object", additionalProperties: { type: "string" } };
const objectMeta: z.core.JSONSchema.JSONSchema = {
  type: "object",
  required: ["name", "namespace"],
  properties: { name: { type: "string" }, namespace: { type: "string" }, labels: stringMap },
  additionalProperties: false,
};
/** A namespaced object of the operator's API group, with the given spec schema. */
const operatorKind = (kind: string, spec: z.core.JSONSchema.JSONSchema) =>
  z.fromJSONSchema({
    type: "object",
    required: ["apiVersion", "kind", "metadata", "spec"],
    additionalProperties: false,
    properties: { apiVersion: { const: "secrets.hashicorp.com/v1beta1" }, kind: { const: kind }, metadata: objectMeta, spec },
  });
const vaultAuthSchema = operatorKind("VaultAuth", {
  type: "object",
  additionalProperties: false,
  properties: {
    method: { type: "string", enum: ["kubernetes", "jwt", "appRole", "aws", "gcp"] },
    mount: { type: "string" },
    vaultConnectionRef: { type: "string" },
    kubernetes: {
      type: "object",
      additionalProperties: false,
      properties: {
        role: { type: "string" },
        serviceAccount: { type: "string" },
        audiences: { type: "array", items: { type: "string" } },
      },
    },
  },
});
const vaultStaticSecretSchema = operatorKind("VaultStaticSecret", {
  type: "object",
  required: ["destination", "mount", "path", "type"],
  additionalProperties: false,
  properties: {
    vaultAuthRef: { type: "string" },
    mount: { type: "string" },
    path: { type: "string" },
    type: { type: "string", enum: ["kv-v1", "kv-v2"] },
    refreshAfter: { type: "string", pattern: "^([0-9]+(\\.[0-9]+)?(s|m|h))$" },
    hmacSecretData: { type: "boolean" },
    destination: {
      type: "object",
      required: ["name"],
      additionalProperties: false,
      properties: {
        name: { type: "string" },
        create: { type: "boolean" },
        overwrite: { type: "boolean" },
        labels: stringMap,
        transformation: {
          type: "object",
          additionalProperties: false,
          properties: {
            excludeRaw: { type: "boolean" },
            excludes: { type: "array", items: { type: "string" } },
            templates: {
              type: "object",
              additionalProperties: {
                type: "object",
                required: ["text"],
                additionalProperties: false,
                properties: { name: { type: "string" }, text: { type: "string" } },
              },
            },
          },
        },
      },
    },
  },
});

/** Drops undefined fields, as serialising the object for the API server does. */
const asSent = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

function assertOperatorKinds(specs: VaultSpecs): void {
  if (!specs.sync) return;
  const auth = vaultAuthSchema.safeParse(asSent(specs.sync.vaultAuth));
  assert.ok(auth.success, JSON.stringify(auth.error?.issues));
  for (const secret of specs.sync.staticSecrets) {
    const parsed = vaultStaticSecretSchema.safeParse(asSent(secret));
    assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
  }
}

// Arbitraries for valid customers. The shared mount is fleet-wide, as customers/_defaults.yaml sets it.
const namespaceArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/);
const segmentArb = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,14}[a-z0-9]$/);
const labelArb = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/);
const dataKeyArb = fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/);
const vaultArb = (sharedMount: string) =>
  fc.record({
    mount: fc.constantFrom("own" as const, "shared" as const),
    sharedMount: fc.constant(sharedMount),
    path: fc.option(segmentArb, { nil: undefined }),
    auth: fc.record({
      mount: fc.constantFrom("kubernetes", "k8s/prod"),
      audience: fc.constantFrom("vault", "https://kubernetes.default.svc.cluster.local"),
      tokenTtlSeconds: fc.integer({ min: 60, max: 86_400 }),
      serviceAccounts: fc.uniqueArray(labelArb, { minLength: 1, maxLength: 5 }),
    }),
    extraSecrets: fc.uniqueArray(
      fc.record({
        secretName: labelArb,
        vaultSecret: fc.array(segmentArb, { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/")),
        keys: fc.option(fc.dictionary(dataKeyArb, dataKeyArb, { minKeys: 1, maxKeys: 3 }), { nil: undefined }),
      }),
      { selector: (s) => s.secretName, maxLength: 3 },
    ),
  });

/** A valid customer from the arbitraries, or undefined when the schema rejects the combination. */
function validCustomer(base: EnvironmentConfig, namespace: string, vault: Partial<VaultSettings>): EnvironmentConfig | undefined {
  try {
    return customer(base, namespace, vault);
  } catch (e) {
    if (e instanceof z.ZodError) return undefined;
    throw e;
  }
}

describe("vault: policies", () => {
  it("renders structured rules to HCL that hcl2-parser reads back unchanged", () => {
    const rules: PolicyRule[] = [
      { path: "b/metadata/*", capabilities: ["list", "read"] },
      { path: "b/data/*", capabilities: ["delete", "create", "read", "update", "list"] },
    ];
    assert.deepEqual(parsePolicy(renderPolicy(rules)), {
      "b/data/*": ["create", "read", "update", "delete", "list"],
      "b/metadata/*": ["read", "list"],
    });
  });

  it("refuses a path that could escape its HCL string", () => {
    for (const path of ['a"} path "sys/*', "a/${var}/*", "a/%{x}/*", "a b/*"]) {
      assert.throws(() => renderPolicy([{ path, capabilities: ["read"] }]), /unsafe Vault policy path/);
    }
  });

  it("grants the seed customer read on its data and metadata, and the operator write, nothing else", () => {
    const specs = buildVault(seedConfig());
    const [appRead, operator] = specs.policies;
    assert.equal(appRead.name, "ff-a-app-read");
    assert.deepEqual(parsePolicy(appRead.hcl), {
      "ff-a-application/data/*": ["read", "list"],
      "ff-a-application/metadata/*": ["read", "list"],
    });
    // Checked against Vault's kv-v2 ACL rules (developer.hashicorp.com/vault/docs/secrets/kv/kv-v2):
    // `vault kv patch` needs patch on data/ (and metadata/ for `kv metadata patch`); deleting,
    // undeleting and destroying versions needs update on delete/, undelete/ and destroy/.
    assert.equal(operator.name, "ff-a-operator");
    assert.deepEqual(parsePolicy(operator.hcl), {
      "ff-a-application/data/*": ["create", "read", "update", "patch", "delete"],
      "ff-a-application/delete/*": ["update"],
      "ff-a-application/destroy/*": ["update"],
      "ff-a-application/metadata/*": ["create", "read", "update", "patch", "delete", "list"],
      "ff-a-application/undelete/*": ["update"],
    });
  });

  it("for any valid customer, every granted path is inside its own space and nothing reaches sys/", () => {
    const base = seedConfig();
    fc.assert(
      fc.property(namespaceArb, vaultArb("secret"), (namespace, vault) => {
        const config = validCustomer(base, namespace, vault);
        fc.pre(config !== undefined);
        const specs = buildVault(config);
        const { space } = config.tenancy.vault;
        const prefixes =
          config.settings.vault.mount === "own"
            ? [`${config.tenancy.vault.path}/`]
            : ["data", "metadata", "delete", "undelete", "destroy"].map((api) => `secret/${api}/${config.tenancy.vault.path}/`);
        for (const p of nonEmpty(grantedPaths(specs), "granted path")) {
          literalPrefix(p);
          assert.ok(prefixes.some((prefix) => p.startsWith(prefix)), `${p} outside ${prefixes.join(", ")}`);
          assert.equal(p.split("/")[0], space.mount);
          assert.ok(!p.startsWith("sys/") && !p.startsWith("auth/") && !p.startsWith("identity/"), p);
        }
        const [appRead, operator] = specs.policies.map((p) => Object.values(parsePolicy(p.hcl)).flat());
        assert.deepEqual([...new Set(appRead)].sort(), ["list", "read"]);
        assert.deepEqual([...new Set(operator)].sort(), ["create", "delete", "list", "patch", "read", "update"]);

        const role = specs.authRole.args;
        assert.deepEqual(role.boundServiceAccountNamespaces, [namespace]);
        assert.equal(role.roleName, namespace);
        assert.deepEqual(role.tokenPolicies, [`${namespace}-app-read`]);
        for (const sa of config.settings.vault.auth.serviceAccounts) {
          assert.ok((role.boundServiceAccountNames as string[]).includes(sa));
        }
        for (const secret of specs.sync?.staticSecrets ?? []) {
          assert.equal(secret.metadata.namespace, namespace);
          assert.equal(secret.spec.mount, space.mount);
          assert.ok(secret.spec.path.startsWith(space.prefix));
        }
        assertOperatorKinds(specs);
      }),
      { numRuns: 150 },
    );
  });

  it("two customers share no path, role or policy", () => {
    const base = seedConfig();
    fc.assert(
      fc.property(namespaceArb, namespaceArb, vaultArb("secret"), vaultArb("secret"), (nsA, nsB, vaultA, vaultB) => {
        const a = validCustomer(base, nsA, vaultA);
        const b = validCustomer(base, nsB, vaultB);
        // The fleet check guarantees distinct namespaces and Vault paths.
        fc.pre(a !== undefined && b !== undefined && a.tenancy.namespace !== b.tenancy.namespace && a.tenancy.vault.path !== b.tenancy.vault.path);
        const [specsA, specsB] = [buildVault(a), buildVault(b)];
        for (const pa of grantedPaths(specsA).map(literalPrefix)) {
          for (const pb of grantedPaths(specsB).map(literalPrefix)) {
            assert.ok(!pa.startsWith(pb) && !pb.startsWith(pa), `${pa}* and ${pb}* overlap`);
          }
        }
        assert.notEqual(specsA.authRole.args.roleName, specsB.authRole.args.roleName);
        const names = (s: VaultSpecs) => s.policies.map((p) => p.name);
        assert.deepEqual(nonEmpty(names(specsA), "policy").filter((n) => names(specsB).includes(n)), []);
        assert.notEqual(specsA.outputs.appSecretPath, specsB.outputs.appSecretPath);
      }),
      { numRuns: 150 },
    );
  });
});

describe("vault: auth role, credentials and syncs", () => {
  it("binds the role to the seed's service accounts in the customer's namespace only", () => {
    const { authRole, outputs } = buildVault(seedConfig());
    assert.deepEqual(authRole.args, {
      backend: "kubernetes",
      roleName: "ff-a",
      // pgweb: ff-a runs the pgweb addon, whose Vault agent logs in as its own account.
      boundServiceAccountNames: ["databases", "ffcloud", "fitconnect", "frontend", "pgweb", "vault-secrets-sync", "workflows"],
      boundServiceAccountNamespaces: ["ff-a"],
      audience: "https://kubernetes.default.svc.cluster.local",
      tokenTtl: 3600,
      tokenPolicies: ["ff-a-app-read"],
    });
    assert.equal(authRole.importId, undefined);
    assert.equal(outputs.role, "ff-a");
  });

  it("renders the seed's agent-inject templates for the generated credentials", () => {
    const { outputs } = buildVault(seedConfig());
    assert.deepEqual(Object.keys(outputs.templates), ["mongodb.json", "postgresql.json"]);
    assert.equal(
      outputs.templates["mongodb.json"],
      '{{ with secret "ff-a-application/data/app" -}}\n' +
        "  {\n" +
        '    "password":"{{ .Data.data.mongodb_password }}",\n' +
        '    "username":"{{ .Data.data.mongodb_username }}"\n' +
        "  }\n" +
        "{{- end }}",
    );
    assert.match(outputs.templates["postgresql.json"], /\.Data\.data\.postgresql_password/);
    assert.equal(outputs.agentAnnotations["vault.hashicorp.com/role"], "ff-a");
    assert.equal(outputs.agentAnnotations["vault.hashicorp.com/agent-inject-secret-postgresql.json"], "ff-a-application/data/app");
    assert.equal(outputs.agentAnnotations["vault.hashicorp.com/secret-volume-path-mongodb.json"], "/secrets");
  });

  it("syncs the seed's sleuth-secret with its key mapping, through a VaultAuth in the namespace", () => {
    const { sync } = buildVault(seedConfig());
    assert.ok(sync);
    assert.deepEqual(sync.vaultAuth.spec, {
      method: "kubernetes",
      mount: "kubernetes",
      vaultConnectionRef: undefined,
      kubernetes: { role: "ff-a", serviceAccount: "vault-secrets-sync", audiences: ["https://kubernetes.default.svc.cluster.local"] },
    });
    assert.equal(sync.staticSecrets.length, 1);
    const [sleuth] = sync.staticSecrets;
    assert.equal(sleuth.metadata.namespace, "ff-a");
    assert.equal(sleuth.spec.path, "app");
    assert.equal(sleuth.spec.destination.name, "sleuth-secret");
    assert.deepEqual(sleuth.spec.destination.transformation, {
      excludeRaw: true,
      excludes: [".*"],
      templates: { apiKey: { text: '{{- get .Secrets "sleuth_api_key" -}}' } },
    });
    assertOperatorKinds(buildVault(seedConfig()));
  });

  it("checks the operator kinds strictly: an unknown field, a missing required field or a bad enum fails", () => {
    const { sync } = buildVault(seedConfig());
    assert.ok(sync);
    const [secret] = sync.staticSecrets;
    const variants = [
      { ...secret, spec: { ...secret.spec, refreshInterval: "1h" } },
      { ...secret, spec: { ...secret.spec, mount: undefined } },
      { ...secret, spec: { ...secret.spec, type: "kv" } },
      { ...secret, spec: { ...secret.spec, refreshAfter: "1d" } },
    ];
    for (const variant of variants) assert.ok(!vaultStaticSecretSchema.safeParse(asSent(variant)).success, JSON.stringify(variant.spec));
    const auth = sync.vaultAuth;
    assert.ok(!vaultAuthSchema.safeParse(asSent({ ...auth, spec: { ...auth.spec, method: "token" } })).success);
  });

  it("without syncs or databases, creates no operator objects, no credentials and binds no sync account", () => {
    const config = customer(seedConfig(), "quiet", { extraSecrets: [], credentials: { databases: [], passwordLength: 32 } });
    const specs = buildVault(config);
    assert.equal(specs.sync, undefined);
    assert.equal(specs.credentials, undefined);
    assert.deepEqual(specs.outputs.templates, {});
    assert.ok(!(specs.authRole.args.boundServiceAccountNames as string[]).includes("vault-secrets-sync"));
  });
});

describe("vault: plan", () => {
  it("creates the seed's space protected, retained, and its credentials written once", async () => {
    const plan = await planRepoStack("ff-a-prod");
    const mount = findResource(plan, T.mount, "vault-mount");
    assert.deepEqual(mount.inputs, { description: "ffnodes: secrets of ff-a", options: { version: "2" }, path: "ff-a-application", type: "kv" });
    assert.ok(mount.protect && mount.retainOnDelete);

    const secret = findResource(plan, T.secret, "vault-credentials");
    assert.ok(secret.protect && secret.retainOnDelete);
    assert.deepEqual(secret.ignoreChanges, ["dataJson", "disableRead", "options"]);
    // cas 0: Vault refuses the write when a secret already exists there (test/e2e/01-new-customer.e2e.ts).
    assert.deepEqual(secret.inputs, { dataJson: SECRET_PLACEHOLDER, disableRead: true, mount: "ff-a-application", name: "app", options: { cas: "0" } });
    assert.equal(secret.parent, "vault");

    for (const r of [...resourcesOfType(plan, T.policy), findResource(plan, T.role, "vault-auth-role")]) {
      assert.equal(r.import, undefined);
    }
    assert.deepEqual(
      resourcesOfType(plan, T.policy).map((p) => p.inputs.name),
      ["ff-a-app-read", "ff-a-operator"],
    );
    assert.equal(findResource(plan, T.staticSecret, "vault-sync-sleuth-secret").inputs.kind, "VaultStaticSecret");
    const outputs = plan.outputs.vault as Record<string, unknown>;
    assert.equal(outputs.path, "ff-a-application");
    assert.equal(outputs.mount, "ff-a-application");
    assert.deepEqual(outputs.policies, { appRead: "ff-a-app-read", operator: "ff-a-operator" });
  });

  it("keeps the generated usernames secret in the state, as the passwords are", async () => {
    // @pulumi/random's RandomString declares no secret output (RandomPassword's result is secret
    // in the provider's schema), so the program asks the engine to encrypt the username.
    await pulumi.runtime.setMocks(offlineMocks, "ffnodes", "ff-a-prod", false);
    const secretOutputs = new Map<string, string[] | undefined>();
    const capture: pulumi.ResourceTransformation = (args) => {
      if (args.type === "random:index/randomString:RandomString") secretOutputs.set(args.name, (args.opts as pulumi.CustomResourceOptions).additionalSecretOutputs);
      return undefined;
    };
    new VaultSpace("vault", seedConfig(), { transformations: [capture] });
    assert.deepEqual([...secretOutputs.keys()].sort(), ["vault-mongodb-username", "vault-postgresql-username"]);
    for (const [name, outputs] of secretOutputs) assert.deepEqual(outputs, ["result"], name);
  });

  it("never shows a generated credential in the plan or the stack outputs", async () => {
    // The values the mock engine generates, read from inside the program where they are known.
    await pulumi.runtime.setMocks(offlineMocks, "ffnodes", "ff-a-prod", false);
    let dataJson: pulumi.Output<string> | undefined;
    const capture: pulumi.ResourceTransformation = (args) => {
      if (args.type === T.secret) dataJson = args.props.dataJson as pulumi.Output<string>;
      return undefined;
    };
    new VaultSpace("vault", seedConfig(), { transformations: [capture] });
    assert.ok(dataJson);
    assert.ok(await pulumi.isSecret(dataJson));
    const written = JSON.parse(await new Promise<string>((resolve) => dataJson?.apply(resolve))) as Record<string, string>;
    const standIn = (name: string) => KINDS["random:index/randomPassword:RandomPassword"].mockOutputs(name).result;
    assert.deepEqual(written, {
      mongodb_password: standIn("vault-mongodb-password"),
      mongodb_username: "mongodb_offline-vault-mongodb-username",
      postgresql_password: standIn("vault-postgresql-password"),
      postgresql_username: "postgresql_offline-vault-postgresql-username",
    });

    const plan = await planRepoStack("ff-a-prod");
    const text = JSON.stringify(plan);
    for (const value of Object.values(written)) {
      assert.ok(!text.includes(value), `${value} appears in the plan`);
      assert.ok(!JSON.stringify(plan.outputs).includes(value), `${value} appears in the outputs`);
    }
  });

  it("puts a shared-mount customer under its prefix, with no mount of its own", async () => {
    const root = fixtureRoot({
      "customers/acme.yaml": "name: acme\ndisplayName: Acme\nfitConnectCode: FITConnect Acme\nvault: { mount: shared, sharedMount: kv }\nenvironments:\n  prod: { domain: acme.fitfile.net }\n",
      "stacks/Pulumi.acme-prod.yaml": stackFile(),
    });
    const plan = await planStack(root, "acme-prod");
    assert.equal(resourcesOfType(plan, T.mount).length, 0);
    const appRead = resourcesOfType(plan, T.policy).find((p) => p.inputs.name === "acme-app-read");
    assert.deepEqual(Object.keys(parsePolicy(appRead?.inputs.policy as string)), ["kv/data/acme-application/*", "kv/metadata/acme-application/*"]);
    const secret = findResource(plan, T.secret, "vault-credentials");
    assert.deepEqual([secret.inputs.mount, secret.inputs.name], ["kv", "acme-application/app"]);
    assert.deepEqual((findResource(plan, T.staticSecret, "vault-sync-sleuth-secret").inputs.spec as Record<string, unknown>).path, "acme-application/app");
    assert.equal((plan.outputs.vault as Record<string, unknown>).appSecretPath, "kv/data/acme-application/app");
  });

  it("adopt mode imports the mount, policies, role and credentials by their Vault ids", async () => {
    const root = fixtureRoot({
      "customers/acme.yaml": "name: acme\ndisplayName: Acme\nfitConnectCode: FITConnect Acme\nenvironments:\n  prod: { domain: acme.fitfile.net }\n",
      "stacks/Pulumi.acme-prod.yaml": stackFile("  ffnodes:adopt: true\n  ffnodes:adoptIds: { vault-policy-operator: legacy-acme-ops, dns-acme.fitfile.net: create }\n"),
    });
    const plan = await planStack(root, "acme-prod");
    assert.equal(findResource(plan, T.mount, "vault-mount").import, "acme-application");
    assert.equal(findResource(plan, T.policy, "vault-policy-app-read").import, "acme-app-read");
    assert.equal(findResource(plan, T.policy, "vault-policy-operator").import, "legacy-acme-ops");
    assert.equal(findResource(plan, T.role, "vault-auth-role").import, "auth/kubernetes/role/acme");
    const secret = findResource(plan, T.secret, "vault-credentials");
    assert.equal(secret.import, "acme-application/data/app");
    assert.deepEqual(secret.ignoreChanges, ["dataJson", "disableRead", "options"]);
    const sync = findResource(plan, T.staticSecret, "vault-sync-sleuth-secret").inputs.spec as { destination: { overwrite: boolean } };
    assert.equal(sync.destination.overwrite, true);
  });
});

describe("vault: configuration errors", () => {
  const file = "customers/acme.yaml";
  const cases: { vault: string; path: string; says: RegExp }[] = [
    { vault: "mount: kv", path: "environments.prod.vault.mount", says: /own|shared/ },
    { vault: "path: sys", path: "environments.prod.vault.path", says: /Vault's own paths/ },
    { vault: "path: Bad_Path", path: "environments.prod.vault.path", says: /lower-case/ },
    { vault: "path: secret", path: "environments.prod.vault.path", says: /must differ from the shared mount/ },
    { vault: "sharedMount: auth", path: "environments.prod.vault.sharedMount", says: /Vault's own paths/ },
    { vault: "auth: { mount: /kubernetes/ }", path: "environments.prod.vault.auth.mount", says: /auth mount path/ },
    { vault: "auth: { audience: '' }", path: "environments.prod.vault.auth.audience", says: /non-empty/ },
    { vault: "auth: { tokenTtlSeconds: 10 }", path: "environments.prod.vault.auth.tokenTtlSeconds", says: /at least 60/ },
    { vault: "auth: { tokenTtlSeconds: 1h }", path: "environments.prod.vault.auth.tokenTtlSeconds", says: /number/ },
    { vault: "auth: { serviceAccounts: [] }", path: "environments.prod.vault.auth.serviceAccounts", says: /at least one/ },
    { vault: "auth: { serviceAccounts: [Web_App] }", path: "environments.prod.vault.auth.serviceAccounts.0", says: /DNS-1123/ },
    { vault: "credentials: { databases: [mysql] }", path: "environments.prod.vault.credentials.databases.0", says: /mongodb|postgresql/ },
    { vault: "credentials: { passwordLength: 8 }", path: "environments.prod.vault.credentials.passwordLength", says: /at least 16/ },
    { vault: "extraSecrets: [{ secretName: s, vaultSecret: ../ff-b-application/app }]", path: "environments.prod.vault.extraSecrets.0.vaultSecret", says: /no '\.\.'/ },
    { vault: "extraSecrets: [{ secretName: s, vaultSecret: app, keys: { 'a b': k } }]", path: "environments.prod.vault.extraSecrets.0.keys.a b", says: /letters, digits/ },
    { vault: "extraSecrets: [{ secretName: s, vaultSecret: app, keys: {} }]", path: "environments.prod.vault.extraSecrets.0.keys", says: /at least one key/ },
    {
      vault: "extraSecrets: [{ secretName: s, vaultSecret: app }, { secretName: s, vaultSecret: other }]",
      path: "environments.prod.vault.extraSecrets.1.secretName",
      says: /synced twice/,
    },
    { vault: "secretsOperator: { refreshAfter: 1d }", path: "environments.prod.vault.secretsOperator.refreshAfter", says: /s, m or h/ },
    { vault: "roles: [admin]", path: "environments.prod.vault.roles", says: /unknown key/ },
  ];
  const rows = cases.map((c) => ({ ...c, title: `vault: { ${c.vault} }`, file }));
  itRejects(rows, ({ vault }) => {
    const root = fixtureRoot({
      [file]: `name: acme\ndisplayName: Acme\nfitConnectCode: FITConnect Acme\nenvironments:\n  prod:\n    domain: acme.example.com\n    vault: { ${vault} }\n`,
    });
    return problemsOf(() => resolveEnvironment(root, "acme-prod", { settings: undefined, file: stackFileName("acme-prod") }));
  });
});
