import { z } from "zod";
import { dnsLabel } from "./common";

const freeForm = z.record(z.string(), z.unknown());

export const serviceSettings = z.strictObject({
  enabled: z.boolean(),
  /** Application settings, deep-merged over the defaults (the old app-config.yaml). */
  appConfig: freeForm,
  /** Infrastructure settings, deep-merged over the defaults (the old infra-config.yaml). */
  infraConfig: freeForm,
});

/** What ArgoCD deploys into the namespace, and the values it deploys with. */
export const gitopsSettings = {
  services: z.record(dnsLabel, serviceSettings),
  addons: z.array(z.enum(["pgweb"])),
};
