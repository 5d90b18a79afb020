/**
 * The worker's package hosts (src/worker/host-pool.ts), as real processes: hosts are started ahead,
 * one for each run in progress up to MaxTaskCount, and go after a while without tasks; a reusable
 * package keeps as many idle hosts as the worker has slots (it kept 16, so at 50 slots most clean
 * hosts were killed and every run paid a process start).
 */

import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostPool, type Host } from '../../src/worker/host-pool.ts';
import { ProcessGuard } from '../../src/worker/process-guard.ts';
import { memoryLogger } from '../../src/log/logger.ts';
import { waitFor } from '../support/wait.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('package hosts', function () {
  this.timeout(60_000);
  let dir: string;
  let guard: ProcessGuard;
  let pool: HostPool | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scaleout-hosts-'));
    guard = new ProcessGuard('00000000-0000-4000-8000-00000000f00d', memoryLogger());
    await guard.start();
  });
  afterEach(() => {
    pool?.close();
    guard.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts one host ahead for each run in progress, up to MaxTaskCount, and ends them after a while without tasks', async () => {
    pool = new HostPool(dir, guard, { maxHosts: 4, keepWarmMs: 1500 });
    const taken: Host[] = [];
    for (let i = 0; i < 3; i++) taken.push(pool.take());
    expect(pool.warmCount).to.equal(3);
    for (let i = 0; i < 3; i++) taken.push(pool.take());
    expect(pool.warmCount, 'never more than MaxTaskCount started ahead').to.equal(4);
    // A run that ends leaves its slot to a task that finds a started host.
    const ready = pool.warmCount;
    for (const h of taken) pool.end(h);
    for (const h of taken) pool.done(h);
    const next = pool.take();
    expect(pool.warmCount).to.be.at.most(ready);
    expect(next.child.pid).to.not.be.oneOf(taken.map((h) => h.child.pid));
    pool.end(next);
    pool.done(next);
    const waiting = await waitFor('the hosts started ahead to be ended', () => (pool!.warmCount === 0 ? true : undefined), 10_000);
    expect(waiting).to.equal(true);
  });

  it('keeps as many idle hosts of a reusable package as the worker has slots, and hands each out again', async () => {
    const slots = 20;
    pool = new HostPool(dir, guard, { maxHosts: slots, keepWarmMs: 30_000 });
    const hosts: Host[] = [];
    for (let i = 0; i < slots; i++) hosts.push(pool.take('hash/reused'));
    expect(pool.warmCount, 'its runs leave their hosts for its next ones: none started ahead').to.equal(0);
    await waitFor('every host connected', () => hosts.every((h) => h.child.connected && h.child.pid !== undefined) || undefined);
    for (const h of hosts) {
      pool.release('hash/reused', h);
      pool.done(h);
    }
    const pids = hosts.map((h) => h.child.pid!);
    expect(pids.every(alive), 'no released host was ended').to.equal(true);
    const again: Host[] = [];
    for (let i = 0; i < slots; i++) again.push(pool.take('hash/reused'));
    // Another package never gets them.
    again.push(pool.take('hash/other'));
    try {
      expect(again.slice(0, slots).map((h) => h.child.pid!).sort()).to.deep.equal([...pids].sort());
      expect(pids).to.not.include(again[slots]!.child.pid);
    } finally {
      for (const h of again) pool.end(h);
    }
  });
});
