import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as hcl from "hcl2-parser";
import { Candidate, TENANT_RULES, Tenant, kubernetesKind, vaultPolicyPaths, violations } from "../src/policy/rules";
import { stackOfUrn, tenantOf, tenantResolver } from "../src/policy/tenant";
import { REPO_ROOT, fixtureRoot, planRepoStack, stackFile } from "./helpers";

const TENANT: Tenant = {
  stack: "ff-a-prod",
  namespace: "ff-a",
  vaultPath: "ff-a-application",
  argocdNamespace: "argocd",
  selectableNamespaces: ["kube-system", "ingress-nginx", "vault"],
  optIns: { privilegedPods: false, unrestrictedEgress: false },
};
const OPTED_IN: Tenant = { ...TENANT, optIns: { privilegedPods: true, unrestrictedEgress: true } };

const k8s = (type: string, props: Record<string, unknown>, protect = false): Candidate => ({ type, name: "r", props, protect });
const inNs = (namespace?: string) => ({ metadata: { name: "x", ...(namespace === undefined ? {} : { namespace }) } });
const vaultPolicy = (policy: string): Candidate => ({ type: "vault:index/policy:Policy", name: "p", props: { name: "ff-a-read", policy }, protect: false });

const labelled = (enforce?: string) => ({ metadata: { name: "ff-a", labels: enforce ? { "pod-security.kubernetes.io/enforce": enforce } : {} } });
const netpol = (spec: Record<string, unknown>) => k8s("kubernetes:networking.k8s.io/v1:NetworkPolicy", { ...inNs("ff-a"), spec });
const toNamespace = (name: string) => ({ egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } }] }] });
const toBlock = (cidr: string, except?: string[]) => ({ egress: [{ to: [{ ipBlock: { cidr, except } }] }] });
const binding = (roleRef: Record<string, unknown>, subjects: Record<string, unknown>[]) =>
  k8s("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", { ...inNs("ff-a"), roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef }, subjects });
const team = [{ kind: "Group", name: "ff-a-team" }];
const role = (rules: Record<string, unknown>[]) => k8s("kubernetes:rbac.authorization.k8s.io/v1:Role", { ...inNs("ff-a"), rules });
const appSet = (props: { namespace?: string; name?: string; project?: string; destination?: string; values?: string }) =>
  k8s("kubernetes:argoproj.io/v1alpha1:ApplicationSet", {
    metadata: { name: props.name ?? "ff-a", namespace: props.namespace ?? "argocd" },
    spec: {
      generators: [{ list: { elements: [{ serviceName: "ffcloud", helmValues: props.values ?? "appConfig:\n  ffCloudCode: X\n" }] } }],
      template: { spec: { project: props.project ?? "ff-a", destination: { namespace: props.destination ?? "ff-a" } } },
    },
  });

const GOOD: [string, Candidate][] = [
  ["the customer's namespace, protected", k8s("kubernetes:core/v1:Namespace", { metadata: { name: "ff-a", labels: { "pod-security.kubernetes.io/enforce": "baseline" } } }, true)],
  ["a claim in the namespace, protected", k8s("kubernetes:core/v1:PersistentVolumeClaim", inNs("ff-a"), true)],
  ["a ConfigMap in the namespace", k8s("kubernetes:core/v1:ConfigMap", inNs("ff-a"))],
  ["a NetworkPolicy in the namespace", k8s("kubernetes:networking.k8s.io/v1:NetworkPolicy", inNs("ff-a"))],
  ["a Certificate in the namespace", k8s("kubernetes:cert-manager.io/v1:Certificate", inNs("ff-a"))],
  ["a VaultStaticSecret in the namespace", k8s("kubernetes:secrets.hashicorp.com/v1beta1:VaultStaticSecret", inNs("ff-a"))],
  ["a ClusterIP Service", k8s("kubernetes:core/v1:Service", { ...inNs("ff-a"), spec: { type: "ClusterIP", ports: [{ port: 80 }] } })],
  ["an ApplicationSet in ArgoCD's namespace", appSet({})],
  ["a policy selecting a shared service", netpol(toNamespace("vault"))],
  ["a policy selecting its own pods", netpol({ ingress: [{ from: [{ podSelector: {} }] }] })],
  ["external egress excepting every protected range", netpol(toBlock("0.0.0.0/0", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"]))],
  ["egress to one address (an API server endpoint)", netpol(toBlock("10.0.0.1/32"))],
  ["the team bound to its Role", binding({ kind: "Role", name: "ffnodes-team-edit" }, team)],
  ["the team bound to the view ClusterRole", binding({ kind: "ClusterRole", name: "view" }, team)],
  ["a Role that writes workloads and reads the isolation", role([{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "delete"] }, { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list"] }])],
  [
    "an AppProject confined to the namespace",
    k8s("kubernetes:argoproj.io/v1alpha1:AppProject", {
      metadata: { name: "ff-a", namespace: "argocd" },
      spec: { destinations: [{ server: "https://kubernetes.default.svc", namespace: "ff-a" }], clusterResourceWhitelist: [{ group: "", kind: "Namespace" }] },
    }),
  ],
  ["a Helm release into the namespace", k8s("kubernetes:helm.sh/v3:Release", { namespace: "ff-a", chart: "x" })],
  ["a policy on the customer's KV paths", vaultPolicy('path "ff-a-application/data/*" {\n  capabilities = ["read"]\n}\npath "ff-a-application/metadata/*" {\n  capabilities = ["list"]\n}')],
  ["the customer's mount", { type: "vault:index/mount:Mount", name: "m", props: { path: "ff-a-application", type: "kv-v2" }, protect: true }],
  ["a secret in the customer's mount", { type: "vault:kv/secretV2:SecretV2", name: "s", props: { mount: "ff-a-application", name: "db" }, protect: true }],
  ["a role bound to the namespace", { type: "vault:kubernetes/authBackendRole:AuthBackendRole", name: "r", props: { boundServiceAccountNamespaces: ["ff-a"] }, protect: false }],
  ["a component", { type: "ffnodes:index:Customer", name: "ff-a", props: {}, protect: false }],
  ["a provider", { type: "pulumi:providers:kubernetes", name: "k", props: { namespace: "default" }, protect: false }],
  ["a random password", { type: "random:index/randomPassword:RandomPassword", name: "pw", props: {}, protect: false }],
];

const BAD: [string, Candidate, RegExp][] = [
  ["a namespace enforcing privileged", k8s("kubernetes:core/v1:Namespace", labelled("privileged"), true), /pod-security-enforced: .*'privileged'/],
  ["a namespace enforcing nothing", k8s("kubernetes:core/v1:Namespace", labelled(), true), /pod-security-enforced: .*\(none: privileged\)/],
  ["a policy selecting another customer", netpol(toNamespace("ff-b")), /network-policies-confined: a peer selects namespace 'ff-b'/],
  ["a policy selecting every namespace", netpol({ egress: [{ to: [{ namespaceSelector: {} }] }] }), /network-policies-confined: a peer selects namespaces by \{\}/],
  ["a policy selecting by expression", netpol({ ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: "x", operator: "Exists" }] } }] }] }), /select one namespace/],
  ["external egress with no except", netpol(toBlock("0.0.0.0/0")), /ipBlock 0\.0\.0\.0\/0 reaches 10\.0\.0\.0\/8 .*169\.254\.0\.0\/16/],
  ["egress to a block wider than a private range", netpol(toBlock("10.0.0.0/7")), /reaches 10\.0\.0\.0\/8/],
  ["the team bound to the edit ClusterRole", binding({ kind: "ClusterRole", name: "edit" }, team), /team-access-confined: the binding grants ClusterRole 'edit'/],
  ["a binding to system:authenticated", binding({ kind: "Role", name: "ffnodes-team-view" }, [{ kind: "Group", name: "system:authenticated" }]), /subject 'system:authenticated' is a Kubernetes system group/],
  ["a binding of another namespace's account", binding({ kind: "Role", name: "ffnodes-team-view" }, [{ kind: "ServiceAccount", name: "x", namespace: "ff-b" }]), /service account 'x' of namespace 'ff-b'/],
  ["a Role that writes NetworkPolicies", role([{ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["delete"] }]), /lets the team change networkpolicies/],
  ["a Role that may bind", role([{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["bind"] }]), /grants bind/],
  ["an ApplicationSet in another customer's namespace", appSet({ namespace: "ff-b" }), /argocd-confined: ApplicationSet is in namespace 'ff-b'/],
  ["an ApplicationSet named after another customer", appSet({ name: "ff-b" }), /argocd-confined: ApplicationSet is named 'ff-b'/],
  ["an ApplicationSet using another project", appSet({ project: "default" }), /project 'default'/],
  ["an ApplicationSet deploying elsewhere", appSet({ destination: "kube-system" }), /deploy into 'kube-system'/],
  ["Helm values holding a password", appSet({ values: "appConfig:\n  dbPassword: hunter2\n" }), /no-secret-values: .*'ffcloud' hold a secret at appConfig\.dbPassword/],
  ["another customer's namespace", k8s("kubernetes:core/v1:Namespace", { metadata: { name: "ff-b" } }, true), /customer-namespace-only: .*only its own namespace 'ff-a', not 'ff-b'/],
  ["an unprotected namespace", k8s("kubernetes:core/v1:Namespace", { metadata: { name: "ff-a" } }), /data-protected: a Namespace holds data/],
  ["an unprotected claim", k8s("kubernetes:core/v1:PersistentVolumeClaim", inNs("ff-a")), /data-protected: a PersistentVolumeClaim/],
  ["a Secret in another namespace", k8s("kubernetes:core/v1:Secret", inNs("ff-b")), /Secret is in namespace 'ff-b'; this stack may only use 'ff-a'/],
  ["a Role with no namespace", k8s("kubernetes:rbac.authorization.k8s.io/v1:Role", inNs()), /no metadata.namespace .* default namespace/],
  ["a ClusterRoleBinding", k8s("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", inNs()), /ClusterRoleBinding is cluster-scoped/],
  ["a patch into kube-system", k8s("kubernetes:core/v1:ConfigMapPatch", inNs("kube-system")), /ConfigMapPatch is in namespace 'kube-system'/],
  ["a NodePort Service", k8s("kubernetes:core/v1:Service", { ...inNs("ff-a"), spec: { type: "NodePort", ports: [{ port: 80 }] } }), /no-nodeport-services: a Service of type NodePort/],
  ["a port asking for a nodePort", k8s("kubernetes:core/v1:Service", { ...inNs("ff-a"), spec: { type: "LoadBalancer", ports: [{ port: 80, nodePort: 30080 }] } }), /nodePort 30080/],
  ["a Helm release elsewhere", k8s("kubernetes:helm.sh/v4:Chart", { namespace: "default" }), /Helm release must install into 'ff-a', not 'default'/],
  ["a policy on another customer's path", vaultPolicy('path "ff-b-application/data/*" { capabilities = ["read"] }'), /vault-confined: the policy grants 'ff-b-application\/data\/\*'/],
  ["a policy on a look-alike prefix", vaultPolicy('path "ff-a-application-old/*" { capabilities = ["read"] }'), /grants 'ff-a-application-old\/\*'/],
  ["a policy with a glob over every mount", vaultPolicy('path "ff-a-application*" { capabilities = ["read"] }'), /grants 'ff-a-application\*'/],
  ["a policy on sys/", vaultPolicy('path "ff-a-application/*" { capabilities = ["read"] }\npath "sys/policies/acl/*" { capabilities = ["update"] }'), /grants 'sys\/policies\/acl\/\*'/],
  ["a policy granting nothing recognisable", vaultPolicy("# empty"), /grants no recognisable path/],
  ["a mount elsewhere", { type: "vault:index/mount:Mount", name: "m", props: { path: "secret" }, protect: true }, /mount is at 'secret'/],
  ["a secret in another mount", { type: "vault:kv/secretV2:SecretV2", name: "s", props: { mount: "ff-b-application" }, protect: true }, /may write only under 'ff-a-application'/],
  ["a role bound to every namespace", { type: "vault:kubernetes/authBackendRole:AuthBackendRole", name: "r", props: { boundServiceAccountNamespaces: ["*"] }, protect: false }, /binds service accounts of namespaces \[\*\]/],
  ["a role bound to two namespaces", { type: "vault:kubernetes/authBackendRole:AuthBackendRole", name: "r", props: { boundServiceAccountNamespaces: ["ff-a", "ff-b"] }, protect: false }, /\[ff-a, ff-b\]/],
  ["an AppProject open to any namespace", k8s("kubernetes:argoproj.io/v1alpha1:AppProject", { spec: { destinations: [{ server: "*", namespace: "*" }] } }), /appproject-confined: destination namespace '\*'/],
  ["an AppProject without a destination namespace", k8s("kubernetes:argoproj.io/v1alpha1:AppProject", { spec: { destinations: [{ server: "*" }] } }), /destination namespace '\(any\)'/],
  ["an AppProject allowing ClusterRoles", k8s("kubernetes:argoproj.io/v1alpha1:AppProject", { spec: { destinations: [], clusterResourceWhitelist: [{ group: "*", kind: "*" }] } }), /cluster resources '\*\/\*' are allowed/],
];

describe("tenant policy rules", () => {
  for (const [what, resource] of GOOD) {
    it(`allows ${what}`, () => assert.deepEqual(violations(resource, TENANT), []));
  }
  for (const [what, resource, expected] of BAD) {
    it(`refuses ${what}`, () => {
      const found = violations(resource, TENANT);
      assert.ok(found.some((v) => expected.test(v)), `no violation matching ${String(expected)} in ${JSON.stringify(found)}`);
    });
  }

  it("lets a reviewed opt-in through: privileged pods, unrestricted egress", () => {
    assert.deepEqual(violations(k8s("kubernetes:core/v1:Namespace", labelled("privileged"), true), OPTED_IN), []);
    assert.deepEqual(violations(netpol(toBlock("0.0.0.0/0")), OPTED_IN), []);
  });

  it("every rule has a unique kebab-case name and a description", () => {
    const names = TENANT_RULES.map((r) => r.name);
    assert.equal(new Set(names).size, names.length);
    for (const rule of TENANT_RULES) {
      assert.match(rule.name, /^[a-z]+(-[a-z]+)*$/);
      assert.ok(rule.description.length > 20);
    }
  });

  it("reads Kubernetes types, and skips what is not an object", () => {
    assert.deepEqual(kubernetesKind("kubernetes:core/v1:Namespace"), { group: "core", kind: "Namespace" });
    assert.deepEqual(kubernetesKind("kubernetes:argoproj.io/v1alpha1:AppProject"), { group: "argoproj.io", kind: "AppProject" });
    for (const type of ["kubernetes:yaml/v2:ConfigGroup", "kubernetes:helm.sh/v4:Chart", "kubernetes:core/v1:ConfigMapList", "pulumi:providers:kubernetes", "vault:index/policy:Policy"]) {
      assert.equal(kubernetesKind(type), undefined, type);
    }
  });

  it("finds the same Vault policy paths as a real HCL parser", () => {
    const policies = [
      'path "ff-a-application/data/*" {\n  capabilities = ["read"]\n}\n',
      'path "a/*" { capabilities = ["list"] }\npath "b/+/c" {\n  capabilities = ["create", "update"]\n}\n',
      '# comment\npath "x" {\n  capabilities = ["deny"]\n  required_parameters = ["path"]\n}\n',
    ];
    for (const policy of policies) {
      const parsed = hcl.parseToObject(policy) as [{ path?: Record<string, unknown> }];
      assert.deepEqual(vaultPolicyPaths(policy).sort(), Object.keys(parsed[0].path ?? {}).sort(), policy);
    }
  });
});

describe("tenant of a stack", () => {
  it("comes from the resource's URN and the stack's layered configuration", () => {
    assert.equal(stackOfUrn("urn:pulumi:kch-staging::ffnodes::ffnodes:index:Customer$kubernetes:core/v1:Namespace::namespace"), "kch-staging");
    assert.throws(() => stackOfUrn("not-a-urn"), /not a resource URN/);
    assert.deepEqual(tenantOf(REPO_ROOT, "kch-staging"), {
      stack: "kch-staging",
      namespace: "kch-staging",
      vaultPath: "kch-staging-application",
      argocdNamespace: "argocd",
      selectableNamespaces: ["kube-system", "argocd", "cert-manager", "ingress-nginx", "vault", "vault-secrets-operator"],
      optIns: { privilegedPods: false, unrestrictedEgress: false },
    });
  });

  it("honours a namespace set in the stack file", () => {
    const root = fixtureRoot(
      {
        "customers/x.yaml": "name: x\ndisplayName: X\nfitConnectCode: X\nenvironments:\n  prod:\n    domain: x.fitfile.net\n",
        "stacks/Pulumi.x-prod.yaml": stackFile("  ffnodes:settings:\n    namespace: x-live\n"),
      },
    );
    assert.deepEqual([tenantOf(root, "x-prod").namespace, tenantOf(root, "x-prod").vaultPath], ["x-live", "x-live-application"]);
  });

  it("refuses a stack whose file moves it into another tenant's namespace, as the program does", () => {
    const root = fixtureRoot({}, { withRepoCustomers: true });
    fs.appendFileSync(path.join(root, "stacks/Pulumi.ff-b-prod.yaml"), "  ffnodes:settings:\n    namespace: ff-a\n");
    const resolve = tenantResolver(root);
    const verdict = resolve("urn:pulumi:ff-b-prod::ffnodes::kubernetes:core/v1:Namespace::namespace");
    assert.ok(typeof verdict === "string");
    assert.match(verdict, /configuration of stack ff-b-prod is invalid.*namespace 'ff-a' of stack ff-b-prod is already used by stack ff-a-prod/);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("turns an invalid configuration into a violation message, once per stack", () => {
    const root = fixtureRoot({ "stacks/Pulumi.nobody-prod.yaml": stackFile() });
    const resolve = tenantResolver(root);
    const urn = "urn:pulumi:nobody-prod::ffnodes::kubernetes:core/v1:Namespace::namespace";
    const first = resolve(urn);
    assert.ok(typeof first === "string");
    assert.match(first, /configuration of stack nobody-prod is invalid.*customers\/nobody\.yaml: file not found/);
    assert.equal(resolve(urn), first);
  });
});

describe("the program obeys the tenant policy", () => {
  for (const stack of ["ff-a-prod", "kch-staging", "demo-local"]) {
    it(`every resource of ${stack} passes every rule`, async () => {
      const plan = await planRepoStack(stack);
      const tenant = tenantOf(REPO_ROOT, stack);
      const found = plan.resources.flatMap((r) => violations({ type: r.type, name: r.name, props: r.inputs, protect: r.protect }, tenant).map((v) => `${r.type} ${r.name}: ${v}`));
      assert.deepEqual(found, []);
      assert.ok(plan.resources.some((r) => r.type === "kubernetes:core/v1:Namespace"), "the plan has no namespace to check");
    });
  }
});
