// npm run e2e:env -- up|down|status
//   up      builds the toolchain if needed, starts the control plane, prints the variables to eval
//   down    stops it and removes its files
//   status  prints the variables if it is running; exits 1 if it is not
import { down, shellExports, status, up } from "./env";

const usage = "usage: npm run -s e2e:env -- up|down|status   (eval \"$(npm run -s e2e:env -- up)\" points pulumi at it)";

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case "up":
      process.stdout.write(`${shellExports(await up())}\n`);
      return 0;
    case "down":
      await down();
      return 0;
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
