import { resolveCommit } from "../git";
import { compareSelected, planSides, plannedEnvironments, withSides } from "../diff/run";
import { renderMarkdown, renderText } from "../diff/render";
import { commaList, parseFlags, runCli, UsageError } from "./run";
import { EXIT_CHANGES } from "../errors";

const USAGE = `usage: npm run diff -- --base <git-ref> [--head <git-ref>] [--stacks a,b] [--env e[,e...]]
                       [--json | --markdown]

What every stack would get from a change, offline: plans each stack on the base (a temporary git
worktree) and on the head (default: the working tree, uncommitted changes included), with no
credentials, and prints per stack the resources added, removed and changed, field by field.
Marked first: data holders replaced or deleted, claims shrunk, Vault policy, Vault auth role,
NetworkPolicy, AppProject and RoleBinding changes, adopt mode starting or stopping.

  --markdown   a report for a merge request note (summary table, one collapsed section per stack)
  --json       { base, head, stacks: [{ stack, status, added, removed, changed, config, markers }], unchanged }

Exit codes: 0 no change, 1 invalid configuration on either side (the message says which),
2 usage, 5 changes found.`;

interface DiffResult {
  output: string;
  exitCode: number;
}

function commitOf(root: string, flag: string, ref: string): string {
  try {
    return resolveCommit(root, ref);
  } catch (error) {
    throw new UsageError(`--${flag}: ${(error as Error).message}`, USAGE);
  }
}

export async function diff(argv: string[], root: string): Promise<DiffResult> {
  const { values } = parseFlags(
    argv,
    {
      base: { type: "string" },
      head: { type: "string" },
      stacks: { type: "string" },
      env: { type: "string" },
      json: { type: "boolean" },
      markdown: { type: "boolean" },
      help: { type: "boolean" },
    },
    USAGE,
  );
  if (values.help) return { output: USAGE, exitCode: 0 };
  if (typeof values.base !== "string") throw new UsageError("--base <git-ref> is required", USAGE);
  if (values.json && values.markdown) throw new UsageError("give at most one of --json and --markdown", USAGE);
  const refs = {
    base: { ref: values.base, commit: commitOf(root, "base", values.base) },
    head: values.head === undefined ? undefined : { ref: values.head, commit: commitOf(root, "head", values.head) },
  };
  const stacks = commaList(values.stacks);
  const environments = commaList(values.env);

  return withSides(root, refs, async (sides) => {
    for (const stack of stacks ?? []) {
      if (!sides.stacks.includes(stack)) throw new UsageError(`--stacks: no stack '${stack}' on either side; stacks are: ${sides.stacks.join(", ") || "(none)"}`, USAGE);
    }
    process.stderr.write(`ffnodes: planning every stack on the base (${sides.base.description}) and on the head (${sides.head.description})\n`);
    const [baseSide, headSide] = await planSides(sides);
    const planned = plannedEnvironments(baseSide, headSide);
    for (const env of environments ?? []) {
      if (!planned.includes(env)) throw new UsageError(`--env: no stack on either side has environment '${env}'; environments are: ${planned.join(", ")}`, USAGE);
    }
    const fleet = compareSelected(baseSide, headSide, { stacks, environments });
    const labels = { base: `base ${sides.base.description}`, head: `head ${sides.head.description}` };
    const output = values.json
      ? JSON.stringify({ ...labels, ...fleet }, null, 2)
      : values.markdown
        ? renderMarkdown(fleet, labels)
        : renderText(fleet, labels);
    return { output, exitCode: fleet.stacks.length > 0 ? EXIT_CHANGES : 0 };
  });
}

if (require.main === module) {
  runCli(async (argv) => {
    const result = await diff(argv, process.cwd());
    process.exitCode = result.exitCode;
    return result.output;
  });
}
