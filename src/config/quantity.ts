const SUFFIX: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** The value of a Kubernetes quantity (`500m`, `8Gi`, `2`) in base units; the schema has checked its form. */
export function quantityValue(quantity: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)([a-zA-Z]*)$/.exec(quantity);
  if (!match || !(match[2] in SUFFIX)) throw new Error(`not a Kubernetes quantity: ${quantity}`);
  return Number(match[1]) * SUFFIX[match[2]];
}
