// Writes the isolation matrix into README.md from the declared guarantee (expected.ts), between
// its markers: node --require ./src/cli/register-typescript.js test/e2e/isolation/readme.ts
// test/isolation-table.test.ts fails while the README's table is not this rendering.
import * as fs from "node:fs";
import * as path from "node:path";
import { readmeTables, withTables } from "./table";

const README_FILE = path.resolve(__dirname, "..", "..", "..", "README.md");

if (!fs.lstatSync(README_FILE).isFile()) {
  process.stderr.write(`${README_FILE} is not a regular file; nothing was written\n`);
  process.exit(1);
}
const before = fs.readFileSync(README_FILE, "utf8");
const after = withTables(before, readmeTables());
if (after !== before) fs.writeFileSync(README_FILE, after);
process.stdout.write(after === before ? "README.md: the isolation matrix is up to date\n" : "README.md: isolation matrix written\n");
