import * as assert from "node:assert/strict";
import { isCiphertext, requiredCredentials, unsetSecretProblems } from "../src/config/provider-secrets";
import { formatProblem } from "../src/config/problems";
import { planStack } from "../src/plan/engine";
import { REPO_ROOT, fixtureRoot, resolveStack } from "./helpers";

const PROD = { dns: { enabled: true }, certificates: { mode: "cluster-issuer" } } as Parameters<typeof requiredCredentials>[0];
const LOCAL = { dns: { enabled: false }, certificates: { mode: "self-signed" } } as Parameters<typeof requiredCredentials>[0];
const ORIGIN_CA = { dns: { enabled: false }, certificates: { mode: "origin-ca" } } as Parameters<typeof requiredCredentials>[0];

describe("provider secrets a stack needs before a preview or an update", () => {
  it("tells a ciphertext Pulumi decrypts (sdk crypt.go: v1:<nonce>:<ciphertext>; Pulumi Cloud: base64) from a placeholder", () => {
    for (const value of ["v1:bm9uY2Vub25jZQ==:Y2lwaGVydGV4dA==", "v1:Tk9OQ0VOT05DRU5P:AAEC", "AAABAJ+ciphertextAAA", "Y2lwaGVydGV4dA=="]) assert.ok(isCiphertext(value), value);
    for (const value of ["placeholder-set-with-pulumi-config-set-secret", "", "<token>", "v1:abc", "v2:AAAA:AAAA", "v1:AAAA:AAAA:AAAA", "v1:AA-A:AAAA", "changeme!", 42, undefined, { secure: "x" }]) {
      assert.ok(!isCiphertext(value), JSON.stringify(value));
    }
  });

  it("Cloudflare's credential where the stack manages DNS records or Origin CA certificates, nothing where it uses no Cloudflare", () => {
    assert.deepEqual(requiredCredentials(LOCAL), []);
    assert.match(requiredCredentials(PROD)[0].why, /DNS records \(dns\.enabled\)/);
    assert.match(requiredCredentials(ORIGIN_CA)[0].why, /Origin CA certificates/);
    assert.deepEqual(requiredCredentials(PROD)[0].keys[0], "cloudflare:apiToken");
  });

  const stack = "ff-a-prod";
  const file = "stacks/Pulumi.ff-a-prod.yaml";
  const problems = (keys: string[], placeholders: string[], env: NodeJS.ProcessEnv, settings = PROD) =>
    unsetSecretProblems({ stack, file, keys, placeholders, needed: requiredCredentials(settings) }, env).map(formatProblem);

  it("names the stack file, the key and the command, for a placeholder and for a credential set nowhere", () => {
    assert.deepEqual(problems(["cloudflare:apiToken", "kubernetes:context"], ["cloudflare:apiToken"], {}), [
      "stacks/Pulumi.ff-a-prod.yaml: config.cloudflare:apiToken: a placeholder, not an encrypted secret: set it with `pulumi config set --secret cloudflare:apiToken <value> -s ff-a-prod`",
    ]);
    assert.deepEqual(problems(["kubernetes:context"], [], { CLOUDFLARE_API_TOKEN: "" }), [
      "stacks/Pulumi.ff-a-prod.yaml: config.cloudflare:apiToken: not set, and the stack manages Cloudflare DNS records (dns.enabled): `pulumi config set --secret cloudflare:apiToken <value> -s ff-a-prod` (the stack must exist first: `pulumi stack init ff-a-prod`), or set CLOUDFLARE_API_TOKEN in the environment",
    ]);
    // A placeholder of another provider's secret, in a stack that needs no Cloudflare.
    assert.deepEqual(problems(["vault:token"], ["vault:token"], {}, LOCAL), [
      "stacks/Pulumi.ff-a-prod.yaml: config.vault:token: a placeholder, not an encrypted secret: set it with `pulumi config set --secret vault:token <value> -s ff-a-prod`",
    ]);
  });

  it("accepts the credential from the config or from any variable the provider reads", () => {
    for (const keys of [["cloudflare:apiToken"], ["cloudflare:apiKey"], ["cloudflare:apiUserServiceKey"]]) assert.deepEqual(problems(keys, [], {}), [], keys[0]);
    for (const name of ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_API_USER_SERVICE_KEY"]) assert.deepEqual(problems([], [], { [name]: "x" }), [], name);
    assert.deepEqual(problems([], [], {}, LOCAL), []);
  });

  it("npm run plan still plans a stack whose token is a placeholder or missing, offline: it never decrypts", async () => {
    const root = fixtureRoot({ "stacks/Pulumi.ff-b-prod.yaml": "config:\n  kubernetes:context: fitfile-prod\n  cloudflare:apiToken:\n    secure: placeholder-set-with-pulumi-config-set-secret\n" }, { withRepoCustomers: true });
    for (const [where, name] of [[root, "ff-b-prod"], [REPO_ROOT, "ff-a-prod"]] as const) {
      const plan = await planStack(where, name);
      assert.ok(plan.resources.some((r) => r.type === "cloudflare:index/dnsRecord:DnsRecord"), name);
      assert.ok(!JSON.stringify(plan).includes("placeholder-set-with"));
    }
    assert.equal(resolveStack(root, "ff-b-prod").settings.dns.enabled, true);
  });
});
