/**
 * `scaleout demo` as a newcomer runs it: in a folder with no catalog yet, one command creates the
 * embedded catalog, starts a master and two workers, runs the example executions and stops
 * everything — within a minute, with every execution in its expected state and no process left.
 */

import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';

/** Processes whose command line mentions the folder (the demo's master and workers name it). */
function processesUsing(folder: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(folder) && Number(pid) !== process.pid) found.push(`${pid}: ${cmdline}`);
    } catch {
      // Ended meanwhile.
    }
  }
  return found;
}

describe('scaleout demo', function () {
  this.timeout(120_000);
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'scaleout-demo-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the whole system on a fresh embedded catalog in under a minute and leaves no process behind', async () => {
    const started = Date.now();
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [join(PROJECT_ROOT, 'bin', 'scaleout.js'), 'demo'], { cwd: dir, env: { ...process.env, SCALEOUT_CATALOG: '' }, timeout: 90_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
      );
    });
    const seconds = (Date.now() - started) / 1000;
    expect(result.code, `${result.stdout}\n${result.stderr}`).to.equal(0);
    expect(seconds).to.be.lessThan(60);
    expect(result.stdout).to.contain('Every execution ended as expected');
    const summary = result.stdout.slice(result.stdout.indexOf('6/6  summary'));
    expect(summary.match(/succeeded/g)).to.have.length(6);
    // One execution ran against environment Prod, whose SalesRegion (South) its Region took.
    expect(summary).to.match(/sales_by_region \(environment Prod\)\s+succeeded/);
    expect(summary).to.match(/publish\s+succeeded\s+demo-worker-\d\s+2\s/);
    // The failed first attempt of publish is shown as a failure, with its reason.
    expect(result.stdout).to.match(/publish\s+succeeded \(attempt 2; attempt 1 failed: .*unavailable/);
    expect(existsSync(join(dir, '.scaleout', 'catalog'))).to.equal(true);
    for (const file of ['sales_by_region.csv', 'sales_by_region_north.csv', 'sales_by_region_south.csv', 'customers_clean.csv', 'published.txt']) {
      expect(existsSync(join(dir, '.scaleout', 'demo', 'output', file)), file).to.equal(true);
    }
    expect(readFileSync(join(dir, '.scaleout', 'demo', 'output', 'sales_by_region.csv'), 'utf8').split('\n')[0]).to.equal('region,orders,units,revenue');
    // The embedded catalog's folder is free again: the master closed it.
    expect(existsSync(join(dir, '.scaleout', 'catalog', 'scaleout.lock'))).to.equal(false);
    expect(processesUsing(dir)).to.deep.equal([]);
  });

  it('--keep-running stays up for the CLI, and Ctrl-C stops everything', async () => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'scaleout.js'), 'demo', '--keep-running'], { cwd: dir, env: { ...process.env, SCALEOUT_CATALOG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 90_000;
    while (!out.includes('Ctrl-C stops it') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(out, out).to.contain('The system keeps running');
    // Scale Out Manager runs beside it, on loopback, and shows the demo's workers.
    const managerUrl = /^\s+(http:\/\/127\.0\.0\.1:\d+\/)\s+Scale Out Manager/m.exec(out)?.[1];
    expect(managerUrl, out).to.be.a('string');
    expect(await (await fetch(`${managerUrl}workers`)).text()).to.contain('demo-worker-1');
    // The catalog is reachable while the demo's master holds it.
    const agents = await new Promise<string>((resolve) =>
      execFile(process.execPath, [join(PROJECT_ROOT, 'bin', 'scaleout.js'), 'agent', 'list', '--json'], { cwd: dir, env: { ...process.env, SCALEOUT_CATALOG: '' } }, (_e, stdout) => resolve(String(stdout))),
    );
    expect((JSON.parse(agents) as Array<{ DisplayName: string; State: string }>).filter((a) => a.State === 'online').map((a) => a.DisplayName).sort()).to.deep.equal(['demo-worker-1', 'demo-worker-2']);
    // A second demo on the same folder is refused, and starts nothing.
    const second = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [join(PROJECT_ROOT, 'bin', 'scaleout.js'), 'demo'], { cwd: dir, env: { ...process.env, SCALEOUT_CATALOG: '' }, timeout: 60_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr: String(stderr) }),
      ),
    );
    expect(second.code).to.equal(1);
    expect(second.stderr).to.match(/^error 52008: Another demo \(process \d+\) runs with the state folder/m);
    expect(second.stderr).to.match(/^hint: .*--state/m);
    child.kill('SIGINT');
    expect(await exited).to.equal(130);
    expect(processesUsing(dir)).to.deep.equal([]);
    expect(existsSync(join(dir, '.scaleout', 'catalog', 'scaleout.lock'))).to.equal(false);
  });

  it('output piped into a reader that stops (| head) stops everything, and leaves no process behind', async () => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'scaleout.js'), 'demo'], { cwd: dir, env: { ...process.env, SCALEOUT_CATALOG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        // Once the master and workers run, the reader goes away, as head does after its lines.
        if (out.includes('5/6  executions')) {
          child.stdout!.destroy();
          resolve();
        }
      });
      child.once('exit', () => resolve());
    });
    expect(out).to.contain('5/6  executions');
    const code = await exited;
    expect(code, 'ended by the closed pipe, not by a crash').to.equal(141);
    expect(processesUsing(dir)).to.deep.equal([]);
  });

  it('a demo killed with SIGKILL leaves no master, worker or package host behind: they stop by themselves', async () => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'scaleout.js'), 'demo', '--keep-running'], { cwd: dir, env: { ...process.env, SCALEOUT_CATALOG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const deadline = Date.now() + 90_000;
    while (!out.includes('5/6  executions') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(processesUsing(dir).length, 'its master and workers run').to.be.greaterThan(0);
    child.kill('SIGKILL');
    // Each stops as on SIGTERM: running packages get the demo's 10 s grace, their outcomes and log
    // lines 10 s more to reach a master (kept on disk for the next start when none answers).
    const gone = Date.now() + 75_000;
    while (processesUsing(dir).length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
    expect(processesUsing(dir)).to.deep.equal([]);
  });
});
