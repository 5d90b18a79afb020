#!/usr/bin/env node
// npm run build (and npm's prepare): TypeScript's compiler emits src/ as JavaScript into dist/, and
// the files it does not compile (the worker's package host and sentinel, the manager's assets) are
// copied beside it. bin/scaleout.js runs dist/; tsx is for the tests and benchmarks only.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  rmSync(dist, { recursive: true, force: true });
  process.stderr.write('build failed: dist/ removed, nothing half-built is left\n');
  process.exit(r.status ?? 1);
}

// Everything under src/ that is neither TypeScript nor a declaration.
const copied = [];
(function walk(folder) {
  for (const entry of readdirSync(folder)) {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) walk(path);
    else if (!/\.ts$/.test(entry)) copied.push(path);
  }
})(src);
for (const file of copied) {
  const target = join(dist, relative(src, file));
  mkdirSync(dirname(target), { recursive: true });
  cpSync(file, target);
}
// Tells the test support that dist/ is as new as the sources it was built from.
writeFileSync(join(dist, '.built'), `${new Date().toISOString()}\n`);
process.stdout.write(`built dist/ (${copied.length} files copied beside the compiled ones)\n`);
