/**
 * Reading the catalog's views (src/catalog/views.ts): filters, ranges, ordering and paging built
 * with knex, values bound, on every backend — the CLI's lists, doctor and the demo read through it.
 */

import { expect } from 'chai';
import { buildViewQuery, readView } from '../../src/catalog/views.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { snapshot } from '../support/catalog-helpers.ts';
import { claim, complete, deployedProject, enabledWorker, startedExecution } from '../support/queue-helpers.ts';

describe('view queries, as each dialect gets them', () => {
  it('binds every value, and pages with LIMIT/OFFSET on PostgreSQL and OFFSET … FETCH (or TOP) on SQL Server', () => {
    const query = { where: { status: 2, folder_name: 'Finance' }, orderBy: [{ column: 'execution_id', desc: true }], limit: 20, offset: 40 };
    const pg = buildViewQuery('postgres', 'executions', query);
    expect(pg.sql).to.equal('select * from "catalog"."executions" where "status" = $1 and "folder_name" = $2 order by "execution_id" desc limit $3 offset $4');
    expect(pg.params).to.deep.equal([2, 'Finance', 20, 40]);
    const ms = buildViewQuery('mssql', 'executions', query);
    expect(ms.sql).to.equal('select * from [catalog].[executions] where [status] = @p1 and [folder_name] = @p2 order by [execution_id] desc offset @p3 rows fetch next @p4 rows only');
    expect(ms.params).to.deep.equal([2, 'Finance', 40, 20]);
    expect(buildViewQuery('mssql', 'worker_agents', { where: { WorkerAgentId: 'x' }, limit: 5 }).sql).to.equal('select top (@p1) * from [catalog].[worker_agents] where [WorkerAgentId] = @p2');
    // PostgreSQL's views name SSIS's mixed-case columns unquoted: folded to lower case.
    expect(buildViewQuery('postgres', 'worker_agents', { where: { WorkerAgentId: 'x' } }).sql).to.equal('select * from "catalog"."worker_agents" where "workeragentid" = $1');
  });
});

forEachBackend('view queries', (backend) => {
  const catalog = useCatalog(backend);

  it('filters, orders and pages executions; pages add up to the whole ordered list', async () => {
    const db = catalog.db;
    const where = await deployedProject(db);
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push(await startedExecution(db, where));
    const all = await readView(db, 'executions', { where: { folder_name: where.folder }, orderBy: [{ column: 'execution_id', desc: true }] });
    expect(all.map((r) => Number(r.execution_id))).to.deep.equal([...ids].reverse());
    const page = (n: number) => readView(db, 'executions', { where: { folder_name: where.folder }, orderBy: [{ column: 'execution_id', desc: true }], limit: 3, offset: 3 * n });
    const pages = [...(await page(0)), ...(await page(1)), ...(await page(2))];
    expect(pages.map((r) => Number(r.execution_id))).to.deep.equal([...ids].reverse());
    expect(await readView(db, 'executions', { where: { execution_id: [ids[1], ids[3]] }, orderBy: [{ column: 'execution_id' }] })).to.have.length(2);
    expect(await readView(db, 'executions', { where: { execution_id: [] } })).to.deep.equal([]);
    const ranged = await readView(db, 'executions', { range: { execution_id: { from: ids[2], to: ids[5] } }, orderBy: [{ column: 'execution_id' }] });
    expect(ranged.map((r) => Number(r.execution_id))).to.deep.equal(ids.slice(2, 5));
    expect(await readView(db, 'executions', { where: { folder_name: where.folder, status: 7 } })).to.deep.equal([]);
  });

  it('catalog.execution_attempts shows each attempt, its worker, its end and outcome, and the running one\'s lease — never its token', async () => {
    const db = catalog.db;
    await db.query('UPDATE internal.tasks SET status = 4 WHERE status IN (1, 2, 3)'); // from an empty queue
    const where = await deployedProject(db);
    const worker = await enabledWorker(db, { DisplayName: 'attempts-worker' });
    const id = await startedExecution(db, where, { retry: 1 });
    const [first] = await claim(db, worker, { max: 1 });
    await complete(db, first!, 'failed', { error: 'boom' });
    // The retry's backoff and its turn away from the worker it failed on, over at once.
    await db.query(db.dialect === 'mssql'
      ? 'UPDATE internal.tasks SET ready_at = DATEADD(SECOND, -1, SYSDATETIMEOFFSET()), avoid_until = DATEADD(SECOND, -1, SYSDATETIMEOFFSET()) WHERE execution_id = @p1'
      : "UPDATE internal.tasks SET ready_at = now() - interval '1 second', avoid_until = now() - interval '1 second' WHERE execution_id = $1", [id]);
    const [second] = await claim(db, worker, { max: 1 });
    expect(Number(second?.execution_id)).to.equal(id);
    const attempts = await readView(db, 'execution_attempts', { where: { execution_id: id }, orderBy: [{ column: 'attempt' }] });
    expect(attempts.map((a) => [Number(a.attempt), a.outcome, a.worker_display_name])).to.deep.equal([[1, 'failed', 'attempts-worker'], [2, null, 'attempts-worker']]);
    expect(attempts[0]!.lease_expires_at).to.equal(null);
    expect(attempts[1]!.lease_expires_at).to.be.instanceOf(Date);
    expect(Object.keys(attempts[0]!)).not.to.include.members(['lease_token']);
    expect(Object.keys(attempts[0]!)).not.to.include('stream_id');
  });

  it('filters the SSIS mixed-case views by their SSIS names, answers with them, and a hostile value is a value', async () => {
    const db = catalog.db;
    const id = await enabledWorker(db, { DisplayName: 'views-worker' });
    const rows = await readView(db, 'worker_agents', { where: { DisplayName: 'views-worker' } });
    expect(rows).to.have.length(1);
    expect(String(rows[0]!.WorkerAgentId).toLowerCase()).to.equal(id);
    expect(Object.keys(rows[0]!)).to.include.members(['WorkerAgentId', 'DisplayName', 'MachineName', 'State']);
    const before = await snapshot(db, ['internal.worker_agents']);
    expect(await readView(db, 'worker_agents', { where: { DisplayName: "x'; DELETE FROM internal.worker_agents; --" } })).to.deep.equal([]);
    expect(await snapshot(db, ['internal.worker_agents'])).to.deep.equal(before);
  });
});
