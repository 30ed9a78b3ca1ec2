import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import * as pulumi from "@pulumi/pulumi";
import { parse, stringify } from "yaml";
import { newCustomer } from "../src/cli/new-customer";
import { PROTECTED_RANGES, unexceptedRanges } from "../src/config/boundaries";
import { stackFleetProblems } from "../src/config/fleet";
import { resolveWithOrigins } from "../src/config/resolve";
import { ConfigError, Problem, formatProblem } from "../src/config/problems";
import { isSecretKey, isSecretValue, withoutSecrets } from "../src/config/secrets";
import { readStackLayer } from "../src/config/stack-file";
import { importHelm } from "../src/import";
import { planStack } from "../src/plan/engine";
import { offlineMocks } from "../src/plan/mocks";
import { tenantOf } from "../src/policy/tenant";
import { REPO_ROOT, Refusal, fixtureRoot, itRejects, problemsOf, stackFile, tempDir } from "./helpers";
import { metadataOf, planViolations } from "./invariants";
import { validateCoreManifest } from "./k8s-schema";

/** The repository's fleet (ff-a, ff-b, ff-c, kch, demo) plus the given files. */
function fleet(files: Record<string, string>): string {
  return fixtureRoot(files, { withRepoCustomers: true });
}

/** A new customer `x` of the fleet, with its prod section made of `prod` (YAML lines) and optional stack file lines. */
function withCustomer(prod: string, stackLines = "", top = ""): Record<string, string> {
  const section = prod
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  return {
    "customers/x.yaml": `name: x\ndisplayName: X\nfitConnectCode: FITConnect X\n${top}environments:\n  prod:\n    domain: x.fitfile.net\n${section}\n`,
    "stacks/Pulumi.x-prod.yaml": stackFile(stackLines),
  };
}

/** What `pulumi up -s <stack>` checks before anything is registered: the stack's layered configuration, then the fleet. */
function problemsOfStack(root: string, stack: string): Problem[] {
  let fleetProblems: Problem[] = [];
  const configProblems = problemsOf(() => {
    fleetProblems = stackFleetProblems(root, resolveWithOrigins(root, stack, readStackLayer(root, stack)));
  });
  return [...configProblems, ...fleetProblems];
}

interface Case extends Refusal {
  files: Record<string, string>;
  stack?: string;
}

const X = "customers/x.yaml";
/** Customer y, whose archive claim has a name of its own (a StatefulSet's, adopted). */
const withY: Record<string, string> = {
  "customers/y.yaml": "name: y\ndisplayName: Y\nfitConnectCode: FITConnect Y\nenvironments:\n  prod:\n    domain: y.fitfile.net\n    storage: { archive: { size: 1Gi, existingClaim: data-y-archive-0, accessModes: [ReadWriteOnce] } }\n",
  "stacks/Pulumi.y-prod.yaml": stackFile(),
};
const XSTACK = "stacks/Pulumi.x-prod.yaml";
const RESERVED = ["kube-system", "default", "kube-public", "argocd", "cert-manager", "ingress-nginx", "vault"];

const CASES: Case[] = [
  ...RESERVED.map((ns) => ({ title: `namespace ${ns}`, files: withCustomer(`namespace: ${ns}`), file: X, path: "environments.prod.namespace", says: /is reserved for the cluster/ })),
  {
    title: "a customer named vault",
    files: {
      "customers/vault.yaml": "name: vault\ndisplayName: V\nfitConnectCode: V\nenvironments:\n  prod:\n    domain: v.fitfile.net\n",
      "stacks/Pulumi.vault-prod.yaml": stackFile(),
    },
    stack: "vault-prod",
    file: "customers/vault.yaml",
    path: "name",
    says: /namespace 'vault' \(the customer's name\) is reserved/,
  },
  { title: "egress to another customer", files: withCustomer("network: { egressNamespaces: [ff-b] }"), file: X, path: "environments.prod.network.egressNamespaces.0", says: /'ff-b' is not a shared service's namespace/ },
  { title: "ingress from another customer", files: withCustomer("network: { ingressControllerNamespace: ff-b }"), file: X, path: "environments.prod.network.ingressControllerNamespace", says: /never a customer's namespace/ },
  { title: "DNS from another customer", files: withCustomer("network: { dnsNamespace: ff-c }"), file: X, path: "environments.prod.network.dnsNamespace", says: /'ff-c' is not a shared service's namespace/ },
  { title: "ArgoCD objects in another customer's namespace", files: withCustomer("gitops: { argocdNamespace: ff-a }"), file: X, path: "environments.prod.gitops.argocdNamespace", says: /'ff-a' is not a shared service's namespace/ },
  { title: "the team as every authenticated user", files: withCustomer('team: { group: "system:authenticated", clusterRole: view }'), file: X, path: "environments.prod.team.group", says: /Kubernetes system group/ },
  { title: "the team as every service account", files: withCustomer('team: { group: "system:serviceaccounts", clusterRole: edit }'), file: X, path: "environments.prod.team.group", says: /Kubernetes system group/ },
  {
    title: "a stack file moving ff-b into ff-a's namespace",
    files: { "stacks/Pulumi.ff-b-prod.yaml": stackFile("  ffnodes:settings:\n    namespace: ff-a\n") },
    stack: "ff-b-prod",
    file: "stacks/Pulumi.ff-b-prod.yaml",
    path: "config.ffnodes:settings.namespace",
    says: /namespace 'ff-a' of stack ff-b-prod is already used by stack ff-a-prod/,
  },
  { title: "privileged pods without an opt-in", files: withCustomer("podSecurity: { enforce: privileged }"), file: X, path: "environments.prod.podSecurity.enforce", says: /set optIns\.privilegedPods/ },
  {
    title: "an opt-in in the stack file",
    files: withCustomer("podSecurity: { enforce: privileged }", "  ffnodes:settings: { optIns: { privilegedPods: reviewed in a dream } }\n"),
    file: XSTACK,
    path: "config.ffnodes:settings.optIns.privilegedPods",
    says: /only a customer file may set this/,
  },
  {
    title: "a canary chosen in the stack file",
    files: withCustomer("", "  ffnodes:settings: { rollout: { canary: true } }\n"),
    file: XSTACK,
    path: "config.ffnodes:settings.rollout.canary",
    says: /only a customer file may set this/,
  },
  { title: "egress with no exceptions", files: withCustomer("network: { externalEgress: { except: [] } }"), file: X, path: "environments.prod.network.externalEgress.except", says: /reaches 10\.0\.0\.0\/8 .*169\.254\.0\.0\/16 \(link-local, the cloud metadata service\)/ },
  { title: "egress into a private range", files: withCustomer("network: { externalEgress: { cidrs: [10.1.0.0/16], except: [] } }"), file: X, path: "environments.prod.network.externalEgress.except", says: /10\.1\.0\.0\/16 reaches 10\.0\.0\.0\/8/ },
  { title: "an API server block of every address", files: withCustomer("network: { apiServer: { cidrs: [0.0.0.0/0], ports: [443] } }"), file: X, path: "environments.prod.network.apiServer.cidrs.0", says: /0\.0\.0\.0\/0 is wider than 10\.0\.0\.0\/8/ },
  { title: "a DNS block of every address", files: withCustomer("network: { dnsCidrs: [0.0.0.0/0] }"), file: X, path: "environments.prod.network.dnsCidrs.0", says: /169\.254\.0\.0\/16/ },
  { title: "every cluster-wide kind", files: withCustomer('gitops: { clusterResourceWhitelist: [{ group: "*", kind: "*" }] }'), file: X, path: "environments.prod.gitops.clusterResourceWhitelist.0", says: /'\*\/\*' is cluster-wide/ },
  {
    title: "existingClaim naming another claim of the customer",
    files: withCustomer("storage: { minio: { size: 8Gi, existingClaim: pvc-x-postgresql } }"),
    file: X,
    path: "environments.prod.storage.minio.existingClaim",
    says: /'pvc-x-postgresql' is the claim of storage\.postgresql/,
  },
  // A claim is namespaced: it crosses into another customer only in that customer's namespace
  // (taking the namespace is refused on its own too). Customer y's claim has a name of its own.
  ...(
    [
      ["naming another customer's claim", "namespace: y\nstorage: { data: { size: 1Gi, existingClaim: data-y-archive-0, accessModes: [ReadWriteOnce] } }", "", "", X, "environments.prod.storage.data.existingClaim"],
      ["set at the top of the customer file", "namespace: y", "storage: { data: { size: 1Gi, existingClaim: data-y-archive-0, accessModes: [ReadWriteOnce] } }\n", "", X, "storage.data.existingClaim"],
      ["set in the stack file", "namespace: y", "", "  ffnodes:settings: { storage: { data: { size: 1Gi, existingClaim: data-y-archive-0, accessModes: [ReadWriteOnce] } } }\n", XSTACK, "config.ffnodes:settings.storage.data.existingClaim"],
    ] as const
  ).map(([what, prod, top, stackLines, file, path]): Case => ({
    title: `existingClaim ${what}, in that customer's namespace`,
    files: { ...withY, ...withCustomer(prod, stackLines, top) },
    file,
    path,
    says: /^'data-y-archive-0' is a claim of stack y-prod in the same namespace 'y': a customer adopts only claims of its own$/,
  })),
  ...(
    [
      ["namespace", "kube-system", /must be x \(or create\)/],
      ["claim-minio", "ff-a/pvc-ff-a-minio", /must be x\/<name>/],
      ["certificate", "kube-system/fitfile-x", /must be x\/<name>/],
      ["gitops-applicationset", "argocd/ff-a", /must be argocd\/x/],
      ["gitops-project", "argocd/default", /must be argocd\/x/],
      ["vault-mount", "ff-a-application", /must be x-application/],
      ["vault-credentials", "ff-a-application/data/app", /must be x-application\/data\/app/],
      ["vault-auth-role", "auth/kubernetes/role/ff-a", /must be auth\/kubernetes\/role\/x/],
      ["vault-policy-operator", "root", /Vault's own root and default/],
    ] as const
  ).map(([key, id, says]): Case => ({
    title: `adoptIds ${key} pointing at ${id}`,
    files: withCustomer("", `  ffnodes:adopt: true\n  ffnodes:adoptIds: { "${key}": "${id}", dns-x.fitfile.net: create }\n`),
    file: XSTACK,
    path: `config.ffnodes:adoptIds.${key}`,
    says,
  })),
  {
    title: "adoptIds naming another customer's Vault policy",
    files: withCustomer("", "  ffnodes:adopt: true\n  ffnodes:adoptIds: { vault-policy-operator: ff-b-operator, dns-x.fitfile.net: create }\n"),
    file: XSTACK,
    path: "config.ffnodes:adoptIds.vault-policy-operator",
    says: /the Vault policy of stack ff-b-prod/,
  },
  // Secrets.
  { title: "a password in appConfig", files: withCustomer("services: { ffcloud: { appConfig: { dbPassword: HUNTER2 } } }"), file: X, path: "environments.prod.services.ffcloud.appConfig.dbPassword", says: /its key names a secret.*put it in Vault under x-application/ },
  {
    title: "a password in an env entry",
    files: withCustomer("services: { ffcloud: { infraConfig: { env: [{ name: DB_PASSWORD, value: HUNTER2 }] } } }"),
    file: X,
    path: "environments.prod.services.ffcloud.infraConfig.env.0.value",
    says: /looks like a secret/,
  },
  {
    title: "a token in the repository URL",
    files: withCustomer("gitops: { repoURL: 'https://oauth2:glpat-AbCdEfGhIjKlMnOpQrStUv@gitlab.com/fitfile/deployment.git', sourceRepos: ['https://oauth2:glpat-AbCdEfGhIjKlMnOpQrStUv@gitlab.com/fitfile/deployment.git'] }"),
    file: X,
    path: "environments.prod.gitops.repoURL",
    says: /its value looks like a secret/,
  },
  {
    title: "a secret in the stack's settings",
    files: withCustomer("", "  ffnodes:settings: { services: { ffcloud: { appConfig: { sessionKey: abc123abc123 } } } }\n"),
    file: XSTACK,
    path: "config.ffnodes:settings.services.ffcloud.appConfig.sessionKey",
    says: /its key names a secret/,
  },
  {
    title: "a secure value inside ffnodes:settings",
    files: withCustomer("", "  ffnodes:settings:\n    services: { ffcloud: { appConfig: { apiToken: { secure: AAABAJ+ciphertext } } } }\n"),
    file: XSTACK,
    path: "config.ffnodes:settings.services.ffcloud.appConfig.apiToken",
    says: /an encrypted secret in ffnodes settings/,
  },
  { title: "a secure ffnodes key", files: withCustomer("", "  ffnodes:adoptIds:\n    secure: AAABAJ+ciphertext\n"), file: XSTACK, path: "config.ffnodes:adoptIds", says: /an encrypted secret in ffnodes settings/ },
  {
    title: "a token as display name",
    files: { ...withCustomer(""), [X]: withCustomer("")[X].replace("displayName: X", "displayName: 'Bearer eyJhbGciOiJIUzI1NiJ9abcdefgh'") },
    file: X,
    path: "displayName",
    says: /looks like a secret/,
  },
];

describe("tenant boundaries, checked per stack against the whole fleet", function () {
  this.timeout(20_000);

  // Claims are namespaced: a claim in the customer's own namespace named like another customer's
  // claim is another object, and crosses nothing.
  for (const [title, prod, top, stackLines] of [
    ["existingClaim named like another customer's claim", "storage: { minio: { size: 8Gi, existingClaim: pvc-ff-a-minio } }", "", ""],
    ["existingClaim named like another customer's derived claim", "storage: { minio: { size: 8Gi, existingClaim: pvc-ff-b-postgresql } }", "", ""],
    ["existingClaim named like another customer's claim, set at the top of the customer file", "", "storage: { minio: { size: 8Gi, existingClaim: pvc-ff-a-minio } }\n", ""],
    ["existingClaim named like another customer's claim, set in the stack file", "", "", "  ffnodes:settings: { storage: { minio: { size: 8Gi, existingClaim: pvc-ff-a-minio } } }\n"],
    ["a namespace of its own whose claim names equal another customer's", "namespace: x-own\nstorage: { data: { size: 8Gi, existingClaim: pvc-ff-c-minio, accessModes: [ReadWriteOnce] } }", "", ""],
    ["existingClaim named like another customer's claim of a name of its own", "storage: { data: { size: 1Gi, existingClaim: data-y-archive-0, accessModes: [ReadWriteOnce] } }", "", ""],
  ] as const) {
    it(`accepts ${title}: a claim of its own namespace`, async () => {
      const root = fleet({ ...withY, ...withCustomer(prod, stackLines, top) });
      assert.deepEqual(problemsOfStack(root, "x-prod").map(formatProblem), []);
      const planned = await planStack(root, "x-prod");
      const claims = planned.resources.filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim").map((r) => metadataOf(r.inputs));
      assert.ok(claims.length >= 2);
      for (const claim of claims) assert.equal(claim.namespace, planned.outputs.namespace, "every claim is in the customer's own namespace");
      fs.rmSync(root, { recursive: true, force: true });
    });
  }

  it("the repository's fleet keeps them", () => {
    const root = fleet({});
    for (const stack of ["ff-a-prod", "ff-b-prod", "kch-staging", "demo-local"]) assert.deepEqual(problemsOfStack(root, stack).map(formatProblem), [], stack);
    fs.rmSync(root, { recursive: true, force: true });
  });

  itRejects(CASES, (c) => problemsOfStack(fleet(c.files), c.stack ?? "x-prod"), {
    check: (problems, c) => {
      for (const p of problems) assert.doesNotMatch(formatProblem(p), /HUNTER2|glpat-|ciphertext|eyJhbGci/, "a problem never prints the secret");
      const changed = Object.keys(c.files);
      for (const p of problems) assert.ok(changed.includes(p.file), `blamed on ${p.file}, which the case did not change: ${formatProblem(p)}`);
    },
  });

  it("a person's pulumi up -s runs the fleet check: the program stops before registering anything", async () => {
    const root = fleet({ "stacks/Pulumi.ff-b-prod.yaml": stackFile("  ffnodes:settings:\n    namespace: ff-a\n") });
    const cwd = process.cwd();
    try {
      process.chdir(root);
      await pulumi.runtime.setMocks(offlineMocks, "ffnodes", "ff-b-prod", false);
      pulumi.runtime.setAllConfig({ "ffnodes:settings": JSON.stringify({ namespace: "ff-a" }) });
      const entry = require.resolve("../src/index");
      delete require.cache[entry];
      await assert.rejects(
        async () => (await import(entry)) as unknown,
        (e: unknown) => pulumi.RunError.isInstance(e) && /namespace 'ff-a' of stack ff-b-prod is already used by stack ff-a-prod/.test(e.message),
      );
    } finally {
      process.chdir(cwd);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("shows a reviewed opt-in in the plan: the namespace's annotations and the stack's outputs", async () => {
    const root = fleet(withCustomer("podSecurity: { enforce: privileged }", "", "optIns: { privilegedPods: 'a node agent, reviewed in merge request !42' }\n"));
    try {
      const plan = await planStack(root, "x-prod");
      const namespace = plan.resources.find((r) => r.type === "kubernetes:core/v1:Namespace");
      const metadata = namespace?.inputs.metadata as { annotations: Record<string, string>; labels: Record<string, string> };
      assert.equal(metadata.labels["pod-security.kubernetes.io/enforce"], "privileged");
      assert.equal(metadata.annotations["ffnodes.fitfile.net/opt-in.privileged-pods"], "a node agent, reviewed in merge request !42");
      assert.deepEqual(plan.outputs.optIns, { privilegedPods: "a node agent, reviewed in merge request !42" });
      const tenant = tenantOf(root, "x-prod");
      assert.deepEqual(planViolations(plan, tenant), []);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("finds which protected ranges an ipBlock reaches", () => {
    assert.deepEqual(unexceptedRanges("0.0.0.0/0", PROTECTED_RANGES.map((r) => r.cidr), "overlaps"), []);
    assert.deepEqual(unexceptedRanges("10.0.0.1/32", [], "wider"), []);
    assert.deepEqual(unexceptedRanges("172.16.0.0/12", [], "wider"), [], "a block of its own, left to the configuration");
    assert.equal(unexceptedRanges("172.0.0.0/8", [], "wider").length, 1);
    assert.equal(unexceptedRanges("10.0.0.1/32", [], "overlaps").length, 1);
    assert.deepEqual(unexceptedRanges("203.0.113.0/24", [], "overlaps"), []);
    assert.equal(unexceptedRanges("169.254.169.254/32", ["169.254.0.0/16"], "overlaps").length, 0);
    assert.equal(unexceptedRanges("0.0.0.0/0", ["10.0.0.0/8"], "wider").length, 3);
  });
});

describe("the one secret detector", () => {
  const secretValues = [
    "jdbc:postgresql://app:hunter2@db:5432/fitconnect",
    "jdbc:sqlserver://db:1433;databaseName=x;user=app;password=hunter2",
    "Server=db;Database=x;User Id=app;Password=hunter2;",
    "--password=hunter2",
    "PGPASSWORD=hunter2 psql",
    "Basic dXNlcjpodW50ZXIy",
    "Bearer abcdefghijklmnop",
    "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX",
    "https://glpat-AbCdEfGhIjKlMnOpQrStUv@gitlab.com/fitfile/deployment.git",
    "https://oauth2:s3cr3t@gitlab.com/fitfile/deployment.git",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
  ];
  const plainValues = [
    "https://gitlab.com/fitfile/deployment.git",
    "git@gitlab.com:fitfile/deployment.git",
    "ssh://git@gitlab.com/fitfile/deployment.git",
    "https://app.fitfile.net/fitconnect",
    "auth0|6323240d82155703a684c43f",
    "--password=$(DB_PASSWORD)",
    "secretName=app-tls",
    "FFCloud_Prod_1",
  ];
  for (const value of secretValues) it(`finds a secret in '${value}'`, () => assert.equal(isSecretValue(value), true));

  // A password with reserved characters unescaped (RFC 3986 gen-delims and sub-delims) is no
  // valid URL, yet it is what people write: the userinfo is found all the same.
  const RESERVED = [..."/?#[]@:!$&'()*+,;="];
  for (const scheme of ["postgres", "mongodb+srv", "redis", "amqps", "jdbc:mysql"]) {
    for (const reserved of RESERVED) {
      const value = `${scheme}://app:pa${reserved}ss@db.internal:5432/x`;
      it(`finds a password with an unescaped '${reserved}' in '${value}'`, () => assert.equal(isSecretValue(value), true));
    }
  }
  for (const value of ["redis://:pa/ss@cache:6379/0", "postgres://app:pa/ss/@db", "postgres://app:1234/5678@db/x", "mongodb://app:p@ss/w#rd@db:27017/x?authSource=admin"]) {
    it(`finds the password in '${value}'`, () => assert.equal(isSecretValue(value), true));
  }
  it("property: any password of visible characters in a URL's userinfo is found", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{0,8}$/), fc.stringMatching(/^[!-~]{1,24}$/), (user, password) => {
        assert.equal(isSecretValue(`postgres://${user}:${password}@db:5432/app`), true);
      }),
      { numRuns: 500 },
    );
  });
  for (const value of [
    "https://registry.example.com:8443/@scope/package",
    "https://medium.com/@fitfile",
    "https://example.com/path:with@colon",
    "https://example.com?next=a:b@c",
    "https://example.com:8080?user=a@b",
    "https://app.fitfile.net:443/#/login@home",
  ]) {
    it(`leaves '${value}' alone: the '@' is in its path, query or fragment`, () => assert.equal(isSecretValue(value), false));
  }
  for (const value of plainValues) it(`leaves '${value}' alone`, () => assert.equal(isSecretValue(value), false));
  for (const key of ["hmacKey", "sessionKey", "existingPassword", "pw", "salt", "authorization", "slackWebhookUrl"]) it(`'${key}' names a secret`, () => assert.equal(isSecretKey(key), true));
  for (const key of ["existingSecret", "existingSecretPasswordKey", "tokenTtlSeconds", "passwordLength"]) it(`'${key}' does not`, () => assert.equal(isSecretKey(key), false));

  it("finds an env entry's value, and the argument after a secret flag", () => {
    const { removed } = withoutSecrets({ env: [{ name: "DB_PASSWORD", value: "x" }, { name: "MODE", value: "y" }], args: ["--password", "x", "--port", "5432"] });
    assert.deepEqual(removed, [["env", "0", "value"], ["args", "1"]]);
  });
});

describe("no planted secret reaches a written file, a report or an output", function () {
  this.timeout(120_000);
  /** A secret in each form the detector knows, with a marker that shows where it went. */
  const planted = fc.tuple(fc.stringMatching(/^[A-Za-z0-9]{12,20}$/), fc.integer({ min: 0, max: 7 })).map(([marker, form]) => {
    const forms: [string, string][] = [
      ["dbPassword", marker],
      ["url", `jdbc:postgresql://app:${marker}@db:5432/x`],
      ["databaseUrl", `postgres://app:${marker}/x@db:5432/x`],
      ["cacheUrl", `redis://:${marker}?#[]@cache:6379/0`],
      ["connection", `Server=db;Password=${marker};`],
      ["args", `--password=${marker}`],
      ["authorization", `Basic ${marker}`],
      ["hook", `https://hooks.slack.com/services/T0/B0/${marker}`],
    ];
    const [key, value] = forms[form];
    return { marker, key, value };
  });
  const depth = fc.array(fc.stringMatching(/^[a-z]{1,6}$/).filter((k) => !isSecretKey(k)), { maxLength: 3 });

  it("property: planted in a customer file or a stack file, it is refused at its key, and no message prints it", () => {
    fc.assert(
      fc.property(planted, depth, fc.boolean(), (secret, at, inStackFile) => {
        let node: Record<string, unknown> = { [secret.key]: secret.value };
        for (const k of [...at].reverse()) node = { [k]: node };
        const services = { services: { ffcloud: { appConfig: node } } };
        const files = inStackFile
          ? withCustomer("", `  ffnodes:settings: ${JSON.stringify(services)}\n`)
          : { ...withCustomer(""), [X]: stringify({ ...(parse(withCustomer("")[X]) as Record<string, unknown>), environments: { prod: { domain: "x.fitfile.net", ...services } } }) };
        const root = fixtureRoot(files);
        try {
          const problems = problemsOfStack(root, "x-prod");
          const where = ["services", "ffcloud", "appConfig", ...at, secret.key].join(".");
          assert.ok(problems.some((p) => p.file === (inStackFile ? XSTACK : X) && p.path.endsWith(where)), `${where} in ${problems.map(formatProblem).join("; ")}`);
          assert.ok(!problems.map(formatProblem).join("\n").includes(secret.marker));
        } finally {
          fs.rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });

  it("import-helm copies no URL whose password holds unescaped reserved characters, and lists it for Vault", () => {
    const tree = tempDir("planted");
    const root = fleet({});
    try {
      fs.cpSync(path.join(REPO_ROOT, "test/fixtures/helm"), tree, { recursive: true });
      for (const c of ["ff-a", "ff-b", "ff-c", "kch", "demo"]) fs.rmSync(path.join(root, `customers/${c}.yaml`), { force: true });
      for (const s of fs.readdirSync(path.join(root, "stacks"))) fs.rmSync(path.join(root, "stacks", s));
      const appConfig = path.join(tree, "ffnodes/kch/prod/values/ffcloud/app-config.yaml");
      const values = parse(fs.readFileSync(appConfig, "utf8")) as { appConfig: Record<string, unknown> };
      const urls = { databaseUrl: "postgres://app:Marker1/x?y#z@db:5432/x", cacheUrl: "redis://:Marker2[]@cache:6379/0", brokerUrl: "amqp://app:Marker3@@mq" };
      values.appConfig = { ...values.appConfig, ...urls };
      fs.writeFileSync(appConfig, stringify(values));
      const result = importHelm({ dir: tree, root, dryRun: false, force: true, customers: ["kch"] });
      const written = [...result.files.map((f) => f.text), fs.readFileSync(path.join(root, "customers/kch.yaml"), "utf8")].join("\n");
      for (const marker of ["Marker1", "Marker2", "Marker3"]) {
        assert.ok(!written.includes(marker), `${marker} was copied`);
        assert.ok(!result.report.includes(marker), `${marker} is in the report`);
      }
      for (const key of Object.keys(urls)) assert.match(result.report, new RegExp(`appConfig\\.${key}`), `${key} is listed for Vault`);
    } finally {
      fs.rmSync(tree, { recursive: true, force: true });
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it("property: planted in an imported tree, it is in no written or dry-run file nor the report", () => {
    const fixture = path.join(REPO_ROOT, "test/fixtures/helm");
    fc.assert(
      fc.property(planted, depth, fc.boolean(), (secret, at, inRepoUrl) => {
        const tree = tempDir("planted");
        const root = fleet({});
        try {
          fs.cpSync(fixture, tree, { recursive: true });
          for (const c of ["ff-a", "ff-b", "ff-c", "kch", "demo"]) fs.rmSync(path.join(root, `customers/${c}.yaml`), { force: true });
          for (const s of fs.readdirSync(path.join(root, "stacks"))) fs.rmSync(path.join(root, "stacks", s));
          const appConfig = path.join(tree, "ffnodes/kch/prod/values/ffcloud/app-config.yaml");
          const values = parse(fs.readFileSync(appConfig, "utf8")) as { appConfig: Record<string, unknown>; extraEnv?: unknown };
          let node: Record<string, unknown> = { [secret.key]: secret.value };
          for (const k of [...at].reverse()) node = { [k]: node };
          values.appConfig = { ...values.appConfig, planted: node };
          values.extraEnv = [{ name: "DB_PASSWORD", value: secret.marker }];
          fs.writeFileSync(appConfig, stringify(values));
          if (inRepoUrl) {
            const appSet = path.join(tree, "ffnodes/kch/prod/templates/applicationset.yaml");
            fs.writeFileSync(appSet, fs.readFileSync(appSet, "utf8").replace("https://gitlab.com/fitfile/deployment.git", `https://oauth2:${secret.marker}@gitlab.com/fitfile/deployment.git`));
          }
          for (const dryRun of [true, false]) {
            const result = importHelm({ dir: tree, root, dryRun, force: true, customers: ["kch"] });
            const written = [result.report, ...result.files.map((f) => f.text), ...fs.readdirSync(path.join(root, "customers")).map((f) => fs.readFileSync(path.join(root, "customers", f), "utf8"))];
            for (const text of written) assert.ok(!text.includes(secret.marker), `the secret is in:\n${text.slice(0, 400)}`);
          }
        } finally {
          fs.rmSync(tree, { recursive: true, force: true });
          fs.rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 8 },
    );
  });
});

describe("import-helm and pgweb", () => {
  it("imports a published pgweb unpublished, and says so in the report", () => {
    const root = fleet({});
    try {
      for (const c of ["ff-a", "ff-b", "ff-c", "kch", "demo"]) fs.rmSync(path.join(root, `customers/${c}.yaml`));
      for (const s of fs.readdirSync(path.join(root, "stacks"))) fs.rmSync(path.join(root, "stacks", s));
      const result = importHelm({ dir: path.join(REPO_ROOT, "test/fixtures/helm"), root, dryRun: true, force: false, customers: ["ff-a"] });
      const ffa = parse(result.files.find((f) => f.file === "customers/ff-a.yaml")?.text ?? "") as { environments: { prod: { addons?: string[]; pgweb?: { publish?: boolean } } } };
      assert.deepEqual(ffa.environments.prod.addons, ["pgweb"]);
      assert.equal(ffa.environments.prod.pgweb?.publish, undefined, "unpublished: the defaults' publish: false");
      assert.ok(result.data.unmapped.some((u) => /^extraDeploy\.\d+$/.test(u.path) && /pgweb\.publish: true, after review/.test(u.reason)), "the report says why the Ingress was not carried over");
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("new-customer writes flag values as YAML scalars", function () {
  this.timeout(60_000);

  it("property: any display name and FITConnect code round-trip, and add no key", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 20 }), async (displayName, code) => {
        const root = fixtureRoot({});
        try {
          await newCustomer(["--name", "acme", "--domain", "acme.fitfile.net", `--display-name=${displayName}`, `--fitconnect-code=${code}`], root).catch((e: unknown) => {
            if (!(e instanceof ConfigError)) throw e;
          });
          const file = path.join(root, "customers/acme.yaml");
          if (!fs.existsSync(file)) return;
          const doc = parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
          assert.deepEqual(Object.keys(doc), ["name", "displayName", "fitConnectCode", "environments"]);
          assert.equal(doc.displayName, displayName);
          assert.equal(doc.fitConnectCode, code);
        } finally {
          fs.rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 15 },
    );
  });

  it("a display name with line breaks cannot inject a team binding or privileged pods", async () => {
    const root = fixtureRoot({});
    try {
      const hostile = "Evil\nteam: { group: system:masters, clusterRole: admin }\npodSecurity: { enforce: privileged }";
      await newCustomer(["--name", "acme", "--domain", "acme.fitfile.net", "--display-name", hostile], root);
      const doc = parse(fs.readFileSync(path.join(root, "customers/acme.yaml"), "utf8")) as Record<string, unknown>;
      assert.equal(doc.displayName, hostile);
      assert.equal(doc.team, undefined);
      assert.equal(doc.podSecurity, undefined);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("property: no random customer's plan selects, binds or grants outside its namespace and Vault space", function () {
  this.timeout(120_000);
  /** Mostly what is allowed, sometimes another tenant's or the cluster's: both outcomes must occur. */
  const mostly = <T>(allowed: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>) => fc.oneof({ arbitrary: allowed, weight: 5 }, { arbitrary: hostile, weight: 1 });
  const hostileNamespace = fc.constantFrom("ff-a", "ff-b", "default", "kube-public", "x");
  const customer = fc.record({
    namespace: mostly(fc.constantFrom(undefined, "x-live"), fc.constantFrom("ff-a", "kube-system", "vault", "argocd")),
    egress: fc.array(mostly(fc.constantFrom("vault", "ingress-nginx", "kube-system"), hostileNamespace), { maxLength: 2 }),
    ingress: mostly(fc.constant("ingress-nginx"), hostileNamespace),
    argocd: mostly(fc.constant("argocd"), hostileNamespace),
    group: mostly(fc.constant("x-team"), fc.constantFrom("system:authenticated", "system:serviceaccounts", "system:masters")),
    level: fc.constantFrom("view", "edit", "admin"),
    except: mostly(fc.constant(PROTECTED_RANGES.map((r) => r.cidr)), fc.subarray(PROTECTED_RANGES.map((r) => r.cidr))),
    enforce: mostly(fc.constantFrom("baseline", "restricted"), fc.constant("privileged")),
  });
  const outcomes = { refused: 0, planned: 0 };

  it("either the configuration is refused, or every rendered resource keeps every tenant rule", async () => {
    await fc.assert(
      fc.asyncProperty(customer, async (c) => {
        const prod = stringify({
          ...(c.namespace === undefined ? {} : { namespace: c.namespace }),
          network: { egressNamespaces: c.egress, ingressControllerNamespace: c.ingress, externalEgress: { except: c.except } },
          gitops: { argocdNamespace: c.argocd },
          team: { group: c.group, clusterRole: c.level },
          podSecurity: { enforce: c.enforce },
        }).trimEnd();
        const root = fleet(withCustomer(prod));
        try {
          if (problemsOfStack(root, "x-prod").length > 0) {
            outcomes.refused++;
            return;
          }
          outcomes.planned++;
          const plan = await planStack(root, "x-prod");
          const tenant = tenantOf(root, "x-prod");
          assert.deepEqual(planViolations(plan, tenant), []);
          assert.ok(!["ff-a", "ff-b", ...RESERVED].includes(tenant.namespace));
        } finally {
          fs.rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
    assert.ok(outcomes.refused > 0 && outcomes.planned > 0, `both outcomes occur: ${JSON.stringify(outcomes)}`);
  });
});

describe("isolation outlives the stack, and the team cannot change it", function () {
  this.timeout(30_000);

  it("retains the quota, the LimitRange and every NetworkPolicy on delete", async () => {
    const plan = await planStack(REPO_ROOT, "ff-a-prod");
    const isolation = plan.resources.filter((r) => ["kubernetes:core/v1:ResourceQuota", "kubernetes:core/v1:LimitRange", "kubernetes:networking.k8s.io/v1:NetworkPolicy"].includes(r.type));
    assert.ok(isolation.length >= 6, `found ${isolation.length}`);
    for (const r of isolation) assert.equal(r.retainOnDelete, true, `${r.type} ${r.name}`);
  });

  for (const level of ["view", "edit", "admin"] as const) {
    it(`binds the team to a Role of its own at ${level} level, which writes no isolation and cannot escalate`, async () => {
      const root = fixtureRoot(withCustomer(`team: { group: x-team, clusterRole: ${level} }`));
      try {
        const plan = await planStack(root, "x-prod");
        const role = plan.resources.find((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role");
        const binding = plan.resources.find((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding" && r.name === "team");
        const deployer = plan.resources.find((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding" && r.name === "deployer");
        assert.ok(role && binding && deployer);
        for (const r of [role, binding, deployer]) validateCoreManifest(r);
        const rules = role.inputs.rules as { resources: string[]; verbs: string[] }[];
        const roleName = (role.inputs.metadata as { name: string }).name;
        assert.equal(roleName, `ffnodes-team-${level}`);
        assert.deepEqual(binding.inputs.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName });
        for (const rule of rules) {
          assert.ok(!rule.verbs.some((v) => ["bind", "escalate", "impersonate", "*"].includes(v)), JSON.stringify(rule));
          if (rule.resources.some((res) => ["networkpolicies", "resourcequotas", "limitranges"].includes(res))) assert.deepEqual(rule.verbs, ["get", "list", "watch"]);
        }
        const writes = (resource: string) => rules.some((r) => r.resources.includes(resource) && r.verbs.includes("delete"));
        assert.equal(writes("deployments"), level !== "view");
        assert.equal(writes("secrets"), level !== "view");
        assert.equal(writes("rolebindings"), level === "admin");
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  }
});
