import * as pulumi from "@pulumi/pulumi";

/** The type of the resource, as the engine routes it to the Node.js dynamic provider host. */
export const CREDENTIAL_KEYS_TYPE = "pulumi-nodejs:dynamic/ffnodes:VaultCredentialKeys";

/**
 * How the stack's Vault provider reaches Vault, as its stack config sets it. What is unset there
 * is read, at run time, from the environment the Vault provider reads too.
 */
export interface VaultConnection {
  address?: string;
  namespace?: string;
  caCertFile?: string;
  skipTlsVerify?: boolean;
  token?: string;
}

/** The resource's inputs, as the provider receives them. */
export interface CredentialKeysInputs {
  connection: VaultConnection;
  mount: string;
  name: string;
  /** The generated values by key; only the keys the secret lacks are written. */
  values: Record<string, string>;
}

/** The resource's state: names only, never a value. */
export interface CredentialKeysOutputs {
  mount: string;
  name: string;
  /** The keys this resource has made sure the secret holds. */
  keys: string[];
}

/**
 * The dynamic provider. Its text is what the engine's Node.js provider host loads and runs
 * (`exports.handler`), so it references nothing outside itself but Node's own modules: no
 * closure serialization at program start, and the state holds reviewable code.
 *
 * It adds to a kv-v2 secret the keys the secret lacks, never reading a value nor changing a key it
 * has: the key names come from `subkeys`, and the new keys go in one merge PATCH, checked-and-set
 * against the version the names were read from (Vault API docs, "KV secrets engine - version 2":
 * read secret subkeys, patch secret).
 */
export function credentialKeysProvider(env: NodeJS.ProcessEnv = process.env) {
  const fs = process.getBuiltinModule("node:fs");
  const http = process.getBuiltinModule("node:http");
  const https = process.getBuiltinModule("node:https");
  const os = process.getBuiltinModule("node:os");
  const path = process.getBuiltinModule("node:path");

  class VaultError extends Error {
    constructor(
      readonly status: number,
      message: string,
    ) {
      super(message);
    }
  }

  function resolveConnection(connection: VaultConnection) {
    const address = connection.address ?? env.VAULT_ADDR;
    if (!address) throw new Error("no Vault address: set the stack's vault:address or VAULT_ADDR, as for the Vault provider");
    const tokenFile = path.join(env.HOME ?? os.homedir(), ".vault-token");
    const token = connection.token ?? env.VAULT_TOKEN ?? (fs.existsSync(tokenFile) ? fs.readFileSync(tokenFile, "utf8").trim() : undefined);
    if (!token) {
      throw new Error(
        "no Vault token to add credential keys with: set VAULT_TOKEN or the stack's secret vault:token (the Vault provider's auth_login settings are not read here)",
      );
    }
    const caCertFile = connection.caCertFile ?? env.VAULT_CACERT;
    const skipVerify = connection.skipTlsVerify ?? ["1", "true"].includes((env.VAULT_SKIP_VERIFY ?? "").toLowerCase());
    return {
      base: address.endsWith("/") ? address : `${address}/`,
      namespace: connection.namespace ?? env.VAULT_NAMESPACE,
      token,
      ca: caCertFile ? fs.readFileSync(caCertFile) : undefined,
      rejectUnauthorized: !skipVerify,
    };
  }

  const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

  /** The answer's JSON, or the text itself when it is not JSON. */
  function parsed(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }

  function request(connection: ReturnType<typeof resolveConnection>, method: "GET" | "PATCH", apiPath: string, body?: unknown): Promise<unknown> {
    const { base, namespace, token, ca, rejectUnauthorized } = connection;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { "X-Vault-Token": token, "X-Vault-Request": "true" };
    if (namespace) headers["X-Vault-Namespace"] = namespace;
    if (payload !== undefined) headers["Content-Type"] = "application/merge-patch+json";
    const target = new URL(`v1/${apiPath}`, base);
    const what = `${method} ${target.pathname}`;
    const client = target.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const sent = client.request(target, { method, headers, ca, rejectUnauthorized, timeout: 30_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const answer = parsed(Buffer.concat(chunks).toString("utf8"));
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(answer);
          const errors = isRecord(answer) && Array.isArray(answer.errors) && answer.errors.length > 0 ? answer.errors.join("; ") : typeof answer === "string" ? answer.trim() : JSON.stringify(answer);
          reject(new VaultError(status, `Vault refused ${what}: ${status} ${errors}`));
        });
      });
      sent.on("timeout", () => sent.destroy(new Error(`${what}: no answer from Vault in 30 s`)));
      sent.on("error", (error) => reject(new Error(`${what}: ${error.message}`)));
      sent.end(payload);
    });
  }

  /** The key names and the version of the secret, from Vault's answer to a subkeys read. */
  async function readSubkeys(connection: ReturnType<typeof resolveConnection>, mount: string, name: string): Promise<{ keys: Set<string>; version: number }> {
    let answer: unknown;
    try {
      answer = await request(connection, "GET", `${mount}/subkeys/${name}?depth=1`);
    } catch (error) {
      if (error instanceof VaultError && error.status === 404) {
        throw new Error(
          `the credentials secret '${name}' in the mount '${mount}' does not exist, or its current version is deleted: undelete that version (vault kv undelete) before running up again`,
        );
      }
      throw error;
    }
    const data = isRecord(answer) && isRecord(answer.data) ? answer.data : {};
    const version = isRecord(data.metadata) ? data.metadata.version : undefined;
    if (!isRecord(data.subkeys) || typeof version !== "number") {
      throw new Error(`Vault's answer to the subkeys read of '${name}' in the mount '${mount}' has no key names and version: ${JSON.stringify(answer)}`);
    }
    return { keys: new Set(Object.keys(data.subkeys)), version };
  }

  async function addMissingKeys(inputs: CredentialKeysInputs): Promise<CredentialKeysOutputs> {
    const connection = resolveConnection(inputs.connection);
    const current = await readSubkeys(connection, inputs.mount, inputs.name);
    const missing = Object.entries(inputs.values).filter(([key]) => !current.keys.has(key));
    if (missing.length > 0) {
      await request(connection, "PATCH", `${inputs.mount}/data/${inputs.name}`, { data: Object.fromEntries(missing), options: { cas: current.version } });
    }
    return { mount: inputs.mount, name: inputs.name, keys: Object.keys(inputs.values).sort() };
  }

  return {
    diff(_id: string, olds: CredentialKeysOutputs, news: CredentialKeysInputs) {
      const moved = olds.mount !== news.mount || olds.name !== news.name;
      return Promise.resolve({ changes: moved || Object.keys(news.values).some((key) => !olds.keys.includes(key)) });
    },
    async create(inputs: CredentialKeysInputs) {
      const outs = await addMissingKeys(inputs);
      return { id: `${outs.mount}/${outs.name}`, outs };
    },
    async update(_id: string, _olds: CredentialKeysOutputs, news: CredentialKeysInputs) {
      return { outs: await addMissingKeys(news) };
    },
  };
}

/** The provider as the Node.js provider host receives it, in the resource's `__provider` input. */
export const PROVIDER_SOURCE = `exports.handler = ${credentialKeysProvider.toString()};\n`;

/** The Vault provider's own stack config (`vault:address`, ...), for the requests made here. */
export function vaultConnection(): { [K in keyof VaultConnection]: pulumi.Input<VaultConnection[K]> } {
  const config = new pulumi.Config("vault");
  return {
    address: config.get("address"),
    namespace: config.get("namespace"),
    caCertFile: config.get("caCertFile"),
    skipTlsVerify: config.getBoolean("skipTlsVerify"),
    token: config.getSecret("token"),
  };
}

/**
 * The keys of the generated credentials, kept present in their kv-v2 secret: a database listed
 * after the secret was written gets its keys on the next `up`, and a key that exists (rotated by
 * an operator, or set by one) is left as it is. Deleting the resource deletes nothing in Vault.
 */
export class CredentialKeys extends pulumi.CustomResource {
  declare readonly keys: pulumi.Output<string[]>;

  constructor(
    name: string,
    args: { connection: ReturnType<typeof vaultConnection>; mount: pulumi.Input<string>; name: pulumi.Input<string>; values: pulumi.Input<Record<string, string>> },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(CREDENTIAL_KEYS_TYPE, name, { __provider: PROVIDER_SOURCE, ...args, keys: undefined }, opts);
  }
}
