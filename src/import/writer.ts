import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { customerFileName, dnsRecordName, stackFileName } from "../config/load";
import { sortKeys } from "./values";

/** A customer file as the importer writes it: identity, customer-wide settings, then environments. */
export interface CustomerDocument {
  name: string;
  /** The customer's directory in the tree it was imported from (named in the file's header). */
  source: string;
  displayName: string;
  fitConnectCode: string;
  /** Settings every environment shares (top level of the file). */
  settings: Record<string, unknown>;
  environments: Record<string, Record<string, unknown>>;
}

export interface OutputFile {
  /** Path relative to the project root. */
  file: string;
  text: string;
}

export function renderCustomerFile(doc: CustomerDocument): string {
  const body = {
    name: doc.name,
    displayName: doc.displayName,
    fitConnectCode: doc.fitConnectCode,
    ...(sortKeys(doc.settings) as Record<string, unknown>),
    environments: sortKeys(doc.environments),
  };
  return [
    `# ${doc.displayName}: imported from ${doc.source} by \`npm run import-helm\`.`,
    "# Only what differs from customers/_defaults.yaml, plus the names live data sits under (namespace, dbSuffix, Vault path).",
    stringify(body, { lineWidth: 0 }),
  ].join("\n");
}

/** What an operator must fill in before an imported stack plans: each host's live record id. */
export const RECORD_ID_PLACEHOLDER = "<zone id>/<record id>";

/**
 * Provider settings for an imported stack, with placeholders like every stack file. With
 * `adoptHosts`, adopt mode is on (the customer runs live: its resources are imported by id, never
 * created anew) and each host's Cloudflare record id is left for the operator to fill in: until
 * then `plan` names every one that is missing.
 */
export function renderStackFile(stack: string, environment: string, adoptHosts?: string[]): string {
  const lines = [
    `# Provider settings and secrets for stack ${stack}; what the customer is lives in customers/.`,
    `# Check the kube context, and replace the placeholder secret with: pulumi config set --secret cloudflare:apiToken <token> -s ${stack}`,
    "config:",
    `  kubernetes:context: fitfile-${environment}`,
    "  vault:address: https://vault.fitfile.net",
    "  cloudflare:apiToken:",
    "    secure: placeholder-set-with-pulumi-config-set-secret",
  ];
  if (adoptHosts) {
    lines.push(
      "  # Imported from a live Helm deployment: adopt mode imports the live resources instead of creating them",
      `  # (README, "Migrating a live customer"). After the first successful up: pulumi config rm ffnodes:adopt -s ${stack}`,
      "  ffnodes:adopt: true",
    );
    if (adoptHosts.length > 0) {
      lines.push("  # Each host's live Cloudflare record as <zone id>/<record id>, or `create` for a host that has none yet:", "  ffnodes:adoptIds:");
      for (const host of adoptHosts) lines.push(`    ${dnsRecordName(host)}: "${RECORD_ID_PLACEHOLDER}"`);
    }
  }
  return [...lines, ""].join("\n");
}

/**
 * The files of an import: each customer file, and a stack file per environment unless one is
 * there already (a stack file holds secrets set by hand: never overwritten). `adoptHosts`, by
 * stack, turns adopt mode on in the stack files written.
 */
export function outputFiles(root: string, docs: CustomerDocument[], adoptHosts?: Map<string, string[]>): { files: OutputFile[]; kept: string[] } {
  const files: OutputFile[] = [];
  const kept: string[] = [];
  for (const doc of docs) {
    files.push({ file: customerFileName(doc.name), text: renderCustomerFile(doc) });
    for (const env of Object.keys(doc.environments).sort()) {
      const stack = `${doc.name}-${env}`;
      const file = stackFileName(stack);
      if (fs.existsSync(path.join(root, file))) kept.push(file);
      else files.push({ file, text: renderStackFile(stack, env, adoptHosts?.get(stack)) });
    }
  }
  return { files, kept };
}

export function writeFiles(root: string, files: OutputFile[]): void {
  for (const { file, text } of files) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
}
