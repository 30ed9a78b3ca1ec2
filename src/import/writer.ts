import * as path from "node:path";
import { stringify } from "yaml";
import { customerFileName, stackFileName } from "../config/files";
import { renderStackFile } from "../config/stack-file";
import { entryExists } from "../config/write";
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
 * The files of an import: each customer file, and a stack file per environment unless one is
 * there already (a stack file holds secrets set by hand: never overwritten). `adoptHosts`, by
 * stack, turns adopt mode on in the stack files written.
 */
export function outputFiles(
  root: string,
  docs: CustomerDocument[],
  adoptHosts?: Map<string, { cloudflare: boolean; hosts: string[] }>,
): { files: OutputFile[]; kept: string[] } {
  const files: OutputFile[] = [];
  const kept: string[] = [];
  for (const doc of docs) {
    files.push({ file: customerFileName(doc.name), text: renderCustomerFile(doc) });
    for (const env of Object.keys(doc.environments).sort()) {
      const stack = `${doc.name}-${env}`;
      const file = stackFileName(stack);
      if (entryExists(path.join(root, file))) kept.push(file);
      else {
        const live = adoptHosts?.get(stack);
        files.push({ file, text: renderStackFile({ stack, environment: env, cloudflare: live?.cloudflare ?? true, adoptHosts: live?.hosts }) });
      }
    }
  }
  return { files, kept };
}

