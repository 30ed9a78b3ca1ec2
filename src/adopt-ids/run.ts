// adopt-ids: fills a stack's `ffnodes:adoptIds` with its hosts' live Cloudflare records, read
// with a token that needs no more than read access. Everything is found before anything is
// written; any host that needs a decision leaves the stack file as it was.
import * as path from "node:path";
import { ADOPT_CREATE, isDnsRecordKey, parseAdoption } from "../config/adopt";
import { listStacks, noSuchStack, stackFileName } from "../config/files";
import { ConfigError, Problem, joinPath } from "../config/problems";
import { resolveWithOrigins } from "../config/resolve";
import { readStackLayer, withAdoptIds } from "../config/stack-file";
import { writeConfigFiles } from "../config/write";
import { readBoundedFile } from "../config/yaml";
import { CloudflareReader } from "../cloudflare/reader";
import { findRecordIds } from "./find";

export interface AdoptIdsResult {
  /** The stack file, and the `ffnodes:adoptIds` entries found (every DNS record key of the stack). */
  file: string;
  ids: Record<string, string>;
  /** What the adopting `up` will change on the adopted records. */
  notes: string[];
  /** Whether the file changed (false when it held these ids already, or for a dry run). */
  written: boolean;
  /** Set when the stack has no DNS records to find. */
  nothingToFind?: string;
}

/** A stack's ids as found, and the stack file's text with them, before anything is written. */
interface Found extends Omit<AdoptIdsResult, "written"> {
  /** The file's text as read, and with the ids set; absent when there is nothing to find. */
  text?: { read: string; withIds: string };
}

async function findAdoptIds(root: string, stack: string, reader: CloudflareReader, progress: (line: string) => void): Promise<Found> {
  if (!listStacks(root).includes(stack)) throw noSuchStack(root, stack);
  const file = stackFileName(stack);
  const layer = readStackLayer(root, stack);
  const adoption = parseAdoption(layer.adopt, layer.adoptIds, layer.file);
  if (!adoption.enabled) {
    throw new ConfigError([
      { file, path: "config.ffnodes:adopt", message: "the stack is not in adopt mode: adopt-ids fills ffnodes:adoptIds, which only adopt mode reads; set ffnodes:adopt: true first (README, \"Migrating a live customer\")" },
    ]);
  }
  // The records' ids are what is being found: the rest of the stack must be valid without them.
  // Resolved outside adopt mode, which asks for every record's id; a DNS key of a host the stack
  // does not have is still told.
  const withoutRecordIds = Object.fromEntries(Object.entries(adoption.ids).map(([key, id]) => [key, isDnsRecordKey(key) ? ADOPT_CREATE : id]));
  const { config, origin } = resolveWithOrigins(root, stack, { ...layer, adopt: false, adoptIds: withoutRecordIds });
  if (!config.settings.dns.enabled) return { file, ids: {}, notes: [], nothingToFind: `DNS is off for ${stack} (dns.enabled): it has no Cloudflare records to adopt` };

  const found = await findRecordIds(config, file, adoption.ids, origin("dns.zones"), reader, progress);
  const problems = [...found.problems, ...adoptedElsewhere(root, stack, found.ids)];
  if (problems.length > 0) throw new ConfigError(problems);
  const read = readBoundedFile(path.join(root, file), file);
  if (!read.ok) throw new ConfigError(read.problems);
  return { file, ids: found.ids, notes: found.notes, text: { read: read.text, withIds: withAdoptIds(read.text, found.ids) } };
}

function write(root: string, found: Found, dryRun: boolean): AdoptIdsResult {
  const { text, ...result } = found;
  const written = !dryRun && text !== undefined && text.withIds !== text.read;
  if (written) writeConfigFiles(root, [{ file: found.file, text: text.withIds }], true);
  return { ...result, written };
}

export async function adoptIds(root: string, stack: string, reader: CloudflareReader, options: { dryRun: boolean; progress: (line: string) => void }): Promise<AdoptIdsResult> {
  return write(root, await findAdoptIds(root, stack, reader, options.progress), options.dryRun);
}

/** Whether a stack file asks for adopt mode; one that cannot be read is the stack's own problem, told when it is found. */
function inAdoptMode(root: string, stack: string): boolean {
  try {
    const layer = readStackLayer(root, stack);
    return parseAdoption(layer.adopt, layer.adoptIds, layer.file).enabled;
  } catch (error) {
    if (error instanceof ConfigError) return true;
    throw error;
  }
}

/**
 * adopt-ids for every stack in adopt mode. Every stack's ids are found before any file is
 * written: a problem in one stack, or one record found for two stacks, writes nothing at all.
 */
export async function adoptIdsForAll(
  root: string,
  reader: CloudflareReader,
  options: { dryRun: boolean; progress: (line: string) => void },
): Promise<{ results: Record<string, AdoptIdsResult>; notInAdoptMode: string[] }> {
  const stacks = listStacks(root);
  const adopting = stacks.filter((stack) => inAdoptMode(root, stack));
  const found: Record<string, Found> = {};
  const problems: Problem[] = [];
  for (const stack of adopting) {
    options.progress(`${stack}:`);
    try {
      found[stack] = await findAdoptIds(root, stack, reader, options.progress);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
    }
  }
  problems.push(...foundTwice(found));
  if (problems.length > 0) throw new ConfigError(problems);
  const results = Object.fromEntries(Object.entries(found).map(([stack, f]) => [stack, write(root, f, options.dryRun)]));
  return { results, notInAdoptMode: stacks.filter((stack) => !adopting.includes(stack)) };
}

/** A record found for two stacks in one run: the same check as adoptedElsewhere, for ids not yet written. */
function foundTwice(found: Record<string, Found>): Problem[] {
  const owner = new Map<string, { stack: string; key: string }>();
  const problems: Problem[] = [];
  for (const [stack, { file, ids }] of Object.entries(found)) {
    for (const [key, id] of Object.entries(ids).filter(([, id]) => id !== ADOPT_CREATE)) {
      const first = owner.get(id);
      if (first) {
        problems.push(recordOfTwoStacks(file, key, id, `was found for stack ${first.stack} too`, first.stack, first.key));
      } else {
        owner.set(id, { stack, key });
      }
    }
  }
  return problems;
}

/**
 * A record another stack adopts already: one record answers for one host of one stack, so the
 * person decides which stack owns it. A stack file that cannot be read is skipped here: `plan`
 * tells what is wrong with it.
 */
function adoptedElsewhere(root: string, stack: string, ids: Record<string, string>): Problem[] {
  const problems: Problem[] = [];
  for (const other of listStacks(root).filter((s) => s !== stack)) {
    let theirs: Record<string, string>;
    try {
      const layer = readStackLayer(root, other);
      theirs = parseAdoption(layer.adopt, layer.adoptIds, layer.file).ids;
    } catch (error) {
      if (error instanceof ConfigError) continue;
      throw error;
    }
    for (const [key, id] of Object.entries(ids).filter(([, id]) => id !== ADOPT_CREATE)) {
      const held = Object.keys(theirs).find((k) => theirs[k] === id);
      if (held) {
        problems.push(recordOfTwoStacks(stackFileName(stack), key, id, `is adopted by stack ${other} too`, other, held));
      }
    }
  }
  return problems;
}

function recordOfTwoStacks(file: string, key: string, id: string, how: string, other: string, otherKey: string): Problem {
  return {
    file,
    path: joinPath("config.ffnodes:adoptIds", key),
    message: `record '${id}' ${how} (${stackFileName(other)}: config.ffnodes:adoptIds.${otherKey}): a record belongs to one stack; decide which stack the host is`,
  };
}
