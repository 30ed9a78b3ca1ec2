import * as fs from "node:fs";
import * as path from "node:path";
import { customerFileName, loadDefaults } from "../config/load";
import { isPlainObject } from "../config/merge";
import { ConfigError } from "../config/problems";
import { draftCustomers } from "./draft";
import { Report, buildReport, renderReport } from "./report";
import { proposeDefaults, settle } from "./settle";
import { readTree } from "./tree";
import { OutputFile, writeFiles } from "./writer";

export interface ImportOptions {
  /** The Helm values tree: the directory holding `ffnodes/`, or `ffnodes/` itself. */
  dir: string;
  /** The ffnodes project: customers/ and stacks/ are read and written here. */
  root: string;
  dryRun: boolean;
  force: boolean;
  /** Only these customers of the tree; all when absent. */
  customers?: string[];
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
  const existing = tree.customers.filter((c) => fs.existsSync(path.join(options.root, customerFileName(c.name))));
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
  if (!options.dryRun) writeFiles(options.root, settled.files);
  return { files: settled.files, kept: settled.kept, report: renderReport(input, data), data };
}
