import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as fc from "fast-check";
import { DnsRecords, buildDnsRecords } from "../src/components/dns";
import { stackFileName } from "../src/config/files";
import { checkAllStacks } from "../src/config/fleet";
import { planStack } from "../src/plan/engine";
import { INVOKE_ANSWERS, offlineMocks } from "../src/plan/mocks";
import { REPO_ROOT, Refusal, customerFixture, findResource, fixtureRoot, itRejects, planRepoStack, problemsOf, resolveStack, resourcesOfType, stackFile } from "./helpers";

const RECORD = "cloudflare:index/dnsRecord:DnsRecord";
const GET_ZONE = "cloudflare:index/getZone:getZone";

/** The id the offline engine answers a zone lookup with. */
function mockedZoneId(name: string): unknown {
  return INVOKE_ANSWERS[GET_ZONE]({ filter: { name } }).id;
}

/** Counts zone lookups while `run` plans. */
async function countingZoneLookups<T>(run: () => Promise<T>): Promise<{ result: T; lookups: string[] }> {
  const answer = INVOKE_ANSWERS[GET_ZONE];
  const lookups: string[] = [];
  INVOKE_ANSWERS[GET_ZONE] = (inputs) => {
    lookups.push(String((inputs.filter as { name: string }).name));
    return answer(inputs);
  };
  try {
    return { result: await run(), lookups };
  } finally {
    INVOKE_ANSWERS[GET_ZONE] = answer;
  }
}

describe("DNS records", () => {
  it("gives every host of ff-a-prod exactly one proxied record in the zone the lookup returned, retained on delete", async () => {
    const { result: plan, lookups } = await countingZoneLookups(() => planRepoStack("ff-a-prod"));
    const records = resourcesOfType(plan, RECORD);
    const hosts = ["app.fitfile.net", "prod-pgweb.fitfile.net", "argo-workflows.fitfile.net", "ac.fitfile.net"];
    assert.deepEqual(records.map((r) => r.inputs.name).sort(), [...hosts].sort());
    assert.deepEqual(plan.outputs.hosts, hosts);
    assert.deepEqual(lookups, ["fitfile.net"], "one lookup for the zone, however many hosts");
    for (const record of records) {
      assert.equal(record.name, `dns-${String(record.inputs.name)}`);
      assert.equal(record.parent, "dns");
      assert.equal(record.inputs.zoneId, mockedZoneId("fitfile.net"));
      assert.match(String(record.inputs.zoneId), /^[0-9a-f]{32}$/);
      assert.equal(record.inputs.type, "CNAME");
      assert.equal(record.inputs.content, "ingress.fitfile.net");
      assert.equal(record.inputs.proxied, true);
      assert.equal(record.inputs.ttl, 1);
      assert.equal(record.inputs.comment, "ffnodes: customer ff-a (FF A), stack ff-a-prod");
      assert.equal(record.retainOnDelete, true);
      assert.equal(record.protect, false);
      assert.equal(record.import, undefined);
    }
  });

  it("replaces a record (a new zone id) by deleting the old one first, so that a host never has two", async () => {
    await pulumi.runtime.setMocks(offlineMocks, "ffnodes", "ff-a-prod", false);
    const options: pulumi.CustomResourceOptions[] = [];
    const capture: pulumi.ResourceTransformation = (args) => {
      if (args.type === RECORD) options.push(args.opts);
      return undefined;
    };
    new DnsRecords("dns", resolveStack(REPO_ROOT, "ff-a-prod"), { transformations: [capture] });
    assert.equal(options.length, 4);
    for (const opts of options) assert.equal(opts.deleteBeforeReplace, true);
  });

  it("puts each host in the longest zone it is inside, looks each zone up once, and uses a configured zone id as given", async () => {
    const zoneId = "0123456789abcdef0123456789abcdef";
    const root = fixtureRoot(
      customerFixture(
        "z",
        [
          "domain: z.fitfile.net",
          "extraHosts: [a.eu.fitfile.net, b.eu.fitfile.net, c.fitfile.co.uk, d.fitfile.net]",
          "dns:",
          "  zones: [{ name: fitfile.net }, { name: eu.fitfile.net }, { name: fitfile.co.uk, id: " + zoneId + " }]",
        ].join("\n"),
      ),
    );
    const { result: plan, lookups } = await countingZoneLookups(() => planStack(root, "z-prod"));
    assert.deepEqual([...lookups].sort(), ["eu.fitfile.net", "fitfile.net"]);
    const zoneOf = (host: string) => findResource(plan, RECORD, `dns-${host}`).inputs.zoneId;
    assert.equal(zoneOf("z.fitfile.net"), mockedZoneId("fitfile.net"));
    assert.equal(zoneOf("d.fitfile.net"), mockedZoneId("fitfile.net"));
    assert.equal(zoneOf("a.eu.fitfile.net"), mockedZoneId("eu.fitfile.net"));
    assert.equal(zoneOf("b.eu.fitfile.net"), mockedZoneId("eu.fitfile.net"));
    assert.equal(zoneOf("c.fitfile.co.uk"), zoneId);
  });

  it("derives the record type from the target: A for IPv4, AAAA for IPv6, CNAME for a host name", () => {
    const root = fixtureRoot(customerFixture("t", "domain: t.fitfile.net"));
    for (const [target, type] of [
      ["203.0.113.10", "A"],
      ["2001:db8::10", "AAAA"],
      ["lb.eu-west-1.example.com", "CNAME"],
    ]) {
      const records = buildDnsRecords(resolveStack(root, "t-prod", { dns: { target } }));
      assert.deepEqual(
        records.map((r) => [r.args.type, r.args.content]),
        [[type, target]],
      );
    }
  });

  it("takes TTL, proxying and retention from config, and adopts records by the ids in ffnodes:adoptIds", async () => {
    const root = fixtureRoot({
      ...customerFixture("r", "domain: r.fitfile.net\nextraHosts: [r-pgweb.fitfile.net]"),
      [stackFileName("r-prod")]: stackFile(
        [
          "  ffnodes:settings:",
          "    dns: { proxied: false, ttl: 300, retainOnDelete: false }",
          "  ffnodes:adopt: true",
          "  ffnodes:adoptIds:",
          "    dns-r.fitfile.net: 023e105f4ecef8ad9ca31a8372d0c353/372e67954025e0ba6aaa6d586b9e0b59",
          "    dns-r-pgweb.fitfile.net: create",
          "",
        ].join("\n"),
      ),
    });
    const plan = await planStack(root, "r-prod");
    const primary = findResource(plan, RECORD, "dns-r.fitfile.net");
    const pgweb = findResource(plan, RECORD, "dns-r-pgweb.fitfile.net");
    assert.equal(primary.import, "023e105f4ecef8ad9ca31a8372d0c353/372e67954025e0ba6aaa6d586b9e0b59");
    assert.equal(pgweb.import, undefined, "a record marked create in ffnodes:adoptIds is created");
    for (const record of [primary, pgweb]) {
      assert.equal(record.inputs.proxied, false);
      assert.equal(record.inputs.ttl, 300);
      assert.equal(record.retainOnDelete, false);
    }
  });

  it("creates no records and looks up no zone when DNS is off (demo-local)", async () => {
    const { result: plan, lookups } = await countingZoneLookups(() => planRepoStack("demo-local"));
    assert.deepEqual(resourcesOfType(plan, RECORD), []);
    assert.deepEqual(lookups, []);
  });

  it("cuts a long comment to Cloudflare's 100 characters", () => {
    const root = fixtureRoot(customerFixture("c", "domain: c.fitfile.net"));
    const config = resolveStack(root, "c-prod");
    const long = { ...config, customer: { ...config.customer, displayName: "A".repeat(200) } };
    const [record] = buildDnsRecords(long);
    assert.equal(record.args.comment.length, 100);
    assert.ok(record.args.comment.startsWith("ffnodes: customer c ("));
  });
});

describe("host validation", () => {
  const file = "customers/h.yaml";
  const longLabel = "a".repeat(64);
  const longName = `${Array.from({ length: 26 }, () => "abcdefghi").join(".")}.fitfile.net`;
  const cases: (Refusal & { prod: string })[] = [
    // A host outside every zone: the zones are named, and the nearest host that passes every check proposed.
    { title: "outside every zone", file, prod: "domain: app.example.com", path: "environments.prod.domain", says: /^'app\.example\.com' is not inside a configured zone \(dns\.zones: fitfile\.net\): use a host inside one, such as 'app\.fitfile\.net', or add its zone to dns\.zones$/ },
    { title: "an extra host holding the zone", file, prod: "domain: h.fitfile.net\nextraHosts: [pg.fitfile.net.evil.com]", path: "environments.prod.extraHosts.0", says: /not inside a configured zone.*such as 'pg\.fitfile\.net'/ },
    { title: "a zone's look-alike suffix", file, prod: "domain: h.notfitfile.net", path: "environments.prod.domain", says: /not inside a configured zone.*such as 'h\.fitfile\.net'/ },
    { title: "a misspelt zone", file, prod: "domain: app.fitfile.nett", path: "environments.prod.domain", says: /such as 'app\.fitfile\.net'/ },
    { title: "the zone's name in another top-level domain", file, prod: "domain: fitfile.com", path: "environments.prod.domain", says: /such as 'fitfile\.net'/ },
    { title: "a deep host outside the zones while proxied: a first-level name", file, prod: "domain: staging.kch.fitfile.com", path: "environments.prod.domain", says: /such as 'staging-kch\.fitfile\.net'/ },
    { title: "a deep host outside the zones, not proxied: kept as deep", file, prod: "domain: staging.kch.fitfile.com\ndns: { proxied: false, ttl: 300 }", path: "environments.prod.domain", says: /such as 'staging\.kch\.fitfile\.net'/ },
    { title: "outside two zones: the nearer zone", file, prod: "domain: app.fitfile.orgg\ndns: { zones: [{ name: fitfile.net }, { name: fitfile.org }] }", path: "environments.prod.domain", says: /\(dns\.zones: fitfile\.net, fitfile\.org\).*such as 'app\.fitfile\.org'/ },
    { title: "a wildcard primary domain", file, prod: "domain: '*.h.fitfile.net'", path: "environments.prod.domain", says: /is a wildcard: no wildcard here/ },
    { title: "a wildcard not under the primary domain", file, prod: "domain: h.fitfile.net\nextraHosts: ['*.fitfile.net']", path: "environments.prod.extraHosts.0", says: /only allowed as '\*\.h\.fitfile\.net'/ },
    { title: "an interior wildcard", file, prod: "domain: h.fitfile.net\nextraHosts: ['a.*.h.fitfile.net']", path: "environments.prod.extraHosts.0", says: /not the whole first label/ },
    { title: "a partial-label wildcard", file, prod: "domain: h.fitfile.net\nextraHosts: ['a*.h.fitfile.net']", path: "environments.prod.extraHosts.0", says: /not the whole first label/ },
    { title: "over 253 characters", file, prod: `domain: ${longName}`, path: "environments.prod.domain", says: new RegExp(`is ${longName.length} characters; a DNS name has at most 253`) },
    { title: "a label over 63 characters", file, prod: `domain: ${longLabel}.fitfile.net`, path: "environments.prod.domain", says: /is 64 characters; a label has at most 63/ },
    { title: "upper case", file, prod: "domain: App.FitFile.net", path: "environments.prod.domain", says: /has upper-case letters: write 'app\.fitfile\.net'/ },
    { title: "an underscore", file, prod: "domain: h.fitfile.net\nextraHosts: [pg_web.fitfile.net]", path: "environments.prod.extraHosts.0", says: /has an underscore/ },
    { title: "a trailing dot", file, prod: "domain: app.fitfile.net.", path: "environments.prod.domain", says: /ends with a dot: write 'app\.fitfile\.net' \(no trailing dot\)/ },
    { title: "a label starting with '-'", file, prod: "domain: -h.fitfile.net", path: "environments.prod.domain", says: /is not a DNS name/ },
    { title: "a single label", file, prod: "domain: localhost", path: "environments.prod.domain", says: /two or more labels/ },
    { title: "the CNAME target as a host", file, prod: "domain: h.fitfile.net\nextraHosts: [ingress.fitfile.net]", path: "environments.prod.extraHosts.0", says: /'ingress\.fitfile\.net' is the ingress \(dns\.target\)/ },
    { title: "a bad CNAME target", file, prod: "domain: h.fitfile.net\ndns: { target: Ingress.fitfile.net }", path: "environments.prod.dns.target", says: /an IPv4 or IPv6 address or a host name: 'Ingress\.fitfile\.net' has upper-case letters/ },
    { title: "a TTL other than 1 while proxied", file, prod: "domain: h.fitfile.net\ndns: { ttl: 300 }", path: "environments.prod.dns.ttl", says: /must be 1 \(automatic\) while proxied is true/ },
    { title: "a TTL out of range", file, prod: "domain: h.fitfile.net\ndns: { proxied: false, ttl: 5 }", path: "environments.prod.dns.ttl", says: /1 \(automatic\), or 60 to 86400 seconds/ },
    // Cloudflare accepts 60 to 86400 (30 only on Enterprise zones): terraform-provider-cloudflare dns_record schema.
    { title: "a TTL of 30 (Enterprise zones only)", file, prod: "domain: h.fitfile.net\ndns: { proxied: false, ttl: 30 }", path: "environments.prod.dns.ttl", says: /^1 \(automatic\), or 60 to 86400 seconds$/ },
    // Universal SSL covers the zone and its first-level subdomains only (developers.cloudflare.com/ssl/edge-certificates/universal-ssl/limitations/).
    { title: "a proxied domain two levels below its zone", file, prod: "domain: staging.kch.fitfile.net", path: "environments.prod.domain", says: /'staging\.kch\.fitfile\.net' is 2 levels below zone 'fitfile\.net'.* such as 'staging-kch\.fitfile\.net', set dns\.proxied: false, or dns\.advancedCertificateManager: true/ },
    { title: "a proxied wildcard under a first-level host", file, prod: "domain: h.fitfile.net\nextraHosts: ['*.h.fitfile.net']", path: "environments.prod.extraHosts.0", says: /'\*\.h\.fitfile\.net' is 2 levels below zone 'fitfile\.net'.*use a first-level name, set dns\.proxied: false/ },
    { title: "a proxied host three levels below its zone", file, prod: "domain: h.fitfile.net\nextraHosts: [a.b.h.fitfile.net]", path: "environments.prod.extraHosts.0", says: /is 3 levels below zone 'fitfile\.net'/ },
    { title: "a bad zone id", file, prod: "domain: h.fitfile.net\ndns: { zones: [{ name: fitfile.net, id: ZONE }] }", path: "environments.prod.dns.zones.0.id", says: /32 lower-case hexadecimal/ },
    { title: "an Origin CA certificate without the proxy", file, prod: "domain: h.fitfile.net\ndns: { proxied: false, ttl: 300 }\ncertificates: { mode: origin-ca }", path: "environments.prod.certificates.mode", says: /trusted only by Cloudflare's proxy/ },
    { title: "no zone", file, prod: "domain: h.fitfile.net\ndns: { zones: [] }", path: "environments.prod.dns.zones", says: /at least one zone/ },
    { title: "more hosts than a certificate holds", file, prod: `domain: h.fitfile.net\nextraHosts: [${Array.from({ length: 100 }, (_, i) => `x${i}.fitfile.net`).join(", ")}]`, path: "environments.prod.extraHosts", says: /101 hosts; one certificate holds at most 100/ },
  ];
  itRejects(cases, (c) => problemsOf(() => resolveStack(fixtureRoot(customerFixture("h", c.prod)), "h-prod")), { alone: true });

  it("property: the host proposed for one outside every zone passes every check, proxied or not", () => {
    const root = fixtureRoot(customerFixture("h", "domain: h.fitfile.net"));
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 2, maxLength: 5 }), fc.boolean(), (labels, proxied) => {
        const domain = labels.join(".");
        const dns = proxied ? {} : { proxied: false, ttl: 300 };
        const problems = problemsOf(() => resolveStack(root, "h-prod", { domain, dns }));
        const proposed = problems.map((p) => /such as '([^']+)', or add its zone/.exec(p.message)?.[1]).find((h) => h !== undefined);
        if (domain === "fitfile.net" || domain.endsWith(".fitfile.net")) return;
        assert.ok(proposed, problems.map((p) => p.message).join("\n"));
        assert.deepEqual(problemsOf(() => resolveStack(root, "h-prod", { domain: proposed, dns })), []);
      }),
      { numRuns: 60 },
    );
  });

  it("names the stack file when a stack's setting breaks the rule", () => {
    const root = fixtureRoot(customerFixture("s", "domain: s.fitfile.net"));
    const problems = problemsOf(() => resolveStack(root, "s-prod", { dns: { ttl: 120 } }));
    assert.deepEqual(problems.map((p) => [p.file, p.path]), [["stacks/Pulumi.s-prod.yaml", "config.ffnodes:settings.dns.ttl"]]);
  });

  it("accepts deeper hosts when not proxied, with Advanced Certificate Manager, or under a deeper zone", () => {
    const root = fixtureRoot({
      ...customerFixture("direct", "domain: staging.direct.fitfile.net\nextraHosts: ['*.staging.direct.fitfile.net']\ndns: { proxied: false }"),
      ...customerFixture("acm", "domain: staging.acm.fitfile.net\ndns: { advancedCertificateManager: true }"),
      ...customerFixture("sub", "domain: staging.sub.fitfile.net\nextraHosts: ['*.staging.sub.fitfile.net']\ndns: { zones: [{ name: fitfile.net }, { name: staging.sub.fitfile.net }] }"),
      ...customerFixture("apex", "domain: fitfile.org\nextraHosts: ['*.fitfile.org']\ndns: { zones: [{ name: fitfile.org }] }"),
    });
    for (const stack of ["direct-prod", "acm-prod", "sub-prod", "apex-prod"]) assert.ok(resolveStack(root, stack), stack);
  });

  it("accepts a wildcard under the primary domain, hosts outside the zones when Cloudflare is not used, and a non-proxied TTL", () => {
    const root = fixtureRoot({
      ...customerFixture("ok", "domain: ok.fitfile.net\nextraHosts: ['*.ok.fitfile.net', ok-pgweb.fitfile.net]\ndns: { proxied: false, ttl: 300 }"),
      ...customerFixture("off", "domain: off.localtest.me\ndns: { enabled: false }\ncertificates: { mode: self-signed }"),
    });
    assert.deepEqual(resolveStack(root, "ok-prod").hosts, ["ok.fitfile.net", "*.ok.fitfile.net", "ok-pgweb.fitfile.net"]);
    assert.deepEqual(resolveStack(root, "off-prod").hosts, ["off.localtest.me"]);
  });
});

describe("hosts across the fleet", () => {
  const clashes: { what: string; one: string; two: string; message: string }[] = [
    {
      what: "a host claimed by two customers",
      one: "domain: one.fitfile.net\nextraHosts: [shared.fitfile.net]",
      two: "domain: shared.fitfile.net",
      message: "host 'shared.fitfile.net' of stack two-prod is already used by stack one-prod; each must be unique across the fleet",
    },
    {
      what: "a host of one customer covered by another's wildcard",
      one: "domain: one.fitfile.net\nextraHosts: ['*.one.fitfile.net']\ndns: { proxied: false }",
      two: "domain: two.one.fitfile.net\ndns: { proxied: false }",
      message: "host 'two.one.fitfile.net' of stack two-prod is covered by wildcard '*.one.fitfile.net' of stack one-prod; each host must belong to one stack",
    },
  ];
  for (const c of clashes) {
    it(`rejects ${c.what}, naming the later customer's file and key`, () => {
      const root = fixtureRoot({ ...customerFixture("one", c.one), ...customerFixture("two", c.two) });
      const { problems } = checkAllStacks(root, ["one-prod", "two-prod"]);
      assert.deepEqual(problems, [{ file: "customers/two.yaml", path: "environments.prod.domain", message: c.message }]);
    });
  }

  it("finds no clash among the repository's stacks", () => {
    const root = fixtureRoot({}, { withRepoCustomers: true });
    const stacks = ["demo-local", "ff-a-prod", "ff-b-prod", "ff-c-prod", "kch-prod", "kch-staging"];
    assert.deepEqual(checkAllStacks(root, stacks).problems, []);
  });
});
