import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { z } from "zod";
import { RETIRED_DIR, yamlEntries } from "./files";
import { Problem, issuesToProblems } from "./problems";
import { readYamlFile } from "./yaml";

export function tombstoneFileName(stack: string): string {
  return `${RETIRED_DIR}/${stack}.yaml`;
}

/** The names a retired stack's data still sits under: no other customer may be given them. */
const reservedNames = z.strictObject({
  namespace: z.string(),
  vaultPath: z.string(),
  dbSuffix: z.string(),
  hosts: z.array(z.string()),
});

/** What was live and left in place, by its live name. */
const retainedData = z.strictObject({
  namespace: z.string().optional(),
  claims: z.array(z.strictObject({ name: z.string(), size: z.string() })),
  vaultMount: z.string().optional(),
  vaultSecrets: z.array(z.string()),
  dnsRecords: z.array(z.string()),
  /** Other objects in the retained namespace (its isolation, say): deleted with it. */
  inNamespace: z.array(z.string()),
  other: z.array(z.string()),
});
export type RetainedData = z.infer<typeof retainedData>;

const tombstoneSchema = z.strictObject({
  stack: z.string(),
  /**
   * `in-progress` from the moment a decommission starts until the stack is gone from the
   * backend and its files retired; a later run resumes from it. Then `retired`.
   */
  status: z.enum(["in-progress", "retired"]),
  started: z.string(),
  retired: z.string().optional(),
  customer: z.string(),
  environment: z.string(),
  argocdNamespace: z.string(),
  /** The Kubernetes context of the stack (`kubernetes:context`), if its file named one. */
  kubernetesContext: z.string().optional(),
  reserved: reservedNames,
  retained: retainedData,
  /** Commands that delete the retained data for good, with its live names. */
  purge: z.array(z.string()),
  /** The customer file as it applied to this environment: its top level and this environment's section. */
  customerFile: z.record(z.string(), z.unknown()),
});
export type Tombstone = z.infer<typeof tombstoneSchema>;

const HEADER = (stack: string) =>
  [
    `# Tombstone of stack ${stack}, written by \`npm run decommission\`. Its data was left in place`,
    "# (see `retained`), and the names under `reserved` stay reserved: plan --all, new-customer and",
    "# import-helm give none of them to another customer while this file exists. To delete the data",
    "# for good, run the `purge` commands, then delete this file (README, \"Removing a customer\").",
  ].join("\n");

/** The record first, the customer's settings last. */
const KEY_ORDER: (keyof Tombstone)[] = ["stack", "status", "started", "retired", "customer", "environment", "reserved", "retained", "purge"];

function renderTombstone(tombstone: Tombstone): string {
  const ordered = Object.fromEntries([...KEY_ORDER, ...Object.keys(tombstone)].map((key) => [key, tombstone[key as keyof Tombstone]]));
  return `${HEADER(tombstone.stack)}\n${stringify(ordered, { lineWidth: 0 })}`;
}

/** Writes a tombstone whole or not at all: a crash mid-write never leaves half a record. */
export function writeTombstone(root: string, tombstone: Tombstone): void {
  const file = path.join(root, tombstoneFileName(tombstone.stack));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, renderTombstone(tombstone));
  fs.renameSync(`${file}.tmp`, file);
}

/** Every tombstone under customers/retired/, and a problem for each one that cannot be read. */
export function readTombstones(root: string): { tombstones: Tombstone[]; problems: Problem[] } {
  const tombstones: Tombstone[] = [];
  const problems: Problem[] = [];
  for (const entry of yamlEntries(root, RETIRED_DIR).sort()) {
    const file = `${RETIRED_DIR}/${entry}`;
    const read = readYamlFile(path.join(root, file), file);
    if (!read.ok) {
      problems.push(...read.problems);
      continue;
    }
    const parsed = tombstoneSchema.safeParse(read.value);
    if (!parsed.success) {
      problems.push(...issuesToProblems(parsed.error.issues, read.value, () => ({ file, prefix: "" })));
    } else if (tombstoneFileName(parsed.data.stack) !== file) {
      problems.push({ file, path: "stack", message: `must match the file name: '${entry.slice(0, -".yaml".length)}'` });
    } else {
      tombstones.push(parsed.data);
    }
  }
  return { tombstones, problems };
}

export function readTombstone(root: string, stack: string): Tombstone | undefined {
  return readTombstones(root).tombstones.find((t) => t.stack === stack);
}
