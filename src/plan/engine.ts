import * as pulumi from "@pulumi/pulumi";
import { parseStackFile } from "../config/stack-file";
import { offlineMocks } from "./mocks";
import { SECRET_PLACEHOLDER } from "../config/secrets";
import { runProgram } from "../program";

export interface PlannedResource {
  type: string;
  name: string;
  /** Name of the parent resource; absent for the customer component itself. */
  parent?: string;
  /** Levels below the customer component (0 for it): names alone do not say which same-named resource is the parent. */
  depth: number;
  protect: boolean;
  retainOnDelete: boolean;
  /** The id of a live resource this one adopts, when it is imported. */
  import?: string;
  ignoreChanges?: string[];
  inputs: Record<string, unknown>;
}

export interface StackPlan {
  stack: string;
  customer: string;
  environment: string;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
}

interface Captured {
  type: string;
  name: string;
  parent?: pulumi.Resource;
  resource: pulumi.Resource;
  props: Record<string, unknown>;
  opts: pulumi.CustomResourceOptions;
}

/** Resolves outputs and promises to plain values, with every secret replaced by "[secret]". */
export async function reveal(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    if (await pulumi.isSecret(value)) return SECRET_PLACEHOLDER;
    const inner = await new Promise<unknown>((resolve) => value.apply((v) => resolve(v)));
    return reveal(inner);
  }
  if (value instanceof Promise) return reveal(await value);
  if (pulumi.Resource.isInstance(value)) return undefined;
  if (Array.isArray(value)) return Promise.all(value.map(reveal));
  if (typeof value === "object" && value !== null) {
    const entries = await Promise.all(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(async ([k, v]) => [k, await reveal(v)] as const),
    );
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  return value;
}

/**
 * Runs the real program for one stack under the SDK's mock engine: no credentials, no cluster.
 * Configuration comes from the stack file as written; `secure:` values are never decrypted.
 * `fleetChecked`: the caller checked the whole fleet and found nothing (plan --all).
 */
export async function planStack(root: string, stack: string, fleetChecked = false): Promise<StackPlan> {
  // Stack traces are what the SDK spends most of its time on while registering (one per promise
  // and resource); plan needs none of them.
  const traceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return await planWithMocks(root, stack, fleetChecked);
  } finally {
    Error.stackTraceLimit = traceLimit;
  }
}

async function planWithMocks(root: string, stack: string, fleetChecked: boolean): Promise<StackPlan> {
  const stackFile = parseStackFile(root, stack);
  await pulumi.runtime.setMocks(offlineMocks, "ffnodes", stack, false);
  pulumi.runtime.setAllConfig(stackFile.config, stackFile.secretKeys);

  const captured: Captured[] = [];
  const capture: pulumi.ResourceTransformation = (args) => {
    captured.push({
      type: args.type,
      name: args.name,
      parent: args.opts.parent,
      resource: args.resource,
      props: args.props,
      opts: args.opts,
    });
    return undefined;
  };

  const customer = runProgram(root, { transformations: [capture] }, { fleetChecked });
  const outputs = (await reveal(customer.outputs)) as Record<string, unknown>;

  const resolved: PlannedResource[] = [];
  const indexOf = new Map<pulumi.Resource, number>();
  const parents: (number | undefined)[] = [];
  // Components may register children inside applies, so the list can grow while it is read.
  // A parent is always registered, and so captured, before its children.
  for (let i = 0; i < captured.length; i++) {
    const c = captured[i];
    indexOf.set(c.resource, i);
    const parent = c.parent && indexOf.get(c.parent);
    parents.push(parent);
    resolved.push({
      type: c.type,
      name: c.name,
      ...(parent !== undefined ? { parent: captured[parent].name } : {}),
      depth: parent === undefined ? 0 : resolved[parent].depth + 1,
      protect: c.opts.protect === true,
      retainOnDelete: c.opts.retainOnDelete === true,
      ...(typeof c.opts.import === "string" ? { import: c.opts.import } : {}),
      ...(c.opts.ignoreChanges?.length ? { ignoreChanges: [...c.opts.ignoreChanges].sort() } : {}),
      inputs: withoutProviderCode((await reveal(c.props)) as Record<string, unknown>),
    });
  }

  return {
    stack,
    customer: customer.config.customer.name,
    environment: customer.config.environment,
    resources: treeOrder(resolved, parents),
    outputs,
  };
}

/**
 * A dynamic resource's inputs without its provider's code (`__provider`): the engine never diffs
 * the code (the Node.js provider host runs the new code against the old state), so neither does a plan.
 */
function withoutProviderCode(inputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(inputs).filter(([key]) => key !== "__provider"));
}

/** Each resource after its parent; siblings by type, then name. */
function treeOrder(resources: PlannedResource[], parents: (number | undefined)[]): PlannedResource[] {
  const children = new Map<number | undefined, number[]>();
  parents.forEach((p, i) => children.set(p, [...(children.get(p) ?? []), i]));
  const key = (i: number) => `${resources[i].type}\0${resources[i].name}`;
  const out: PlannedResource[] = [];
  const visit = (parent: number | undefined) => {
    for (const i of (children.get(parent) ?? []).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))) {
      out.push(resources[i]);
      visit(i);
    }
  };
  visit(undefined);
  return out;
}

