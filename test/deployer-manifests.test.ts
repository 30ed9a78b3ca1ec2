import { strict as assert } from "node:assert";
import { parseAllDocuments } from "yaml";
import { buildNamespace, teamAccess } from "../src/components/namespace";
import { DEPLOYER } from "./e2e/isolation/cells";
import { MANAGED_LABEL } from "./e2e/isolation/expected";
import { refusedBy } from "./e2e/isolation/platforms";
import { DECOMMISSION_BLOCK, DEPLOYER_BLOCK, readmeBlock } from "./e2e/readme-blocks";
import { customerFixture, fixtureRoot, resolveStack } from "./helpers";

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

  it("grant `bind` on the team Roles ffnodes creates, by name, and `escalate` without `bind` on any other Role", () => {
    const teamRoles = LEVELS.map((level) => teamAccess((name) => ({ name }), { group: "g", clusterRole: level }).teamRole?.metadata.name as string).sort();
    const rules = manifests.filter((m) => m.kind === "ClusterRole").flatMap((m) => m.rules ?? []);
    const bind = rules.filter((r) => r.verbs.includes("bind"));
    assert.deepEqual(bind.map((r) => [r.resources, [...(r.resourceNames ?? [])].sort()]), [[["roles"], teamRoles]]);
    // The policy lets the deployer write Roles by the prefix every team Role has.
    for (const name of teamRoles) assert.ok(name.startsWith("ffnodes-team-"), name);
    assert.match(policyText, /metadata\.name\.startsWith\(\\"ffnodes-team-\\"\)/);
    assert.ok(!rules.some((r) => r.resources.includes("clusterroles") || r.verbs.includes("*") || r.resources.includes("*")));
  });

  it("bound cluster-wide, read no Pod, no ConfigMap, and no Secret but the certificate's", () => {
    const clusterWide = manifests.find((m) => m.kind === "ClusterRole" && m.metadata.name === "ffnodes-deployer")?.rules ?? [];
    assert.ok(clusterWide.length > 0);
    for (const resource of ["pods", "pods/exec", "configmaps", "*"]) assert.ok(!clusterWide.some((r) => r.resources.includes(resource)), resource);
    assert.ok(clusterWide.every((r) => !r.resources.includes("secrets") || r.resourceNames !== undefined || r.verbs.join() === "create"));
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
