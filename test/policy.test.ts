import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as hcl from "hcl2-parser";
import { CREDENTIAL_KEYS_TYPE } from "../src/components/credential-keys";
import { listStacks } from "../src/config/files";
import { planStack } from "../src/plan/engine";
import { Candidate, TENANT_RULES, Tenant, inKvSpace, kubernetesKind, vaultPolicyPaths, violations } from "../src/policy/rules";
import { stackOfUrn, tenantOf, tenantResolver } from "../src/policy/tenant";
import { REPO_ROOT, fixtureRoot, stackFile } from "./helpers";
import { candidateOf, planViolations } from "./invariants";

/** E2E's customers and stacks, which the e2e project adds to the repository's (e2e/workdir.ts). */
const E2E_FIXTURES = path.join(REPO_ROOT, "test", "e2e", "fixtures");

const TENANT: Tenant = {
  stack: "ff-a-prod",
  namespace: "ff-a",
  kv: { mount: "ff-a-application", prefix: "" },
  argocdNamespace: "argocd",
  selectableNamespaces: ["kube-system", "ingress-nginx", "vault"],
  optIns: { privilegedPods: false, unrestrictedEgress: false },
  deployer: { namespace: "ffnodes", serviceAccount: "ffnodes-deployer" },
};
const OPTED_IN: Tenant = { ...TENANT, optIns: { privilegedPods: true, unrestrictedEgress: true } };
/** The same customer with `vault.mount: shared`: its secrets under a prefix of the cluster's mount `secret`. */
const SHARED: Tenant = { ...TENANT, kv: { mount: "secret", prefix: "ff-a-application/" } };

const k8s = (type: string, props: Record<string, unknown>, protect = false): Candidate => ({ type, name: "r", props, protect });
const inNs = (namespace?: string) => ({ metadata: { name: "x", ...(namespace === undefined ? {} : { namespace }) } });
const named = (name?: string) => k8s("kubernetes:core/v1:ConfigMap", { metadata: { namespace: "ff-a", ...(name === undefined ? {} : { name }) } });
const vaultPolicy = (...paths: string[]): Candidate => ({
  type: "vault:index/policy:Policy",
  name: "p",
  props: { name: "ff-a-read", policy: paths.map((p) => `path "${p}" {\n  capabilities = ["read"]\n}\n`).join("") },
  protect: false,
});
const mount = (path: string): Candidate => ({ type: "vault:index/mount:Mount", name: "m", props: { path, type: "kv-v2" }, protect: true });
const secret = (mount: string, name: string): Candidate => ({ type: "vault:kv/secretV2:SecretV2", name: "s", props: { mount, name }, protect: true });
const credentialKeys = (mount: string, name: string): Candidate => ({ type: CREDENTIAL_KEYS_TYPE, name: "k", props: { mount, name }, protect: false });
const sync = (mount: string, path: string) => k8s("kubernetes:secrets.hashicorp.com/v1beta1:VaultStaticSecret", { ...inNs("ff-a"), spec: { mount, path, type: "kv-v2" } });
const authRole = (...namespaces: string[]): Candidate => ({ type: "vault:kubernetes/authBackendRole:AuthBackendRole", name: "r", props: { boundServiceAccountNamespaces: namespaces }, protect: false });
const claim = (options: { protect: boolean; retainOnDelete?: boolean }): Candidate => ({ ...k8s("kubernetes:core/v1:PersistentVolumeClaim", inNs("ff-a"), options.protect), retainOnDelete: options.retainOnDelete });

const labelled = (enforce?: string) => ({ metadata: { name: "ff-a", labels: enforce ? { "pod-security.kubernetes.io/enforce": enforce } : {} } });
const netpol = (spec: Record<string, unknown>) => k8s("kubernetes:networking.k8s.io/v1:NetworkPolicy", { ...inNs("ff-a"), spec });
const toNamespace = (name: string) => ({ egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } }] }] });
const toBlock = (cidr: string, except?: string[]) => ({ egress: [{ to: [{ ipBlock: { cidr, except } }] }] });
const binding = (roleRef: Record<string, unknown>, subjects: Record<string, unknown>[]) =>
  k8s("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", { ...inNs("ff-a"), roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef }, subjects });
const team = [{ kind: "Group", name: "ff-a-team" }];
const DEPLOYER_SUBJECT = { kind: "ServiceAccount", namespace: "ffnodes", name: "ffnodes-deployer" };
const deployerBinding = (subjects: Record<string, unknown>[]) => binding({ kind: "ClusterRole", name: "ffnodes-deployer-namespace" }, subjects);
const role = (rules: Record<string, unknown>[]) => k8s("kubernetes:rbac.authorization.k8s.io/v1:Role", { ...inNs("ff-a"), rules });
const appSet = (props: { namespace?: string; name?: string; project?: string; destination?: string; values?: string }) =>
  k8s("kubernetes:argoproj.io/v1alpha1:ApplicationSet", {
    metadata: { name: props.name ?? "ff-a", namespace: props.namespace ?? "argocd" },
    spec: {
      generators: [{ list: { elements: [{ serviceName: "ffcloud", helmValues: props.values ?? "appConfig:\n  ffCloudCode: X\n" }] } }],
      template: { spec: { project: props.project ?? "ff-a", destination: { namespace: props.destination ?? "ff-a" } } },
    },
  });
const application = (spec: { project?: string; destination?: string }) =>
  k8s("kubernetes:argoproj.io/v1alpha1:Application", {
    metadata: { name: "ff-a", namespace: "argocd" },
    spec: { project: spec.project ?? "ff-a", destination: { namespace: spec.destination ?? "ff-a" } },
  });
const appProject = (spec: Record<string, unknown>) => k8s("kubernetes:argoproj.io/v1alpha1:AppProject", { metadata: { name: "ff-a", namespace: "argocd" }, spec });

/** The paths of a kv-v2 space that ffnodes' policies grant, and `subkeys`, which reads a secret's shape. */
const SHARED_SPACE_PATHS = ["data", "metadata", "delete", "undelete", "destroy", "subkeys"].map((api) => `secret/${api}/ff-a-application/*`);

const GOOD: [string, Candidate, Tenant?][] = [
  ["the customer's namespace, protected and retained", { ...k8s("kubernetes:core/v1:Namespace", { metadata: { name: "ff-a", labels: { "pod-security.kubernetes.io/enforce": "baseline" } } }, true), retainOnDelete: true }],
  ["a claim in the namespace, protected and retained", claim({ protect: true, retainOnDelete: true })],
  ["a protected claim as the policy pack sees it (no retainOnDelete)", claim({ protect: true })],
  ["a ConfigMap in the namespace", k8s("kubernetes:core/v1:ConfigMap", inNs("ff-a"))],
  ["an object with a 63-character name", named("a".repeat(63))],
  ["a NetworkPolicy in the namespace", k8s("kubernetes:networking.k8s.io/v1:NetworkPolicy", inNs("ff-a"))],
  ["a Certificate in the namespace", k8s("kubernetes:cert-manager.io/v1:Certificate", inNs("ff-a"))],
  ["a VaultStaticSecret reading the customer's mount", sync("ff-a-application", "db")],
  ["a VaultStaticSecret reading the customer's prefix of the shared mount", sync("secret", "ff-a-application/db"), SHARED],
  ["a ClusterIP Service", k8s("kubernetes:core/v1:Service", { ...inNs("ff-a"), spec: { type: "ClusterIP", ports: [{ port: 80 }] } })],
  ["an ApplicationSet in ArgoCD's namespace", appSet({})],
  ["an Application in the customer's project and namespace", application({})],
  ["a policy selecting a shared service", netpol(toNamespace("vault"))],
  ["a policy selecting its own pods", netpol({ ingress: [{ from: [{ podSelector: {} }] }] })],
  ["external egress excepting every protected range", netpol(toBlock("0.0.0.0/0", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"]))],
  ["egress to one address (an API server endpoint)", netpol(toBlock("10.0.0.1/32"))],
  ["the team bound to its Role", binding({ kind: "Role", name: "ffnodes-team-edit" }, team)],
  ["the team bound to the view ClusterRole", binding({ kind: "ClusterRole", name: "view" }, team)],
  ["the fleet's deployer bound to ffnodes-deployer-namespace", binding({ kind: "ClusterRole", name: "ffnodes-deployer-namespace" }, [DEPLOYER_SUBJECT])],
  ["a Role that writes workloads and reads the isolation", role([{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["create", "delete"] }, { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list"] }])],
  ["an AppProject confined to the namespace", appProject({ destinations: [{ server: "https://kubernetes.default.svc", namespace: "ff-a" }], clusterResourceWhitelist: [{ group: "", kind: "Namespace" }] })],
  ["a Helm release into the namespace", k8s("kubernetes:helm.sh/v3:Release", { namespace: "ff-a", chart: "x" })],
  ["a policy on the customer's KV paths", vaultPolicy("ff-a-application/data/*", "ff-a-application/metadata/*")],
  ["a policy on every API of the customer's prefix in the shared mount", vaultPolicy(...SHARED_SPACE_PATHS), SHARED],
  ["the customer's mount", mount("ff-a-application")],
  ["a secret in the customer's mount", secret("ff-a-application", "app")],
  ["a secret under the customer's prefix of the shared mount", secret("secret", "ff-a-application/app"), SHARED],
  ["credential keys added to a secret in the customer's mount", credentialKeys("ff-a-application", "app")],
  ["credential keys added to a secret under the customer's prefix of the shared mount", credentialKeys("secret", "ff-a-application/app"), SHARED],
  ["a role bound to the namespace", authRole("ff-a")],
  ["a component", { type: "ffnodes:index:Customer", name: "ff-a", props: {}, protect: false }],
  ["a provider", { type: "pulumi:providers:kubernetes", name: "k", props: { namespace: "default" }, protect: false }],
  ["a random password", { type: "random:index/randomPassword:RandomPassword", name: "pw", props: {}, protect: false }],
];

/** One hostile resource a row: the rule that must refuse it, and a fragment of its message. */
interface Hostile {
  what: string;
  resource: Candidate;
  rule: string;
  fragment: string;
  tenant?: Tenant;
}

const HOSTILE: Hostile[] = [
  { what: "another customer's namespace", resource: k8s("kubernetes:core/v1:Namespace", { metadata: { name: "ff-b" } }, true), rule: "customer-namespace-only", fragment: "only its own namespace 'ff-a', not 'ff-b'" },
  { what: "a Secret in another namespace", resource: k8s("kubernetes:core/v1:Secret", inNs("ff-b")), rule: "customer-namespace-only", fragment: "Secret is in namespace 'ff-b'; this stack may only use 'ff-a'" },
  { what: "a Role with no namespace", resource: k8s("kubernetes:rbac.authorization.k8s.io/v1:Role", inNs()), rule: "customer-namespace-only", fragment: "no metadata.namespace and would land in the provider's default namespace" },
  { what: "a ClusterRoleBinding", resource: k8s("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", inNs()), rule: "customer-namespace-only", fragment: "ClusterRoleBinding is cluster-scoped" },
  { what: "a patch into kube-system", resource: k8s("kubernetes:core/v1:ConfigMapPatch", inNs("kube-system")), rule: "customer-namespace-only", fragment: "ConfigMapPatch is in namespace 'kube-system'" },
  { what: "a Helm release elsewhere", resource: k8s("kubernetes:helm.sh/v4:Chart", { namespace: "default" }), rule: "customer-namespace-only", fragment: "must install into 'ff-a', not 'default'" },
  { what: "an unprotected namespace", resource: k8s("kubernetes:core/v1:Namespace", labelled("baseline")), rule: "data-protected", fragment: "a Namespace holds data: it must be protected" },
  { what: "an unprotected claim", resource: claim({ protect: false, retainOnDelete: true }), rule: "data-protected", fragment: "a PersistentVolumeClaim holds data: it must be protected" },
  { what: "a claim deleted with the stack", resource: claim({ protect: true, retainOnDelete: false }), rule: "data-protected", fragment: "a PersistentVolumeClaim holds data: it must be retained on delete" },
  { what: "an object named longer than 63 characters", resource: named("a".repeat(64)), rule: "kubernetes-names-valid", fragment: `the name '${"a".repeat(64)}' is not a DNS-1123 label` },
  { what: "an object named with capitals", resource: named("Minio"), rule: "kubernetes-names-valid", fragment: "the name 'Minio' is not a DNS-1123 label" },
  { what: "an object left to a generated name", resource: named(), rule: "kubernetes-names-valid", fragment: "the name '(unset: generated)'" },
  { what: "a NodePort Service", resource: k8s("kubernetes:core/v1:Service", { ...inNs("ff-a"), spec: { type: "NodePort", ports: [{ port: 80 }] } }), rule: "no-nodeport-services", fragment: "a Service of type NodePort" },
  { what: "a port asking for a nodePort", resource: k8s("kubernetes:core/v1:Service", { ...inNs("ff-a"), spec: { type: "LoadBalancer", ports: [{ port: 80, nodePort: 30080 }] } }), rule: "no-nodeport-services", fragment: "asks for nodePort 30080" },
  { what: "a policy on another customer's mount", resource: vaultPolicy("ff-b-application/data/*"), rule: "vault-confined", fragment: "grants 'ff-b-application/data/*', outside the customer's KV space, its own mount 'ff-a-application'" },
  { what: "a policy on a look-alike mount", resource: vaultPolicy("ff-a-application-old/*"), rule: "vault-confined", fragment: "grants 'ff-a-application-old/*'" },
  { what: "a policy with a glob over every look-alike mount", resource: vaultPolicy("ff-a-application*"), rule: "vault-confined", fragment: "grants 'ff-a-application*'" },
  { what: "a policy on sys/", resource: vaultPolicy("ff-a-application/*", "sys/policies/acl/*"), rule: "vault-confined", fragment: "grants 'sys/policies/acl/*'" },
  { what: "a policy climbing out of the mount", resource: vaultPolicy("ff-a-application/../ff-b-application/*"), rule: "vault-confined", fragment: "grants 'ff-a-application/../ff-b-application/*'" },
  { what: "a policy granting nothing recognisable", resource: { ...vaultPolicy(), props: { policy: "# empty" } }, rule: "vault-confined", fragment: "grants no recognisable path" },
  { what: "a mount elsewhere", resource: mount("secret"), rule: "vault-confined", fragment: "the mount is at 'secret'; this stack may mount only 'ff-a-application'" },
  { what: "a secret in another mount", resource: secret("ff-b-application", "app"), rule: "vault-confined", fragment: "the secret is 'app' in mount 'ff-b-application'; this stack writes secrets only in its own mount 'ff-a-application'" },
  { what: "credential keys added to a secret in another mount", resource: credentialKeys("ff-b-application", "app"), rule: "vault-confined", fragment: "the secret is 'app' in mount 'ff-b-application'" },
  { what: "a sync reading another mount", resource: sync("ff-b-application", "db"), rule: "vault-confined", fragment: "the sync reads 'db' in mount 'ff-b-application'" },
  { what: "a sync with no mount", resource: k8s("kubernetes:secrets.hashicorp.com/v1beta1:VaultStaticSecret", inNs("ff-a")), rule: "vault-confined", fragment: "the sync reads '(unset)' in mount '(unset)'" },
  { what: "a role bound to every namespace", resource: authRole("*"), rule: "vault-confined", fragment: "binds service accounts of namespaces [*]" },
  { what: "a role bound to two namespaces", resource: authRole("ff-a", "ff-b"), rule: "vault-confined", fragment: "[ff-a, ff-b]; it may bind only 'ff-a'" },
  // The shared mount: every customer's secrets in one mount, each under its own prefix.
  { what: "a policy on the whole shared mount", resource: vaultPolicy("secret/data/*"), tenant: SHARED, rule: "vault-confined", fragment: "grants 'secret/data/*', outside the customer's KV space, its prefix 'ff-a-application/' in the shared mount 'secret'" },
  { what: "a policy on a neighbour's prefix in the shared mount", resource: vaultPolicy("secret/data/ff-a-application/*", "secret/metadata/ff-b-application/*"), tenant: SHARED, rule: "vault-confined", fragment: "grants 'secret/metadata/ff-b-application/*'" },
  { what: "a policy on a look-alike prefix in the shared mount", resource: vaultPolicy("secret/data/ff-a-application-old/*"), tenant: SHARED, rule: "vault-confined", fragment: "grants 'secret/data/ff-a-application-old/*'" },
  { what: "a policy with a glob past the prefix", resource: vaultPolicy("secret/data/ff-a-application*"), tenant: SHARED, rule: "vault-confined", fragment: "grants 'secret/data/ff-a-application*'" },
  { what: "a policy on every API of the shared mount", resource: vaultPolicy("secret/+/ff-a-application/*"), tenant: SHARED, rule: "vault-confined", fragment: "grants 'secret/+/ff-a-application/*'" },
  { what: "a policy on the shared mount's config", resource: vaultPolicy("secret/config"), tenant: SHARED, rule: "vault-confined", fragment: "grants 'secret/config'" },
  { what: "a policy climbing out of the prefix", resource: vaultPolicy("secret/data/ff-a-application/../ff-b-application/*"), tenant: SHARED, rule: "vault-confined", fragment: "grants 'secret/data/ff-a-application/../ff-b-application/*'" },
  { what: "a policy on an own mount when the customer shares one", resource: vaultPolicy("ff-a-application/data/*"), tenant: SHARED, rule: "vault-confined", fragment: "grants 'ff-a-application/data/*'" },
  { what: "a mount of a customer on the shared mount", resource: mount("ff-a-application"), tenant: SHARED, rule: "vault-confined", fragment: "keeps its secrets in the shared mount 'secret' and may mount nothing" },
  { what: "a secret at the root of the shared mount", resource: secret("secret", "app"), tenant: SHARED, rule: "vault-confined", fragment: "the secret is 'app' in mount 'secret'; this stack writes secrets only in its prefix 'ff-a-application/'" },
  { what: "a secret under a neighbour's prefix", resource: secret("secret", "ff-b-application/app"), tenant: SHARED, rule: "vault-confined", fragment: "the secret is 'ff-b-application/app' in mount 'secret'" },
  { what: "credential keys added under a neighbour's prefix", resource: credentialKeys("secret", "ff-b-application/app"), tenant: SHARED, rule: "vault-confined", fragment: "the secret is 'ff-b-application/app' in mount 'secret'" },
  { what: "a sync reading a neighbour's prefix", resource: sync("secret", "ff-b-application/db"), tenant: SHARED, rule: "vault-confined", fragment: "the sync reads 'ff-b-application/db' in mount 'secret'" },
  { what: "an AppProject open to any namespace", resource: appProject({ destinations: [{ server: "*", namespace: "*" }] }), rule: "appproject-confined", fragment: "destination namespace '*'" },
  { what: "an AppProject without a destination namespace", resource: appProject({ destinations: [{ server: "*" }] }), rule: "appproject-confined", fragment: "destination namespace '(any)'" },
  { what: "an AppProject allowing ClusterRoles", resource: appProject({ destinations: [], clusterResourceWhitelist: [{ group: "*", kind: "*" }] }), rule: "appproject-confined", fragment: "cluster resources '*/*' are allowed" },
  { what: "an ApplicationSet in another customer's namespace", resource: appSet({ namespace: "ff-b" }), rule: "argocd-confined", fragment: "ApplicationSet is in namespace 'ff-b'" },
  { what: "an ApplicationSet named after another customer", resource: appSet({ name: "ff-b" }), rule: "argocd-confined", fragment: "ApplicationSet is named 'ff-b'" },
  { what: "an ApplicationSet using another project", resource: appSet({ project: "default" }), rule: "argocd-confined", fragment: "the applications use project 'default'" },
  { what: "an ApplicationSet deploying elsewhere", resource: appSet({ destination: "kube-system" }), rule: "argocd-confined", fragment: "the applications deploy into 'kube-system'" },
  { what: "an Application using another project", resource: application({ project: "default" }), rule: "argocd-confined", fragment: "the applications use project 'default'" },
  { what: "an Application deploying elsewhere", resource: application({ destination: "ff-b" }), rule: "argocd-confined", fragment: "the applications deploy into 'ff-b'" },
  { what: "a policy selecting another customer", resource: netpol(toNamespace("ff-b")), rule: "network-policies-confined", fragment: "a peer selects namespace 'ff-b'" },
  { what: "a policy selecting every namespace", resource: netpol({ egress: [{ to: [{ namespaceSelector: {} }] }] }), rule: "network-policies-confined", fragment: "a peer selects namespaces by {}" },
  { what: "a policy selecting by expression", resource: netpol({ ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: "x", operator: "Exists" }] } }] }] }), rule: "network-policies-confined", fragment: "select one namespace by its kubernetes.io/metadata.name label" },
  { what: "external egress with no except", resource: netpol(toBlock("0.0.0.0/0")), rule: "network-policies-confined", fragment: "169.254.0.0/16 (link-local, the cloud metadata service) without excepting it" },
  { what: "egress to a block wider than a private range", resource: netpol(toBlock("10.0.0.0/7")), rule: "network-policies-confined", fragment: "reaches 10.0.0.0/8" },
  { what: "the team bound to the edit ClusterRole", resource: binding({ kind: "ClusterRole", name: "edit" }, team), rule: "team-access-confined", fragment: "the binding grants ClusterRole 'edit'" },
  { what: "a binding to system:authenticated", resource: binding({ kind: "Role", name: "ffnodes-team-view" }, [{ kind: "Group", name: "system:authenticated" }]), rule: "team-access-confined", fragment: "subject 'system:authenticated' is a Kubernetes system group" },
  { what: "a binding of another namespace's account", resource: binding({ kind: "Role", name: "ffnodes-team-view" }, [{ kind: "ServiceAccount", name: "x", namespace: "ff-b" }]), rule: "team-access-confined", fragment: "service account 'x' of namespace 'ff-b'" },
  { what: "the deployer's ClusterRole bound to the team", resource: deployerBinding(team), rule: "team-access-confined", fragment: "only the fleet's deployer, service account 'ffnodes-deployer' of namespace 'ffnodes'" },
  { what: "the deployer's ClusterRole bound to a same-named account of the customer's namespace", resource: deployerBinding([{ ...DEPLOYER_SUBJECT, namespace: "ff-a" }]), rule: "team-access-confined", fragment: "may hold it" },
  { what: "the deployer's ClusterRole bound to the deployer and the team", resource: deployerBinding([DEPLOYER_SUBJECT, ...team]), rule: "team-access-confined", fragment: "may hold it" },
  { what: "the deployer's ClusterRole bound to the deployer as a user", resource: deployerBinding([{ kind: "User", name: "system:serviceaccount:ffnodes:ffnodes-deployer" }]), rule: "team-access-confined", fragment: "may hold it" },
  { what: "the deployer's ClusterRole bound to another deployer than the fleet's", resource: binding({ kind: "ClusterRole", name: "ffnodes-deployer-namespace" }, [DEPLOYER_SUBJECT]), tenant: { ...TENANT, deployer: { namespace: "ci", serviceAccount: "ffnodes-deployer" } }, rule: "team-access-confined", fragment: "service account 'ffnodes-deployer' of namespace 'ci'" },
  { what: "a Role that writes NetworkPolicies", resource: role([{ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["delete"] }]), rule: "team-access-confined", fragment: "lets the team change networkpolicies" },
  { what: "a Role that may bind", resource: role([{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["bind"] }]), rule: "team-access-confined", fragment: "a rule grants bind" },
  { what: "a namespace enforcing privileged", resource: k8s("kubernetes:core/v1:Namespace", labelled("privileged"), true), rule: "pod-security-enforced", fragment: "Pod Security level 'privileged'" },
  { what: "a namespace enforcing nothing", resource: k8s("kubernetes:core/v1:Namespace", labelled(), true), rule: "pod-security-enforced", fragment: "level '(none: privileged)'" },
  { what: "Helm values holding a password", resource: appSet({ values: "appConfig:\n  dbPassword: hunter2\n" }), rule: "no-secret-values", fragment: "the values of service 'ffcloud' hold a secret at appConfig.dbPassword" },
];

describe("tenant policy rules", () => {
  for (const [what, resource, tenant] of GOOD) {
    it(`allows ${what}`, () => assert.deepEqual(violations(resource, tenant ?? TENANT), []));
  }
  for (const { what, resource, tenant, rule, fragment } of HOSTILE) {
    it(`${rule} refuses ${what}`, () => {
      const found = violations(resource, tenant ?? TENANT);
      assert.ok(
        found.some((v) => v.startsWith(`${rule}: `) && v.includes(fragment)),
        `no ${rule} violation with '${fragment}' in ${JSON.stringify(found)}`,
      );
    });
  }

  it("has a hostile resource for every rule", () => {
    const tried = new Set(HOSTILE.map((h) => h.rule));
    assert.deepEqual(TENANT_RULES.map((r) => r.name).filter((name) => !tried.has(name)), []);
    assert.deepEqual([...tried].filter((name) => !TENANT_RULES.some((r) => r.name === name)), []);
  });

  it("lets a reviewed opt-in through: privileged pods, unrestricted egress", () => {
    assert.deepEqual(violations(k8s("kubernetes:core/v1:Namespace", labelled("privileged"), true), OPTED_IN), []);
    assert.deepEqual(violations(netpol(toBlock("0.0.0.0/0")), OPTED_IN), []);
  });

  it("every rule has a unique kebab-case name and a description", () => {
    const names = TENANT_RULES.map((r) => r.name);
    assert.equal(new Set(names).size, names.length);
    for (const rule of TENANT_RULES) {
      assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
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

  it("places a customer's KV paths: anywhere in its own mount, only a secret's API paths under its prefix in a shared one", () => {
    assert.ok(inKvSpace("ff-a-application/config", TENANT.kv));
    assert.ok(!inKvSpace("secret/config", SHARED.kv));
    assert.ok(inKvSpace("secret/data/ff-a-application/db", SHARED.kv));
    assert.ok(!inKvSpace("secret/data/ff-a-application", SHARED.kv), "the prefix's own name is a secret at the mount's root, not under the prefix");
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
  const roots: string[] = [];
  const root = (files: Record<string, string>, options?: { withRepoCustomers?: boolean }) => {
    roots.push(fixtureRoot(files, options));
    return roots[roots.length - 1];
  };
  after(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));
  const customerX = "name: x\ndisplayName: X\nfitConnectCode: X\nenvironments:\n  prod:\n    domain: x.fitfile.net\n";

  it("comes from the resource's URN and the stack's layered configuration", () => {
    assert.equal(stackOfUrn("urn:pulumi:kch-staging::ffnodes::ffnodes:index:Customer$kubernetes:core/v1:Namespace::namespace"), "kch-staging");
    assert.throws(() => stackOfUrn("not-a-urn"), /not a resource URN/);
    assert.deepEqual(tenantOf(REPO_ROOT, "kch-staging"), {
      stack: "kch-staging",
      namespace: "kch-staging",
      kv: { mount: "kch-staging-application", prefix: "" },
      argocdNamespace: "argocd",
      selectableNamespaces: ["kube-system", "argocd", "cert-manager", "ingress-nginx", "vault", "vault-secrets-operator"],
      optIns: { privilegedPods: false, unrestrictedEgress: false },
      deployer: { namespace: "ffnodes", serviceAccount: "ffnodes-deployer" },
    });
  });

  it("honours a namespace set in the stack file", () => {
    const tenant = tenantOf(root({ "customers/x.yaml": customerX, "stacks/Pulumi.x-prod.yaml": stackFile("  ffnodes:settings:\n    namespace: x-live\n") }), "x-prod");
    assert.deepEqual([tenant.namespace, tenant.kv], ["x-live", { mount: "x-live-application", prefix: "" }]);
  });

  it("places a customer on the shared mount under its Vault path as a prefix", () => {
    const files = { "customers/x.yaml": customerX, "stacks/Pulumi.x-prod.yaml": stackFile("  ffnodes:settings:\n    vault:\n      mount: shared\n      sharedMount: tenants\n") };
    assert.deepEqual(tenantOf(root(files), "x-prod").kv, { mount: "tenants", prefix: "x-application/" });
  });

  it("refuses a stack whose file moves it into another tenant's namespace, as the program does", () => {
    const fleet = root({}, { withRepoCustomers: true });
    fs.appendFileSync(path.join(fleet, "stacks/Pulumi.ff-b-prod.yaml"), "  ffnodes:settings:\n    namespace: ff-a\n");
    const verdict = tenantResolver(fleet)("urn:pulumi:ff-b-prod::ffnodes::kubernetes:core/v1:Namespace::namespace");
    assert.ok(typeof verdict === "string");
    assert.match(verdict, /configuration of stack ff-b-prod is invalid.*namespace 'ff-a' of stack ff-b-prod is already used by stack ff-a-prod/);
  });

  it("turns an invalid configuration into a violation message, once per stack", () => {
    const resolve = tenantResolver(root({ "stacks/Pulumi.nobody-prod.yaml": stackFile() }));
    const urn = "urn:pulumi:nobody-prod::ffnodes::kubernetes:core/v1:Namespace::namespace";
    const first = resolve(urn);
    assert.ok(typeof first === "string");
    assert.match(first, /configuration of stack nobody-prod is invalid.*customers\/nobody\.yaml: file not found/);
    assert.equal(resolve(urn), first);
  });
});

describe("the program obeys the tenant policy", () => {
  // The repository's stacks and the e2e project's, planned together as the e2e project holds them.
  let fleet: string;
  before(() => {
    fleet = fixtureRoot({}, { withRepoCustomers: true });
    fs.cpSync(E2E_FIXTURES, fleet, { recursive: true });
  });
  after(() => fs.rmSync(fleet, { recursive: true, force: true }));

  for (const stack of [...listStacks(REPO_ROOT), ...listStacks(E2E_FIXTURES)]) {
    it(`every resource of ${stack} passes every rule`, async () => {
      const plan = await planStack(fleet, stack);
      assert.deepEqual(planViolations(plan, tenantOf(fleet, stack)), []);
      assert.ok(plan.resources.some((r) => r.type === "kubernetes:core/v1:Namespace"), "the plan has no namespace to check");
    });
  }
});

describe("a customer on the shared Vault mount", () => {
  const files = {
    "customers/x.yaml": "name: x\ndisplayName: X\nfitConnectCode: X\nenvironments:\n  prod:\n    domain: x.fitfile.net\n    vault:\n      mount: shared\n",
    "customers/y.yaml": "name: y\ndisplayName: Y\nfitConnectCode: Y\nenvironments:\n  prod:\n    domain: y.fitfile.net\n    vault:\n      mount: shared\n",
    "stacks/Pulumi.x-prod.yaml": stackFile(),
    "stacks/Pulumi.y-prod.yaml": stackFile(),
  };
  let root: string;
  before(() => (root = fixtureRoot(files)));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it("passes every rule: policies, the credentials secret and the syncs sit under its prefix of the shared mount", async () => {
    const plan = await planStack(root, "x-prod");
    assert.deepEqual(planViolations(plan, tenantOf(root, "x-prod")), []);
    const types = plan.resources.map((r) => r.type);
    for (const type of ["vault:index/policy:Policy", "vault:kv/secretV2:SecretV2", "kubernetes:secrets.hashicorp.com/v1beta1:VaultStaticSecret"]) assert.ok(types.includes(type), type);
    assert.ok(!types.includes("vault:index/mount:Mount"), "a customer on the shared mount creates no mount");
  });

  it("is refused once its policies are pointed at its neighbour's prefix in the same mount", async () => {
    const plan = await planStack(root, "y-prod");
    const xTenant = tenantOf(root, "x-prod");
    const policies = plan.resources.filter((r) => r.type === "vault:index/policy:Policy");
    assert.ok(policies.length > 0);
    for (const policy of policies) {
      assert.match(String(policy.inputs.policy), /"secret\/data\/y-application\/\*"/);
      const found = violations(candidateOf(policy), xTenant);
      assert.ok(found.some((v) => v.startsWith("vault-confined: the policy grants 'secret/data/y-application/*'")), JSON.stringify(found));
    }
  });
});
