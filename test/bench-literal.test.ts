// Bench line (g) compares a stack's preview with its own resource graph declared as literals: the
// literal program must declare exactly the resources the plan shows.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { literalProgram } from "../bench/literal-program";
import { CREDENTIAL_KEYS_TYPE } from "../src/components/credential-keys";
import { SECRET_PLACEHOLDER } from "../src/config/secrets";
import { planStack } from "../src/plan/engine";
import { REPO_ROOT, tempDir } from "./helpers";

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/** Runs a generated program under the SDK's mock engine: what it registers. */
async function register(program: string, stack: string): Promise<Registered[]> {
  const dir = tempDir("literal");
  fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules"));
  fs.writeFileSync(path.join(dir, "index.js"), program);
  const seen: Registered[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        seen.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    "ffnodes",
    stack,
    false,
  );
  await import(path.join(dir, "index.js"));
  await new Promise((resolve) => setTimeout(resolve, 500));
  return seen;
}

/** Inputs without the secrets: plan prints them as "[secret]", the literal program declares them unknown (undefined under mocks). */
function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== SECRET_PLACEHOLDER && v !== undefined).map(([k, v]) => [k, withoutSecrets(v)]));
}

describe("bench (g): the literal program of a stack", function () {
  this.timeout(60_000);

  it("declares every resource of ff-a-prod's plan with the same type, name and inputs", async () => {
    const plan = await planStack(REPO_ROOT, "ff-a-prod");
    assert.ok(plan.resources.length > 30);
    const seen = await register(literalProgram(plan), "ff-a-prod");
    const byKey = (r: { type: string; name: string }) => `${r.type}::${r.name}`;
    assert.deepEqual(seen.map(byKey).sort(), plan.resources.map(byKey).sort());
    for (const planned of plan.resources.filter((r) => r.type !== CREDENTIAL_KEYS_TYPE)) {
      const registered = seen.find((s) => byKey(s) === byKey(planned));
      assert.deepEqual(withoutSecrets(registered?.inputs), withoutSecrets(JSON.parse(JSON.stringify(planned.inputs))), byKey(planned));
    }
    const keys = seen.find((s) => s.type === CREDENTIAL_KEYS_TYPE);
    assert.match(String(keys?.inputs.__provider), /^exports\.handler = /, "the dynamic resource carries its provider's code");
  });

  it("leaves the dynamic resource out when asked, and nothing else", async () => {
    const plan = await planStack(REPO_ROOT, "ff-a-prod");
    const seen = await register(literalProgram(plan, require, false), "ff-a-prod");
    assert.equal(seen.filter((s) => s.type === CREDENTIAL_KEYS_TYPE).length, 0);
    assert.equal(seen.length, plan.resources.length - 1);
  });
});
