// Run as a command package: lists the result files and their row counts on stdout.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const folder = process.argv[2];
let files = [];
try {
  files = readdirSync(folder).sort();
} catch {
  console.error(`no output folder ${folder} yet`);
  process.exit(1);
}
for (const f of files) {
  const lines = readFileSync(join(folder, f), 'utf8').split('\n').filter(Boolean).length;
  console.log(`${f}: ${f.endsWith('.csv') ? lines - 1 : lines} row(s)`);
}
console.log(`${files.length} result file(s) in ${folder}`);
