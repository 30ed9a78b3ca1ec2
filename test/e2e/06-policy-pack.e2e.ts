// The tenant policy pack under the real CLI: `pulumi preview --policy-pack src/policy` passes for
// the e2e stacks, and fails, naming the rule, for a stack whose code was edited to break one.
import { strict as assert } from "node:assert";
import { environment } from "./hooks";
import { Workdir } from "../../e2e/workdir";

describe("the policy pack under the real CLI", () => {
  let workdir: Workdir;

  before(() => {
    workdir = new Workdir(environment());
  });
  after(() => workdir.remove());

  for (const stack of ["demo-local", "e2e-prod"]) {
    it(`passes for ${stack}`, () => {
      workdir.ensureStack(stack);
      workdir.pulumi(["preview", "--policy-pack", "src/policy", "-s", stack]);
    });
  }

  it("fails, naming the rule, when a hand edit leaves data holders unprotected", () => {
    const safety = workdir.read("src/components/safety.ts");
    const edited = safety.replace("protect: true,", "protect: false,");
    assert.notEqual(edited, safety, "the edit applies");
    workdir.write("src/components/safety.ts", edited);
    const result = workdir.pulumiMayFail(["preview", "--policy-pack", "src/policy", "-s", "e2e-prod"]);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout + result.stderr, /data-protected/);
    assert.match(result.stdout + result.stderr, /mandatory/);
  });

  it("fails, naming the rule, when a hand edit makes the namespace privileged without the customer file's opt-in", () => {
    workdir.write("src/components/safety.ts", workdir.read("src/components/safety.ts").replace("protect: false,", "protect: true,"));
    const namespace = workdir.read("src/components/namespace.ts");
    const edited = namespace.replace('"pod-security.kubernetes.io/enforce": podSecurity.enforce,', '"pod-security.kubernetes.io/enforce": "privileged",');
    assert.notEqual(edited, namespace, "the edit applies");
    workdir.write("src/components/namespace.ts", edited);
    const result = workdir.pulumiMayFail(["preview", "--policy-pack", "src/policy", "-s", "e2e-prod"]);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout + result.stderr, /pod-security-enforced/);
  });
});
