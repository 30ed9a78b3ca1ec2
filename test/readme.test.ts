// The README is the first-day guide: what the repository's files and generated files say of it
// must be true of it.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { customerFileText } from "../src/onboard/customer-file";
import { REPO_ROOT } from "./helpers";

const README = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
/** The README's headings, without their `#`s; lines inside fenced code are not headings. */
const headings = README.split("```")
  .filter((_, i) => i % 2 === 0)
  .join("\n")
  .split("\n")
  .filter((line) => /^#{1,6} /.test(line))
  .map((line) => line.replace(/^#+ /, ""));

/** Every file of the repository a person reads, outside node_modules and the e2e toolchain's Go modules. */
function repositoryFiles(dir = REPO_ROOT): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return ["node_modules", ".git", "tools"].includes(entry.name) ? [] : repositoryFiles(file);
    return /\.(ts|js|mjs|ya?ml|md|sh)$/.test(entry.name) ? [file] : [];
  });
}

/** The sections a text names as README's, with or without `.md`, a comma or a parenthesis before the quoted name. */
function sectionsNamed(text: string): string[] {
  return [...text.matchAll(/README(?:\.md)?,? \(?\\?"([^"\\]+)\\?"/g)].map((m) => m[1]);
}

describe("README", () => {
  it("has every section that a repository file or a generated customer file points to", () => {
    const generated = customerFileText({ name: "acme", domain: "acme.fitfile.net", environments: ["prod"], displayName: "Acme", fitConnectCode: "FITConnect Acme" });
    const references = [
      ...repositoryFiles().flatMap((file) => sectionsNamed(fs.readFileSync(file, "utf8")).map((section) => ({ where: path.relative(REPO_ROOT, file), section }))),
      ...sectionsNamed(generated).map((section) => ({ where: "new-customer's customer file", section })),
    ];
    // The files that point to sections are known; an empty list would check nothing.
    assert.ok(references.some((r) => r.where === "customers/_defaults.yaml") && references.some((r) => r.where === "new-customer's customer file"));
    const missing = references.filter((r) => !headings.includes(r.section)).map((r) => `${r.where}: "${r.section}"`);
    assert.deepEqual(missing, [], `README sections named but missing; the headings are:\n${headings.join("\n")}`);
  });

  /** A section of the README: from its heading to the next heading of its level. */
  const section = (title: string): string => {
    const start = README.indexOf(`\n## ${title}\n`);
    assert.ok(start >= 0, `no section ${title}`);
    return README.slice(start + 1, README.indexOf("\n## ", start + 1));
  };

  it("opens with its contents: every section and subsection, in order, linked by GitHub's anchor", () => {
    // GitHub's anchor of a heading: lower case, punctuation dropped, spaces as '-'.
    const anchor = (title: string) => title.toLowerCase().replace(/[^a-z0-9 _-]/g, "").replace(/ /g, "-");
    const listed = [...section("Contents").matchAll(/^( *)- \[([^\]]+)\]\(#([^)]+)\)$/gm)].map(([, indent, title, link]) => ({ level: indent.length / 2 + 2, title, link }));
    const sections = README.split("```")
      .filter((_, i) => i % 2 === 0)
      .join("\n")
      .split("\n")
      .filter((line) => /^#{2,3} /.test(line) && line !== "## Contents")
      .map((line) => ({ level: line.indexOf(" "), title: line.replace(/^#+ /, "") }));
    assert.ok(sections.length > 25);
    assert.deepEqual(listed, sections.map((s) => ({ ...s, link: anchor(s.title) })));
    assert.ok(README.indexOf("## Contents") < README.indexOf("## Quick start") && README.indexOf("## Quick start") < README.indexOf("## Set-up and tests"), "the contents, then the quick start, come first");
  });

  it("starts with a quick start of about ten commands, from npm ci to a first real up on the local control plane and back down", () => {
    const block = /```sh\n([\s\S]*?)```/.exec(section("Quick start"))?.[1] ?? "";
    const commands = block.split("\n").filter((line) => line.trim() !== "").map((line) => line.replace(/ +# .*$/, ""));
    assert.ok(commands.length >= 6 && commands.length <= 12, commands.join("\n"));
    assert.equal(commands[0], "npm ci");
    const scripts = Object.keys((JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
    for (const command of commands) {
      const script = /npm run (?:-s )?([\w:-]+)/.exec(command)?.[1];
      if (script) assert.ok(scripts.includes(script), `${command}: no script ${script}`);
    }
    const order = ["npm run plan", "e2e:env -- up", "pulumi stack init demo-local", "pulumi up -s demo-local", "e2e:env -- down"].map((step) => commands.findIndex((c) => c.includes(step)));
    assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1])), `in order: plan, up the control plane, stack init, up, down:\n${commands.join("\n")}`);
  });

  it("lays out every folder of src/", () => {
    const layout = README.slice(README.indexOf("## Repository layout"), README.indexOf("## ", README.indexOf("## Repository layout") + 3));
    const folders = fs.readdirSync(path.join(REPO_ROOT, "src"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `src/${e.name}/`);
    assert.ok(folders.length > 5);
    assert.deepEqual(folders.filter((folder) => !layout.includes(folder)), []);
  });
});
