import { AdoptIdsResult, adoptIds, adoptIdsForAll } from "../adopt-ids/run";
import { CloudflareReader, DEFAULT_BASE_URL } from "../cloudflare/reader";
import { CliError, EXIT_USAGE } from "../errors";
import { parseFlags, runCli, UsageError } from "./run";

const USAGE = `usage: npm run adopt-ids -- --stack <customer>-<env> [--dry-run]
       npm run adopt-ids -- --all [--dry-run]

Fills the stack's ffnodes:adoptIds with its hosts' live Cloudflare records, for adopt mode: each
zone is looked up by name (or checked by the id dns.zones gives), each host's record by name and
the type ffnodes declares. It never guesses: a host with no record, with two, or with a record of
another type, and an id already set that Cloudflare contradicts, are problems for a person to
decide, and then nothing is written. Only reads Cloudflare: a token with Zone → Zone → Read and
Zone → DNS → Read on the customer's zones is enough.

--all does so for every stack in adopt mode (ffnodes:adopt: true), finding every stack's ids
before it writes any: a problem in one stack, or a record found for two, writes nothing at all.

Environment: CLOUDFLARE_API_TOKEN (required), CLOUDFLARE_BASE_URL (default ${DEFAULT_BASE_URL}).
--dry-run prints the ids instead of writing them.

Exit codes: 0 found (and written), 1 a problem to decide or invalid configuration, 2 usage,
6 the Cloudflare API refused the token or could not be read.`;

export async function adoptIdsCommand(argv: string[], root: string, env: NodeJS.ProcessEnv, progress: (line: string) => void): Promise<string> {
  const { values } = parseFlags(argv, { stack: { type: "string" }, all: { type: "boolean" }, "dry-run": { type: "boolean" }, help: { type: "boolean" } }, USAGE);
  if (values.help) return USAGE;
  const stack = values.stack;
  if ((typeof stack === "string") === (values.all === true)) throw new UsageError("give exactly one of --stack <name> or --all", USAGE);
  const token = env.CLOUDFLARE_API_TOKEN;
  if (!token) {
    throw new CliError("CLOUDFLARE_API_TOKEN is not set: adopt-ids reads Cloudflare with an API token; one with Zone → Zone → Read and Zone → DNS → Read on the customer's zones is enough", EXIT_USAGE);
  }
  const reader = new CloudflareReader({ baseUrl: env.CLOUDFLARE_BASE_URL || DEFAULT_BASE_URL, token });
  const dryRun = values["dry-run"] === true;
  if (typeof stack === "string") {
    const result = await adoptIds(root, stack, reader, { dryRun, progress });
    return result.nothingToFind ? report(result, dryRun)[0] : [...report(result, dryRun), "", nextSteps(stack)].join("\n");
  }
  const { results, notInAdoptMode } = await adoptIdsForAll(root, reader, { dryRun, progress });
  const stacks = Object.keys(results);
  if (stacks.length === 0) return `No stack is in adopt mode (ffnodes:adopt: true); nothing was changed.`;
  return [
    ...stacks.flatMap((s) => [`${s}:`, ...report(results[s], dryRun).map((line) => `  ${line}`), ""]),
    ...(notInAdoptMode.length > 0 ? [`Not in adopt mode, left as they are: ${notInAdoptMode.join(", ")}.`, ""] : []),
    nextSteps("<stack>"),
  ].join("\n");
}

function report(result: AdoptIdsResult, dryRun: boolean): string[] {
  if (result.nothingToFind) return [`${result.nothingToFind}; nothing was changed.`];
  const entries = Object.entries(result.ids).map(([key, id]) => `  ${key}: ${id}`);
  const verdict = dryRun
    ? `Dry run: nothing was written. ${result.file} would hold, under ffnodes:adoptIds:`
    : result.written
      ? `Wrote to ${result.file}, under ffnodes:adoptIds:`
      : `${result.file} holds these already, under ffnodes:adoptIds:`;
  const notes = result.notes.length > 0 ? ["", "The adopting up will change the adopted records:", ...result.notes.map((n) => `  ${n}`)] : [];
  return [verdict, ...entries, ...notes];
}

const nextSteps = (stack: string) => `Next: npm run plan -- --stack ${stack}, then pulumi preview --diff -s ${stack} (README, "Migrating a live customer").`;

if (require.main === module) runCli((argv) => adoptIdsCommand(argv, process.cwd(), process.env, (line) => process.stderr.write(`adopt-ids: ${line}\n`)));
