#!/usr/bin/env node
/* global require, __dirname, process */
/**
 * `npm run bench [-- --json] [-- --quick]`: entry point. The benchmark is TypeScript next to this file;
 * it is transpiled on load (no type check: `npm run typecheck` does that), as the rehearsal loads programs.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

require.extensions[".ts"] = (module, filename) => {
  const output = ts.transpileModule(fs.readFileSync(filename, "utf8"), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2020,
      esModuleInterop: true,
      inlineSourceMap: true,
    },
  });
  module._compile(output.outputText, filename);
};

const entry = process.argv[2] && process.argv[2].endsWith(".ts") ? process.argv.splice(2, 1)[0] : "main.ts";
require(path.resolve(__dirname, entry));
