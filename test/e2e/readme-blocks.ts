// The README's code blocks that scenarios and tests apply or check as written: one source for the
// manifests and policies the README tells operators to use.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";

const README_FILE = path.resolve(__dirname, "..", "..", "README.md");

/** The README's code block of a language that follows a marker, unindented. */
export function readmeBlock(marker: string, language: string): string {
  const readme = fs.readFileSync(README_FILE, "utf8");
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, `the README has no '${marker}'`);
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(readme.slice(at));
  assert.ok(block, `the README has no ${language} block after '${marker}'`);
  const lines = block[1].split("\n");
  const indent = lines[0].length - lines[0].trimStart().length;
  return lines.map((line) => line.slice(indent)).join("\n");
}

/** The markers of the README's deployer blocks: its RBAC and admission policy, and decommission's RBAC. */
export const DEPLOYER_BLOCK = "**Kubernetes RBAC and an admission policy**";
export const DECOMMISSION_BLOCK = "**`decommission`** needs";
