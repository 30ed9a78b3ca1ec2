// What the real platforms accept and allow, for the choices no schema rejects: the API server takes
// the network policies with the API-server, DNS and cluster-CIDR rules; the operator policy lets
// a token patch a secret and delete, undelete and destroy its versions; the generated usernames
// are encrypted in the stack's state; the LimitRange and quota admit a container that sets a
// request but no limit; and it refuses an ipBlock whose except is not strictly inside its cidr.
import { strict as assert } from "node:assert";
import { environment } from "./hooks";
import { vaultApi } from "./harness";
import { kubeGet, kubectl } from "../../e2e/kubectl";
import { Workdir } from "../../e2e/workdir";
import type { StackOutputs } from "../../src/customer";

const STACK = "e2e-prod";

describe("against the real platforms: e2e-prod", () => {
  let workdir: Workdir;
  let outputs: StackOutputs;

  before(() => {
    workdir = new Workdir(environment());
    // The API server's endpoint, set as the README tells operators to set it.
    const stackFile = `stacks/Pulumi.${STACK}.yaml`;
    workdir.write(stackFile, `${workdir.read(stackFile)}  ffnodes:settings:\n    network: { apiServer: { cidrs: [127.0.0.1/32] } }\n`);
    outputs = workdir.up(STACK);
  });
  after(() => workdir.remove());

  it("the API server accepts the egress policies: the API server's endpoint, DNS servers outside kube-system, the cluster CIDRs excepted", () => {
    const namespace = outputs.namespace;
    const apiServer = kubeGet(environment(), "networkpolicy", "allow-egress-api-server", namespace);
    assert.ok(apiServer, "allow-egress-api-server exists");
    assert.deepEqual((apiServer.spec?.egress as { to: unknown[] }[])[0].to, [{ ipBlock: { cidr: "127.0.0.1/32" } }]);
    const dns = kubeGet(environment(), "networkpolicy", "allow-dns", namespace);
    assert.ok(JSON.stringify(dns?.spec).includes("169.254.20.10/32"));
    const external = kubeGet(environment(), "networkpolicy", "allow-egress-external", namespace);
    assert.ok(JSON.stringify(external?.spec).includes("100.64.0.0/10"));
  });

  it("refuses an ipBlock whose except is not strictly inside its cidr, as ffnodes refuses such external egress before any up", () => {
    const namespace = outputs.namespace;
    const create = (cidr: string, except: string[]) =>
      kubectl(
        environment(),
        ["create", "--dry-run=server", "-o", "name", "-f", "-"],
        JSON.stringify({
          apiVersion: "networking.k8s.io/v1",
          kind: "NetworkPolicy",
          metadata: { name: "except-probe", namespace },
          spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr, except } }] }] },
        }),
      );
    // The cases of test/hostile-input.test.ts: CIDRs narrowed past the inherited exceptions.
    assert.throws(() => create("203.0.113.0/24", ["10.0.0.0/8"]), /must be a strict subset of `cidr`/);
    assert.throws(() => create("10.1.0.0/16", ["10.0.0.0/8"]), /must be a strict subset of `cidr`/);
    assert.throws(() => create("10.0.0.0/8", ["10.0.0.0/8"]), /must be a strict subset of `cidr`/);
    assert.match(create("0.0.0.0/1", ["10.0.0.0/8"]), /networkpolicy.*except-probe/);
  });

  // A server-side dry run passes the pod through admission (LimitRanger, ResourceQuota, Pod
  // Security) without keeping it.
  const admit = (namespace: string, name: string, resources: unknown): string => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace },
      spec: { containers: [{ name: "app", image: "registry.invalid/app:1", resources }] },
    };
    return kubectl(environment(), ["create", "--dry-run=server", "-o", "json", "-f", "-"], JSON.stringify(pod));
  };

  it("admits a container that requests more than the default request and sets no limit, capped at the max", () => {
    const namespace = outputs.namespace;
    const admitted = JSON.parse(admit(namespace, "request-only", { requests: { cpu: "1", memory: "1Gi" } })) as {
      spec: { containers: { resources: { requests: Record<string, string>; limits: Record<string, string> } }[] };
    };
    assert.deepEqual(admitted.spec.containers[0].resources, { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "4", memory: "16Gi" } });
    const defaulted = JSON.parse(admit(namespace, "no-resources", {})) as typeof admitted;
    assert.deepEqual(defaulted.spec.containers[0].resources, { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "4", memory: "16Gi" } });
  });

  it("refuses a container that asks for more than the max, with or without a limit of its own", () => {
    const namespace = outputs.namespace;
    assert.throws(() => admit(namespace, "request-too-big", { requests: { cpu: "8" } }), /must be less than or equal to cpu limit of 4/);
    assert.throws(() => admit(namespace, "limit-too-big", { limits: { memory: "32Gi" } }), /maximum memory usage per Container is 16Gi/);
  });

  it("a token of the operator policy patches the credentials secret and deletes, undeletes and destroys its versions", async () => {
    const env = environment();
    const { vault } = outputs;
    const token = (await vaultApi(env, "POST", "auth/token/create", { policies: [vault.policies.operator], ttl: "5m" })) as { auth: { client_token: string } };
    const asOperator = async (method: string, apiPath: string, body: unknown, contentType = "application/json") => {
      const response = await fetch(`${env.vaultAddr}/v1/${apiPath}`, {
        method,
        headers: { "X-Vault-Token": token.auth.client_token, "Content-Type": contentType },
        body: JSON.stringify(body),
      });
      assert.ok(response.ok, `${method} ${apiPath}: ${response.status} ${await response.text()}`);
    };
    const probe = "operator-probe";
    await asOperator("POST", `${vault.mount}/data/${probe}`, { data: { a: "1" } });
    await asOperator("PATCH", `${vault.mount}/data/${probe}`, { data: { b: "2" } }, "application/merge-patch+json");
    await asOperator("POST", `${vault.mount}/delete/${probe}`, { versions: [2] });
    await asOperator("POST", `${vault.mount}/undelete/${probe}`, { versions: [2] });
    await asOperator("PUT", `${vault.mount}/destroy/${probe}`, { versions: [1] });
    await vaultApi(env, "DELETE", `${vault.mount}/metadata/${probe}`);
  });

  it("keeps the generated usernames encrypted in the state, as the passwords", () => {
    const usernames = workdir.stateResources(STACK).filter((r) => r.type === "random:index/randomString:RandomString");
    assert.equal(usernames.length, 2);
    for (const username of usernames) {
      const result = username.outputs?.result;
      assert.ok(typeof result === "object" && result !== null && "ciphertext" in result, JSON.stringify(result));
    }
  });
});
