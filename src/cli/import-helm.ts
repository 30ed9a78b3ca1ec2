import { importHelm } from "../import";
import { parseFlags, runCli, UsageError } from "./run";

const USAGE = `usage: npm run import-helm -- <dir> [--dry-run] [--force] [--customers a,b] [--report <file.md>]

Reads a Helm values tree (<dir>/ffnodes/<customer>/<env>/values/..., node files such as
<dir>/ffnodes/fitfile/ff-a/values.yaml) and writes customers/<name>.yaml and
stacks/Pulumi.<name>-<env>.yaml holding only what differs from customers/_defaults.yaml.
Secrets are never copied: the report names them, to be put in Vault.

  --dry-run       print the files instead of writing them (the --report file is still written)
  --force         replace existing customer files (stack files are never replaced)
  --customers     import only these customers of the tree
  --report FILE   also write the report, in Markdown, to FILE: a path inside the project,
                  outside customers/ and stacks/`;

/** Runs the command; returns what it prints. */
export function importHelmCommand(argv: string[], root: string): string {
  const { values, positionals } = parseFlags(
    argv,
    {
      "dry-run": { type: "boolean" },
      force: { type: "boolean" },
      customers: { type: "string" },
      report: { type: "string" },
      help: { type: "boolean" },
    },
    USAGE,
    true,
  );
  if (values.help) return USAGE;
  if (positionals.length !== 1) throw new UsageError("give exactly one directory: the Helm values tree", USAGE);
  const customers = typeof values.customers === "string" ? values.customers.split(",").map((c) => c.trim()).filter((c) => c !== "") : undefined;
  if (customers?.length === 0) throw new UsageError("--customers needs at least one name", USAGE);

  const dryRun = values["dry-run"] === true;
  const reportFile = typeof values.report === "string" ? values.report : undefined;
  const result = importHelm({ dir: positionals[0], root, dryRun, force: values.force === true, customers, reportFile });
  const files = dryRun ? result.files.map((f) => `--- ${f.file} (not written: dry run)\n${f.text}`) : [];
  return [result.report, ...files].join("\n");
}

if (require.main === module) runCli((argv) => Promise.resolve().then(() => importHelmCommand(argv, process.cwd())));
