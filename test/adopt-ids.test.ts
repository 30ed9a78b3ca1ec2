// adopt-ids: how each host's live records decide what is written (never a guess), how the
// Cloudflare reader reports a refused token, a missing zone and a network failure, and that a
// refusal leaves the stack file as it was. Cloudflare's answers here are canned in its envelope;
// the same command against the local Cloudflare API double is test/e2e/14-adopt-ids.e2e.ts.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DeclaredRecord, decideHost } from "../src/adopt-ids/find";
import { adoptIds, adoptIdsForAll } from "../src/adopt-ids/run";
import { adoptIdsCommand } from "../src/cli/adopt-ids";
import { CloudflareReader, CloudflareRecord, checkBaseUrl } from "../src/cloudflare/reader";
import { withAdoptIds } from "../src/config/stack-file";
import { CliError, EXIT_CLOUDFLARE } from "../src/errors";
import { customerFixture, fixtureRoot, runCommand } from "./helpers";

const ZONE = { id: "a".repeat(32), name: "fitfile.net", status: "active" };
const DECLARED: DeclaredRecord = { key: "dns-kch.fitfile.net", host: "kch.fitfile.net", type: "CNAME", content: "ingress.fitfile.net", proxied: true, ttl: 1 };
const record = (id: string, type: string, content: string, name = "kch.fitfile.net"): CloudflareRecord => ({ id: id.repeat(32).slice(0, 32), name, type, content, proxied: true, ttl: 1 });
const idOf = (r: CloudflareRecord) => `${ZONE.id}/${r.id}`;

describe("adopt-ids: deciding a host from its live records", () => {
  const cname = record("1", "CNAME", "ingress.fitfile.net");
  const found: { title: string; live: CloudflareRecord[]; current?: string; id: string; notes?: RegExp }[] = [
    { title: "its one record of the declared type", live: [cname], id: idOf(cname) },
    { title: "the same id already set", live: [cname], current: idOf(cname), id: idOf(cname) },
    { title: "the import placeholder import-helm writes", live: [cname], current: "<zone id>/<record id>", id: idOf(cname) },
    { title: "a name in another case", live: [{ ...cname, name: "KCH.fitfile.net" }], id: idOf(cname) },
    { title: "records of other names the search returned", live: [cname, record("2", "CNAME", "x.fitfile.net", "kch.fitfile.net.evil.net")], id: idOf(cname) },
    { title: "a TXT record beside it", live: [cname, record("3", "TXT", '"v=spf1 -all"')], id: idOf(cname) },
    { title: "create, when there is no record", live: [], current: "create", id: "create", notes: /no record/ },
    { title: "a record pointing elsewhere, with a note", live: [record("4", "CNAME", "old-ingress.fitfile.net")], id: idOf(record("4", "CNAME", "")), notes: /from old-ingress\.fitfile\.net to ingress\.fitfile\.net/ },
    { title: "a DNS-only record, with a note", live: [{ ...cname, proxied: false }], id: idOf(cname), notes: /proxy on/ },
  ];
  for (const c of found) {
    it(`takes ${c.title}`, () => {
      const finding = decideHost(DECLARED, ZONE, c.live, c.current);
      assert.ok(!("problem" in finding), JSON.stringify(finding));
      assert.equal(finding.id, c.id);
      if (c.notes) assert.match(finding.notes.join("\n"), c.notes);
      else assert.deepEqual(finding.notes, []);
    });
  }

  const refused: { title: string; live: CloudflareRecord[]; current?: string; declared?: Partial<DeclaredRecord>; says: RegExp }[] = [
    { title: "no record at all", live: [], says: /has no record of kch\.fitfile\.net in zone fitfile\.net: if the host is new, set create/ },
    { title: "no record, and a placeholder", live: [], current: "<zone id>/<record id>", says: /has no record/ },
    { title: "two records of the declared type", live: [record("5", "A", "192.0.2.1"), record("6", "A", "192.0.2.2")], declared: { type: "A", content: "192.0.2.1" }, says: /2 A records of kch\.fitfile\.net .*5{32}.*6{32}.*delete the extra ones/ },
    { title: "an A record where a CNAME is declared", live: [record("7", "A", "192.0.2.1")], says: /A 7{32} → 192\.0\.2\.1 .*declares a CNAME record → ingress\.fitfile\.net.*would replace it/ },
    { title: "a CNAME where an A record is declared", live: [cname], declared: { type: "A", content: "192.0.2.1" }, says: /CNAME 1{32}.*declares a A record/ },
    { title: "create, when a record exists", live: [cname], current: "create", says: /is create, but Cloudflare has the CNAME 1{32}.*creating another fails/ },
    { title: "another record's id already set", live: [cname], current: `${ZONE.id}/${"f".repeat(32)}`, says: /is 'a{32}\/f{32}', but the CNAME record of kch\.fitfile\.net is 'a{32}\/1{32}'/ },
  ];
  for (const c of refused) {
    it(`leaves to a person ${c.title}`, () => {
      const finding = decideHost({ ...DECLARED, ...c.declared }, ZONE, c.live, c.current);
      assert.ok("problem" in finding, JSON.stringify(finding));
      assert.match(finding.problem, c.says);
    });
  }
});

type Answer = { status: number; body: unknown };

/** A fetch that answers from a table of paths (with query) to an answer, or a function making one (or throwing), and records what it was asked. */
function fakeFetch(routes: Record<string, Answer | (() => Answer)>, asked: string[] = []): typeof fetch {
  return (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input.toString());
    asked.push(`${init?.method ?? "GET"} ${url.pathname}${url.search}`);
    const route = routes[`${url.pathname.replace("/client/v4/", "")}${url.search}`] ?? { status: 404, body: { success: false, errors: [{ code: 7000, message: "No route for that URI" }], messages: [], result: null } };
    // A route that throws rejects the promise, as fetch does when it cannot connect.
    return new Promise<Response>((resolve) => {
      const { status, body } = typeof route === "function" ? route() : route;
      resolve(new Response(typeof body === "string" ? body : JSON.stringify(body), { status }));
    });
  };
}

const ok = (result: unknown, info?: unknown) => ({ status: 200, body: { success: true, errors: [], messages: [], result, ...(info ? { result_info: info } : {}) } });
const failed = (status: number, code: number, message: string) => ({ status, body: { success: false, errors: [{ code, message }], messages: [], result: null } });
const reader = (routes: Parameters<typeof fakeFetch>[0], asked: string[] = []) =>
  new CloudflareReader({ baseUrl: "http://127.0.0.1:9/client/v4", token: "t0ken", fetch: fakeFetch(routes, asked), retries: 1, retryDelayMs: 1 });
const ZONES_QUERY = "zones?name=fitfile.net&page=1&per_page=50";
const recordsQuery = (host: string, page = 1) => `zones/${ZONE.id}/dns_records?name.exact=${host}&page=${page}&per_page=100`;

describe("adopt-ids: reading Cloudflare", () => {
  async function refusal(run: () => Promise<unknown>): Promise<string> {
    try {
      await run();
    } catch (e) {
      assert.ok(e instanceof CliError, String(e));
      assert.equal(e.exitCode, EXIT_CLOUDFLARE);
      assert.doesNotMatch(e.message, /t0ken/, "the token is never printed");
      return e.message;
    }
    assert.fail("no refusal");
  }
  const cases: { title: string; route: Answer | (() => Answer); says: RegExp }[] = [
    { title: "an unknown token", route: failed(403, 9109, "Invalid access token"), says: /refused the token in CLOUDFLARE_API_TOKEN \(403: 9109 Invalid access token\)/ },
    { title: "a malformed Authorization header", route: { status: 400, body: { success: false, errors: [{ code: 6003, message: "Invalid request headers", error_chain: [{ code: 6111, message: "Invalid format for Authorization header" }] }], messages: [], result: null } }, says: /refused the token .*6003 Invalid request headers: 6111/ },
    { title: "a token without the permission", route: failed(403, 10000, "Authentication error"), says: /may not read zone fitfile\.net \(403: 10000 Authentication error\): it needs Zone → Zone → Read/ },
    { title: "a server error, still there when tried again", route: failed(503, 1000, "down"), says: /answered 503 reading zone fitfile\.net: 1000 down/ },
    { title: "an answer that is no Cloudflare envelope", route: { status: 200, body: "<html>login</html>" }, says: /without Cloudflare's response envelope .* is CLOUDFLARE_BASE_URL the API's base URL/ },
    { title: "a list answered with no list", route: ok({ id: "x" }), says: /answered a list of zone fitfile\.net with no list/ },
    { title: "a refused connection", route: () => { throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }); }, says: /cannot reach the Cloudflare API at http:\/\/127\.0\.0\.1:9\/client\/v4 reading zone fitfile\.net \(ECONNREFUSED\)/ },
    { title: "no answer in time", route: () => { throw Object.assign(new Error("timed out"), { name: "TimeoutError" }); }, says: /\(no answer within 30s\)/ },
  ];
  for (const c of cases) {
    it(`reports ${c.title}`, async () => {
      assert.match(await refusal(() => reader({ [ZONES_QUERY]: c.route }).zonesNamed("fitfile.net")), c.says);
    });
  }

  it("tries a 503 again, and reads every page of a list", async () => {
    let calls = 0;
    const asked: string[] = [];
    const flaky = reader(
      {
        [ZONES_QUERY]: () => (calls++ === 0 ? failed(503, 1, "busy") : ok([ZONE])),
        [recordsQuery("kch.fitfile.net")]: ok([record("1", "A", "192.0.2.1")], { page: 1, per_page: 100, total_pages: 2 }),
        [recordsQuery("kch.fitfile.net", 2)]: ok([record("2", "A", "192.0.2.2")], { page: 2, per_page: 100, total_pages: 2 }),
      },
      asked,
    );
    assert.deepEqual(await flaky.zonesNamed("fitfile.net"), [ZONE]);
    assert.equal(calls, 2);
    const records = await flaky.recordsNamed(ZONE.id, "kch.fitfile.net");
    assert.deepEqual(records.map((r) => r.content), ["192.0.2.1", "192.0.2.2"]);
    assert.ok(asked.every((line) => line.startsWith("GET ")), asked.join("\n"));
  });

  it("answers a zone that is not there with nothing, not an error", async () => {
    assert.equal(await reader({}).zone(ZONE.id), undefined);
  });

  const urls: [string, RegExp | undefined][] = [
    ["https://api.cloudflare.com/client/v4", undefined],
    ["http://127.0.0.1:8080/client/v4", undefined],
    ["http://localhost:8080/client/v4", undefined],
    ["http://api.example.com/client/v4", /must be https/],
    ["ftp://127.0.0.1/client/v4", /must be https/],
    ["api.cloudflare.com/client/v4", /is not a URL/],
    ["https://user:pw@api.cloudflare.com/client/v4", /without credentials/],
    ["https://api.cloudflare.com/client/v4?x=1", /without credentials, query/],
  ];
  for (const [url, says] of urls) {
    it(`${says ? "refuses" : "takes"} CLOUDFLARE_BASE_URL ${url}`, () => {
      if (!says) return void checkBaseUrl(url);
      assert.throws(() => checkBaseUrl(url), (e: unknown) => e instanceof CliError && says.test(e.message) && !e.message.includes("pw"));
    });
  }

  it("refuses a token with a space or a line break in it, before any request", () => {
    for (const token of ["tok en", "token\n", ""]) {
      assert.throws(() => new CloudflareReader({ baseUrl: "https://api.cloudflare.com/client/v4", token }), /CLOUDFLARE_API_TOKEN holds spaces/);
    }
  });
});

describe("adopt-ids: the stack file", () => {
  const STACK = "kch-prod";
  const FILE = `stacks/Pulumi.${STACK}.yaml`;
  const adoptFile = (ids = "") => `# Provider settings of kch-prod\nconfig:\n  kubernetes:context: test\n  # adopted from Helm\n  ffnodes:adopt: true\n  ffnodes:adoptIds:\n    vault-credentials: create\n${ids}`;
  const root = (stackText: string, prod = "domain: kch.fitfile.net\nextraHosts: [kch-api.fitfile.net]") => {
    const files = customerFixture("kch", prod);
    return fixtureRoot({ ...files, [FILE]: stackText });
  };
  const live = (extra: Parameters<typeof fakeFetch>[0] = {}) =>
    reader({
      [ZONES_QUERY]: ok([ZONE]),
      [recordsQuery("kch.fitfile.net")]: ok([record("1", "CNAME", "ingress.fitfile.net")]),
      [recordsQuery("kch-api.fitfile.net")]: ok([record("2", "CNAME", "ingress.fitfile.net", "kch-api.fitfile.net")]),
      ...extra,
    });
  const quiet = { dryRun: false, progress: () => undefined };

  it("writes every host's id under ffnodes:adoptIds, keeping the file's comments and other keys", async () => {
    const dir = root(adoptFile(`    dns-kch.fitfile.net: "<zone id>/<record id>"\n`));
    const result = await adoptIds(dir, STACK, live(), quiet);
    assert.equal(result.written, true);
    const text = fs.readFileSync(path.join(dir, FILE), "utf8");
    assert.match(text, /^# Provider settings of kch-prod\n/);
    assert.match(text, /  # adopted from Helm\n/);
    assert.match(text, /vault-credentials: create/);
    assert.match(text, new RegExp(`dns-kch\\.fitfile\\.net: "?${ZONE.id}/${"1".repeat(32)}"?\\n`));
    assert.match(text, new RegExp(`dns-kch-api\\.fitfile\\.net: "?${ZONE.id}/${"2".repeat(32)}"?\\n`));
    const again = await adoptIds(dir, STACK, live(), quiet);
    assert.equal(again.written, false, "a second run finds the same ids and writes nothing");
  });

  it("writes nothing when one host needs a decision, and names that host's key", async () => {
    const text = adoptFile();
    const dir = root(text);
    const missing = live({ [recordsQuery("kch-api.fitfile.net")]: ok([]) });
    let problems: { file: string; path: string; message: string }[] = [];
    try {
      await adoptIds(dir, STACK, missing, quiet);
    } catch (e) {
      problems = (e as { problems: typeof problems }).problems;
    }
    assert.deepEqual(problems.map((p) => `${p.file}: ${p.path}`), [`${FILE}: config.ffnodes:adoptIds.dns-kch-api.fitfile.net`]);
    assert.equal(fs.readFileSync(path.join(dir, FILE), "utf8"), text);
  });

  it("refuses a record another stack adopts already, naming that stack's key", async () => {
    const dir = root(adoptFile());
    const otherFile = "stacks/Pulumi.kch-staging.yaml";
    fs.writeFileSync(path.join(dir, otherFile), `config:\n  kubernetes:context: test\n  ffnodes:adopt: true\n  ffnodes:adoptIds:\n    dns-kch.fitfile.net: ${ZONE.id}/${"1".repeat(32)}\n`);
    let problems: { file: string; path: string; message: string }[] = [];
    try {
      await adoptIds(dir, STACK, live(), quiet);
    } catch (e) {
      problems = (e as { problems: typeof problems }).problems;
    }
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.equal(`${problems[0].file}: ${problems[0].path}`, `${FILE}: config.ffnodes:adoptIds.dns-kch.fitfile.net`);
    assert.match(problems[0].message, /is adopted by stack kch-staging too \(stacks\/Pulumi\.kch-staging\.yaml: config\.ffnodes:adoptIds\.dns-kch\.fitfile\.net\)/);
    assert.equal(fs.readFileSync(path.join(dir, FILE), "utf8"), adoptFile());
  });

  it("a dry run writes nothing", async () => {
    const text = adoptFile();
    const dir = root(text);
    const result = await adoptIds(dir, STACK, live(), { ...quiet, dryRun: true });
    assert.equal(Object.keys(result.ids).length, 2);
    assert.equal(fs.readFileSync(path.join(dir, FILE), "utf8"), text);
  });

  it("tells a zone Cloudflare does not have at the key that names the zone", async () => {
    const dir = root(adoptFile(), "domain: kch.fitfile.net\ndns: { zones: [{ name: fitfile.net }] }");
    let problems: { file: string; path: string; message: string }[] = [];
    try {
      await adoptIds(dir, STACK, live({ [ZONES_QUERY]: ok([]) }), quiet);
    } catch (e) {
      problems = (e as { problems: typeof problems }).problems;
    }
    assert.equal(problems.length, 1);
    assert.equal(`${problems[0].file}: ${problems[0].path}`, "customers/kch.yaml: environments.prod.dns.zones.0");
    assert.match(problems[0].message, /no zone of this name in the accounts the token can read/);
  });

  it("checks a zone id that dns.zones gives, and refuses one of another zone", async () => {
    const other = "b".repeat(32);
    const dir = root(adoptFile(), `domain: kch.fitfile.net\ndns: { zones: [{ name: fitfile.net, id: ${other} }] }`);
    const problems = await (async () => {
      try {
        await adoptIds(dir, STACK, live({ [`zones/${other}`]: ok({ id: other, name: "fitfile.co.uk", status: "active" }) }), quiet);
      } catch (e) {
        return (e as { problems: { message: string }[] }).problems;
      }
      return [];
    })();
    assert.match(problems.map((p) => p.message).join("\n"), /id b{32} is Cloudflare's zone fitfile\.co\.uk/);
  });

  const refusals: { title: string; stackText: string; prod?: string; says: RegExp }[] = [
    { title: "a stack not in adopt mode", stackText: "config:\n  kubernetes:context: test\n", says: /config\.ffnodes:adopt: the stack is not in adopt mode/ },
    { title: "adoptIds that are no mapping", stackText: "config:\n  kubernetes:context: test\n  ffnodes:adopt: true\n  ffnodes:adoptIds: [a]\n", says: /config\.ffnodes:adoptIds/ },
    { title: "a DNS key of a host the stack does not have", stackText: adoptFile("    dns-kch-old.fitfile.net: create\n"), says: /config\.ffnodes:adoptIds\.dns-kch-old\.fitfile\.net/ },
  ];
  for (const r of refusals) {
    it(`refuses ${r.title}, touching nothing`, async () => {
      const dir = root(r.stackText, r.prod);
      const outcome = await runCommand(() => adoptIdsCommand(["--stack", STACK], dir, { CLOUDFLARE_API_TOKEN: "t0ken", CLOUDFLARE_BASE_URL: "http://127.0.0.1:9/client/v4" }, () => undefined));
      assert.equal(outcome.status, 1, outcome.stderr);
      assert.match(outcome.stderr, r.says);
      assert.equal(fs.readFileSync(path.join(dir, FILE), "utf8"), r.stackText);
    });
  }

  it("says so for a stack with DNS off, and reads nothing", async () => {
    const dir = root(adoptFile(), "domain: kch.fitfile.net\ndns: { enabled: false }");
    const asked: string[] = [];
    const result = await adoptIds(dir, STACK, reader({}, asked), quiet);
    assert.match(result.nothingToFind ?? "", /DNS is off for kch-prod/);
    assert.deepEqual(asked, []);
  });

  it("refuses a stack file that is a symbolic link", async () => {
    const dir = root(adoptFile());
    const target = path.join(dir, "elsewhere.yaml");
    fs.renameSync(path.join(dir, FILE), target);
    fs.symlinkSync(target, path.join(dir, FILE));
    const problems = await (async () => {
      try {
        await adoptIds(dir, STACK, live(), quiet);
      } catch (e) {
        return (e as { problems: { message: string }[] }).problems;
      }
      return [];
    })();
    assert.match(problems.map((p) => p.message).join("\n"), /symbolic link/);
    assert.equal(fs.readFileSync(target, "utf8"), adoptFile());
  });

  const usage: { title: string; argv: string[]; env: NodeJS.ProcessEnv; status: number; says: RegExp }[] = [
    { title: "neither --stack nor --all", argv: [], env: { CLOUDFLARE_API_TOKEN: "t" }, status: 2, says: /give exactly one of --stack <name> or --all/ },
    { title: "both --stack and --all", argv: ["--stack", STACK, "--all"], env: { CLOUDFLARE_API_TOKEN: "t" }, status: 2, says: /give exactly one of --stack <name> or --all/ },
    { title: "no token", argv: ["--stack", STACK], env: {}, status: 2, says: /CLOUDFLARE_API_TOKEN is not set/ },
    { title: "an unknown stack", argv: ["--stack", "kch-prd"], env: { CLOUDFLARE_API_TOKEN: "t" }, status: 1, says: /no such stack \(did you mean kch-prod\?\)/ },
    { title: "an unknown flag", argv: ["--stack", STACK, "--write"], env: { CLOUDFLARE_API_TOKEN: "t" }, status: 2, says: /--write/ },
    { title: "a plain-http base URL off this machine", argv: ["--stack", STACK], env: { CLOUDFLARE_API_TOKEN: "t", CLOUDFLARE_BASE_URL: "http://api.example.com/client/v4" }, status: 6, says: /must be https/ },
  ];
  for (const u of usage) {
    it(`refuses ${u.title}`, async () => {
      const dir = root(adoptFile());
      const outcome = await runCommand(() => adoptIdsCommand(u.argv, dir, u.env, () => undefined));
      assert.equal(outcome.status, u.status, outcome.stderr);
      assert.match(outcome.stderr, u.says);
      assert.equal(fs.readFileSync(path.join(dir, FILE), "utf8"), adoptFile());
    });
  }

  describe("--all", () => {
    const ACME_FILE = "stacks/Pulumi.acme-prod.yaml";
    const OTHER_FILE = "stacks/Pulumi.ff-prod.yaml";
    const acmeFile = "config:\n  kubernetes:context: test\n  ffnodes:adopt: true\n";
    const fleet = () => {
      const dir = root(adoptFile());
      const files: Record<string, string> = { ...customerFixture("acme", "domain: acme.fitfile.net"), ...customerFixture("ff", "domain: ff.fitfile.net"), [ACME_FILE]: acmeFile };
      for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
      return { dir, otherText: files[OTHER_FILE] };
    };
    const acmeRecord = (id: string) => ({ [recordsQuery("acme.fitfile.net")]: ok([record(id, "CNAME", "ingress.fitfile.net", "acme.fitfile.net")]) });
    async function problemsOf(run: () => Promise<unknown>): Promise<{ file: string; path: string; message: string }[]> {
      try {
        await run();
      } catch (e) {
        return (e as { problems: { file: string; path: string; message: string }[] }).problems;
      }
      return assert.fail("no problem");
    }

    it("writes every stack in adopt mode, and leaves the others as they are", async () => {
      const { dir, otherText } = fleet();
      const { results, notInAdoptMode } = await adoptIdsForAll(dir, live(acmeRecord("3")), quiet);
      assert.deepEqual(Object.keys(results).sort(), ["acme-prod", "kch-prod"]);
      assert.deepEqual(notInAdoptMode, ["ff-prod"]);
      assert.match(fs.readFileSync(path.join(dir, ACME_FILE), "utf8"), new RegExp(`dns-acme\\.fitfile\\.net: "?${ZONE.id}/${"3".repeat(32)}"?\\n`));
      assert.match(fs.readFileSync(path.join(dir, FILE), "utf8"), new RegExp(`dns-kch-api\\.fitfile\\.net: "?${ZONE.id}/${"2".repeat(32)}"?\\n`));
      assert.equal(fs.readFileSync(path.join(dir, OTHER_FILE), "utf8"), otherText);
    });

    it("writes nothing at all when one stack needs a decision, naming that stack's key", async () => {
      const { dir } = fleet();
      const problems = await problemsOf(() => adoptIdsForAll(dir, live({ [recordsQuery("acme.fitfile.net")]: ok([]) }), quiet));
      assert.deepEqual(problems.map((p) => `${p.file}: ${p.path}`), [`${ACME_FILE}: config.ffnodes:adoptIds.dns-acme.fitfile.net`]);
      assert.equal(fs.readFileSync(path.join(dir, FILE), "utf8"), adoptFile(), "the stack with no problem is not written either");
      assert.equal(fs.readFileSync(path.join(dir, ACME_FILE), "utf8"), acmeFile);
    });

    it("refuses one record found for two stacks, writing neither", async () => {
      const { dir } = fleet();
      const problems = await problemsOf(() => adoptIdsForAll(dir, live(acmeRecord("1")), quiet));
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(`${problems[0].file}: ${problems[0].path}`, `${FILE}: config.ffnodes:adoptIds.dns-kch.fitfile.net`);
      assert.match(problems[0].message, /was found for stack acme-prod too \(stacks\/Pulumi\.acme-prod\.yaml: config\.ffnodes:adoptIds\.dns-acme\.fitfile\.net\)/);
      assert.equal(fs.readFileSync(path.join(dir, FILE), "utf8"), adoptFile());
      assert.equal(fs.readFileSync(path.join(dir, ACME_FILE), "utf8"), acmeFile);
    });

    it("a dry run writes nothing", async () => {
      const { dir } = fleet();
      const { results } = await adoptIdsForAll(dir, live(acmeRecord("3")), { ...quiet, dryRun: true });
      assert.equal(Object.keys(results["acme-prod"].ids).length, 1);
      assert.equal(fs.readFileSync(path.join(dir, ACME_FILE), "utf8"), acmeFile);
      assert.equal(fs.readFileSync(path.join(dir, FILE), "utf8"), adoptFile());
    });
  });

  it("sets ids under the key the file spells, adding the mapping when there is none", () => {
    assert.match(withAdoptIds("config:\n  adoptIds:\n    namespace: x\n", { "dns-a.fitfile.net": "create" }), /^config:\n  adoptIds:\n    namespace: x\n    dns-a\.fitfile\.net: create\n$/);
    assert.match(withAdoptIds("config:\n  k: v\n", { "dns-a.fitfile.net": "create" }), /ffnodes:adoptIds:\n    dns-a\.fitfile\.net: create\n$/);
  });
});
