// npm run e2e:env -- up|down|status
//   up      builds the toolchain if needed, starts the control plane, prints the variables to eval
//   down    stops what this environment started, removes its files, prints the `unset` line to eval
//   status  prints the variables if it is running; exits 1 if it is not
import { down, shellExports, shellUnsets, status, up } from "./env";

const usage =
  'usage: npm run -s e2e:env -- up|down|status   (eval "$(npm run -s e2e:env -- up)" points pulumi at it; eval "$(npm run -s e2e:env -- down)" stops it and unsets the variables)';

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case "up":
      process.stdout.write(`${shellExports(await up())}\n`);
      return 0;
    case "down": {
      const stopped = await down();
      process.stderr.write(stopped.length === 0 ? "e2e-env: nothing was running\n" : stopped.map((line) => `e2e-env: stopped ${line}\n`).join(""));
      process.stdout.write(`${shellUnsets()}\n`);
      return 0;
    }
    case "status": {
      const env = status();
      if (!env) {
        process.stderr.write("e2e-env: not running\n");
        return 1;
      }
      process.stdout.write(`${shellExports(env)}\n`);
      return 0;
    }
    default:
      process.stderr.write(`${usage}\n`);
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`e2e-env: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
