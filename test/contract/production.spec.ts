/**
 * What a production server meets that a quick test does not: a worker with a long machine name,
 * an execution whose task was archived, a DBA who mistypes a property, and long values. Runs on
 * every backend the suite reaches; the T-SQL-only rules (isolation, READPAST, parameter widths)
 * are checked statically in test/static/tsql-rules.spec.ts.
 */

import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { CatalogDb } from '../../src/db/types.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { waitFor } from '../support/wait.ts';
import { TcpProxy } from '../support/master-process.ts';
import { openCatalog } from '../../src/db/open.ts';
import { expectCatalogError, truthy } from '../support/catalog-helpers.ts';
import { claim, complete, deployedProject, enabledWorker, execution, projectBytes, queueReadyTasks, renew, startedExecution, sweepExpired } from '../support/queue-helpers.ts';

/** Runs sql in a transaction of its own connection, then fn while that transaction holds its locks; rolls back. */
async function whileOpenInTransaction(db: CatalogDb, sql: string, params: unknown[], fn: () => Promise<void>): Promise<void> {
  await db.withSession(async (session) => {
    await session.batch(db.dialect === 'mssql' ? 'BEGIN TRANSACTION;' : 'BEGIN');
    try {
      await session.query(sql, params);
      await fn();
    } finally {
      await session.batch(db.dialect === 'mssql' ? 'IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;' : 'ROLLBACK');
    }
  });
}

/** Resolves as the promise does, or fails with why once ms have passed (a call kept waiting on locks). */
async function withDeadline<T>(promise: Promise<T>, ms: number, why: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${why} (more than ${ms} ms)`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

forEachBackend('the catalog as a production server runs it', (backend) => {
  const catalog = useCatalog(backend);

  it('a worker whose machine name is longer than an operation keeps (200 characters) claims and runs its tasks', async () => {
    const db = catalog.db;
    const where = await deployedProject(db);
    const longName = `host-${'x'.repeat(195)}`;
    const worker = await enabledWorker(db);
    await db.call('internal.update_worker_agent_status', { WorkerAgentId: worker, CertificateThumbprint: (await db.query(db.dialect === 'mssql' ? 'SELECT thumbprint FROM internal.worker_certificates WHERE worker_agent_id = @p1' : 'SELECT thumbprint FROM internal.worker_certificates WHERE worker_agent_id = $1', [worker]))[0]!.thumbprint, MachineName: longName });
    const id = await startedExecution(db, where);
    const [task] = await claim(db, worker, { max: 1 });
    expect(task?.execution_id).to.equal(id);
    const running = await execution(db, id);
    expect(String(running.machine_name)).to.equal(longName.slice(0, 128));
  });

  it('an execution keeps its max_executed_count once cleanup_completed_jobs archived its task', async () => {
    const db = catalog.db;
    const where = await deployedProject(db);
    const worker = await enabledWorker(db);
    const id = await startedExecution(db, where, { retry: 2 });
    const [task] = await claim(db, worker, { max: 1 });
    await complete(db, task!, 'succeeded');
    expect(Number((await execution(db, id)).max_executed_count)).to.equal(3);
    const later = new Date(Date.now() + 2 * 3600_000);
    for (let i = 0; i < 20; i++) {
      const r = await db.call('internal.cleanup_completed_jobs', { MinutesToKeep: 1, BatchSize: 1000, now: later });
      if (Number(r.output.processed) < 1000) break;
    }
    const archived = await db.query(db.dialect === 'mssql' ? 'SELECT count(*) AS n FROM internal.tasks WHERE execution_id = @p1' : 'SELECT count(*) AS n FROM internal.tasks WHERE execution_id = $1', [id]);
    expect(Number(archived[0]!.n), 'the task was archived').to.equal(0);
    expect(Number((await execution(db, id)).max_executed_count)).to.equal(3);
  });

  it('a claim and a completion on a backlog the catalog has not analyzed yet read only the tasks they take (PostgreSQL: no bitmap scan and sort of every ready task, no sequential scan by a plan kept since the table was small)', async function () {
    const db = catalog.db;
    if (db.dialect !== 'postgres') this.skip();
    const worker = await enabledWorker(db);
    const where = await deployedProject(db);
    const [project] = await db.query('SELECT project_id, object_version_lsn FROM internal.projects AS p JOIN internal.folders AS f ON f.folder_id = p.folder_id WHERE f.name = $1', [where.folder]);
    // Ready tasks straight into the tables, as a bulk start leaves them, with no ANALYZE since.
    const queue = (session: Pick<CatalogDb, 'query'>, count: number) =>
      queueReadyTasks(session, count, Number(project!.project_id), Number(project!.object_version_lsn), { folder: where.folder, project: where.project, package: 'load' });
    await db.withSession(async (session) => {
      const claim10 = () => session.query('SELECT task_id, lease_token FROM internal.claim_tasks("workeragentid" => $1, "maxtasks" => 10, "leasems" => 60000)', [worker]);
      const complete = async (claimed: Array<Record<string, unknown>>) => {
        const completions = JSON.stringify(claimed.map((t) => ({ taskId: t.task_id, leaseToken: t.lease_token, outcome: 'succeeded' })));
        return session.query('SELECT error_number FROM internal.complete_tasks("completions" => $1, "workeragentid" => $2)', [completions, worker]);
      };
      // This connection claims and completes while the table is small: the plans it keeps were
      // made then.
      await queue(session, 30);
      for (let i = 0; i < 6; i++) await complete(await claim10());
      // Then 20,000 more, in one statement (the planner's statistics still say a few rows).
      await queue(session, 20_000);
      await session.batch('BEGIN');
      try {
        // The connection's counters of internal.tasks not yet reported (they may hold the last
        // second's transactions too; within this one, only its own statements move them): rows
        // fetched through indexes, rows read by sequential scans.
        const read = async () => {
          const [row] = await session.query("SELECT idx_tup_fetch, seq_tup_read FROM pg_stat_xact_user_tables WHERE relid = 'internal.tasks'::regclass");
          return { index: Number(row!.idx_tup_fetch), scanned: Number(row!.seq_tup_read) };
        };
        const before = await read();
        const claimed = await claim10();
        expect(claimed).to.have.length(10);
        const afterClaim = await read();
        expect(afterClaim.index - before.index, 'rows of internal.tasks read by the claim').to.be.below(200);
        expect(afterClaim.scanned - before.scanned, 'rows of internal.tasks scanned by the claim').to.equal(0);
        const done = await complete(claimed);
        expect(done.map((d) => d.error_number)).to.deep.equal(Array(10).fill(null));
        const afterComplete = await read();
        expect(afterComplete.index - afterClaim.index, 'rows of internal.tasks read by the completion').to.be.below(200);
        expect(afterComplete.scanned - afterClaim.scanned, 'rows of internal.tasks scanned by the completion').to.equal(0);
      } finally {
        await session.batch('ROLLBACK');
      }
    });
  });

  it('the masters\' poll for retries whose backoff ran out reads those of its interval, not the backlog (PostgreSQL: 20,000 queued tasks)', async function () {
    const db = catalog.db;
    if (db.dialect !== 'postgres') this.skip();
    const where = await deployedProject(db);
    const [project] = await db.query('SELECT project_id, object_version_lsn FROM internal.projects AS p JOIN internal.folders AS f ON f.folder_id = p.folder_id WHERE f.name = $1', [where.folder]);
    await db.withSession(async (session) => {
      // Ready a second ago: a poll since then counts none of them, and need read none of them.
      await queueReadyTasks(session, 20_000, Number(project!.project_id), Number(project!.object_version_lsn), { folder: where.folder, project: where.project, package: 'load' });
      const [clock] = await session.query("SELECT now() - interval '500 milliseconds' AS since");
      const since = clock!.since as Date;
      await session.batch('BEGIN');
      try {
        const read = async () => {
          const [row] = await session.query("SELECT idx_tup_fetch, seq_tup_read FROM pg_stat_xact_user_tables WHERE relid = 'internal.tasks'::regclass");
          return Number(row!.idx_tup_fetch) + Number(row!.seq_tup_read);
        };
        const before = await read();
        const [polled] = await session.query('CALL internal.count_newly_ready_tasks(since => $1, delayedonly => true, newlyready => NULL, readat => NULL)', [since]);
        expect(Number(polled!.newlyready), 'retries ready since the last poll').to.equal(0);
        expect((await read()) - before, 'rows of internal.tasks the poll read').to.be.below(200);
      } finally {
        await session.batch('ROLLBACK');
      }
    });
  });

  it('a refused call keeps its connection: ten numbered errors in a row open no new server session (PostgreSQL)', async function () {
    const db = catalog.db;
    if (db.backend !== 'pg') this.skip();
    const sessions = new Set<number>();
    for (let i = 0; i < 10; i++) {
      await expectCatalogError(db.call('internal.count_newly_ready_tasks', {}), 51000);
      const [row] = await db.query('SELECT pg_backend_pid() AS pid');
      sessions.add(Number(row!.pid));
    }
    // One call at a time: the pool hands back the connection it has.
    expect(sessions.size, 'server sessions the calls used').to.equal(1);
    // A connection left inside a transaction by a failed script is not handed out again.
    await db.query('BEGIN; SELECT 1/0; COMMIT').catch(() => undefined);
    const [state] = await db.query('SELECT now() = statement_timestamp() AS own_transaction');
    expect(state!.own_transaction, 'the next call runs in a transaction of its own').to.equal(true);
  });

  it('a connection that breaks while a call runs fails that call, not the process; the next call finds a new one (PostgreSQL)', async function () {
    const db = catalog.db;
    if (db.backend !== 'pg') this.skip();
    const target = new URL(catalog.database.spec!);
    const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
    const viaProxy = new URL(target.toString());
    viaProxy.port = String(proxy.port);
    const cut = await openCatalog(viaProxy.toString());
    const sleeping = "SELECT pg_sleep(30) AS cut_mid_call";
    try {
      const running = cut.query(sleeping).then(() => 'answered', (error: Error) => error.message);
      await waitFor('the call to run', async () => (await db.query('SELECT 1 FROM pg_stat_activity WHERE query = $1 AND state = $2', [sleeping, 'active'])).length > 0, 10_000);
      // As a crash or an immediate shutdown ends it: the socket closes, no error message first.
      const port = proxy.port;
      await proxy.stop();
      expect(await running).to.match(/terminated|connection/i);
      await proxy.start(port);
      const [row] = await cut.query('SELECT 1 AS one');
      expect(row!.one).to.equal(1);
    } finally {
      await cut.close();
      await proxy.stop();
      await db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1', [sleeping]);
    }
  });

  it('configure_catalog names an unknown property as such (51001 on @property_name), and a bad value as a bad value', async () => {
    const db = catalog.db;
    await expectCatalogError(db.call('catalog.configure_catalog', { property_name: 'RETENTION_WINDOWS', property_value: '30' }), 51001, /'RETENTION_WINDOWS' for @property_name is not accepted: a property that can be set/);
    await expectCatalogError(db.call('catalog.configure_catalog', { property_name: 'RETENTION_WINDOW', property_value: 'soon' }), 51001, /'soon' for @property_value/);
  });
  it('long values in JSON arguments survive: a 5,000-character default, a long description, a 4,500-character error message; JSON may start with white space', async () => {
    const db = catalog.db;
    const folder = `long_${Date.now()}`;
    await db.call('catalog.create_folder', { folder_name: folder });
    const longDefault = 'd'.repeat(5000);
    const manifest = { name: 'long', description: 'x'.repeat(5000), parameters: [{ name: 'Big', type: 'String', default: longDefault }], packages: [{ name: 'load', kind: 'node' }] };
    await db.call('catalog.deploy_project', { folder_name: folder, project_name: 'long', project_stream: projectBytes(folder), manifest: `\n\t ${JSON.stringify(manifest, null, 2)}` });
    const params = await db.query(db.dialect === 'mssql'
      ? "SELECT default_value FROM catalog.object_parameters WHERE parameter_name = N'Big'"
      : "SELECT default_value FROM catalog.object_parameters WHERE parameter_name = 'Big'");
    expect(String(params[0]!.default_value)).to.have.length(5000);
    const projects = await db.query(db.dialect === 'mssql' ? "SELECT description FROM catalog.projects WHERE name = N'long'" : "SELECT description FROM catalog.projects WHERE name = 'long'");
    expect(String(projects[0]!.description)).to.have.length(1024);

    const worker = await enabledWorker(db);
    const r = await db.call('catalog.create_execution', { folder_name: folder, project_name: 'long', package_name: 'load' });
    const id = Number(r.output.execution_id);
    await db.call('catalog.start_execution', { execution_id: id });
    const [task] = await claim(db, worker, { max: 1 });
    const completions = `\n  ${JSON.stringify([{ taskId: task!.task_id, leaseToken: task!.lease_token, outcome: 'failed', errorMessage: 'e'.repeat(4500) }])}`;
    const done = await db.call('internal.complete_tasks', { Completions: completions, WorkerAgentId: worker });
    expect(done.rows).to.have.length(1);
    const stored = await db.query(db.dialect === 'mssql' ? 'SELECT last_error FROM internal.tasks WHERE task_id = @p1' : 'SELECT last_error FROM internal.tasks WHERE task_id = $1', [task!.task_id]);
    expect(String(stored[0]!.last_error)).to.have.length(4000);
  });
  it('a package or parameter name counts its trailing spaces: 255 characters and 10 spaces is too long (51001), as on PostgreSQL', async () => {
    const db = catalog.db;
    const folder = `trail_${Date.now()}`;
    await db.call('catalog.create_folder', { folder_name: folder });
    const deploy = (manifest: unknown) =>
      db.call('catalog.deploy_project', { folder_name: folder, project_name: 'trail', project_stream: projectBytes(folder), manifest: JSON.stringify(manifest) });
    await expectCatalogError(deploy({ name: 'trail', packages: [{ name: `${'p'.repeat(255)}${' '.repeat(10)}`, kind: 'node' }] }), 51001, /a package has no name or a name longer than 260/);
    await expectCatalogError(
      deploy({ name: 'trail', parameters: [{ name: `${'q'.repeat(125)}${' '.repeat(5)}`, type: 'String' }], packages: [{ name: 'load', kind: 'node' }] }),
      51001,
      /a parameter has no name/,
    );
  });
  it('messages name parameters as the dialect does: @BatchSize in T-SQL, BatchSize in PostgreSQL (values keep their @)', async () => {
    const db = catalog.db;
    const at = db.dialect === 'mssql' ? '@' : '';
    const missing = await expectCatalogError(db.call('catalog.create_folder', {}), 51000);
    expect(missing.message).to.contain(`${at}folder_name`);
    const bad = await expectCatalogError(db.call('catalog.create_folder', { folder_name: '@first' }), 51001);
    expect(bad.message).to.contain("'@first'").and.contain(`for ${at}folder_name`);
    const sweep = await expectCatalogError(db.call('internal.dealwith_expired_tasks', { MasterId: randomUUID() }), 51001);
    expect(sweep.message).to.contain(`given together with ${at}MasterId`);
    const typed = await expectCatalogError(db.call('catalog.enable_worker_agent', { WorkerAgentId: 'not-a-guid' }), 51001);
    expect(typed.message).to.contain(`for ${at}WorkerAgentId`);
    if (db.dialect !== 'mssql') expect([missing, bad, sweep, typed].map((e) => e.message).join(' ')).not.to.match(/@(folder_name|MasterId|WorkerAgentId|Epoch)\b/);
  });

  it('two masters completing overlapping batches in opposite orders wait for each other, and never deadlock', async function () {
    const db = catalog.db;
    if (!db.capabilities.multiConnection) this.skip();
    const where = await deployedProject(db);
    const worker = await enabledWorker(db);
    // PostgreSQL counts deadlocks; on SQL Server a deadlock victim fails its call (Msg 1205), and so the test.
    const deadlocks = async () => db.dialect === 'postgres' ? Number((await db.query('SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()'))[0]!.deadlocks) : 0;
    const before = await deadlocks();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 20; i++) await startedExecution(db, where, { retry: 1 });
      const tasks = await claim(db, worker, { max: 20 });
      expect(tasks).to.have.length(20);
      const batch = tasks.map((t) => ({ taskId: t.task_id, leaseToken: t.lease_token, outcome: 'failed', errorMessage: 'boom' }));
      const [a, b] = await Promise.all([
        db.call('internal.complete_tasks', { Completions: JSON.stringify(batch), WorkerAgentId: worker }),
        db.call('internal.complete_tasks', { Completions: JSON.stringify([...batch].reverse()), WorkerAgentId: worker }),
      ]);
      // Each task was completed by exactly one of the two calls; the other was told 51302.
      const done = [...a.rows, ...b.rows].filter((r) => r.error_number === null);
      expect(done).to.have.length(20);
      await db.query("UPDATE internal.tasks SET status = 4 WHERE status = 1");
    }
    expect(await deadlocks()).to.equal(before);
  });
  it('a claim locks only the tasks it takes: a backlog one worker may not run stays free for the worker that may', async function () {
    const db = catalog.db;
    if (!db.capabilities.multiConnection) this.skip();
    await db.query('UPDATE internal.tasks SET status = 4 WHERE status IN (1, 2, 3)'); // from an empty queue
    const where = await deployedProject(db);
    const chosen = await enabledWorker(db);
    const other = await enabledWorker(db);
    for (let i = 0; i < 60; i++) await startedExecution(db, where, { create: { useanyworker: 0 }, workers: [chosen] });
    const open = await startedExecution(db, where);
    // The other worker's claim stays open in a transaction: it had to read past the whole backlog to
    // reach the one task it may run, and whatever it locked stays locked until the rollback.
    const claimSql = db.dialect === 'mssql'
      ? 'EXEC internal.claim_tasks @WorkerAgentId = @p1, @MaxTasks = 1'
      : 'SELECT * FROM internal.claim_tasks(WorkerAgentId => $1::uuid, MaxTasks => 1)';
    await whileOpenInTransaction(db, claimSql, [other], async () => {
      const got = await withDeadline(claim(db, chosen, { max: 50 }), 10_000, 'the chosen worker\'s claim waited on the other claim\'s locks');
      expect(got, 'the chosen worker gets its tasks while the other claim is open').to.have.length(50);
      expect(got.map((t) => Number(t.execution_id))).not.to.include(open);
    });
    await db.query('UPDATE internal.tasks SET status = 4 WHERE status IN (1, 2, 3)'); // the next test starts from an empty queue
  });

  it('the expired-task sweep ends at most 100 tasks per call, each call its own transaction, and never keeps a live lease waiting', async function () {
    const db = catalog.db;
    await db.query('UPDATE internal.tasks SET status = 4 WHERE status IN (1, 2, 3)'); // from an empty queue
    const where = await deployedProject(db);
    const worker = await enabledWorker(db, { MaxTaskCount: 200 });
    for (let i = 0; i < 130; i++) await startedExecution(db, where, { retry: 1 });
    const expiring = await claim(db, worker, { max: 130, leaseMs: 1000 });
    expect(expiring).to.have.length(130);
    const liveId = await startedExecution(db, where);
    const [live] = await claim(db, worker, { max: 1, leaseMs: 3_600_000 });
    expect(Number(live!.execution_id)).to.equal(liveId);
    const later = new Date(Date.now() + 60_000);
    await expectCatalogError(db.call('internal.dealwith_expired_tasks', { now: later, BatchSize: 101 }), 51001, /@BatchSize/);

    if (db.capabilities.multiConnection) {
      // A sweep call left open in a transaction: the live lease's heartbeat must not wait for it.
      const sweepSql = db.dialect === 'mssql'
        ? 'DECLARE @n int; EXEC internal.dealwith_expired_tasks @now = @p1, @Processed = @n OUTPUT; SELECT @n AS processed;'
        : 'CALL internal.dealwith_expired_tasks(now => $1::timestamptz)';
      await whileOpenInTransaction(db, sweepSql, [later], async () => {
        const renewed = await withDeadline(renew(db, worker, [live!], { leaseMs: 3_600_000 }), 10_000, 'the heartbeat waited on the sweep');
        expect(renewed[0]!.error_number).to.equal(null);
      });
    }

    expect(await sweepExpired(db, { now: later })).to.equal(100);
    expect(await sweepExpired(db, { now: later })).to.equal(30);
    expect(await sweepExpired(db, { now: later })).to.equal(0);
    const after = await execution(db, liveId);
    expect(Number(after.status), 'the live lease is untouched').to.equal(2);
    await db.query('UPDATE internal.tasks SET status = 4 WHERE status IN (1, 2, 3)'); // the next test starts from an empty queue
  });

  it('finds the executions of a project version by index (every deployment asks)', async () => {
    const db = catalog.db;
    const rows = await db.query(db.dialect === 'mssql'
      ? "SELECT i.name FROM sys.indexes AS i JOIN sys.index_columns AS ic ON ic.object_id = i.object_id AND ic.index_id = i.index_id AND ic.key_ordinal = 1 JOIN sys.columns AS c ON c.object_id = ic.object_id AND c.column_id = ic.column_id WHERE i.object_id = OBJECT_ID(N'internal.executions') AND c.name = N'project_lsn'"
      : "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'internal' AND tablename = 'executions' AND indexdef ~ '\\(project_lsn'");
    expect(rows.length).to.be.greaterThan(0);
  });
  it('retention deletes an operation\'s messages a chunk per call (at most 10 x BatchSize), then the operations', async () => {
    const db = catalog.db;
    const where = await deployedProject(db);
    const worker = await enabledWorker(db);
    await db.call('catalog.configure_catalog', { property_name: 'OPERATION_CLEANUP_ENABLED', property_value: 'TRUE' });
    await db.call('catalog.configure_catalog', { property_name: 'RETENTION_WINDOW', property_value: '1' });
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const id = await startedExecution(db, where);
      const [task] = await claim(db, worker, { max: 1 });
      const lines = Array.from({ length: 2500 }, (_, seq) => ({ message: `line ${seq}`, stream: task!.stream_id, seq }));
      await db.call('internal.append_execution_messages', { ExecutionId: id, Messages: JSON.stringify(lines), WorkerAgentId: worker });
      await complete(db, task!, 'succeeded');
      ids.push(id);
    }
    const count = async () => Number((await db.query(`SELECT count(*) AS n FROM internal.operation_messages WHERE operation_id IN (${ids.join(',')})`))[0]!.n);
    let left = await count();
    expect(left).to.be.greaterThanOrEqual(7500);
    const later = new Date(Date.now() + 3 * 86_400_000);
    let calls = 0;
    for (;;) {
      const r = await db.call('internal.cleanup_server_retention_window', { BatchSize: 100, now: later });
      calls += 1;
      const now = await count();
      expect(left - now, 'messages deleted by one call').to.be.at.most(1000);
      left = now;
      if (Number(r.output.processed) < 100 || calls > 50) break;
    }
    expect(left).to.equal(0);
    expect(calls).to.be.greaterThanOrEqual(8);
    const operations = await db.query(`SELECT count(*) AS n FROM internal.operations WHERE operation_id IN (${ids.join(',')})`);
    expect(Number(operations[0]!.n)).to.equal(0);
    await db.call('catalog.configure_catalog', { property_name: 'OPERATION_CLEANUP_ENABLED', property_value: 'FALSE' });
  });
  it('cleanup_completed_jobs and retention are fenced by their sweep lease, as the expired-task sweep is (51301)', async () => {
    const db = catalog.db;
    const t0 = new Date(Date.now() + 3_600_000);
    for (const [sweep, procedure, extra] of [
      ['cleanup_completed_jobs', 'internal.cleanup_completed_jobs', { MinutesToKeep: 60 }],
      ['retention', 'internal.cleanup_server_retention_window', {}],
    ] as const) {
      const holder = randomUUID();
      const lease = await db.call('internal.acquire_sweep_lease', { SweepName: sweep, MasterId: holder, LeaseMs: 60_000, now: t0 });
      expect(truthy(lease.output.acquired), `${sweep} acquired`).to.equal(true);
      const epoch = Number(lease.output.epoch);
      const at = new Date(t0.getTime() + 10_000);
      await expectCatalogError(db.call(procedure, { ...extra, BatchSize: 10, now: at, MasterId: randomUUID(), Epoch: epoch }), 51301, new RegExp(sweep));
      await expectCatalogError(db.call(procedure, { ...extra, BatchSize: 10, now: at, MasterId: holder, Epoch: epoch + 1 }), 51301);
      await expectCatalogError(db.call(procedure, { ...extra, BatchSize: 10, now: new Date(t0.getTime() + 61_000), MasterId: holder, Epoch: epoch }), 51301);
      await expectCatalogError(db.call(procedure, { ...extra, BatchSize: 10, now: at, MasterId: holder }), 51001, /@Epoch/);
      const ok = await db.call(procedure, { ...extra, BatchSize: 10, now: at, MasterId: holder, Epoch: epoch });
      expect(Number(ok.output.processed)).to.be.at.least(0);
      await db.call('internal.release_sweep_lease', { SweepName: sweep, MasterId: holder, Epoch: epoch });
    }
  });
  it('SYNCHRONIZED = 1: start_execution returns only once the execution has ended, as SQL Agent job steps expect (refused on the embedded catalog)', async () => {
    const db = catalog.db;
    const where = await deployedProject(db);
    const worker = await enabledWorker(db);
    const r = await db.call('catalog.create_execution', { folder_name: where.folder, project_name: where.project, package_name: 'load' });
    const id = Number(r.output.execution_id);
    await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 20, parameter_name: 'InputFile', parameter_value: '/in.csv' });
    await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 50, parameter_name: 'SYNCHRONIZED', parameter_value: 1 });
    if (!db.capabilities.multiConnection) {
      // The embedded catalog has one session, which a waiting start would hold: refused, nothing changed.
      await expectCatalogError(db.call('catalog.start_execution', { execution_id: id }), 51001, /SYNCHRONIZED.*embedded catalog/);
      expect(Number((await execution(db, id)).status)).to.equal(1);
      return;
    }
    let returned = false;
    const start = db.call('catalog.start_execution', { execution_id: id }).then(() => (returned = true));
    const task = await waitFor('the synchronized start to queue its task', async () => (await claim(db, worker, { max: 1 }))[0], 20_000);
    expect(task.execution_id).to.equal(id);
    // Still waiting while the execution runs (it looks every half second: give it two looks).
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(returned, 'returned before the execution ended').to.equal(false);
    await complete(db, task, 'succeeded');
    await start;
    expect(Number((await execution(db, id)).status)).to.equal(7);
  });
  it('names compare without regard to case, as in SSISDB: folders, projects, packages, parameters', async () => {
    const db = catalog.db;
    const folder = `Finance_${Date.now()}`;
    await db.call('catalog.create_folder', { folder_name: folder });
    await expectCatalogError(db.call('catalog.create_folder', { folder_name: folder.toLowerCase() }), 51204);
    const manifest = { name: 'ETL', parameters: [{ name: 'InputFile', type: 'String', default: 'in.csv' }], packages: [{ name: 'Load', kind: 'node', parameters: [{ name: 'BatchSize', type: 'Int32', default: 5 }] }] };
    await db.call('catalog.deploy_project', { folder_name: folder.toUpperCase(), project_name: 'ETL', project_stream: projectBytes(folder), manifest: JSON.stringify(manifest) });
    const twins = { ...manifest, packages: [...manifest.packages, { name: 'load', kind: 'node' }] };
    await expectCatalogError(db.call('catalog.deploy_project', { folder_name: folder, project_name: 'ETL', project_stream: projectBytes(`${folder}-2`), manifest: JSON.stringify(twins) }), 51001, /same name/);
    const r = await db.call('catalog.create_execution', { folder_name: folder.toLowerCase(), project_name: 'etl', package_name: 'LOAD' });
    const id = Number(r.output.execution_id);
    await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 30, parameter_name: 'batchsize', parameter_value: '7' });
    const shown = await execution(db, id);
    expect([shown.folder_name, shown.project_name, shown.package_name]).to.deep.equal([folder, 'ETL', 'Load']);
    const values = await db.query(db.dialect === 'mssql'
      ? 'SELECT parameter_name, parameter_value FROM catalog.execution_parameter_values WHERE execution_id = @p1 AND object_type = 30'
      : 'SELECT parameter_name, parameter_value FROM catalog.execution_parameter_values WHERE execution_id = $1 AND object_type = 30', [id]);
    expect(values.map((v) => [v.parameter_name, String(v.parameter_value)])).to.deep.equal([['BatchSize', '7']]);
  });
});
