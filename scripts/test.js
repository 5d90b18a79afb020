#!/usr/bin/env node
// The README's test command (`npm test`): the T-SQL gate, the type check, then every mocha suite.
// The contract suite runs on PGlite always, on PostgreSQL when SCALEOUT_TEST_PG_URL is set, and on
// SQL Server when SCALEOUT_TEST_MSSQL_URL is set or testcontainers finds a container runtime.
import { spawnSync } from 'node:child_process';

function run(title, command, args) {
  process.stdout.write(`\n== ${title}\n`);
  const r = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

let failed = false;
const sqlfluff = spawnSync('sqlfluff', ['--version'], { encoding: 'utf8' });
if (sqlfluff.status === 0) {
  failed = run('T-SQL gate (sqlfluff parse --dialect tsql)', 'node', ['--import', 'tsx', 'scripts/lint-sql.ts']) !== 0 || failed;
} else {
  process.stdout.write('\n== T-SQL gate: skipped — sqlfluff is not installed (apt-get install sqlfluff)\n');
  if (process.env.CI === 'true') failed = true;
}
failed = run('type check (tsc --noEmit)', 'npx', ['tsc', '--noEmit']) !== 0 || failed;
failed = run('tests (mocha)', 'npx', ['mocha', '--config', '.mocharc.json', ...process.argv.slice(2)]) !== 0 || failed;
process.exit(failed ? 1 : 0);
