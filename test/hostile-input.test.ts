import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as fc from "fast-check";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { importHelmCommand } from "../src/cli/import-helm";
import { newCustomer } from "../src/cli/new-customer";
import { plan } from "../src/cli/plan";
import { renderTree } from "../src/plan/render";
import { StackPlan } from "../src/plan/engine";
import { compareFleet } from "../src/diff/compare";
import { rollout } from "../src/cli/rollout";
import { UsageError, reportError } from "../src/cli/run";
import { checkAllStacks } from "../src/config/fleet";
import { listStacks } from "../src/config/files";
import { resolveEnvironment } from "../src/config/resolve";
import { stackLayerFromConfig } from "../src/config/stack-file";
import { ConfigError, Problem, formatProblem } from "../src/config/problems";
import { customerIdentity, environmentSettings } from "../src/config/schema";
import { readStackLayer } from "../src/config/stack-file";
import { MAX_FILE_BYTES, readBoundedFile } from "../src/config/yaml";
import { REPO_ROOT, fixtureRoot, runCommand, stackFile, tempDir } from "./helpers";

const HELM_FIXTURE = path.join(REPO_ROOT, "test/fixtures/helm");
/** The exceptions of external egress in the defaults: the private and link-local ranges. */
const PROTECTED = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"];
/** The validation library's own words, which name JavaScript types rather than what a key takes. */
const ZOD_WORDS = /Invalid (input|option)|expected (string|number|boolean|array|object|record)|received|Too (small|big)/;

/** Every entry below `dir`, links and pipes not followed: a file's text, or what the entry is. */
function snapshotTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const stat = fs.lstatSync(p);
      const key = path.relative(dir, p);
      if (stat.isSymbolicLink()) out.set(key, `link -> ${fs.readlinkSync(p)}`);
      else if (stat.isDirectory()) {
        out.set(key, "directory");
        walk(p);
      } else if (stat.isFile()) out.set(key, fs.readFileSync(p, "utf8"));
      else out.set(key, "special");
    }
  };
  walk(dir);
  return out;
}

/** Scratch copies left in the temporary directory. */
const scratchLeft = (): string[] => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("ffnodes-scratch-"));

/** Gives the enclosing suite a temporary folder of its own, so that another process's scratch copies are not counted. */
function useOwnTemporaryFolder(): void {
  const tmpdir = process.env.TMPDIR;
  before(() => {
    process.env.TMPDIR = tempDir("own");
  });
  after(() => {
    if (tmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdir;
  });
}

/** A project holding the repository's customers and stacks, changed by `setup`. */
function fleet(setup: (root: string) => void = () => undefined): string {
  const root = fixtureRoot({}, { withRepoCustomers: true });
  setup(root);
  return root;
}

/** A project holding ff-a's peers ff-b and ff-c, into which the Helm fixture imports. */
function importProject(extra: Record<string, string> = {}): string {
  const repo = (f: string) => fs.readFileSync(path.join(REPO_ROOT, f), "utf8");
  const files = ["customers/ff-b.yaml", "customers/ff-c.yaml", "stacks/Pulumi.ff-b-prod.yaml", "stacks/Pulumi.ff-c-prod.yaml"];
  return fixtureRoot({ ...Object.fromEntries(files.map((f) => [f, repo(f)])), ...extra });
}

const customerText = (name: string, prod: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  stringify({ name, displayName: name, fitConnectCode: `FITConnect ${name}`, ...extra, environments: { prod } });

type Tool = (root: string) => Promise<unknown>;
const planTool = (...argv: string[]): Tool => (root) => plan(argv, root);
const newCustomerTool = (...argv: string[]): Tool => (root) => newCustomer(argv, root);
const importTool = (...argv: string[]): Tool => (root) => Promise.resolve().then(() => importHelmCommand(argv, root));

/** Runs `tool`, which must refuse with a problem at `file` (and `at`, when given) saying `says`, and change nothing. */
async function expectRefusal(root: string, tool: Tool, file: string, says: RegExp, at?: string): Promise<Problem[]> {
  const before = snapshotTree(root);
  let problems: Problem[] = [];
  await assert.rejects(tool(root), (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    problems = e.problems;
    const lines = problems.map(formatProblem).join("\n");
    assert.ok(
      problems.some((p) => p.file === file && (at === undefined || p.path === at) && says.test(p.message)),
      `expected ${file}${at === undefined ? "" : `: ${at}`} saying ${String(says)}, got:\n${lines}`,
    );
    return true;
  });
  assert.deepEqual(snapshotTree(root), before, "the project changed");
  assert.deepEqual(scratchLeft(), [], "a scratch copy was left behind");
  return problems;
}

describe("hostile and mistaken input", function () {
  this.timeout(60_000);
  useOwnTemporaryFolder();

  describe("files that are not regular files, or too much to read", () => {
    const replace = (file: string, make: (p: string) => void) => (root: string) => {
      fs.rmSync(path.join(root, file), { force: true });
      make(path.join(root, file));
    };
    const cases: { title: string; setup: (root: string) => void; tool: Tool; file: string; says: RegExp }[] = [
      { title: "a directory named like a customer file", setup: replace("customers/kch.yaml", (p) => fs.mkdirSync(p)), tool: planTool("--all"), file: "customers/kch.yaml", says: /is a directory; expected a regular YAML file/ },
      { title: "a directory named like a stack file", setup: replace("stacks/Pulumi.x-prod.yaml", (p) => fs.mkdirSync(p)), tool: planTool("--all"), file: "stacks/Pulumi.x-prod.yaml", says: /is a directory/ },
      { title: "a dangling symbolic link in stacks/", setup: replace("stacks/Pulumi.y-prod.yaml", (p) => fs.symlinkSync("/nonexistent/file", p)), tool: planTool("--all"), file: "stacks/Pulumi.y-prod.yaml", says: /symbolic link to a file that does not exist/ },
      { title: "a named pipe as a customer file (never opened for a writer)", setup: replace("customers/kch.yaml", (p) => execFileSync("mkfifo", [p])), tool: planTool("--stack", "kch-prod"), file: "customers/kch.yaml", says: /is a named pipe/ },
      { title: "a symbolic link to /dev/zero as a customer file", setup: replace("customers/kch.yaml", (p) => fs.symlinkSync("/dev/zero", p)), tool: planTool("--all"), file: "customers/kch.yaml", says: /is a device \(through a symbolic link\)/ },
      {
        title: "a loop of symbolic links as a customer file",
        setup: replace("customers/kch.yaml", (p) => {
          fs.symlinkSync("kch.yaml", p);
        }),
        tool: planTool("--all"),
        file: "customers/kch.yaml",
        says: /loop of symbolic links/,
      },
      { title: "a directory named like the file of a customer without stacks", setup: (r) => fs.mkdirSync(path.join(r, "customers/x.yaml")), tool: planTool("--all"), file: "customers/x.yaml", says: /is a directory/ },
      { title: "a broken file of a customer without stacks", setup: (r) => fs.writeFileSync(path.join(r, "customers/x.yaml"), "name: [x\n"), tool: (r) => rollout(["--emit", "gitlab-ci"], r), file: "customers/x.yaml", says: /invalid YAML/ },
      { title: "the defaults file as a directory, told once for every stack", setup: replace("customers/_defaults.yaml", (p) => fs.mkdirSync(p)), tool: planTool("--all"), file: "customers/_defaults.yaml", says: /is a directory/ },
    ];
    for (const c of cases) {
      it(`refuses ${c.title}, naming the file`, async () => {
        const root = fleet(c.setup);
        const problems = await expectRefusal(root, c.tool, c.file, c.says);
        assert.equal(problems.filter((p) => p.file === c.file).length, 1, problems.map(formatProblem).join("\n"));
      });
    }

    it("a file larger than the limit is refused, naming it", async () => {
      const root = fleet((r) => fs.appendFileSync(path.join(r, "customers/kch.yaml"), `# ${"x".repeat(300 * 1024)}\n`));
      await expectRefusal(root, planTool("--stack", "kch-prod"), "customers/kch.yaml", /larger than 262144 bytes/);
    });

    it("a file that grows past the limit after it was checked is read no further than the limit", () => {
      const file = path.join(tempDir("grows"), "grows.yaml");
      fs.writeFileSync(file, `# ${"x".repeat(4 * MAX_FILE_BYTES)}\n`);
      // The module the reader calls, not this file's view of it: fstat as it was before the file
      // grew (a few bytes), and every byte read counted.
      const nodeFs = process.getBuiltinModule("node:fs");
      const { fstatSync, readSync } = nodeFs;
      let bytesRead = 0;
      nodeFs.fstatSync = ((fd: number) => Object.assign(fstatSync(fd), { size: 10 })) as typeof fstatSync;
      nodeFs.readSync = ((...args: Parameters<typeof readSync>) => {
        const n = readSync(...args);
        bytesRead += n;
        return n;
      }) as typeof readSync;
      let result: ReturnType<typeof readBoundedFile>;
      try {
        result = readBoundedFile(file, "customers/grows.yaml");
      } finally {
        Object.assign(nodeFs, { fstatSync, readSync });
      }
      assert.deepEqual(result, { ok: false, problems: [{ file: "customers/grows.yaml", path: "", message: `file is larger than ${MAX_FILE_BYTES} bytes` }] });
      assert.ok(bytesRead > MAX_FILE_BYTES && bytesRead <= MAX_FILE_BYTES + 1, `read ${bytesRead} bytes of a ${fs.statSync(file).size}-byte file`);
    });

    it("new-customer beside a dangling link, a directory and a pipe in the fleet: refuses, naming each, writes nothing and leaves no scratch copy", async () => {
      const root = fleet((r) => {
        fs.symlinkSync("/nonexistent/file", path.join(r, "stacks/Pulumi.y-prod.yaml"));
        fs.mkdirSync(path.join(r, "customers/x.yaml"));
        execFileSync("mkfifo", [path.join(r, "customers/pipe.yaml")]);
      });
      const problems = await expectRefusal(root, newCustomerTool("--name", "newco", "--domain", "newco.fitfile.net"), "stacks/Pulumi.y-prod.yaml", /symbolic link to a file that does not exist/);
      for (const [file, says] of [["customers/x.yaml", /is a directory/], ["customers/pipe.yaml", /is a named pipe/]] as const) {
        assert.ok(problems.some((p) => p.file === file && says.test(p.message)), problems.map(formatProblem).join("\n"));
      }
    });

    // new-customer checks the new customer against every stack: a fleet it cannot read whole, or
    // that clashes already, is refused before anything is written, naming the file at fault.
    describe("new-customer into a fleet that is broken already", () => {
      const write = (file: string, text: string) => (r: string) => fs.writeFileSync(path.join(r, file), text);
      const cases: { title: string; setup: (r: string) => void; file: string; says: RegExp }[] = [
        { title: "a stack file of invalid YAML", setup: write("stacks/Pulumi.ff-b-prod.yaml", "config: [\n"), file: "stacks/Pulumi.ff-b-prod.yaml", says: /invalid YAML/ },
        { title: "a dangling link as a stack file", setup: (r) => fs.symlinkSync("/nonexistent/file", path.join(r, "stacks/Pulumi.y-prod.yaml")), file: "stacks/Pulumi.y-prod.yaml", says: /symbolic link to a file that does not exist/ },
        { title: "a directory as a stack file", setup: (r) => fs.mkdirSync(path.join(r, "stacks/Pulumi.y-prod.yaml")), file: "stacks/Pulumi.y-prod.yaml", says: /is a directory/ },
        { title: "a stack file of a customer that has no file", setup: write("stacks/Pulumi.ghost-prod.yaml", stackFile()), file: "customers/ghost.yaml", says: /does not exist|no such file|not found/i },
        { title: "a stack file named after no environment", setup: write("stacks/Pulumi.ff-b-qa.yaml", stackFile()), file: "stacks/Pulumi.ff-b-qa.yaml", says: /must be <customer>-<environment>/ },
        { title: "a stack file with a setting out of range", setup: (r) => fs.appendFileSync(path.join(r, "stacks/Pulumi.ff-b-prod.yaml"), "  ffnodes:settings:\n    quota: { pods: -1 }\n"), file: "stacks/Pulumi.ff-b-prod.yaml", says: /zero or more/ },
        { title: "a broken file of a customer without stacks", setup: write("customers/x.yaml", "name: [x\n"), file: "customers/x.yaml", says: /invalid YAML/ },
        { title: "two stacks that clash already", setup: (r) => fs.appendFileSync(path.join(r, "stacks/Pulumi.ff-b-prod.yaml"), "  ffnodes:settings:\n    namespace: ff-c\n"), file: "stacks/Pulumi.ff-b-prod.yaml", says: /namespace 'ff-c' of stack ff-b-prod is .* used by stack ff-c-prod/ },
      ];
      for (const c of cases) {
        it(`refuses beside ${c.title}, naming it, writing nothing`, async () => {
          await expectRefusal(fleet(c.setup), newCustomerTool("--name", "newco", "--domain", "newco.fitfile.net"), c.file, c.says);
        });
      }
    });

    it("new-customer never writes through a dangling link where its file would go", async () => {
      const target = path.join(os.tmpdir(), "written-through-a-link.yaml");
      const root = fleet((r) => fs.symlinkSync(target, path.join(r, "customers/newco.yaml")));
      await expectRefusal(root, newCustomerTool("--name", "newco", "--domain", "newco.fitfile.net"), "command line", /customers\/newco\.yaml already exists/);
      assert.ok(!fs.existsSync(target));
    });

    it("import-helm --force never writes through a symbolic link in place of a customer file", async () => {
      const outsideFile = path.join(tempDir("out"), "ff-a.yaml");
      fs.copyFileSync(path.join(REPO_ROOT, "customers/ff-a.yaml"), outsideFile);
      const root = importProject();
      fs.symlinkSync(outsideFile, path.join(root, "customers/ff-a.yaml"));
      await expectRefusal(root, importTool(HELM_FIXTURE, "--force"), "customers/ff-a.yaml", /is a symbolic link; ffnodes writes only regular files/);
      assert.equal(fs.readFileSync(outsideFile, "utf8"), fs.readFileSync(path.join(REPO_ROOT, "customers/ff-a.yaml"), "utf8"));
    });

    it("import-helm beside a dangling link in place of an imported stack's file keeps it and names it", async () => {
      const root = importProject();
      fs.symlinkSync("/nonexistent/stack.yaml", path.join(root, "stacks/Pulumi.kch-prod.yaml"));
      await expectRefusal(root, importTool(HELM_FIXTURE), "stacks/Pulumi.kch-prod.yaml", /symbolic link to a file that does not exist/);
    });

    it("import-helm over a tree with a loop of symbolic links and a link out of the tree ends, reading neither", () => {
      const tree = tempDir("helm");
      fs.cpSync(HELM_FIXTURE, tree, { recursive: true });
      fs.symlinkSync("..", path.join(tree, "ffnodes/kch/prod/templates/loop"));
      fs.symlinkSync("/", path.join(tree, "ffnodes/kch/staging/templates/root"));
      fs.symlinkSync("../..", path.join(tree, "ffnodes/fitfile/ff-a/up"));
      const output = importHelmCommand([tree, "--dry-run"], importProject());
      assert.match(output, /Dry run: nothing was written/);
      assert.doesNotMatch(output, /templates\/root\//);
    });

    it("import-helm refuses a value file outside the tree", () => {
      const tree = tempDir("helm");
      fs.cpSync(HELM_FIXTURE, tree, { recursive: true });
      const set = path.join(tree, "ffnodes/kch/prod/templates/applicationset.yaml");
      fs.writeFileSync(set, fs.readFileSync(set, "utf8").replace("/ffnodes/kch/prod/values/frontend/infra-config.yaml", "/../../../../etc/hostname"));
      assert.throws(() => importHelmCommand([tree, "--dry-run"], importProject()), (e: unknown) => e instanceof ConfigError && /'\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname' .* is not in the tree/.test(e.message));
    });

    it("the tree view follows depth, not names: a resource named like its parent's parent", () => {
      const r = (type: string, name: string, depth: number, parent?: string) => ({ type, name, depth, parent, protect: false, retainOnDelete: false, inputs: {} });
      const tree = renderTree({
        stack: "vault-prod",
        customer: "vault",
        environment: "prod",
        resources: [r("C", "vault", 0), r("V", "vault", 1, "vault"), r("P", "vault", 2, "vault"), r("D", "dns", 1, "vault")],
        outputs: {},
      });
      assert.deepEqual(tree.split("\n").slice(1, 5), ["C  vault", "├─ V  vault", "│  └─ P  vault", "└─ D  dns"]);
    });

    it("the fleet diff of a customer named like a component ends, with URNs by depth, and a plan of an earlier version without depth", async () => {
      const root = fleet();
      await newCustomer(["--name", "namespace", "--domain", "namespace.fitfile.net"], root);
      const planned = JSON.parse(await plan(["--stack", "namespace-prod", "--json"], root)) as StackPlan;
      const earlier = { ...planned, resources: planned.resources.map(({ depth: _depth, ...r }) => r) } as unknown as StackPlan;
      const same = compareFleet({ plans: [planned], secrets: {} }, { plans: [planned], secrets: {} });
      assert.deepEqual([same.stacks, same.unchanged], [[], 1]);
      // Names alone are ambiguous here: the earlier plan's URNs may differ, but comparing it ends.
      assert.equal(compareFleet({ plans: [earlier], secrets: {} }, { plans: [planned], secrets: {} }).stacks.length <= 1, true);
    });

    // `vault` would be a reserved namespace: refused at --name before any file is written.
    for (const name of ["storage", "dns", "gitops", "namespace", "quota", "limits", "certificates", "isolation"]) {
      it(`a customer named '${name}' like a component of the program plans as a tree`, async () => {
        const root = fleet();
        await newCustomer(["--name", name, "--domain", `${name}.fitfile.net`], root);
        const tree = await plan(["--stack", `${name}-prod`], root);
        const lines = tree.split("\n");
        assert.equal(lines[1], `ffnodes:index:Customer  ${name}`);
        assert.ok(lines.includes("└─ ffnodes:customer:Vault  vault"), tree);
        assert.ok(lines.some((l) => /^│  [├└]─ kubernetes:core\/v1:Namespace  namespace/.test(l)), tree);
      });
    }
  });

  describe("report paths of import-helm", () => {
    const outside = () => path.join(tempDir("out"), "r.md");
    const cases: { title: string; report: (root: string) => string; dryRun: boolean; says: RegExp }[] = [
      { title: "a customer file, in a dry run", report: () => "customers/ff-b.yaml", dryRun: true, says: /is inside customers\/, which holds configuration only/ },
      { title: "a new file in stacks/", report: () => "stacks/report.md", dryRun: false, says: /is inside stacks\// },
      { title: "a directory that does not exist", report: () => "/nonexistent/dir/r.md", dryRun: false, says: /is in a directory that does not exist \(\/nonexistent\/dir\)/ },
      { title: "a path outside the project", report: outside, dryRun: false, says: /is outside the project/ },
      { title: "a path that climbs out of the project", report: () => "../r.md", dryRun: false, says: /is outside the project/ },
      {
        title: "a symbolic link to a customer file",
        report: (root) => {
          fs.symlinkSync(path.join(root, "customers/ff-b.yaml"), path.join(root, "report.md"));
          return "report.md";
        },
        dryRun: true,
        says: /is a symbolic link/,
      },
      {
        title: "a directory linked into customers/",
        report: (root) => {
          fs.symlinkSync(path.join(root, "customers"), path.join(root, "reports"));
          return "reports/r.md";
        },
        dryRun: false,
        says: /is inside customers\//,
      },
      { title: "the project itself", report: () => ".", dryRun: true, says: /is outside the project|is a directory|not a regular file/ },
    ];
    for (const c of cases) {
      it(`refuses ${c.title} before writing anything`, async () => {
        const root = importProject();
        const report = c.report(root);
        await expectRefusal(root, importTool(HELM_FIXTURE, ...(c.dryRun ? ["--dry-run"] : []), "--report", report), "command line", c.says, "--report");
      });
    }

    it("writes the report inside the project, and in a dry run nothing else", () => {
      const root = importProject();
      const before = snapshotTree(root);
      importHelmCommand([HELM_FIXTURE, "--dry-run", "--report", "import-report.md"], root);
      const after = snapshotTree(root);
      assert.deepEqual([...after.keys()].filter((k) => !before.has(k)), ["import-report.md"]);
      assert.match(after.get("import-report.md") ?? "", /^# ffnodes import report/);
    });
  });

  describe("blame: the file and key that caused a problem", () => {
    const two = (alpha: Record<string, unknown>, beta: Record<string, unknown>, betaStack = "") =>
      fixtureRoot({
        "customers/alpha.yaml": customerText("alpha", { domain: "one.fitfile.net", ...alpha }),
        "customers/beta.yaml": customerText("beta", { domain: "two.fitfile.net", ...beta }),
        "stacks/Pulumi.alpha-prod.yaml": stackFile(),
        "stacks/Pulumi.beta-prod.yaml": stackFile(betaStack),
      });
    const cases: { title: string; root: () => string; file: string; at: string; says: RegExp }[] = [
      {
        title: "a namespace set in a stack file's ffnodes:settings",
        root: () => two({}, {}, "  ffnodes:settings:\n    namespace: alpha\n"),
        file: "stacks/Pulumi.beta-prod.yaml",
        at: "config.ffnodes:settings.namespace",
        says: /namespace 'alpha' of stack beta-prod is already used by stack alpha-prod/,
      },
      {
        title: "a Vault path one customer sets to another's derived one",
        root: () => two({ vault: { path: "beta-application" } }, {}),
        file: "customers/alpha.yaml",
        at: "environments.prod.vault.path",
        says: /Vault path 'beta-application' of stack alpha-prod is also used by stack beta-prod/,
      },
      {
        title: "a derived namespace that takes an explicit one's name",
        root: () => fixtureRoot({
          "customers/alpha.yaml": customerText("alpha", { domain: "one.fitfile.net", namespace: "zeta" }),
          "customers/zeta.yaml": customerText("zeta", { domain: "two.fitfile.net" }),
          "stacks/Pulumi.alpha-prod.yaml": stackFile(),
          "stacks/Pulumi.zeta-prod.yaml": stackFile(),
        }),
        file: "customers/alpha.yaml",
        at: "environments.prod.namespace",
        says: /namespace 'zeta' of stack alpha-prod is also used by stack zeta-prod/,
      },
      {
        title: "a shared mount named like another customer's own mount",
        root: () => fixtureRoot({
          "customers/alpha.yaml": customerText("alpha", { domain: "one.fitfile.net" }),
          "customers/zeta.yaml": customerText("zeta", { domain: "two.fitfile.net", vault: { mount: "shared", sharedMount: "alpha-application" } }),
          "stacks/Pulumi.alpha-prod.yaml": stackFile(),
          "stacks/Pulumi.zeta-prod.yaml": stackFile(),
        }),
        file: "customers/zeta.yaml",
        at: "environments.prod.vault.sharedMount",
        says: /shared mount 'alpha-application' of stack zeta-prod has the name of the own mount of stack alpha-prod/,
      },
      {
        title: "a namespace two customers set",
        root: () => two({ namespace: "shared" }, { namespace: "shared" }),
        file: "customers/beta.yaml",
        at: "environments.prod.namespace",
        says: /namespace 'shared' of stack beta-prod is already used by stack alpha-prod/,
      },
    ];
    for (const c of cases) {
      it(`blames ${c.title} on ${c.file}: ${c.at}`, () => {
        const root = c.root();
        const { problems } = checkAllStacks(root, listStacks(root));
        assert.ok(problems.some((p) => p.file === c.file && p.path === c.at && c.says.test(p.message)), problems.map(formatProblem).join("\n"));
        assert.ok(problems.every((p) => p.file === c.file), `only ${c.file} is blamed:\n${problems.map(formatProblem).join("\n")}`);
      });
    }

    it("a derived value of a newcomer is told at the key it derives from, saying so", () => {
      const { problems } = checkAllStacks(two({ vault: { path: "beta-application" } }, {}), ["alpha-prod", "beta-prod"], ["beta-prod"]);
      assert.deepEqual(problems.map(formatProblem), [
        "customers/beta.yaml: name: Vault path 'beta-application' of stack beta-prod is already used by stack alpha-prod; each must be unique across the fleet (derived from the namespace; set vault.path to choose another)",
      ]);
    });

    it("two customers setting one namespace: the clash is told once, not again for what derives from it", () => {
      const { problems } = checkAllStacks(two({ namespace: "shared" }, { namespace: "shared" }), ["alpha-prod", "beta-prod"]);
      assert.deepEqual(problems.map((p) => `${p.file}: ${p.path}`), ["customers/beta.yaml: environments.prod.namespace"]);
    });

    it("a new customer that clashes is blamed, whichever sorts first", async () => {
      const root = fleet();
      await expectRefusal(root, newCustomerTool("--name", "aaa", "--domain", "kch.fitfile.net"), "customers/aaa.yaml", /host 'kch.fitfile.net' of stack aaa-prod is already used by stack kch-prod/, "environments.prod.domain");
    });

    it("an imported customer that clashes is blamed, not the one already there", async () => {
      const root = importProject({ "customers/aaa.yaml": customerText("aaa", { domain: "app.fitfile.net" }), "stacks/Pulumi.aaa-prod.yaml": stackFile() });
      await expectRefusal(root, importTool(HELM_FIXTURE), "customers/ff-a.yaml", /host 'app.fitfile.net' of stack ff-a-prod is already used by stack aaa-prod/);
    });

    it("an unreadable customer file is one problem, without a false 'needs a section'", async () => {
      const root = fleet((r) => fs.writeFileSync(path.join(r, "customers/kch.yaml"), "name: [kch\n"));
      const problems = await expectRefusal(root, planTool("--stack", "kch-prod"), "customers/kch.yaml", /invalid YAML/);
      assert.equal(problems.length, 1, problems.map(formatProblem).join("\n"));
    });

    it("new-customer over a broken defaults file blames the file, not --env", async () => {
      const root = fleet((r) => fs.writeFileSync(path.join(r, "customers/_defaults.yaml"), "defaults: [\n"));
      await expectRefusal(root, newCustomerTool("--name", "newco", "--domain", "newco.fitfile.net"), "customers/_defaults.yaml", /invalid YAML/);
    });

    it("a broken defaults file is told once, not once per stack", async () => {
      const root = fleet((r) => fs.writeFileSync(path.join(r, "customers/_defaults.yaml"), "defaults: [\n"));
      const problems = await expectRefusal(root, planTool("--all"), "customers/_defaults.yaml", /invalid YAML/);
      assert.equal(problems.length, 1, problems.map(formatProblem).join("\n"));
    });

    it("a problem of two environments of one customer file is told once", () => {
      const root = fleet((r) => fs.appendFileSync(path.join(r, "customers/kch.yaml"), "colour: blue\n"));
      const { problems } = checkAllStacks(root, ["kch-prod", "kch-staging"]);
      assert.deepEqual(problems.map(formatProblem), ["customers/kch.yaml: colour: unknown key (check its spelling); the keys here are: domain, extraHosts, deploymentKey, dbSuffix, connects, namespace, namespaceSuffix, podSecurity, quota, limits, network, optIns, team, storageClassName, storage, vault, dns, certificates, gitops, services, addons, app, sleuth, pgweb, rollout, name, displayName, fitConnectCode, environments"]);
    });

    describe("claims that do not fit the storage quota: each stack's problem told once, the defaults' naming the stacks it breaks", () => {
      const defaultsWith = (r: string, from: string, to: string) => {
        const file = path.join(r, "customers/_defaults.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(from, to));
      };
      const set = (r: string, file: string, text: string) => fs.writeFileSync(path.join(r, file), text);
      const cases: { title: string; setup: (r: string) => void; lines: string[] }[] = [
        {
          title: "a storage quota in the defaults below the claims every stack inherits",
          setup: (r) => defaultsWith(r, "requestsStorage: 256Gi", "requestsStorage: 10Gi"),
          lines: [
            "customers/ff-a.yaml: environments.prod.storage.minio.size: the claims request minio 64Gi + postgresql 8Gi, more than quota.requestsStorage's 10Gi (set in customers/_defaults.yaml): raise the quota or shrink the claims (in stack ff-a-prod)",
            "customers/_defaults.yaml: defaults.quota.requestsStorage: the claims request minio 64Gi + postgresql 8Gi, more than quota.requestsStorage's 10Gi: raise the quota or shrink the claims (in stacks ff-b-prod, ff-c-prod)",
            "customers/kch.yaml: storage.postgresql.size: the claims request minio 64Gi + postgresql 16Gi, more than quota.requestsStorage's 10Gi (set in customers/_defaults.yaml): raise the quota or shrink the claims (in stack kch-prod)",
            "customers/kch.yaml: environments.staging.storage.minio.size: the claims request minio 16Gi + postgresql 16Gi, more than quota.requestsStorage's 10Gi (set in customers/_defaults.yaml): raise the quota or shrink the claims (in stack kch-staging)",
          ],
        },
        {
          title: "a claim count in the defaults below every stack's",
          setup: (r) => defaultsWith(r, "persistentVolumeClaims: 20", "persistentVolumeClaims: 1"),
          lines: [
            "customers/_defaults.yaml: defaults.quota.persistentVolumeClaims: 2 claims are configured (minio, postgresql), more than quota.persistentVolumeClaims's 1: raise the quota or remove claims (in stacks demo-local, ff-b-prod, ff-c-prod)",
            "customers/ff-a.yaml: environments.prod.storage.minio: 2 claims are configured (minio, postgresql), more than quota.persistentVolumeClaims's 1 (set in customers/_defaults.yaml): raise the quota or remove claims (in stack ff-a-prod)",
            "customers/kch.yaml: storage.postgresql: 2 claims are configured (minio, postgresql), more than quota.persistentVolumeClaims's 1 (set in customers/_defaults.yaml): raise the quota or remove claims (in stack kch-prod)",
            "customers/kch.yaml: environments.staging.storage.minio: 2 claims are configured (minio, postgresql), more than quota.persistentVolumeClaims's 1 (set in customers/_defaults.yaml): raise the quota or remove claims (in stack kch-staging)",
          ],
        },
        {
          title: "an environment's quota in the defaults below its default claims",
          setup: (r) => defaultsWith(r, "requestsStorage: 20Gi", "requestsStorage: 5Gi"),
          lines: ["customers/_defaults.yaml: environments.local.quota.requestsStorage: the claims request minio 4Gi + postgresql 2Gi, more than quota.requestsStorage's 5Gi: raise the quota or shrink the claims (in stack demo-local)"],
        },
        {
          title: "a customer's own quota below its claims, in both its environments",
          setup: (r) => set(r, "customers/kch.yaml", fs.readFileSync(path.join(r, "customers/kch.yaml"), "utf8").replace("environments:", "quota: { requestsStorage: 1Gi }\nenvironments:")),
          lines: [
            "customers/kch.yaml: quota.requestsStorage: the claims request minio 64Gi + postgresql 16Gi, more than quota.requestsStorage's 1Gi: raise the quota or shrink the claims (in stack kch-prod)",
            "customers/kch.yaml: quota.requestsStorage: the claims request minio 16Gi + postgresql 16Gi, more than quota.requestsStorage's 1Gi: raise the quota or shrink the claims (in stack kch-staging)",
          ],
        },
        {
          title: "a claim a stack file's settings grow past the quota",
          setup: (r) => fs.appendFileSync(path.join(r, "stacks/Pulumi.ff-b-prod.yaml"), "  ffnodes:settings:\n    storage: { minio: { size: 300Gi } }\n"),
          lines: ["stacks/Pulumi.ff-b-prod.yaml: config.ffnodes:settings.storage.minio.size: the claims request minio 300Gi + postgresql 8Gi, more than quota.requestsStorage's 256Gi (set in customers/_defaults.yaml): raise the quota or shrink the claims (in stack ff-b-prod)"],
        },
      ];
      for (const c of cases) {
        it(c.title, async () => {
          const root = fleet(c.setup);
          assert.deepEqual(checkAllStacks(root, listStacks(root)).problems.map(formatProblem), c.lines);
          await expectRefusal(root, planTool("--all"), c.lines[0].split(":")[0], /raise the quota/);
        });
      }
    });

    for (const [flag, value] of [["--display-name", ""], ["--fitconnect-code", ""]]) {
      it(`new-customer ${flag} '${value}' is the flag's mistake`, async () => {
        const root = fleet();
        const before = snapshotTree(root);
        await assert.rejects(newCustomer(["--name", "newco", "--domain", "newco.fitfile.net", flag, value], root), (e: unknown) => e instanceof UsageError && e.message.startsWith(`${flag} is empty`));
        assert.deepEqual(snapshotTree(root), before);
      });
    }
  });

  describe("input that would be ignored", () => {
    const acme = (prod: Record<string, unknown>, extra: Record<string, unknown> = {}, stackConfig = "") =>
      fixtureRoot({ "customers/acme.yaml": customerText("acme", { domain: "acme.fitfile.net", ...prod }, extra), "stacks/Pulumi.acme-prod.yaml": stackFile(stackConfig) });
    const rawAcme = (text: string, stackConfig = "") => fixtureRoot({ "customers/acme.yaml": text, "stacks/Pulumi.acme-prod.yaml": stackFile(stackConfig) });
    const ZONE = "023e105f4ecef8ad9ca31a8372d0c353/372e67954025e0ba6aaa6d586b9e0b59";
    const cases: { title: string; root: () => string; file: string; at: string; says: RegExp }[] = [
      { title: "a misspelt environment section with invalid values", root: () => rawAcme("name: acme\ndisplayName: Acme\nfitConnectCode: F\nenvironments:\n  prod: { domain: acme.fitfile.net }\n  stagin: { domain: BAD }\n"), file: "customers/acme.yaml", at: "environments.stagin", says: /unknown environment \(check its spelling\); environments are: prod, staging, local/ },
      { title: "an unknown ffnodes key in a stack file", root: () => acme({}, {}, "  ffnodes:setings:\n    quota: {}\n"), file: "stacks/Pulumi.acme-prod.yaml", at: "config.ffnodes:setings", says: /unknown key .*ffnodes:settings, ffnodes:adopt, ffnodes:adoptIds/ },
      { title: "an unprefixed unknown key in a stack file", root: () => acme({}, {}, "  adopt_ids: {}\n"), file: "stacks/Pulumi.acme-prod.yaml", at: "config.ffnodes:adopt_ids", says: /unknown key/ },
      { title: "an adoptIds entry for a host the stack does not have", root: () => acme({}, {}, `  ffnodes:adopt: true\n  ffnodes:adoptIds: { dns-acme.fitfile.net: ${ZONE}, dns-other.fitfile.net: create }\n`), file: "stacks/Pulumi.acme-prod.yaml", at: "config.ffnodes:adoptIds.dns-other.fitfile.net", says: /no resource of this stack is adopted under this key.*dns-acme\.fitfile\.net/ },
      { title: "a misspelt adoptIds key", root: () => acme({}, {}, `  ffnodes:adoptIds: { namespce: acme }\n`), file: "stacks/Pulumi.acme-prod.yaml", at: "config.ffnodes:adoptIds.namespce", says: /the keys are: namespace, claim-minio, claim-postgresql, vault-mount/ },
      { title: "a __proto__ key at the top of a customer file", root: () => rawAcme("name: acme\ndisplayName: Acme\nfitConnectCode: F\n__proto__: { namespace: kube-system }\nenvironments:\n  prod: { domain: acme.fitfile.net }\n"), file: "customers/acme.yaml", at: "__proto__", says: /'__proto__' is not a setting/ },
      { title: "a __proto__ key in an environment section", root: () => rawAcme("name: acme\ndisplayName: Acme\nfitConnectCode: F\nenvironments:\n  prod:\n    domain: acme.fitfile.net\n    __proto__: { namespace: kube-system }\n"), file: "customers/acme.yaml", at: "environments.prod.__proto__", says: /'__proto__' is not a setting/ },
      { title: "a __proto__ key in a stack's settings", root: () => acme({}, {}, "  ffnodes:settings:\n    quota:\n      __proto__: { pods: 1 }\n"), file: "stacks/Pulumi.acme-prod.yaml", at: "config.ffnodes:settings.quota.__proto__", says: /'__proto__' is not a setting/ },
    ];
    for (const c of cases) {
      it(`refuses ${c.title}`, async () => {
        const root = c.root();
        await expectRefusal(root, planTool("--all"), c.file, c.says, c.at);
      });
    }

    it("refuses a __proto__ key that reaches the program as JSON config, as pulumi passes it", () => {
      const root = fixtureRoot({ "customers/acme.yaml": customerText("acme", { domain: "acme.fitfile.net" }), "stacks/Pulumi.acme-prod.yaml": stackFile() });
      const json = stackLayerFromConfig({ "ffnodes:settings": '{"__proto__": {"namespace": "kube-system"}}' }, readStackLayer(root, "acme-prod").file);
      assert.throws(() => resolveEnvironment(root, "acme-prod", json), (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.path === "config.ffnodes:settings.__proto__"));
    });

    const usage: { title: string; run: (root: string) => Promise<unknown>; says: RegExp }[] = [
      { title: "plan --stack given twice", run: (root) => plan(["--stack", "kch-prod", "--stack", "ff-a-prod"], root), says: /--stack is given more than once/ },
      { title: "rollout --env '' (an unset CI variable)", run: (root) => rollout(["--env", ""], root), says: /--env is empty/ },
      { title: "rollout --stacks ','", run: (root) => rollout(["--stacks", ","], root), says: /--stacks names nothing/ },
      { title: "import-helm --report ''", run: (root) => Promise.resolve().then(() => importHelmCommand([HELM_FIXTURE, "--report", ""], root)), says: /--report is empty/ },
      { title: "plan with an unknown flag", run: (root) => plan(["--stak", "kch-prod"], root), says: /Unknown option '--stak'/ },
    ];
    for (const u of usage) {
      it(`refuses ${u.title} as a usage error, with the usage`, async () => {
        await assert.rejects(u.run(fleet()), (e: unknown) => e instanceof UsageError && u.says.test(e.message) && /^usage: /.test(e.usage));
      });
    }

    it("plan --all and rollout with no stacks are an error, not silence", async () => {
      const root = fleet((r) => fs.rmSync(path.join(r, "stacks"), { recursive: true }));
      await expectRefusal(root, planTool("--all"), "stacks/", /holds no stack files/);
      await expectRefusal(root, (r) => rollout(["--emit", "gitlab-ci"], r), "stacks/", /holds no stack files/);
    });
  });

  describe("uniqueness across the fleet", () => {
    const pair = (alpha: string, a: Record<string, unknown>, beta: string, b: Record<string, unknown>, aExtra = {}, bExtra = {}) =>
      fixtureRoot({
        [`customers/${alpha}.yaml`]: customerText(alpha, { domain: "one.fitfile.net", ...a }, aExtra),
        [`customers/${beta}.yaml`]: customerText(beta, { domain: "two.fitfile.net", ...b }, bExtra),
        [`stacks/Pulumi.${alpha}-prod.yaml`]: stackFile(),
        [`stacks/Pulumi.${beta}-prod.yaml`]: stackFile(),
      });
    const cases: { title: string; root: () => string; file: string; at: string; says: RegExp }[] = [
      {
        title: "an application name: customer ff with service a-ffcloud is ff-a's ffcloud",
        root: () => pair("ff", { services: { "a-ffcloud": { enabled: true } } }, "ff-a", {}),
        file: "customers/ff.yaml",
        at: "environments.prod.services.a-ffcloud",
        says: /application name 'ff-a-ffcloud' \(namespace 'ff' and service 'a-ffcloud', cut to 63 characters\) of stack ff-prod is already used by stack ff-a-prod/,
      },
      {
        title: "a database name made of another database and suffix",
        root: () => pair("alpha", { dbSuffix: "_q_r" }, "beta", { dbSuffix: "_r", app: { databases: ["audit_q"] } }),
        file: "customers/beta.yaml",
        at: "environments.prod.dbSuffix",
        says: /database name 'audit_q_r' \(database 'audit_q' and dbSuffix '_r'\) of stack beta-prod is already used by stack alpha-prod/,
      },
      {
        title: "a FITConnect code",
        root: () => pair("alpha", {}, "beta", {}, {}, { fitConnectCode: "FITConnect alpha" }),
        file: "customers/beta.yaml",
        at: "fitConnectCode",
        says: /fitConnectCode 'FITConnect alpha' of stack beta-prod is already used by customer alpha/,
      },
      {
        title: "a peer listed twice in connects",
        root: () => pair("alpha", {}, "beta", { connects: ["alpha", "alpha"] }),
        file: "customers/beta.yaml",
        at: "environments.prod.connects.1",
        says: /'alpha' is listed twice/,
      },
    ];
    for (const c of cases) {
      it(`refuses ${c.title}`, async () => {
        await expectRefusal(c.root(), planTool("--all"), c.file, c.says, c.at);
      });
    }

    it("a customer's own environments share its FITConnect code", () => {
      assert.deepEqual(checkAllStacks(REPO_ROOT, ["kch-prod", "kch-staging"]).problems, []);
    });
  });

  describe("values Kubernetes refuses when applied", () => {
    const acme = (prod: Record<string, unknown>, top: Record<string, unknown> = {}) =>
      fixtureRoot({ "customers/acme.yaml": customerText("acme", { domain: "acme.fitfile.net", ...prod }, top), "stacks/Pulumi.acme-prod.yaml": stackFile() });
    const cases: { title: string; root: () => string; at: string; says: RegExp }[] = [
      { title: "a LimitRange default request above its max", root: () => acme({ limits: { defaultRequestCpu: "8" } }), at: "environments.prod.limits", says: /defaultRequestCpu 8 is more than maxCpu 4; Kubernetes refuses such a LimitRange/ },
      { title: "a max lowered below the default request", root: () => acme({ limits: { maxMemory: "64Mi" } }), at: "environments.prod.limits", says: /defaultRequestMemory 128Mi is more than maxMemory 64Mi/ },
      { title: "a default request above the max, set at the customer's top level", root: () => acme({}, { limits: { defaultRequestMemory: "32Gi" } }), at: "limits", says: /defaultRequestMemory 32Gi is more than maxMemory 16Gi/ },
      { title: "a limit that is not a quantity (no order to check)", root: () => acme({ limits: { maxCpu: "lots" } }), at: "environments.prod.limits.maxCpu", says: /a Kubernetes quantity such as 500m/ },
      { title: "a default limit, which the max now is", root: () => acme({ limits: { defaultCpu: "500m" } }), at: "environments.prod.limits.defaultCpu", says: /unknown key \(check its spelling\); the keys here are: defaultRequestCpu, defaultRequestMemory, maxCpu, maxMemory/ },
    ];
    for (const c of cases) {
      it(`refuses ${c.title}`, async () => {
        await expectRefusal(c.root(), planTool("--all"), "customers/acme.yaml", c.says, c.at);
      });
    }

    // An ipBlock's except must be a strict subset of its cidr: ValidateIPBlock in k8s.io/kubernetes
    // v1.34.4 pkg/apis/networking/validation/validation.go ("must be a strict subset of `cidr`").
    describe("external egress whose exceptions, after layering, are not inside its CIDRs", () => {
      const egress = (value: Record<string, unknown>) => ({ network: { externalEgress: value } });
      const STACK = "stacks/Pulumi.acme-prod.yaml";
      const ACME = "customers/acme.yaml";
      const inherited = /the exceptions 10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16, 169\.254\.0\.0\/16 \(network\.externalEgress\.except, set in customers\/_defaults\.yaml\) are strictly inside none of these CIDRs .*: set network\.externalEgress\.except beside these CIDRs/;
      const cases: { title: string; root: () => string; file: string; at: string; says: RegExp }[] = [
        { title: "CIDRs narrowed in the environment section, exceptions inherited", root: () => acme(egress({ cidrs: ["203.0.113.0/24"] })), file: ACME, at: "environments.prod.network.externalEgress.cidrs", says: inherited },
        { title: "CIDRs narrowed at the customer's top level, exceptions inherited", root: () => acme({}, egress({ cidrs: ["203.0.113.0/24"] })), file: ACME, at: "network.externalEgress.cidrs", says: inherited },
        { title: "CIDRs narrowed in a stack file's settings, exceptions inherited", root: () => fixtureRoot({ [ACME]: customerText("acme", { domain: "acme.fitfile.net" }), [STACK]: stackFile("  ffnodes:settings:\n    network: { externalEgress: { cidrs: [203.0.113.0/24] } }\n") }), file: STACK, at: "config.ffnodes:settings.network.externalEgress.cidrs", says: inherited },
        { title: "a CIDR narrowed inside an inherited exception", root: () => acme(egress({ cidrs: ["10.1.0.0/16"] })), file: ACME, at: "environments.prod.network.externalEgress.cidrs", says: /the exceptions 10\.0\.0\.0\/8, .* are strictly inside none of these CIDRs/ },
        { title: "a CIDR equal to an inherited exception", root: () => acme(egress({ cidrs: ["10.0.0.0/8"] })), file: ACME, at: "environments.prod.network.externalEgress.cidrs", says: /the exceptions 10\.0\.0\.0\/8, / },
        { title: "one CIDR of several excepted whole by an inherited exception", root: () => acme(egress({ cidrs: ["0.0.0.0/0", "10.1.0.0/16"] })), file: ACME, at: "environments.prod.network.externalEgress.cidrs", says: /^10\.1\.0\.0\/16 is excepted whole by 10\.0\.0\.0\/8 \(network\.externalEgress\.except, set in customers\/_defaults\.yaml\), so it would allow nothing/ },
        { title: "an exception outside the CIDRs, both set in one section", root: () => acme(egress({ cidrs: ["203.0.113.0/24"], except: ["203.0.113.0/25", "198.51.100.0/24"] })), file: ACME, at: "environments.prod.network.externalEgress.except.1", says: /^198\.51\.100\.0\/24 is strictly inside none of network\.externalEgress\.cidrs \(203\.0\.113\.0\/24\); Kubernetes refuses .*: remove it, or add a CIDR that holds it$/ },
        { title: "an exception equal to its CIDR, both set in one section", root: () => acme(egress({ cidrs: ["203.0.113.0/24"], except: ["203.0.113.0/24"] })), file: ACME, at: "environments.prod.network.externalEgress.except.0", says: /^203\.0\.113\.0\/24 is strictly inside none of/ },
        { title: "exceptions widened over the inherited CIDRs", root: () => acme(egress({ except: ["0.0.0.0/0"] })), file: ACME, at: "environments.prod.network.externalEgress.except.0", says: /^0\.0\.0\.0\/0 is strictly inside none of network\.externalEgress\.cidrs \(0\.0\.0\.0\/0, set in customers\/_defaults\.yaml\)/ },
        { title: "an exception covering one CIDR of several, both set in one section", root: () => acme(egress({ cidrs: ["0.0.0.0/0", "10.1.0.0/16"], except: [...PROTECTED] })), file: ACME, at: "environments.prod.network.externalEgress.except.0", says: /^10\.0\.0\.0\/8 covers 10\.1\.0\.0\/16 of network\.externalEgress\.cidrs whole/ },
      ];
      for (const c of cases) {
        it(`refuses ${c.title}`, async () => {
          const problems = await expectRefusal(c.root(), planTool("--all"), c.file, c.says, c.at);
          assert.equal(problems.filter((p) => p.path.includes("externalEgress.cidrs") || /externalEgress\.except\.\d/.test(p.path)).length, 1, problems.map(formatProblem).join("\n"));
        });
      }
      for (const [title, value] of [
        ["narrowed CIDRs with their own exceptions", { cidrs: ["0.0.0.0/1"], except: ["10.0.0.0/8"] }],
        ["narrowed CIDRs with no exception", { cidrs: ["203.0.113.0/24"], except: [] }],
        ["exceptions added inside the inherited CIDRs", { except: [...PROTECTED, "198.51.100.0/24"] }],
      ] as const) {
        it(`accepts ${title}`, async () => {
          const root = acme(egress(value));
          assert.deepEqual(checkAllStacks(root, ["acme-prod"]).problems.map(formatProblem), []);
          await plan(["--stack", "acme-prod"], root);
        });
      }
    });
  });

  describe("a missing or mistyped value, for every key: what the key takes, in ffnodes's words", () => {
    /** Every key of a mapping schema and of the mappings inside it, as paths. */
    const keyPaths = (schema: z.core.$ZodType, prefix: string[] = []): { path: string[]; schema: z.core.$ZodType }[] => {
      const def = (schema as z.core.$ZodTypes)._zod.def;
      if (def.type !== "object") return [];
      return Object.entries(def.shape).flatMap(([key, child]) => [{ path: [...prefix, key], schema: child }, ...keyPaths(child, [...prefix, key])]);
    };
    const DEFAULTS = parse(fs.readFileSync(path.join(REPO_ROOT, "customers/_defaults.yaml"), "utf8")) as { defaults: object; environments: Record<string, object> };
    const ACME = { name: "acme", displayName: "Acme", fitConnectCode: "FITConnect Acme", environments: { prod: { domain: "acme.fitfile.net" } } };
    /** A project whose defaults and acme's file have `change` made to each of their layers. */
    const project = (change: (layer: Record<string, unknown>) => void, changeIdentity: (file: Record<string, unknown>) => void = () => undefined): string => {
      const defaults = structuredClone(DEFAULTS);
      const acme = structuredClone(ACME);
      for (const layer of [defaults.defaults, ...Object.values(defaults.environments), acme.environments.prod]) change(layer as Record<string, unknown>);
      changeIdentity(acme);
      return fixtureRoot({ "customers/_defaults.yaml": stringify(defaults), "customers/acme.yaml": stringify(acme), "stacks/Pulumi.acme-prod.yaml": stackFile() });
    };
    const at = (value: unknown, keys: string[]): Record<string, unknown> | undefined =>
      keys.reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), value) as Record<string, unknown> | undefined;
    const problemsAt = (root: string, key: string): Problem[] =>
      checkAllStacks(root, ["acme-prod"]).problems.filter((p) => p.path === key || p.path.endsWith(`.${key}`));

    const keys = keyPaths(environmentSettings);
    it("covers the settings", () => assert.ok(keys.length > 80, `${keys.length} keys`));
    for (const { path: keyPath, schema } of keys) {
      const key = keyPath.join(".");
      const parent = keyPath.slice(0, -1);
      const last = keyPath[keyPath.length - 1];
      it(`${key} missing from every layer`, () => {
        const problems = problemsAt(
          project((layer) => void delete at(layer, parent)?.[last]),
          key,
        );
        if (schema._zod.optin === "optional") return assert.deepEqual(problems, []);
        assert.equal(problems.length, 1, problems.map(formatProblem).join("\n"));
        assert.match(problems[0].message, /^required: \S/);
        assert.doesNotMatch(problems[0].message, ZOD_WORDS);
      });
      it(`${key} of the wrong kind`, () => {
        const def = (schema as z.core.$ZodTypes)._zod.def;
        const kind = def.type === "optional" ? def.innerType._zod.def.type : def.type;
        const wrong = ["object", "record"].includes(kind) ? "some text" : { some: "mapping" };
        const problems = problemsAt(
          project((layer) => {
            const node = at(layer, parent);
            if (node) node[last] = wrong;
          }),
          key,
        );
        assert.ok(problems.length > 0, `no problem at ${key}`);
        for (const problem of problems) assert.doesNotMatch(problem.message, ZOD_WORDS, formatProblem(problem));
      });
    }

    for (const identity of Object.keys(customerIdentity.shape)) {
      it(`a customer file without ${identity}`, () => {
        const root = project(() => undefined, (file) => void delete file[identity]);
        const problems = checkAllStacks(root, ["acme-prod"]).problems.filter((p) => p.path === identity);
        assert.equal(problems.length, 1, checkAllStacks(root, ["acme-prod"]).problems.map(formatProblem).join("\n"));
        assert.match(problems[0].message, /^required: \S/);
        assert.doesNotMatch(problems[0].message, ZOD_WORDS);
      });
    }
    for (const key of ["sharedNamespaces", "deployer", "defaults", "environments"]) {
      it(`a defaults file without ${key}`, () => {
        const defaults: Record<string, unknown> = structuredClone(DEFAULTS);
        delete defaults[key];
        const root = fixtureRoot({ "customers/_defaults.yaml": stringify(defaults), "customers/acme.yaml": stringify(ACME), "stacks/Pulumi.acme-prod.yaml": stackFile() });
        const problems = checkAllStacks(root, ["acme-prod"]).problems;
        assert.deepEqual(problems.map((p) => [p.file, p.path]), [["customers/_defaults.yaml", key]]);
        assert.match(problems[0].message, /^required: \S/);
        assert.doesNotMatch(problems[0].message, ZOD_WORDS);
      });
    }
    const deployers: [string, unknown, [string, RegExp][]][] = [
      ["a namespace that is no DNS label", { namespace: "Bad_NS", serviceAccount: "ffnodes-deployer" }, [["deployer.namespace", /DNS-1123 label/]]],
      ["a user instead of a ServiceAccount", { kind: "User", name: "ci" }, [["deployer.kind", /unknown key/], ["deployer.name", /unknown key/], ["deployer.namespace", /^required/], ["deployer.serviceAccount", /^required/]]],
      ["a plain name", "ffnodes-deployer", [["deployer", /\S/]]],
    ];
    for (const [what, deployer, expected] of deployers) {
      it(`a defaults file whose deployer is ${what}`, () => {
        const root = fixtureRoot({ "customers/_defaults.yaml": stringify({ ...structuredClone(DEFAULTS), deployer }), "customers/acme.yaml": stringify(ACME), "stacks/Pulumi.acme-prod.yaml": stackFile() });
        const problems = checkAllStacks(root, ["acme-prod"]).problems;
        assert.deepEqual(problems.map((p) => [p.file, p.path]).sort(), expected.map(([path]) => ["customers/_defaults.yaml", path]).sort());
        for (const [path, says] of expected) assert.match(problems.find((p) => p.path === path)?.message ?? "", says, path);
        for (const problem of problems) assert.doesNotMatch(problem.message, ZOD_WORDS);
      });
    }
  });

  describe("messages that say what is allowed", () => {
    const acmeText = (prodLines: string) =>
      fixtureRoot({ "customers/acme.yaml": `name: acme\ndisplayName: Acme\nfitConnectCode: F\nenvironments:\n  prod:\n    domain: acme.fitfile.net\n${prodLines}`, "stacks/Pulumi.acme-prod.yaml": stackFile() });
    const cases: { title: string; lines: string; at: string; says: RegExp }[] = [
      { title: "size: 8", lines: "    storage: { minio: { size: 8 } }\n", at: "environments.prod.storage.minio.size", says: /a storage size such as 512Mi, 8Gi or 1Ti, written as a string: got the number 8; give a unit, such as 8Gi/ },
      { title: "size: 8e9", lines: "    storage: { minio: { size: 8e9 } }\n", at: "environments.prod.storage.minio.size", says: /got the number 8000000000; give a unit, such as 8Gi/ },
      { title: "requestsCpu: 8 unquoted", lines: "    quota: { requestsCpu: 8 }\n", at: "environments.prod.quota.requestsCpu", says: /a Kubernetes quantity .*written as a string: got the number 8; quote it \("8"\)/ },
      { title: "a claim key that is not a name", lines: "    storage: { Mini_O: { size: 8Gi, accessModes: [ReadWriteOnce] } }\n", at: "environments.prod.storage.Mini_O", says: /not allowed as a key here: a DNS-1123 label: .*such as ff-a/ },
    ];
    for (const c of cases) {
      it(`${c.title}: says what is allowed, with an example`, async () => {
        await expectRefusal(acmeText(c.lines), planTool("--all"), "customers/acme.yaml", c.says, c.at);
      });
    }

    it("a misspelt domain: the missing domain is told in ffnodes's words, with an example", async () => {
      const root = acmeText("");
      fs.writeFileSync(path.join(root, "customers/acme.yaml"), fs.readFileSync(path.join(root, "customers/acme.yaml"), "utf8").replace("domain:", "domian:"));
      const result = await runCommand(() => plan(["--stack", "acme-prod"], root));
      assert.equal(result.status, 1);
      assert.match(result.stderr, /\n {2}customers\/acme\.yaml: environments\.prod\.domain: required: the environment's primary host, such as app\.fitfile\.net\n/);
      assert.doesNotMatch(result.stderr, ZOD_WORDS);
    });

    it("import-helm: a node named _defaults is one problem saying the name is reserved", () => {
      const tree = tempDir("helm");
      fs.mkdirSync(path.join(tree, "ffnodes/fitfile/_defaults"), { recursive: true });
      fs.copyFileSync(path.join(HELM_FIXTURE, "ffnodes/fitfile/ff-a/values.yaml"), path.join(tree, "ffnodes/fitfile/_defaults/values.yaml"));
      const root = importProject();
      assert.throws(() => importHelmCommand([tree], root), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.deepEqual(e.problems.map(formatProblem), ["ffnodes/fitfile/_defaults: '_defaults' is not a customer name: names starting with '_' are reserved (customers/_defaults.yaml)"]);
        return true;
      });
      assert.equal(fs.readFileSync(path.join(root, "customers/_defaults.yaml"), "utf8"), fs.readFileSync(path.join(REPO_ROOT, "customers/_defaults.yaml"), "utf8"));
    });

    it("a problem line stays one line whatever a name holds", () => {
      assert.equal(formatProblem({ file: "ffnodes/a\nb", path: "x", message: "bad\r\nvalue" }), "ffnodes/a\\nb: x: bad\\r\\nvalue");
    });

    describe("the commands' messages", () => {
      const mains: Record<string, (argv: string[], root: string) => Promise<string> | string> = {
        plan,
        "new-customer": newCustomer,
        rollout: async (argv, root) => (await rollout(argv, root)).output,
        "import-helm": importHelmCommand,
      };
      for (const [cli, args] of [
        ["plan", ["--bogus"]],
        ["new-customer", ["--name"]],
        ["rollout", ["--parallel", "100000000000000000000000"]],
        ["import-helm", ["--report"]],
      ] as const) {
        it(`${cli} ${args.join(" ")}: exit 2 with the usage the README promises`, async () => {
          const result = await runCommand(() => mains[cli]([...args], REPO_ROOT));
          assert.equal(result.status, 2, result.stderr);
          assert.match(result.stderr, new RegExp(`^ffnodes: .*\\n\\nusage: npm run ${cli} `));
          assert.doesNotMatch(result.stderr, /1e\+23/);
        });
      }

      it("plan --stack prints problems in the format of plan --all and the README", async () => {
        const root = fixtureRoot({ "customers/acme.yaml": customerText("acme", { domain: "BAD", quota: { pods: -1 } }), "stacks/Pulumi.acme-prod.yaml": stackFile() });
        const one = await runCommand(() => plan(["--stack", "acme-prod"], root));
        const all = await runCommand(() => plan(["--all"], root));
        assert.equal(one.status, 1);
        assert.equal(one.stderr, all.stderr);
        const lines = one.stderr.trimEnd().split("\n");
        assert.equal(lines[0], "ffnodes: invalid configuration, 2 problem(s); nothing was changed:");
        for (const line of lines.slice(1)) assert.match(line, /^ {2}customers\/acme\.yaml: environments\.prod\.(domain|quota\.pods): \S/);
      });
    });
  });
});

describe("property: any mutation of a valid fleet", function () {
  this.timeout(120_000);
  useOwnTemporaryFolder();

  /** Every leaf of a parsed document with its key path, lists entered item by item. */
  function leafPaths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
    if (Array.isArray(value) && value.length > 0) return value.flatMap((item, i) => leafPaths(item, [...at, i]));
    if (typeof value === "object" && value !== null && Object.keys(value).length > 0) return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...at, k]));
    return [at];
  }

  const FILE_KINDS = ["directory", "pipe", "dangling link", "link loop", "link to a device", "empty", "a list", "prototype key", "invalid YAML", "oversized", "random text"] as const;
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant("file" as const), target: fc.nat(), how: fc.constantFrom(...FILE_KINDS), text: fc.string({ maxLength: 40 }) }),
    fc.record({
      kind: fc.constant("value" as const),
      target: fc.nat(),
      leaf: fc.nat(),
      how: fc.constantFrom("set", "delete", "unknown key", "rename parent"),
      value: fc.jsonValue({ maxDepth: 2 }),
    }),
  );
  type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

  function mutate(root: string, m: Mutation): string {
    const files = ["customers", "stacks"].flatMap((d) => fs.readdirSync(path.join(root, d)).sort().map((f) => `${d}/${f}`));
    const file = files[m.target % files.length];
    const absolute = path.join(root, file);
    if (m.kind === "file") {
      fs.rmSync(absolute, { force: true });
      const make: Record<(typeof FILE_KINDS)[number], () => void> = {
        directory: () => fs.mkdirSync(absolute),
        pipe: () => execFileSync("mkfifo", [absolute]),
        "dangling link": () => fs.symlinkSync("/nonexistent/file", absolute),
        "link loop": () => fs.symlinkSync(path.basename(absolute), absolute),
        "link to a device": () => fs.symlinkSync("/dev/zero", absolute),
        empty: () => fs.writeFileSync(absolute, ""),
        "a list": () => fs.writeFileSync(absolute, "- a\n- b\n"),
        "prototype key": () => fs.writeFileSync(absolute, `__proto__: { namespace: kube-system }\n${m.text ? `# ${m.text.replace(/\n/g, " ")}\n` : ""}`),
        "invalid YAML": () => fs.writeFileSync(absolute, `key: [${m.text}\n`),
        oversized: () => fs.writeFileSync(absolute, `# ${"x".repeat(300 * 1024)}\n`),
        "random text": () => fs.writeFileSync(absolute, m.text),
      };
      make[m.how]();
      return `${file}: ${m.how}`;
    }
    // An earlier mutation may have made it something other than a file of YAML.
    const stat = fs.lstatSync(absolute);
    if (!stat.isFile() || stat.size > 64 * 1024) return `${file}: left as it is`;
    let document: unknown;
    try {
      document = parse(fs.readFileSync(absolute, "utf8"));
    } catch {
      return `${file}: left as it is`;
    }
    const paths = leafPaths(document).filter((p) => p.length > 0);
    if (paths.length === 0) return `${file}: no leaf`;
    const at = paths[m.leaf % paths.length];
    const parent = at.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, document as Record<string, unknown>);
    const key = at[at.length - 1];
    if (m.how === "set") parent[key] = m.value;
    else if (m.how === "delete") delete parent[key];
    else if (m.how === "unknown key") parent[typeof key === "number" ? key : `${key}x`] = m.value;
    else if (at.length > 1) {
      const grand = at.slice(0, -2).reduce<Record<string | number, unknown>>((node, k) => node[k] as Record<string | number, unknown>, document as Record<string, unknown>);
      const name = at[at.length - 2];
      grand[`${String(name)}-typo`] = grand[name];
      delete grand[name];
    }
    fs.writeFileSync(absolute, stringify(document));
    return `${file}: ${m.how} ${at.join(".")}`;
  }

  /** What a failed run printed is the documented format: the problem header and one line per problem, or a usage error with the usage. */
  function assertDocumented(error: unknown): void {
    const report = reportError(error);
    assert.ok(report, `not a user's mistake but a bug: ${error instanceof Error ? error.stack : String(error)}`);
    const lines = report.stderr.replace(/\n$/, "").split("\n");
    if (report.exitCode === 2) {
      assert.match(lines[0], /^ffnodes: \S/);
      assert.equal(lines[1], "");
      assert.match(lines[2], /^usage: npm run /);
      return;
    }
    const header = /^ffnodes: invalid configuration, (\d+) problem\(s\); nothing was changed:$/.exec(lines[0]);
    assert.ok(header, lines[0]);
    assert.equal(lines.length, Number(header[1]) + 1, report.stderr);
    for (const line of lines.slice(1)) assert.match(line, /^ {2}(customers\/|stacks\/|command line|ffnodes\/)[^:]*: \S/);
  }

  const REPORTS = ["import-report.md", "customers/report.md", "stacks/Pulumi.ff-a-prod.yaml", "../report.md", "/nonexistent/r.md"];
  const tools = () =>
    fc.oneof(
      fc.constant({ name: "plan --all", argv: ["--all"] }),
      fc.constantFrom(...listStacks(REPO_ROOT)).map((stack) => ({ name: "plan --stack", argv: ["--stack", stack] })),
      fc.record({ name: fc.constant("new-customer"), argv: fc.constantFrom(["--name", "newco", "--domain", "newco.fitfile.net"], ["--name", "vault", "--domain", "app.fitfile.net", "--env", "prod,staging"]) }),
      fc.constantFrom(...REPORTS).map((report) => ({ name: "import-helm", argv: [HELM_FIXTURE, "--force", "--dry-run", "--report", report] })),
    );
  const runTool = (name: string, argv: string[], root: string): Promise<unknown> =>
    name === "new-customer" ? newCustomer(argv, root) : name === "import-helm" ? Promise.resolve().then(() => importHelmCommand(argv, root)) : plan(argv, root);
  /** What a successful run may add: the new customer's files, or the report. */
  const mayAdd: Record<string, RegExp> = { "new-customer": /^(customers\/(newco|vault)\.yaml|stacks\/Pulumi\.(newco|vault)-(prod|staging)\.yaml)$/, "import-helm": /^import-report\.md$/ };

  it("each tool succeeds, or prints only documented problem lines, changes no file and leaves no temporary file", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 2 }), tools(), async (mutations, { name, argv }) => {
        const root = fleet();
        try {
          const applied = mutations.map((m) => mutate(root, m));
          const before = snapshotTree(root);
          let failed = false;
          try {
            await runTool(name, [...argv], root);
          } catch (error) {
            failed = true;
            assertDocumented(error);
          }
          const after = snapshotTree(root);
          const added = [...after.keys()].filter((k) => !before.has(k));
          for (const [k, v] of before) assert.equal(after.get(k), v, `${name} changed ${k} after ${applied.join(", ")}`);
          if (failed) assert.deepEqual(added, [], `${name} failed but wrote ${added.join(", ")}`);
          else for (const k of added) assert.match(k, mayAdd[name] ?? /^$/, `${name} wrote ${k}`);
          assert.deepEqual(scratchLeft(), [], "a scratch copy was left behind");
        } finally {
          fs.rmSync(root, { recursive: true, force: true });
        }
      }),
      { numRuns: 10 },
    );
  });
});
