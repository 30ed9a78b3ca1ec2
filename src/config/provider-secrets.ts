import type { EnvironmentConfig } from "./environment";
import type { Problem } from "./problems";

/** A provider credential a stack needs: config keys that hold it (the first is the one to set), the environment variables the provider reads instead, and why the stack needs it. */
interface Credential {
  keys: string[];
  env: string[];
  why: string;
}

/** The provider credentials a stack's resources need: Cloudflare's when it manages DNS records or Origin CA certificates. */
export function requiredCredentials(settings: Pick<EnvironmentConfig["settings"], "dns" | "certificates">): Credential[] {
  const uses = [
    ...(settings.dns.enabled ? ["DNS records (dns.enabled)"] : []),
    ...(settings.certificates.mode === "origin-ca" ? ["Origin CA certificates (certificates.mode: origin-ca)"] : []),
  ];
  if (uses.length === 0) return [];
  // @pulumi/cloudflare's provider: one of apiToken, apiKey, apiUserServiceKey, each also read from its environment variable.
  return [
    {
      keys: ["cloudflare:apiToken", "cloudflare:apiKey", "cloudflare:apiUserServiceKey"],
      env: ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CLOUDFLARE_API_USER_SERVICE_KEY"],
      why: `the stack manages Cloudflare ${uses.join(" and ")}`,
    },
  ];
}

const BASE64 = "(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})";
/**
 * The ciphertexts Pulumi decrypts (sdk go/common/resource/config/crypt.go and pkg
 * secrets/service): `v1:<nonce>:<ciphertext>` in base64 from the passphrase and cloud KMS
 * providers, plain base64 from Pulumi Cloud's. Anything else fails every preview with `bad value`.
 */
const CIPHERTEXT = new RegExp(`^(?:v1:${BASE64}:${BASE64}|${BASE64})$`);

/** Whether a stack file's `secure:` value is something Pulumi can decrypt, rather than a placeholder. */
export function isCiphertext(value: unknown): boolean {
  return typeof value === "string" && CIPHERTEXT.test(value);
}

/** The command that sets a secret of a stack. */
export function setSecretCommand(key: string, stack: string): string {
  return `pulumi config set --secret ${key} <value> -s ${stack}`;
}

interface StackSecrets {
  stack: string;
  /** The stack file, for messages. */
  file: string;
  /** Config keys the stack has (full keys, `namespace:key`), decrypted or not. */
  keys: Iterable<string>;
  /** Full keys whose `secure:` value in the stack file is a placeholder rather than a ciphertext. */
  placeholders: readonly string[];
  needed: readonly Credential[];
}

/**
 * What keeps a stack from a preview or an update: a `secure:` value that is a placeholder
 * (Pulumi would refuse the stack with `bad value`, naming neither file nor key), and a credential
 * its resources need that neither its config nor the environment holds. Each names the stack
 * file, the key and the command that sets it.
 */
export function unsetSecretProblems(secrets: StackSecrets, env: NodeJS.ProcessEnv): Problem[] {
  const { stack, file } = secrets;
  const has = new Set(secrets.keys);
  const problems: Problem[] = secrets.placeholders.map((key) => ({
    file,
    path: `config.${key}`,
    message: `a placeholder, not an encrypted secret: set it with \`${setSecretCommand(key, stack)}\``,
  }));
  for (const credential of secrets.needed) {
    const set = credential.keys.filter((k) => has.has(k));
    if (set.length > 0 || credential.env.some((name) => (env[name] ?? "") !== "")) continue;
    const [key] = credential.keys;
    problems.push({
      file,
      path: `config.${key}`,
      message: `not set, and ${credential.why}: \`${setSecretCommand(key, stack)}\` (the stack must exist first: \`pulumi stack init ${stack}\`), or set ${credential.env[0]} in the environment`,
    });
  }
  return problems;
}
