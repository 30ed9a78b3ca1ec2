import { z } from "zod";
import { dnsLabel } from "./common";
import { host, hostOrWildcard } from "./dns";

/** What identifies a customer environment and ties it to other customers. */
export const identitySettings = {
  /** The environment's primary host. */
  domain: host.meta({ description: "the environment's primary host, such as app.fitfile.net" }),
  /** Further hosts of the environment (pgweb, workflows, ...); `*.<domain>` is allowed. */
  extraHosts: z.array(hostOrWildcard),
  deploymentKey: z.string().min(1, "the seed's deployment key, such as prod-1").optional(),
  /** Suffix of the customer's database names; unique across the fleet. Default: `_<namespace>`. */
  dbSuffix: z
    .string()
    .regex(/^_[a-z0-9_]{1,30}$/, "'_' followed by up to 30 lower-case letters, digits or '_'")
    .optional(),
  /** FITConnect peers: names of other customers' files. Replaced, not appended, by a higher layer. */
  connects: z.array(dnsLabel).superRefine((peers, ctx) => {
    peers.forEach((peer, index) => {
      if (peers.indexOf(peer) !== index) ctx.addIssue({ code: "custom", path: [index], message: `'${peer}' is listed twice; list each peer once` });
    });
  }),
};
