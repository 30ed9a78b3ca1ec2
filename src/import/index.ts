import * as fs from "node:fs";
import * as path from "node:path";
import { CUSTOMERS_DIR, STACKS_DIR, customerFileName, loadDefaults } from "../config/files";
import { isPlainObject } from "../config/merge";
import { COMMAND_LINE, ConfigError, Problem } from "../config/problems";
import { draftCustomers } from "./draft";
import { Report, buildReport, renderReport } from "./report";
import { proposeDefaults, settle } from "./settle";
import { readTree } from "./tree";
import { OutputFile } from "./writer";
import { entryExists, unwritable, writeConfigFiles } from "../config/write";

interface ImportOptions {
  /** The Helm values tree: the directory holding `ffnodes/`, or `ffnodes/` itself. */
  dir: string;
  /** The ffnodes project: customers/ and stacks/ are read and written here. */
  root: string;
  dryRun: boolean;
  force: boolean;
  /** Only these customers of the tree; all when absent. */
  customers?: string[];
  /** Where to write the report as well, relative to `root`: written, even in a dry run, before any other file. */
  reportFile?: string;
}

export interface ImportResult {
  files: OutputFile[];
  kept: string[];
  /** The report in Markdown, and what it says as data. */
  report: string;
  data: Report;
}

/**
 * Imports customers from a Helm values tree: reads it, maps it through the mapping table,
 * reduces each customer to what differs from the defaults, validates every stack with the
 * result, and (unless a dry run) writes the customer and stack files. Nothing is written when
 * anything is invalid.
 */
export function importHelm(options: ImportOptions): ImportResult {
  const reportProblem = options.reportFile === undefined ? undefined : reportFileProblem(options.root, options.reportFile);
  if (reportProblem) throw new ConfigError([reportProblem]);
  const { defaults, problems } = loadDefaults(options.root);
  if (!defaults) throw new ConfigError(problems);
  const services = isPlainObject(defaults.all) && isPlainObject(defaults.all.services) ? Object.keys(defaults.all.services) : [];
  const dns = isPlainObject(defaults.all) && isPlainObject(defaults.all.dns) ? defaults.all.dns : {};
  const zones = (Array.isArray(dns.zones) ? dns.zones : []).filter((z): z is { name: string } => isPlainObject(z) && typeof z.name === "string");

  const tree = readTree(options.dir, Object.keys(defaults.environments), options.customers);
  const missing = (options.customers ?? []).filter((c) => !tree.found.includes(c));
  if (missing.length > 0) {
    throw new ConfigError(
      missing.map((c) => ({ file: options.dir, path: "", message: `no customer '${c}' in the tree; it holds: ${tree.found.join(", ")}` })),
    );
  }
  const existing = tree.customers.filter((c) => entryExists(path.join(options.root, customerFileName(c.name))));
  const unreplaceable = existing.flatMap((c) => unwritable(options.root, customerFileName(c.name), true) ?? []);
  if (unreplaceable.length > 0) throw new ConfigError(unreplaceable);
  if (existing.length > 0 && !options.force) {
    throw new ConfigError(
      existing.map((c) => ({
        file: customerFileName(c.name),
        path: "",
        message: "already exists: give --force to replace it (stack files are never replaced)",
      })),
    );
  }

  const drafts = draftCustomers(options.root, tree.customers, services, zones);
  const settled = settle(options.root, drafts);
  const input = {
    dir: options.dir,
    drafts,
    docs: settled.docs,
    files: settled.files.map((f) => f.file),
    kept: settled.kept,
    configs: settled.configs,
    treeFindings: tree.findings,
    proposals: proposeDefaults(settled.docs),
    dryRun: options.dryRun,
  };
  const data = buildReport(input);
  const report = renderReport(input, data);
  if (options.reportFile !== undefined) writeReport(options.root, options.reportFile, report);
  if (!options.dryRun) writeConfigFiles(options.root, settled.files, options.force);
  return { files: settled.files, kept: settled.kept, report, data };
}

/**
 * Why the report may not go to `file`: it must be a new or regular file inside the project
 * (`root`, the working directory), in an existing directory, and not in customers/ or stacks/,
 * where it would replace or pass for configuration.
 */
function reportFileProblem(root: string, file: string): Problem | undefined {
  const at = (message: string): Problem => ({ file: COMMAND_LINE, path: "--report", message: `'${file}' ${message}` });
  const absolute = path.resolve(root, file);
  const directory = path.dirname(absolute);
  if (!fs.existsSync(directory) || !fs.statSync(directory).isDirectory()) return at(`is in a directory that does not exist (${path.dirname(file)})`);
  const projectRoot = fs.realpathSync(root);
  const relative = path.relative(projectRoot, path.join(fs.realpathSync(directory), path.basename(absolute)));
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) return at("is outside the project: give a path inside it, such as import-report.md");
  const top = relative.split(path.sep)[0];
  if (relative.includes(path.sep) && [CUSTOMERS_DIR, STACKS_DIR].includes(top)) {
    return at(`is inside ${top}/, which holds configuration only: give a path outside it, such as import-report.md`);
  }
  const refusal = unwritable(projectRoot, relative, true);
  return refusal && at(refusal.message);
}

function writeReport(root: string, file: string, text: string): void {
  try {
    fs.writeFileSync(path.resolve(root, file), text);
  } catch (e) {
    throw new ConfigError([{ file: COMMAND_LINE, path: "--report", message: `cannot write '${file}': ${(e as Error).message}` }]);
  }
}
