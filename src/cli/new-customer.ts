import * as fs from "node:fs";
import * as path from "node:path";
import { isReservedNamespace } from "../config/boundaries";
import { customerFileName, listStacks, loadDefaults, scratchCopy, stackFileName } from "../config/files";
import { COMMAND_LINE, ConfigError, Problem } from "../config/problems";
import { customerIdentity } from "../config/schema";
import { host as hostSchema } from "../config/schema/dns";
import { planStack } from "../plan/engine";
import { knownEnvironments } from "../rollout/select";
import { PRODUCTION_ENVIRONMENT } from "../rollout/waves";
import { checkAllStacks, checkCustomersWithoutStacks } from "../config/fleet";
import { requiredCredentials, setSecretCommand } from "../config/provider-secrets";
import { renderStackFile } from "../config/stack-file";
import { parseFlags, runCli, UsageError } from "./run";
import { entryExists, writeConfigFiles } from "../config/write";

const USAGE = `usage: npm run new-customer -- --name <name> --domain <host> [--env prod,staging]
                                [--display-name <text>] [--fitconnect-code <text>]

Writes customers/<name>.yaml and stacks/Pulumi.<name>-<env>.yaml for each environment (default:
prod), after checking them against the whole fleet and planning each new stack offline. Never
overwrites a file. --domain is the production host; another environment gets <first label>-<env>
and the rest of the domain (acme-staging.fitfile.net).
--display-name defaults to the name in words, --fitconnect-code to "FITConnect <display name>".`;

interface NewCustomer {
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

function parse(argv: string[], root: string): NewCustomer {
  const { values } = parseFlags(
    argv,
    {
      name: { type: "string" },
      domain: { type: "string" },
      env: { type: "string" },
      "display-name": { type: "string" },
      "fitconnect-code": { type: "string" },
      help: { type: "boolean" },
    },
    USAGE,
  );
  if (values.name === undefined || values.domain === undefined) throw new UsageError("--name and --domain are required", USAGE);
  const problems: Problem[] = [];
  const problem = (flag: string, message: string) => problems.push({ file: COMMAND_LINE, path: flag, message });

  const name = customerIdentity.shape.name.safeParse(values.name);
  if (!name.success) problem("--name", `'${values.name}': ${name.error.issues.map((i) => i.message).join("; ")}`);
  const environments = [...new Set((values.env ?? PRODUCTION_ENVIRONMENT).split(",").map((e) => e.trim()).filter((e) => e !== ""))];
  // Without readable defaults there are no environments to check --env against: that is the problem to tell.
  const defaults = loadDefaults(root);
  if (!defaults.defaults) throw new ConfigError(defaults.problems);
  const known = knownEnvironments(root);
  if (environments.length === 0) problem("--env", "at least one environment");
  for (const env of environments) {
    if (!known.includes(env)) problem("--env", `unknown environment '${env}'; environments are: ${known.join(", ")} (customers/_defaults.yaml)`);
    else {
      const host = hostFor(values.domain, env);
      const parsed = hostSchema.safeParse(host);
      if (!parsed.success) problem("--domain", `'${host}' (${env}): ${parsed.error.issues[0].message}`);
    }
  }
  const shared = defaults.defaults.sharedNamespaces;
  if (name.success && isReservedNamespace(name.data, shared)) {
    problem("--name", `'${name.data}' would be a namespace reserved for the cluster (default, kube-*, ${shared.join(", ")}): choose another name`);
  }
  if (name.success) {
    for (const file of [customerFileName(name.data), ...environments.map((env) => stackFileName(`${name.data}-${env}`))]) {
      if (entryExists(path.join(root, file))) problem("--name", `${file} already exists; new-customer never overwrites a file`);
    }
  }
  const displayName = values["display-name"] ?? displayNameOf(values.name);
  const fitConnectCode = values["fitconnect-code"] ?? `FITConnect ${displayName}`;
  for (const [flag, value, schema] of [
    ["--display-name", displayName, customerIdentity.shape.displayName],
    ["--fitconnect-code", fitConnectCode, customerIdentity.shape.fitConnectCode],
  ] as const) {
    const parsed = schema.safeParse(value);
    if (!parsed.success) problem(flag, parsed.error.issues[0].message);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { name: values.name, domain: values.domain, environments, displayName, fitConnectCode };
}

/**
 * What to do after `new-customer`, in the order that works: a secret can be set only on a stack
 * that exists (`pulumi config set` otherwise fails with `no stack named ... found`), and both
 * commands write the stack file, which is committed with them.
 */
function nextSteps(stacks: string[], secrets: ReadonlyMap<string, string[]>): string {
  const commands = stacks.flatMap((stack) => [`pulumi stack init ${stack}`, ...(secrets.get(stack) ?? []).map((key) => setSecretCommand(key, stack))]);
  return [
    "next: review the files; then, with the team's backend and secrets passphrase (or secrets provider):",
    ...commands.map((c) => `        ${c}`),
    "      commit the stack files with what these add (the secrets provider's settings, the encrypted secrets),",
    `      open a merge request, and once it is reviewed: pulumi up -s ${stacks[0]} (or let the rollout pipeline apply it).`,
  ].join("\n");
}

/**
 * Onboards a customer: composes its files, proves them in a scratch copy of the fleet (layering,
 * the fleet's uniqueness checks, and an offline plan of each new stack), and only then writes
 * them, never over an existing file.
 */
export async function newCustomer(argv: string[], root: string): Promise<string> {
  if (argv.includes("--help")) return USAGE;
  const customer = parse(argv, root);
  const stacks = customer.environments.map((env) => `${customer.name}-${env}`);
  const files = new Map<string, string>([[customerFileName(customer.name), customerFileText(customer)]]);
  // The new customer is checked against every stack there is; a fleet with a file that cannot be
  // read or layered, or stacks that clash already, cannot be checked: that is told first.
  const fleet = listStacks(root);
  const existing = [...checkAllStacks(root, fleet).problems, ...checkCustomersWithoutStacks(root, fleet)];
  if (existing.length > 0) throw new ConfigError(existing);

  const scratch = scratchCopy(root);
  try {
    const write = (file: string, text: string) => writeConfigFiles(scratch, [{ file, text }], true);
    write(customerFileName(customer.name), customerFileText(customer));
    // Stack files say nothing about the customer, so their content can follow from its layered settings.
    for (const stack of stacks) write(stackFileName(stack), "config: {}\n");
    const { configs, problems } = checkAllStacks(scratch, listStacks(scratch), stacks);
    if (problems.length > 0) throw new ConfigError(problems);
    const secrets = new Map<string, string[]>();
    for (const config of configs.filter((c) => stacks.includes(c.stack))) {
      const needed = requiredCredentials(config.settings).map((c) => c.keys[0]);
      secrets.set(config.stack, needed);
      files.set(stackFileName(config.stack), renderStackFile({ stack: config.stack, environment: config.environment, cloudflare: needed.length > 0 }));
    }
    for (const [file, text] of files) write(file, text);
    const planned: string[] = [];
    for (const stack of stacks) planned.push(`${stack}: ${(await planStack(scratch, stack)).resources.length} resources`);

    writeConfigFiles(root, [...files].map(([file, text]) => ({ file, text })), false);
    return [`wrote ${[...files.keys()].join(", ")}`, `planned ${planned.join(", ")}`, nextSteps(stacks, secrets)].join("\n");
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) runCli((argv) => newCustomer(argv, process.cwd()));
