import { z } from "zod";

/** DNS records and certificates for the environment's hosts. */
export const dnsSettings = {
  dns: z.strictObject({
    /** Off for local clusters: no Cloudflare records are created. */
    enabled: z.boolean(),
  }),
};
