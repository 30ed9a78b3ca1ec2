import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import fc from "fast-check";
import { stringify } from "yaml";
import { isPlainObject } from "../src/config/merge";
import { resolveEnvironment } from "../src/config/resolve";
import { customerKvSpace } from "../src/config/names";
import { ConfigError } from "../src/config/problems";
import { planStack } from "../src/plan/engine";
import { readStackLayer } from "../src/config/stack-file";
import { inKvSpace, violations } from "../src/policy/rules";
import { tenantOf } from "../src/policy/tenant";
import { fixtureRoot, resourcesOfType, stackFile } from "./helpers";
import { candidateOf, planViolations } from "./invariants";

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6})?$/);
const size = fc.tuple(fc.integer({ min: 1, max: 512 }), fc.constantFrom("Mi", "Gi")).map(([n, unit]) => `${n}${unit}`);

/** A random valid customer file with one environment, and the stack that plans it. */
const customerArbitrary = fc.record({
  name: label,
  environment: fc.constantFrom("prod", "staging", "local"),
  domainLabels: fc.array(label, { minLength: 2, maxLength: 4 }),
  extraHosts: fc.uniqueArray(label, { maxLength: 3 }),
  storage: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), fc.record({ size, adopt: fc.boolean() }), { maxKeys: 4 }),
  pods: fc.integer({ min: 0, max: 1000 }),
  enforce: fc.constantFrom("privileged", "baseline", "restricted"),
  team: fc.option(fc.record({ group: label, clusterRole: fc.constantFrom("view", "edit", "admin") }), { nil: undefined }),
  vault: fc.record({ mount: fc.constantFrom("own", "shared"), sharedMount: fc.constantFrom("secret", "kv", "tenants") }),
});
type CustomerCase = typeof customerArbitrary extends fc.Arbitrary<infer T> ? T : never;

function customerDocument(c: CustomerCase): Record<string, unknown> {
  const domain = `${c.domainLabels.join(".")}.fitfile.net`;
  return {
    name: c.name,
    displayName: `Customer ${c.name}`,
    fitConnectCode: `FITConnect ${c.name}`,
    environments: {
      [c.environment]: {
        domain,
        extraHosts: c.extraHosts.map((h) => `${h}.${domain}`),
        storage: Object.fromEntries(
          Object.entries(c.storage).map(([key, s]) => [key, { size: s.size, accessModes: ["ReadWriteOnce"], ...(s.adopt ? { existingClaim: `legacy-${key}` } : {}) }]),
        ),
        quota: { pods: c.pods, requestsStorage: "8Ti" },
        podSecurity: { enforce: c.enforce },
        // Hosts up to six labels deep: only a zone with Advanced Certificate Manager serves them proxied.
        dns: { advancedCertificateManager: true },
        ...(c.enforce === "privileged" ? { optIns: { privilegedPods: "a node agent, reviewed in merge request !42" } } : {}),
        ...(c.team ? { team: c.team } : {}),
        vault: c.vault,
      },
    },
  };
}

describe("properties over random customers", () => {
  it("every valid customer, on its own Vault mount or the shared one, plans with every tenant rule kept", async () => {
    await fc.assert(
      fc.asyncProperty(customerArbitrary, async (c) => {
        const stack = `${c.name}-${c.environment}`;
        const root = fixtureRoot({ [`customers/${c.name}.yaml`]: stringify(customerDocument(c)), [`stacks/Pulumi.${stack}.yaml`]: stackFile() });
        const config = resolveEnvironment(root, stack, readStackLayer(root, stack));
        const plan = await planStack(root, stack);
        const tenant = tenantOf(root, stack);
        fs.rmSync(root, { recursive: true, force: true });
        assert.deepEqual(planViolations(plan, tenant), []);
        // The same policies, checked as a look-alike neighbour's (its Vault path this one's plus a suffix), are refused.
        const neighbour = { ...tenant, kv: customerKvSpace(`${config.tenancy.vault.path}-next`, config.settings.vault) };
        const policies = resourcesOfType(plan, "vault:index/policy:Policy");
        assert.ok(policies.length > 0);
        for (const policy of policies) assert.ok(violations(candidateOf(policy), neighbour).some((v) => v.startsWith("vault-confined: the policy grants")), policy.name);
        const claims = resourcesOfType(plan, "kubernetes:core/v1:PersistentVolumeClaim");
        assert.equal(claims.length, Object.keys(config.settings.storage).length);
        for (const claim of claims) {
          const key = claim.name.slice("claim-".length);
          const spec = claim.inputs.spec as { resources: { requests: { storage: string } } };
          assert.equal(spec.resources.requests.storage, config.settings.storage[key].size);
          assert.equal(claim.import, undefined, "outside adopt mode nothing is imported, existingClaim or not");
        }
        const quota = resourcesOfType(plan, "kubernetes:core/v1:ResourceQuota")[0].inputs.spec as { hard: Record<string, string> };
        assert.equal(quota.hard.pods, String(c.pods));
        // The team's binding with a team, and always the deployer's.
        assert.deepEqual(resourcesOfType(plan, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").map((r) => r.name), c.team ? ["deployer", "team"] : ["deployer"]);
      }),
      { numRuns: 25 },
    );
  });

  /** Every leaf path of a document, with its value. */
  function leaves(value: unknown, path: string[] = []): { path: string[]; value: unknown }[] {
    if (isPlainObject(value)) return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
    return [{ path, value }];
  }

  /** A value of another type than `value`: never valid where `value` was. */
  function wrongTypeFor(value: unknown): unknown {
    if (typeof value === "string") return 42;
    if (typeof value === "number") return "forty-two";
    if (typeof value === "boolean") return "yes";
    if (Array.isArray(value)) return { not: "a list" };
    return ["not", "a", "mapping"];
  }

  it("a random wrong-typed value or unknown key is rejected at its key path, never with a crash", () => {
    fc.assert(
      fc.property(customerArbitrary, fc.nat(), fc.boolean(), (c, pick, unknownKey) => {
        const doc = customerDocument(c);
        const all = leaves(doc).filter((l) => l.path[0] !== "environments" || l.path.length > 2);
        const target = all[pick % all.length];
        let parent = doc;
        for (const key of target.path.slice(0, -1)) parent = parent[key] as Record<string, unknown>;
        const last = target.path[target.path.length - 1];
        const mutatedPath = unknownKey ? [...target.path.slice(0, -1), "notAKey"] : target.path;
        if (unknownKey) parent.notAKey = "x";
        else parent[last] = wrongTypeFor(target.value);

        const stack = `${c.name}-${c.environment}`;
        const root = fixtureRoot({ [`customers/${c.name}.yaml`]: stringify(doc), [`stacks/Pulumi.${stack}.yaml`]: stackFile() });
        try {
          resolveEnvironment(root, stack, readStackLayer(root, stack));
        } catch (e) {
          assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)}`);
          const where = mutatedPath.join(".");
          assert.ok(
            e.problems.some((p) => p.file === `customers/${c.name}.yaml` && (p.path === where || where.startsWith(`${p.path}.`) || p.path.startsWith(where))),
            `mutation at ${where} reported as ${JSON.stringify(e.problems)}`,
          );
          return;
        }
        assert.fail(`mutation at ${mutatedPath.join(".")} was accepted`);
      }),
      { numRuns: 150 },
    );
  });

  it("no customer's KV space holds another's secrets, in own mounts or one shared mount, look-alike names included", () => {
    const apis = fc.constantFrom("data", "metadata", "delete", "undelete", "destroy", "subkeys");
    fc.assert(
      fc.property(label, label, label, apis, fc.constantFrom("own", "shared"), (self, other, secret, api, mount) => {
        const space = (name: string) => customerKvSpace(`${name}-application`, { mount, sharedMount: "secret" });
        const { mount: otherMount, prefix: otherPrefix } = space(other);
        assert.equal(inKvSpace(`${otherMount}/${api}/${otherPrefix}${secret}`, space(self)), self === other);
      }),
      { numRuns: 300 },
    );
  });
});
