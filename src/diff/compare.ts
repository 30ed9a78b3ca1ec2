import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { isPlainObject } from "../config/merge";
import { quantityValue } from "../config/quantity";
import { SECRET_PLACEHOLDER } from "../config/secrets";
import { KindType, forcesReplacement, kindOf } from "../kinds";
import type { PlannedResource, StackPlan } from "../plan/engine";

/** One field that differs: its path (`spec.resources.requests.storage`), and its values; absent means unset. */
export interface FieldChange {
  path: string;
  old?: unknown;
  new?: unknown;
}

interface ResourceRef {
  /** The resource's URN as Pulumi forms it (stack, project, parent type chain, type, name). */
  urn: string;
  type: string;
  name: string;
}

interface ResourceChange extends ResourceRef {
  /** Whether the provider replaces the resource (delete and create) rather than updating it. */
  replace: boolean;
  fields: FieldChange[];
}

type MarkerKind = "data-holder-replaced" | "data-holder-deleted" | "storage-shrunk" | "isolation-changed" | "adopt-started" | "adopt-stopped";

/** Something a reviewer must not miss. */
interface Marker {
  kind: MarkerKind;
  /** The resource's `type name`, when the marker is about one. */
  resource?: string;
  message: string;
}

export interface StackDiff {
  stack: string;
  status: "added" | "removed" | "changed";
  added: ResourceRef[];
  removed: ResourceRef[];
  changed: ResourceChange[];
  /** Stack settings that differ without showing up in a resource: secret config values, as `[secret]`. */
  config: FieldChange[];
  markers: Marker[];
}

export interface FleetDiff {
  /** Stacks with any difference, sorted by name. */
  stacks: StackDiff[];
  /** Stacks planned on both sides with no difference. */
  unchanged: number;
}

/** Per stack, a fingerprint of each secret config value (`secure:` in the stack file). */
export type SecretFingerprints = Record<string, Record<string, string>>;

export interface Side {
  plans: StackPlan[];
  secrets: SecretFingerprints;
}

const CLAIM_TYPE: KindType = "kubernetes:core/v1:PersistentVolumeClaim";
const CLAIM_SIZE = "spec.resources.requests.storage";

/** Why a resource holds data (its options, or its kind), or undefined when it does not. */
function dataHolderReason(resource: PlannedResource): string | undefined {
  const reasons = [resource.protect ? "protect" : "", resource.retainOnDelete ? "retainOnDelete" : "", kindOf(resource.type)?.holdsData ? "kind" : ""].filter(Boolean);
  return reasons.length > 0 ? reasons.join(", ") : undefined;
}

/**
 * The URN Pulumi gives each resource of a plan: the parent chain's types, then the type and name.
 * A parent is the nearest earlier resource one level up (plans list each subtree after its
 * parent), as names repeat (a customer named like a component); plans of earlier versions carry
 * no depth, and their parents are found by name, never in a loop.
 */
function urns(plan: StackPlan): Map<PlannedResource, string> {
  const byName = new Map(plan.resources.map((r) => [r.name, r]));
  const parentOf = new Map<PlannedResource, PlannedResource | undefined>();
  const ancestors: PlannedResource[] = [];
  for (const r of plan.resources) {
    if (typeof r.depth === "number") {
      parentOf.set(r, ancestors[r.depth - 1]);
      ancestors.length = r.depth;
      ancestors.push(r);
    } else parentOf.set(r, r.parent === undefined ? undefined : byName.get(r.parent));
  }
  const qualifiedType = (r: PlannedResource, seen = new Set<PlannedResource>()): string => {
    const parent = parentOf.get(r);
    if (!parent || seen.has(parent)) return r.type;
    seen.add(r);
    return `${qualifiedType(parent, seen)}$${r.type}`;
  };
  return new Map(plan.resources.map((r) => [r, `urn:pulumi:${plan.stack}::ffnodes::${qualifiedType(r)}::${r.name}`]));
}

const isSecret = (value: unknown) => value === SECRET_PLACEHOLDER;

/**
 * Keys under which Helm values travel as YAML text: Argo CD's own (`helm.values`) and the list
 * generator element's that the ApplicationSet template passes into it (`{{ .helmValues }}`).
 */
const HELM_VALUES_KEYS = new Set(["values", "helmValues"]);

/** Helm values compared as what they mean, so that a change reads as field paths. */
function helmValues(key: string, value: unknown): Record<string, unknown> | undefined {
  if (!HELM_VALUES_KEYS.has(key) || typeof value !== "string") return undefined;
  try {
    const parsed: unknown = parse(value);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The key that names each element of these lists of objects, when it names every element of each list distinctly. */
function elementKey(lists: unknown[][]): string | undefined {
  return ["name", "serviceName", "path"].find((key) =>
    lists.every((list) => {
      const names = list.map((e) => (isPlainObject(e) && typeof e[key] === "string" ? e[key] : undefined));
      return names.every((n) => n !== undefined) && new Set(names).size === names.length;
    }),
  );
}

const joinField = (path: string, key: string) => (path === "" ? key : `${path}.${key}`);

/**
 * Every field that differs between two values, as paths to the smallest differing parts. Lists
 * of named objects are matched by name, other lists by position; lists of plain values compare
 * whole. Helm values (YAML text under `values`) compare parsed. A secret is never looked into.
 */
export function fieldChanges(oldValue: unknown, newValue: unknown, path = ""): FieldChange[] {
  if (isDeepStrictEqual(oldValue, newValue)) return [];
  const change = (): FieldChange[] => [{ path, ...(oldValue !== undefined ? { old: oldValue } : {}), ...(newValue !== undefined ? { new: newValue } : {}) }];
  if (isSecret(oldValue) || isSecret(newValue)) return change();
  if (isPlainObject(oldValue) && isPlainObject(newValue)) {
    const keys = [...new Set([...Object.keys(oldValue), ...Object.keys(newValue)])].sort();
    return keys.flatMap((key) => {
      const oldValues = helmValues(key, oldValue[key]);
      const newValues = helmValues(key, newValue[key]);
      if (oldValues && newValues) return fieldChanges(oldValues, newValues, joinField(path, key));
      return fieldChanges(oldValue[key], newValue[key], joinField(path, key));
    });
  }
  const oldList: unknown[] | undefined = Array.isArray(oldValue) ? oldValue : undefined;
  const newList: unknown[] | undefined = Array.isArray(newValue) ? newValue : undefined;
  if (oldList && newList && [...oldList, ...newList].some(isPlainObject)) {
    const key = elementKey([oldList, newList]);
    if (key) {
      const name = (e: unknown) => (e as Record<string, string>)[key];
      const names = [...new Set([...oldList.map(name), ...newList.map(name)])];
      return names.flatMap((n) =>
        fieldChanges(
          oldList.find((e) => name(e) === n),
          newList.find((e) => name(e) === n),
          `${path}[${key}=${n}]`,
        ),
      );
    }
    const length = Math.max(oldList.length, newList.length);
    return Array.from({ length }, (_, i) => fieldChanges(oldList[i], newList[i], `${path}[${i}]`)).flat();
  }
  return change();
}

function storageShrunk(change: FieldChange): boolean {
  if (typeof change.old !== "string" || typeof change.new !== "string") return false;
  try {
    return quantityValue(change.new) < quantityValue(change.old);
  } catch {
    return false;
  }
}

const describe = (r: PlannedResource) => `${r.type} ${r.name}`;

function compareStack(stack: string, base: StackPlan | undefined, head: StackPlan | undefined, baseSecrets: Record<string, string>, headSecrets: Record<string, string>): StackDiff | undefined {
  const refs = (plan: StackPlan | undefined) => {
    if (!plan) return new Map<string, PlannedResource>();
    const urnOf = urns(plan);
    return new Map(plan.resources.map((r) => [urnOf.get(r)!, r]));
  };
  const before = refs(base);
  const after = refs(head);
  const ref = (urn: string, r: PlannedResource): ResourceRef => ({ urn, type: r.type, name: r.name });
  const markers: Marker[] = [];
  const isolation = (r: PlannedResource, what: string) => {
    const kind = kindOf(r.type);
    if (kind?.isolation) markers.push({ kind: "isolation-changed", resource: describe(r), message: `${kind.label} ${r.name} ${what}` });
  };

  const removed: ResourceRef[] = [];
  for (const [urn, r] of before) {
    if (after.has(urn)) continue;
    removed.push(ref(urn, r));
    const reason = dataHolderReason(r);
    if (reason) {
      const kept = r.retainOnDelete ? "; retainOnDelete keeps the live object" : "";
      markers.push({ kind: "data-holder-deleted", resource: describe(r), message: `data holder ${r.name} (${reason}) is deleted${kept}` });
    }
    isolation(r, "is deleted");
  }
  const added: ResourceRef[] = [];
  const changed: ResourceChange[] = [];
  for (const [urn, r] of after) {
    const old = before.get(urn);
    if (!old) {
      added.push(ref(urn, r));
      isolation(r, "is added");
      continue;
    }
    const fields = fieldChanges(old.inputs, r.inputs);
    const optionChanges = fieldChanges(
      { protect: old.protect, retainOnDelete: old.retainOnDelete, import: old.import, ignoreChanges: old.ignoreChanges },
      { protect: r.protect, retainOnDelete: r.retainOnDelete, import: r.import, ignoreChanges: r.ignoreChanges },
    ).map((f) => ({ ...f, path: `(options).${f.path}` }));
    if (fields.length === 0 && optionChanges.length === 0) continue;
    const replaceFields = fields.filter((f) => forcesReplacement(r.type, f.path));
    const replace = replaceFields.length > 0;
    changed.push({ ...ref(urn, r), replace, fields: [...fields, ...optionChanges] });
    const reason = dataHolderReason(old) ?? dataHolderReason(r);
    if (replace && reason) {
      markers.push({
        kind: "data-holder-replaced",
        resource: describe(r),
        message: `data holder ${r.name} (${reason}) is replaced: ${replaceFields.map((f) => f.path).join(", ")} changes`,
      });
    }
    if (r.type === CLAIM_TYPE) {
      const size = fields.find((f) => f.path === CLAIM_SIZE);
      if (size && storageShrunk(size)) {
        markers.push({ kind: "storage-shrunk", resource: describe(r), message: `claim ${r.name} shrinks from ${String(size.old)} to ${String(size.new)} (Kubernetes refuses to shrink a claim)` });
      }
    }
    if (fields.length > 0) isolation(r, "changes");
  }

  const imports = (plan: StackPlan | undefined) => plan?.resources.filter((r) => r.import !== undefined).length ?? 0;
  const importsBefore = imports(base);
  const importsAfter = imports(head);
  if (importsBefore === 0 && importsAfter > 0) markers.push({ kind: "adopt-started", message: `starts importing live resources (adopt mode): ${importsAfter} resource(s)` });
  if (importsBefore > 0 && importsAfter === 0) markers.push({ kind: "adopt-stopped", message: `stops importing live resources (adopt mode): ${importsBefore} resource(s) no longer imported` });

  const config = fieldChanges(
    Object.fromEntries(Object.keys(baseSecrets).map((k) => [k, SECRET_PLACEHOLDER])),
    Object.fromEntries(Object.keys(headSecrets).map((k) => [k, SECRET_PLACEHOLDER])),
  );
  for (const key of Object.keys(baseSecrets)) {
    if (key in headSecrets && baseSecrets[key] !== headSecrets[key]) config.push({ path: key, old: SECRET_PLACEHOLDER, new: SECRET_PLACEHOLDER });
  }
  config.sort((a, b) => a.path.localeCompare(b.path));

  if (base && head && added.length + removed.length + changed.length + config.length === 0) return undefined;
  const status = !base ? "added" : !head ? "removed" : "changed";
  return { stack, status, added, removed, changed, config, markers };
}

/** What each stack would get: the plans of the base and the head side, compared resource by resource. */
export function compareFleet(base: Side, head: Side): FleetDiff {
  const baseByStack = new Map(base.plans.map((p) => [p.stack, p]));
  const headByStack = new Map(head.plans.map((p) => [p.stack, p]));
  const stacks = [...new Set([...baseByStack.keys(), ...headByStack.keys()])].sort();
  const diffs: StackDiff[] = [];
  let unchanged = 0;
  for (const stack of stacks) {
    const diff = compareStack(stack, baseByStack.get(stack), headByStack.get(stack), base.secrets[stack] ?? {}, head.secrets[stack] ?? {});
    if (diff) diffs.push(diff);
    else unchanged++;
  }
  return { stacks: diffs, unchanged };
}
