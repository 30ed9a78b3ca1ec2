// A read-only client of Cloudflare's API v4: the zones and DNS records migration looks up. It has
// no method that changes anything, so a command built on it cannot change Cloudflare, whatever
// the token may do. The token never appears in a message.
import { CliError, EXIT_CLOUDFLARE } from "../errors";

export const DEFAULT_BASE_URL = "https://api.cloudflare.com/client/v4";

/** What migration reads of a zone (Cloudflare's zones.Zone). */
export interface CloudflareZone {
  id: string;
  name: string;
  status: string;
}

/** What migration reads of a DNS record (Cloudflare's dns.RecordResponse). */
export interface CloudflareRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  proxied: boolean;
  ttl: number;
}

interface Envelope {
  success: boolean;
  errors: { code: number; message: string; error_chain?: { code: number; message: string }[] }[];
  result: unknown;
  result_info?: { page: number; per_page: number; total_pages?: number; count?: number };
}

export interface ReaderOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Per request; a request that takes longer is a network failure. */
  timeoutMs?: number;
  /** How often a 429 or 5xx answer, or a failed connection, is tried again, and how long to wait first. */
  retries?: number;
  retryDelayMs?: number;
}

/**
 * The base URL, checked: http(s) only, and plain http only on this machine (a token sent in the
 * clear anywhere else could be read on the way).
 */
export function checkBaseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`CLOUDFLARE_BASE_URL '${text}' is not a URL; leave it unset for ${DEFAULT_BASE_URL}`, EXIT_CLOUDFLARE);
  }
  const loopback = ["127.0.0.1", "[::1]", "localhost"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new CliError(`CLOUDFLARE_BASE_URL '${text}' must be https (plain http only to this machine: the token would cross the network in the clear)`, EXIT_CLOUDFLARE);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new CliError(`CLOUDFLARE_BASE_URL '${url.origin}${url.pathname}': give the API's base URL alone, without credentials, query or fragment`, EXIT_CLOUDFLARE);
  }
  return url;
}

function describeErrors(envelope: Envelope): string {
  return envelope.errors
    .map((e) => [e, ...(e.error_chain ?? [])].map((x) => `${x.code} ${x.message}`).join(": "))
    .join("; ");
}

function isEnvelope(value: unknown): value is Envelope {
  const v = value as Envelope | null;
  return typeof v === "object" && v !== null && typeof v.success === "boolean" && Array.isArray(v.errors) && "result" in v;
}

export class CloudflareReader {
  private readonly base: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ReaderOptions) {
    this.base = checkBaseUrl(options.baseUrl).href.replace(/\/+$/, "");
    if (!/^[\x21-\x7e]+$/.test(options.token)) {
      throw new CliError("CLOUDFLARE_API_TOKEN holds spaces or characters no Cloudflare token has: copy the token again", EXIT_CLOUDFLARE);
    }
    this.fetch = options.fetch ?? fetch;
  }

  /** Zones of the given name in the accounts the token reaches (`GET zones?name=`). */
  async zonesNamed(name: string): Promise<CloudflareZone[]> {
    return this.all<CloudflareZone>("zones", { name }, `zone ${name}`, 50);
  }

  /** A zone by id (`GET zones/{id}`); undefined when Cloudflare has none such. */
  async zone(id: string): Promise<CloudflareZone | undefined> {
    const envelope = await this.get(`zones/${encodeURIComponent(id)}`, {}, `zone ${id}`);
    return envelope?.result as CloudflareZone | undefined;
  }

  /** Every record of a name in a zone, of any type (`GET zones/{id}/dns_records?name.exact=`). */
  async recordsNamed(zoneId: string, name: string): Promise<CloudflareRecord[]> {
    return this.all<CloudflareRecord>(`zones/${encodeURIComponent(zoneId)}/dns_records`, { "name.exact": name }, `the records of ${name}`, 100);
  }

  /** Every page of a list. */
  private async all<T>(path: string, query: Record<string, string>, what: string, perPage: number): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; ; page++) {
      const envelope = await this.get(path, { ...query, page: String(page), per_page: String(perPage) }, what);
      if (!envelope) throw new CliError(`the Cloudflare API at ${this.base} has no ${path.split("/").pop()} endpoint to list ${what} (404): is CLOUDFLARE_BASE_URL the API's base URL?`, EXIT_CLOUDFLARE);
      if (!Array.isArray(envelope.result)) throw new CliError(`the Cloudflare API at ${this.base} answered a list of ${what} with no list: is CLOUDFLARE_BASE_URL the API's base URL?`, EXIT_CLOUDFLARE);
      items.push(...(envelope.result as T[]));
      const info = envelope.result_info;
      const last = info?.total_pages !== undefined ? page >= info.total_pages : envelope.result.length < perPage;
      if (last || envelope.result.length === 0) return items;
    }
  }

  /** One GET; undefined for a 404; a CliError naming what was asked for every other failure. */
  private async get(path: string, query: Record<string, string>, what: string): Promise<Envelope | undefined> {
    const url = `${this.base}/${path}${Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : ""}`;
    const retries = this.options.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const again = async (): Promise<boolean> => {
        if (attempt >= retries) return false;
        await new Promise((resolve) => setTimeout(resolve, (this.options.retryDelayMs ?? 1000) * 2 ** attempt));
        return true;
      };
      let response: Response;
      try {
        response = await this.fetch(url, {
          method: "GET",
          headers: { Authorization: `Bearer ${this.options.token}`, Accept: "application/json" },
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
          redirect: "error",
        });
      } catch (error) {
        if (await again()) continue;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const why = (error as Error).name === "TimeoutError" ? `no answer within ${(this.options.timeoutMs ?? 30_000) / 1000}s` : (cause?.code ?? cause?.message ?? (error as Error).message);
        throw new CliError(`cannot reach the Cloudflare API at ${this.base} reading ${what} (${why}); check the network and CLOUDFLARE_BASE_URL`, EXIT_CLOUDFLARE);
      }
      const text = await response.text();
      let body: unknown;
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = undefined;
      }
      if ((response.status === 429 || response.status >= 500) && (await again())) continue;
      if (!isEnvelope(body)) {
        throw new CliError(`the Cloudflare API at ${this.base} answered ${response.status} without Cloudflare's response envelope reading ${what}: is CLOUDFLARE_BASE_URL the API's base URL?`, EXIT_CLOUDFLARE);
      }
      if (response.status === 404) return undefined;
      const codes = body.errors.flatMap((e) => [e.code, ...(e.error_chain ?? []).map((c) => c.code)]);
      if (codes.includes(9109) || codes.includes(6111) || codes.includes(6003) || response.status === 401) {
        throw new CliError(`the Cloudflare API refused the token in CLOUDFLARE_API_TOKEN (${response.status}: ${describeErrors(body)}): set a valid API token with Zone → Zone → Read and Zone → DNS → Read on the customer's zones`, EXIT_CLOUDFLARE);
      }
      if (response.status === 403) {
        throw new CliError(`the token in CLOUDFLARE_API_TOKEN may not read ${what} (403: ${describeErrors(body)}): it needs Zone → Zone → Read and Zone → DNS → Read on the customer's zones`, EXIT_CLOUDFLARE);
      }
      if (!response.ok || !body.success) {
        throw new CliError(`the Cloudflare API answered ${response.status} reading ${what}: ${describeErrors(body) || "no error given"}`, EXIT_CLOUDFLARE);
      }
      return body;
    }
  }
}
