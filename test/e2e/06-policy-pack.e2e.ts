// The tenant policy pack under the real CLI: `pulumi preview --policy-pack src/policy` passes for
// the e2e stacks (the CLI's summary shows the pack ran, and no rule is named), and fails, naming
// the rule, for a stack whose code was edited to break one.
import { strict as assert } from "node:assert";
import { environment } from "./hooks";
import { Workdir } from "../../e2e/workdir";
import { TENANT_RULES } from "../../src/policy/rules";

describe("the policy pack under the real CLI", () => {
  let workdir: Workdir;

  before(() => {
    workdir = new Workdir(environment());
  });
  after(() => workdir.remove());

  /** Previews a stack with the pack: it exits 0, the CLI's summary shows the pack ran and passed, and no rule is named. */
  function assertPasses(stack: string): void {
    workdir.ensureStack(stack);
    const output = workdir.pulumi(["preview", "--policy-pack", "src/policy", "-s", stack]);
    assert.match(output, /^Policies:\n\s+✅ ffnodes-tenant@v\S+ \(local: src\/policy\)$/m);
    assert.deepEqual(
      TENANT_RULES.map((r) => r.name).filter((name) => output.includes(name)),
      [],
    );
  }

  for (const stack of ["demo-local", "e2e-prod"]) {
    it(`passes for ${stack}`, () => assertPasses(stack));
  }

  it("passes for a customer on the shared Vault mount", () => {
    const file = "stacks/Pulumi.e2e-staging.yaml";
    const original = workdir.read(file);
    assert.match(original, /^config:$/m);
    workdir.write(file, original.replace(/^config:\n/m, "config:\n  ffnodes:settings:\n    vault:\n      mount: shared\n"));
    try {
      assertPasses("e2e-staging");
    } finally {
      workdir.write(file, original);
    }
  });

  /** Applies a hand edit to a source file, previews e2e-prod with the pack, undoes the edit; returns the output of the failed preview. */
  function previewWithEdit(file: string, from: string, to: string): string {
    const original = workdir.read(file);
    const edited = original.replace(from, to);
    assert.notEqual(edited, original, "the edit applies");
    workdir.write(file, edited);
    try {
      const result = workdir.pulumiMayFail(["preview", "--policy-pack", "src/policy", "-s", "e2e-prod"]);
      assert.notEqual(result.status, 0);
      return result.stdout + result.stderr;
    } finally {
      workdir.write(file, original);
    }
  }

  it("fails, naming the rule, when a hand edit leaves data holders unprotected", () => {
    const output = previewWithEdit("src/components/safety.ts", "protect: true,", "protect: false,");
    assert.match(output, /data-protected/);
    assert.match(output, /mandatory/);
  });

  it("fails, naming the rule, when a hand edit makes the namespace privileged without the customer file's opt-in", () => {
    const output = previewWithEdit("src/components/namespace.ts", '"pod-security.kubernetes.io/enforce": podSecurity.enforce,', '"pod-security.kubernetes.io/enforce": "privileged",');
    assert.match(output, /pod-security-enforced/);
  });
});
