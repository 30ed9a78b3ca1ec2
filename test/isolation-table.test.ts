import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { ARGOCD_EXPECTED, CLUSTER_NAMESPACES, DEPLOYER_PROBES, FLOWS, LOGINS_EXPECTED, RBAC_EXPECTED, VAULT_PROBES } from "./e2e/isolation/expected";
import { readmeTables, withTables } from "./e2e/isolation/table";
import { REPO_ROOT } from "./helpers";

// The README's isolation matrix is the guarantee test/e2e/12-isolation.e2e.ts checks against the
// real API server, Vault and NetworkPolicy engine: it must be the rendering of that test's data.
describe("the README's isolation matrix", () => {
  const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");

  it("is the rendering of the e2e scenario's expected verdicts (test/e2e/isolation/expected.ts)", () => {
    assert.equal(
      readme,
      withTables(readme, readmeTables()),
      "README.md's isolation matrix differs from test/e2e/isolation/expected.ts: run `node --require ./src/cli/register-typescript.js test/e2e/isolation/readme.ts`",
    );
  });

  it("renders a row for every identity and scope, Vault request, login and flow the scenario asks about", () => {
    const lines = readmeTables().split("\n");
    const rows = (first: string) => lines.filter((line) => line.startsWith(`| ${first} |`)).length;
    for (const [identity, scopes] of Object.entries(RBAC_EXPECTED)) assert.equal(rows(identity), Object.keys(scopes).length, identity);
    for (const probe of VAULT_PROBES) assert.equal(rows(probe.what), 1, probe.what);
    for (const attempt of Object.keys(LOGINS_EXPECTED)) assert.equal(rows(attempt), 1, attempt);
    for (const probe of DEPLOYER_PROBES) assert.equal(rows(probe.what), 1, probe.what);
    for (const attempt of Object.keys(ARGOCD_EXPECTED)) assert.equal(rows(attempt), 1, attempt);
    const flowRows = lines.filter((line) => FLOWS.some((f) => line.startsWith(`| ${f.from} | ${f.to} |`)));
    assert.equal(flowRows.length, FLOWS.length);
  });

  it("outside the customers' namespaces, the deployer reads none of the namespaced kinds, and what RBAC lets it write there admission refuses", () => {
    const lines = readmeTables().split("\n");
    for (const namespace of CLUSTER_NAMESPACES) {
      const row = lines.find((line) => line.startsWith(`| the deployer | ${namespace} |`));
      assert.ok(row, `the deployer's ${namespace} row`);
      const cells = row.split("|").slice(3, -1).map((cell) => cell.trim());
      assert.deepEqual(cells.slice(0, -1), ["—", "—", "—", "—", "—", "—", "—", "—; admission refuses c p"], namespace);
      assert.equal(cells.at(-1), "g l c; admission refuses p d", `${namespace}: the Namespace objects are read cluster-wide, and only a new labelled one is created`);
    }
  });

  it("a table that differs from the declared verdicts fails the comparison", () => {
    const tampered = readme.replace(/\| team view \| its own namespace \| [^|]+\|/, "| team view | its own namespace | g l c u p d |");
    assert.notEqual(tampered, readme, "the team view row was found");
    assert.notEqual(tampered, withTables(tampered, readmeTables()));
  });

  it("refuses a README without the markers, naming them", () => {
    assert.throws(() => withTables("# no table here\n", readmeTables()), /README\.md has no generated isolation matrix/);
  });
});
