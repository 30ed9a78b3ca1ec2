import { z } from "zod";
import { dnsLabel } from "./common";

/** The KV secret holding the generated database credentials, in every customer's space. */
export const APP_SECRET = "app";

/** Top-level Vault paths that belong to Vault itself: never a customer's mount. */
const RESERVED_MOUNTS = ["sys", "auth", "identity", "cubbyhole"];

/** One path segment of a Vault mount or KV secret: safe inside policy globs and agent templates. */
const SEGMENT = "[a-z0-9]([a-z0-9_-]*[a-z0-9])?";

const mountName = z
  .string()
  .regex(new RegExp(`^${SEGMENT}$`), "lower-case letters, digits, '-' and '_', like ff-a-application")
  .refine((name) => !RESERVED_MOUNTS.includes(name), `not one of Vault's own paths (${RESERVED_MOUNTS.join(", ")})`);

/** Mount of an auth method, which may be nested (`kubernetes`, `k8s/prod`). */
const authMountPath = z
  .string()
  .regex(new RegExp(`^${SEGMENT}(/${SEGMENT})*$`), "a Vault auth mount path such as kubernetes or k8s/prod, without leading or trailing '/'");

/** A secret's name relative to the customer's KV space, e.g. `app` or `sleuth/api`. */
const relativeSecretName = z
  .string()
  .regex(new RegExp(`^${SEGMENT}(/${SEGMENT})*$`), "a secret name inside the customer's space, such as app or sleuth/api (no leading '/', no '..')");

/** A key of a Kubernetes Secret's data, or of a KV secret's data. */
const DATA_KEY = /^[A-Za-z0-9._-]{1,253}$/;
const DATA_KEY_RULE = "letters, digits, '.', '_' and '-'";
const dataKey = z.string().regex(DATA_KEY, DATA_KEY_RULE);

/** Kubernetes key to KV key; a bad key is reported at its own path. */
const keyMapping = z.record(z.string(), dataKey).superRefine((keys, ctx) => {
  if (Object.keys(keys).length === 0) {
    ctx.addIssue({ code: "custom", message: "at least one key; leave keys out to sync every key" });
  }
  for (const key of Object.keys(keys).filter((k) => !DATA_KEY.test(k))) {
    ctx.addIssue({ code: "custom", path: [key], message: `a Secret key of ${DATA_KEY_RULE}` });
  }
});

const extraSecret = z.strictObject({
  /** Name of the Kubernetes Secret created in the customer's namespace. */
  secretName: dnsLabel,
  /** The KV secret it is synced from, relative to the customer's space. */
  vaultSecret: relativeSecretName,
  /** Kubernetes key to KV key. Absent: every key of the KV secret is synced as is. */
  keys: keyMapping.optional(),
});

const vaultObject = z.strictObject({
  /** KV path of the customer's secrets. Default: `<namespace>-application`. */
  path: mountName.optional(),
  /** `own`: a kv-v2 mount at the path. `shared`: the path is a prefix inside `sharedMount`. */
  mount: z.enum(["own", "shared"]),
  /** The cluster-wide kv-v2 mount used when `mount` is `shared`; an own mount may not take its name. */
  sharedMount: mountName,
  auth: z.strictObject({
    /** Path of the cluster's Kubernetes auth method (a prerequisite, not created here). */
    mount: authMountPath,
    /** Audience the service account tokens must carry. */
    audience: z.string().min(1, "a non-empty token audience"),
    tokenTtlSeconds: z.int("a whole number of seconds").min(60, "at least 60 seconds").max(2_678_400, "at most 31 days (2678400)"),
    /** Service accounts the customer's services run as, in the customer's namespace. */
    serviceAccounts: z.array(dnsLabel).min(1, "at least one service account"),
  }),
  credentials: z.strictObject({
    /** Databases whose username and password are generated once into the `app` secret. */
    databases: z.array(z.enum(["mongodb", "postgresql"])),
    passwordLength: z.int("a whole number").min(16, "at least 16").max(128, "at most 128"),
  }),
  /** Vault-to-Kubernetes secret syncs (the Helm layout's extraVaultSecrets). */
  extraSecrets: z.array(extraSecret),
  secretsOperator: z.strictObject({
    /** Service account, created in the namespace, that the Vault Secrets Operator logs in as. */
    serviceAccount: dnsLabel,
    /** How often synced secrets are re-read, as the operator's CRD accepts it (30s, 5m, 1h). */
    refreshAfter: z.string().regex(/^([0-9]+(\.[0-9]+)?(s|m|h))$/, "a duration in s, m or h, such as 30s, 5m or 1h"),
    /** A VaultConnection (`<namespace>/<name>`); absent: the operator's default connection. */
    vaultConnectionRef: z.string().min(1, "a VaultConnection as <namespace>/<name>").optional(),
  }),
});

/** The customer's Vault space. */
export const vaultSettings = {
  vault: vaultObject.superRefine((vault, ctx) => {
    if (vault.mount === "own" && vault.path === vault.sharedMount) {
      ctx.addIssue({ code: "custom", path: ["path"], message: `must differ from the shared mount '${vault.sharedMount}' when mount is own` });
    }
    const seen = new Set<string>();
    vault.extraSecrets.forEach((sync, index) => {
      if (seen.has(sync.secretName)) {
        ctx.addIssue({ code: "custom", path: ["extraSecrets", index, "secretName"], message: `'${sync.secretName}' is synced twice` });
      }
      seen.add(sync.secretName);
      if (sync.vaultSecret === APP_SECRET && !sync.keys) {
        ctx.addIssue({
          code: "custom",
          path: ["extraSecrets", index, "keys"],
          message: `required for the credentials secret '${APP_SECRET}': syncing every key would copy the database passwords into Secret '${sync.secretName}'; list the keys to sync, e.g. { apiKey: sleuth_api_key }`,
        });
      }
    });
  }),
};
export type VaultSettings = z.infer<typeof vaultObject>;
