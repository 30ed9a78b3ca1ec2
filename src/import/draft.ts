import { listCustomers, loadCustomerFile } from "../config/files";
import { isPlainObject } from "../config/merge";
import { EnvironmentDraft, MapContext, MappedValue, mapEnvironment } from "./apply";
import { KnownCustomer } from "./mapping";
import { CustomerValues } from "./tree";
import { Finding, formatOrigin } from "./types";
import { setPath } from "./values";

/** A customer as imported, before it is reduced to what differs from the defaults. */
export interface CustomerDraft {
  name: string;
  /** The customer's directory in the tree. */
  source: string;
  displayName: string;
  fitConnectCode: string;
  environments: EnvironmentDraft[];
  /** Customer-wide findings (identity values that disagree between environments). */
  unmapped: Finding[];
  notes: string[];
}

/** `ff-a` -> `FF A`, `kch` -> `KCH`, `barts-health` -> `BARTS Health`: short words are acronyms. */
export function displayNameOf(name: string): string {
  return name
    .split("-")
    .map((w) => (w.length <= 5 ? w.toUpperCase() : w[0].toUpperCase() + w.slice(1)))
    .join(" ");
}

function draftCustomer(values: CustomerValues, ctx: Omit<MapContext, "customer">): CustomerDraft {
  const environments = values.environments
    .map((env) => mapEnvironment(env, { ...ctx, customer: values.name }))
    .sort((a, b) => a.environment.localeCompare(b.environment));
  const displayName = displayNameOf(values.name);
  const notes = [`${values.name}: displayName '${displayName}' derived from the name: review it`];
  const unmapped: Finding[] = [];
  let code: MappedValue | undefined;
  for (const env of environments) {
    const found = env.identity.get(JSON.stringify(["fitConnectCode"]));
    if (!found) continue;
    if (!code) code = found;
    else if (found.value !== code.value) {
      unmapped.push({ ...found.origins[0], reason: `differs from ${formatOrigin(code.origins[0])}, whose value was kept (fitConnectCode is customer-wide)` });
    }
  }
  const fitConnectCode = typeof code?.value === "string" ? code.value : `FITConnect ${displayName}`;
  if (!code) notes.push(`${values.name}: no global.fitConnectCode in its values: fitConnectCode '${fitConnectCode}' made up from the name: review it`);
  return { name: values.name, source: values.dir, displayName, fitConnectCode, environments, unmapped, notes };
}

/** The environment settings of a draft as a mapping, as a customer file's environment section holds them. */
export function environmentSettings(env: EnvironmentDraft): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of [...env.settings.values()].sort((a, b) => (a.path.join("\0") < b.path.join("\0") ? -1 : 1))) setPath(out, m.path, m.value);
  return out;
}

function known(draft: CustomerDraft): KnownCustomer {
  const domains: Record<string, string> = {};
  for (const env of draft.environments) {
    const domain = env.settings.get(JSON.stringify(["domain"]))?.value;
    if (typeof domain === "string") domains[env.environment] = domain;
  }
  return { name: draft.name, fitConnectCode: draft.fitConnectCode, domains };
}

/** Customers already in the project, as peers of the imported ones. */
function existingCustomers(root: string): KnownCustomer[] {
  return listCustomers(root).flatMap((name) => {
    const file = loadCustomerFile(root, name);
    if (!file.identity) return [];
    const domains: Record<string, string> = {};
    for (const [env, section] of Object.entries(file.environments ?? {})) {
      if (isPlainObject(section) && typeof section.domain === "string") domains[env] = section.domain;
    }
    return [{ name, fitConnectCode: file.identity.fitConnectCode, domains }];
  });
}

/**
 * Drafts every imported customer. Peers (`fitConnectHosts` to `connects`) are found by
 * FITConnect code among the imported customers and the project's own, so drafting runs twice:
 * once to learn each imported customer's code and domains, once with them known.
 */
export function draftCustomers(root: string, customers: CustomerValues[], defaultServices: string[], zones: { name: string }[]): CustomerDraft[] {
  const first = customers.map((c) => draftCustomer(c, { defaultServices, zones, byCode: () => undefined }));
  const directory = new Map<string, KnownCustomer>();
  for (const k of [...existingCustomers(root), ...first.map(known)]) directory.set(k.fitConnectCode, k);
  return customers.map((c) => draftCustomer(c, { defaultServices, zones, byCode: (code) => directory.get(code) }));
}
