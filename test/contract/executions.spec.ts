/**
 * Executions and the Scale Out task queue, on every backend: SSIS's execution procedures, the whole
 * lifecycle of reference §1.7 and §5.4 driven by an explicit @now, eligibility, priority, stop in
 * every state, log batches, the sweeps, and concurrent claims.
 */

import { expect } from 'chai';
import type { CatalogDb } from '../../src/db/types.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { expectCatalogError, newId, snapshot, truthy, view, workerRow } from '../support/catalog-helpers.ts';
import {
  claim,
  complete,
  createExecution,
  deploy,
  deployedProject,
  emptyQueue,
  enabledWorker,
  execution,
  messages,
  operation,
  renew,
  seconds,
  startedExecution,
} from '../support/queue-helpers.ts';
import { Keyring } from '../../src/catalog/protection.ts';
import { TEST_KEY_FOLDER } from '../support/key-folder.ts';

const EXECUTION_TABLES = ['internal.operations', 'internal.executions', 'internal.execution_parameter_values', 'internal.execution_workers', 'internal.tasks'];

/** A time far enough ahead that every task started "now" is ready and no lease from the test's real clock interferes. */
const future = (s = 0) => new Date(Date.now() + 3_600_000 + s * 1000);

forEachBackend('executions and the task queue', (backend) => {
  const catalog = useCatalog(backend);
  let where: { folder: string; project: string };
  before(async () => {
    where = await deployedProject(catalog.db);
  });

  /** Leaves no task behind, leased or ready, so that each test claims and sweeps only what it queued. */
  afterEach(() => emptyQueue(catalog.db, future));

  describe('creating and starting executions', () => {
    it('create_execution records a created execution with its project, package and system parameters', async () => {
      const db = catalog.db;
      const id = await createExecution(db, where, { priority: 5, required_tags: ' SSD , linux', timeout_seconds: 30 });
      const e = await execution(db, id);
      expect(e).to.include({ folder_name: where.folder, project_name: 'etl', package_name: 'load', status: 1, operation_type: 200, object_type: 20, executed_count: 0, priority: 5, required_tags: ',linux,ssd,', timeout_seconds: 30 });
      const params = (await view(db, 'catalog.execution_parameter_values')).filter((p) => p.execution_id === id);
      const byName = Object.fromEntries(params.map((p) => [`${p.object_type}:${p.parameter_name}`, p]));
      expect(Object.keys(byName).sort()).to.deep.equal([
        '20:ApiKey', '20:InputFile', '20:Region', '30:BatchSize',
        '50:CALLER_INFO', '50:DUMP_EVENT_CODE', '50:DUMP_ON_ERROR', '50:DUMP_ON_EVENT', '50:LOGGING_LEVEL', '50:SYNCHRONIZED',
      ]);
      expect(byName['50:LOGGING_LEVEL']).to.include({ parameter_value: '1', parameter_data_type: 'Int32' });
      expect(byName['30:BatchSize']).to.include({ parameter_value: '500' });
      expect(byName['20:ApiKey']!.parameter_value, 'sensitive values are never shown').to.equal(null);
      expect(truthy(byName['20:InputFile']!.required)).to.equal(true);
      expect(truthy(byName['20:InputFile']!.value_set)).to.equal(false);
    });

    it('takes the package timeout from the manifest when none is given', async () => {
      expect((await execution(catalog.db, await createExecution(catalog.db, where))).timeout_seconds).to.equal(600);
    });

    it('create_execution refuses what SSIS refuses, changing nothing', async () => {
      const db = catalog.db;
      const before = await snapshot(db, EXECUTION_TABLES);
      const e = await expectCatalogError(db.call('catalog.create_execution', {}), 51000);
      expect(e.message).to.match(/@?folder_name\b/).and.match(/@?project_name\b/).and.match(/@?package_name\b/);
      await expectCatalogError(createExecution(db, { folder: 'nope', project: 'etl' }), 51103);
      await expectCatalogError(createExecution(db, { folder: where.folder, project: 'nope' }), 51104);
      await expectCatalogError(createExecution(db, where, { package_name: 'nope' }), 51105);
      await expectCatalogError(createExecution(db, where, { package_name: 'helper' }), 51205);
      await expectCatalogError(createExecution(db, where, { reference_id: 987654 }), 51112, /987654/);
      await expectCatalogError(createExecution(db, where, { runinscaleout: 0 }), 51212);
      await expectCatalogError(createExecution(db, where, { timeout_seconds: 0 }), 51001, /@timeout_seconds/);
      await db.call('catalog.disable_scaleout');
      try {
        await expectCatalogError(createExecution(db, where), 51213);
      } finally {
        await db.call('catalog.enable_scaleout');
      }
      expect(await snapshot(db, EXECUTION_TABLES)).to.deep.equal(before);
    });

    it('set_execution_parameter_value checks the type and the state', async () => {
      const db = catalog.db;
      const id = await createExecution(db, where);
      const set = (object_type: number, parameter_name: string, parameter_value: unknown) =>
        db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type, parameter_name, parameter_value });
      await set(30, 'BatchSize', 42);
      await set(50, 'LOGGING_LEVEL', 3);
      await set(50, 'DUMP_ON_ERROR', 'true');
      const before = await snapshot(db, EXECUTION_TABLES);
      await expectCatalogError(set(30, 'BatchSize', 'lots'), 51001, /Int32/);
      await expectCatalogError(set(50, 'LOGGING_LEVEL', 7), 51001, /logging level/);
      await expectCatalogError(set(30, 'NoSuchParameter', 1), 51108);
      await expectCatalogError(set(40, 'BatchSize', 1), 51001, /@object_type/);
      await expectCatalogError(db.call('catalog.set_execution_parameter_value', { execution_id: -1, object_type: 20, parameter_name: 'x', parameter_value: 1 }), 51106);
      expect(await snapshot(db, EXECUTION_TABLES)).to.deep.equal(before);
      const values = Object.fromEntries((await view(db, 'catalog.execution_parameter_values')).filter((p) => p.execution_id === id).map((p) => [p.parameter_name, p.parameter_value]));
      expect(values).to.include({ BatchSize: '42', LOGGING_LEVEL: '3', DUMP_ON_ERROR: '1' });
    });

    it('system parameters keep the logging level the execution was created with, stable ids, one row each once set, and reach the claim', async () => {
      const db = catalog.db;
      const level = async (v: string) => db.call('catalog.configure_catalog', { property_name: 'SERVER_LOGGING_LEVEL', property_value: v });
      const system = async (id: number) =>
        Object.fromEntries((await view(db, 'catalog.execution_parameter_values', `execution_id = ${id} AND object_type = 50`)).map((p) => [p.parameter_name, p]));
      // A project without parameters: its executions store none (the claim's list of defaults).
      const bare = { folder: where.folder, project: `bare_${newId().slice(0, 8)}` };
      await deploy(db, bare.folder, { name: bare.project, packages: [{ name: 'load', kind: 'node' }] });
      await level('3');
      let id: number;
      let other: number;
      let plain: number;
      try {
        id = await createExecution(db, where);
        other = await createExecution(db, where);
        plain = await createExecution(db, bare);
      } finally {
        await level('1');
      }
      const first = await system(id);
      expect(first.LOGGING_LEVEL, 'the server level when the execution was created, not now').to.include({ parameter_value: '3', parameter_data_type: 'Int32' });
      expect(truthy(first.CALLER_INFO!.value_set)).to.equal(false);
      expect(truthy(first.DUMP_ON_ERROR!.value_set)).to.equal(true);
      const ids = (rows: Record<string, Record<string, unknown>>) => Object.values(rows).map((p) => String(p.execution_parameter_id));
      expect(ids(await system(id)), 'the same ids on every read').to.deep.equal(ids(first));
      expect(new Set([...ids(first), ...ids(await system(other))]).size, 'no two parameters share an id').to.equal(12);

      const set = (parameter_name: string, parameter_value: unknown) =>
        db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 50, parameter_name, parameter_value });
      const before = await snapshot(db, EXECUTION_TABLES);
      await expectCatalogError(set('logging_level', 7), 51001, /logging level/);
      await expectCatalogError(set('NO_SUCH_PARAMETER', 1), 51108);
      expect(await snapshot(db, EXECUTION_TABLES), 'a refused value stores nothing').to.deep.equal(before);
      await set('caller_info', 'SQL Agent job 7');
      await set('CALLER_INFO', 'SQL Agent job 8');
      await set('LOGGING_LEVEL', 0);
      const after = await system(id);
      expect(Object.keys(after).sort(), 'each system parameter once, whichever are stored').to.deep.equal(Object.keys(first).sort());
      expect(after.CALLER_INFO).to.include({ parameter_value: 'SQL Agent job 8' });
      expect(truthy(after.CALLER_INFO!.value_set) && truthy(after.CALLER_INFO!.runtime_override)).to.equal(true);
      expect(after.LOGGING_LEVEL).to.include({ parameter_value: '0' });
      expect(after.DUMP_ON_ERROR!.execution_parameter_id).to.deep.equal(first.DUMP_ON_ERROR!.execution_parameter_id);

      await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 20, parameter_name: 'InputFile', parameter_value: 'x.csv' });
      await db.call('catalog.start_execution', { execution_id: id });
      await db.call('catalog.set_execution_parameter_value', { execution_id: other, object_type: 20, parameter_name: 'InputFile', parameter_value: 'x.csv' });
      await db.call('catalog.start_execution', { execution_id: other });
      await db.call('catalog.start_execution', { execution_id: plain });
      const worker = await enabledWorker(db);
      const tasks = await claim(db, worker, { max: 10, now: future() });
      const given = (execution: number) => tasks.find((t) => Number(t.execution_id) === execution)!.parameters;
      const carried = (execution: number) => Object.fromEntries(given(execution).filter((p) => p.object_type === 50).map((p) => [p.name, p.value]));
      expect(carried(id)).to.deep.equal({ CALLER_INFO: 'SQL Agent job 8', DUMP_EVENT_CODE: '0', DUMP_ON_ERROR: '0', DUMP_ON_EVENT: '0', LOGGING_LEVEL: '0', SYNCHRONIZED: '0' });
      expect(carried(other)).to.deep.equal({ CALLER_INFO: null, DUMP_EVENT_CODE: '0', DUMP_ON_ERROR: '0', DUMP_ON_EVENT: '0', LOGGING_LEVEL: '3', SYNCHRONIZED: '0' });
      expect(given(plain), 'an execution that stores no parameter gets the same six, in the same order, as one that does')
        .to.deep.equal(given(other).filter((p) => p.object_type === 50));
    });

    it('start_execution refuses missing required parameters (51209), a second start (51207), a bad retry count (51001) and an outdated project (51208)', async () => {
      const db = catalog.db;
      const id = await createExecution(db, where);
      const before = await snapshot(db, EXECUTION_TABLES);
      await expectCatalogError(db.call('catalog.start_execution', { execution_id: id }), 51209, /InputFile/);
      await expectCatalogError(db.call('catalog.start_execution', { execution_id: id, retry_count: -1 }), 51001, /@retry_count/);
      await expectCatalogError(db.call('catalog.start_execution', { execution_id: -5 }), 51106);
      expect(await snapshot(db, EXECUTION_TABLES)).to.deep.equal(before);

      await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 20, parameter_name: 'InputFile', parameter_value: 'x.csv' });
      await db.call('catalog.start_execution', { execution_id: id, retry_count: 2 });
      expect(await execution(db, id)).to.include({ status: 5, machine_name: '', max_executed_count: 3 });
      await expectCatalogError(db.call('catalog.start_execution', { execution_id: id }), 51207, /status 5/);
      await expectCatalogError(db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 30, parameter_name: 'BatchSize', parameter_value: 1 }), 51207);

      const folder = `f_${newId().slice(0, 8)}`;
      await db.call('catalog.create_folder', { folder_name: folder });
      await deploy(db, folder);
      const stale = await createExecution(db, { folder, project: 'etl' });
      await db.call('catalog.set_execution_parameter_value', { execution_id: stale, object_type: 20, parameter_name: 'InputFile', parameter_value: 'x.csv' });
      await deploy(db, folder);
      await expectCatalogError(db.call('catalog.start_execution', { execution_id: stale }), 51208);
    });
  });

  describe('the lifecycle of a task', () => {
    it('start → claim → renew → succeed', async () => {
      const db = catalog.db;
      const worker = await enabledWorker(db);
      const id = await startedExecution(db, where, { create: { priority: 1000 } });
      const now = future();
      const [task, ...rest] = await claim(db, worker, { max: 5, now });
      expect(rest).to.deep.equal([]);
      expect(task).to.include({ execution_id: id, executed_count: 1, max_executed_count: 1, package_name: 'load', package_kind: 'node', timeout_seconds: 600 });
      expect(task!.lease_expires_at.getTime()).to.equal(now.getTime() + 60000);
      const params = Object.fromEntries(task!.parameters.map((p) => [p.name, p.value]));
      expect(params).to.include({ InputFile: '/data/sales.csv', Region: 'emea', BatchSize: '500', LOGGING_LEVEL: '1' });
      // The sensitive one comes encrypted (PostgreSQL; SQL Server decrypts for the master itself).
      if (db.dialect === 'postgres') expect(String(params.ApiKey)).to.match(/^enc:/);
      expect(await new Keyring(TEST_KEY_FOLDER).reveal(String(params.ApiKey))).to.equal('k-123');

      const running = await execution(db, id);
      expect(running).to.include({ status: 2, worker_agent_id: worker, executed_count: 1 });
      expect(running.machine_name).to.match(/^host-/);
      expect((await workerRow(db, worker))!.RunningTaskCount).to.equal(1);

      const renewed = await db.call('internal.renew_task_lease', { TaskId: task!.task_id, LeaseToken: task!.lease_token, LeaseMs: 60000, now: seconds(now, 30) });
      expect(truthy(renewed.output.iscancelled)).to.equal(false);
      expect((renewed.output.expiresat as Date).getTime()).to.equal(now.getTime() + 90000);

      expect(await complete(db, task!, 'succeeded', { now: seconds(now, 40) })).to.deep.equal({ status: 7, willRetry: false });
      const done = await execution(db, id);
      expect(done.status).to.equal(7);
      expect((done.end_time as Date).getTime()).to.equal(now.getTime() + 40000);
      expect((await workerRow(db, worker))!.RunningTaskCount).to.equal(0);

      const before = await snapshot(db, EXECUTION_TABLES);
      await expectCatalogError(complete(db, task!, 'failed'), 51302, new RegExp(task!.task_id));
      await expectCatalogError(db.call('internal.renew_task_lease', { TaskId: task!.task_id, LeaseToken: task!.lease_token }), 51302);
      expect(await snapshot(db, EXECUTION_TABLES)).to.deep.equal(before);
    });

    it('fails, is retried after a backoff on another worker, then succeeds', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const b = await enabledWorker(db);
      const id = await startedExecution(db, where, { retry: 2, create: { priority: 1000 } });
      const t0 = future();
      const [first] = await claim(db, a, { now: t0 });
      expect(await complete(db, first!, 'failed', { now: seconds(t0, 1), error: 'Division by zero' })).to.deep.equal({ status: 5, willRetry: true });
      expect(await execution(db, id)).to.include({ status: 5, machine_name: '', executed_count: 1, worker_agent_id: null });
      const log = await messages(db, id);
      expect(log.at(-1)).to.include({ message_type: 110, message_source_type: 10 });
      expect(String(log.at(-1)!.message)).to.match(/Attempt 1 of 3 failed on .*Division by zero.*Retrying in 5 s/);

      expect(await claim(db, a, { now: seconds(t0, 2) }), 'not before the backoff').to.deep.equal([]);
      expect(await claim(db, a, { now: seconds(t0, 7) }), 'not the worker it failed on, for a while').to.deep.equal([]);
      const [second] = await claim(db, b, { now: seconds(t0, 7) });
      expect(second).to.include({ execution_id: id, executed_count: 2 });
      expect(second!.lease_token).not.to.equal(first!.lease_token);
      expect(await execution(db, id)).to.include({ status: 2, worker_agent_id: b, executed_count: 2 });

      await expectCatalogError(complete(db, first!, 'succeeded'), 51302);
      expect(await complete(db, second!, 'succeeded', { now: seconds(t0, 9) })).to.deep.equal({ status: 7, willRetry: false });
    });

    it('fails for good when no attempt is left', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const id = await startedExecution(db, where, { create: { priority: 1000 } });
      const [task] = await claim(db, a, { now: future() });
      expect(await complete(db, task!, 'failed', { error: 'boom' })).to.deep.equal({ status: 4, willRetry: false });
      expect((await execution(db, id)).status).to.equal(4);
      expect(String((await messages(db, id)).at(-1)!.message)).to.match(/Attempt 1 of 1 failed on .*boom/);
    });

    it('lease expiry: retried at once while attempts remain, then ended unexpectedly; late reports are refused', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const b = await enabledWorker(db);
      const id = await startedExecution(db, where, { retry: 1, create: { priority: 1000 } });
      const t0 = future();
      const [first] = await claim(db, a, { now: t0, leaseMs: 60000 });
      await renew(db, a, [first!], { now: t0, leaseMs: 60000 }); // the worker acknowledges the claim
      const sweep = async (now: Date) => Number((await db.call('internal.dealwith_expired_tasks', { now })).output.processed);

      expect(await sweep(seconds(t0, 59))).to.equal(0);
      expect(await sweep(seconds(t0, 61))).to.equal(1);
      expect(await execution(db, id)).to.include({ status: 5, executed_count: 1 });
      expect(String((await messages(db, id)).at(-1)!.message)).to.match(/lost its worker .*lease expired.*Retrying now/);

      const [second] = await claim(db, b, { now: seconds(t0, 62) });
      expect(second).to.include({ execution_id: id, executed_count: 2 });
      await renew(db, b, [second!], { now: seconds(t0, 62), leaseMs: 60000 });
      expect(await sweep(seconds(t0, 62 + 61))).to.equal(1);
      const ended = await execution(db, id);
      expect(ended.status).to.equal(6);
      expect(ended.end_time).to.be.instanceOf(Date);

      const before = await snapshot(db, EXECUTION_TABLES);
      await expectCatalogError(complete(db, first!, 'succeeded'), 51302);
      await expectCatalogError(complete(db, second!, 'succeeded'), 51302);
      expect(await snapshot(db, EXECUTION_TABLES)).to.deep.equal(before);
    });
    it('complete_tasks records many completions in one call, each on its own', async () => {
      const db = catalog.db;
      const worker = await enabledWorker(db);
      const ok1 = await startedExecution(db, where, { create: { priority: 1000 } });
      const ok2 = await startedExecution(db, where, { create: { priority: 1000 } });
      const retry = await startedExecution(db, where, { retry: 1, create: { priority: 1000 } });
      const stopped = await startedExecution(db, where, { create: { priority: 1000 } });
      const tasks = await claim(db, worker, { max: 4, now: future() });
      expect(tasks.map((t) => t.execution_id).sort()).to.deep.equal([ok1, ok2, retry, stopped].sort());
      await db.call('catalog.stop_operation', { operation_id: stopped });
      const byExecution = new Map(tasks.map((t) => [t.execution_id, t]));
      const list = [
        { taskId: byExecution.get(ok1)!.task_id, leaseToken: byExecution.get(ok1)!.lease_token, outcome: 'succeeded' },
        { taskId: byExecution.get(retry)!.task_id, leaseToken: byExecution.get(retry)!.lease_token, outcome: 'failed', errorMessage: 'boom' },
        { taskId: byExecution.get(ok2)!.task_id, leaseToken: newId(), outcome: 'succeeded' },
        { taskId: byExecution.get(stopped)!.task_id, leaseToken: byExecution.get(stopped)!.lease_token, outcome: 'succeeded' },
        { taskId: byExecution.get(ok2)!.task_id, leaseToken: byExecution.get(ok2)!.lease_token, outcome: 'succeeded' },
      ];
      const r = await db.call('internal.complete_tasks', { Completions: JSON.stringify(list) });
      expect(r.rows.map((x) => [x.task_id, x.execution_status, x.will_retry === null ? null : truthy(x.will_retry), x.error_number])).to.deep.equal([
        [list[0]!.taskId, 7, false, null],
        [list[1]!.taskId, 5, true, null],
        [list[2]!.taskId, null, null, 51302],
        [list[3]!.taskId, 7, false, null],
        [list[4]!.taskId, 7, false, null],
      ]);
      expect((await execution(db, ok1)).status).to.equal(7);
      expect((await execution(db, ok2)).status).to.equal(7);
      expect((await execution(db, retry)).status).to.equal(5);
      expect((await execution(db, stopped)).status, 'a package that finished before it heard of the stop succeeded').to.equal(7);
      const again = await db.call('internal.complete_tasks', { Completions: JSON.stringify([list[0]]) });
      expect(again.rows[0]!.error_number, 'a resent completion changes nothing').to.equal(51302);
      await expectCatalogError(db.call('internal.complete_tasks', { Completions: '[{"taskId":"x"}]' }), 51001);
      await expectCatalogError(db.call('internal.complete_tasks', {}), 51000);
    });
  });

  describe('stopping', () => {
    it('a created or pending execution is canceled at once', async () => {
      const db = catalog.db;
      const worker = await enabledWorker(db);
      const created = await createExecution(db, where);
      const pending = await startedExecution(db, where, { create: { priority: 1000 } });
      for (const id of [created, pending]) {
        await db.call('catalog.stop_operation', { operation_id: id });
        const e = await execution(db, id);
        expect(e.status).to.equal(3);
        expect(e.end_time).to.be.instanceOf(Date);
        expect(e.stopped_by_name).to.be.a('string');
      }
      expect(await claim(db, worker, { now: future() })).to.deep.equal([]);
      const stops = (await view(db, 'catalog.operations')).filter((o) => o.operation_type === 202 && o.status === 7);
      expect(stops.length).to.be.greaterThanOrEqual(2);
      await expectCatalogError(db.call('catalog.stop_operation', { operation_id: pending }), 51210);
    });

    it('a running execution is stopping until its worker, told by its next heartbeat, reports it canceled', async () => {
      const db = catalog.db;
      const worker = await enabledWorker(db);
      const id = await startedExecution(db, where, { create: { priority: 1000 } });
      const now = future();
      const [task] = await claim(db, worker, { now });
      await db.call('catalog.stop_operation', { operation_id: id });
      expect((await execution(db, id)).status).to.equal(8);
      await expectCatalogError(db.call('catalog.stop_operation', { operation_id: id }), 51211);

      const renewed = await db.call('internal.renew_task_lease', { TaskId: task!.task_id, LeaseToken: task!.lease_token, now: seconds(now, 10) });
      expect(truthy(renewed.output.iscancelled)).to.equal(true);
      expect(await complete(db, task!, 'canceled', { now: seconds(now, 11) })).to.deep.equal({ status: 3, willRetry: false });
      expect((await execution(db, id)).status).to.equal(3);
      const stop = (await view(db, 'catalog.operations')).filter((o) => o.operation_type === 202).sort((x, y) => Number(y.operation_id) - Number(x.operation_id))[0];
      expect(stop).to.include({ status: 7 });
    });

    it('a failure reported after a stop request is a cancel, not a retry', async () => {
      const db = catalog.db;
      const worker = await enabledWorker(db);
      const id = await startedExecution(db, where, { retry: 3, create: { priority: 1000 } });
      const [task] = await claim(db, worker, { now: future() });
      await db.call('catalog.stop_operation', { operation_id: id });
      expect(await complete(db, task!, 'failed', { error: 'killed' })).to.deep.equal({ status: 3, willRetry: false });
    });

    it('a stop the worker never answers is completed by the sweep after the grace period', async () => {
      const db = catalog.db;
      const worker = await enabledWorker(db);
      const id = await startedExecution(db, where, { create: { priority: 1000 } });
      // A second ahead of the real clock: the stop request below is stamped by the database's clock,
      // and a claim stamped within the same millisecond as start_execution would find nothing ready.
      const now = seconds(new Date(), 1);
      const [task] = await claim(db, worker, { now, leaseMs: 3_600_000 });
      expect(task).to.include({ execution_id: id });
      await db.call('catalog.stop_operation', { operation_id: id });
      const sweep = async (at: Date) => Number((await db.call('internal.dealwith_expired_tasks', { now: at, StopGraceMs: 60000 })).output.processed);
      expect(await sweep(seconds(now, 10))).to.equal(0);
      expect(await sweep(seconds(now, 300))).to.equal(1);
      expect((await execution(db, id)).status).to.equal(3);
      await expectCatalogError(complete(db, task!, 'succeeded'), 51302);
    });

    it('refuses an unknown operation (51107), an ended one and one that is not an execution (51210)', async () => {
      const db = catalog.db;
      await expectCatalogError(db.call('catalog.stop_operation', { operation_id: 987654321 }), 51107);
      await expectCatalogError(db.call('catalog.stop_operation', {}), 51000);
      const deployOp = (await view(db, 'catalog.operations')).find((o) => o.operation_type === 101)!;
      await expectCatalogError(db.call('catalog.stop_operation', { operation_id: deployOp.operation_id }), 51210);
    });
  });

  describe('the masters\' poll for tasks that became ready', () => {
    it('counts tasks ready since the last poll; DelayedOnly counts only retries whose backoff ran out', async () => {
      const db = catalog.db;
      const worker = await enabledWorker(db);
      const t0 = future();
      const count = async (since: Date, delayedOnly: boolean, now: Date) =>
        Number((await db.call('internal.count_newly_ready_tasks', { Since: since, DelayedOnly: delayedOnly, now })).output.newlyready);
      const id = await startedExecution(db, where, { retry: 2, create: { priority: 1000 } });
      // Started a moment ago: ready at once — counted, except when only delayed retries are asked for.
      const before = new Date(Date.now() - 60_000);
      expect(await count(before, false, t0)).to.be.greaterThanOrEqual(1);
      expect(await count(before, true, t0)).to.equal(0);
      const [task] = await claim(db, worker, { now: t0 });
      expect(task).to.include({ execution_id: id });
      expect(await complete(db, task!, 'failed', { now: t0, error: 'boom' })).to.include({ willRetry: true });
      // Re-queued with a 5 s backoff: not ready 1 s later, counted once ready, and not again after.
      expect(await count(t0, true, seconds(t0, 1))).to.equal(0);
      expect(await count(seconds(t0, 1), true, seconds(t0, 10))).to.equal(1);
      expect(await count(seconds(t0, 10), true, seconds(t0, 20))).to.equal(0);
      await expectCatalogError(db.call('internal.count_newly_ready_tasks', {}), 51000);
      await expectCatalogError(db.call('internal.count_newly_ready_tasks', { Since: t0, DelayedOnly: null }), 51000);
    });
  });

  describe('who gets which task', () => {
    it('a disabled worker, or any worker while Scale Out is disabled, claims nothing; an unknown worker is refused', async () => {
      const db = catalog.db;
      const worker = await enabledWorker(db);
      await startedExecution(db, where, { create: { priority: 1000 } });
      await db.call('catalog.disable_worker_agent', { WorkerAgentId: worker });
      expect(await claim(db, worker, { now: future() })).to.deep.equal([]);
      await db.call('catalog.enable_worker_agent', { WorkerAgentId: worker });
      await db.call('catalog.disable_scaleout');
      try {
        expect(await claim(db, worker, { now: future() })).to.deep.equal([]);
      } finally {
        await db.call('catalog.enable_scaleout');
      }
      expect(await claim(db, worker, { now: future() })).to.have.length(1);
      await expectCatalogError(claim(db, newId()), 51101);
      await expectCatalogError(claim(db, worker, { max: 0 }), 51001, /@MaxTasks/);
    });

    it('an execution for chosen workers goes only to them; workers cannot be added to an any-worker execution', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const b = await enabledWorker(db);
      const id = await startedExecution(db, where, { create: { useanyworker: 0, priority: 1000 }, workers: [b] });
      expect(await claim(db, a, { now: future() })).to.deep.equal([]);
      expect((await claim(db, b, { now: future() }))[0]).to.include({ execution_id: id });

      const any = await createExecution(db, where);
      await expectCatalogError(db.call('catalog.add_execution_worker', { execution_id: any, workeragent_id: a }), 51206);
      const chosen = await createExecution(db, where, { useanyworker: 0 });
      await expectCatalogError(db.call('catalog.add_execution_worker', { execution_id: chosen, workeragent_id: newId() }), 51101);
      await expectCatalogError(db.call('catalog.add_execution_worker', { execution_id: -1, workeragent_id: a }), 51106);
      await db.call('catalog.add_execution_worker', { execution_id: chosen, workeragent_id: a });
      await db.call('catalog.add_execution_worker', { execution_id: chosen, workeragent_id: a });
    });

    it('required tags: only a worker that has every one of them (in any case) gets the task', async () => {
      const db = catalog.db;
      const plain = await enabledWorker(db);
      const tagged = await enabledWorker(db, { Tags: 'Linux, GPU' });
      const id = await startedExecution(db, where, { create: { required_tags: 'gpu', priority: 1000 } });
      expect(await claim(db, plain, { now: future() })).to.deep.equal([]);
      expect((await claim(db, tagged, { now: future() }))[0]).to.include({ execution_id: id });
    });

    it('higher priority first, first in first out within a priority, and never more than the worker\'s free slots', async () => {
      const db = catalog.db;
      const worker = await enabledWorker(db, { MaxTaskCount: 3 });
      const low = await startedExecution(db, where, { create: { priority: 2000 } });
      const high = await startedExecution(db, where, { create: { priority: 2002 } });
      const mid1 = await startedExecution(db, where, { create: { priority: 2001 } });
      const mid2 = await startedExecution(db, where, { create: { priority: 2001 } });
      const got = await claim(db, worker, { max: 10, now: future() });
      expect(got.map((t) => t.execution_id)).to.have.members([high, mid1, mid2]);
      expect(await claim(db, worker, { max: 10, now: future() }), 'no free slot').to.deep.equal([]);
      await complete(db, got.find((t) => t.execution_id === high)!, 'succeeded');
      expect((await claim(db, worker, { max: 10, now: future() })).map((t) => t.execution_id)).to.deep.equal([low]);
    });

    it('a forced delete of a busy worker hands its attempts back to the queue (51203 without force)', async () => {
      const db = catalog.db;
      const a = await enabledWorker(db);
      const id = await startedExecution(db, where, { retry: 1, create: { priority: 1000 } });
      const [task] = await claim(db, a, { now: future() });
      await expectCatalogError(db.call('catalog.delete_worker_agent', { WorkerAgentId: a }), 51203, /1 running task/);
      await db.call('catalog.delete_worker_agent', { WorkerAgentId: a, Force: 1 });
      expect(await execution(db, id)).to.include({ status: 5 });
      await expectCatalogError(complete(db, task!, 'succeeded'), 51302);
    });
  });

  describe('execution messages', () => {
    it('are appended in order, once per batch, and show in operation_messages and event_messages', async () => {
      const db = catalog.db;
      const worker = await enabledWorker(db);
      const id = await startedExecution(db, where, { create: { priority: 1500 } });
      const [task] = await claim(db, worker, { now: future() });
      expect(task!.execution_id).to.equal(id);
      const batch = newId();
      const lines = [
        { time: '2030-01-01T00:00:01.000Z', type: 70, message: 'reading sales.csv' },
        { time: '2030-01-01T00:00:02.000Z', type: 110, message: 'row 7 has no region', package: 'load' },
        { time: '2030-01-01T00:00:03.000Z', type: 120, message: 'failed', event: 'OnError', code: -1 },
      ];
      // Lines without a stream: only through the master, which names a worker that ran the execution.
      const first = await db.call('internal.append_execution_messages', { ExecutionId: id, BatchId: batch, Messages: JSON.stringify(lines), WorkerAgentId: worker });
      expect(first.output.inserted).to.equal(3);
      const again = await db.call('internal.append_execution_messages', { ExecutionId: id, BatchId: batch, Messages: JSON.stringify(lines), WorkerAgentId: worker });
      expect(again.output.inserted).to.equal(0);
      await complete(db, task!, 'succeeded');
      const log = (await messages(db, id)).filter((m) => m.message_source_type === 30);
      expect(log.map((m) => [m.message, m.message_type, m.message_source_type])).to.deep.equal([
        ['reading sales.csv', 70, 30],
        ['row 7 has no region', 110, 30],
        ['failed', 120, 30],
      ]);
      expect((log[0]!.message_time as Date).toISOString()).to.equal('2030-01-01T00:00:01.000Z');
      const events = (await view(db, 'catalog.event_messages')).filter((m) => m.operation_id === id);
      expect(events.map((m) => [m.event_name, m.package_name])).to.deep.equal([
        ['OnInformation', 'load'],
        ['OnWarning', 'load'],
        ['OnError', 'load'],
      ]);
    });

    it('refuse an unknown execution (51106) and a batch that is not a JSON array (51001)', async () => {
      const db = catalog.db;
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: -1, BatchId: newId(), Messages: '[]' }), 51106);
      const id = await createExecution(db, where);
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id, BatchId: newId(), Messages: '{"a":1}' }), 51001);
      await expectCatalogError(db.call('internal.append_execution_messages', { ExecutionId: id }), 51000);
    });
  });

  describe('sweeps', () => {
    it('cleanup_completed_jobs moves ended tasks to history after minutesToKeep', async () => {
      const db = catalog.db;
      const worker = await enabledWorker(db);
      const id = await startedExecution(db, where, { create: { priority: 1000 } });
      const now = future();
      const [task] = await claim(db, worker, { now });
      await complete(db, task!, 'succeeded', { now });
      const archived = async () =>
        db.query(db.dialect === 'mssql' ? 'SELECT status FROM internal.tasks_history WHERE execution_id = @p1' : 'SELECT status FROM internal.tasks_history WHERE execution_id = $1', [id]);
      const cleanup = (at: Date) => db.call('internal.cleanup_completed_jobs', { minutesToKeep: 60, now: at });
      await cleanup(seconds(now, 59 * 60));
      expect(await archived()).to.deep.equal([]);
      await cleanup(seconds(now, 61 * 60));
      expect(await archived()).to.deep.equal([{ status: 5 }]);
      expect((await execution(db, id)).status).to.equal(7);
    });

    it('retention removes operations that ended before RETENTION_WINDOW, with their messages, only when enabled', async () => {
      const db = catalog.db;
      const worker = await enabledWorker(db);
      const id = await startedExecution(db, where, { create: { priority: 1500 } });
      const [task] = await claim(db, worker, { now: future() });
      await db.call('internal.append_execution_messages', { ExecutionId: id, Messages: JSON.stringify([{ message: 'x', stream: task!.stream_id, seq: 0 }]) });
      await complete(db, task!, 'canceled', { now: future() });
      // As the master runs it: again while a call did a whole batch (messages go first, a chunk per call).
      const retention = async (days: number) => {
        let total = 0;
        for (let call = 0; call < 100; call++) {
          const n = Number((await db.call('internal.cleanup_server_retention_window', { now: future(days * 86400) })).output.processed);
          total += n;
          if (n < 1000) break;
        }
        return total;
      };
      await db.call('catalog.configure_catalog', { property_name: 'RETENTION_WINDOW', property_value: '30' });
      try {
        expect(await retention(29)).to.equal(0);
        await db.call('catalog.configure_catalog', { property_name: 'OPERATION_CLEANUP_ENABLED', property_value: 'FALSE' });
        expect(await retention(40)).to.equal(0);
        await db.call('catalog.configure_catalog', { property_name: 'OPERATION_CLEANUP_ENABLED', property_value: 'TRUE' });
        expect(await retention(40)).to.be.greaterThanOrEqual(1);
        expect(await operation(db, id)).to.equal(undefined);
        expect(await messages(db, id)).to.deep.equal([]);
      } finally {
        await db.call('catalog.configure_catalog', { property_name: 'RETENTION_WINDOW', property_value: '365' });
      }
    });
  });

  describe('concurrency', () => {
    it('connections claiming at once never share a task, and every task is claimed', async function () {
      if (!catalog.db.capabilities.multiConnection) this.skip(); // PGlite has one connection
      this.timeout(120_000);
      const db = catalog.db;
      const ids: number[] = [];
      for (let i = 0; i < 60; i++) ids.push(await startedExecution(db, where, { create: { priority: 3000 } }));
      const workers = await Promise.all(Array.from({ length: 8 }, () => enabledWorker(db)));
      const conns: CatalogDb[] = await Promise.all(workers.map(() => catalog.database.open()));
      try {
        const seen: number[] = [];
        await Promise.all(
          conns.map(async (c, i) => {
            for (;;) {
              const got = await claim(c, workers[i]!, { max: 5, now: future() });
              const mine = got.filter((t) => ids.includes(t.execution_id));
              seen.push(...mine.map((t) => t.execution_id));
              for (const t of got) await complete(c, t, 'succeeded');
              if (got.length === 0) break;
            }
          }),
        );
        expect([...seen].sort((x, y) => x - y)).to.deep.equal([...ids].sort((x, y) => x - y));
      } finally {
        await Promise.all(conns.map((c) => c.close()));
      }
    });
  });
});
