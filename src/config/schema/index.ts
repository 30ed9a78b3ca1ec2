import { z } from "zod";
import { dnsLabel } from "./common";
import { checkHosts, dnsSettings } from "./dns";
import { checkGitOpsSettings, gitopsSettings } from "./gitops";
import { identitySettings } from "./identity";
import { checkQuotaHoldsInjectedPods, namespaceSettings } from "./namespace";
import { rolloutSettings } from "./rollout";
import { storageSettings } from "./storage";
import { vaultSettings } from "./vault";

/**
 * Everything an environment of a customer is configured with, after layering. Each concern
 * owns one file; the layers (defaults, environment defaults, customer, customer environment,
 * stack) are merged before this schema is applied, so every key here may be set in any layer.
 */
export const environmentSettings = z.strictObject({
  ...identitySettings,
  ...namespaceSettings,
  ...storageSettings,
  ...vaultSettings,
  ...dnsSettings,
  ...gitopsSettings,
  ...rolloutSettings,
}).superRefine(checkHosts).superRefine(checkGitOpsSettings).superRefine(checkQuotaHoldsInjectedPods);
export type EnvironmentSettings = z.infer<typeof environmentSettings>;

/** The key paths of a value: `a`, `a.b`, `list.0`; a record's keys and a list's indexes as any string or number. */
type PathsOf<T> = T extends readonly (infer E)[]
  ? `${number}` | `${number}.${PathsOf<E>}`
  : T extends object
    ? { [K in keyof T & string]-?: K | `${K}.${PathsOf<NonNullable<T[K]>>}` }[keyof T & string]
    : never;

/**
 * A setting's key path (`quota.requestsStorage`, `storage.<claim>.size`), as messages blame it:
 * typed, so that renaming a setting breaks the build rather than a message.
 */
export type SettingPath = PathsOf<EnvironmentSettings>;

/** The keys of a customer file that are not settings: they say who the customer is. */
export const customerIdentity = z.strictObject({
  name: dnsLabel.max(40, "at most 40 characters, so that derived names stay within 63"),
  displayName: z.string().min(1, "a non-empty display name"),
  fitConnectCode: z.string().min(1, "the customer's FITConnect code, e.g. 'FITConnect A'"),
  environments: z.record(z.string(), z.unknown()).meta({ description: "a mapping of environments to their settings, such as prod: { domain: app.fitfile.net }" }),
});
export type CustomerIdentity = z.infer<typeof customerIdentity>;

export const IDENTITY_KEYS = Object.keys(customerIdentity.shape);
/** A key of the customer file that says who the customer is, blamed in messages as a setting's path is. */
export type IdentityKey = keyof typeof customerIdentity.shape;
