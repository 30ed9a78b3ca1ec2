import { ADOPT_KEY, dnsRecordName } from "../config/adopt";
import { EnvironmentConfig } from "../config/environment";
import { customerFileName } from "../config/files";
import { namespacedId } from "../config/names";
import { joinPath } from "../config/problems";
import { CustomerDraft } from "./draft";
import { Proposal } from "./settle";
import { Finding, formatOrigin, uniqueFindings } from "./types";
import { valueAtPath } from "../config/merge";
import { CustomerDocument } from "./writer";

interface ReportInput {
  dir: string;
  drafts: CustomerDraft[];
  docs: CustomerDocument[];
  /** Files written (or that would be), and stack files kept as they were. */
  files: string[];
  kept: string[];
  configs: Map<string, EnvironmentConfig>;
  /** Files and directories of the tree not read. */
  treeFindings: Finding[];
  proposals: Proposal[];
  dryRun: boolean;
}

/** What the report says, as data. */
export interface Report {
  /** One row per mapped value: customer (environment), where from, where to. */
  mapped: string[][];
  unmapped: Finding[];
  /** Secrets found, each with the Vault path of its environment. */
  secrets: (Finding & { vaultPath: string })[];
  proposals: Proposal[];
  notes: string[];
  /** What to check or fill in before the first preview in adopt mode: stack, key, what. */
  beforeAdopting: string[][];
}

/**
 * What an operator must settle before adopt mode can import a stack without surprises: the ids
 * that cannot be derived, and the names under which live data is expected.
 */
export function adoptionChecklist(configs: Map<string, EnvironmentConfig>): string[][] {
  const rows: string[][] = [];
  for (const [stack, config] of [...configs].sort(([a], [b]) => a.localeCompare(b))) {
    if (config.settings.dns.enabled) {
      for (const host of config.hosts) {
        rows.push([stack, `ffnodes:adoptIds.${dnsRecordName(host)}`, `the live Cloudflare record as <zone id>/<record id> (npm run adopt-ids -- --stack ${stack} finds it), or create if the host has none`]);
      }
    }
    for (const key of Object.keys(config.settings.storage).filter((k) => !config.settings.storage[k].existingClaim).sort()) {
      rows.push([
        stack,
        `storage.${key}`,
        `adopt mode imports the claim ${namespacedId(config.tenancy.namespace, config.tenancy.claims[key])}; if the chart keeps this data in a claim of its own (a StatefulSet's, such as data-<release>-postgresql-0), set existingClaim to that claim's name first`,
      ]);
    }
    rows.push([
      stack,
      `ffnodes:adoptIds.${ADOPT_KEY.vaultCredentials}`,
      `adopt mode imports the credentials secret ${config.tenancy.vault.credentials.apiPath} and keeps its values: put the live database credentials there first, or give create to generate new ones`,
    ]);
  }
  return rows;
}

const cell = (text: string): string => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const row = (...cells: string[]): string => `| ${cells.map(cell).join(" | ")} |`;
const code = (text: string): string => (text ? `\`${text}\`` : "(whole file)");

function table(headers: string[], rows: string[][], empty: string): string[] {
  if (rows.length === 0) return [empty];
  return [row(...headers), row(...headers.map(() => "---")), ...rows.map((r) => row(...r))];
}

/** Where a mapped value ended up in the customer file. */
function placement(doc: CustomerDocument, env: string, path: string[]): string {
  const file = customerFileName(doc.name);
  if (valueAtPath(doc.environments[env], path) !== undefined) return `${file}: ${joinPath("environments", env, ...path)}`;
  if (valueAtPath(doc.settings, path) !== undefined) return `${file}: ${path.join(".")} (every environment)`;
  return "not written: same as the defaults";
}

/** Gathers what the report says from the drafts and the settled files. */
export function buildReport(input: ReportInput): Report {
  const mapped: string[][] = [];
  const unmapped: Finding[] = [...input.treeFindings];
  const secrets: Report["secrets"] = [];
  const notes: string[] = [];
  for (const draft of input.drafts) {
    const doc = input.docs.find((d) => d.name === draft.name);
    unmapped.push(...draft.unmapped);
    notes.push(...draft.notes);
    for (const env of draft.environments) {
      notes.push(...env.notes);
      unmapped.push(...env.unmapped);
      const vaultPath = input.configs.get(`${draft.name}-${env.environment}`)?.tenancy.vault.path ?? "";
      secrets.push(...uniqueFindings(env.secrets).map((s) => ({ ...s, vaultPath })));
      for (const m of [...env.settings.values()].sort((a, b) => a.path.join(".").localeCompare(b.path.join(".")))) {
        mapped.push([
          `${draft.name} (${env.environment})`,
          m.origins.map(formatOrigin).join("; "),
          doc ? placement(doc, env.environment, m.path) : "",
        ]);
      }
      const fitConnectCode = env.identity.get(JSON.stringify(["fitConnectCode"]));
      if (fitConnectCode) mapped.push([`${draft.name} (${env.environment})`, fitConnectCode.origins.map(formatOrigin).join("; "), `${customerFileName(draft.name)}: fitConnectCode`]);
    }
  }
  return {
    mapped,
    unmapped: uniqueFindings(unmapped),
    secrets,
    proposals: input.proposals,
    notes: [...new Set(notes)].sort(),
    beforeAdopting: adoptionChecklist(input.configs),
  };
}

/** The import report, in Markdown: files, mapped keys, keys not mapped, secrets for Vault, proposed defaults, notes. */
export function renderReport(input: ReportInput, report: Report): string {
  const { mapped, unmapped, secrets, proposals, notes, beforeAdopting } = report;
  const imported = input.drafts.map((d) => `${d.name} (${d.environments.map((e) => e.environment).join(", ")})`).join(", ");
  const lines = [
    "# ffnodes import report",
    "",
    `Imported from \`${input.dir}\`: ${imported}.${input.dryRun ? " Dry run: nothing was written." : ""}`,
    "",
    `## Files ${input.dryRun ? "that would be written" : "written"}`,
    "",
    ...input.files.map((f) => `- ${f}`),
    ...input.kept.map((f) => `- ${f}: already there, kept as it is`),
    "",
    `## Mapped (${mapped.length})`,
    "",
    ...table(["customer", "from", "to"], mapped, "Nothing."),
    "",
    `## Could not map (${unmapped.length})`,
    "",
    "Not in any customer file. Carry each over by hand where it still matters.",
    "",
    ...table(["file", "key", "why"], unmapped.map((f) => [f.file, code(f.path), f.reason]), "Nothing."),
    "",
    `## Secrets to put in Vault (${secrets.length})`,
    "",
    "Their values were not copied anywhere. Store each under the customer's Vault path, then delete it from the values tree.",
    "",
    ...table(
      ["file", "key", "Vault path (key)", "why"],
      secrets.map((s) => [s.file, code(s.path), `${s.vaultPath} (${s.path.split(".").pop() ?? ""})`, s.reason]),
      "None found.",
    ),
    "",
    `## Before the first preview in adopt mode (${beforeAdopting.length})`,
    "",
    "The stack files start in adopt mode: each live resource is imported by id, never created anew. Settle each of these first (README, \"Migrating a live customer\").",
    "",
    ...table(["stack", "key", "what"], beforeAdopting, "Nothing."),
    "",
    `## Proposed defaults (${proposals.length})`,
    "",
    "Every imported customer sets these alike. Nothing was moved: add them to customers/_defaults.yaml by hand if they belong there, then re-import or delete them from the customer files.",
    "",
    ...table(
      ["customers/_defaults.yaml key", "value", "customers"],
      proposals.map((p) => [`${p.section}.${p.path}`, JSON.stringify(p.value), p.customers.join(", ")]),
      "None.",
    ),
    "",
    "## Notes",
    "",
    ...notes.map((n) => `- ${n}`),
    "",
  ];
  return lines.join("\n");
}
