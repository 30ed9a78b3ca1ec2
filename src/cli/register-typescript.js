// Runs the TypeScript sources directly for the command-line tools and tests: transpiles each
// .ts file once with TypeScript's own transpileModule and caches the result by content hash,
// so the tools start without the cost of loading the compiler and can never run stale code.
// Type-checking is `npm test`'s job (tsc --noEmit).
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const cacheDir = path.join(__dirname, "..", "..", "node_modules", ".cache", "ffnodes-ts");
const compilerOptions = {
  module: "commonjs",
  target: "es2022",
  esModuleInterop: true,
  sourceMap: false,
  inlineSourceMap: true,
};
let ts;

require.extensions[".ts"] = function loadTypeScript(module, filename) {
  const source = fs.readFileSync(filename, "utf8");
  // The output depends on the file's name, not its directory: checkouts of the project elsewhere
  // (the base side of `npm run diff`, a test's temporary repository) share the cache.
  const key = crypto.createHash("sha256").update(path.basename(filename)).update("\0").update(source).digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, "utf8");
  } catch {
    ts ??= require("typescript");
    output = ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
    fs.mkdirSync(cacheDir, { recursive: true });
    const temporary = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, cached);
  }
  module._compile(output, filename);
};
