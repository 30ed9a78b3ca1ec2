// The dynamic provider that adds a later database's keys to the credentials secret, loaded from its
// text as the engine's Node.js provider host loads it, against a stand-in for Vault's kv-v2 HTTP
// API on loopback that records each request. What real Vault makes of those requests (subkeys,
// merge PATCH, check-and-set) is checked by test/e2e/11-added-database.e2e.ts.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import * as vm from "node:vm";
import { CredentialKeysInputs, CredentialKeysOutputs, PROVIDER_SOURCE, credentialKeysProvider } from "../src/components/credential-keys";
import { nonEmpty, tempDir } from "./helpers";

type Provider = ReturnType<typeof credentialKeysProvider>;

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Answers GET subkeys and PATCH data like kv-v2 for one secret; a request of the refusal's method (any, unset) gets the refusal. */
class FakeKv {
  readonly requests: Recorded[] = [];
  refusal?: { method?: string; status: number; errors: string[] };
  /** Replaces the answer to a subkeys read. */
  subkeysAnswer?: unknown;
  private server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      this.requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString() });
      const answer = (status: number, body: unknown) => response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
      if (this.refusal && (this.refusal.method ?? request.method) === request.method) {
        answer(this.refusal.status, { errors: this.refusal.errors });
      } else if (!this.secret) {
        answer(404, { errors: [] });
      } else if (request.method === "GET" && this.subkeysAnswer !== undefined) {
        answer(200, this.subkeysAnswer);
      } else if (request.method === "GET") {
        answer(200, { data: { subkeys: Object.fromEntries(Object.keys(this.secret).map((k) => [k, null])), metadata: { version: this.version } } });
      } else {
        const patch = JSON.parse(Buffer.concat(chunks).toString()) as { data: Record<string, string> };
        this.secret = { ...this.secret, ...patch.data };
        this.version += 1;
        answer(200, { data: { version: this.version } });
      }
    });
  });

  constructor(
    public secret: Record<string, string> | undefined,
    public version = 3,
  ) {}

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const VALUES = { postgresql_username: "postgresql_u1", postgresql_password: "p1", mongodb_username: "mongodb_u2", mongodb_password: "p2" };

describe("credential keys: the dynamic provider", () => {
  let kv: FakeKv;
  let address: string;
  let provider: Provider;
  const inputs = (values: Record<string, string> = VALUES, connection = {}): CredentialKeysInputs => ({
    connection: { address, token: "deployer-token", ...connection },
    mount: "ff-a-application",
    name: "app",
    values,
  });

  beforeEach(async () => {
    kv = new FakeKv({ postgresql_username: "postgresql_u1", postgresql_password: "rotated", sleuth_api_key: "operator" });
    address = await kv.start();
    // As the provider host compiles the resource's `__provider` input: a CommonJS module of its own.
    const module = { exports: {} as { handler?: () => Provider } };
    vm.compileFunction(PROVIDER_SOURCE, ["exports", "require", "module"])(module.exports, undefined, module);
    provider = module.exports.handler!();
  });
  afterEach(() => kv.stop());

  it("loads from its text alone and deletes nothing in Vault (it has no delete)", () => {
    assert.deepEqual(Object.keys(provider).sort(), ["create", "diff", "update"]);
  });

  it("adds only the keys the secret lacks, checked-and-set against the version it read, and returns key names only", async () => {
    const result = await provider.create(inputs());
    assert.deepEqual(
      kv.requests.map((r) => `${r.method} ${r.url}`),
      ["GET /v1/ff-a-application/subkeys/app?depth=1", "PATCH /v1/ff-a-application/data/app"],
    );
    const patch = kv.requests[1];
    assert.equal(patch.headers["content-type"], "application/merge-patch+json");
    assert.equal(patch.headers["x-vault-token"], "deployer-token");
    assert.deepEqual(JSON.parse(patch.body), { data: { mongodb_username: "mongodb_u2", mongodb_password: "p2" }, options: { cas: 3 } });
    assert.deepEqual(kv.secret, { postgresql_username: "postgresql_u1", postgresql_password: "rotated", sleuth_api_key: "operator", mongodb_username: "mongodb_u2", mongodb_password: "p2" });
    assert.deepEqual(result, { id: "ff-a-application/app", outs: { mount: "ff-a-application", name: "app", keys: Object.keys(VALUES).sort() } });
  });

  it("writes nothing when the secret has every key", async () => {
    kv.secret = { ...VALUES, postgresql_password: "rotated" };
    await provider.update("ff-a-application/app", { mount: "ff-a-application", name: "app", keys: [] }, inputs());
    assert.deepEqual(kv.requests.map((r) => r.method), ["GET"]);
    assert.equal(kv.secret.postgresql_password, "rotated");
  });

  it("sends the Vault namespace of the connection, and none when it has none", async () => {
    await provider.create(inputs(VALUES, { namespace: "team-a" }));
    assert.deepEqual(nonEmpty(kv.requests, "request to Vault").map((r) => r.headers["x-vault-namespace"]), kv.requests.map(() => "team-a"));
    kv.requests.length = 0;
    await provider.create(inputs(VALUES));
    assert.deepEqual(nonEmpty(kv.requests, "request to Vault").map((r) => r.headers["x-vault-namespace"]), kv.requests.map(() => undefined));
  });

  const failures: { what: string; arrange: (kv: FakeKv) => void; message: RegExp }[] = [
    {
      what: "a secret that does not exist (or whose current version is deleted)",
      arrange: (k) => (k.secret = undefined),
      message: /the credentials secret 'app' in the mount 'ff-a-application' does not exist, or its current version is deleted: undelete/,
    },
    {
      what: "a token without the capability",
      arrange: (k) => (k.refusal = { status: 403, errors: ["1 error occurred:\n\t* permission denied\n\n"] }),
      message: /Vault refused GET \/v1\/ff-a-application\/subkeys\/app: 403 1 error occurred:\s+\* permission denied/,
    },
    {
      what: "a write that lost the check-and-set race",
      arrange: (k) => (k.refusal = { method: "PATCH", status: 400, errors: ["check-and-set parameter did not match the current version"] }),
      message: /Vault refused PATCH \/v1\/ff-a-application\/data\/app: 400 check-and-set parameter did not match/,
    },
    {
      what: "an answer with no version to check-and-set against",
      arrange: (k) => (k.subkeysAnswer = { data: { subkeys: { postgresql_username: null } } }),
      message: /Vault's answer to the subkeys read of 'app' in the mount 'ff-a-application' has no key names and version/,
    },
  ];
  for (const { what, arrange, message } of failures) {
    it(`fails with Vault's reason on ${what}`, async () => {
      arrange(kv);
      await assert.rejects(provider.create(inputs()), message);
    });
  }

  it("fails, naming where a connection comes from, with no address or no token", async () => {
    const home = tempDir("home");
    const bare = credentialKeysProvider({ HOME: home });
    await assert.rejects(bare.create({ ...inputs(), connection: { token: "t" } }), /no Vault address: set the stack's vault:address or VAULT_ADDR/);
    await assert.rejects(bare.create({ ...inputs(), connection: { address } }), /no Vault token .*: set VAULT_TOKEN or the stack's secret vault:token/);
    assert.equal(kv.requests.length, 0);
  });

  it("reads the connection from the environment the Vault provider reads, the token file last", async () => {
    const home = tempDir("home");
    fs.writeFileSync(path.join(home, ".vault-token"), "file-token\n");
    await credentialKeysProvider({ HOME: home, VAULT_ADDR: address }).create({ ...inputs(), connection: {} });
    await credentialKeysProvider({ HOME: home, VAULT_ADDR: address, VAULT_TOKEN: "env-token" }).create({ ...inputs(), connection: {} });
    assert.deepEqual(
      kv.requests.filter((r) => r.method === "GET").map((r) => r.headers["x-vault-token"]),
      ["file-token", "env-token"],
    );
  });

  describe("diff: a change only when a key is wanted that the state does not hold", () => {
    const olds: CredentialKeysOutputs = { mount: "ff-a-application", name: "app", keys: ["postgresql_password", "postgresql_username"] };
    const rows: [string, Partial<CredentialKeysInputs>, boolean][] = [
      ["the same keys, new values (values are never compared)", { values: { postgresql_username: "x", postgresql_password: "y" } }, false],
      ["a database removed from the list (its keys stay in Vault)", { values: { postgresql_username: "x" } }, false],
      ["another connection (a new deployer token, another address)", { connection: { address: "https://elsewhere", token: "new" } }, false],
      ["a database added", { values: VALUES }, true],
      ["the secret moved to another mount", { mount: "secret", values: { postgresql_username: "x" } }, true],
      ["the secret renamed", { name: "other", values: { postgresql_username: "x" } }, true],
    ];
    for (const [what, change, changes] of rows) {
      it(`${what}: ${changes ? "changes" : "no changes"}`, async () => {
        const news = { ...inputs({ postgresql_username: "a", postgresql_password: "b" }), ...change };
        assert.deepEqual(await provider.diff("id", olds, news), { changes });
      });
    }
  });
});
