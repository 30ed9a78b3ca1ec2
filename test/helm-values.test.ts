import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { parse } from "yaml";
import { buildHelmValues, fitConnectHosts, renderValues } from "../src/components/helm-values";
import { EnvironmentConfig } from "../src/config/environment";
import { stackConfig } from "./gitops-helpers";
import { REPO_ROOT, fixtureRoot, stackFile } from "./helpers";

/** Every service's rendered values, one YAML document each: what the snapshot holds. */
function renderAllValues(config: EnvironmentConfig): string {
  return Object.entries(buildHelmValues(config))
    .map(([service, values]) => `# ${config.tenancy.namespace}-${service}: charts/${service}\n${renderValues(values)}`)
    .join("---\n");
}

/** The part of `value` that has the keys of `shape`, recursively. */
function pick(value: unknown, shape: unknown): unknown {
  if (typeof shape !== "object" || shape === null || typeof value !== "object" || value === null) return value;
  const object = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(shape).map((key) => [key, pick(object[key], (shape as Record<string, unknown>)[key])]));
}

function valuesOf(stack: string, root = REPO_ROOT) {
  const config = stackConfig(stack, root);
  return buildHelmValues(config);
}

const SNAPSHOT = path.join(__dirname, "snapshots", "ff-a-prod.values.yaml");

const OFF = { enabled: false };
/**
 * Every switch of a NetworkPolicy the database subcharts render by default, as their templates
 * read it (bitnami/charts: postgresql/templates/primary/networkpolicy.yaml and
 * read/networkpolicy.yaml, mongodb/templates/networkpolicy.yaml, minio/templates/networkpolicy.yaml,
 * console/networkpolicy.yaml and provisioning-networkpolicy.yaml).
 */
const SUBCHART_POLICIES_OFF = {
  postgresql: { primary: { networkPolicy: OFF }, readReplicas: { networkPolicy: OFF } },
  mongodb: { networkPolicy: OFF },
  minio: { networkPolicy: OFF, console: { networkPolicy: OFF }, provisioning: { networkPolicy: OFF } },
};

describe("Helm values generated from the layered config", () => {
  describe("ff-a prod carries the seed's facts", () => {
    let values: ReturnType<typeof valuesOf>;
    before(() => {
      values = valuesOf("ff-a-prod");
    });

    it("generates values for the five seed services", () => {
      assert.deepEqual(Object.keys(values), ["databases", "ffcloud", "fitconnect", "frontend", "workflows"]);
    });

    it("gives every service the shared identity, Vault, storage and TLS values", () => {
      for (const [service, v] of Object.entries(values)) {
        assert.equal(v.namespace, "ff-a", service);
        assert.equal(v.host, "app.fitfile.net", service);
        assert.equal(v.deploymentKey, "prod-1", service);
        assert.deepEqual(
          v.global,
          {
            app: { nodeEnv: "production", fitfileEnv: "production" },
            fitConnectCode: "FITConnect A",
            dbSuffix: "_a",
            db: { audit: { name: "audit_a" }, events: { name: "events_a" } },
            sleuth: { enabled: true, environment: "production" },
            tls: { secretName: "cloudflare-tls" },
          },
          service,
        );
        assert.deepEqual(v.sleuth, { enabled: true, environment: "production" }, service);
        assert.deepEqual(v.vault, { role: "ff-a", path: "ff-a-application/data/app" }, service);
        assert.deepEqual(v.minio, { ...SUBCHART_POLICIES_OFF.minio, persistence: { size: "64Gi", existingClaim: "pvc-ff-a-minio" } }, service);
        assert.deepEqual(
          v.postgresql,
          { primary: { networkPolicy: OFF, persistence: { size: "8Gi", existingClaim: "pvc-ff-a-postgresql" } }, readReplicas: { networkPolicy: OFF } },
          service,
        );
        assert.deepEqual(v.certs, { certificates: [] }, service);
      }
    });

    it("gives ffcloud its code, ops user and the FITConnect hosts of A, B and C", () => {
      assert.deepEqual(values.ffcloud.appConfig, {
        ffCloudCode: "FFCloud_Prod_1",
        machineToUserConfig: { opsUserId: "auth0|6323240d82155703a684c43f" },
        fitConnectHosts: [
          { fitConnectCode: "FITConnect A", fitConnectUri: "https://app.fitfile.net/fitconnect" },
          { fitConnectCode: "FITConnect B", fitConnectUri: "https://app2.fitfile.net/fitconnect" },
          { fitConnectCode: "FITConnect C", fitConnectUri: "https://app3.fitfile.net/fitconnect" },
        ],
      });
      for (const service of ["databases", "fitconnect", "frontend", "workflows"]) assert.equal(values[service].appConfig, undefined, service);
    });

    it("matches the committed snapshot byte for byte (UPDATE_SNAPSHOTS=1 rewrites it)", () => {
      const rendered = renderAllValues(stackConfig("ff-a-prod"));
      if (process.env.UPDATE_SNAPSHOTS === "1") {
        fs.mkdirSync(path.dirname(SNAPSHOT), { recursive: true });
        fs.writeFileSync(SNAPSHOT, rendered);
      }
      assert.equal(rendered, fs.readFileSync(SNAPSHOT, "utf8"));
    });
  });

  it("turns off every NetworkPolicy the database subcharts render, for every service of every stack (the AppProject refuses them)", () => {
    for (const stack of ["ff-a-prod", "kch-staging", "demo-local"]) {
      for (const [service, v] of Object.entries(valuesOf(stack))) {
        for (const [chart, switches] of Object.entries(SUBCHART_POLICIES_OFF)) {
          assert.deepEqual(pick(v[chart], switches), switches, `${stack} ${service} ${chart}`);
        }
      }
    }
  });

  it("follows the environment: staging names its databases with its own suffix and reports as staging", () => {
    const values = valuesOf("kch-staging");
    assert.equal(values.ffcloud.namespace, "kch-staging");
    assert.deepEqual(values.ffcloud.global, {
      app: { nodeEnv: "production", fitfileEnv: "staging" },
      fitConnectCode: "FITConnect KCH",
      dbSuffix: "_kch_staging",
      db: { audit: { name: "audit_kch_staging" }, events: { name: "events_kch_staging" } },
      sleuth: { enabled: true, environment: "staging" },
      tls: { secretName: "cloudflare-tls" },
    });
    assert.deepEqual(values.ffcloud.minio, { ...SUBCHART_POLICIES_OFF.minio, persistence: { size: "16Gi", existingClaim: "pvc-kch-staging-minio" } });
    assert.deepEqual(values.ffcloud.postgresql, {
      primary: { networkPolicy: OFF, persistence: { size: "16Gi", existingClaim: "pvc-kch-staging-postgresql" } },
      readReplicas: { networkPolicy: OFF },
    });
  });

  describe("fitConnectHosts", () => {
    it("lists the customer itself, then each peer in connects order", () => {
      const root = fixtureRoot({}, { withRepoCustomers: true });
      fs.writeFileSync(
        path.join(root, "customers/ff-a.yaml"),
        fs.readFileSync(path.join(root, "customers/ff-a.yaml"), "utf8").replace("connects: [ff-b, ff-c]", "connects: [ff-c, ff-b]"),
      );
      assert.deepEqual(
        fitConnectHosts(stackConfig("ff-a-prod", root)).map((h) => h.fitConnectUri),
        ["https://app.fitfile.net/fitconnect", "https://app3.fitfile.net/fitconnect", "https://app2.fitfile.net/fitconnect"],
      );
    });

    it("holds only the customer itself without connects", () => {
      assert.deepEqual(fitConnectHosts(stackConfig("kch-prod")), [{ fitConnectCode: "FITConnect KCH", fitConnectUri: "https://kch.fitfile.net/fitconnect" }]);
    });
  });

  describe("a service's appConfig and infraConfig", () => {
    let values: ReturnType<typeof valuesOf>;
    before(() => {
      const root = fixtureRoot({
        "customers/x.yaml": `name: x
displayName: X
fitConnectCode: FITConnect X
services:
  ffcloud:
    appConfig: { features: { queryPlan: { create: enabled } } }
environments:
  prod:
    domain: x.fitfile.net
    services:
      ffcloud:
        appConfig:
          features: { queryPlan: { delete: enabled } }
          fitConnectHosts: [{ fitConnectCode: Elsewhere, fitConnectUri: https://elsewhere/fitconnect }]
        infraConfig:
          replicaCount: 2
          global: { app: { nodeEnv: development } }
          minio: { persistence: { storageClass: fast } }
`,
        "stacks/Pulumi.x-prod.yaml": stackFile(),
      });
      values = valuesOf("x-prod", root);
    });

    it("merges appConfig over the generated one across layers, lists replaced whole", () => {
      assert.deepEqual(values.ffcloud.appConfig, {
        features: { queryPlan: { create: "enabled", delete: "enabled" } },
        fitConnectHosts: [{ fitConnectCode: "Elsewhere", fitConnectUri: "https://elsewhere/fitconnect" }],
      });
    });

    it("merges infraConfig over the generated values, keeping what it does not set", () => {
      assert.equal(values.ffcloud.replicaCount, 2);
      assert.deepEqual(values.ffcloud.global, {
        ...(values.frontend.global as object),
        app: { nodeEnv: "development", fitfileEnv: "production" },
      });
      assert.deepEqual(values.ffcloud.minio, { ...SUBCHART_POLICIES_OFF.minio, persistence: { size: "64Gi", existingClaim: "pvc-x-minio", storageClass: "fast" } });
    });

    it("touches no other service", () => {
      assert.equal(values.frontend.replicaCount, undefined);
      assert.equal(values.frontend.appConfig, undefined);
    });

    it("leaves out deploymentKey when the environment has none", () => {
      assert.equal("deploymentKey" in values.ffcloud, false);
    });
  });

  it("renders deterministically: the same text whatever the key order of the config, and nothing lost", () => {
    const config = stackConfig("ff-a-prod");
    const entries = Object.entries(config.settings.services.ffcloud.appConfig ?? {});
    fc.assert(
      fc.property(fc.shuffledSubarray(entries, { minLength: entries.length }), fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,10}$/), fc.jsonValue()), (shuffled, extra) => {
        const withOrder = (order: [string, unknown][]): EnvironmentConfig => ({
          ...config,
          settings: {
            ...config.settings,
            services: { ...config.settings.services, ffcloud: { ...config.settings.services.ffcloud, appConfig: Object.fromEntries(order), infraConfig: extra } },
          },
        });
        const a = buildHelmValues(withOrder(entries)).ffcloud;
        const b = buildHelmValues(withOrder(shuffled)).ffcloud;
        const text = renderValues(a);
        assert.equal(renderValues(b), text);
        // Through JSON on both sides: -0 and null-prototype objects are not what this checks.
        assert.deepEqual(JSON.parse(JSON.stringify(parse(text))), JSON.parse(JSON.stringify(a)));
      }),
      { numRuns: 60 },
    );
  });
});
