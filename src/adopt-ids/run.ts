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

export async function adoptIds(root: string, stack: string, reader: CloudflareReader, options: { dryRun: boolean; progress: (line: string) => void }): Promise<AdoptIdsResult> {
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
  if (!config.settings.dns.enabled) return { file, ids: {}, notes: [], written: false, nothingToFind: `DNS is off for ${stack} (dns.enabled): it has no Cloudflare records to adopt` };

  const found = await findRecordIds(config, file, adoption.ids, origin("dns.zones"), reader, options.progress);
  const problems = [...found.problems, ...adoptedElsewhere(root, stack, found.ids)];
  if (problems.length > 0) throw new ConfigError(problems);
  const read = readBoundedFile(path.join(root, file), file);
  if (!read.ok) throw new ConfigError(read.problems);
  const text = withAdoptIds(read.text, found.ids);
  const written = !options.dryRun && text !== read.text;
  if (written) writeConfigFiles(root, [{ file, text }], true);
  return { file, ids: found.ids, notes: found.notes, written };
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
        problems.push({
          file: stackFileName(stack),
          path: joinPath("config.ffnodes:adoptIds", key),
          message: `record '${id}' is adopted by stack ${other} too (${stackFileName(other)}: config.ffnodes:adoptIds.${held}): a record belongs to one stack; decide which stack the host is`,
        });
      }
    }
  }
  return problems;
}
