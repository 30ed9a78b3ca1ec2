// The pure parts the namespace and Vault components are composed of, each built from a small
// literal slice of the settings; test/vault.test.ts, test/network.test.ts and test/plan.test.ts
// resolve whole stacks.
import * as assert from "node:assert/strict";
import { limitRange, namespaceObject, networkPolicies, resourceQuota, teamAccess } from "../src/components/namespace";
import { agentInjection, authRole, generatedCredentials, kvMount, secretSyncs, vaultPolicies } from "../src/components/vault";

const NO_ADOPT = { enabled: false, ids: {} };
const ADOPT = { enabled: true, ids: {} };
const OWN = { mount: "a-application", prefix: "" };
const SHARED = { mount: "secret", prefix: "a-application/" };
const meta = (name: string) => ({ name, namespace: "a", labels: { l: "1" } });
const AUTH = { mount: "kubernetes", audience: "aud", tokenTtlSeconds: 600, serviceAccounts: ["ffcloud"] };
const NETWORK = {
  ingressControllerNamespace: "ingress-nginx",
  dnsNamespace: "kube-system",
  dnsCidrs: [],
  apiServer: { cidrs: [], ports: [443] },
  clusterCidrs: [],
  egressNamespaces: [],
  externalEgress: { cidrs: [], except: [], ports: [443] },
};

describe("vault parts, from literal settings", () => {
  it("policies: app-read reads and lists, operator writes and manages versions, only under the space's prefix", () => {
    for (const space of [OWN, SHARED]) {
      const [appRead, operator] = vaultPolicies({ space, policies: { "app-read": "a-app-read", operator: "a-operator" } }, NO_ADOPT);
      assert.deepEqual(appRead.rules, [
        { path: `${space.mount}/data/${space.prefix}*`, capabilities: ["read", "list"] },
        { path: `${space.mount}/metadata/${space.prefix}*`, capabilities: ["read", "list"] },
      ]);
      assert.deepEqual(
        operator.rules.map((r) => r.path),
        ["data", "metadata", "delete", "undelete", "destroy"].map((api) => `${space.mount}/${api}/${space.prefix}*`),
      );
      assert.deepEqual([appRead.name, operator.name, appRead.importId], ["a-app-read", "a-operator", undefined]);
    }
  });

  it("adopt mode imports each object by its derived id, or by the id given under its logical name", () => {
    const [appRead] = vaultPolicies({ space: OWN, policies: { "app-read": "a-app-read", operator: "a-operator" } }, ADOPT);
    assert.equal(appRead.importId, "a-app-read");
    assert.equal(kvMount("a", OWN, "own", { enabled: true, ids: { "vault-mount": "legacy" } })?.importId, "legacy");
    assert.equal(authRole("a", { role: "a", roleId: "auth/kubernetes/role/a", serviceAccounts: [] }, "p", AUTH, ADOPT).importId, "auth/kubernetes/role/a");
    assert.equal(generatedCredentials({ name: "app", apiPath: "a-application/data/app" }, ["mongodb"], 32, { enabled: true, ids: { "vault-credentials": "create" } })?.importId, undefined);
  });

  it("a mount only for an own space; credentials only with databases; syncs only with secrets to sync", () => {
    assert.deepEqual(kvMount("a", OWN, "own", NO_ADOPT)?.args, { path: "a-application", type: "kv", options: { version: "2" }, description: "ffnodes: secrets of a" });
    assert.equal(kvMount("a", SHARED, "shared", NO_ADOPT), undefined);
    assert.equal(generatedCredentials({ name: "app", apiPath: "a-application/data/app" }, [], 32, NO_ADOPT), undefined);
    const operator = { serviceAccount: "vso", refreshAfter: "1h" };
    assert.equal(secretSyncs({ namespace: "a", labels: {}, space: OWN, role: "a" }, { extraSecrets: [], secretsOperator: operator, auth: AUTH }), undefined);
  });

  it("the auth role binds the given accounts of its own namespace only, with the app-read policy", () => {
    const { args } = authRole("a", { role: "a", roleId: "auth/kubernetes/role/a", serviceAccounts: ["ffcloud", "pgweb"] }, "a-app-read", AUTH, NO_ADOPT);
    assert.deepEqual(args, {
      backend: "kubernetes",
      roleName: "a",
      boundServiceAccountNames: ["ffcloud", "pgweb"],
      boundServiceAccountNamespaces: ["a"],
      audience: "aud",
      tokenTtl: 600,
      tokenPolicies: ["a-app-read"],
    });
  });

  it("agent injection: one template and three annotations per database, under /secrets", () => {
    const { templates, agentAnnotations } = agentInjection("secret/data/a/app", "a", "k8s/prod", ["postgresql"]);
    assert.deepEqual(Object.keys(templates), ["postgresql.json"]);
    assert.match(templates["postgresql.json"], /^\{\{ with secret "secret\/data\/a\/app" -\}\}/);
    assert.deepEqual(agentAnnotations, {
      "vault.hashicorp.com/agent-inject": "true",
      "vault.hashicorp.com/auth-path": "auth/k8s/prod",
      "vault.hashicorp.com/role": "a",
      "vault.hashicorp.com/agent-inject-secret-postgresql.json": "secret/data/a/app",
      "vault.hashicorp.com/agent-inject-template-postgresql.json": templates["postgresql.json"],
      "vault.hashicorp.com/secret-volume-path-postgresql.json": "/secrets",
    });
  });

  it("syncs read only the customer's space, sorted by secret, and map keys when asked", () => {
    const sync = secretSyncs(
      { namespace: "a", labels: { l: "1" }, space: SHARED, role: "a" },
      {
        extraSecrets: [
          { secretName: "z-secret", vaultSecret: "z" },
          { secretName: "b-secret", vaultSecret: "b/c", keys: { token: "api_token" } },
        ],
        secretsOperator: { serviceAccount: "vso", refreshAfter: "30m" },
        auth: AUTH,
      },
    );
    assert.ok(sync);
    assert.deepEqual(sync.serviceAccount, { metadata: { name: "vso", namespace: "a", labels: { l: "1" } }, automountServiceAccountToken: false });
    assert.deepEqual(sync.vaultAuth.spec.kubernetes, { role: "a", serviceAccount: "vso", audiences: ["aud"] });
    assert.deepEqual(
      sync.staticSecrets.map((s) => [s.metadata.name, s.spec.mount, s.spec.path, s.spec.refreshAfter]),
      [
        ["b-secret", "secret", "a-application/b/c", "30m"],
        ["z-secret", "secret", "a-application/z", "30m"],
      ],
    );
    assert.deepEqual(sync.staticSecrets[0].spec.destination.transformation?.templates, { token: { text: '{{- get .Secrets "api_token" -}}' } });
    assert.equal(sync.staticSecrets[1].spec.destination.transformation, undefined);
  });
});

describe("namespace parts, from literal settings", () => {
  it("the namespace carries its Pod Security levels, display name and each opt-in's reason", () => {
    const ns = namespaceObject("a", { l: "1" }, { enforce: "privileged", warn: "restricted", audit: "baseline" }, "A Ltd", { privilegedPods: "CSI driver, review 12" });
    const labels = ns.metadata.labels as Record<string, string>;
    assert.deepEqual(
      ["enforce", "warn", "audit"].map((mode) => labels[`pod-security.kubernetes.io/${mode}`]),
      ["privileged", "restricted", "baseline"],
    );
    assert.equal(labels.l, "1");
    assert.deepEqual(ns.metadata.annotations, {
      "pulumi.com/patchForce": "true",
      "ffnodes.fitfile.net/display-name": "A Ltd",
      "ffnodes.fitfile.net/opt-in.privileged-pods": "CSI driver, review 12",
    });
  });

  it("quota and limits: counts as strings, the max is also the default limit", () => {
    const quota = resourceQuota(meta("quota"), {
      requestsCpu: "2",
      requestsMemory: "4Gi",
      requestsStorage: "10Gi",
      persistentVolumeClaims: 3,
      pods: 9,
      services: 4,
      servicesLoadBalancers: 0,
      servicesNodePorts: 0,
      secrets: 5,
      configMaps: 6,
    });
    const hard = quota.spec.hard as Record<string, string>;
    assert.deepEqual([hard.pods, hard["services.nodeports"], hard["requests.storage"]], ["9", "0", "10Gi"]);
    const limits = limitRange(meta("limits"), { defaultRequestCpu: "100m", defaultRequestMemory: "128Mi", maxCpu: "1", maxMemory: "1Gi" });
    assert.deepEqual(limits.spec.limits, [{ type: "Container", default: { cpu: "1", memory: "1Gi" }, defaultRequest: { cpu: "100m", memory: "128Mi" }, max: { cpu: "1", memory: "1Gi" } }]);
  });

  it("network policies: the four base policies always; egress ones only for what the settings name", () => {
    assert.deepEqual(Object.keys(networkPolicies(meta, NETWORK)), ["default-deny", "allow-dns", "allow-same-namespace", "allow-ingress-controller"]);
    const all = networkPolicies(meta, {
      ...NETWORK,
      egressNamespaces: ["vault"],
      apiServer: { cidrs: ["10.0.0.1/32"], ports: [6443] },
      externalEgress: { cidrs: ["0.0.0.0/0"], except: ["10.0.0.0/8"], ports: [443] },
    });
    assert.deepEqual(Object.keys(all).slice(4), ["allow-egress-cluster-services", "allow-egress-api-server", "allow-egress-external"]);
    assert.deepEqual(all["allow-egress-api-server"].spec.egress, [{ to: [{ ipBlock: { cidr: "10.0.0.1/32" } }], ports: [{ protocol: "TCP", port: 6443 }] }]);
    assert.deepEqual(all["allow-egress-cluster-services"].metadata, meta("allow-egress-cluster-services"));
    // No ports or no CIDRs: no policy rather than one that allows everything.
    assert.equal(networkPolicies(meta, { ...NETWORK, apiServer: { cidrs: ["10.0.0.1/32"], ports: [] } })["allow-egress-api-server"], undefined);
  });

  it("team access: a Role and a binding of the group to it, named after the level; nothing without a team", () => {
    assert.deepEqual(teamAccess(meta, undefined), {});
    const { teamRole, teamRoleBinding } = teamAccess(meta, { group: "a-devs", clusterRole: "edit" });
    assert.equal(teamRole?.metadata.name, "ffnodes-team-edit");
    assert.deepEqual(teamRoleBinding?.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "ffnodes-team-edit" });
    assert.deepEqual(teamRoleBinding?.subjects, [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "a-devs" }]);
  });
});
