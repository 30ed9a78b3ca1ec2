import { isPlainObject } from "../config/merge";

/** Plain data as JSON with keys sorted at every level: equal values give equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** A copy with the keys of every mapping sorted; lists keep their order. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}

/** Every leaf of a tree of mappings with its key path: scalars and lists (whole); empty mappings have none. */
export function leaves(value: Record<string, unknown>, at: string[] = []): [string[], unknown][] {
  return Object.entries(value).flatMap(([key, child]): [string[], unknown][] =>
    isPlainObject(child) && Object.keys(child).length > 0 ? leaves(child, [...at, key]) : isPlainObject(child) ? [] : [[[...at, key], child]],
  );
}

/** Sets `path` in a tree of mappings, creating mappings on the way. */
export function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlainObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

/** Deletes `path`, and every mapping the deletion leaves empty. */
export function deletePath(target: Record<string, unknown>, path: string[]): void {
  const [key, ...rest] = path;
  if (rest.length === 0) {
    delete target[key];
    return;
  }
  const child = target[key];
  if (!isPlainObject(child)) return;
  deletePath(child, rest);
  if (Object.keys(child).length === 0) delete target[key];
}
