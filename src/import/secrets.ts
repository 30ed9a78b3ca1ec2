import { isPlainObject } from "../config/merge";

/** Words that make a key hold a secret wherever they appear in its name. */
const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "passphrase",
  "pwd",
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
]);

/** Words that turn a following `key` into a secret: apiKey, private_key, secretAccessKey, tls.key... */
const KEY_QUALIFIERS = new Set(["api", "private", "access", "secret", "signing", "encryption", "master", "ssh", "tls", "client"]);

/**
 * Last words of names that refer to a secret held elsewhere rather than hold one (secretName,
 * tokenTtl, ...). Their values are names, paths or settings and are safe to copy.
 */
const REFERENCE_WORDS = new Set(["name", "names", "namespace", "ref", "path", "enabled", "ttl", "mount", "file", "role", "length", "type"]);

/** camelCase, snake_case, kebab-case and dotted names split into lower-case words. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== "")
    .map((w) => w.toLowerCase());
}

/** Whether a values key names a secret (password, token, API key, credentials, ...). */
export function isSecretKey(key: string): boolean {
  const words = keyWords(key);
  if (words.length === 0) return false;
  if (words[0] === "existing" || REFERENCE_WORDS.has(words[words.length - 1])) return false;
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  return words.some((w, i) => w === "key" && (words.length === 1 || KEY_QUALIFIERS.has(words[i - 1] ?? "")));
}

const CREDENTIALS_IN_URL = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const JWT = /^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+$/;

/** Whether a value is a secret whatever its key is called: a URL with a password, a private key, a JWT. */
export function isSecretValue(value: unknown): boolean {
  return typeof value === "string" && (CREDENTIALS_IN_URL.test(value) || PEM_PRIVATE_KEY.test(value) || JWT.test(value.trim()));
}

/**
 * A copy of a values tree without any secret (by key or by value), and the key paths removed.
 * Lists are searched too: a password inside an extra deployment's env list is still a password.
 * `isReference` exempts keys named like secrets that only point at them (their contents are
 * still searched).
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
        if (isSecretValue(item)) removed.push([...path, String(i)]);
        else kept.push(strip(item, [...path, String(i)]));
      });
      return kept;
    }
    if (!isPlainObject(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      if ((isSecretKey(key) && !isReference([...path, key])) || isSecretValue(child)) removed.push([...path, key]);
      else out[key] = strip(child, [...path, key]);
    }
    return out;
  };
  return { value: strip(values, []) as Record<string, unknown>, removed };
}
