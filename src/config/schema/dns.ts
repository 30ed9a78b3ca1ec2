import { isIP } from "node:net";
import { z } from "zod";
import { HOSTNAME, MAX_LABEL_LENGTH, editDistance } from "../names";
import { dnsLabel } from "./common";

const MAX_NAME_LENGTH = 253;
const MIN_TTL = 60;
const MAX_TTL = 86400;
/** Let's Encrypt's limit on names in one certificate (an ACME ClusterIssuer's). */
const MAX_CERTIFICATE_NAMES = 100;
/** The days Cloudflare's Origin CA issues certificates for. */
const ORIGIN_CA_VALIDITY_DAYS = [7, 30, 90, 365, 730, 1095, 5475] as const;

/**
 * What is wrong with a host name, in words a user can act on; undefined when it is valid. A
 * wildcard, where allowed, is a whole first label (`*.app.fitfile.net`).
 */
function hostProblem(host: string, wildcard: "allowed" | "forbidden"): string | undefined {
  const problem = nameProblem(host, wildcard);
  return problem && `${problem}; expected a lower-case DNS name such as app.fitfile.net`;
}

function nameProblem(host: string, wildcard: "allowed" | "forbidden"): string | undefined {
  if (host.endsWith(".")) return `'${host}' ends with a dot: write '${host.replace(/\.+$/, "")}' (no trailing dot)`;
  if (host !== host.toLowerCase()) return `'${host}' has upper-case letters: write '${host.toLowerCase()}'`;
  if (host.length > MAX_NAME_LENGTH) return `'${host.slice(0, 40)}…' is ${host.length} characters; a DNS name has at most ${MAX_NAME_LENGTH}`;
  if (host.includes("_")) return `'${host}' has an underscore: host names allow only letters, digits, '-' and '.'`;
  const isWildcard = host.startsWith("*.");
  if (isWildcard && wildcard === "forbidden") {
    return `'${host}' is a wildcard: no wildcard here, this is one host (a wildcard '*.<domain>' belongs in extraHosts)`;
  }
  const name = isWildcard ? host.slice(2) : host;
  if (name.includes("*")) return `'${host}' has a '*' that is not the whole first label; only '*.<name>' is a wildcard`;
  const long = name.split(".").find((label) => label.length > MAX_LABEL_LENGTH);
  if (long) return `label '${long.slice(0, 20)}…' of '${host}' is ${long.length} characters; a label has at most ${MAX_LABEL_LENGTH}`;
  if (!HOSTNAME.test(name)) {
    return `'${host}' is not a DNS name: two or more labels of letters, digits and '-', each starting and ending with a letter or digit`;
  }
  return undefined;
}

function hostSchema(wildcard: "allowed" | "forbidden") {
  return z
    .string()
    .superRefine((host, ctx) => {
      const problem = hostProblem(host, wildcard);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .meta({ description: wildcard === "allowed" ? "a host name such as app.fitfile.net, or a wildcard *.<domain>" : "a host name such as app.fitfile.net" });
}

/** One host, never a wildcard: a primary domain, a zone, a CNAME target. */
export const host = hostSchema("forbidden");
/** A host or a wildcard `*.<name>`. */
export const hostOrWildcard = hostSchema("allowed");

/** Cloudflare's ids of zones and records: 32 lower-case hexadecimal characters. */
export const CLOUDFLARE_ID = /^[0-9a-f]{32}$/;

/** The record type a target needs: A for IPv4, AAAA for IPv6, CNAME for a host name. */
export function recordType(target: string): "A" | "AAAA" | "CNAME" {
  const version = isIP(target);
  return version === 4 ? "A" : version === 6 ? "AAAA" : "CNAME";
}

const target = z
  .string()
  .superRefine((value, ctx) => {
    if (recordType(value) !== "CNAME") return;
    const problem = hostProblem(value, "forbidden");
    if (problem) ctx.addIssue({ code: "custom", message: `an IPv4 or IPv6 address or a host name: ${problem}` });
  })
  .meta({ description: "the ingress controller's public address: a host name such as ingress.fitfile.net, or an IPv4 or IPv6 address" });

const zone = z.strictObject({
  /** The zone's name, e.g. fitfile.net. */
  name: host,
  /** The zone's id, when the Cloudflare token may not list zones; otherwise it is looked up by name. */
  id: z
    .string()
    .regex(CLOUDFLARE_ID, "a Cloudflare zone id: 32 lower-case hexadecimal characters")
    .optional(),
});

const dns = z
  .strictObject({
    /** Off for local clusters: no Cloudflare records are created. */
    enabled: z.boolean(),
    /** Cloudflare zones the environment's hosts may be in; each host goes to the longest zone it is inside. */
    zones: z.array(zone).min(1, "at least one zone, such as { name: fitfile.net }"),
    /** The cluster's ingress: a host name (CNAME records) or an IPv4 (A) or IPv6 (AAAA) address. */
    target,
    /** Traffic through Cloudflare's proxy. */
    proxied: z.boolean(),
    /**
     * The zone has Advanced Certificate Manager (with Total TLS, or an advanced certificate for
     * the hosts), so Cloudflare's edge can serve proxied hosts deeper than its first-level
     * subdomains, which Universal SSL alone does not cover.
     */
    advancedCertificateManager: z.boolean(),
    /**
     * Seconds; 1 means automatic, the only value Cloudflare accepts for a proxied record. The
     * provider's schema (terraform-provider-cloudflare dns_record): 60 to 86400, 30 only on
     * Enterprise zones, which ffnodes does not assume.
     */
    ttl: z
      .int("a whole number of seconds")
      .refine((ttl) => ttl === 1 || (ttl >= MIN_TTL && ttl <= MAX_TTL), `1 (automatic), or ${MIN_TTL} to ${MAX_TTL} seconds`),
    /** Keep the records in Cloudflare when the stack deletes them. */
    retainOnDelete: z.boolean(),
  })
  .superRefine((value, ctx) => {
    if (value.proxied && value.ttl !== 1) {
      ctx.addIssue({
        code: "custom",
        path: ["ttl"],
        message: `must be 1 (automatic) while proxied is true: Cloudflare sets the TTL of proxied records itself (got ${value.ttl})`,
      });
    }
  });

const certificates = z.strictObject({
  /**
   * cluster-issuer: a cert-manager Certificate from `clusterIssuer`; self-signed: a Certificate
   * from a self-signed Issuer in the namespace (local clusters); origin-ca: a Cloudflare Origin
   * CA certificate, for hosts behind Cloudflare's proxy only.
   */
  mode: z.enum(["cluster-issuer", "self-signed", "origin-ca"]),
  /** The kubernetes.io/tls Secret the ingresses read. */
  secretName: dnsLabel,
  /** The cluster's ClusterIssuer (a Cloudflare DNS-01 ACME issuer by default). */
  clusterIssuer: dnsLabel,
  originCa: z.strictObject({
    requestType: z.enum(["origin-rsa", "origin-ecc"]),
    validityDays: z.literal(ORIGIN_CA_VALIDITY_DAYS, `one of ${ORIGIN_CA_VALIDITY_DAYS.join(", ")}`),
  }),
});

/** DNS records and certificates for the environment's hosts. */
export const dnsSettings = { dns, certificates };

type DnsSettings = z.infer<typeof dns>;
type CertificateSettings = z.infer<typeof certificates>;

/**
 * How many labels a host has below its zone's apex: 0 for the apex, 1 for `www.<zone>` and
 * `*.<zone>`, 2 for `staging.kch.<zone>`.
 */
function depthBelowZone(hostName: string, zoneName: string): number {
  return hostName.split(".").length - zoneName.split(".").length;
}

/**
 * The zone and depth of a host more than one label below the zone it belongs to: a name that
 * Cloudflare's Universal SSL, which covers a zone's apex and first-level subdomains only
 * (developers.cloudflare.com/ssl/edge-certificates/universal-ssl/limitations/), serves no edge
 * certificate for. Undefined for a shallower host, or one in none of the zones.
 */
export function beyondUniversalSsl<Z extends { name: string }>(hostName: string, zones: Z[]): { zone: Z; depth: number } | undefined {
  const zone = zoneOf(hostName, zones);
  const depth = zone && depthBelowZone(hostName, zone.name);
  return zone && depth !== undefined && depth > 1 ? { zone, depth } : undefined;
}

/**
 * A first-level name for a deeper host, its labels below the zone joined by '-':
 * `staging.kch.fitfile.net` becomes `staging-kch.fitfile.net`.
 */
function firstLevelName(hostName: string, zoneName: string): string {
  const below = hostName.slice(0, -(zoneName.length + 1));
  return `${below.replace(/\./g, "-")}.${zoneName}`;
}

/**
 * The valid host nearest to one outside every zone: some of its first labels kept in front of a
 * zone (`app.example.com` → `app.fitfile.net`), the closest spelling of all, made first-level
 * where only first-level hosts are served. Undefined when none is a valid host.
 */
function nearestHostInZones(hostName: string, zones: { name: string }[], firstLevelOnly: boolean): string | undefined {
  const wildcard = hostName.startsWith("*.") ? "*." : "";
  const labels = hostName.slice(wildcard.length).split(".");
  const candidates = zones.flatMap((zone) =>
    labels.flatMap((_, kept) => {
      // A host that holds the zone already (h.fitfile.net.evil.com) is nearest cut there, not repeating it.
      if (kept > 0 && zoneOf(labels.slice(0, kept).join("."), [zone])) return [];
      const name = `${wildcard}${[...labels.slice(0, kept), zone.name].join(".")}`;
      if (!firstLevelOnly || depthBelowZone(name, zone.name) <= 1) return [name];
      // A deeper wildcard has no first-level form.
      return wildcard ? [] : [firstLevelName(name, zone.name)];
    }),
  );
  const valid = candidates.filter((candidate) => hostProblem(candidate, "allowed") === undefined);
  // Of equally near names, the first: the one keeping fewer of the host's labels, in the first zone.
  return valid.reduce<string | undefined>((best, c) => (best === undefined || editDistance(c, hostName) < editDistance(best, hostName) ? c : best), undefined);
}

/** The zone a host belongs to: the longest configured zone it equals or is inside. */
export function zoneOf<Z extends { name: string }>(hostName: string, zones: Z[]): Z | undefined {
  const name = hostName.replace(/^\*\./, "");
  return zones
    .filter((z) => name === z.name || name.endsWith(`.${z.name}`))
    .sort((a, b) => b.name.length - a.name.length)[0];
}

interface HostSettings {
  domain: string;
  extraHosts: string[];
  dns: DnsSettings;
  certificates: CertificateSettings;
}

/**
 * Checks across the hosts and the DNS settings: every host inside a configured zone (when
 * Cloudflare is used), wildcards only under the primary domain, the CNAME target not one of the
 * hosts, Origin CA only behind the proxy, and no more names than a certificate holds. Hosts that are invalid on their own were
 * already reported and are skipped.
 */
export function checkHosts(settings: HostSettings, ctx: z.RefinementCtx): void {
  const usesCloudflare = settings.dns.enabled || settings.certificates.mode === "origin-ca";
  const zoneNames = settings.dns.zones.map((z) => z.name).join(", ");
  const entries: [string, (string | number)[], "allowed" | "forbidden"][] = [
    [settings.domain, ["domain"], "forbidden"],
    ...settings.extraHosts.map((h, i): [string, (string | number)[], "allowed"] => [h, ["extraHosts", i], "allowed"]),
  ];
  // A proxied host that Universal SSL does not cover gets no edge certificate: browsers fail the TLS handshake.
  const edgeCoversFirstLevelOnly = settings.dns.enabled && settings.dns.proxied && !settings.dns.advancedCertificateManager;
  for (const [name, path, wildcard] of entries) {
    if (hostProblem(name, wildcard)) continue;
    if (usesCloudflare && settings.dns.zones.length > 0 && !zoneOf(name, settings.dns.zones)) {
      const nearest = nearestHostInZones(name, settings.dns.zones, edgeCoversFirstLevelOnly);
      ctx.addIssue({
        code: "custom",
        path,
        message: `'${name}' is not inside a configured zone (dns.zones: ${zoneNames}): use a host inside one${nearest ? `, such as '${nearest}'` : ""}, or add its zone to dns.zones`,
      });
    }
    const deep = edgeCoversFirstLevelOnly ? beyondUniversalSsl(name, settings.dns.zones) : undefined;
    if (deep) {
      const instead = name.startsWith("*.") ? "" : ` such as '${firstLevelName(name, deep.zone.name)}'`;
      ctx.addIssue({
        code: "custom",
        path,
        message: `'${name}' is ${deep.depth} levels below zone '${deep.zone.name}': Cloudflare's Universal SSL covers a proxied zone's first-level subdomains only, so browsers would fail the TLS handshake; use a first-level name${instead}, set dns.proxied: false, or dns.advancedCertificateManager: true if the zone has Advanced Certificate Manager`,
      });
    }
    if (name.startsWith("*.") && name !== `*.${settings.domain}`) {
      ctx.addIssue({ code: "custom", path, message: `wildcard '${name}' is only allowed as '*.${settings.domain}', under the primary domain` });
    }
    if (settings.dns.enabled && name === settings.dns.target) {
      ctx.addIssue({ code: "custom", path, message: `'${name}' is the ingress (dns.target): a record for it would point at itself` });
    }
  }
  if (settings.certificates.mode === "origin-ca" && !(settings.dns.enabled && settings.dns.proxied)) {
    ctx.addIssue({
      code: "custom",
      path: ["certificates", "mode"],
      message: "origin-ca certificates are trusted only by Cloudflare's proxy: needs dns.enabled and dns.proxied true, or use cluster-issuer",
    });
  }
  const names = new Set(entries.map(([name]) => name)).size;
  if (settings.certificates.mode === "cluster-issuer" && names > MAX_CERTIFICATE_NAMES) {
    ctx.addIssue({ code: "custom", path: ["extraHosts"], message: `${names} hosts; one certificate holds at most ${MAX_CERTIFICATE_NAMES}` });
  }
}
