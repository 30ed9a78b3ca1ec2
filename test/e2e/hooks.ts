// Root hooks of the e2e suite: one fresh control plane for the whole run (one that
// `npm run e2e:env -- up` left running is stopped first), stopped at the end whatever happened
// (also on Ctrl-C). FFNODES_E2E_KEEP=1 leaves it running to look around afterwards.
import { Environment, down, up } from "../../e2e/env";

let current: Environment | undefined;

/** The running e2e environment; scenarios call it inside their hooks and tests. */
export function environment(): Environment {
  if (!current) throw new Error("the e2e environment is not up (test/e2e/hooks.ts starts it before the first test)");
  return current;
}

async function stop(): Promise<void> {
  if (process.env.FFNODES_E2E_KEEP === "1") {
    process.stderr.write("e2e: FFNODES_E2E_KEEP=1, leaving the environment running; `npm run e2e:env -- down` stops it\n");
    return;
  }
  await down();
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void stop().finally(() => process.exit(130));
  });
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(3 * 60 * 60 * 1000); // a cold toolchain build
    // A fresh control plane: the scenarios expect an empty cluster, Vault and state backend.
    await down();
    current = await up();
  },
  async afterAll(): Promise<void> {
    await stop();
  },
};
