/**
 * The README's SQL Server path runs as written: its shell blocks, in order, as one bash script in
 * an empty folder — with two substitutions only: the catalog (a fresh PostgreSQL database here,
 * where no SQL Server runs; the commands are the same for both) and the master's port (a free one,
 * given as SCALEOUT_MASTER_PORTNUMBER and in place of 8391 in the addresses, so that two test runs
 * side by side do not collide). `npx scaleout` runs this checkout's CLI.
 */

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';

/** The shell blocks of the README section, dedented, in order. */
function shellBlocks(markdown: string, heading: string): string[] {
  const section = markdown.slice(markdown.indexOf(heading), markdown.indexOf('\n## ', markdown.indexOf(heading) + heading.length));
  const blocks: string[] = [];
  const re = /^([ \t]*)```sh\n([\s\S]*?)^\1```/gm;
  for (let m = re.exec(section); m; m = re.exec(section)) {
    const indent = m[1]!.length;
    blocks.push(m[2]!.split('\n').map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length))).join('\n'));
  }
  return blocks;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

forEachBackend("the README's SQL Server path, run as written", (backend) => {
  const catalog = useCatalog(backend, { migrate: false, only: ['pg'] });

  it('every step runs: catalog, certificates, master, trusted worker, deployment, an execution that succeeds, doctor', async function () {
    if (backend.kind !== 'pg') this.skip(); // a catalog on a server that a master and a worker reach at once
    this.timeout(240_000);
    const blocks = shellBlocks(readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8'), '## The SQL Server path');
    expect(blocks.length, 'the path has its shell blocks').to.be.greaterThan(5);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'scaleout-readme-'));
    try {
      symlinkSync(join(PROJECT_ROOT, 'examples'), join(dir, 'examples'));
      // `npx scaleout` is this checkout's CLI; exec, so that a background job is the service itself.
      mkdirSync(join(dir, 'bin'));
      writeFileSync(join(dir, 'bin', 'npx'), `#!/bin/sh\nif [ "$1" = scaleout ]; then shift; exec "${process.execPath}" "${join(PROJECT_ROOT, 'bin', 'scaleout.js')}" "$@"; fi\nexec /usr/bin/env -S npx "$@"\n`);
      chmodSync(join(dir, 'bin', 'npx'), 0o755);
      const steps = blocks
        .join('\n')
        .replace(/^export SCALEOUT_CATALOG=.*$/m, `export SCALEOUT_CATALOG='${catalog.database.spec!}'`)
        .replaceAll('8391', String(port));
      const script = `set -euo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n${steps}\n`;
      const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile('bash', ['-c', script], { cwd: dir, timeout: 200_000, env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, SCALEOUT_CATALOG: '', SCALEOUT_MASTER_PORTNUMBER: String(port) } }, (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
        );
      });
      expect(r.code, `${r.stdout}\n${r.stderr}`).to.equal(0);
      expect(r.stdout).to.match(/clean_customers\s+succeeded/);
      expect(r.stdout, 'doctor found nothing to fix').not.to.match(/^fail\b/m);
      const rows = await catalog.db.query('SELECT package_name, status FROM catalog.executions');
      expect(rows.map((x) => [x.package_name, Number(x.status)])).to.deep.equal([['clean_customers', 7]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
