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

/** The keys of a customer file that are not settings: they say who the customer is. */
export const customerIdentity = z.strictObject({
  name: dnsLabel.max(40, "at most 40 characters, so that derived names stay within 63"),
  displayName: z.string().min(1, "a non-empty display name"),
  fitConnectCode: z.string().min(1, "the customer's FITConnect code, e.g. 'FITConnect A'"),
  environments: z.record(z.string(), z.unknown()).meta({ description: "a mapping of environments to their settings, such as prod: { domain: app.fitfile.net }" }),
});
export type CustomerIdentity = z.infer<typeof customerIdentity>;

export const IDENTITY_KEYS = Object.keys(customerIdentity.shape);
