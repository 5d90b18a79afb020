/**
 * Leases that hold and log lines stored once, on every backend: a claim the worker acknowledges
 * with its first renewal, and one it never received that costs no attempt; tasks given back
 * unstarted; retries that keep their place; grace after an outage and a sweep fenced by its own
 * lease; a worker that restarted while its package ran; log lines de-duplicated by their number
 * in their stream.
 */

import { expect } from 'chai';
import { expectCatalogError, newId, newThumbprint, snapshot, truthy } from '../support/catalog-helpers.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import {
  claim,
  complete,
  createExecution,
  deployedProject,
  emptyQueue,
  enabledWorker,
  execution,
  messages,
  release,
  renew,
  seconds,
  startedExecution,
  sweepExpired,
} from '../support/queue-helpers.ts';

const TABLES = ['internal.operations', 'internal.tasks', 'internal.operation_messages', 'internal.message_streams', 'internal.sweep_leases'];

/** A time far enough ahead that every task started "now" is ready and no lease from the test's real clock interferes. */
const future = (s = 0) => new Date(Date.now() + 3_600_000 + s * 1000);

async function taskRow(db: Parameters<typeof execution>[0], executionId: number): Promise<Record<string, unknown>> {
  const rows = await db.query(db.dialect === 'mssql' ? 'SELECT * FROM internal.tasks WHERE execution_id = @p1' : 'SELECT * FROM internal.tasks WHERE execution_id = $1', [executionId]);
  return rows[0]!;
}

forEachBackend('leases and log streams', (backend) => {
  const catalog = useCatalog(backend);
  let where: { folder: string; project: string };
  before(async () => {
    where = await deployedProject(catalog.db);
  });
  afterEach(() => emptyQueue(catalog.db, future));

  describe('acknowledging a claim', () => {
    it('renew_task_leases renews every lease a worker holds in one call and marks them running; a lease it does not hold is refused alone (51302)', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const b = await enabledWorker(db);
      const x = await startedExecution(db, where, { create: { priority: 2000 } });
      const y = await startedExecution(db, where, { create: { priority: 2000 } });
      const z = await startedExecution(db, where, { create: { priority: 2000 } });
      const t0 = future();
      const mine = await claim(db, a, { max: 2, now: t0, leaseMs: 10_000 });
      const [theirs] = await claim(db, b, { now: t0, leaseMs: 10_000 });
      expect(mine.map((t) => t.execution_id)).to.have.members([x, y]);
      expect(theirs!.execution_id).to.equal(z);
      expect(Number((await taskRow(db, x)).status), 'claimed, not yet acknowledged').to.equal(2);
      await db.call('catalog.stop_operation', { operation_id: y });

      const before = await taskRow(db, z);
      const stale = { task_id: mine[0]!.task_id, lease_token: newId() };
      const r = await renew(db, a, [...mine, theirs!, stale], { now: seconds(t0, 5), leaseMs: 20_000 });
      expect(r.map((l) => l.error_number)).to.deep.equal([null, null, 51302, 51302]);
      for (const l of r.slice(0, 2)) expect(l.expires_at!.getTime()).to.equal(seconds(t0, 25).getTime());
      const byExecution = new Map(mine.map((t, i) => [t.execution_id, r[i]!]));
      expect(byExecution.get(x)!.is_cancelled).to.equal(false);
      expect(byExecution.get(y)!.is_cancelled, 'a stop request is told with the renewal').to.equal(true);
      expect(Number((await taskRow(db, x)).status)).to.equal(3);
      expect(await taskRow(db, z), 'another worker\'s lease is not touched').to.deep.equal(before);
    });

    it('renew_task_leases and release_tasks refuse bad arguments (51000, 51001), changing nothing', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const before = await snapshot(db, TABLES);
      const tooMany = JSON.stringify(Array.from({ length: 1001 }, () => ({ taskId: newId(), leaseToken: newId() })));
      for (const procedure of ['internal.renew_task_leases', 'internal.release_tasks']) {
        await expectCatalogError(db.call(procedure, { Leases: '[]' }), 51000, /@WorkerAgentId/);
        await expectCatalogError(db.call(procedure, { WorkerAgentId: a }), 51000, /@Leases/);
        await expectCatalogError(db.call(procedure, { WorkerAgentId: a, Leases: 'not json' }), 51001, /@Leases/);
        await expectCatalogError(db.call(procedure, { WorkerAgentId: a, Leases: '{"taskId":"x"}' }), 51001);
        await expectCatalogError(db.call(procedure, { WorkerAgentId: a, Leases: `[{"taskId":"${newId()}","leaseToken":"nope"}]` }), 51001);
        await expectCatalogError(db.call(procedure, { WorkerAgentId: a, Leases: '[1]' }), 51001);
        await expectCatalogError(db.call(procedure, { WorkerAgentId: a, Leases: tooMany }), 51001);
      }
      await expectCatalogError(db.call('internal.renew_task_leases', { WorkerAgentId: a, Leases: '[]', LeaseMs: 999 }), 51001, /@LeaseMs/);
      expect(await snapshot(db, TABLES)).to.deep.equal(before);
    });

    it('a claim never acknowledged goes back to its place when its lease runs out, and the attempt is not counted', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const first = await startedExecution(db, where, { create: { priority: 2100 } });
      const second = await startedExecution(db, where, { create: { priority: 2100 } });
      const t0 = future();
      const [lost] = await claim(db, a, { now: t0, leaseMs: 10_000 });
      expect(lost!.execution_id).to.equal(first);
      expect(await sweepExpired(db, { now: seconds(t0, 9) })).to.equal(0);
      expect(await sweepExpired(db, { now: seconds(t0, 11) })).to.equal(1);
      expect(await execution(db, first)).to.include({ status: 5, executed_count: 0, worker_agent_id: null });
      expect(String((await messages(db, first)).at(-1)!.message)).to.match(/never confirmed that it received attempt 1.*not counted/);

      const [again] = await claim(db, a, { now: seconds(t0, 12) });
      expect(again, 'its place in the queue, before the execution queued after it').to.include({ execution_id: first, executed_count: 1, max_executed_count: 1 });
      await renew(db, a, [again!], { now: seconds(t0, 12) });
      expect(await complete(db, again!, 'succeeded', { now: seconds(t0, 13) })).to.deep.equal({ status: 7, willRetry: false });
      const [next] = await claim(db, a, { now: seconds(t0, 14) });
      expect(next!.execution_id).to.equal(second);
      await complete(db, next!, 'succeeded');
    });

    it('release_tasks gives tasks back unstarted: no attempt counted, their place kept; a stopped one is canceled; a lease the worker does not hold is refused alone (51302)', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const b = await enabledWorker(db);
      const x = await startedExecution(db, where, { create: { priority: 2200 } });
      const y = await startedExecution(db, where, { create: { priority: 2200 } });
      const s = await startedExecution(db, where, { create: { priority: 2200 } });
      const t0 = future();
      const tasks = await claim(db, a, { max: 3, now: t0 });
      const byExecution = new Map(tasks.map((t) => [t.execution_id, t]));
      await renew(db, a, [byExecution.get(x)!], { now: t0 }); // acknowledged, but the package never started
      await db.call('catalog.stop_operation', { operation_id: s });

      expect((await release(db, b, [byExecution.get(x)!], { now: seconds(t0, 1) }))[0]!.error_number, 'another worker cannot give it back').to.equal(51302);
      const r = await release(db, a, [byExecution.get(x)!, byExecution.get(y)!, byExecution.get(s)!, { task_id: byExecution.get(y)!.task_id, lease_token: newId() }], { now: seconds(t0, 1) });
      expect(r.map((l) => [l.execution_status, l.error_number])).to.deep.equal([[5, null], [5, null], [3, null], [null, 51302]]);
      expect(await execution(db, x)).to.include({ status: 5, executed_count: 0 });
      expect(await execution(db, y)).to.include({ status: 5, executed_count: 0 });
      expect((await execution(db, s)).status).to.equal(3);

      const again = await claim(db, b, { max: 2, now: seconds(t0, 2) });
      expect(again.map((t) => [t.execution_id, t.executed_count]).sort((p, q) => p[0]! - q[0]!)).to.deep.equal([[x, 1], [y, 1]]);
      for (const t of again) await complete(db, t, 'succeeded');
    });
  });

  describe('expiry', () => {
    it('after an outage, no lease expires before its worker had one full lease of reachable catalog (ReachableForMs)', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const id = await startedExecution(db, where, { retry: 1, create: { priority: 2300 } });
      const t0 = future();
      const [task] = await claim(db, a, { now: t0, leaseMs: 10_000 });
      await renew(db, a, [task!], { now: t0, leaseMs: 10_000 });
      const later = seconds(t0, 30);
      expect(await sweepExpired(db, { now: later, reachableForMs: 0 })).to.equal(0);
      expect(await sweepExpired(db, { now: later, reachableForMs: 9_999 })).to.equal(0);
      expect(Number((await taskRow(db, id)).status), 'still the worker\'s: it may renew now').to.equal(3);
      const renewed = await renew(db, a, [task!], { now: later, leaseMs: 10_000 });
      expect(renewed[0]!.error_number).to.equal(null);
      expect(await sweepExpired(db, { now: seconds(later, 11), reachableForMs: 10_000 })).to.equal(1);
      expect(await execution(db, id)).to.include({ status: 5, executed_count: 1 });
      await expectCatalogError(db.call('internal.dealwith_expired_tasks', { ReachableForMs: -1 }), 51001, /@ReachableForMs/);
    });

    it('an expired lease is retried at once by any worker, its own included; only a failure passes its worker over', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const b = await enabledWorker(db);
      const id = await startedExecution(db, where, { retry: 2, create: { priority: 2400 } });
      const t0 = future();
      const [first] = await claim(db, a, { now: t0, leaseMs: 10_000 });
      await renew(db, a, [first!], { now: t0, leaseMs: 10_000 });
      expect(await sweepExpired(db, { now: seconds(t0, 11) })).to.equal(1);
      const [second] = await claim(db, a, { now: seconds(t0, 11) });
      expect(second, 'the worker whose lease expired may take it again at once').to.include({ execution_id: id, executed_count: 2 });
      await renew(db, a, [second!], { now: seconds(t0, 11) });
      expect(await complete(db, second!, 'failed', { now: seconds(t0, 12), error: 'boom' })).to.deep.equal({ status: 5, willRetry: true });
      expect(await claim(db, a, { now: seconds(t0, 23) }), 'a failure passes its worker over').to.deep.equal([]);
      const [third] = await claim(db, b, { now: seconds(t0, 23) });
      expect(third).to.include({ execution_id: id, executed_count: 3 });
      await complete(db, third!, 'succeeded');
    });

    it('a retry keeps its place in the queue, ahead of executions queued after it', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const first = await startedExecution(db, where, { retry: 1, create: { priority: 2500 } });
      const second = await startedExecution(db, where, { create: { priority: 2500 } });
      const t0 = future();
      const [task] = await claim(db, a, { now: t0, leaseMs: 10_000 });
      expect(task!.execution_id).to.equal(first);
      await renew(db, a, [task!], { now: t0, leaseMs: 10_000 });
      await sweepExpired(db, { now: seconds(t0, 11) });
      const [next] = await claim(db, a, { now: seconds(t0, 12) });
      expect(next!.execution_id).to.equal(first);
      const [after] = await claim(db, a, { now: seconds(t0, 12) });
      expect(after!.execution_id).to.equal(second);
      for (const t of [next!, after!]) await complete(db, t, 'succeeded');
    });

    it('abandoned: a worker that restarted while its package ran ends the attempt, retried at once; with none left the execution ends unexpectedly (6)', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const id = await startedExecution(db, where, { retry: 1, create: { priority: 2600 } });
      const t0 = future();
      const [first] = await claim(db, a, { now: t0 });
      await renew(db, a, [first!], { now: t0 });
      expect(await complete(db, first!, 'abandoned', { now: seconds(t0, 1) })).to.deep.equal({ status: 5, willRetry: true });
      expect(String((await messages(db, id)).at(-1)!.message)).to.match(/Attempt 1 of 2 was ended when its worker .* restarted\. Retrying now\./);
      const [second] = await claim(db, a, { now: seconds(t0, 1) });
      expect(second).to.include({ execution_id: id, executed_count: 2 });
      expect(await complete(db, second!, 'abandoned', { now: seconds(t0, 2) })).to.deep.equal({ status: 6, willRetry: false });
      const r = await db.call('internal.complete_tasks', { Completions: JSON.stringify([{ taskId: first!.task_id, leaseToken: first!.lease_token, outcome: 'abandoned' }]) });
      expect(Number(r.rows[0]!.error_number)).to.equal(51302);
    });

    it('is fenced by its sweep lease: a master that does not hold expired_tasks at that epoch sweeps nothing (51301)', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      await startedExecution(db, where, { create: { priority: 2700 } });
      const t0 = future();
      const [task] = await claim(db, a, { now: t0, leaseMs: 10_000 });
      await renew(db, a, [task!], { now: t0, leaseMs: 10_000 });
      const holder = newId();
      const lease = await db.call('internal.acquire_sweep_lease', { SweepName: 'expired_tasks', MasterId: holder, LeaseMs: 60_000, now: seconds(t0, 5) });
      expect(truthy(lease.output.acquired)).to.equal(true);
      const epoch = Number(lease.output.epoch);
      const at = seconds(t0, 20);
      const before = await snapshot(db, TABLES);
      await expectCatalogError(sweepExpired(db, { now: at, masterId: newId(), epoch }), 51301, /expired_tasks/);
      await expectCatalogError(sweepExpired(db, { now: at, masterId: holder, epoch: epoch + 1 }), 51301);
      await expectCatalogError(sweepExpired(db, { now: seconds(t0, 66), masterId: holder, epoch }), 51301, /lease/);
      await expectCatalogError(db.call('internal.dealwith_expired_tasks', { now: at, MasterId: holder }), 51001, /@Epoch/);
      expect(await snapshot(db, TABLES)).to.deep.equal(before);
      expect(await sweepExpired(db, { now: at, masterId: holder, epoch })).to.equal(1);
      await db.call('internal.release_sweep_lease', { SweepName: 'expired_tasks', MasterId: holder, Epoch: epoch });
    });
  });

  describe('log lines with a stream', () => {
    const line = (stream: string, seq: number, text = `line ${seq}`) => ({ stream, seq, time: '2030-01-01T00:00:00.000Z', type: 70, message: text });
    const append = async (id: number, lines: unknown[], options: { batchId?: string; worker?: string } = {}) =>
      Number((await catalog.db.call('internal.append_execution_messages', { ExecutionId: id, BatchId: options.batchId, Messages: JSON.stringify(lines), WorkerAgentId: options.worker })).output.inserted);

    /** An execution claimed twice by the worker (the first claim given back): two attempts, two streams. */
    async function twoAttempts(): Promise<{ id: number; worker: string; s1: string; s2: string }> {
      const db = catalog.db;
      const worker = await enabledWorker(db);
      const id = await startedExecution(db, where, { create: { priority: 2800 } });
      const t0 = future();
      const [first] = await claim(db, worker, { now: t0 });
      await release(db, worker, [first!], { now: t0 });
      const [second] = await claim(db, worker, { now: t0 });
      expect([first!.execution_id, second!.execution_id]).to.deep.equal([id, id]);
      expect(first!.stream_id).not.to.equal(second!.stream_id);
      return { id, worker, s1: first!.stream_id, s2: second!.stream_id };
    }

    it('are stored once by their number in the stream: a batch sent again, or one overlapping what was stored, adds only new lines', async () => {
      const db = catalog.db;
      const { id, worker, s1, s2 } = await twoAttempts();
      expect(await append(id, [line(s1, 0), line(s1, 1), line(s1, 2)])).to.equal(3);
      expect(await append(id, [line(s1, 0), line(s1, 1), line(s1, 2)]), 'the same lines again').to.equal(0);
      expect(await append(id, [line(s1, 1), line(s1, 2), line(s1, 3), line(s2, 0), line(s1, 4), line(s2, 0)]), 'a recovered batch overlapping the last one').to.equal(3);
      const batch = newId();
      expect(await append(id, [{ message: 'no stream' }, line(s2, 1)], { batchId: batch, worker })).to.equal(2);
      expect(await append(id, [{ message: 'no stream' }, line(s2, 1)], { batchId: batch, worker })).to.equal(0);
      expect((await messages(db, id)).filter((m) => m.message_source_type === 30).map((m) => m.message)).to.deep.equal(['line 0', 'line 1', 'line 2', 'line 3', 'line 0', 'line 4', 'no stream', 'line 1']);
    });

    it('go only to the streams of the execution\'s attempts, of the worker the master names; lines without a stream only through the master (51403), storing nothing', async () => {
      const db = catalog.db;
      const { id, worker, s1 } = await twoAttempts();
      const stranger = await enabledWorker(db);
      const other = await twoAttempts();
      const before = await snapshot(db, TABLES);
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id, Messages: JSON.stringify([line(newId(), 0)]) }), 51403, /log-writer login.*stream .* of execution/);
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id, Messages: JSON.stringify([line(other.s1, 0)]) }), 51403, /not a stream of its own attempts/);
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id, Messages: JSON.stringify([line(s1, 0)]), WorkerAgentId: stranger }), 51403, new RegExp(stranger));
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id, BatchId: newId(), Messages: '[{"message":"forged"}]' }), 51403, /without a stream.*through the master/);
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id, BatchId: newId(), Messages: '[{"message":"forged"}]', WorkerAgentId: stranger }), 51403);
      expect(await snapshot(db, TABLES)).to.deep.equal(before);
      expect(await append(id, [line(s1, 0)], { worker }), 'its own worker, through the master').to.equal(1);
    });

    it('refuse what is not a message object, a stream that is not a UUID or has no whole seq (51001), and lines without a stream and without a BatchId (51000), storing nothing', async () => {
      const db = catalog.db;
      const id = await createExecution(db, where);
      const before = await snapshot(db, TABLES);
      const s = newId();
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id, BatchId: newId(), Messages: '[1,"a",null,[]]' }), 51001, /element 0/);
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id, Messages: JSON.stringify([line(s, 0), { stream: 'nope', seq: 1 }]) }), 51001, /element 1/);
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id, Messages: JSON.stringify([{ stream: s, message: 'x' }]) }), 51001);
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id, Messages: JSON.stringify([{ stream: s, seq: 1.5, message: 'x' }]) }), 51001);
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id, Messages: JSON.stringify([{ stream: s, seq: -1, message: 'x' }]) }), 51001);
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id, Messages: JSON.stringify([line(s, 0), { message: 'x' }]) }), 51000, /@BatchId/);
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: -1, Messages: JSON.stringify([line(s, 0)]) }), 51106);
      expect(await snapshot(db, TABLES)).to.deep.equal(before);
    });
  });

  describe('who may do what with a lease or a project', () => {
    it('renewals and completions count only for the worker that holds the lease, when the master names it (51302)', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const b = await enabledWorker(db);
      await startedExecution(db, where, { create: { priority: 2900 } });
      const [task] = await claim(db, a, { now: future() });
      const before = await snapshot(db, TABLES);
      await expectCatalogError(db.call('internal.renew_task_lease', { TaskId: task!.task_id, LeaseToken: task!.lease_token, WorkerAgentId: b }), 51302);
      await expectCatalogError(db.call('internal.complete_task', { TaskId: task!.task_id, LeaseToken: task!.lease_token, Outcome: 'succeeded', WorkerAgentId: b }), 51302);
      const many = await db.call('internal.complete_tasks', { Completions: JSON.stringify([{ taskId: task!.task_id, leaseToken: task!.lease_token, outcome: 'succeeded' }]), WorkerAgentId: b });
      expect(Number(many.rows[0]!.error_number)).to.equal(51302);
      expect(await snapshot(db, TABLES)).to.deep.equal(before);
      await db.call('internal.renew_task_lease', { TaskId: task!.task_id, LeaseToken: task!.lease_token, WorkerAgentId: a });
      const done = await db.call('internal.complete_tasks', { Completions: JSON.stringify([{ taskId: task!.task_id, leaseToken: task!.lease_token, outcome: 'succeeded' }]), WorkerAgentId: a });
      expect(Number(done.rows[0]!.execution_status)).to.equal(7);
      const attempts = await db.query(db.dialect === 'mssql' ? 'SELECT outcome, ended_time FROM internal.task_attempts WHERE stream_id = @p1' : 'SELECT outcome, ended_time FROM internal.task_attempts WHERE stream_id = $1', [task!.stream_id]);
      expect(attempts.map((r) => r.outcome)).to.deep.equal(['succeeded']);
    });

    it('a worker downloads only the project versions of tasks it holds (51403); a hash is 64 hexadecimal digits (51001)', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const b = await enabledWorker(db);
      await startedExecution(db, where, { create: { priority: 2900 } });
      const [task] = await claim(db, a, { now: future() });
      const mine = await db.call('internal.get_project_version', { ContentHash: task!.content_hash, WorkerAgentId: a });
      expect(mine.rows).to.have.length(1);
      await expectCatalogError(db.call('internal.get_project_version', { ContentHash: task!.content_hash, WorkerAgentId: b }), 51403, /holds no task of that version/);
      await expectCatalogError(db.call('internal.get_project_version', { ContentHash: `${task!.content_hash}00` }), 51001, /64 hexadecimal digits/);
      await complete(db, task!, 'succeeded');
      await expectCatalogError(db.call('internal.get_project_version', { ContentHash: task!.content_hash, WorkerAgentId: a }), 51403);
    });

    it('identify_worker_agent names a certificate\'s worker and whether it is enabled, and refuses an untrusted certificate (51401) or another worker\'s (51402)', async () => {
      const db = catalog.db;
      const id = newId();
      const thumbprint = newThumbprint();
      await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: thumbprint, IsEnabled: 1 });
      const who = await db.call('internal.identify_worker_agent', { CertificateThumbprint: thumbprint.toLowerCase() });
      expect([String(who.output.workeragentid).toLowerCase(), truthy(who.output.isenabled)]).to.deep.equal([id, true]);
      await db.call('catalog.disable_worker_agent', { WorkerAgentId: id });
      expect(truthy((await db.call('internal.identify_worker_agent', { CertificateThumbprint: thumbprint, WorkerAgentId: id })).output.isenabled)).to.equal(false);
      await expectCatalogError(db.call('internal.identify_worker_agent', { CertificateThumbprint: newThumbprint() }), 51401);
      await expectCatalogError(db.call('internal.identify_worker_agent', { CertificateThumbprint: thumbprint, WorkerAgentId: newId() }), 51402);
      const loose = newThumbprint();
      await db.call('catalog.trust_worker_certificate', { CertificateThumbprint: loose });
      expect((await db.call('internal.identify_worker_agent', { CertificateThumbprint: loose, WorkerAgentId: newId() })).output.workeragentid, 'trusted ahead of its worker').to.equal(null);
      await db.call('catalog.delete_worker_agent', { WorkerAgentId: id });
      await expectCatalogError(db.call('internal.identify_worker_agent', { CertificateThumbprint: thumbprint }), 51401);
    });
  });
});
