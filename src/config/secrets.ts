/**
 * The one secret detector: `import-helm` strips what it finds from the trees it copies, and the
 * configuration loader refuses any customer or stack setting it finds (secrets live in Vault).
 */
import { isPlainObject } from "./merge";

/** What `plan` prints in place of any secret value. */
export const SECRET_PLACEHOLDER = "[secret]";

/** Words that make a key hold a secret wherever they appear in its name. */
const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "passphrase",
  "pwd",
  "pw",
  "pass",
  "secret",
  "secrets",
  "token",
  "tokens",
  "credential",
  "credentials",
  "creds",
  "apikey",
  "privatekey",
  "dsn",
  "salt",
  "authorization",
  "webhook",
]);

/** Words that are secrets at the end of a run-together name too: PGPASSWORD, DBPASSWORD, GITLABTOKEN. */
const SECRET_SUFFIXES = ["password", "passwd", "passphrase", "secret", "token", "apikey"];

/** Words that turn a following `key` into a secret: apiKey, private_key, hmacKey, sessionKey, tls.key... */
const KEY_QUALIFIERS = new Set(["api", "private", "access", "secret", "signing", "encryption", "master", "ssh", "tls", "client", "hmac", "session", "jwt", "cookie"]);

/**
 * Last words of names that refer to a secret held elsewhere rather than hold one (secretName,
 * tokenTtl, ...). Their values are names, paths or settings and are safe to copy.
 */
const REFERENCE_WORDS = new Set(["name", "names", "namespace", "ref", "path", "enabled", "ttl", "seconds", "mount", "file", "role", "length", "type"]);

/** `existingSecret`, `existingClaim`, `existingSecretPasswordKey` name an object or one of its keys; `existingPassword` holds one. */
const EXISTING_REFERENCES = new Set(["secret", "secrets", "claim", "key"]);

/** camelCase, snake_case, kebab-case and dotted names split into lower-case words. */
function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

/** Keys already judged: a fleet's files repeat the same few hundred keys in every stack. */
const judgedKeys = new Map<string, boolean>();

/** Whether a values key names a secret (password, token, API key, credentials, ...). */
export function isSecretKey(key: string): boolean {
  let secret = judgedKeys.get(key);
  if (secret === undefined) {
    secret = namesSecret(keyWords(key));
    judgedKeys.set(key, secret);
  }
  return secret;
}

function namesSecret(words: string[]): boolean {
  if (words.length === 0) return false;
  const last = words[words.length - 1];
  if (REFERENCE_WORDS.has(last) || (words[0] === "existing" && EXISTING_REFERENCES.has(last))) return false;
  if (words.some((w) => SECRET_WORDS.has(w) || SECRET_SUFFIXES.some((suffix) => w.endsWith(suffix)))) return true;
  return words.some((w, i) => w === "key" && (words.length === 1 || KEY_QUALIFIERS.has(words[i - 1] ?? "")));
}

/** `scheme://` (JDBC's `jdbc:postgresql://` included) and the rest of the URL. */
const URL_REST = /[a-z][a-z0-9+.-]*(?::[a-z][a-z0-9+.-]*)*:\/\/(\S*)/gi;

/**
 * Whether a value holds a URL with a password: `scheme://user:password@`, the user possibly empty
 * (`redis://:password@`). People write passwords with reserved characters unescaped (`/`, `?`,
 * `#`, `[`, `]`, `@`, `:`), which URL parsers refuse, so the userinfo is read by hand: the text
 * before any `@` with a `:` in it, unless what stands before the `:` has a `/`, `?` or `#` (then
 * the `@` is in a path, query or fragment) or is a host followed by a port (`registry.example:8443/@scope`).
 */
function credentialsInUrl(text: string): boolean {
  for (const [, rest] of text.matchAll(URL_REST)) {
    for (let at = rest.indexOf("@"); at >= 0; at = rest.indexOf("@", at + 1)) {
      const colon = rest.indexOf(":");
      if (colon < 0 || colon > at) continue;
      const user = rest.slice(0, colon);
      const password = rest.slice(colon + 1, at);
      const hostAndPort = user.includes(".") && /^[0-9]{1,5}([/?#]|$)/.test(password);
      if (password !== "" && !/[/?#]/.test(user) && !hostAndPort) return true;
    }
  }
  return false;
}
/** An http(s) URL carrying a user part at all: a token in place of the user (`https://glpat-...@gitlab.com`). */
const USER_IN_HTTP_URL = /https?:\/\/[^/?#\s@]+@/i;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+/;
/** An HTTP Authorization header's credentials. */
const AUTHORIZATION = /^(basic|bearer|token|digest)\s+[A-Za-z0-9+/=._~-]{8,}$/i;
/** Incoming-webhook URLs whose path is the credential (Slack, Discord, Microsoft Teams). */
const WEBHOOK_URL = /hooks\.slack\.com\/services\/|discord(app)?\.com\/api\/webhooks\/|\.webhook\.office\.com\/|hooks\.zapier\.com\/hooks\//i;
/** Tokens recognisable by their issuer's prefix: GitLab, GitHub, Slack, AWS access keys, Stripe. */
const KNOWN_TOKEN = /\b(glpat-[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abposr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|sk_live_[A-Za-z0-9]{16,})/;
/** `key=value` pairs inside a value: connection strings (`Password=...;`), query strings, `--password=...`, `PGPASSWORD=...`. */
const ASSIGNMENT = /(?:^|[\s;?&,])-{0,2}([A-Za-z][A-Za-z0-9_.-]*)\s*=\s*([^\s;&,]+)/g;
/** A value that names where a secret comes from rather than holding one: `$(VAR)`, `${VAR}`, a template. */
const INDIRECT = /^(\$|\{\{)/;

function assignsSecret(text: string): boolean {
  for (const [, key, value] of text.matchAll(ASSIGNMENT)) {
    if (isSecretKey(key) && !INDIRECT.test(value)) return true;
  }
  return false;
}

/**
 * Whether a value is a secret whatever its key is called: credentials in a URL, a private key, a
 * JWT, an Authorization header, a webhook URL, a token with a known prefix, or a secret assigned
 * inside a connection string or command line.
 */
export function isSecretValue(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const text = value.trim();
  return (
    credentialsInUrl(text) ||
    USER_IN_HTTP_URL.test(text) ||
    PEM_PRIVATE_KEY.test(text) ||
    JWT.test(text) ||
    AUTHORIZATION.test(text) ||
    WEBHOOK_URL.test(text) ||
    KNOWN_TOKEN.test(text) ||
    assignsSecret(text)
  );
}

/** `--password` (with its value in the next argument). */
function isSecretFlag(value: unknown): boolean {
  return typeof value === "string" && /^--?[A-Za-z][A-Za-z0-9_-]*$/.test(value) && isSecretKey(value.replace(/^-+/, ""));
}

/**
 * A copy of a values tree without any secret (by key or by value), and the key paths removed.
 * Lists are searched too: a password inside an extra deployment's env list is still a password,
 * an env entry `{ name: DB_PASSWORD, value: ... }` holds one in its value, and so does the
 * argument after `--password`. `isReference` exempts keys named like secrets that only point at
 * them (their contents are still searched).
 */
export function withoutSecrets(
  values: Record<string, unknown>,
  isReference: (path: string[]) => boolean = () => false,
): { value: Record<string, unknown>; removed: string[][] } {
  const removed: string[][] = [];
  const strip = (node: unknown, path: string[]): unknown => {
    if (Array.isArray(node)) {
      const kept: unknown[] = [];
      node.forEach((item, i) => {
        if (isSecretValue(item) || (i > 0 && isSecretFlag(node[i - 1]))) removed.push([...path, String(i)]);
        else kept.push(strip(item, [...path, String(i)]));
      });
      return kept;
    }
    if (!isPlainObject(node)) return node;
    const namedSecret = typeof node.name === "string" && isSecretKey(node.name);
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const secret = (!isReference([...path, key]) && isSecretKey(key)) || isSecretValue(child) || (namedSecret && key === "value");
      if (secret) removed.push([...path, key]);
      else out[key] = strip(child, [...path, key]);
    }
    return out;
  };
  return { value: strip(values, []) as Record<string, unknown>, removed };
}
