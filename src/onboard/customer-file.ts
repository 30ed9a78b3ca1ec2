import { PRODUCTION_ENVIRONMENT } from "../rollout/waves";

/** A new customer as `new-customer` is told it: validated flags. */
export interface NewCustomer {
  name: string;
  domain: string;
  environments: string[];
  displayName: string;
  fitConnectCode: string;
}

/** `ff-a` → `FF A`, `acme-health` → `Acme Health`: short words are taken for acronyms. */
export function displayNameOf(name: string): string {
  return name
    .split("-")
    .map((word) => (word.length <= 3 ? word.toUpperCase() : word[0].toUpperCase() + word.slice(1)))
    .join(" ");
}

/**
 * The production environment keeps the domain; any other gets a host as deep as the domain, its
 * first label suffixed with the environment (`acme.fitfile.net` → `acme-staging.fitfile.net`),
 * or `<env>.<domain>` under a two-label domain. `staging.acme.fitfile.net` would be two labels
 * below the zone, where Cloudflare's Universal SSL serves no edge certificate.
 */
export function hostFor(domain: string, environment: string): string {
  if (environment === PRODUCTION_ENVIRONMENT) return domain;
  const [first, ...rest] = domain.split(".");
  return rest.length < 2 ? `${environment}.${domain}` : [`${first}-${environment}`, ...rest].join(".");
}

/**
 * Free text from a flag as one double-quoted YAML scalar on one line: quotes, backslashes and
 * control characters escaped as JSON escapes them, and every other non-ASCII character as a
 * YAML `\u`/`\U` escape, so that nothing in it can end the scalar or the line.
 */
function scalar(text: string): string {
  let out = "";
  for (const char of JSON.stringify(text)) {
    const code = char.codePointAt(0) ?? 0;
    out += code < 0x7f ? char : code <= 0xffff ? `\\u${code.toString(16).padStart(4, "0")}` : `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return out;
}

/**
 * The new customer file. Only validated names (the customer's, the environments', the hosts) are
 * written as they are; free text (display name, FITConnect code) only as scalars.
 */
export function customerFileText(c: NewCustomer): string {
  const lines = [
    `# ${c.name}: onboarded with \`npm run new-customer\`. Review every value, then`,
    `# \`npm run plan -- --stack ${c.name}-${c.environments[0]}\` and \`pulumi up -s ${c.name}-${c.environments[0]}\`.`,
    "# Anything not set here comes from customers/_defaults.yaml (README, \"Settings\").",
    `name: ${c.name}`,
    `displayName: ${scalar(c.displayName)}`,
    "# The customer's FITConnect code; peers that connect to this customer use it.",
    `fitConnectCode: ${scalar(c.fitConnectCode)}`,
    "# Settings here apply to every environment below unless that environment overrides them.",
    "environments:",
  ];
  for (const env of c.environments) {
    lines.push(
      `  ${env}:`,
      `    domain: ${hostFor(c.domain, env)}  # primary host, unique across the fleet`,
      "    # extraHosts: [pgweb.example.fitfile.net]",
      `    # deploymentKey: ${env}-${c.name}`,
      "    # dbSuffix: _name        # database name suffix, unique across the fleet (default: _<namespace>)",
      "    # connects: [ff-a]       # FITConnect peers: other customers' files",
      "    # storage:",
      "    #   minio: { size: 64Gi, existingClaim: pvc-name-minio }",
      "    # services:",
      "    #   ffcloud: { appConfig: { ffCloudCode: FFCloud_Prod_1 } }",
    );
  }
  return `${lines.join("\n")}\n`;
}

