/** IPv4 CIDR arithmetic for NetworkPolicy ipBlocks (the schema has checked every CIDR's form). */

interface Range {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

function parse(cidr: string): Range {
  const [address, prefix] = cidr.split("/");
  const base = address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
  const bits = Number(prefix);
  const size = 2 ** (32 - bits);
  return { base: base - (base % size), prefix: bits };
}

function contains(outer: Range, inner: Range): boolean {
  const size = 2 ** (32 - outer.prefix);
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base < outer.base + size;
}

/**
 * What Kubernetes would refuse, or what would allow nothing, in external egress as configured:
 * exceptions strictly inside none of the allowed CIDRs (an ipBlock's `except` must be a strict
 * subset of its `cidr`: ValidateIPBlock in k8s.io/kubernetes v1.34 pkg/apis/networking/validation),
 * and allowed CIDRs that an exception covers whole.
 */
export function exceptionMismatches(allowed: string[], excepted: string[]): { outside: string[]; emptied: { cidr: string; by: string }[] } {
  const strictlyInside = (inner: string, outer: string) => contains(parse(outer), parse(inner)) && parse(inner).prefix > parse(outer).prefix;
  const outside = excepted.filter((e) => !allowed.some((cidr) => strictlyInside(e, cidr)));
  const emptied = allowed.flatMap((cidr) => {
    const by = excepted.find((e) => !outside.includes(e) && contains(parse(e), parse(cidr)));
    return by === undefined ? [] : [{ cidr, by }];
  });
  return { outside, emptied };
}

/**
 * `{ cidr, except }` ipBlocks for the allowed CIDRs minus the excepted ones. Kubernetes refuses an
 * `except` entry that is not a strict subset of its block's `cidr` ("must be a strict subset of
 * `cidr`", ValidateIPBlock in k8s.io/kubernetes pkg/apis/networking/validation), so each block
 * lists only the exceptions inside it, and a block that an exception covers whole is left out.
 */
export function ipBlocks(allowed: string[], excepted: string[]): { cidr: string; except?: string[] }[] {
  return allowed.flatMap((cidr) => {
    const block = parse(cidr);
    if (excepted.some((e) => contains(parse(e), block))) return [];
    const inside = [...new Set(excepted)].filter((e) => contains(block, parse(e)));
    return [{ cidr, except: inside.length > 0 ? inside : undefined }];
  });
}
