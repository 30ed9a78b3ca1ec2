import * as path from "node:path";
import { fleetStacks } from "../config/files";
import { ConfigError } from "../config/problems";
import { gitlabPipeline, githubMatrix } from "../rollout/emit";
import { Mode } from "../rollout/engine";
import { renderTable, reportDirProblem } from "../rollout/report";
import { RolloutDependencies, executeRollout } from "../rollout/run";
import { changedFilesSince } from "../git";
import { knownEnvironments, selectTargets } from "../rollout/select";
import { LOCAL_ENVIRONMENT, StackTarget } from "../rollout/waves";
import { checkAllStacks, checkCustomersWithoutStacks } from "../config/fleet";
import { commaList, parseFlags, runCli, UsageError } from "./run";

const USAGE = `usage: npm run rollout -- [--env <e>[,<e>...]] [--stacks a,b] [--affected-since <git-ref>]
                           [--parallel N] [--canary N] [--preview-only | --drift]
                           [--report-dir <dir>] [--emit gitlab-ci|github-matrix]

Previews, then updates, the selected stacks through the Pulumi Automation API, with the tenant
policy pack. Selection: every stack in stacks/, narrowed by --env, --stacks and --affected-since
(stacks affected by what changed since the branch left <git-ref>). Updates run in waves:
non-production stacks, then the canaries, then the rest; at most --parallel operations at a
time (default 4). A failure, or Ctrl-C, starts nothing new. The canaries are the production
stacks whose customer file sets rollout.canary: true, or, when the selection holds none, the
first --canary production stacks by name (default 1).

  --preview-only   previews only (every selected stack, even after a failure)
  --drift          refresh previews: which stacks differ from their live resources (exit 3)
  --emit           prints a CI pipeline for the selection instead of running it:
                   gitlab-ci (a child pipeline, one job per stack) or github-matrix (JSON);
                   local stacks are never in it
  --report-dir     where rollout-report.md and rollout-report.json go (default: .); not in
                   customers/ or stacks/

A stack the backend does not have is reported "not initialized" and one whose stack file lacks a
secret it needs "secrets not set"; neither is run (rollout creates no stack and writes no stack
file), and the others go on.

Exit codes: 0 success, 1 invalid configuration, 2 usage, 3 drift found, 4 a stack failed or
could not run, 130 interrupted.`;

interface RolloutResult {
  output: string;
  exitCode: number;
}

/** More operations at a time than any backend or cluster should take from one rollout. */
const MAX_PARALLEL = 64;
/** More canaries than any fleet has production stacks. */
const MAX_CANARY = 1000;

function boundedInt(flag: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^[0-9]{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got '${value}'`, USAGE);
  }
  return Number(value);
}

/** A comma list that names something: an empty one would silently select nothing. */
function list(flag: string, value: string | undefined): string[] | undefined {
  const items = commaList(value);
  if (items?.length === 0) throw new UsageError(`--${flag} names nothing; give one or more names separated by commas, or leave it out`, USAGE);
  return items;
}

/**
 * A flag of `--emit` that names a local stack or the local environment asks for something CI
 * never does: local stacks run on a person's own cluster (the emitters leave them out of any
 * other selection).
 */
function refuseLocalInCi(targets: readonly StackTarget[], environments: string[] | undefined, stacks: string[] | undefined): void {
  const why = `local stacks (environment ${LOCAL_ENVIRONMENT}) run on a person's own cluster and never in CI's waves`;
  if (environments?.includes(LOCAL_ENVIRONMENT)) throw new UsageError(`--env: ${why}; leave ${LOCAL_ENVIRONMENT} out`, USAGE);
  const local = targets.filter((t) => t.environment === LOCAL_ENVIRONMENT && stacks?.includes(t.stack)).map((t) => t.stack);
  if (local.length > 0) throw new UsageError(`--stacks: ${local.join(", ")}: ${why}; leave ${local.length === 1 ? "it" : "them"} out`, USAGE);
}

export async function rollout(argv: string[], root: string, deps: RolloutDependencies = {}): Promise<RolloutResult> {
  const { values } = parseFlags(
    argv,
    {
      env: { type: "string" },
      stacks: { type: "string" },
      parallel: { type: "string" },
      canary: { type: "string" },
      "preview-only": { type: "boolean" },
      drift: { type: "boolean" },
      "affected-since": { type: "string" },
      emit: { type: "string" },
      "report-dir": { type: "string" },
      help: { type: "boolean" },
    },
    USAGE,
  );
  if (values.help) return { output: USAGE, exitCode: 0 };
  const parallel = boundedInt("parallel", values.parallel, 4, 1, MAX_PARALLEL);
  const canary = boundedInt("canary", values.canary, 1, 0, MAX_CANARY);
  if (values["preview-only"] && values.drift) throw new UsageError("give at most one of --preview-only and --drift", USAGE);
  if (values.emit !== undefined && !["gitlab-ci", "github-matrix"].includes(values.emit)) {
    throw new UsageError(`--emit must be gitlab-ci or github-matrix, got '${values.emit}'`, USAGE);
  }
  if (values.emit && (values["preview-only"] || values.drift)) throw new UsageError("--emit plans a rollout; it takes no --preview-only or --drift", USAGE);
  const reportDir = path.resolve(root, values["report-dir"] ?? ".");
  const reportDirRefusal = reportDirProblem(root, reportDir);
  if (reportDirRefusal) throw new UsageError(`--report-dir '${values["report-dir"]}' ${reportDirRefusal}`, USAGE);

  const known = fleetStacks(root);
  const { configs, problems } = checkAllStacks(root, known);
  const unread = checkCustomersWithoutStacks(root, known);
  if (problems.length + unread.length > 0) throw new ConfigError([...problems, ...unread]);

  const environments = list("env", values.env);
  const declared = knownEnvironments(root);
  for (const env of environments ?? []) {
    if (!declared.includes(env)) throw new UsageError(`--env: unknown environment '${env}'; environments are: ${declared.join(", ")}`, USAGE);
  }
  const stacks = list("stacks", values.stacks);
  for (const stack of stacks ?? []) {
    if (!known.includes(stack)) throw new UsageError(`--stacks: no stack '${stack}'; stacks are: ${known.join(", ") || "(none)"}`, USAGE);
  }
  let changedFiles: string[] | undefined;
  if (values["affected-since"] !== undefined) {
    try {
      changedFiles = changedFilesSince(root, values["affected-since"]);
    } catch (error) {
      throw new UsageError(`--affected-since: ${(error as Error).message}`, USAGE);
    }
  }
  const targets = selectTargets(configs, { environments, stacks, changedFiles });
  if (values.emit) refuseLocalInCi(targets, environments, stacks);

  if (values.emit === "gitlab-ci") return { output: gitlabPipeline(targets, canary), exitCode: 0 };
  if (values.emit === "github-matrix") return { output: githubMatrix(targets, canary, parallel), exitCode: 0 };

  const mode: Mode = values.drift ? "drift" : values["preview-only"] ? "preview" : "rollout";
  const { report, exitCode } = await executeRollout(root, configs, targets, { mode, parallel, canary, reportDir }, deps);
  return { output: renderTable(report), exitCode };
}

if (require.main === module) {
  runCli(async (argv) => {
    const result = await rollout(argv, process.cwd());
    process.exitCode = result.exitCode;
    return result.output;
  });
}
