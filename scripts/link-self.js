#!/usr/bin/env node
// Makes the package resolvable by its own name from the repository
// (node_modules/pulumi-mi-link -> ..), as it is in a user's project: the
// dynamic-provider host requires provider implementations by package name.
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const link = path.join(root, "node_modules", "pulumi-mi-link");

function linkSelf() {
  try {
    if (fs.realpathSync(link) === root) return;
    fs.rmSync(link, { recursive: true, force: true });
  } catch {
    // absent: create it below
  }
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.symlinkSync("..", link, "dir");
}

module.exports = { linkSelf };
if (require.main === module) linkSelf();
