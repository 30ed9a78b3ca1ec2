// Finds the live Cloudflare record of every host of a stack in adopt mode, for `ffnodes:adoptIds`:
// each zone by name (or by the id dns.zones gives), each host's record by name and type. It never
// guesses: a host with no record, with two, or with a record of another type is a problem for a
// person to decide, and so is an id already set that Cloudflare contradicts.
import { ADOPT_CREATE, isRecordImportId, recordImportId } from "../config/adopt";
import { EnvironmentConfig, Origin } from "../config/environment";
import { Problem, joinPath } from "../config/problems";
import { buildDnsRecords } from "../components/dns";
import { CloudflareReader, CloudflareRecord, CloudflareZone } from "../cloudflare/reader";

/** The record types that answer for a host's address: a host has a CNAME, or A and AAAA records. */
const ADDRESS_TYPES = ["A", "AAAA", "CNAME"];

/** What ffnodes declares for one host's record: the part of DnsRecordSpec a live record is checked against. */
export interface DeclaredRecord {
  key: string;
  host: string;
  type: string;
  content: string;
  proxied: boolean;
  ttl: number;
}

/** The finding for one host: the id to write, or the problem a person must decide; notes either way. */
export type HostFinding = { key: string; id: string; notes: string[] } | { key: string; problem: string };

const describe = (r: CloudflareRecord) => `${r.type} ${r.id} → ${r.content}`;

/**
 * Decides one host from its live records of every type and the id `ffnodes:adoptIds` holds now.
 * Pure: the whole policy of what may be written is here.
 */
export function decideHost(declared: DeclaredRecord, zone: CloudflareZone, live: CloudflareRecord[], current: string | undefined): HostFinding {
  const { key, host, type } = declared;
  const named = live.filter((r) => r.name.toLowerCase() === host);
  const same = named.filter((r) => r.type === type);
  const clashing = named.filter((r) => r.type !== type && ADDRESS_TYPES.includes(r.type));
  const where = `in zone ${zone.name}`;
  if (same.length > 1) {
    return { key, problem: `Cloudflare has ${same.length} ${type} records of ${host} ${where} (${same.map(describe).join("; ")}): ffnodes manages one record per host; delete the extra ones in Cloudflare, then run adopt-ids again` };
  }
  if (same.length === 0 && clashing.length > 0) {
    return {
      key,
      problem: `Cloudflare has ${clashing.map(describe).join("; ")} for ${host} ${where}, and ffnodes declares a ${type} record → ${declared.content} (dns.target): an import would replace it; set dns.target to what the live record points at, or delete the live record in Cloudflare and set ${ADOPT_CREATE}`,
    };
  }
  if (same.length === 0) {
    if (current === ADOPT_CREATE) return { key, id: ADOPT_CREATE, notes: [`${host}: no record ${where}; the adopting up creates it, as ffnodes:adoptIds says`] };
    return { key, problem: `Cloudflare has no record of ${host} ${where}: if the host is new, set ${ADOPT_CREATE} to make its record in the adopting up; otherwise check dns.zones and the host's spelling` };
  }
  const record = same[0];
  const id = recordImportId(zone.id, record.id);
  if (current === ADOPT_CREATE) {
    return { key, problem: `is ${ADOPT_CREATE}, but Cloudflare has the ${describe(record)} record of ${host} ${where}: creating another fails; remove ${ADOPT_CREATE} to adopt it, or delete the live record first` };
  }
  if (isRecordImportId(current) && current !== id) {
    return { key, problem: `is '${current}', but the ${type} record of ${host} is '${id}' ${where}: remove the entry and run adopt-ids again to take Cloudflare's, or correct it` };
  }
  const notes: string[] = [];
  if (record.content.toLowerCase() !== declared.content.toLowerCase()) notes.push(`${host}: the adopting up changes its content from ${record.content} to ${declared.content} (dns.target)`);
  if (record.proxied !== declared.proxied) notes.push(`${host}: the adopting up turns Cloudflare's proxy ${declared.proxied ? "on" : "off"} (dns.proxied)`);
  if (record.ttl !== declared.ttl && !declared.proxied) notes.push(`${host}: the adopting up changes its ttl from ${record.ttl} to ${declared.ttl} (dns.ttl)`);
  return { key, id, notes };
}

export interface FoundIds {
  /** Every DNS record key of the stack and its value for `ffnodes:adoptIds`, when no problem was found. */
  ids: Record<string, string>;
  problems: Problem[];
  notes: string[];
}

/**
 * Looks up every zone the stack's hosts are in, then each host's records, and decides each host.
 * `progress` gets a line per zone and per host as it goes.
 */
export async function findRecordIds(
  config: EnvironmentConfig,
  stackFile: string,
  current: Record<string, string>,
  zonesOrigin: Origin,
  reader: CloudflareReader,
  progress: (line: string) => void,
): Promise<FoundIds> {
  const specs = buildDnsRecords(config);
  const problems: Problem[] = [];
  const notes: string[] = [];
  const ids: Record<string, string> = {};
  const zonesAt = (index: number) => joinPath(zonesOrigin.path, index);
  const zoneIds = new Map<string, CloudflareZone | undefined>();
  for (const spec of specs) {
    const { zone } = spec;
    if (!zoneIds.has(zone.name)) {
      const index = config.settings.dns.zones.findIndex((z) => z.name === zone.name);
      const { found, problem } = await findZone(reader, zone);
      if (problem) problems.push({ file: zonesOrigin.file, path: zonesAt(index), message: problem });
      else progress(`zone ${zone.name}: ${found!.id}${zone.id ? " (dns.zones' id, checked)" : " (looked up by name)"}`);
      zoneIds.set(zone.name, found);
    }
    const found = zoneIds.get(zone.name);
    if (!found) continue;
    const declared: DeclaredRecord = { key: spec.name, host: spec.host, ...spec.args };
    const finding = decideHost(declared, found, await reader.recordsNamed(found.id, spec.host), current[spec.name]);
    if ("problem" in finding) {
      problems.push({ file: stackFile, path: joinPath("config.ffnodes:adoptIds", finding.key), message: finding.problem });
      progress(`${spec.host}: needs a decision (below)`);
    } else {
      ids[finding.key] = finding.id;
      notes.push(...finding.notes);
      progress(`${spec.host}: ${finding.id === ADOPT_CREATE ? ADOPT_CREATE : `${spec.args.type} record ${finding.id}`}`);
    }
  }
  return { ids, problems, notes };
}

/** The zone of a name: by the id dns.zones gives (checked to be that zone), else by name, exactly one. */
async function findZone(reader: CloudflareReader, zone: { name: string; id?: string }): Promise<{ found?: CloudflareZone; problem?: string }> {
  if (zone.id) {
    const found = await reader.zone(zone.id);
    if (!found) return { problem: `zone ${zone.name}: Cloudflare has no zone ${zone.id} that the token can read: correct the id, or leave it out to look the zone up by name` };
    if (found.name !== zone.name) return { problem: `zone ${zone.name}: id ${zone.id} is Cloudflare's zone ${found.name}: correct the id, or leave it out to look the zone up by name` };
    return { found };
  }
  const named = (await reader.zonesNamed(zone.name)).filter((z) => z.name === zone.name);
  if (named.length === 0) return { problem: `zone ${zone.name}: no zone of this name in the accounts the token can read: check the name, or give the token Zone → Zone → Read on it` };
  if (named.length > 1) return { problem: `zone ${zone.name}: ${named.length} zones of this name (${named.map((z) => `${z.id}, ${z.status}`).join("; ")}): give the right one as this zone's id` };
  return { found: named[0] };
}
