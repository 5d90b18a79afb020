/**
 * The tests start real services through bin/scaleout.js, which runs dist/: a dist/ older than any
 * file under src/ would test yesterday's code, so it is rebuilt first (npm run build).
 */

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';

function newestUnder(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function ensureFreshBuild(): void {
  const stamp = join(PROJECT_ROOT, 'dist', '.built');
  const sources = Math.max(newestUnder(join(PROJECT_ROOT, 'src')), statSync(join(PROJECT_ROOT, 'tsconfig.build.json')).mtimeMs);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return;
  process.stdout.write('[build] dist/ is older than src/: npm run build\n');
  execFileSync(process.execPath, [join(PROJECT_ROOT, 'scripts', 'build.js')], { stdio: 'inherit' });
}
