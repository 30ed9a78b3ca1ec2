import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { parseAllDocuments } from "yaml";
import { buildNamespace, teamAccess } from "../src/components/namespace";
import { DEPLOYER_NAMESPACE_ROLE } from "../src/config/names";
import { DEPLOYER } from "./e2e/isolation/cells";
import { MANAGED_LABEL } from "./e2e/isolation/expected";
import { refusedBy } from "./e2e/isolation/platforms";
import { DECOMMISSION_BLOCK, DEPLOYER_BLOCK, readmeBlock } from "./e2e/readme-blocks";
import { parseStackFile } from "../src/config/stack-file";
import { offlineMocks } from "../src/plan/mocks";
import { runProgram } from "../src/program";
import { REPO_ROOT, customerFixture, fixtureRoot, resolveStack } from "./helpers";

// The README's deployer manifests are what test/e2e/12-isolation.e2e.ts, 11-added-database and
// 90-decommission apply as written and run `pulumi up` and `decommission` as; the facts they
// name (the subject, the team Roles, the namespaces' label, the certificate's Secret) must be the
// ones ffnodes's code and defaults use, or the admission policy would refuse a real stack.
interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] }[];
  subjects?: { kind: string; name: string; namespace?: string }[];
  roleRef?: { kind: string; name: string };
  spec?: { matchConditions?: { expression: string }[]; variables?: { name: string; expression: string }[]; validations?: { expression: string }[] };
}

const manifests = [DEPLOYER_BLOCK, DECOMMISSION_BLOCK].flatMap((marker) => parseAllDocuments(readmeBlock(marker, "yaml")).map((doc) => doc.toJS() as Manifest));
const policy = manifests.find((m) => m.kind === "ValidatingAdmissionPolicy");
const policyText = JSON.stringify(policy?.spec);
const LEVELS = ["view", "edit", "admin"] as const;

describe("the README's deployer manifests", () => {
  it("hold the RBAC, the admission policy and its binding, and bind one subject: the one the policy matches", () => {
    assert.deepEqual(
      [...new Set(manifests.map((m) => m.kind))].sort(),
      ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"],
    );
    const subjects = manifests.flatMap((m) => m.subjects ?? []);
    assert.equal(subjects.length, 4);
    for (const subject of subjects) assert.deepEqual(subject, { kind: "ServiceAccount", ...DEPLOYER });
    assert.deepEqual(
      policy?.spec?.matchConditions?.map((c) => c.expression),
      [`request.userInfo.username == "system:serviceaccount:${DEPLOYER.namespace}:${DEPLOYER.name}"`],
    );
    // Only the deployer's own ClusterRole is bound cluster-wide; decommission's is bound in the customer's namespace.
    assert.deepEqual(
      manifests.filter((m) => m.kind === "ClusterRoleBinding").map((m) => m.roleRef?.name),
      ["ffnodes-deployer"],
    );
    assert.deepEqual(
      manifests.filter((m) => m.roleRef?.name === "ffnodes-decommission" && m.roleRef.kind === "ClusterRole").map((m) => m.metadata),
      [{ name: "ffnodes-decommission", namespace: "<ns>" }],
    );
    const binding = manifests.find((m) => m.kind === "ValidatingAdmissionPolicyBinding") as unknown as { spec: { policyName: string; validationActions: string[] } };
    assert.deepEqual(binding.spec, { policyName: policy?.metadata.name, validationActions: ["Deny"] });
  });

  it("grant `bind` on the team Roles ffnodes creates, by name, on the deployer's namespace ClusterRole, and `escalate` without `bind` on any other Role", () => {
    const teamRoles = LEVELS.map((level) => teamAccess((name) => ({ name }), { group: "g", clusterRole: level }).teamRole?.metadata.name as string).sort();
    const rules = manifests.filter((m) => m.kind === "ClusterRole").flatMap((m) => m.rules ?? []);
    const bind = rules.filter((r) => r.verbs.includes("bind"));
    assert.deepEqual(
      bind.map((r) => [r.resources, [...(r.resourceNames ?? [])].sort()]),
      [
        [["clusterroles"], [DEPLOYER_NAMESPACE_ROLE]],
        [["roles"], teamRoles],
      ],
    );
    // The policy lets the deployer write Roles by the prefix every team Role has.
    for (const name of teamRoles) assert.ok(name.startsWith("ffnodes-team-"), name);
    assert.match(policyText, /metadata\.name\.startsWith\(\\"ffnodes-team-\\"\)/);
    assert.ok(!rules.some((r) => (r.resources.includes("clusterroles") && r.verbs.join() !== "bind") || r.verbs.includes("*") || r.resources.includes("*")));
  });

  it("bound cluster-wide, hold the namespaces, the StorageClasses' binding mode and creating a RoleBinding: nothing else namespaced, to read or write", () => {
    const clusterWide = manifests.find((m) => m.kind === "ClusterRole" && m.metadata.name === "ffnodes-deployer")?.rules ?? [];
    assert.deepEqual(
      clusterWide.map((r) => [r.apiGroups, r.resources, r.resourceNames ?? [], r.verbs]),
      [
        [[""], ["namespaces"], [], ["create", "get", "list", "watch", "patch", "delete"]],
        [["storage.k8s.io"], ["storageclasses"], [], ["get"]],
        [["rbac.authorization.k8s.io"], ["rolebindings"], [], ["create", "patch"]],
        [["rbac.authorization.k8s.io"], ["clusterroles"], [DEPLOYER_NAMESPACE_ROLE], ["bind"]],
      ],
    );
  });

  it("the ClusterRole each stack binds is the one the code names, bound to the README's subject, which admission lets it bind only to itself", () => {
    const config = resolveStack(fixtureRoot(customerFixture("acme", "domain: acme.fitfile.net")), "acme-prod");
    const { deployerBinding } = buildNamespace(config);
    assert.deepEqual(deployerBinding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: DEPLOYER_NAMESPACE_ROLE });
    assert.deepEqual(deployerBinding.subjects, [{ kind: "ServiceAccount", ...DEPLOYER }], "customers/_defaults.yaml's deployer is the README's subject");
    assert.equal(deployerBinding.metadata.namespace, config.tenancy.namespace);
    const namespaced = manifests.find((m) => m.kind === "ClusterRole" && m.metadata.name === DEPLOYER_NAMESPACE_ROLE);
    assert.ok(namespaced?.rules?.length, `the README defines the ClusterRole ${DEPLOYER_NAMESPACE_ROLE}`);
    // What the deployer may bind in a namespace it must hold there (RBAC's escalation check), or hold `bind` on by name.
    assert.ok(namespaced.rules.some((r) => r.resources.includes("rolebindings") && ["get", "list", "watch"].every((v) => r.verbs.includes(v))), "its own binding's wait watches RoleBindings");
    assert.match(policyText, new RegExp(`object\\.roleRef\\.name == \\\\"${DEPLOYER_NAMESPACE_ROLE}\\\\"`));
    assert.match(policyText, /"system:serviceaccount:\\" \+ s\.namespace \+ \\":\\" \+ s\.name == request\.userInfo\.username/);
  });

  it("in a customer's namespace, read no Pod, no ConfigMap, and no Secret but the certificate's", () => {
    const namespaced = manifests.find((m) => m.kind === "ClusterRole" && m.metadata.name === DEPLOYER_NAMESPACE_ROLE)?.rules ?? [];
    assert.ok(namespaced.length > 0);
    for (const resource of ["pods", "pods/exec", "configmaps", "*"]) assert.ok(!namespaced.some((r) => r.resources.includes(resource)), resource);
    assert.ok(namespaced.every((r) => !r.resources.includes("secrets") || r.resourceNames !== undefined || r.verbs.join() === "create"));
  });

  it("confine writes to namespaces with the label every customer namespace carries, and read no Secret but the certificate's", () => {
    const config = resolveStack(fixtureRoot(customerFixture("acme", "domain: acme.fitfile.net")), "acme-prod");
    const { namespace, certificate } = { namespace: buildNamespace(config).namespace, certificate: config.settings.certificates };
    assert.equal((namespace.metadata.labels as Record<string, string>)[MANAGED_LABEL], "ffnodes", `a customer's namespace is labelled ${MANAGED_LABEL}: ffnodes`);
    for (const variable of ["labelled", "wasLabelled", "inLabelledNamespace"]) {
      assert.match(policy?.spec?.variables?.find((v) => v.name === variable)?.expression ?? "", new RegExp(`\\[\\?"${MANAGED_LABEL}"\\] == optional\\.of\\("ffnodes"\\)`), variable);
    }
    const secrets = manifests.flatMap((m) => m.rules ?? []).filter((r) => r.resources.includes("secrets"));
    assert.deepEqual(
      secrets.map((r) => ({ names: r.resourceNames, verbs: r.verbs })),
      [
        { names: undefined, verbs: ["create"] },
        { names: [certificate.secretName], verbs: ["get", "patch", "delete"] },
      ],
    );
  });
});

describe("what refused a request, from the API server's message", () => {
  const rows: [string, string, "RBAC" | "admission"][] = [
    ["the authorizer", 'secrets is forbidden: User "system:serviceaccount:ffnodes:ffnodes-deployer" cannot list resource "secrets" in API group "" in the namespace "vault"', "RBAC"],
    ["RBAC's escalation check", 'rolebindings.rbac.authorization.k8s.io "x" is forbidden: user "u" (groups=["g"]) is attempting to grant RBAC permissions not currently held:', "RBAC"],
    ["a ValidatingAdmissionPolicy", "namespaces \"vault\" is forbidden: ValidatingAdmissionPolicy 'ffnodes-deployer' with binding 'ffnodes-deployer' denied request: the deployer ...", "admission"],
    ["NamespaceLifecycle", 'namespaces "kube-system" is forbidden: this namespace may not be deleted', "admission"],
  ];
  for (const [who, message, decider] of rows) it(`${who}: ${decider}`, () => assert.equal(refusedBy(message), decider));

  it("a refusal of any other origin is an error, never a verdict", () => {
    assert.throws(() => refusedBy("pods is forbidden: exceeded quota"), /a refusal of unknown origin: pods is forbidden: exceeded quota/);
  });
});

describe("each stack's deployer binding, in the mock engine", () => {
  interface Seen {
    type: string;
    resource: pulumi.Resource;
    props: Record<string, unknown>;
    opts: pulumi.ResourceOptions;
  }
  const seen: Seen[] = [];
  let namespace: string;
  before(async () => {
    const stack = "ff-a-prod";
    const { config, secretKeys } = parseStackFile(REPO_ROOT, stack);
    await pulumi.runtime.setMocks(offlineMocks, "ffnodes", stack, false);
    pulumi.runtime.setAllConfig(config, secretKeys);
    const customer = runProgram(REPO_ROOT, {
      transformations: [
        (args) => {
          seen.push({ type: args.type, resource: args.resource, props: args.props, opts: args.opts });
          return undefined;
        },
      ],
    });
    namespace = customer.config.tenancy.namespace;
  });
  const bindingOf = () => {
    const found = seen.filter((s) => s.type === "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding" && (s.props.metadata as { name?: string }).name === "ffnodes-deployer");
    assert.equal(found.length, 1, "one deployer binding");
    return found[0];
  };

  it("is created right after the namespace, in it, and kept by a destroy", () => {
    const binding = bindingOf();
    const namespaceObject = seen.find((s) => s.type === "kubernetes:core/v1:Namespace");
    assert.ok(namespaceObject);
    assert.deepEqual(binding.opts.dependsOn, [namespaceObject.resource]);
    assert.equal(binding.opts.retainOnDelete, true);
    assert.equal((binding.props.metadata as { namespace?: string }).namespace, namespace);
    // The provider waits until its informer, with the deployer's credentials, lists the binding (pulumi-kubernetes provider/pkg/metadata/overrides.go, ReadyCondition).
    assert.equal((binding.props.metadata as { annotations: Record<string, string> }).annotations["pulumi.com/waitFor"], "jsonpath={.roleRef.name}");
  });

  it("every other object of the customer's namespace waits for it: directly, or through a component that waits for the namespace component", () => {
    const binding = bindingOf();
    const isolation = seen.find((s) => s.type === "ffnodes:customer:NamespaceIsolation");
    assert.ok(isolation);
    const byResource = new Map(seen.map((s) => [s.resource, s]));
    const waits = (s: Seen | undefined): boolean => {
      if (!s) return false;
      const deps = Array.isArray(s.opts.dependsOn) ? s.opts.dependsOn : [];
      return deps.includes(binding.resource) || deps.includes(isolation.resource) || waits(byResource.get(s.opts.parent as pulumi.Resource));
    };
    const inNamespace = seen.filter((s) => s !== binding && s.type.startsWith("kubernetes:") && (s.props.metadata as { namespace?: string } | undefined)?.namespace === namespace);
    // The namespace's own isolation, its team, storage, the Vault sync, the certificate and pgweb.
    assert.ok(inNamespace.length >= 15, `${inNamespace.length} objects`);
    assert.deepEqual(inNamespace.filter((s) => !waits(s)).map((s) => `${s.type} ${(s.props.metadata as { name?: string }).name}`), []);
  });
});
