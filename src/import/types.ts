/** Where an imported value came from: a file of the Helm tree and the key path inside it. */
export interface Origin {
  file: string;
  /** Dotted key path; empty for the whole file. */
  path: string;
}

/** Something the report tells the reader about a key of the tree: not mapped, or a secret. */
export interface Finding extends Origin {
  reason: string;
}

export function formatOrigin(origin: Origin): string {
  return origin.path ? `${origin.file}: ${origin.path}` : origin.file;
}

/** Findings without repeats (a shared file is read once per service), sorted by file and key. */
export function uniqueFindings(findings: Finding[]): Finding[] {
  const byKey = new Map(findings.map((f) => [`${f.file}\0${f.path}\0${f.reason}`, f] as const));
  return [...byKey.values()].sort((a, b) => a.file.localeCompare(b.file) || a.path.localeCompare(b.path) || a.reason.localeCompare(b.reason));
}
