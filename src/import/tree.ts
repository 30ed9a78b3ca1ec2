import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULTS_FILE } from "../config/files";
import { customerIdentity } from "../config/schema";
import { Merged, isPlainObject, mergeLayers } from "../config/merge";
import { ConfigError, Problem } from "../config/problems";
import { readYamlFile } from "../config/yaml";
import { readApplicationSet } from "./appset";
import { Finding } from "./types";

const TREE_DIR = "ffnodes";
/** The per-service files, in the order the seed's ApplicationSet lists them. */
const SERVICE_FILES = ["app-config.yaml", "infra-config.yaml"];
const SHARED_FILE = "shared-secrets-values.yaml";
const NODE_FILE = "values.yaml";
/** Environment of a node file whose deploymentKey does not start with a known environment. */
const NODE_DEFAULT_ENVIRONMENT = "prod";

interface ValuesSource {
  /** The service these values are for; absent for a node file, which serves every service. */
  service?: string;
  /** Files merged, lowest precedence first. */
  files: string[];
  merged: Merged;
}

export interface EnvironmentValues {
  environment: string;
  sources: ValuesSource[];
  /** The ApplicationSet that named the value files, when the environment has one. */
  applicationSet?: { file: string; document: Record<string, unknown>; services: string[] };
  notes: string[];
}

export interface CustomerValues {
  name: string;
  layout: "per-service" | "node";
  /** The customer's directory in the tree, as shown to the user. */
  dir: string;
  environments: EnvironmentValues[];
}

export interface Tree {
  /** Every customer found, imported or not. */
  found: string[];
  /** The customers read (all, or those asked for). */
  customers: CustomerValues[];
  /** Files and directories not read, with why. */
  findings: Finding[];
}

interface Candidate {
  name: string;
  dir: string;
  layout: CustomerValues["layout"];
  /** Environment directories (per-service layout). */
  environments: string[];
}

const isDir = (p: string): boolean => fs.existsSync(p) && fs.statSync(p).isDirectory();
const isFile = (p: string): boolean => fs.existsSync(p) && fs.statSync(p).isFile();
const subdirs = (p: string): string[] =>
  isDir(p)
    ? fs
        .readdirSync(p)
        .filter((f) => isDir(path.join(p, f)))
        .sort()
    : [];
const isYaml = (f: string): boolean => /\.ya?ml$/.test(f);

/**
 * The YAML files below `dir`, inside the tree at `base`. A directory reached again through a
 * symbolic link (a loop, or a second way to the same place) is not walked again, and one that
 * leads out of the tree is not walked at all.
 */
function yamlFilesUnder(dir: string, base: string, visited = new Set<string>()): string[] {
  if (!isDir(dir)) return [];
  const real = fs.realpathSync(dir);
  if (visited.has(real) || !(real === fs.realpathSync(base) || insideTree(fs.realpathSync(base), real))) return [];
  visited.add(real);
  return fs
    .readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = path.join(dir, f);
      return isDir(p) ? yamlFilesUnder(p, base, visited) : isYaml(f) ? [p] : [];
    });
}

/** Whether `file` is below `base`, once `..` segments are resolved: value files outside the tree are not read. */
function insideTree(base: string, file: string): boolean {
  const relative = path.relative(base, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

/** The directory holding `ffnodes/`: the one given, or its parent when given `ffnodes/` itself. */
function treeBase(input: string): string {
  const abs = path.resolve(input);
  if (!isDir(abs)) throw new ConfigError([{ file: input, path: "", message: "no such directory" }]);
  if (isDir(path.join(abs, TREE_DIR))) return abs;
  if (path.basename(abs) === TREE_DIR) return path.dirname(abs);
  throw new ConfigError([{ file: input, path: "", message: `expected a '${TREE_DIR}/' directory in it (the Helm values tree)` }]);
}

/** Reads values files once each, collecting problems instead of stopping at the first. */
class Reader {
  readonly problems: Problem[] = [];
  readonly read = new Set<string>();
  private readonly cache = new Map<string, Record<string, unknown> | undefined>();

  constructor(readonly base: string) {}

  display(abs: string): string {
    return path.relative(this.base, abs).split(path.sep).join("/");
  }

  document(abs: string): Record<string, unknown> | undefined {
    if (this.cache.has(abs)) return this.cache.get(abs);
    const result = readYamlFile(abs, this.display(abs));
    let value: Record<string, unknown> | undefined;
    if (!result.ok) this.problems.push(...result.problems);
    else if (result.value === null || result.value === undefined) value = {};
    else if (isPlainObject(result.value)) value = result.value;
    else this.problems.push({ file: this.display(abs), path: "", message: "must be a mapping of Helm values" });
    this.cache.set(abs, value);
    return value;
  }

  source(service: string | undefined, files: string[]): ValuesSource {
    for (const f of files) this.read.add(f);
    const layers = files.map((f) => ({ source: { file: this.display(f), prefix: "" }, value: this.document(f) }));
    return { ...(service ? { service } : {}), files: files.map((f) => this.display(f)), merged: mergeLayers(layers) };
  }
}

function discover(base: string, knownEnvironments: string[], findings: Finding[], reader: Reader): Candidate[] {
  const candidates: Candidate[] = [];
  const root = path.join(base, TREE_DIR);
  for (const entry of subdirs(root)) {
    const dir = path.join(root, entry);
    const envDirs = subdirs(dir).filter((d) => isDir(path.join(dir, d, "values")) || isDir(path.join(dir, d, "templates")));
    if (envDirs.length > 0) {
      for (const d of envDirs.filter((e) => !knownEnvironments.includes(e))) {
        findings.push({
          file: reader.display(path.join(dir, d)),
          path: "",
          reason: `not read: '${d}' is not an environment of ${DEFAULTS_FILE} (${knownEnvironments.join(", ")})`,
        });
      }
      const known = envDirs.filter((e) => knownEnvironments.includes(e));
      if (known.length > 0) candidates.push({ name: entry, dir, layout: "per-service", environments: known });
      continue;
    }
    const nodes = subdirs(dir).filter((n) => isFile(path.join(dir, n, NODE_FILE)));
    for (const node of nodes) candidates.push({ name: node, dir: path.join(dir, node), layout: "node", environments: [] });
    if (nodes.length === 0) {
      findings.push({
        file: reader.display(dir),
        path: "",
        reason: `not read: neither <env>/values/ nor <node>/${NODE_FILE} below it`,
      });
    }
  }
  return candidates;
}

function readPerServiceEnvironment(reader: Reader, dir: string, environment: string): EnvironmentValues {
  const envDir = path.join(dir, environment);
  const sets = yamlFilesUnder(path.join(envDir, "templates"), reader.base).flatMap((f) => {
    const document = reader.document(f);
    return document?.kind === "ApplicationSet" ? [{ f, document }] : [];
  });
  if (sets.length > 1) {
    reader.problems.push({
      file: reader.display(path.join(envDir, "templates")),
      path: "",
      message: `holds ${sets.length} ApplicationSets (${sets.map((s) => path.basename(s.f)).join(", ")}); expected one per environment`,
    });
  }
  if (sets.length === 1) {
    const { f, document } = sets[0];
    const file = reader.display(f);
    reader.read.add(f);
    const appSet = readApplicationSet(file, document);
    reader.problems.push(...appSet.problems);
    const sources = appSet.services.flatMap((service) => {
      const files: string[] = [];
      for (const valueFile of service.valueFiles) {
        const abs = path.join(reader.base, valueFile);
        if (valueFile.startsWith("/") && insideTree(reader.base, abs) && isFile(abs)) files.push(abs);
        else {
          reader.problems.push({
            file,
            path: "spec.template.spec.source.helm.valueFiles",
            message: `value file '${valueFile}' of service '${service.name}' is not in the tree (expected a /${TREE_DIR}/... path)`,
          });
        }
      }
      return [reader.source(service.name, files)];
    });
    return { environment, sources, applicationSet: { file, document, services: appSet.services.map((s) => s.name) }, notes: [] };
  }
  const valuesDir = path.join(envDir, "values");
  const shared = path.join(valuesDir, SHARED_FILE);
  const sources = subdirs(valuesDir).map((service) =>
    reader.source(service, [...SERVICE_FILES.map((f) => path.join(valuesDir, service, f)), shared].filter(isFile)),
  );
  return {
    environment,
    sources,
    notes: [`no ApplicationSet in ${reader.display(envDir)}/templates: value files read in the seed's order (${[...SERVICE_FILES, SHARED_FILE].join(", ")})`],
  };
}

function readNode(reader: Reader, dir: string, knownEnvironments: string[]): EnvironmentValues {
  const source = reader.source(undefined, [path.join(dir, NODE_FILE), path.join(dir, SHARED_FILE)].filter(isFile));
  const key = source.merged.value.deploymentKey;
  const prefix = typeof key === "string" ? key.split("-")[0] : undefined;
  const environment = prefix && knownEnvironments.includes(prefix) ? prefix : NODE_DEFAULT_ENVIRONMENT;
  const note =
    environment === prefix
      ? `${source.files[0]}: environment '${environment}' taken from deploymentKey '${String(key)}'`
      : `${source.files[0]}: no deploymentKey starting with an environment name: imported as '${environment}'`;
  return { environment, sources: [source], notes: [note] };
}

/**
 * Reads the Helm values tree under `input` (the directory holding `ffnodes/`, or `ffnodes/`
 * itself): per-service customers (`ffnodes/<customer>/<env>/values/<service>/*.yaml`, the
 * ApplicationSet in `<env>/templates/` deciding the order of value files) and node files
 * (`ffnodes/<group>/<node>/values.yaml`). Throws a ConfigError naming every unreadable file.
 */
export function readTree(input: string, knownEnvironments: string[], only?: string[]): Tree {
  const base = treeBase(input);
  const reader = new Reader(base);
  const findings: Finding[] = [];
  const candidates = discover(base, knownEnvironments, findings, reader);
  const problems: Problem[] = [];
  const seen = new Map<string, Candidate>();
  for (const c of candidates) {
    const name = customerIdentity.shape.name.safeParse(c.name);
    if (c.name.startsWith("_")) {
      problems.push({ file: reader.display(c.dir), path: "", message: `'${c.name}' is not a customer name: names starting with '_' are reserved (${DEFAULTS_FILE})` });
      continue;
    }
    if (!name.success) {
      problems.push({ file: reader.display(c.dir), path: "", message: `'${c.name}' is not a customer name: ${name.error.issues.map((i) => i.message).join("; ")}; rename the directory` });
      continue;
    }
    const earlier = seen.get(c.name);
    if (earlier) problems.push({ file: reader.display(c.dir), path: "", message: `customer '${c.name}' is also at ${reader.display(earlier.dir)}` });
    seen.set(c.name, c);
  }
  if (candidates.length === 0) {
    problems.push({
      file: reader.display(path.join(base, TREE_DIR)),
      path: "",
      message: `no customers found: expected ${TREE_DIR}/<customer>/<env>/values/<service>/*.yaml or ${TREE_DIR}/<group>/<node>/${NODE_FILE}`,
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const chosen = candidates.filter((c) => !only || only.includes(c.name)).sort((a, b) => a.name.localeCompare(b.name));
  const customers = chosen.map((c) => ({
    name: c.name,
    layout: c.layout,
    dir: reader.display(c.dir),
    environments:
      c.layout === "node" ? [readNode(reader, c.dir, knownEnvironments)] : c.environments.map((e) => readPerServiceEnvironment(reader, c.dir, e)),
  }));
  if (reader.problems.length > 0) throw new ConfigError(reader.problems);
  for (const c of chosen) {
    const dirs = c.layout === "node" ? [c.dir] : c.environments.map((e) => path.join(c.dir, e));
    for (const f of dirs.flatMap((d) => yamlFilesUnder(d, base)).filter((file) => !reader.read.has(file))) {
      findings.push({ file: reader.display(f), path: "", reason: "not read: no ApplicationSet value file or known layout names it" });
    }
  }
  return { found: candidates.map((c) => c.name).sort(), customers, findings };
}
