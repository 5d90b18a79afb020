/**
 * The services' log (src/log/logger.ts): JSON lines through pino, to size-rotated files in a log
 * folder that never holds more than LogMaxFiles of them, levels below the setting dropped, and
 * errors written as name, message and SQL error number.
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import { createLogger } from '../../src/log/logger.ts';
import { waitFor } from '../support/wait.ts';

describe('the service log', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'scaleout-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const lines = (file: string) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  it('rotates by size and keeps at most LogMaxFiles files, every line whole JSON', async () => {
    const log = await createLogger({ name: 'master', level: 'info', stdout: false, folder: dir, maxFileBytes: 4096, maxFiles: 3 });
    const numbered = () => readdirSync(dir).map((n) => /^master\.(\d+)\.log$/.exec(n)).filter((m) => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
    const read = (n: number | undefined) => (n === undefined ? '' : readFileSync(join(dir, `master.${n}.log`), 'utf8'));
    for (let i = 0; i < 400; i++) {
      log.info('a line', { i, padding: 'x'.repeat(60) });
      // Rotation happens between writes: give the stream its turns, as a running service does —
      // until this batch is on disk and a roll it started is done (a fixed pause was too short on
      // a busy machine: batches then piled into one file).
      if (i % 20 === 19) {
        await waitFor(`line ${i} written, and no roll pending`, () => {
          const n = numbered();
          const newest = read(n.at(-1));
          return newest.length < 4096 && (newest.includes(`"i":${i},`) || read(n.at(-2)).includes(`"i":${i},`));
        }, 10_000);
      }
    }
    await log.close();
    const files = await waitFor('the old files removed', async () => {
      const f = numbered().map((n) => `master.${n}.log`);
      return f.length <= 3 ? f : undefined;
    });
    expect(files.length).to.be.at.least(2);
    const numbers = files.map((f) => Number(/\.(\d+)\./.exec(f)![1])).sort((a, b) => a - b);
    expect(numbers.at(-1)).to.be.at.least(10, 'about 40 KB in 4 KB files: at least ten rotations');
    // The last line is in the newest file that has any (a roll may just have opened an empty one).
    const last = numbers.flatMap((n) => lines(`master.${n}.log`)).at(-1);
    expect(last).to.include({ level: 'info', name: 'master', message: 'a line', i: 399 });
    for (const f of files) {
      // A file is rotated after the write that crosses the size: at most one buffered write (16 KB) over.
      expect(statSync(join(dir, f)).size).to.be.below(4096 + 16 * 1024, f);
      for (const l of lines(f)) expect(l).to.have.keys('level', 'time', 'pid', 'hostname', 'name', 'message', 'i', 'padding');
    }
  });

  it('drops levels below the setting, and writes an error as its name, message and number', async () => {
    const log = await createLogger({ name: 'worker', level: 'warn', stdout: false, folder: dir });
    log.debug('not written');
    log.info('not written either');
    log.warn('the catalog refused', { error: Object.assign(new Error('Login failed'), { number: 18456 }) });
    log.error('gone');
    await log.close();
    const [file] = await waitFor('the log file', () => {
      const f = readdirSync(dir).filter((n) => n.endsWith('.log'));
      return f.length > 0 ? f : undefined;
    });
    const written = await waitFor('both lines', () => {
      const l = lines(file!);
      return l.length === 2 ? l : undefined;
    });
    expect(written.map((l) => l.message)).to.deep.equal(['the catalog refused', 'gone']);
    expect(written[0]!.error).to.deep.equal({ name: 'Error', message: 'Login failed', number: 18456 });
  });

  it('goes to stdout by default, nothing lost when the process exits right after the last line', () => {
    const script = `import { createLogger } from ${JSON.stringify(join(PROJECT_ROOT, 'src', 'log', 'logger.ts'))};
const log = await createLogger({ name: 'worker', level: 'info', stdout: true });
for (let i = 0; i < 5000; i++) log.info('line', { i });
process.exit(0);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: PROJECT_ROOT });
    expect(r.status, r.stderr).to.equal(0);
    const out = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { i: number });
    expect(out.length).to.equal(5000);
    expect(out.at(-1)!.i).to.equal(4999);
  });
});
