/** Vault ACL policies as data, rendered to HCL by one pure function. */

const CAPABILITIES = ["create", "read", "update", "patch", "delete", "list"] as const;
type Capability = (typeof CAPABILITIES)[number];

export interface PolicyRule {
  /** A policy path; a trailing `*` is a prefix glob. */
  path: string;
  capabilities: Capability[];
}

/**
 * Paths are quoted as HCL strings; these characters need no escaping and cannot open an HCL
 * template (`${`, `%{`), so a rendered policy always means exactly what its rules say.
 */
const SAFE_PATH = /^[A-Za-z0-9_./-]+\*?$/;

/** HCL for the rules: one `path` block each, sorted by path, capabilities in a fixed order. */
export function renderPolicy(rules: PolicyRule[]): string {
  return [...rules]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((rule) => {
      if (!SAFE_PATH.test(rule.path)) throw new Error(`unsafe Vault policy path: ${JSON.stringify(rule.path)}`);
      const capabilities = CAPABILITIES.filter((c) => rule.capabilities.includes(c));
      return `path "${rule.path}" {\n  capabilities = [${capabilities.map((c) => `"${c}"`).join(", ")}]\n}\n`;
    })
    .join("\n");
}
