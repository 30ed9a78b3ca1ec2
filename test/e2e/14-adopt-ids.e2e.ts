// Migration finds the live record ids by itself, against the local Cloudflare API double
// (e2e/tools/cloudflare-api, which decodes every request with cloudflare-go v7's types): records
// made beforehand through the API as the Helm era left them are found by zone and by name and
// type, with the read-only token; every host it cannot decide (no record, two, another type) is
// left to a person and nothing is written; Cloudflare receives nothing but GETs.
import { strict as assert } from "node:assert";
import { environment } from "./hooks";
import { ApiRecord, cloudflare, requestsSince, zoneId } from "./cloudflare";
import { Workdir } from "../../e2e/workdir";

const STACK = "cfmig-prod";
const STACK_FILE = `stacks/Pulumi.${STACK}.yaml`;
const TARGET = "203.0.113.10";
const HOSTS = { main: "cfmig.fitfile.net", roundRobin: "cfmig-api.fitfile.net", cname: "cfmig-old.fitfile.net", missing: "cfmig.fitfile.co.uk" };

const createRecord = async (zone: string, type: string, name: string, content: string) =>
  (await cloudflare("POST", `zones/${zone}/dns_records`, { type, name, content, ttl: 1, proxied: type !== "TXT", comment: "helm" })) as ApiRecord;

describe("e2e: adopt-ids finds each host's live Cloudflare record", function () {
  let workdir: Workdir;
  let fitfile: string;
  let records: Record<string, ApiRecord[]>;

  const adoptIds = (token: string, ...extra: string[]) =>
    workdir.run("env", [`CLOUDFLARE_API_TOKEN=${token}`, "node", "--require", "./src/cli/register-typescript.js", "src/cli/adopt-ids.ts", "--stack", STACK, ...extra]);

  before(async function () {
    workdir = new Workdir(environment());
    workdir.write(
      "customers/cfmig.yaml",
      [
        "name: cfmig",
        "displayName: CF Migration",
        "fitConnectCode: FITConnect CFMIG",
        "environments:",
        "  prod:",
        `    domain: ${HOSTS.main}`,
        `    extraHosts: [${HOSTS.roundRobin}, ${HOSTS.cname}, ${HOSTS.missing}]`,
        `    dns: { zones: [{ name: fitfile.net }, { name: fitfile.co.uk }], target: ${TARGET} }`,
        "",
      ].join("\n"),
    );
    workdir.write(STACK_FILE, "# cfmig, imported from the Helm layout\nconfig:\n  kubernetes:context: ffnodes-local\n  ffnodes:adopt: true\n  ffnodes:adoptIds:\n    vault-credentials: create\n");
    fitfile = await zoneId("fitfile.net");
    // As the Helm era left them: the main host's A record (pointing at the old ingress), two A
    // records of one host (round robin), a CNAME where ffnodes declares an A record, and a TXT
    // record that only shares a name.
    records = {
      main: [await createRecord(fitfile, "A", HOSTS.main, "203.0.113.99")],
      roundRobin: [await createRecord(fitfile, "A", HOSTS.roundRobin, "203.0.113.1"), await createRecord(fitfile, "A", HOSTS.roundRobin, "203.0.113.2")],
      cname: [await createRecord(fitfile, "CNAME", HOSTS.cname, "old-ingress.fitfile.net")],
      txt: [await createRecord(fitfile, "TXT", HOSTS.main, '"v=spf1 -all"')],
    };
  });

  after(() => workdir?.remove());

  it("refuses an unknown token, naming what to fix, and writes nothing", () => {
    const before = workdir.read(STACK_FILE);
    const result = adoptIds("0".repeat(40));
    assert.equal(result.status, 6, result.stderr);
    assert.match(result.stderr, /the Cloudflare API refused the token in CLOUDFLARE_API_TOKEN \(403: 9109 Invalid access token\)/);
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/, "no stack trace");
    assert.equal(workdir.read(STACK_FILE), before);
  });

  it("leaves the hosts it cannot decide to a person, one problem each at its key, and writes nothing", async () => {
    const before = workdir.read(STACK_FILE);
    const logged = (await requestsSince(0)).length;
    const result = adoptIds(environment().cloudflare.readToken);
    assert.equal(result.status, 1, result.stderr);
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("  stacks/"));
    const key = (host: string) => `  ${STACK_FILE}: config.ffnodes:adoptIds.dns-${host}: `;
    const expected: [string, RegExp][] = [
      [HOSTS.roundRobin, new RegExp(`Cloudflare has 2 A records of ${HOSTS.roundRobin} in zone fitfile.net \\(A ${records.roundRobin[0].id} → 203.0.113.1; A ${records.roundRobin[1].id} → 203.0.113.2\\)`)],
      [HOSTS.cname, new RegExp(`Cloudflare has CNAME ${records.cname[0].id} → old-ingress.fitfile.net for ${HOSTS.cname} in zone fitfile.net, and ffnodes declares a A record → ${TARGET}`)],
      [HOSTS.missing, /Cloudflare has no record of cfmig\.fitfile\.co\.uk in zone fitfile\.co\.uk: if the host is new, set create/],
    ];
    assert.equal(lines.length, expected.length, result.stderr);
    for (const [host, says] of expected) {
      const line = lines.find((l) => l.startsWith(key(host)));
      assert.ok(line, `no problem for ${host}:\n${result.stderr}`);
      assert.match(line, says);
    }
    assert.match(result.stderr, new RegExp(`adopt-ids: ${HOSTS.main}: A record ${fitfile}/${records.main[0].id}`), "the host it could decide is shown as it goes");
    assert.equal(workdir.read(STACK_FILE), before);
    const asked = await requestsSince(logged);
    assert.ok(asked.length >= 6, JSON.stringify(asked));
    assert.deepEqual(asked.filter((r) => r.method !== "GET" || r.status !== 200), [], "only GETs, every one answered 200: the double's strict decoding took each request");
  });

  it("writes every id once a person has decided, and the stack then plans with them", async () => {
    // The person's decisions: the extra round-robin record goes, the CNAME goes and its host is
    // made anew, the host in the second zone is new.
    await cloudflare("DELETE", `zones/${fitfile}/dns_records/${records.roundRobin[1].id}`);
    await cloudflare("DELETE", `zones/${fitfile}/dns_records/${records.cname[0].id}`);
    workdir.write(STACK_FILE, `${workdir.read(STACK_FILE)}    dns-${HOSTS.cname}: create\n    dns-${HOSTS.missing}: create\n`);
    const logged = (await requestsSince(0)).length;

    const dry = adoptIds(environment().cloudflare.readToken, "--dry-run");
    assert.equal(dry.status, 0, dry.stderr);
    assert.doesNotMatch(workdir.read(STACK_FILE), new RegExp(records.main[0].id), "a dry run writes nothing");

    const result = adoptIds(environment().cloudflare.readToken);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Wrote to stacks\/Pulumi\.cfmig-prod\.yaml/);
    assert.match(result.stdout, new RegExp(`${HOSTS.main}: the adopting up changes its content from 203.0.113.99 to ${TARGET}`));
    const text = workdir.read(STACK_FILE);
    assert.match(text, /^# cfmig, imported from the Helm layout\n/, "the file's comments stay");
    const ids = {
      [HOSTS.main]: `${fitfile}/${records.main[0].id}`,
      [HOSTS.roundRobin]: `${fitfile}/${records.roundRobin[0].id}`,
      [HOSTS.cname]: "create",
      [HOSTS.missing]: "create",
    };
    for (const [host, id] of Object.entries(ids)) assert.match(text, new RegExp(`dns-${host.replace(/\./g, "\\.")}: "?${id}"?\\n`), text);

    const plan = workdir.run("npm", ["run", "-s", "plan", "--", "--stack", STACK, "--json"]);
    assert.equal(plan.status, 0, plan.stderr);
    const imports = (JSON.parse(plan.stdout) as { resources: { type: string; inputs: { name?: string }; import?: string }[] }).resources
      .filter((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord")
      .map((r) => [r.inputs.name, r.import ?? "create"]);
    assert.deepEqual(Object.fromEntries(imports), ids);

    const again = adoptIds(environment().cloudflare.readToken);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /holds these already/);
    assert.equal(workdir.read(STACK_FILE), text);
    assert.deepEqual((await requestsSince(logged)).filter((r) => r.method !== "GET"), [], "Cloudflare is only read");
  });
});
