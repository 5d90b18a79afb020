/**
 * docs/postgresql.md runs as written: every `sql` block through psql (ON_ERROR_STOP), in order,
 * against a freshly migrated PostgreSQL catalog; the page's one shell step (project deploy) through
 * the CLI. Where psql is not installed the test is skipped and says so.
 */

import { expect } from 'chai';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';

const BIN = join(PROJECT_ROOT, 'bin', 'scaleout.js');

interface Block {
  readonly language: string;
  readonly text: string;
  readonly line: number;
}

function codeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w+)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end]!.startsWith('```')) end++;
    blocks.push({ language: open[1]!, text: lines.slice(start, end).join('\n'), line: start + 1 });
    i = end;
  }
  return blocks;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: PROJECT_ROOT, env, timeout: 90_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

forEachBackend('docs/postgresql.md, as a psql user runs it', (backend) => {
  const catalog = useCatalog(backend, { only: ['pg'] });

  it('every sql block runs in psql without an error, and the shell step deploys the example', async function () {
    if (backend.kind !== 'pg') this.skip(); // the page is about a PostgreSQL server reached by psql
    if (spawnSync('psql', ['--version']).status !== 0) this.skip();
    this.timeout(180_000);
    const url = catalog.database.spec!;
    const blocks = codeBlocks(readFileSync(join(PROJECT_ROOT, 'docs', 'postgresql.md'), 'utf8')).filter((b) => b.language === 'sql' || b.language === 'sh');
    expect(blocks.filter((b) => b.language === 'sql').length, 'the page has sql blocks').to.be.greaterThan(4);
    for (const block of blocks) {
      if (block.language === 'sh') {
        const command = block.text.trim();
        expect(command, `docs/postgresql.md:${block.line}`).to.match(/^npx scaleout project deploy /);
        const r = await run(process.execPath, [BIN, ...command.replace(/^npx scaleout /, '').split(/\s+/), '--catalog', url]);
        expect(r.code, `docs/postgresql.md:${block.line}: ${command}\n${r.stderr}`).to.equal(0);
        continue;
      }
      const psql = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = execFile('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-d', url], { timeout: 60_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
        );
        child.stdin!.end(`${block.text}\n`);
      });
      expect(psql.code, `docs/postgresql.md:${block.line}\n${psql.stderr}`).to.equal(0);
      expect(psql.stderr, `docs/postgresql.md:${block.line}`).not.to.match(/ERROR/);
    }
    // The page's error example says what psql prints: the number first, the hint in psql's form.
    const refused = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = execFile('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-d', url], { timeout: 60_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? 1 : 0, stderr: String(stderr) }),
      );
      child.stdin!.end("\\set SHOW_CONTEXT never\nCALL catalog.create_execution('Finance', 'etl', 'load', runinscaleout => 0);\n");
    });
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.contain('ERROR:  51212: This catalog runs packages in Scale Out only: pass runinscaleout => true');
    expect(refused.stderr).not.to.contain('CONTEXT');

    // What the page did is in the catalog: the worker it added was deleted at its end, the executions stand.
    const executions = await catalog.db.query('SELECT package_name, status FROM catalog.executions ORDER BY execution_id');
    expect(executions.map((e) => e.package_name)).to.deep.equal(['clean_customers', 'sales_by_region']);
    // The last one was stopped before any worker took it: canceled (3) at once.
    expect(Number(executions.at(-1)!.status)).to.equal(3);
  });
});
