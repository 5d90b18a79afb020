/** The master's shared poll for newly ready tasks, against a stand-in catalog that fails and recovers. */

import { expect } from 'chai';
import type { CatalogDb, ProcedureResult } from '../../src/db/types.ts';
import type { Logger } from '../../src/log/logger.ts';
import { Dispatcher } from '../../src/master/dispatcher.ts';
import { waitFor } from '../support/wait.ts';

describe('dispatcher poll', () => {
  it('says when its poll fails (once, not every tick), counts every failure, says when it works again, and then wakes the waiting claim', async () => {
    let failing = true;
    let polls = 0;
    const db = {
      backend: 'mssql',
      dialect: 'mssql',
      capabilities: { multiConnection: true, listenNotify: false },
      async call(): Promise<ProcedureResult> {
        polls++;
        // What SQL Server answers a bare READPAST under READ_COMMITTED_SNAPSHOT.
        if (failing) throw new Error('You can only specify the READPAST lock in the READ COMMITTED or REPEATABLE READ isolation levels.');
        return { output: { readat: new Date(), newlyready: 1 }, rows: [], recordsets: [] };
      },
    } as unknown as CatalogDb;
    const said: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
    const log: Logger = {
      debug() {},
      info: (message, fields) => said.push({ level: 'info', message, fields }),
      warn: (message, fields) => said.push({ level: 'warn', message, fields }),
      error: (message, fields) => said.push({ level: 'error', message, fields }),
    };
    let failures = 0;
    const dispatcher = new Dispatcher(db, 20, log, () => failures++);
    await dispatcher.start();
    try {
      const wake = dispatcher.nextWake(30_000);
      await waitFor('five failed polls', () => polls >= 5, 10_000);
      expect(failures).to.be.at.least(5);
      const warnings = said.filter((s) => s.level === 'warn');
      expect(warnings, 'one warning for a run of failures').to.have.length(1);
      expect(warnings[0]!.message).to.match(/dispatch poll failed/);
      expect(String(warnings[0]!.fields?.error)).to.match(/READPAST/);

      failing = false;
      const baton = await wake.promise;
      expect(baton, 'the waiting claim is woken once the poll finds work').to.not.equal(undefined);
      await waitFor('the recovery said', () => said.some((s) => s.level === 'info' && /works again/.test(s.message)), 10_000);
    } finally {
      await dispatcher.close();
    }
  });

  it('a worker whose tasks ended wakes its own waiting claims, and no one else\'s', async () => {
    const db = { backend: 'pg', dialect: 'postgres', capabilities: { multiConnection: true, listenNotify: true }, async call() { throw new Error('not called'); } } as unknown as CatalogDb;
    const dispatcher = new Dispatcher(db, 60_000);
    try {
      const mine = dispatcher.nextWake(30_000, 'worker-a');
      const other = dispatcher.nextWake(30_000, 'worker-b');
      const unnamed = dispatcher.nextWake(30_000);
      dispatcher.slotsFreed('worker-a');
      expect(await mine.promise).to.deep.equal({ hops: 0, open: false });
      expect(dispatcher.waiting, 'the other worker\'s claim and the unnamed one still wait').to.equal(2);
      other.cancel();
      unnamed.cancel();
    } finally {
      await dispatcher.close();
    }
  });
});
