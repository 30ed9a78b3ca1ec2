import * as fs from "node:fs";
import * as path from "node:path";
import { CUSTOMERS_DIR, STACKS_DIR } from "../config/files";
import { NOT_READY, RolloutReport, tally } from "./engine";
import { formatChanges } from "./runner";

const REPORT_BASENAME = "rollout-report";

export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, "0")}s`;
}

const HEADER = ["stack", "wave", "changes previewed", "result", "duration"];

function rows(report: RolloutReport): string[][] {
  return report.stacks.map((s) => [s.stack, s.wave, formatChanges(s.changes), s.result, formatDuration(s.durationMs)]);
}

function title(report: RolloutReport): string {
  const counts = new Map<string, number>();
  for (const s of report.stacks) counts.set(s.result, (counts.get(s.result) ?? 0) + 1);
  const parts = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([result, n]) => `${n} ${result}`);
  const what = { rollout: "rollout", preview: "preview", drift: "drift check" }[report.mode];
  return `ffnodes ${what}: ${report.stacks.length} stack(s)${parts.length ? `, ${parts.join(", ")}` : ""}`;
}

/** The final table for a terminal, with a title line and why the run stopped early, if it did. */
export function renderTable(report: RolloutReport): string {
  const all = [HEADER, ...rows(report)];
  const widths = HEADER.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  const lines = [title(report), "", line(HEADER), line(widths.map((w) => "-".repeat(w))), ...rows(report).map(line)];
  const notReady = report.stacks.filter((s) => NOT_READY.includes(s.result));
  if (notReady.length > 0) lines.push("", ...notReady.map((s) => `${s.stack}: ${s.error ?? s.result}`));
  if (report.stopped) lines.push("", `stopped: ${report.stopped}`);
  if (report.error) lines.push("", `error: ${report.error}`);
  return lines.join("\n");
}

const escapeCell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, "<br>");

/** The report as Markdown, for a CI job summary or a merge request note. */
export function renderMarkdown(report: RolloutReport): string {
  const { failed, drifted } = tally(report);
  const lines = [
    `### ${title(report)}`,
    "",
    `| ${HEADER.join(" | ")} |`,
    `|${HEADER.map(() => "---").join("|")}|`,
    ...rows(report).map((r) => `| ${r.map(escapeCell).join(" | ")} |`),
  ];
  if (report.stopped) lines.push("", `**Stopped:** ${escapeCell(report.stopped)}`);
  if (report.error) lines.push("", `**Error:** ${escapeCell(report.error)}`);
  const failures = report.stacks.filter((s) => s.error);
  if (failures.length > 0) {
    lines.push("", "<details><summary>Errors</summary>", "");
    for (const s of failures) lines.push(`#### ${s.stack}`, "", "```", s.error ?? "", "```", "");
    lines.push("</details>");
  }
  if (drifted > 0) lines.push("", `${drifted} stack(s) differ from their live resources: run \`pulumi refresh -s <stack>\` after review.`);
  if (failed === 0 && drifted === 0 && !report.stopped) lines.push("", "All stacks succeeded.");
  return `${lines.join("\n")}\n`;
}

export function renderJson(report: RolloutReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Writes `rollout-report.md` and `rollout-report.json` into `dir`; returns their paths. */
export function writeReports(report: RolloutReport, dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    [path.join(dir, `${REPORT_BASENAME}.md`), renderMarkdown(report)],
    [path.join(dir, `${REPORT_BASENAME}.json`), renderJson(report)],
  ];
  for (const [file, text] of files) fs.writeFileSync(file, text);
  return files.map(([file]) => file);
}

/**
 * Why the reports may not go to `dir`: it must be a directory, or a path where one can be made,
 * and not in customers/ or stacks/, where they would pass for configuration. Outside the
 * project is allowed: a CI job's artifact folder, say.
 */
export function reportDirProblem(root: string, dir: string): string | undefined {
  let existing = dir;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  if (!fs.statSync(existing).isDirectory()) return `cannot be a directory: ${existing} is a file`;
  const relative = path.relative(fs.realpathSync(root), path.join(fs.realpathSync(existing), path.relative(existing, dir)));
  const top = relative.split(path.sep)[0];
  if (!relative.startsWith("..") && !path.isAbsolute(relative) && [CUSTOMERS_DIR, STACKS_DIR].includes(top)) {
    return `is inside ${top}/, which holds configuration only: give a folder outside it, such as reports`;
  }
  return undefined;
}
