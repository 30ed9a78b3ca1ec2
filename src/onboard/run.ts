import * as fs from "node:fs";
import { listStacks, customerFileName, scratchCopy, stackFileName } from "../config/files";
import { ConfigError } from "../config/problems";
import { planStack } from "../plan/engine";
import { checkAllStacks, checkCustomersWithoutStacks } from "../config/fleet";
import { requiredCredentials } from "../config/provider-secrets";
import { renderStackFile } from "../config/stack-file";
import { writeConfigFiles } from "../config/write";
import { NewCustomer, customerFileText } from "./customer-file";

export interface Onboarded {
  /** The new stacks, in the order of the customer's environments. */
  stacks: string[];
  /** The files written, relative to the project. */
  written: string[];
  /** `<stack>: <n> resources`, per new stack, from its offline plan. */
  planned: string[];
  /** Per new stack, the secret configuration keys it needs set before its first preview. */
  secrets: ReadonlyMap<string, string[]>;
}

/**
 * Onboards a customer: composes its files, proves them in a scratch copy of the fleet (layering,
 * the fleet's uniqueness checks, and an offline plan of each new stack), and only then writes
 * them, never over an existing file.
 */
export async function onboard(customer: NewCustomer, root: string): Promise<Onboarded> {
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
    return { stacks, written: [...files.keys()], planned, secrets };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

