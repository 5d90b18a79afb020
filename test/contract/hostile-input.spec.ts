/**
 * Hostile values for every argument of every procedure a worker, a master or a DBA calls: each is
 * refused with a numbered error that names the parameter and shows at most 100 characters of the
 * value, or taken as the procedure may take it — never an unnumbered error from the driver or the
 * server, never a 1 MB value stored. (npm run bench:security runs the larger set of values.)
 */

import { expect } from 'chai';
import { CONTRACT_VALUES, probeCatalog, tally } from '../../bench/security/catalog-probe.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { expectCatalogError } from '../support/catalog-helpers.ts';
import { claim, deployedProject, enabledWorker, startedExecution } from '../support/queue-helpers.ts';

forEachBackend('hostile input', (backend) => {
  const catalog = useCatalog(backend);

  it('every catalog procedure refuses a hostile argument with a numbered error, or takes it as it may', async function () {
    this.timeout(300_000);
    await catalog.db.call('catalog.enable_scaleout', {});
    const results = await probeCatalog(catalog.db, CONTRACT_VALUES);
    const wrong = results.filter((r) => r.outcome === 'crashed' || r.outcome === 'accepted wrongly');
    expect(wrong.map((r) => `${r.procedure} @${r.parameter} = ${r.value}: ${r.outcome} ${r.detail}`)).to.deep.equal([]);
    const counts = tally(results);
    // Most hostile values must be refused: a probe that reached nothing would pass the line above.
    expect(counts.refused).to.be.greaterThan(results.length / 2);
  });
  it('a log line whose time is not a real one is stored with the time of the call, not refused and not an unnumbered error', async () => {
    const db = catalog.db;
    const where = await deployedProject(db);
    const worker = await enabledWorker(db);
    const id = await startedExecution(db, where);
    const [task] = await claim(db, worker, { max: 1, now: new Date(Date.now() + 60_000) });
    expect(task?.execution_id).to.equal(id);
    const lines = ['2024-13-45T99:99:99Z', '2023-02-30T00:00:00Z', '0000-01-01T00:00:00Z', 'yesterday', '2024-02-29T12:00:00Z'].map((time, seq) => ({ message: `line ${seq}`, time, stream: task!.stream_id, seq }));
    const before = Date.now();
    const r = await db.call('internal.append_execution_messages', { ExecutionId: id, Messages: JSON.stringify(lines), WorkerAgentId: worker });
    expect(Number(r.output.inserted)).to.equal(5);
    const stored = await db.query(`SELECT message, message_time FROM catalog.operation_messages WHERE operation_id = ${id} AND message LIKE 'line %' ORDER BY message`);
    const times = stored.map((x) => new Date(x.message_time as string).getTime());
    for (const t of times.slice(0, 4)) expect(Math.abs(t - before)).to.be.below(120_000);
    expect(new Date(times[4]!).toISOString()).to.equal('2024-02-29T12:00:00.000Z');
    // Messages must be a JSON array of objects: anything else is refused, and nothing stored.
    for (const garbage of ['[1,"a",null,[]]', '{"message":"x"}', '[{"message":"x"}', '']) {
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id, BatchId: '0f0f0f0f-0000-4000-8000-000000000001', Messages: garbage, WorkerAgentId: worker }), 51001, /@Messages/);
    }
  });
});
