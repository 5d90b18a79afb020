#!/usr/bin/env node
// The CLI runs the compiled JavaScript in dist/ (npm run build; npm ci and npm install in a clone
// build it on their own through "prepare", and the published package ships it).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('error: dist/ is missing: run "npm run build" in the Scale Out folder (npm ci does it too).\n');
  process.exit(1);
}
await import(main.href);
