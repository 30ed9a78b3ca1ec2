import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { customerFileName, stackFileName } from "../config/load";
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

/**
 * Provider settings for an imported stack, with placeholders like every stack file. Adopt mode
 * is on: the customer runs live, so its resources are imported by id, never created anew.
 */
export function renderStackFile(stack: string, environment: string): string {
  return [
    `# Provider settings and secrets for stack ${stack}; what the customer is lives in customers/.`,
    "# Imported from a live Helm deployment: ffnodes:adopt imports its live resources instead of creating them.",
    `# After the first successful \`pulumi up\`: pulumi config rm ffnodes:adopt -s ${stack}`,
    `# Check the kube context, and replace the placeholder secret with: pulumi config set --secret cloudflare:apiToken <token> -s ${stack}`,
    "config:",
    `  kubernetes:context: fitfile-${environment}`,
    "  vault:address: https://vault.fitfile.net",
    "  cloudflare:apiToken:",
    "    secure: placeholder-set-with-pulumi-config-set-secret",
    "  ffnodes:adopt: true",
    "",
  ].join("\n");
}

/**
 * The files of an import: each customer file, and a stack file per environment unless one is
 * there already (a stack file holds secrets set by hand: never overwritten).
 */
export function outputFiles(root: string, docs: CustomerDocument[]): { files: OutputFile[]; kept: string[] } {
  const files: OutputFile[] = [];
  const kept: string[] = [];
  for (const doc of docs) {
    files.push({ file: customerFileName(doc.name), text: renderCustomerFile(doc) });
    for (const env of Object.keys(doc.environments).sort()) {
      const file = stackFileName(`${doc.name}-${env}`);
      if (fs.existsSync(path.join(root, file))) kept.push(file);
      else files.push({ file, text: renderStackFile(`${doc.name}-${env}`, env) });
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
