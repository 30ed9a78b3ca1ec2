import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { EnvironmentConfig } from "../src/config/environment";
import { stackFileName } from "../src/config/files";
import { parseStackName, resolveEnvironment } from "../src/config/resolve";
import { ConfigError, Problem } from "../src/config/problems";
import { MAX_FILE_BYTES } from "../src/config/yaml";
import { readStackLayer } from "../src/config/stack-file";
import { Refusal, fixtureRoot, itRejects, problemsOf, stackFile } from "./helpers";

type Doc = Record<string, unknown>;

function baseCustomer(): Doc {
  return {
    name: "acme",
    displayName: "Acme",
    fitConnectCode: "FITConnect Acme",
    environments: { prod: { domain: "acme.fitfile.net" } },
  };
}

const prod = (doc: Doc): Doc => (doc.environments as Doc).prod as Doc;

interface Setup {
  customer?: Doc | string;
  stackSettings?: string;
  stack?: string;
  extraFiles?: Record<string, string>;
}

function resolve(setup: Setup): EnvironmentConfig {
  const stack = setup.stack ?? "acme-prod";
  const customer = setup.customer ?? baseCustomer();
  const root = fixtureRoot({
    "customers/acme.yaml": typeof customer === "string" ? customer : stringify(customer),
    [stackFileName(stack)]: stackFile(setup.stackSettings ?? ""),
    ...setup.extraFiles,
  });
  return resolveEnvironment(root, stack, readStackLayer(root, stack));
}

function problemsOfSetup(setup: Setup): Problem[] {
  return problemsOf(() => resolve(setup));
}

const mutate = (change: (doc: Doc) => void): Doc => {
  const doc = baseCustomer();
  change(doc);
  return doc;
};

interface BadCase extends Refusal {
  setup: Setup;
}

const CUSTOMER = "customers/acme.yaml";
const ZONE = "023e105f4ecef8ad9ca31a8372d0c353";
const RECORD = "372e67954025e0ba6aaa6d586b9e0b59";
const STACK = "stacks/Pulumi.acme-prod.yaml";

const BAD: BadCase[] = [
  { title: "missing name", setup: { customer: mutate((d) => delete d.name) }, file: CUSTOMER, path: "name", says: /required/ },
  { title: "upper-case name", setup: { customer: mutate((d) => (d.name = "Acme")) }, file: CUSTOMER, path: "name", says: /DNS-1123/ },
  { title: "name differs from the file", setup: { customer: mutate((d) => (d.name = "other")) }, file: CUSTOMER, path: "name", says: /match the file name/ },
  { title: "name over 40 characters", setup: { customer: mutate((d) => (d.name = "a".repeat(41))) }, file: CUSTOMER, path: "name", says: /40/ },
  { title: "missing displayName", setup: { customer: mutate((d) => delete d.displayName) }, file: CUSTOMER, path: "displayName", says: /required/ },
  { title: "empty fitConnectCode", setup: { customer: mutate((d) => (d.fitConnectCode = "")) }, file: CUSTOMER, path: "fitConnectCode", says: /FITConnect code/ },
  { title: "misspelt top-level key", setup: { customer: mutate((d) => (d.storag = {})) }, file: CUSTOMER, path: "storag", says: /unknown key/ },
  { title: "misspelt environment key", setup: { customer: mutate((d) => (prod(d).domian = "x.fitfile.net")) }, file: CUSTOMER, path: "environments.prod.domian", says: /unknown key/ },
  { title: "missing domain", setup: { customer: mutate((d) => delete prod(d).domain) }, file: CUSTOMER, path: "environments.prod.domain", says: /required/ },
  { title: "upper-case domain", setup: { customer: mutate((d) => (prod(d).domain = "App.fitfile.net")) }, file: CUSTOMER, path: "environments.prod.domain", says: /lower-case DNS name/ },
  { title: "underscore in domain", setup: { customer: mutate((d) => (prod(d).domain = "my_app.fitfile.net")) }, file: CUSTOMER, path: "environments.prod.domain", says: /lower-case DNS name/ },
  { title: "trailing dot in domain", setup: { customer: mutate((d) => (prod(d).domain = "app.fitfile.net.")) }, file: CUSTOMER, path: "environments.prod.domain", says: /no trailing dot/ },
  { title: "wildcard domain", setup: { customer: mutate((d) => (prod(d).domain = "*.fitfile.net")) }, file: CUSTOMER, path: "environments.prod.domain", says: /no wildcard/ },
  { title: "extra host not a list", setup: { customer: mutate((d) => (prod(d).extraHosts = "a.fitfile.net")) }, file: CUSTOMER, path: "environments.prod.extraHosts", says: /^a list, each item a host name such as app.fitfile.net.*; found the text "a.fitfile.net"$/ },
  { title: "storage size in words", setup: { customer: mutate((d) => (prod(d).storage = { minio: { size: "8 gigs" } })) }, file: CUSTOMER, path: "environments.prod.storage.minio.size", says: /storage size/ },
  { title: "zero storage size", setup: { customer: mutate((d) => (prod(d).storage = { postgresql: { size: "0Gi" } })) }, file: CUSTOMER, path: "environments.prod.storage.postgresql.size", says: /storage size/ },
  { title: "misspelt claim key", setup: { customer: mutate((d) => (prod(d).storage = { minio: { sise: "8Gi" } })) }, file: CUSTOMER, path: "environments.prod.storage.minio.sise", says: /unknown key/ },
  { title: "unknown access mode", setup: { customer: mutate((d) => (prod(d).storage = { minio: { accessModes: ["ReadWriteSometimes"] } })) }, file: CUSTOMER, path: "environments.prod.storage.minio.accessModes.0", says: /ReadWriteOnce/ },
  { title: "existing claim not a DNS label", setup: { customer: mutate((d) => (prod(d).storage = { minio: { existingClaim: "PVC_minio" } })) }, file: CUSTOMER, path: "environments.prod.storage.minio.existingClaim", says: /DNS-1123/ },
  { title: "claim name over 63 characters", setup: { customer: mutate((d) => (prod(d).storage = { ["c".repeat(60)]: { size: "1Gi", accessModes: ["ReadWriteOnce"] } })) }, file: CUSTOMER, path: `environments.prod.storage.${"c".repeat(60)}`, says: /longer than 63/ },
  { title: "claims larger than the storage quota", setup: { customer: mutate((d) => (prod(d).storage = { minio: { size: "300Gi" } })) }, file: CUSTOMER, path: "environments.prod.storage.minio.size", says: /minio 300Gi \+ postgresql 8Gi, more than quota.requestsStorage's 256Gi \(set in customers\/_defaults.yaml\)/ },
  { title: "more claims than the quota allows", setup: { customer: mutate((d) => (prod(d).quota = { persistentVolumeClaims: 1 })) }, file: CUSTOMER, path: "environments.prod.quota.persistentVolumeClaims", says: /2 claims are configured \(minio, postgresql\), more than quota.persistentVolumeClaims's 1: raise the quota/ },
  { title: "unknown pod security level", setup: { customer: mutate((d) => (prod(d).podSecurity = { enforce: "strict" })) }, file: CUSTOMER, path: "environments.prod.podSecurity.enforce", says: /baseline/ },
  { title: "negative pod quota", setup: { customer: mutate((d) => (prod(d).quota = { pods: -1 })) }, file: CUSTOMER, path: "environments.prod.quota.pods", says: /zero or more/ },
  { title: "fractional pod quota", setup: { customer: mutate((d) => (prod(d).quota = { pods: 1.5 })) }, file: CUSTOMER, path: "environments.prod.quota.pods", says: /whole number/ },
  { title: "cpu quota in words", setup: { customer: mutate((d) => (prod(d).quota = { requestsCpu: "lots" })) }, file: CUSTOMER, path: "environments.prod.quota.requestsCpu", says: /Kubernetes quantity/ },
  { title: "connects to itself", setup: { customer: mutate((d) => (prod(d).connects = ["acme"])) }, file: CUSTOMER, path: "environments.prod.connects.0", says: /itself/ },
  { title: "connects to an unknown customer", setup: { customer: mutate((d) => (prod(d).connects = ["nobody"])) }, file: CUSTOMER, path: "environments.prod.connects.0", says: /no customer 'nobody'/ },
  { title: "namespace override not a label", setup: { customer: mutate((d) => (prod(d).namespace = "Acme_NS")) }, file: CUSTOMER, path: "environments.prod.namespace", says: /DNS-1123/ },
  { title: "dbSuffix without underscore", setup: { customer: mutate((d) => (prod(d).dbSuffix = "a")) }, file: CUSTOMER, path: "environments.prod.dbSuffix", says: /'_' followed by/ },
  { title: "team bound to cluster-admin", setup: { customer: mutate((d) => (prod(d).team = { group: "acme-devs", clusterRole: "cluster-admin" })) }, file: CUSTOMER, path: "environments.prod.team.clusterRole", says: /view|edit|admin/ },
  { title: "egress CIDR out of range", setup: { customer: mutate((d) => (prod(d).network = { externalEgress: { cidrs: ["10.0.0.0/33"] } })) }, file: CUSTOMER, path: "environments.prod.network.externalEgress.cidrs.0", says: /CIDR/ },
  { title: "service enabled as a string", setup: { customer: mutate((d) => (prod(d).services = { ffcloud: { enabled: "yes" } })) }, file: CUSTOMER, path: "environments.prod.services.ffcloud.enabled", says: /^true or false; found the text "yes"$/ },
  { title: "unknown addon", setup: { customer: mutate((d) => (prod(d).addons = ["pgadmin"])) }, file: CUSTOMER, path: "environments.prod.addons.0", says: /pgweb/ },
  { title: "environment section not a mapping", setup: { customer: mutate((d) => ((d.environments as Doc).prod = "app.fitfile.net")) }, file: CUSTOMER, path: "environments.prod", says: /mapping/ },
  { title: "stack environment missing from the file", setup: { stack: "acme-staging" }, file: CUSTOMER, path: "environments.staging", says: /needs a 'staging' section/ },
  { title: "stack name without a known environment", setup: { stack: "acme-qa" }, file: "stacks/Pulumi.acme-qa.yaml", path: "", says: /prod, staging, local/ },
  { title: "bad value in stack settings", setup: { stackSettings: "  ffnodes:settings:\n    quota:\n      pods: many\n" }, file: STACK, path: "config.ffnodes:settings.quota.pods", says: /number/ },
  { title: "unknown key in stack settings", setup: { stackSettings: "  ffnodes:settings:\n    qouta: {}\n" }, file: STACK, path: "config.ffnodes:settings.qouta", says: /unknown key/ },
  { title: "adopt flag not a boolean", setup: { stackSettings: "  ffnodes:adopt: \"yes\"\n" }, file: STACK, path: "config.ffnodes:adopt", says: /true or false/ },
  { title: "adopt mode without a record id for a host", setup: { stackSettings: "  ffnodes:adopt: true\n" }, file: STACK, path: "config.ffnodes:adoptIds.dns-acme.fitfile.net", says: /live Cloudflare record of acme.fitfile.net as '<zone id>\/<record id>'.*or 'create'/ },
  { title: "adopt mode with a malformed record id", setup: { stackSettings: "  ffnodes:adopt: true\n  ffnodes:adoptIds: { dns-acme.fitfile.net: record-12345 }\n" }, file: STACK, path: "config.ffnodes:adoptIds.dns-acme.fitfile.net", says: /'<zone id>\/<record id>'/ },
  {
    title: "two services whose application names are cut to the same 63 characters",
    setup: { customer: mutate((d) => Object.assign(prod(d), { namespace: "n".repeat(60), services: { "frontend-a": { enabled: true }, "frontend-b": { enabled: true } } })) },
    file: CUSTOMER,
    path: "environments.prod.services.frontend-b",
    says: /cut to 63 characters/,
  },
  { title: "a sync of every key of the credentials secret", setup: { customer: mutate((d) => (prod(d).vault = { extraSecrets: [{ secretName: "everything", vaultSecret: "app" }] })) }, file: CUSTOMER, path: "environments.prod.vault.extraSecrets.0.keys", says: /would copy the database passwords into Secret 'everything'/ },
  // The Vault agent injector's sidecar, by vault-k8s's defaults (250m/64Mi requested), in every service's pod.
  {
    title: "a CPU request quota that cannot hold one injected pod per service",
    setup: { customer: mutate((d) => (prod(d).quota = { requestsCpu: "1" })) },
    file: CUSTOMER,
    path: "environments.prod.quota.requestsCpu",
    says: /1 cannot hold one pod each for 5 service\(s\) \(databases, ffcloud, fitconnect, frontend, workflows\): each pod requests the LimitRange's default 100m plus the Vault agent's 250m, at least 1750m in all/,
  },
  {
    title: "a limits quota, which ffnodes no longer sets (the LimitRange's max is every container's default limit)",
    setup: { customer: mutate((d) => (prod(d).quota = { limitsCpu: "16" })) },
    file: CUSTOMER,
    path: "environments.prod.quota.limitsCpu",
    says: /unknown key \(check its spelling\); the keys here are: requestsCpu, requestsMemory, requestsStorage, persistentVolumeClaims/,
  },
  {
    title: "a memory request quota without room for the agents and pgweb's init container",
    setup: { customer: mutate((d) => Object.assign(prod(d), { quota: { requestsMemory: "1000Mi" }, addons: ["pgweb"], extraHosts: ["acme-pgweb.fitfile.net"] })) },
    file: CUSTOMER,
    path: "environments.prod.quota.requestsMemory",
    says: /5 service\(s\) .* and pgweb: .* default 128Mi plus the Vault agent's 64Mi, at least 1088Mi in all/,
  },
  { title: "YAML syntax error", setup: { customer: "name: acme\nenvironments: {prod: [\n" }, file: CUSTOMER, path: "", says: /invalid YAML at line/ },
  { title: "duplicate key", setup: { customer: "name: acme\nname: acme\n" }, file: CUSTOMER, path: "", says: /invalid YAML/ },
  { title: "file is a list", setup: { customer: "- acme\n" }, file: CUSTOMER, path: "", says: /mapping/ },
];

describe("customer file validation", () => {
  itRejects(BAD, (bad) => problemsOfSetup(bad.setup));

  it("reports every problem at once, not only the first", () => {
    const problems = problemsOfSetup({
      customer: mutate((d) => {
        prod(d).domain = "BAD";
        prod(d).quota = { pods: -1 };
        prod(d).storage = { minio: { size: "huge" } };
        d.colour = "blue";
      }),
    });
    const paths = problems.map((p) => p.path).sort();
    assert.deepEqual(paths, ["colour", "environments.prod.domain", "environments.prod.quota.pods", "environments.prod.storage.minio.size"]);
  });

  it("refuses an alias bomb quickly", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++) lines.push(`${"b".repeat(i)}: &${"b".repeat(i)} [${Array(10).fill(i === 1 ? "*a" : `*${"b".repeat(i - 1)}`).join(", ")}]`);
    const problems = problemsOfSetup({ customer: `name: acme\n${lines.join("\n")}\n` });
    assert.match(problems[0].message, /alias/i);
  });

  it("refuses an oversized file without reading it", () => {
    const root = fixtureRoot({ [stackFileName("acme-prod")]: stackFile() });
    const big = path.join(root, "customers/acme.yaml");
    fs.writeFileSync(big, "");
    fs.truncateSync(big, 100 * 1024 * 1024);
    try {
      resolveEnvironment(root, "acme-prod", { settings: undefined, file: stackFileName("acme-prod") });
      assert.fail("expected rejection");
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.problems[0].file, CUSTOMER);
      assert.match(e.problems[0].message, new RegExp(`larger than ${MAX_FILE_BYTES}`));
    }
  });
});

const GOOD: { title: string; setup: Setup; check: (c: EnvironmentConfig) => void }[] = [
  {
    title: "a small quota for the one service left enabled: its pod and the Vault agent fit",
    setup: {
      customer: mutate((d) =>
        Object.assign(prod(d), {
          services: { databases: { enabled: false }, ffcloud: { enabled: false }, fitconnect: { enabled: false }, workflows: { enabled: false } },
          quota: { requestsCpu: "350m", requestsMemory: "192Mi" },
        }),
      ),
    },
    check: (c) => assert.equal(c.settings.quota.requestsCpu, "350m"),
  },
  {
    title: "the smallest file",
    setup: {},
    check: (c) => {
      assert.equal(c.tenancy.namespace, "acme");
      assert.equal(c.tenancy.vault.path, "acme-application");
      assert.equal(c.tenancy.dbSuffix, "_acme");
      assert.deepEqual(c.hosts, ["acme.fitfile.net"]);
    },
  },
  {
    title: "a staging environment gets its own namespace",
    setup: { stack: "acme-staging", customer: mutate((d) => ((d.environments as Doc).staging = { domain: "acme-staging.fitfile.net" })) },
    check: (c) => {
      assert.equal(c.tenancy.namespace, "acme-staging");
      assert.equal(c.tenancy.vault.path, "acme-staging-application");
    },
  },
  {
    title: "an adopted existing claim keeps its name",
    setup: { customer: mutate((d) => (prod(d).storage = { minio: { existingClaim: "pvc-legacy-minio" } })) },
    check: (c) => {
      assert.equal(c.settings.storage.minio.existingClaim, "pvc-legacy-minio");
      assert.equal(c.settings.storage.minio.size, "64Gi");
    },
  },
  {
    title: "team access and a namespace override",
    setup: { customer: mutate((d) => Object.assign(prod(d), { namespace: "acme-prod-1", team: { group: "acme-devs", clusterRole: "edit" } })) },
    check: (c) => {
      assert.equal(c.tenancy.namespace, "acme-prod-1");
      assert.deepEqual(c.settings.team, { group: "acme-devs", clusterRole: "edit" });
    },
  },
  {
    title: "a FITConnect peer",
    setup: {
      customer: mutate((d) => (prod(d).connects = ["beta"])),
      extraFiles: { "customers/beta.yaml": stringify({ name: "beta", displayName: "Beta", fitConnectCode: "FITConnect B", environments: { prod: { domain: "beta.fitfile.net" } } }) },
    },
    check: (c) => assert.deepEqual(c.peers, [{ name: "beta", fitConnectCode: "FITConnect B", domain: "beta.fitfile.net" }]),
  },
  {
    title: "adopt mode with explicit ids",
    setup: { stackSettings: `  ffnodes:adopt: true\n  ffnodes:adoptIds:\n    dns-acme.fitfile.net: ${ZONE}/${RECORD}\n` },
    check: (c) => assert.deepEqual(c.adopt, { enabled: true, ids: { "dns-acme.fitfile.net": `${ZONE}/${RECORD}` } }),
  },
];

describe("valid customer files", () => {
  for (const good of GOOD) {
    it(`accepts ${good.title}`, () => good.check(resolve(good.setup)));
  }
});

describe("layering", () => {
  // One key set in every layer: each layer must win over the one below it.
  const defaultsWith = (defaultsPods: number, envPods: number): string => {
    const text = fs.readFileSync(path.join(__dirname, "..", "customers/_defaults.yaml"), "utf8");
    return text.replace("    pods: 100\n", `    pods: ${defaultsPods}\n`).replace("  prod: {}\n", `  prod:\n    quota:\n      pods: ${envPods}\n`);
  };
  const layers = (upTo: number): Setup => {
    const customer = baseCustomer();
    if (upTo >= 3) customer.quota = { pods: 3 };
    if (upTo >= 4) prod(customer).quota = { pods: 4 };
    return {
      customer,
      stackSettings: upTo >= 5 ? "  ffnodes:settings:\n    quota:\n      pods: 5\n" : "",
      extraFiles: { "customers/_defaults.yaml": defaultsWith(1, 2) },
    };
  };

  it("each layer wins over the one below: defaults, environment defaults, customer, customer environment, stack", () => {
    for (let layer = 2; layer <= 5; layer++) {
      assert.equal(resolve(layers(layer)).settings.quota.pods, layer, `layer ${layer}`);
    }
  });

  it("merges mappings key by key: a layer that sets one key keeps the others", () => {
    const config = resolve(layers(5));
    assert.equal(config.settings.quota.requestsCpu, "8");
    assert.equal(config.settings.quota.secrets, 100);
  });

  it("replaces lists whole instead of appending", () => {
    const customer = baseCustomer();
    customer.extraHosts = ["one.fitfile.net", "two.fitfile.net"];
    prod(customer).extraHosts = ["three.fitfile.net"];
    assert.deepEqual(resolve({ customer }).hosts, ["acme.fitfile.net", "three.fitfile.net"]);
    const network = resolve({ customer: mutate((d) => (prod(d).network = { egressNamespaces: [] })) }).settings.network;
    assert.deepEqual(network.egressNamespaces, []);
    assert.equal(network.dnsNamespace, "kube-system");
  });

  it("names the layer a bad value came from", () => {
    const problems = problemsOfSetup({ customer: mutate((d) => (d.quota = { pods: "x" })) });
    assert.deepEqual(
      problems.map((p) => [p.file, p.path]),
      [[CUSTOMER, "quota.pods"]],
    );
  });
});

describe("stack names", () => {
  it("splits <customer>-<env> on the longest known environment", () => {
    assert.deepEqual(parseStackName("ff-a-prod", ["prod", "staging"]), { customer: "ff-a", environment: "prod" });
    assert.deepEqual(parseStackName("kch-pre-prod", ["prod", "pre-prod"]), { customer: "kch", environment: "pre-prod" });
    assert.equal(parseStackName("prod", ["prod"]), undefined);
    assert.equal(parseStackName("ff-a-qa", ["prod"]), undefined);
  });
});
