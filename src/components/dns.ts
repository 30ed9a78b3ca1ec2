import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { dnsRecordName } from "../config/adopt";
import { EnvironmentConfig } from "../config/environment";
import { recordType, zoneOf } from "../config/schema/dns";
import { adoptedId } from "./safety";

/** Cloudflare's limit on a record comment (Free plan). */
const MAX_COMMENT_LENGTH = 100;

interface DnsRecordSpec {
  /** Logical name, also the key of the record's id in `ffnodes:adoptIds`: `dns-<host>`. */
  name: string;
  host: string;
  zone: { name: string; id?: string };
  /** The live record to adopt (`<zone id>/<record id>`), in adopt mode. */
  importId?: string;
  /** The record's arguments but its zone id, which may need a lookup. */
  args: { name: string; type: "A" | "AAAA" | "CNAME"; content: string; proxied: boolean; ttl: number; comment: string };
}

/** One record per host, in host order, each pointing at the ingress; none when DNS is off. */
export function buildDnsRecords(config: EnvironmentConfig): DnsRecordSpec[] {
  const { dns } = config.settings;
  if (!dns.enabled) return [];
  const comment = `ffnodes: customer ${config.customer.name} (${config.customer.displayName}), stack ${config.stack}`;
  return config.hosts.map((host) => {
    const zone = zoneOf(host, dns.zones);
    // The schema checked every host against the zones; this guards the invariant.
    if (!zone) throw new Error(`host ${host} is in none of the zones ${dns.zones.map((z) => z.name).join(", ")}`);
    const name = dnsRecordName(host);
    return {
      name,
      host,
      zone,
      importId: adoptedId(config.adopt, name),
      args: {
        name: host,
        type: recordType(dns.target),
        content: dns.target,
        proxied: dns.proxied,
        ttl: dns.ttl,
        comment: comment.slice(0, MAX_COMMENT_LENGTH),
      },
    };
  });
}

/** Cloudflare DNS records for every host of the environment, in the zones they belong to. */
export class DnsRecords extends pulumi.ComponentResource {
  /** Record ids by host. */
  readonly records: Record<string, pulumi.Output<string>> = {};

  constructor(name: string, config: EnvironmentConfig, opts?: pulumi.ComponentResourceOptions) {
    super("ffnodes:customer:DnsRecords", name, {}, opts);
    const zoneIds = new Map<string, pulumi.Output<string>>();
    const zoneId = (zone: DnsRecordSpec["zone"]): pulumi.Output<string> => {
      let id = zoneIds.get(zone.name);
      if (!id) {
        id = zone.id ? pulumi.output(zone.id) : cloudflare.getZoneOutput({ filter: { name: zone.name } }, { parent: this }).id;
        zoneIds.set(zone.name, id);
      }
      return id;
    };
    for (const record of buildDnsRecords(config)) {
      this.records[record.host] = new cloudflare.DnsRecord(
        record.name,
        { ...record.args, zoneId: zoneId(record.zone) },
        // A new zone id replaces the record (zone_id is RequiresReplace in terraform-provider-cloudflare's
        // dns_record schema): the old record goes first, so the host never has two.
        { parent: this, retainOnDelete: config.settings.dns.retainOnDelete, deleteBeforeReplace: true, import: record.importId },
      ).id;
    }
    this.registerOutputs({ records: this.records });
  }
}
