// `npm run decommission` over copies of the repository's fleet, against an in-memory backend that
// behaves as Pulumi's does where it matters (a destroy refuses protected resources; a stack
// with resources cannot be removed). The real engine, API server and Vault run the same
// command in test/e2e/90-decommission.e2e.ts.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { decommission } from "../src/cli/decommission";
import { DecommissionDependencies } from "../src/decommission/run";
import { newCustomer } from "../src/cli/new-customer";
import { importHelm } from "../src/import";
import { plan } from "../src/cli/plan";
import { UsageError } from "../src/cli/run";
import { checkAllStacks } from "../src/config/fleet";
import { listStacks } from "../src/config/files";
import { ConfigError, formatProblem } from "../src/config/problems";
import { Tombstone, readTombstones, writeTombstone } from "../src/config/tombstones";
import { DecommissionBackend } from "../src/decommission/backend";
import { StateResource, describe as describeResource, stackExport } from "../src/decommission/state";
import { Workloads } from "../src/decommission/workloads";
import { planStack } from "../src/plan/engine";
import { REPO_ROOT, fixtureRoot } from "./helpers";

/** A stack's state as the engine would hold it after `pulumi up`: the offline plan's resources. */
async function stateOf(root: string, stack: string): Promise<StateResource[]> {
  const planned = await planStack(root, stack);
  return planned.resources.map((r) => ({
    urn: `urn:pulumi:${stack}::ffnodes::${r.type}::${r.name}`,
    type: r.type,
    custom: !r.type.startsWith("ffnodes:"),
    protect: r.protect,
    retainOnDelete: r.retainOnDelete,
    inputs: r.inputs,
    outputs: r.inputs,
  }));
}

class FakeBackend implements DecommissionBackend {
  readonly calls: string[] = [];
  failOn?: string;

  constructor(readonly stacks: Map<string, StateResource[]>) {}

  resources(stack: string): Promise<StateResource[] | undefined> {
    return Promise.resolve(this.stacks.get(stack)?.map((r) => ({ ...r })));
  }

  destroy(stack: string, targets?: string[]): Promise<void> {
    this.call(`destroy ${targets ? targets.map((t) => t.split("::").pop()).join(",") : "all"}`);
    const state = this.stacks.get(stack) ?? [];
    const doomed = state.filter((r) => !targets || targets.includes(r.urn));
    const blocked = doomed.filter((r) => r.protect);
    if (blocked.length > 0) throw new Error(`resource ${blocked[0].urn} is protected`);
    this.stacks.set(stack, state.filter((r) => !doomed.includes(r)));
    return Promise.resolve();
  }

  unprotect(stack: string, urns: string[]): Promise<void> {
    this.call(`unprotect ${urns.length}`);
    for (const r of this.stacks.get(stack) ?? []) if (urns.includes(r.urn)) r.protect = false;
    return Promise.resolve();
  }

  removeStack(stack: string): Promise<void> {
    this.call("remove");
    if ((this.stacks.get(stack) ?? []).length > 0) throw new Error(`stack ${stack} still has resources`);
    this.stacks.delete(stack);
    return Promise.resolve();
  }

  private call(what: string): void {
    this.calls.push(what);
    if (this.failOn && what.startsWith(this.failOn)) throw new Error(`injected failure at ${what}`);
  }
}

class FakeWorkloads implements Workloads {
  readonly calls: string[] = [];
  waitForApplicationsGone(namespace: string, argocdNamespace: string): Promise<void> {
    this.calls.push(`wait ${argocdNamespace} ${namespace}`);
    return Promise.resolve();
  }
  remove(namespace: string): Promise<string[]> {
    this.calls.push(`remove ${namespace}`);
    return Promise.resolve([]);
  }
}

/** Every file under the root, with its content: what a refused command must leave as it was. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else files.set(rel, fs.readFileSync(path.join(root, rel), "utf8"));
    }
  };
  walk(".");
  return files;
}

const NOW = new Date("2026-11-30T12:00:00Z");

describe("decommission: the state export it reads", () => {
  it("reads the resources of a version 3 deployment, ignoring the fields it does not use, and refuses another shape", () => {
    // As `pulumi stack export` (3.248) printed it for e2e-prod, trimmed.
    const exported = {
      version: 3,
      deployment: {
        manifest: { time: "2026-11-30T16:31:20Z", magic: "m", version: "v3.248.0" },
        secrets_providers: { type: "passphrase" },
        resources: [
          { urn: "urn:pulumi:e2e-prod::ffnodes::pulumi:pulumi:Stack::ffnodes-e2e-prod", custom: false, type: "pulumi:pulumi:Stack" },
          { urn: "urn:pulumi:e2e-prod::ffnodes::kubernetes:core/v1:Namespace::namespace", custom: true, id: "e2e", type: "kubernetes:core/v1:Namespace", protect: true, retainOnDelete: true, outputs: { metadata: { name: "e2e" } }, provider: "p" },
        ],
      },
    };
    const parsed = stackExport.parse(exported);
    assert.deepEqual(parsed.deployment?.resources?.map((r) => [r.type, r.protect, r.retainOnDelete]), [["pulumi:pulumi:Stack", undefined, undefined], ["kubernetes:core/v1:Namespace", true, true]]);
    assert.equal(stackExport.parse({ version: 3, deployment: { manifest: {} } }).deployment?.resources, undefined, "a stack with nothing deployed");
    assert.equal(stackExport.safeParse({ deployment: { resources: [{ urn: "u", type: 1 }] } }).success, false);
    assert.equal(stackExport.safeParse({ deployment: { resources: [{ urn: "u", type: "t", protect: "yes" }] } }).success, false);
  });
});

describe("decommission", function () {
  this.timeout(60_000);
  let root: string;
  let backend: FakeBackend;
  let workloads: FakeWorkloads;
  let deps: DecommissionDependencies;
  let progress: string[];

  beforeEach(async () => {
    root = fixtureRoot({}, { withRepoCustomers: true });
    const stacks = new Map<string, StateResource[]>();
    for (const stack of ["kch-staging", "ff-a-prod"]) stacks.set(stack, await stateOf(root, stack));
    backend = new FakeBackend(stacks);
    workloads = new FakeWorkloads();
    progress = [];
    deps = {
      backend: () => Promise.resolve(backend),
      workloads: () => workloads,
      progress: { write: (text: string) => progress.push(text) },
      now: () => NOW,
    };
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const run = (...argv: string[]) => decommission(argv, root, deps);
  const tombstone = (stack: string): Tombstone | undefined => readTombstones(root).tombstones.find((t) => t.stack === stack);

  describe("without --confirm", () => {
    it("prints what it deletes and what it leaves, with live names and claim sizes, and changes nothing", async () => {
      const before = snapshot(root);
      const result = await run("--stack", "kch-staging");
      assert.equal(result.exitCode, 0);
      assert.match(result.output, /ApplicationSet argocd\/kch-staging/);
      assert.match(result.output, /PersistentVolumeClaim kch-staging\/pvc-kch-staging-postgresql/);
      assert.match(result.output, /claims [^;]*pvc-kch-staging-minio \(\d+Gi\)/);
      assert.match(result.output, /Vault mount kch-staging-application/);
      assert.match(result.output, /Role kch-staging\/ffnodes-team|AppProject argocd\/kch-staging/, "what is deleted is listed");
      assert.match(result.output, /Reserved while the tombstone exists: namespace kch-staging, Vault path kch-staging-application, dbSuffix _kch_staging, hosts staging\.kch\.fitfile\.net/);
      assert.match(result.output, /Dry run: nothing was changed\. To do it: npm run decommission -- --stack kch-staging --confirm kch-staging$/);
      assert.deepEqual(snapshot(root), before);
      assert.deepEqual(backend.calls, []);
      assert.deepEqual(workloads.calls, []);
    });

    /** The items the dry run lists under the step whose description starts with `does`. */
    const itemsOf = (output: string, does: string): string[] => {
      const lines = output.split("\n");
      const start = lines.findIndex((line) => new RegExp(`^  \\d\\. (\\([^)]*\\) )?${does}`).test(line));
      assert.ok(start >= 0, `no step '${does}' in:\n${output}`);
      const items: string[] = [];
      for (const line of lines.slice(start + 1)) {
        if (!line.startsWith("       ")) break;
        items.push(line.trim());
      }
      return items;
    };

    it("lists under unprotect only what is protected, and the isolation it retains under the destroy, as staying", async () => {
      const result = await run("--stack", "kch-staging");
      const state = backend.stacks.get("kch-staging") ?? [];
      const unprotected = itemsOf(result.output, "unprotect");
      assert.deepEqual(unprotected, state.filter((r) => r.protect && r.custom).map(describeResource), "the data holders: namespace, claims, Vault mount and credentials");
      for (const kind of ["NetworkPolicy", "ResourceQuota", "LimitRange"]) {
        assert.ok(!unprotected.some((item) => item.startsWith(kind)), `${kind} is not protected:\n${unprotected.join("\n")}`);
      }
      const destroyed = itemsOf(result.output, "destroy everything else");
      const retainedOnly = state.filter((r) => r.retainOnDelete && !r.protect);
      assert.ok(retainedOnly.length >= 9, "seven NetworkPolicies, the quota and the LimitRange");
      for (const r of retainedOnly) assert.ok(destroyed.includes(`${describeResource(r)} (retained on delete: stays)`), `${describeResource(r)}:\n${destroyed.join("\n")}`);
      assert.ok(destroyed.includes("AppProject argocd/kch-staging"), destroyed.join("\n"));
    });

    it("a stack never deployed: every step on the backend has nothing to do, none is done", async () => {
      backend.stacks.delete("kch-staging");
      const result = await run("--stack", "kch-staging");
      assert.equal(result.exitCode, 0);
      assert.doesNotMatch(result.output, /\(done\)/);
      const steps = result.output.split("\n").filter((line) => /^ {2}\d\. /.test(line));
      assert.deepEqual(
        steps.map((line) => /^ {2}\d\. (\(nothing to do: never deployed\) )?/.exec(line)?.[1] !== undefined),
        [false, true, true, true, true, true, false],
        "record and retire run; stop-sync, remove-workloads, unprotect, destroy and remove-stack have nothing to do",
      );
    });

    it("--dry-run wins over --confirm", async () => {
      const before = snapshot(root);
      const result = await run("--stack", "kch-staging", "--confirm", "kch-staging", "--dry-run");
      assert.match(result.output, /Dry run: nothing was changed/);
      assert.deepEqual(snapshot(root), before);
      assert.deepEqual(backend.calls, []);
    });
  });

  describe("refuses, changing nothing", () => {
    const cases: { name: string; argv: string[]; error: RegExp; kind: typeof UsageError | typeof ConfigError }[] = [
      { name: "no --stack", argv: ["--confirm", "kch-staging"], error: /--stack is required/, kind: UsageError },
      { name: "a --confirm that is not the stack name", argv: ["--stack", "kch-staging", "--confirm", "kch-prod"], error: /--confirm must repeat the stack name exactly \('kch-staging'\), got 'kch-prod'/, kind: UsageError },
      { name: "a --confirm differing in case", argv: ["--stack", "kch-staging", "--confirm", "KCH-staging"], error: /--confirm must repeat/, kind: UsageError },
      { name: "a production stack without --production", argv: ["--stack", "kch-prod", "--confirm", "kch-prod"], error: /kch-prod is a production stack: give --production too/, kind: UsageError },
      { name: "an unknown stack, listing the stacks there are", argv: ["--stack", "nope-prod"], error: /^stacks\/Pulumi\.nope-prod\.yaml: no such stack; stacks are: demo-local, ff-a-prod, ff-b-prod, ff-c-prod, kch-prod, kch-staging$/, kind: ConfigError },
      { name: "a misspelt stack, naming the nearest", argv: ["--stack", "kch-stagin"], error: /^stacks\/Pulumi\.kch-stagin\.yaml: no such stack \(did you mean kch-staging\?\); stacks are: demo-local, ff-a-prod, .*, kch-staging$/, kind: ConfigError },
      { name: "a stack named in the wrong case", argv: ["--stack", "FF-A-prod"], error: /no such stack \(did you mean ff-a-prod\?\); stacks are: /, kind: ConfigError },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const before = snapshot(root);
        await assert.rejects(run(...c.argv), (e: Error) => e instanceof c.kind && c.error.test(e instanceof ConfigError ? e.problems.map(formatProblem).join("\n") : e.message));
        assert.deepEqual(snapshot(root), before);
        assert.deepEqual(backend.calls, []);
      });
    }

    it("an unknown stack is told as plan tells it", async () => {
      for (const stack of ["kch-stagin", "nope-prod"]) {
        const said = async (command: Promise<unknown>) => {
          try {
            await command;
          } catch (e) {
            if (e instanceof ConfigError) return e.problems.map(formatProblem);
            throw e;
          }
          return [];
        };
        const decommissionSays = await said(run("--stack", stack));
        assert.equal(decommissionSays.length, 1);
        assert.deepEqual(await said(plan(["--stack", stack], root)), decommissionSays);
      }
    });

    it("a customer that other customers connect to, naming each of their files", async () => {
      const before = snapshot(root);
      await assert.rejects(run("--stack", "ff-a-prod", "--confirm", "ff-a-prod", "--production"), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        const lines = e.problems.map(formatProblem);
        assert.ok(lines.some((l) => l.startsWith("customers/ff-b.yaml: environments.prod.connects") && /once stack ff-a-prod is retired/.test(l)), lines.join("\n"));
        assert.ok(lines.some((l) => l.startsWith("customers/ff-c.yaml: environments.prod.connects")), lines.join("\n"));
        return true;
      });
      assert.deepEqual(snapshot(root), before);
      assert.deepEqual(backend.calls, []);
    });

    it("a stack holding a protected resource that is not retained on delete, naming it", async () => {
      const state = backend.stacks.get("kch-staging") ?? [];
      const quota = state.find((r) => r.type === "kubernetes:core/v1:ResourceQuota");
      assert.ok(quota);
      quota.protect = true;
      quota.retainOnDelete = false;
      const before = snapshot(root);
      await assert.rejects(run("--stack", "kch-staging", "--confirm", "kch-staging"), /protected but not retained on delete, so a decommission would delete them: ResourceQuota kch-staging\/quota/);
      assert.deepEqual(snapshot(root), before);
      assert.deepEqual(backend.calls, []);
    });
  });

  describe("with --confirm", () => {
    it("stops syncing, removes the workloads, keeps the data, destroys the rest, removes the stack, then retires its files", async () => {
      const result = await run("--stack", "kch-staging", "--confirm", "kch-staging");
      assert.equal(result.exitCode, 0, result.output);
      assert.deepEqual(backend.calls, ["destroy gitops-applicationset", "unprotect 5", "destroy all", "remove"]);
      assert.deepEqual(workloads.calls, ["wait argocd kch-staging", "remove kch-staging"]);
      // Argo CD stops before the workloads do, and both before anything is destroyed.
      const order = progress.filter((l) => !l.includes("done in")).map((l) => /\] (\S+):/.exec(l)?.[1]);
      assert.deepEqual(order, ["record", "stop-sync", "remove-workloads", "unprotect", "destroy", "remove-stack", "retire"]);
      assert.equal(backend.stacks.has("kch-staging"), false);

      assert.equal(fs.existsSync(path.join(root, "stacks/Pulumi.kch-staging.yaml")), false);
      const customer = fs.readFileSync(path.join(root, "customers/kch.yaml"), "utf8");
      assert.doesNotMatch(customer, /staging:/);
      assert.match(customer, /^  prod:/m, "the other environment stays");
      assert.ok(customer.includes("#"), "the file's comments stay");

      const record = tombstone("kch-staging");
      assert.ok(record);
      assert.equal(record.status, "retired");
      assert.equal(record.retired, NOW.toISOString());
      assert.deepEqual(record.reserved, { namespace: "kch-staging", vaultPath: "kch-staging-application", dbSuffix: "_kch_staging", hosts: ["staging.kch.fitfile.net"] });
      assert.equal(record.retained.namespace, "kch-staging");
      assert.deepEqual(record.retained.claims.map((c) => c.name).sort(), ["pvc-kch-staging-minio", "pvc-kch-staging-postgresql"]);
      assert.equal(record.retained.vaultMount, "kch-staging-application");
      assert.ok(record.purge.includes("vault secrets disable kch-staging-application"));
      assert.ok(record.purge.some((c) => c.endsWith("delete namespace kch-staging")));
      const section = (record.customerFile.environments as Record<string, { domain: string }>).staging;
      assert.equal(section.domain, "staging.kch.fitfile.net");
      assert.equal(record.customerFile.name, "kch");

      // What is left plans, and the retired stack is gone from the fleet.
      assert.deepEqual(listStacks(root), ["demo-local", "ff-a-prod", "ff-b-prod", "ff-c-prod", "kch-prod"]);
      assert.deepEqual(checkAllStacks(root, listStacks(root)).problems, []);
    });

    it("retiring a customer's last environment removes its file", async () => {
      // demo has one environment, and nobody connects to it.
      backend.stacks.set("demo-local", await stateOf(root, "demo-local"));
      const result = await run("--stack", "demo-local", "--confirm", "demo-local");
      assert.equal(result.exitCode, 0, result.output);
      assert.equal(fs.existsSync(path.join(root, "customers/demo.yaml")), false);
      assert.equal(tombstone("demo-local")?.customerFile.name, "demo");
    });

    it("a stack with no state in the backend only has its files retired", async () => {
      backend.stacks.delete("kch-staging");
      const result = await run("--stack", "kch-staging", "--confirm", "kch-staging");
      assert.equal(result.exitCode, 0, result.output);
      assert.deepEqual(backend.calls, []);
      assert.deepEqual(workloads.calls, []);
      assert.equal(tombstone("kch-staging")?.status, "retired");
    });

    it("stops at the first failure, says what is done and left, and the same command resumes", async () => {
      backend.failOn = "destroy all";
      const failed = await run("--stack", "kch-staging", "--confirm", "kch-staging");
      assert.equal(failed.exitCode, 4);
      assert.match(failed.output, /stopped at 'destroy': injected failure/);
      assert.match(failed.output, /done: record, stop-sync, remove-workloads, unprotect\n/);
      assert.match(failed.output, /left: destroy, remove-stack, retire\n/);
      assert.match(failed.output, /run the same command again: npm run decommission -- --stack kch-staging --confirm kch-staging$/);
      assert.equal(tombstone("kch-staging")?.status, "in-progress");
      assert.ok(fs.existsSync(path.join(root, "stacks/Pulumi.kch-staging.yaml")), "nothing is retired before the stack is gone");
      // The stack being decommissioned keeps its names meanwhile; nobody else gets them.
      assert.deepEqual(checkAllStacks(root, listStacks(root)).problems, []);

      backend.failOn = undefined;
      backend.calls.length = 0;
      workloads.calls.length = 0;
      const resumed = await run("--stack", "kch-staging", "--confirm", "kch-staging");
      assert.equal(resumed.exitCode, 0, resumed.output);
      assert.deepEqual(backend.calls, ["destroy all", "remove"], "what was done is not done again");
      const record = tombstone("kch-staging");
      assert.equal(record?.status, "retired");
      assert.equal(record?.started, NOW.toISOString());
      assert.equal(record?.retained.vaultMount, "kch-staging-application", "the first run's record of the data survives the resume");
    });

    it("resumes from the tombstone when the files were already retired", async () => {
      backend.failOn = "remove";
      assert.equal((await run("--stack", "kch-staging", "--confirm", "kch-staging")).exitCode, 4);
      fs.rmSync(path.join(root, "stacks/Pulumi.kch-staging.yaml"));
      backend.failOn = undefined;
      const resumed = await run("--stack", "kch-staging", "--confirm", "kch-staging");
      assert.equal(resumed.exitCode, 0, resumed.output);
      assert.equal(backend.stacks.has("kch-staging"), false);
      assert.equal(tombstone("kch-staging")?.status, "retired");
    });

    it("a second run after success says when it was decommissioned", async () => {
      await run("--stack", "kch-staging", "--confirm", "kch-staging");
      await assert.rejects(run("--stack", "kch-staging", "--confirm", "kch-staging"), (e: unknown) =>
        e instanceof ConfigError && /no such stack; it was decommissioned on 2026-11-30T12:00:00.000Z \(customers\/retired\/kch-staging\.yaml\)/.test(formatProblem(e.problems[0])),
      );
    });
  });

  describe("tombstones keep names reserved", () => {
    beforeEach(async () => {
      assert.equal((await run("--stack", "kch-staging", "--confirm", "kch-staging")).exitCode, 0);
    });

    it("new-customer refuses a returning customer's name while its tombstone holds the names, naming it", async () => {
      backend.stacks.set("demo-local", await stateOf(root, "demo-local"));
      assert.equal((await run("--stack", "demo-local", "--confirm", "demo-local")).exitCode, 0);
      const before = snapshot(root);
      await assert.rejects(newCustomer(["--name", "demo", "--domain", "demo.fitfile.net", "--env", "local"], root), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        const lines = e.problems.map(formatProblem);
        assert.ok(lines.some((l) => /^customers\/demo\.yaml: name: namespace 'demo-local' of stack demo-local is reserved by customers\/retired\/demo-local\.yaml.*\(derived from the name/.test(l)), lines.join("\n"));
        return true;
      });
      assert.deepEqual(snapshot(root), before);
    });

    const taken: [string, string][] = [
      ["namespace", "namespace: kch-staging"],
      // Two labels below the zone: served DNS-only, as kch staging is (Universal SSL covers one).
      ["host", "extraHosts: [staging.kch.fitfile.net]\n    dns: { proxied: false }"],
      ["Vault path", "vault: { path: kch-staging-application }"],
      ["dbSuffix", "dbSuffix: _kch_staging"],
    ];
    for (const [what, line] of taken) {
      it(`plan --all refuses another customer's ${what} that a tombstone reserves`, async () => {
        fs.writeFileSync(path.join(root, "customers/zed.yaml"), `name: zed\ndisplayName: Zed\nfitConnectCode: FITConnect Zed\nenvironments:\n  prod:\n    domain: zed.fitfile.net\n    ${line}\n`);
        fs.writeFileSync(path.join(root, "stacks/Pulumi.zed-prod.yaml"), "config:\n  kubernetes:context: test\n");
        await assert.rejects(plan(["--all"], root), (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          const lines = e.problems.map(formatProblem);
          assert.ok(lines.some((l) => l.startsWith("customers/zed.yaml: environments.prod.") && l.includes(`${what} '`) && l.includes("reserved by customers/retired/kch-staging.yaml")), lines.join("\n"));
          return true;
        });
      });
    }

    it("import-helm refuses to import a customer under a tombstone's names, writing nothing", () => {
      // ff-a's prod stack retired: its names are reserved, and the Helm tree holds ff-a again.
      const project = fixtureRoot(
        Object.fromEntries(["customers/ff-b.yaml", "customers/ff-c.yaml", "stacks/Pulumi.ff-b-prod.yaml", "stacks/Pulumi.ff-c-prod.yaml"].map((f) => [f, fs.readFileSync(path.join(REPO_ROOT, f), "utf8")])),
      );
      try {
        writeTombstone(project, {
          stack: "ff-a-prod",
          status: "retired",
          started: NOW.toISOString(),
          retired: NOW.toISOString(),
          customer: "ff-a",
          environment: "prod",
          argocdNamespace: "argocd",
          reserved: { namespace: "ff-a", vaultPath: "ff-a-application", dbSuffix: "_ff_a", hosts: ["ff-a.fitfile.net"] },
          retained: { namespace: "ff-a", claims: [], vaultSecrets: [], dnsRecords: [], inNamespace: [], other: [] },
          purge: [],
          customerFile: { name: "ff-a" },
        });
        const before = snapshot(project);
        assert.throws(
          () => importHelm({ dir: path.join(REPO_ROOT, "test/fixtures/helm"), root: project, dryRun: false, force: false }),
          (e: unknown) => e instanceof ConfigError && e.problems.some((p) => /namespace 'ff-a' of stack ff-a-prod is reserved by customers\/retired\/ff-a-prod\.yaml/.test(formatProblem(p))),
        );
        assert.deepEqual(snapshot(project), before);
      } finally {
        fs.rmSync(project, { recursive: true, force: true });
      }
    });

    it("a tombstone that cannot be read is a problem naming it", () => {
      const file = path.join(root, "customers/retired/kch-staging.yaml");
      const record = parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
      fs.writeFileSync(file, JSON.stringify({ ...record, reserved: { namespace: "kch-staging" } }));
      const lines = checkAllStacks(root, listStacks(root)).problems.map(formatProblem);
      assert.ok(lines.some((l) => l.startsWith("customers/retired/kch-staging.yaml: reserved.vaultPath: required")), lines.join("\n"));
    });
  });
});
