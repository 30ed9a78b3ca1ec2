import * as fs from "node:fs";
import { checkAllStacks } from "../config/fleet";
import { EnvironmentConfig } from "../config/environment";
import { customerFileName, listStacks, loadDefaults, scratchCopy } from "../config/files";
import { deepMerge } from "../config/merge";
import { ConfigError, Problem, joinPath } from "../config/problems";
import { CustomerDraft, environmentSettings } from "./draft";
import { NEVER_DEFAULT, PER_ENVIRONMENT, PINNED, matchesPrefix } from "./mapping";
import { formatOrigin } from "./types";
import { valueAtPath } from "../config/merge";
import { canonical, deletePath, leaves, setPath } from "./values";
import { CustomerDocument, OutputFile, outputFiles, renderCustomerFile } from "./writer";
import { writeConfigFiles } from "../config/write";

interface Settled {
  docs: CustomerDocument[];
  files: OutputFile[];
  /** Stack files already in the project, left as they are. */
  kept: string[];
  /** Every imported stack, resolved from the files as they will be written. */
  configs: Map<string, EnvironmentConfig>;
}

/** A value every imported customer shares, proposed as a default (never moved there by the importer). */
export interface Proposal {
  /** `defaults` or `environments.<env>`, in customers/_defaults.yaml. */
  section: string;
  path: string;
  value: unknown;
  customers: string[];
}

const clone = <T>(value: T): T => structuredClone(value);


/** Problems in an imported customer file, told with the key of the tree the value came from. */
function withOrigins(problems: Problem[], drafts: CustomerDraft[]): Problem[] {
  const origins = new Map<string, string>();
  for (const d of drafts) {
    for (const env of d.environments) {
      for (const m of env.settings.values()) {
        origins.set(`${customerFileName(d.name)}\0${joinPath("environments", env.environment, ...m.path)}`, formatOrigin(m.origins[0]));
      }
    }
  }
  return problems.map((p) => {
    const origin = origins.get(`${p.file}\0${p.path}`);
    return origin ? { ...p, message: `${p.message} (imported from ${origin})` } : p;
  });
}

/**
 * Turns drafts into the files to write, in a scratch copy of the project: validates every stack
 * (the project's and the imported ones, with the cross-customer checks), then drops each value
 * whose removal leaves the resolved environment unchanged (it equals a default or what would be
 * derived), except the pinned names, and moves values all of a customer's environments share to
 * the customer's top level. Throws a ConfigError, writing nothing to `root`, when invalid.
 */
export function settle(root: string, drafts: CustomerDraft[]): Settled {
  const scratch = scratchCopy(root);
  try {
    let docs: CustomerDocument[] = drafts.map((d) => ({
      name: d.name,
      source: d.source,
      displayName: d.displayName,
      fitConnectCode: d.fitConnectCode,
      settings: {},
      environments: Object.fromEntries(d.environments.map((e) => [e.environment, environmentSettings(e)])),
    }));
    const { files, kept } = outputFiles(root, docs);
    writeConfigFiles(scratch, files, true);

    const imported = drafts.flatMap((d) => d.environments.map((e) => `${d.name}-${e.environment}`));
    const validate = (): Map<string, EnvironmentConfig> => {
      const { configs, problems } = checkAllStacks(scratch, listStacks(scratch), imported);
      if (problems.length > 0) throw new ConfigError(withOrigins(problems, drafts));
      return new Map(configs.map((c) => [c.stack, c]));
    };
    const baseline = validate();

    docs = docs.map((doc) => reduce(scratch, doc, baseline));
    writeConfigFiles(scratch, outputFiles(root, docs).files, true);
    const configs = validate();
    const importedConfigs = new Map([...configs].filter(([stack]) => imported.includes(stack)));
    // Validated without adopt mode (record ids are the operator's to fill in); written with it.
    const adoptHosts = new Map(
      [...importedConfigs].map(([stack, c]) => [stack, { cloudflare: c.settings.dns.enabled, hosts: c.settings.dns.enabled ? c.hosts : [] }]),
    );
    return { docs, files: outputFiles(root, docs, adoptHosts).files, kept, configs: importedConfigs };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Removes and hoists what it can while every environment of the customer resolves exactly as
 * before. Only values equal to what the lower layers give are tried: nothing else can go.
 */
function reduce(scratch: string, start: CustomerDocument, baseline: Map<string, EnvironmentConfig>): CustomerDocument {
  const { defaults } = loadDefaults(scratch);
  const below = (doc: CustomerDocument, env: string): unknown =>
    deepMerge(deepMerge(defaults?.all, defaults?.environments[env]), doc.settings);
  const stacks = Object.keys(start.environments).map((e) => `${start.name}-${e}`);
  const write = (doc: CustomerDocument): void => writeConfigFiles(scratch, [{ file: customerFileName(doc.name), text: renderCustomerFile(doc) }], true);
  const unchanged = (doc: CustomerDocument): boolean => {
    write(doc);
    return stacks.every((stack) => {
      const { configs, problems } = checkAllStacks(scratch, [stack]);
      return problems.length === 0 && canonical(configs[0]) === canonical(baseline.get(stack));
    });
  };
  const is = (list: string[], p: string[]): boolean => list.some((pattern) => matchesPrefix(pattern, p) && pattern.split(".").length === p.length);

  let doc = start;
  for (const env of Object.keys(doc.environments).sort()) {
    for (const [p, value] of leaves(doc.environments[env])) {
      if (is(PINNED, p) || is(PER_ENVIRONMENT, p) || canonical(valueAtPath(below(doc, env), p)) !== canonical(value)) continue;
      const trial = clone(doc);
      deletePath(trial.environments[env], p);
      if (unchanged(trial)) doc = trial;
    }
  }
  const envs = Object.keys(doc.environments).sort();
  if (envs.length > 1) {
    for (const [p, value] of leaves(doc.environments[envs[0]])) {
      if (is(PER_ENVIRONMENT, p) || !envs.every((e) => canonical(valueAtPath(doc.environments[e], p)) === canonical(value))) continue;
      const trial = clone(doc);
      setPath(trial.settings, p, value);
      for (const e of envs) deletePath(trial.environments[e], p);
      if (unchanged(trial)) doc = trial;
    }
  }
  write(doc);
  return doc;
}

/**
 * Values every imported customer environment sets alike (at least two customers): proposed for
 * `defaults`, or for `environments.<env>` when only that environment's customers share them.
 */
export function proposeDefaults(docs: CustomerDocument[]): Proposal[] {
  const written = docs.flatMap((d) =>
    Object.entries(d.environments).map(([env, section]) => ({
      customer: d.name,
      env,
      settings: deepMerge(d.settings, section) as Record<string, unknown>,
    })),
  );
  const proposals: Proposal[] = [];
  const shared = (group: typeof written, section: string): void => {
    const customers = [...new Set(group.map((w) => w.customer))].sort();
    if (customers.length < 2) return;
    for (const [p, value] of leaves(group[0].settings)) {
      if (NEVER_DEFAULT.some((pattern) => matchesPrefix(pattern, p))) continue;
      if (proposals.some((q) => q.path === p.join("."))) continue;
      if (group.every((w) => canonical(valueAtPath(w.settings, p)) === canonical(value))) {
        proposals.push({ section, path: p.join("."), value, customers });
      }
    }
  };
  shared(written, "defaults");
  for (const env of [...new Set(written.map((w) => w.env))].sort()) {
    shared(
      written.filter((w) => w.env === env),
      `environments.${env}`,
    );
  }
  return proposals.sort((a, b) => a.section.localeCompare(b.section) || a.path.localeCompare(b.path));
}
