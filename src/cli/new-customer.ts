import * as path from "node:path";
import { isReservedNamespace } from "../config/boundaries";
import { customerFileName, loadDefaults, stackFileName } from "../config/files";
import { COMMAND_LINE, ConfigError, Problem } from "../config/problems";
import { customerIdentity } from "../config/schema";
import { host as hostSchema } from "../config/schema/dns";
import { knownEnvironments } from "../rollout/select";
import { PRODUCTION_ENVIRONMENT } from "../rollout/waves";
import { setSecretCommand } from "../config/provider-secrets";
import { entryExists } from "../config/write";
import { NewCustomer, displayNameOf, hostFor } from "../onboard/customer-file";
import { onboard } from "../onboard/run";
import { parseFlags, runCli, UsageError } from "./run";

const USAGE = `usage: npm run new-customer -- --name <name> --domain <host> [--env prod,staging]
                                [--display-name <text>] [--fitconnect-code <text>]

Writes customers/<name>.yaml and stacks/Pulumi.<name>-<env>.yaml for each environment (default:
prod), after checking them against the whole fleet and planning each new stack offline. Never
overwrites a file. --domain is the production host; another environment gets <first label>-<env>
and the rest of the domain (acme-staging.fitfile.net).
--display-name defaults to the name in words, --fitconnect-code to "FITConnect <display name>".`;

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

/** Runs the command; returns what it prints. */
export async function newCustomer(argv: string[], root: string): Promise<string> {
  if (argv.includes("--help")) return USAGE;
  const { stacks, written, planned, secrets } = await onboard(parse(argv, root), root);
  return [`wrote ${written.join(", ")}`, `planned ${planned.join(", ")}`, nextSteps(stacks, secrets)].join("\n");
}

if (require.main === module) runCli((argv) => newCustomer(argv, process.cwd()));
