/** The master's sweep scheduler against a stand-in catalog: intervals, fencing and grace as it passes them. */

import { expect } from 'chai';
import type { CatalogDb, ProcedureResult } from '../../src/db/types.ts';
import type { Logger } from '../../src/log/logger.ts';
import { createMetrics } from '../../src/master/metrics.ts';
import { CatalogReachability } from '../../src/master/reachability.ts';
import { loadMasterSettings } from '../../src/master/settings.ts';
import { SweepScheduler } from '../../src/master/sweeps.ts';
import { waitFor } from '../support/wait.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A catalog that grants every sweep lease at epoch 7 and records the calls it gets. */
function standIn(): { db: CatalogDb; calls: Array<{ procedure: string; params: Record<string, unknown> }> } {
  const calls: Array<{ procedure: string; params: Record<string, unknown> }> = [];
  const db = {
    backend: 'pg',
    dialect: 'postgres',
    async call(procedure: string, params: Record<string, unknown> = {}): Promise<ProcedureResult> {
      calls.push({ procedure, params });
      const output = procedure === 'internal.acquire_sweep_lease' ? { acquired: true, epoch: 7, expiresat: new Date(), holderid: params.MasterId } : { processed: 0 };
      return { output, rows: [], recordsets: [] };
    },
  } as unknown as CatalogDb;
  return { db, calls };
}

describe('sweep scheduler', () => {
  it('runs the expired-task sweep at DealWithExpiredTasksIntervalInMs even when the lease is renewed far less often, fenced by its epoch and with the master\'s reachable time', async () => {
    const { db, calls } = standIn();
    const settings = loadMasterSettings({ overrides: { SSLCertFile: 'x', SSLKeyFile: 'y', SweepLeaseInMs: 60_000, DealWithExpiredTasksIntervalInMs: 200 }, env: {} });
    const reachability = new CatalogReachability(60_000);
    reachability.ok();
    const scheduler = new SweepScheduler(db, '00000000-0000-0000-0000-0000000000aa', settings, quiet, createMetrics(), (ok) => (ok ? reachability.ok() : reachability.failed()), reachability);
    scheduler.start();
    try {
      const sweeps = () => calls.filter((c) => c.procedure === 'internal.dealwith_expired_tasks');
      // The lease is asked for every 15 s here: four sweeps mean the sweep's own interval decided.
      await waitFor('four expired-task sweeps', () => sweeps().length >= 4, 10_000);
      const last = sweeps().at(-1)!.params;
      expect(last).to.include({ MasterId: '00000000-0000-0000-0000-0000000000aa', Epoch: 7, BatchSize: 100 });
      expect(last.ReachableForMs).to.be.a('number').and.be.greaterThan(0);
    } finally {
      scheduler.stop();
    }
  });

  it('counts reachability from the first success after a failure, and after a silence longer than the largest gap', async () => {
    const r = new CatalogReachability(50);
    expect(r.reachableForMs()).to.equal(0);
    r.ok();
    await new Promise((res) => setTimeout(res, 20));
    r.ok();
    expect(r.reachableForMs()).to.be.greaterThan(10);
    r.failed();
    expect(r.reachableForMs()).to.equal(0);
    r.ok();
    await new Promise((res) => setTimeout(res, 80));
    r.ok();
    expect(r.reachableForMs(), 'a silence longer than the gap starts the count again').to.be.lessThan(20);
  });
});
