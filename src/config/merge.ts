/**
 * Layered merge with provenance.
 *
 * Semantics, stated once and tested: plain objects merge key by key, recursively; everything
 * else, arrays included, is replaced whole by the higher layer. `null` in a higher layer is a
 * value like any other (the schema decides whether it is allowed).
 */

/** Where a layer came from: the file, and the key path inside it where the layer starts. */
export interface LayerSource {
  file: string;
  prefix: string;
}

export interface Layer {
  source: LayerSource;
  value: unknown;
}

export interface Merged {
  value: Record<string, unknown>;
  /** For each merged key path (dot-joined), the layer that set it last. */
  provenance: Map<string, LayerSource>;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at a key path in a tree of mappings and lists; undefined where the path leads nowhere. */
export function valueAtPath(value: unknown, path: readonly PropertyKey[]): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Deep merge of plain objects, arrays replaced; the pure core of layering. */
export function deepMerge(lower: unknown, higher: unknown): unknown {
  if (higher === undefined) return lower;
  if (!isPlainObject(lower) || !isPlainObject(higher)) return higher;
  const out: Record<string, unknown> = { ...lower };
  for (const [key, value] of Object.entries(higher)) {
    out[key] = deepMerge(lower[key], value);
  }
  return out;
}

function record(provenance: Map<string, LayerSource>, path: string, value: unknown, source: LayerSource): void {
  provenance.set(path, source);
  if (isPlainObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      record(provenance, path ? `${path}.${key}` : key, child, source);
    }
  }
}

/** Merges layers lowest first; non-object layers are ignored (their file was reported as invalid). */
export function mergeLayers(layers: Layer[]): Merged {
  let value: unknown = {};
  const provenance = new Map<string, LayerSource>();
  for (const layer of layers) {
    if (!isPlainObject(layer.value)) continue;
    value = deepMerge(value, layer.value);
    record(provenance, "", layer.value, layer.source);
  }
  return { value: value as Record<string, unknown>, provenance };
}

/**
 * The layer responsible for a key path: the one that set the path itself or, for a key that is
 * missing, its nearest ancestor; `fallback` when nothing set any ancestor.
 */
export function sourceOf(provenance: Map<string, LayerSource>, path: string, fallback: LayerSource): LayerSource {
  for (let p = path; ; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
    const source = provenance.get(p);
    if (source && p !== "") return source;
    if (p === "") return fallback;
  }
}
