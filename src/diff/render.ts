import type { FieldChange, FleetDiff, StackDiff } from "./compare";

interface DiffSides {
  base: string;
  head: string;
}

/** A value as it prints: JSON, `(none)` when unset; a secret is already `[secret]`. */
function show(value: unknown): string {
  return value === undefined ? "(none)" : JSON.stringify(value);
}

/** The lines of two texts that differ, as `-`/`+` lines in order (longest common subsequence). */
function lineDiff(oldText: string, newText: string): string[] {
  const a = oldText.split("\n");
  const b = newText.split("\n");
  const common: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (i < a.length && (j === b.length || common[i + 1][j] >= common[i][j + 1])) {
      out.push(`- ${a[i++]}`);
    } else {
      out.push(`+ ${b[j++]}`);
    }
  }
  return out;
}

const MAX_LINE_DIFF = 400;

function fieldLines(change: FieldChange, indent: string): string[] {
  const { old, new: next } = change;
  if (typeof old === "string" && typeof next === "string" && (old.includes("\n") || next.includes("\n")) && old.split("\n").length <= MAX_LINE_DIFF && next.split("\n").length <= MAX_LINE_DIFF) {
    return [`${indent}${change.path}:`, ...lineDiff(old, next).map((l) => `${indent}  ${l}`)];
  }
  return [`${indent}${change.path}: ${show(old)} → ${show(next)}`];
}

function stackSummary(diff: StackDiff): string {
  if (diff.status !== "changed") return `stack ${diff.status}, ${diff.status === "added" ? diff.added.length : diff.removed.length} resource(s)`;
  return `${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed${diff.config.length ? `, ${diff.config.length} secret setting(s)` : ""}`;
}

/** One stack's difference: what to look at first, then each resource added, removed or changed. */
export function stackLines(diff: StackDiff): string[] {
  const lines = diff.markers.map((m) => `! ${m.message}`);
  for (const r of diff.added) lines.push(`+ ${r.type} ${r.name}`);
  for (const r of diff.removed) lines.push(`- ${r.type} ${r.name}`);
  for (const r of diff.changed) {
    lines.push(`~ ${r.type} ${r.name}${r.replace ? " (replace)" : ""}`);
    for (const f of r.fields) lines.push(...fieldLines(f, "    "));
  }
  if (diff.config.length > 0) {
    lines.push("~ stack settings (secret)");
    for (const f of diff.config) lines.push(...fieldLines(f, "    "));
  }
  return lines;
}

function headline(diff: FleetDiff, sides: DiffSides): string {
  const count = (status: StackDiff["status"]) => diff.stacks.filter((s) => s.status === status).length;
  return (
    `${sides.base} → ${sides.head}: ${count("changed")} stack(s) changed, ${count("added")} added, ${count("removed")} removed, ` +
    `${diff.unchanged} unchanged`
  );
}

export function renderText(diff: FleetDiff, sides: DiffSides): string {
  const blocks = [`ffnodes diff: ${headline(diff, sides)}`];
  for (const stack of diff.stacks) blocks.push([`${stack.stack}: ${stackSummary(stack)}`, ...stackLines(stack).map((l) => `  ${l}`)].join("\n"));
  return blocks.join("\n\n");
}

const escapeHtml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeCell = (text: string) => escapeHtml(text).replace(/\|/g, "\\|").replace(/\n/g, " ");

/** A code fence longer than any run of backticks inside, so that no value can end it early. */
function fence(lines: string[]): string {
  const longest = Math.max(2, ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((run) => run.length))));
  const marks = "`".repeat(longest + 1);
  return [`${marks}diff`, ...lines, marks].join("\n");
}

const MARKERS_PER_CELL = 2;

function markerCell(diff: StackDiff): string {
  const shown = diff.markers.slice(0, MARKERS_PER_CELL).map((m) => `⚠️ ${m.message}`);
  if (diff.markers.length > MARKERS_PER_CELL) shown.push(`and ${diff.markers.length - MARKERS_PER_CELL} more`);
  return shown.join("; ") || " ";
}

/** GitHub refuses comments over 65,536 characters; GitLab notes allow 1,000,000. */
export const MARKDOWN_BUDGET = 60_000;

/**
 * A report for a merge request note: a summary table, then one collapsed section per stack.
 * Sections that would take the note past `budget` characters are left out, and say so.
 */
export function renderMarkdown(diff: FleetDiff, sides: DiffSides, budget = MARKDOWN_BUDGET): string {
  const parts = [`### ffnodes diff`, "", escapeHtml(headline(diff, sides)) + ". Planned offline, without credentials.", ""];
  if (diff.stacks.length > 0) {
    parts.push("| stack | change | must not miss |", "|---|---|---|");
    for (const s of diff.stacks) parts.push(`| ${escapeCell(s.stack)} | ${escapeCell(stackSummary(s))} | ${escapeCell(markerCell(s))} |`);
    parts.push("");
  }
  const sections = diff.stacks.map((s) =>
    [`<details><summary>${s.markers.length ? "⚠️ " : ""}${escapeHtml(s.stack)}: ${escapeHtml(stackSummary(s))}</summary>`, "", fence(stackLines(s)), "", "</details>", ""].join("\n"),
  );
  const leftOut = (count: number) => `_${count} stack section(s) left out to keep this note short: run \`npm run diff\` or see the job's log for them._\n`;
  let text = parts.join("\n");
  const room = budget - leftOut(sections.length).length;
  let left = 0;
  for (const section of sections) {
    if (left > 0 || text.length + 1 + section.length > room) left++;
    else text += `\n${section}`;
  }
  if (left > 0) text += `\n${leftOut(left)}`;
  return text;
}
