// Changes chosen input fields of chosen resources as the program registers them, so that an
// end-to-end scenario can show the real engine and providers a change to any field, also one no
// setting reaches (a Vault mount's type, a claim's selector). 15-dns.e2e.ts writes a project
// copy's entry point that calls this before the program; nothing else uses it.
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";

/** One field of one resource, by type token and logical name, and the value it gets; `path` is dotted (`spec.storageClassName`). */
export interface FieldChange {
  type: string;
  name: string;
  path: string;
  value: unknown;
}

/** `value` with `path` set to `to`, through outputs where the program passes them; nothing else changes. */
export function withField(value: unknown, path: string[], to: unknown): unknown {
  if (path.length === 0) return to;
  if (pulumi.Output.isInstance(value)) return value.apply((resolved) => withField(resolved, path, to));
  const object = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  const [key, ...rest] = path;
  return { ...object, [key]: withField(object[key], rest, to) };
}

/** Registers a stack transform that applies the changes listed in `file` (JSON), if it exists. */
export function registerFieldChanges(file: string): void {
  if (!fs.existsSync(file)) return;
  const changes = JSON.parse(fs.readFileSync(file, "utf8")) as FieldChange[];
  pulumi.runtime.registerResourceTransform((args) => {
    const mine = changes.filter((c) => c.type === args.type && c.name === args.name);
    if (mine.length === 0) return undefined;
    const props = mine.reduce<unknown>((p, c) => withField(p, c.path.split("."), c.value), args.props);
    return { props: props as pulumi.Inputs, opts: args.opts };
  });
}
