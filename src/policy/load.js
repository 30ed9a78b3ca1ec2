// The policy pack's entry point (package.json's main): pulumi starts it with plain node, so the
// project's transpile hook is registered here before the TypeScript pack is loaded.
"use strict";
require("../cli/register-typescript.js");
require("./index.ts");
