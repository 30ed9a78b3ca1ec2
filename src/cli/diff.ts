import { listStacks } from "../config/files";
import { Checkout, addWorktree, readSide, removeWorktreesOnSignal, workingTree } from "../diff/checkout";
import { resolveCommit } from "../git";
import { Side, compareFleet } from "../diff/compare";
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

/** Plans both sides at once; the base's failure is reported before the head's. */
async function readSides(base: Checkout, head: Checkout): Promise<[Side, Side]> {
  const [b, h] = await Promise.allSettled([readSide(base), readSide(head)]);
  if (b.status === "rejected") throw b.reason;
  if (h.status === "rejected") throw h.reason;
  return [b.value, h.value];
}

function narrow(side: Side, keep: (plan: Side["plans"][number]) => boolean): Side {
  return { ...side, plans: side.plans.filter(keep) };
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
  const baseCommit = commitOf(root, "base", values.base);
  const headCommit = values.head === undefined ? undefined : commitOf(root, "head", values.head);

  const stopOnSignal = removeWorktreesOnSignal();
  const checkouts: Checkout[] = [];
  try {
    const base = addWorktree(root, "base", values.base, baseCommit);
    checkouts.push(base);
    const head = values.head !== undefined && headCommit ? addWorktree(root, "head", values.head, headCommit) : workingTree(root);
    checkouts.push(head);

    const stacks = commaList(values.stacks);
    const known = [...new Set([...listStacks(base.root), ...listStacks(head.root)])].sort();
    for (const stack of stacks ?? []) {
      if (!known.includes(stack)) throw new UsageError(`--stacks: no stack '${stack}' on either side; stacks are: ${known.join(", ") || "(none)"}`, USAGE);
    }

    process.stderr.write(`ffnodes: planning every stack on the base (${base.description}) and on the head (${head.description})\n`);
    let [baseSide, headSide] = await readSides(base, head);

    const environments = commaList(values.env);
    const planned = [...new Set([...baseSide.plans, ...headSide.plans].map((p) => p.environment))].sort();
    for (const env of environments ?? []) {
      if (!planned.includes(env)) throw new UsageError(`--env: no stack on either side has environment '${env}'; environments are: ${planned.join(", ")}`, USAGE);
    }
    const keep = (plan: Side["plans"][number]) => (!stacks || stacks.includes(plan.stack)) && (!environments || environments.includes(plan.environment));
    baseSide = narrow(baseSide, keep);
    headSide = narrow(headSide, keep);

    const fleet = compareFleet(baseSide, headSide);
    const sides = { base: `base ${base.description}`, head: `head ${head.description}` };
    const output = values.json
      ? JSON.stringify({ ...sides, ...fleet }, null, 2)
      : values.markdown
        ? renderMarkdown(fleet, sides)
        : renderText(fleet, sides);
    return { output, exitCode: fleet.stacks.length > 0 ? EXIT_CHANGES : 0 };
  } finally {
    for (const checkout of checkouts) checkout.remove();
    stopOnSignal();
  }
}

if (require.main === module) {
  runCli(async (argv) => {
    const result = await diff(argv, process.cwd());
    process.exitCode = result.exitCode;
    return result.output;
  });
}
