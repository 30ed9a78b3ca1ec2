import * as path from "node:path";
import { sourceOf } from "../config/merge";
import { joinPath } from "../config/problems";
import { beyondUniversalSsl } from "../config/schema/dns";
import { KnownCustomer, ListSetting, RULES, Rule, SECRET_REFERENCES, Scope, Target, TransformContext, TransformResult, findRule } from "./mapping";

type TransformRun = (value: unknown, ctx: TransformContext) => TransformResult;
import { withoutSecrets } from "../config/secrets";
import { EnvironmentValues } from "./tree";
import { Finding, Origin, formatOrigin } from "./types";
import { canonical, leaves } from "./values";

/** One value of the customer file being drafted, with the keys of the tree it came from. */
export interface MappedValue {
  path: string[];
  value: unknown;
  origins: Origin[];
}

export interface EnvironmentDraft {
  environment: string;
  /** Environment settings, one per leaf (lists whole), keyed by their JSON path. */
  settings: Map<string, MappedValue>;
  /** Identity keys found in this environment's values (fitConnectCode). */
  identity: Map<string, MappedValue>;
  unmapped: Finding[];
  secrets: Finding[];
  notes: string[];
}

export interface MapContext {
  customer: string;
  /** Services the defaults declare, in the defaults' order. */
  defaultServices: string[];
  /** The DNS zones the defaults declare (`dns.zones`), by name. */
  zones: { name: string }[];
  byCode: (fitConnectCode: string) => KnownCustomer | undefined;
}

/** Files whose every free-form value is treated as a secret: only known settings are read from them. */
const SECRETS_FILE = /secret/i;

class Collector {
  readonly settings = new Map<string, MappedValue>();
  readonly identity = new Map<string, MappedValue>();
  readonly lists = new Map<ListSetting, { items: Set<string>; origins: Origin[] }>();
  readonly unmapped: Finding[] = [];
  readonly secrets: Finding[] = [];

  /** Records a value; a second, different value for the same key is reported, the first kept. */
  record(into: Map<string, MappedValue>, key: string[], value: unknown, origin: Origin): void {
    const id = JSON.stringify(key);
    const existing = into.get(id);
    if (!existing) into.set(id, { path: key, value, origins: [origin] });
    else if (canonical(existing.value) !== canonical(value)) {
      this.unmapped.push({ ...origin, reason: `differs from ${formatOrigin(existing.origins[0])}, whose value was kept` });
    } else if (!existing.origins.some((o) => o.file === origin.file && o.path === origin.path)) existing.origins.push(origin);
  }

  list(setting: ListSetting, items: string[], origin: Origin): void {
    if (items.length === 0) return;
    const entry = this.lists.get(setting) ?? { items: new Set<string>(), origins: [] };
    items.forEach((i) => entry.items.add(i));
    entry.origins.push(origin);
    this.lists.set(setting, entry);
  }
}

/**
 * A host more than one label below its zone (the seed's `staging.kch.fitfile.net`) gets no
 * edge certificate from Cloudflare's Universal SSL while proxied, so the environment is imported
 * DNS-only (`dns.proxied: false`), the way it could only have been served.
 */
function keepDeepHostsDnsOnly(c: Collector, zones: { name: string }[]): void {
  for (const key of [["domain"], ["extraHosts"]]) {
    const mapped = c.settings.get(JSON.stringify(key));
    const hosts = [mapped?.value].flat().filter((h): h is string => typeof h === "string");
    if (mapped && hosts.some((host) => beyondUniversalSsl(host, zones))) c.record(c.settings, ["dns", "proxied"], false, mapped.origins[0]);
  }
}

/**
 * Maps one environment's Helm values through the mapping table: each value (secrets removed
 * first) lands in a setting, or in the unmapped or secrets findings with its file and key path.
 */
export function mapEnvironment(env: EnvironmentValues, ctx: MapContext): EnvironmentDraft {
  const c = new Collector();
  const services = [...new Set([...ctx.defaultServices, ...(env.applicationSet?.services ?? [])])];

  /** Transforms read other settings of the environment: they run once every value was seen, in table order. */
  const transforms: { order: number; run: TransformRun; value: unknown; origin: Origin }[] = [];
  const apply = (rule: Rule, rest: string[], value: unknown, origin: Origin, service?: string): void => {
    const target: Target = rule.to;
    switch (target.kind) {
      case "setting":
        if (target.freeForm && SECRETS_FILE.test(path.basename(origin.file))) {
          c.secrets.push({ ...origin, reason: "in a secrets file, whose values are all treated as secrets" });
        } else if (typeof value === "string" && value.includes("{{")) {
          c.unmapped.push({ ...origin, reason: "a template expression: set the value by hand" });
        } else {
          c.record(c.settings, [...target.path.replace("{svc}", service ?? "").split("."), ...rest], value, origin);
        }
        return;
      case "identity":
        if (typeof value === "string") c.record(c.identity, [target.key], value, origin);
        else c.unmapped.push({ ...origin, reason: "expected a string" });
        return;
      case "transform":
        if (rest.length > 0) c.unmapped.push({ ...origin, reason: `expected a list or a single value at ${rule.from}` });
        else transforms.push({ order: RULES.indexOf(rule), run: target.apply, value, origin });
        return;
      case "unmapped":
        c.unmapped.push({ ...origin, reason: target.why });
        return;
      case "consumed":
        return;
    }
  };

  const mapTree = (tree: Record<string, unknown>, fileOf: (p: string[]) => string, scope: Scope, service?: string): void => {
    const { value, removed } = withoutSecrets(tree, (p) => SECRET_REFERENCES.some((r) => r === p.join(".")));
    for (const p of removed) c.secrets.push({ file: fileOf(p), path: joinPath(...p), reason: "a secret by its key or value" });
    for (const [p, v] of leaves(value)) {
      const origin = { file: fileOf(p), path: joinPath(...p) };
      const direct = findRule(scope, p);
      if (direct) {
        apply(direct.rule, p.slice(direct.consumed), v, origin);
        continue;
      }
      const svc = scope === "values" ? (service ?? (services.includes(p[0]) ? p[0] : undefined)) : undefined;
      const relative = service ? p : p.slice(1);
      const inService = svc ? findRule("service", relative) : undefined;
      if (svc && inService) apply(inService.rule, relative.slice(inService.consumed), v, origin, svc);
      else c.unmapped.push({ ...origin, reason: scope === "applicationSet" ? "not imported: no ffnodes setting for this ApplicationSet key" : "no ffnodes setting for this key" });
    }
  };

  for (const source of env.sources) {
    const fallback = { file: source.files[0] ?? "", prefix: "" };
    mapTree(source.merged.value, (p) => sourceOf(source.merged.provenance, p.join("."), fallback).file, "values", source.service);
  }
  const appSet = env.applicationSet;
  if (appSet) {
    mapTree(appSet.document, () => appSet.file, "applicationSet");
    const origin = { file: appSet.file, path: "spec.generators" };
    for (const svc of ctx.defaultServices.filter((s) => !appSet.services.includes(s))) c.record(c.settings, ["services", svc, "enabled"], false, origin);
    for (const svc of appSet.services.filter((s) => !ctx.defaultServices.includes(s))) {
      c.record(c.settings, ["services", svc, "enabled"], true, origin);
      for (const part of ["appConfig", "infraConfig"]) {
        if (![...c.settings.values()].some((m) => m.path[1] === svc && m.path[2] === part)) c.record(c.settings, ["services", svc, part], {}, origin);
      }
    }
  }
  const transformContext = {
    customer: ctx.customer,
    environment: env.environment,
    byCode: ctx.byCode,
    setting: (p: string) => c.settings.get(JSON.stringify(p.split(".")))?.value,
  };
  for (const { run, value, origin } of transforms.sort((a, b) => a.order - b.order)) {
    const result = run(value, transformContext);
    for (const s of result.settings ?? []) c.record(c.settings, s.path.split("."), s.value, origin);
    for (const { setting, items } of result.lists) c.list(setting, items, origin);
    for (const u of result.unmapped) c.unmapped.push({ file: origin.file, path: joinPath(origin.path, ...u.path), reason: u.reason });
  }
  for (const [setting, { items, origins }] of [...c.lists.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const keys = setting.split(".");
    c.settings.set(JSON.stringify(keys), { path: keys, value: [...items].sort(), origins });
  }
  keepDeepHostsDnsOnly(c, ctx.zones);
  return { environment: env.environment, settings: c.settings, identity: c.identity, unmapped: c.unmapped, secrets: c.secrets, notes: env.notes };
}
