/** A stack selected for rollout, with the environment its name carries. */
export interface StackTarget {
  stack: string;
  environment: string;
  /** Chosen as a canary in its customer file (`rollout.canary: true`); only production stacks are canaries. */
  canary?: boolean;
}

export type WaveName = "staging" | "canary" | "production";

export interface Wave {
  name: WaveName;
  stacks: StackTarget[];
}

/** The environment whose stacks are production; every other environment rolls out first. */
export const PRODUCTION_ENVIRONMENT = "prod";

/** The environment of stacks on a person's own cluster (a kind or k3d cluster, the e2e control plane): never in CI's waves. */
export const LOCAL_ENVIRONMENT = "local";

/**
 * The canary wave: the production stacks chosen as canaries in their customer files, or, when
 * the selection holds none, the first `canary` production stacks by name.
 */
function canaries(production: readonly StackTarget[], canary: number): Set<StackTarget> {
  const chosen = production.filter((t) => t.canary === true);
  return new Set(chosen.length > 0 ? chosen : production.slice(0, canary));
}

/**
 * Update order: every non-production stack first, then the canaries, then the remaining
 * production stacks. Stacks keep name order inside a wave; empty waves are left out.
 */
export function planWaves(targets: readonly StackTarget[], canary: number): Wave[] {
  const sorted = [...targets].sort((a, b) => a.stack.localeCompare(b.stack));
  const production = sorted.filter((t) => t.environment === PRODUCTION_ENVIRONMENT);
  const first = canaries(production, canary);
  const waves: Wave[] = [
    { name: "staging", stacks: sorted.filter((t) => t.environment !== PRODUCTION_ENVIRONMENT) },
    { name: "canary", stacks: production.filter((t) => first.has(t)) },
    { name: "production", stacks: production.filter((t) => !first.has(t)) },
  ];
  return waves.filter((w) => w.stacks.length > 0);
}
