// A database listed after the first `up`, against the real `pulumi` and Vault: the credentials
// secret is written once, and the next `up` adds the new database's keys to it without changing
// a key it has (a rotated password, a key an operator added), then has nothing left to do. Every
// `pulumi` here runs as the README's least-privileged deployer, its Vault policy and its
// Kubernetes RBAC read from the README as written.
import { strict as assert } from "node:assert";
import { environment } from "./hooks";
import { Deployer, leastPrivilegedDeployer } from "./deployer";
import { kvData, vaultApi } from "./harness";
import { Workdir } from "../../e2e/workdir";
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

describe("a database listed after the first up: pulumi up of late-prod, as the README's least-privileged deployer", () => {
  let workdir: Workdir;
  let secretPath: string;
  let deployer: Deployer | undefined;
  const secretData = async () => {
    const data = await kvData(environment(), secretPath);
    assert.ok(data, `${secretPath} does not exist`);
    return data;
  };

  before(async () => {
    deployer = await leastPrivilegedDeployer(environment(), ["late"]);
    workdir = new Workdir(deployer.env);
    workdir.write(CUSTOMER_FILE, customerFile(["postgresql"]));
    workdir.write(`stacks/Pulumi.${STACK}.yaml`, workdir.read("stacks/Pulumi.e2e-prod.yaml"));
    const outputs = workdir.up(STACK);
    secretPath = outputs.vault.appSecretPath;
  });
  after(() => {
    workdir.remove();
    deployer?.remove();
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
    const keys = workdir.stateResources(STACK).filter((r) => r.type === CREDENTIAL_KEYS_TYPE);
    assert.equal(keys.length, 1);
    const values = keys[0].inputs?.values as Record<string, unknown> | undefined;
    assert.ok(values && "ciphertext" in values, `the values are not encrypted: ${JSON.stringify(values)}`);
    assert.deepEqual(keys[0].outputs?.keys, ["mongodb_password", "mongodb_username", "postgresql_password", "postgresql_username"]);
    assert.ok(!JSON.stringify(keys[0].outputs).includes("rotated-by-an-operator"));
  });
});
