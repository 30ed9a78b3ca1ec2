import { z } from "zod";

/** The customer's Vault space. */
export const vaultSettings = {
  vault: z.strictObject({
    /** KV path of the customer's secrets. Default: `<namespace>-application`. */
    path: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, "lower-case letters, digits and '-', like ff-a-application")
      .optional(),
  }),
};
