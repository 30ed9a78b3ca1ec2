// Reads and writes the local Cloudflare API double (e2e/tools/cloudflare-api) the way a person
// with the dashboard or the API would, so that scenarios assert on what Cloudflare holds, not on
// Pulumi's account of it.
import { environment } from "./hooks";
import { CLOUDFLARE_ZONES } from "../../e2e/env";

/** A DNS record as Cloudflare's API answers it (the fields the scenarios read). */
export interface ApiRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  proxied: boolean;
  ttl: number;
  comment: string | null;
}

/** One request the double answered, in the order it answered them. */
export interface LoggedRequest {
  method: string;
  path: string;
  query?: string;
  status: number;
}

/**
 * Calls Cloudflare's API on the double, with the read and write token unless another is given;
 * fails with Cloudflare's errors unless it succeeded.
 */
export async function cloudflare(method: string, apiPath: string, body?: unknown, token = environment().cloudflare.token): Promise<unknown> {
  const response = await fetch(`${environment().cloudflare.baseUrl}/${apiPath}`, {
    method,
    headers: { Authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const envelope = (await response.json()) as { success: boolean; result: unknown; errors: unknown };
  if (!envelope.success) throw new Error(`${method} ${apiPath}: ${response.status} ${JSON.stringify(envelope.errors)}`);
  return envelope.result;
}

/** Reads through Cloudflare's API with the read-only token; undefined for a 404 (gone, or never there). */
export async function cloudflareRead(apiPath: string): Promise<unknown> {
  const response = await fetch(`${environment().cloudflare.baseUrl}/${apiPath}`, { headers: { Authorization: `Bearer ${environment().cloudflare.readToken}` } });
  if (response.status === 404) return undefined;
  const envelope = (await response.json()) as { success: boolean; result: unknown; errors: unknown };
  if (!envelope.success) throw new Error(`GET ${apiPath}: ${response.status} ${JSON.stringify(envelope.errors)}`);
  return envelope.result;
}

/** The id of the zone of that name: exactly one, as Cloudflare's zone lookup must find. */
export async function zoneId(name: string): Promise<string> {
  const zones = (await cloudflareRead(`zones?name=${name}`)) as { id: string }[];
  if (zones.length !== 1) throw new Error(`zone ${name}: ${zones.length} zones`);
  return zones[0].id;
}

/** Every record of that exact name, in every zone the double serves, with its zone's name; read with the read-only token. */
export async function recordsNamed(host: string): Promise<(ApiRecord & { zone: string })[]> {
  const records: (ApiRecord & { zone: string })[] = [];
  for (const zone of CLOUDFLARE_ZONES) {
    const found = (await cloudflareRead(`zones/${await zoneId(zone)}/dns_records?name.exact=${host}&per_page=100`)) as ApiRecord[];
    records.push(...found.map((r) => ({ ...r, zone })));
  }
  return records;
}

async function doubleGet(path: string): Promise<Response> {
  const { baseUrl, readToken } = environment().cloudflare;
  const response = await fetch(`${new URL(baseUrl).origin}${path}`, { headers: { Authorization: `Bearer ${readToken}` } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return response;
}

/** What the double was asked since entry `from` of its log (0: since it started). */
export async function requestsSince(from: number): Promise<LoggedRequest[]> {
  return ((await (await doubleGet("/_double/requests")).json()) as LoggedRequest[]).slice(from);
}

/** The double's local CA, which signs its Origin CA certificates (PEM). */
export async function originCaPem(): Promise<string> {
  return (await doubleGet("/_double/origin-ca.pem")).text();
}
