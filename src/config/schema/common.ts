import { z } from "zod";
import { DNS1123_LABEL, MAX_LABEL_LENGTH } from "../names";

export const dnsLabel = z
  .string()
  .max(MAX_LABEL_LENGTH, `at most ${MAX_LABEL_LENGTH} characters`)
  .regex(DNS1123_LABEL, "a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit, such as ff-a");

/**
 * A string schema whose type error says what to write, with an example; YAML reads an unquoted
 * `8` or `8e9` as a number, which `hint` turns into advice.
 */
function stringOf(what: string, hint: (value: number) => string) {
  return z.string({
    error: (issue) => (typeof issue.input === "number" ? `${what}, written as a string: ${hint(issue.input)}` : `${what} (a string)`),
  });
}

const QUANTITY = "a Kubernetes quantity such as 500m, \"2\", 512Mi or 8Gi";
/** A Kubernetes resource quantity such as 500m, 2, 512Mi or 8Gi. */
export const quantity = stringOf(QUANTITY, (n) => `got the number ${n}; quote it ("${n}") or give a unit, such as "${n}" or ${n}Gi`).regex(
  /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/,
  QUANTITY,
);

const STORAGE_SIZE = "a storage size such as 512Mi, 8Gi or 1Ti";
/** A storage size: a whole number of binary units, e.g. 8Gi. */
export const storageSize = stringOf(STORAGE_SIZE, (n) => `got the number ${n}; give a unit, such as ${Number.isInteger(n) && n > 0 && n < 1e6 ? n : 8}Gi`).regex(
  /^[1-9][0-9]*(Mi|Gi|Ti)$/,
  STORAGE_SIZE,
);

export const count = z.int("a whole number").min(0, "zero or more");

export const cidr = z
  .string()
  .regex(/^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}\/([0-9]|[12][0-9]|3[0-2])$/, "an IPv4 CIDR such as 10.0.0.0/8");
