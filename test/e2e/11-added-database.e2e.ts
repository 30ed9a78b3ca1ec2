// A database listed after the first `up`, against the real `pulumi` and Vault: the credentials
// secret is written once, and the next `up` adds the new database's keys to it without changing
// a key it has (a rotated password, a key an operator added), then has nothing left to do. Every
// `pulumi` here runs as the README's least-privileged deployer, its Vault policy and its
// Kubernetes RBAC read from the README as written.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { environment } from "./hooks";
import { kubectl, vaultApi } from "./harness";
import { Workdir } from "../../e2e/workdir";
import { REPO_ROOT } from "../../e2e/env";
import { CREDENTIAL_KEYS_TYPE } from "../../src/components/credential-keys";

const STACK = "late-prod";
const CUSTOMER_FILE = "customers/late.yaml";
const customerFile = (databases: string[]) => `name: late
displayName: Late
fitConnectCode: FITConnect Late
dns:
  enabled: false
storage:
  minio: { size: 1Gi }
  postgresql: { size: 1Gi }
vault:
  credentials:
    databases: [${databases.join(", ")}]
environments:
  prod:
    domain: late.fitfile.net
    extraHosts: [late-pgweb.fitfile.net]
    addons: [pgweb]
    team: { group: late-developers, clusterRole: admin }
`;

/** The README's code block of a language that follows a marker, unindented. */
function readmeBlock(marker: string, language: string): string {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `the README has no '${marker}'`);
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(readme.slice(at));
  assert.ok(block, `the README has no ${language} block after '${marker}'`);
  const lines = block[1].split("\n");
  const indent = /^ */.exec(lines[0])![0].length;
  return lines.map((line) => line.slice(indent)).join("\n");
}

/** The README's Vault policy for the identity that runs `pulumi up`, filled in for a customer on its own mount. */
function deployerPolicy(namespace: string, authMount: string): string {
  return readmeBlock("**Vault policy** of the identity that runs `pulumi up`", "hcl")
    .replaceAll("<ns>", namespace)
    .replaceAll("<auth-mount>", authMount)
    .replaceAll("<mount>", `${namespace}-application`)
    .replaceAll("<prefix>", "");
}

/** A kubeconfig for the README's deployer ServiceAccount, its RBAC applied as the README writes it. */
function deployerKubeconfig(dir: string): string {
  const env = environment();
  kubectl(env, ["create", "namespace", "ffnodes"]);
  kubectl(env, ["create", "serviceaccount", "ffnodes-deployer", "-n", "ffnodes"]);
  kubectl(env, ["apply", "-f", "-"], readmeBlock("**Kubernetes RBAC**", "yaml"));
  const token = kubectl(env, ["create", "token", "ffnodes-deployer", "-n", "ffnodes", "--duration", "2h"]).trim();
  const kubeconfig = path.join(dir, "kubeconfig");
  fs.copyFileSync(env.kubeconfig, kubeconfig);
  const context = /^current-context: (.*)$/m.exec(fs.readFileSync(kubeconfig, "utf8"))![1];
  kubectl(env, ["--kubeconfig", kubeconfig, "config", "set-credentials", "ffnodes-deployer", `--token=${token}`]);
  kubectl(env, ["--kubeconfig", kubeconfig, "config", "set-context", context, "--user=ffnodes-deployer"]);
  return kubeconfig;
}

describe("a database listed after the first up: pulumi up of late-prod, as the README's least-privileged deployer", () => {
  let workdir: Workdir;
  let secretPath: string;
  let identityDir: string;
  const secretData = async () => {
    const secret = await vaultApi(environment(), "GET", secretPath);
    assert.ok(secret, `${secretPath} does not exist`);
    return (secret.data as { data: Record<string, string> }).data;
  };

  before(async () => {
    const env = environment();
    await vaultApi(env, "PUT", "sys/policies/acl/ffnodes-deployer-late", { policy: deployerPolicy("late", "kubernetes") });
    const token = (await vaultApi(env, "POST", "auth/token/create", { policies: ["ffnodes-deployer-late"], ttl: "1h" })) as { auth: { client_token: string } };
    identityDir = fs.mkdtempSync(path.join(os.tmpdir(), "ffnodes-e2e-deployer-"));
    const kubeconfig = deployerKubeconfig(identityDir);
    workdir = new Workdir({ ...env, vars: { ...env.vars, VAULT_TOKEN: token.auth.client_token, KUBECONFIG: kubeconfig } });
    workdir.write(CUSTOMER_FILE, customerFile(["postgresql"]));
    workdir.write(`stacks/Pulumi.${STACK}.yaml`, workdir.read("stacks/Pulumi.e2e-prod.yaml"));
    const outputs = workdir.up(STACK);
    secretPath = (outputs.vault as { appSecretPath: string }).appSecretPath;
  });
  after(() => {
    workdir.remove();
    fs.rmSync(identityDir, { recursive: true, force: true });
  });

  it("writes the keys of the databases listed at the first up", async () => {
    assert.deepEqual(Object.keys(await secretData()).sort(), ["postgresql_password", "postgresql_username"]);
  });

  it("adds the new database's keys on the next up, and keeps a rotated password and an operator's key", async () => {
    const before = await secretData();
    const operated = { ...before, postgresql_password: "rotated-by-an-operator", sleuth_api_key: "set-by-an-operator" };
    await vaultApi(environment(), "POST", secretPath, { data: operated });

    workdir.write(CUSTOMER_FILE, customerFile(["postgresql", "mongodb"]));
    const preview = workdir.pulumi(["preview", "--json", "-s", STACK]);
    const steps = (JSON.parse(preview) as { steps: { op: string; newState: { type: string } }[] }).steps.filter((s) => s.op !== "same");
    assert.deepEqual(
      steps.map((s) => `${s.op} ${s.newState.type}`).sort(),
      ["create random:index/randomPassword:RandomPassword", "create random:index/randomString:RandomString", `update ${CREDENTIAL_KEYS_TYPE}`],
      "adding a database creates its generated values and updates the keys, and replaces nothing",
    );
    workdir.pulumi(["up", "--yes", "--skip-preview", "-s", STACK]);

    const after = await secretData();
    assert.deepEqual(Object.keys(after).sort(), ["mongodb_password", "mongodb_username", "postgresql_password", "postgresql_username", "sleuth_api_key"]);
    for (const key of Object.keys(operated)) assert.equal(after[key], operated[key as keyof typeof operated], `${key} changed`);
    assert.match(after.mongodb_username, /^mongodb_[a-z0-9]{8}$/);
    assert.ok(after.mongodb_password.length >= 16, "the mongodb password is short");
  });

  it("has nothing left to do afterwards, nor after a refresh", () => {
    workdir.pulumi(["preview", "--expect-no-changes", "-s", STACK]);
    workdir.pulumi(["refresh", "--yes", "--skip-preview", "-s", STACK]);
    workdir.pulumi(["preview", "--expect-no-changes", "-s", STACK]);
  });

  it("keeps the values encrypted in the state and only the key names as the resource's outputs", () => {
    const state = JSON.parse(workdir.pulumi(["stack", "export", "-s", STACK])) as {
      deployment: { resources: { type: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[] };
    };
    const keys = state.deployment.resources.filter((r) => r.type === CREDENTIAL_KEYS_TYPE);
    assert.equal(keys.length, 1);
    const values = keys[0].inputs?.values as Record<string, unknown> | undefined;
    assert.ok(values && "ciphertext" in values, `the values are not encrypted: ${JSON.stringify(values)}`);
    assert.deepEqual(keys[0].outputs?.keys, ["mongodb_password", "mongodb_username", "postgresql_password", "postgresql_username"]);
    assert.ok(!JSON.stringify(keys[0].outputs).includes("rotated-by-an-operator"));
  });
});
