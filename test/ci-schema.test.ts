import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { rollout } from "../src/cli/rollout";
import { REPO_ROOT } from "./helpers";

/**
 * The CI files against the schemas their platforms publish: GitLab's own CI schema
 * (app/assets/javascripts/editor/schema/ci.json) and SchemaStore's GitHub workflow schema, as
 * copied unmodified into ../shared/schemas (SOURCES.md there names the commits).
 */
const SCHEMAS = path.resolve(REPO_ROOT, "../shared/schemas");

const compiled = new Map<string, ReturnType<Ajv["compile"]>>();

function validator(schemaFile: string): ReturnType<Ajv["compile"]> {
  let validate = compiled.get(schemaFile);
  if (!validate) {
    // Both schemas use annotation keywords (markdownDescription, ...) that strict mode refuses, and
    // formats (uri-reference) that need a plugin; their structure is what these checks are for.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(SCHEMAS, schemaFile), "utf8")) as object);
    compiled.set(schemaFile, validate);
  }
  return validate;
}

const read = (file: string) => parse(fs.readFileSync(path.join(REPO_ROOT, file), "utf8")) as Record<string, Record<string, unknown>>;

describe("CI files against the upstream schemas", () => {
  it("GitLab: .gitlab-ci.yml", () => {
    const validate = validator("gitlab-ci.json");
    assert.ok(validate(read(".gitlab-ci.yml")), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
  });

  it("GitLab: the child pipeline `rollout --emit gitlab-ci` prints for the repository's fleet, as the README runs it", async () => {
    const validate = validator("gitlab-ci.json");
    for (const flags of [[], ["--canary", "0"], ["--env", "staging,prod", "--canary", "3"]]) {
      const pipeline = parse((await rollout(["--emit", "gitlab-ci", ...flags], REPO_ROOT)).output) as Record<string, unknown>;
      assert.ok(Object.keys(pipeline).some((job) => job.startsWith("rollout ")), `${flags.join(" ")}: no stack job`);
      assert.ok(validate(pipeline), `${flags.join(" ")}: ${JSON.stringify(validate.errors?.slice(0, 5), null, 2)}`);
    }
  });

  for (const workflow of fs.readdirSync(path.join(REPO_ROOT, ".github/workflows"))) {
    it(`GitHub: .github/workflows/${workflow}`, () => {
      const validate = validator("github-workflow.json");
      assert.ok(validate(read(`.github/workflows/${workflow}`)), JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    });
  }
});

describe("CI: the fleet diff", () => {
  const script = (job: Record<string, unknown>) => (job.script as string[]).join("\n");

  it("GitLab: runs on every merge request against its diff base, without secrets, and posts the report as a note", () => {
    const ci = read(".gitlab-ci.yml");
    assert.deepEqual(ci.diff.rules, [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }]);
    assert.equal(ci.diff.extends, ".node", "the diff needs neither Pulumi nor credentials");
    assert.match(script(ci.diff), /npm run --silent diff -- --base "\$CI_MERGE_REQUEST_DIFF_BASE_SHA" --markdown > reports\/fleet-diff\.md \|\| \[ \$\? -eq 5 \]/);
    assert.match((ci.diff.after_script as string[]).join("\n"), /body@reports\/fleet-diff\.md[\s\S]*merge_requests\/\$CI_MERGE_REQUEST_IID\/notes/);
  });

  it("GitHub: runs on every pull request against the merge commit's base, without secrets, and comments the report", () => {
    const jobs = read(".github/workflows/ci.yml").jobs as Record<string, Record<string, unknown>>;
    const steps = JSON.stringify(jobs.diff.steps);
    assert.equal(jobs.diff.if, "github.event_name == 'pull_request'");
    assert.doesNotMatch(JSON.stringify(jobs.diff), /secrets\./);
    assert.match(steps, /npm run --silent diff -- --base HEAD\^1 --markdown > reports\/fleet-diff\.md \|\| \[ \$\? -eq 5 \]/);
    assert.match(steps, /gh pr comment .*--body-file reports\/fleet-diff\.md/);
  });
});
