/** A stack selected for rollout, with the environment its name carries. */
export interface StackTarget {
  stack: string;
  environment: string;
}

export type WaveName = "staging" | "canary" | "production";

export interface Wave {
  name: WaveName;
  stacks: StackTarget[];
}

/** The environment whose stacks are production; every other environment rolls out first. */
export const PRODUCTION_ENVIRONMENT = "prod";

/**
 * Update order: every non-production stack first, then `canary` production stacks, then the
 * remaining production stacks. Stacks keep name order inside a wave; empty waves are left out.
 */
export function planWaves(targets: readonly StackTarget[], canary: number): Wave[] {
  const sorted = [...targets].sort((a, b) => a.stack.localeCompare(b.stack));
  const production = sorted.filter((t) => t.environment === PRODUCTION_ENVIRONMENT);
  const waves: Wave[] = [
    { name: "staging", stacks: sorted.filter((t) => t.environment !== PRODUCTION_ENVIRONMENT) },
    { name: "canary", stacks: production.slice(0, canary) },
    { name: "production", stacks: production.slice(canary) },
  ];
  return waves.filter((w) => w.stacks.length > 0);
}
