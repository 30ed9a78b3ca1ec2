import { z } from "zod";
import { DNS1123_LABEL, MAX_LABEL_LENGTH } from "../names";

export const dnsLabel = z
  .string()
  .max(MAX_LABEL_LENGTH, `at most ${MAX_LABEL_LENGTH} characters`)
  .regex(DNS1123_LABEL, "a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit");

/** A Kubernetes resource quantity such as 500m, 2, 512Mi or 8Gi. */
export const quantity = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, "a Kubernetes quantity such as 500m, 2, 512Mi or 8Gi");

/** A storage size: a whole number of binary units, e.g. 8Gi. */
export const storageSize = z.string().regex(/^[1-9][0-9]*(Mi|Gi|Ti)$/, "a storage size such as 512Mi, 8Gi or 1Ti");

export const count = z.int("a whole number").min(0, "zero or more");

export const cidr = z
  .string()
  .regex(/^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}\/([0-9]|[12][0-9]|3[0-2])$/, "an IPv4 CIDR such as 10.0.0.0/8");
