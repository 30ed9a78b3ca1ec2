import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { sharedValues } from "../src/components/helm-values";
import { buildVault } from "../src/components/vault";
import { EnvironmentConfig } from "../src/config/environment";
import { adoptionChecklist } from "../src/import/report";
import { REPO_ROOT, resolveStack, withSettings } from "./helpers";

/** Every name of a tenancy that must be its own: another tenant holding it would share the object. */
function ownNames(config: EnvironmentConfig): string[] {
  const { tenancy } = config;
  return [
    `namespace ${tenancy.namespace}`,
    `vault path ${tenancy.vault.path}`,
    `credentials ${tenancy.vault.credentials.apiPath}`,
    `role ${tenancy.vault.roleId}`,
    ...Object.values(tenancy.vault.policies).map((p) => `policy ${p}`),
    ...Object.values(tenancy.applications).map((a) => `application ${a}`),
    `argocd ${tenancy.gitops.id}`,
    ...Object.values(tenancy.databases).map((d) => `database ${d}`),
  ];
}

describe("the tenancy model (src/config/tenancy.ts)", () => {
  /** ff-a-prod with these as its stack's `ffnodes:settings`. */
  const resolveWith = (settings: object): EnvironmentConfig => resolveStack(REPO_ROOT, "ff-a-prod", settings);

  const SPACES: { title: string; settings: object; mount: string; prefix: string; credentials: { name: string; apiPath: string } }[] = [
    { title: "an own mount", settings: {}, mount: "ff-a-application", prefix: "", credentials: { name: "app", apiPath: "ff-a-application/data/app" } },
    { title: "the shared mount", settings: { vault: { mount: "shared" } }, mount: "secret", prefix: "ff-a-application/", credentials: { name: "ff-a-application/app", apiPath: "secret/data/ff-a-application/app" } },
    { title: "the shared mount under a set path", settings: { vault: { mount: "shared", path: "ff-a-kv" } }, mount: "secret", prefix: "ff-a-kv/", credentials: { name: "ff-a-kv/app", apiPath: "secret/data/ff-a-kv/app" } },
  ];
  for (const space of SPACES) {
    it(`on ${space.title}, the Vault component, the helm values' agent path and the import checklist name the same credentials secret`, () => {
      const config = resolveWith(space.settings);
      assert.deepEqual(config.tenancy.vault.space, { mount: space.mount, prefix: space.prefix });
      assert.deepEqual(config.tenancy.vault.credentials, space.credentials);
      const vault = buildVault(config);
      assert.equal(vault.credentials?.name, space.credentials.name);
      assert.equal(vault.outputs.appSecretPath, space.credentials.apiPath);
      assert.deepEqual(sharedValues(config).vault, { role: "ff-a", path: space.credentials.apiPath });
      const row = adoptionChecklist(new Map([["ff-a-prod", config]])).find((r) => r[1] === "ffnodes:adoptIds.vault-credentials");
      assert.match(row?.[2] ?? "", new RegExp(`the credentials secret ${space.credentials.apiPath.replace(/[./]/g, "\\$&")} and keeps`));
    });
  }

  it("leaves the names it resolves out of the settings the components see", () => {
    const config = resolveWith({ namespace: "ff-a-live", dbSuffix: "_live", vault: { path: "ff-a-kv" } });
    assert.deepEqual([config.tenancy.namespace, config.tenancy.dbSuffix, config.tenancy.vault.path], ["ff-a-live", "_live", "ff-a-kv"]);
    assert.deepEqual(config.tenancy.derived, { namespace: false, vaultPath: false, dbSuffix: false });
    for (const key of ["namespace", "namespaceSuffix", "dbSuffix"]) assert.ok(!(key in config.settings), `settings.${key} is visible`);
    assert.ok(!("path" in config.settings.vault), "settings.vault.path is visible");
  });

  it("gives two tenants with different namespaces and Vault paths no name in common, on any mount", () => {
    const base = resolveStack(REPO_ROOT, "ff-a-prod");
    const label = fc.stringMatching(/^[a-z]([-a-z0-9]{0,20}[a-z0-9])?$/);
    const tenant = fc.record({ namespace: label, mount: fc.constantFrom("own" as const, "shared" as const) });
    fc.assert(
      fc.property(tenant, tenant, (a, b) => {
        fc.pre(a.namespace !== b.namespace);
        const [ca, cb] = [a, b].map((t) =>
          withSettings(base, { namespace: t.namespace, dbSuffix: undefined, vault: { ...base.settings.vault, path: undefined, mount: t.mount } }),
        );
        // Derived from distinct namespaces, the Vault paths differ too (the fleet check refuses equal ones).
        const shared = ownNames(ca).filter((name) => ownNames(cb).includes(name));
        assert.deepEqual(shared, [], `${a.namespace} (${a.mount}) and ${b.namespace} (${b.mount})`);
      }),
      { numRuns: 200 },
    );
  });
});
