import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as fc from "fast-check";
import { newCustomer } from "../src/cli/new-customer";
import { displayNameOf, hostFor } from "../src/onboard/customer-file";
import { checkAllStacks } from "../src/config/fleet";
import { UsageError } from "../src/cli/run";
import { listStacks } from "../src/config/files";
import { ConfigError, formatProblem } from "../src/config/problems";
import { planStack } from "../src/plan/engine";
import { REPO_ROOT, fixtureRoot, findResource } from "./helpers";

const SNAPSHOT = path.join(REPO_ROOT, "test/fixtures/new-customer");

/** Every file under `dir`, relative, with its content. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      out[path.relative(dir, file)] = fs.readFileSync(file, "utf8");
    }
  }
  return out;
}

describe("npm run new-customer", function () {
  this.timeout(30_000);

  it("writes the customer file and one stack file per environment, matching the snapshot, and the fleet plans", async () => {
    const root = fixtureRoot({}, { withRepoCustomers: true });
    const before = tree(root);
    const output = await newCustomer(["--name", "acme-health", "--domain", "acme.fitfile.net", "--env", "prod,staging"], root);
    assert.match(output, /^wrote customers\/acme-health\.yaml, stacks\/Pulumi\.acme-health-prod\.yaml, stacks\/Pulumi\.acme-health-staging\.yaml\n/);
    assert.match(output, /planned acme-health-prod: \d+ resources, acme-health-staging: \d+ resources/);
    // In the order that works: `pulumi config set` fails with `no stack named ... found` before `pulumi stack init`.
    assert.deepEqual(
      output.split("\n").filter((line) => /^\s+pulumi /.test(line)).map((line) => line.trim()),
      [
        "pulumi stack init acme-health-prod",
        "pulumi config set --secret cloudflare:apiToken <value> -s acme-health-prod",
        "pulumi stack init acme-health-staging",
        "pulumi config set --secret cloudflare:apiToken <value> -s acme-health-staging",
      ],
    );
    assert.match(output, /commit the stack files with what these add/);

    const after = tree(root);
    const added = Object.keys(after).filter((f) => !(f in before)).sort();
    assert.deepEqual(added, ["customers/acme-health.yaml", "stacks/Pulumi.acme-health-prod.yaml", "stacks/Pulumi.acme-health-staging.yaml"]);
    for (const file of Object.keys(before)) assert.equal(after[file], before[file], `${file} changed`);
    assert.deepEqual(Object.fromEntries(added.map((f) => [f, after[f]])), tree(SNAPSHOT));

    const { problems, configs } = checkAllStacks(root, listStacks(root));
    assert.deepEqual(problems.map(formatProblem), []);
    const staging = configs.find((c) => c.stack === "acme-health-staging");
    assert.deepEqual(staging && [staging.tenancy.namespace, staging.hosts, staging.tenancy.dbSuffix, staging.customer], [
      "acme-health-staging",
      ["acme-staging.fitfile.net"],
      "_acme_health_staging",
      { name: "acme-health", displayName: "Acme Health", fitConnectCode: "FITConnect Acme Health" },
    ]);
    const plan = await planStack(root, "acme-health-prod");
    const metadata = findResource(plan, "kubernetes:core/v1:Namespace", "namespace").inputs.metadata as { name: string };
    assert.equal(metadata.name, "acme-health");
  });

  it("takes the display name and FITConnect code from flags, and defaults to prod", async () => {
    const root = fixtureRoot({}, { withRepoCustomers: true });
    await newCustomer(["--name", "st-olaf", "--domain", "olaf.fitfile.net", "--display-name", "St Olaf's", "--fitconnect-code", "FITConnect OLAF"], root);
    const text = fs.readFileSync(path.join(root, "customers/st-olaf.yaml"), "utf8");
    assert.match(text, /^displayName: "St Olaf's"$/m);
    assert.match(text, /^fitConnectCode: "FITConnect OLAF"$/m);
    assert.deepEqual(listStacks(root).filter((s) => s.startsWith("st-olaf")), ["st-olaf-prod"]);
  });

  it("a local environment gets no Cloudflare token (DNS is off there)", async () => {
    const root = fixtureRoot({}, { withRepoCustomers: true });
    await newCustomer(["--name", "lab", "--domain", "lab.localtest.me", "--env", "local"], root);
    const text = fs.readFileSync(path.join(root, "stacks/Pulumi.lab-local.yaml"), "utf8");
    assert.doesNotMatch(text, /cloudflare/);
    assert.match(text, /kubernetes:context: fitfile-local/);
  });

  const bad: [string, string[], RegExp][] = [
    ["a name with capitals", ["--name", "Acme", "--domain", "acme.fitfile.net"], /--name: 'Acme': a DNS-1123 label/],
    ["a name with an underscore", ["--name", "acme_health", "--domain", "acme.fitfile.net"], /--name: 'acme_health'/],
    ["a name too long", ["--name", "a".repeat(41), "--domain", "acme.fitfile.net"], /--name: .*at most 40 characters/],
    ["a domain with a trailing dot", ["--name", "acme", "--domain", "acme.fitfile.net."], /--domain: 'acme.fitfile.net.' \(prod\): .*ends with a dot: write 'acme.fitfile.net'/],
    ["a wildcard domain", ["--name", "acme", "--domain", "*.fitfile.net"], /--domain: '\*.fitfile.net'/],
    ...["kube-system", "default", "kube-public", "argocd", "cert-manager", "ingress-nginx", "vault"].map((reserved): [string, string[], RegExp] => [
      `the cluster's namespace ${reserved} for a name`,
      ["--name", reserved, "--domain", "acme.fitfile.net"],
      new RegExp(`--name: '${reserved}' would be a namespace reserved for the cluster`),
    ]),
    ["a bare word for a domain", ["--name", "acme", "--domain", "acme"], /--domain: 'acme'/],
    ["an unknown environment", ["--name", "acme", "--domain", "acme.fitfile.net", "--env", "prod,qa"], /--env: unknown environment 'qa'; environments are: local, prod, staging/],
    ["a taken host (new stack sorts last)", ["--name", "zed", "--domain", "app.fitfile.net"], /host 'app.fitfile.net' of stack zed-prod is already used by stack ff-a-prod/],
    ["a taken host (new stack sorts first)", ["--name", "aaa", "--domain", "kch.fitfile.net"], /host 'kch.fitfile.net' .*aaa-prod/],
    [
      "a proxied host deeper than Cloudflare's edge certificate covers",
      ["--name", "acme", "--domain", "acme.health.fitfile.net", "--env", "staging"],
      /'acme-staging\.health\.fitfile\.net' is 2 levels below zone 'fitfile\.net': Cloudflare's Universal SSL covers .* such as 'acme-staging-health\.fitfile\.net'/,
    ],
    ["an existing customer", ["--name", "kch", "--domain", "kch2.fitfile.net"], /customers\/kch\.yaml already exists; new-customer never overwrites/],
  ];
  for (const [what, argv, expected] of bad) {
    it(`refuses ${what}, writing nothing`, async () => {
      const root = fixtureRoot({}, { withRepoCustomers: true });
      const before = tree(root);
      await assert.rejects(newCustomer(argv, root), (e: unknown) => {
        assert.ok(e instanceof ConfigError, String(e));
        assert.ok(e.problems.some((p) => expected.test(formatProblem(p))), e.problems.map(formatProblem).join("\n"));
        return true;
      });
      assert.deepEqual(tree(root), before);
    });
  }

  it("an existing stack file alone is also never overwritten", async () => {
    const root = fixtureRoot({ "stacks/Pulumi.newco-prod.yaml": "config: {}\n" }, { withRepoCustomers: true });
    await assert.rejects(newCustomer(["--name", "newco", "--domain", "newco.fitfile.net"], root), /stacks\/Pulumi\.newco-prod\.yaml already exists/);
    assert.ok(!fs.existsSync(path.join(root, "customers/newco.yaml")));
  });

  it("--name and --domain are required", async () => {
    await assert.rejects(newCustomer(["--name", "x"], REPO_ROOT), UsageError);
  });

  it("gives another environment a host as deep as the domain, so that a zone's first-level edge certificate covers both", () => {
    assert.deepEqual(
      [["acme.fitfile.net", "staging"], ["acme.fitfile.net", "prod"], ["acme.com", "staging"], ["a.b.example.org", "local"]].map(([d, e]) => hostFor(d, e)),
      ["acme-staging.fitfile.net", "acme.fitfile.net", "staging.acme.com", "a-local.b.example.org"],
    );
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 3, maxLength: 5 }), fc.constantFrom("staging", "local"), (labels, env) => {
        const host = hostFor(labels.join("."), env);
        assert.equal(host.split(".").length, labels.length);
        assert.equal(host, [`${labels[0]}-${env}`, ...labels.slice(1)].join("."));
      }),
    );
  });

  it("display names read as words, short ones as acronyms", () => {
    assert.deepEqual(["ff-a", "kch", "acme-health", "x"].map(displayNameOf), ["FF A", "KCH", "Acme Health", "X"]);
    fc.assert(fc.property(fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+)*$/), (name) => displayNameOf(name).toLowerCase() === name.replace(/-/g, " ")));
  });
});
