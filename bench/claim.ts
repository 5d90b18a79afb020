/**
 * Claim cost against PostgreSQL: claim + complete round trips per second with 1 and with 1,000,000
 * finished executions in the catalog (their tasks still in internal.tasks, as before the cleanup
 * sweep archives them), and their ratio; then what a batch claim of 50 costs next to 50 single
 * claims. Target: ratio >= 0.9, and a batch of 50 in one round trip. Then, in a database of its
 * own, claims of 10 on a backlog of 20,000 executions started in bulk (catalog.start_executions)
 * before the catalog has analyzed it, against the same after ANALYZE — target >= 0.9×.
 *
 *   npm run bench:claim                       # PostgreSQL at postgres://postgres@127.0.0.1:5432/postgres
 *   SCALEOUT_BENCH_PG_URL=postgres://... npm run bench:claim
 *
 * Creates a database scaleout_bench_<random> and drops it at the end. Every loop is bounded in
 * count and in time.
 */

import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { CatalogDb } from '../src/db/types.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { createBenchDatabase, deployNoopProject, queueReadyTasks } from './database.ts';
import { startExecutions } from '../src/catalog/start-executions.ts';
import { completeTasks } from '../src/catalog/master-calls.ts';
import { projectBytes } from '../test/support/queue-helpers.ts';

const FINISHED = Number(process.env.SCALEOUT_BENCH_FINISHED ?? 1_000_000);
const ROUND_TRIPS = 2000;
const TIME_LIMIT_MS = 30_000;

async function addFinished(db: CatalogDb, count: number, projectId: number, lsn: number): Promise<void> {
  const chunk = 200_000;
  for (let done = 0; done < count; done += chunk) {
    const n = Math.min(chunk, count - done);
    await db.query(
      `WITH ops AS (
         INSERT INTO internal.operations (operation_type, created_time, object_type, object_id, object_name, status, start_time, end_time, caller_name, machine_name, executed_count)
         SELECT 200, now(), 20, $1, 'bench', 7, now(), now(), 'bench', 'w', 1 FROM generate_series(1, $2)
         RETURNING operation_id
       ), ex AS (
         INSERT INTO internal.executions (execution_id, folder_name, project_name, package_name, project_lsn, executed_as_name)
         SELECT operation_id, 'bench', 'bench', 'noop', $3, 'bench' FROM ops
         RETURNING execution_id
       )
       INSERT INTO internal.tasks (task_id, execution_id, status, max_executed_count, executed_count, use_any_worker, created_time, last_updated_time)
       SELECT gen_random_uuid(), execution_id, 5, 1, 1, true, now(), now() FROM ex`,
      [projectId, n, lsn],
    );
  }
  await db.query('ANALYZE internal.tasks');
  await db.query('ANALYZE internal.operations');
}

/** claim(1) + complete, repeated: round trips per second. */
async function roundTrips(db: CatalogDb, worker: string): Promise<{ perSecond: number; count: number }> {
  const started = performance.now();
  let count = 0;
  while (count < ROUND_TRIPS && performance.now() - started < TIME_LIMIT_MS) {
    const r = await db.call('internal.claim_tasks', { WorkerAgentId: worker, MaxTasks: 1, LeaseMs: 60000 });
    const task = r.rows[0];
    if (!task) break;
    await db.call('internal.complete_task', { TaskId: task.task_id, LeaseToken: task.lease_token, Outcome: 'succeeded' });
    count++;
  }
  return { perSecond: count / ((performance.now() - started) / 1000), count };
}

async function claimCosts(db: CatalogDb, worker: string): Promise<{ batchMs: number; batchSize: number; singlesMs: number; singles: number }> {
  let t = performance.now();
  const batch = await db.call('internal.claim_tasks', { WorkerAgentId: worker, MaxTasks: 50, LeaseMs: 60000 });
  const batchMs = performance.now() - t;
  for (const task of batch.rows) await db.call('internal.complete_task', { TaskId: task.task_id, LeaseToken: task.lease_token, Outcome: 'succeeded' });
  let singles = 0;
  t = performance.now();
  const held = [];
  for (let i = 0; i < 50; i++) {
    const r = await db.call('internal.claim_tasks', { WorkerAgentId: worker, MaxTasks: 1, LeaseMs: 60000 });
    if (r.rows[0]) {
      held.push(r.rows[0]);
      singles++;
    }
  }
  const singlesMs = performance.now() - t;
  for (const task of held) await db.call('internal.complete_task', { TaskId: task.task_id, LeaseToken: task.lease_token, Outcome: 'succeeded' });
  return { batchMs, batchSize: batch.rows.length, singlesMs, singles };
}

const BACKLOG = 20_000;
const BACKLOG_ROUNDS = 300;

/** Claims of 10, each batch completed, BACKLOG_ROUNDS times: tasks per second. */
async function claimsOfTen(db: CatalogDb, worker: string): Promise<number> {
  const started = performance.now();
  let tasks = 0;
  for (let i = 0; i < BACKLOG_ROUNDS && performance.now() - started < TIME_LIMIT_MS; i++) {
    const r = await db.call('internal.claim_tasks', { WorkerAgentId: worker, MaxTasks: 10, LeaseMs: 60000 });
    if (r.rows.length === 0) break;
    await completeTasks(db, r.rows.map((t) => ({ taskId: String(t.task_id), leaseToken: String(t.lease_token), outcome: 'succeeded' as const })), worker);
    tasks += r.rows.length;
  }
  return tasks / ((performance.now() - started) / 1000);
}

/**
 * A backlog started in bulk is claimed before anything has analyzed it (autovacuum is kept off the
 * tables the start writes meanwhile, so that it cannot analyze halfway), then after ANALYZE.
 */
async function backlogClaims(): Promise<{ unanalyzed: number; analyzed: number }> {
  const bench = await createBenchDatabase();
  const { db } = bench;
  try {
    await deployNoopProject(db);
    const worker = randomUUID();
    await db.call('catalog.add_worker_agent', { WorkerAgentId: worker, CertificateThumbprint: randomBytes(32).toString('hex'), IsEnabled: 1, MaxTaskCount: 1000 });
    // Every table the bulk start writes: autovacuum analyzing executions during the first phase
    // (20,000 new rows) took CPU from its claims and made them plan again halfway.
    for (const table of ['tasks', 'operations', 'executions']) await db.query(`ALTER TABLE internal.${table} SET (autovacuum_enabled = false)`);
    const row = { folder_name: 'bench', project_name: 'bench', package_name: 'noop' };
    for (let done = 0; done < BACKLOG; done += 10_000) await startExecutions(db, Array.from({ length: 10_000 }, () => row));
    const unanalyzed = await claimsOfTen(db, worker);
    await db.query('ANALYZE internal.tasks, internal.operations');
    const analyzed = await claimsOfTen(db, worker);
    return { unanalyzed, analyzed };
  } finally {
    await bench.drop();
  }
}

async function main(): Promise<void> {
  const bench = await createBenchDatabase();
  const { db } = bench;
  const url = bench.url;
  try {
    await migrateUp(db);
    const worker = randomUUID();
    const thumbprint = randomBytes(32).toString('hex');
    await db.call('catalog.add_worker_agent', { WorkerAgentId: worker, CertificateThumbprint: thumbprint, IsEnabled: 1, MaxTaskCount: 1000 });
    await db.call('catalog.create_folder', { folder_name: 'bench' });
    const manifest = { name: 'bench', packages: [{ name: 'noop', kind: 'node' }] };
    await db.call('catalog.deploy_project', { folder_name: 'bench', project_name: 'bench', project_stream: projectBytes('bench'), manifest: JSON.stringify(manifest) });
    const [project] = await db.query("SELECT project_id, object_version_lsn FROM internal.projects WHERE name = 'bench'");
    const projectId = Number(project!.project_id);
    const lsn = Number(project!.object_version_lsn);

    // Warm up, then measure with (almost) no finished executions.
    await queueReadyTasks(db, 200, projectId, lsn);
    await roundTrips(db, worker);
    await queueReadyTasks(db, ROUND_TRIPS, projectId, lsn);
    const small = await roundTrips(db, worker);

    process.stdout.write(`adding ${FINISHED.toLocaleString('en')} finished executions...\n`);
    const t = performance.now();
    await addFinished(db, FINISHED, projectId, lsn);
    process.stdout.write(`  done in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);

    await queueReadyTasks(db, 200, projectId, lsn);
    await roundTrips(db, worker);
    await queueReadyTasks(db, ROUND_TRIPS, projectId, lsn);
    const large = await roundTrips(db, worker);

    await queueReadyTasks(db, 100, projectId, lsn);
    const costs = await claimCosts(db, worker);

    // The claim's choice of tasks (internal.claim_tasks), with the settings it runs under.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    let plan: Array<Record<string, unknown>>;
    try {
      await client.query('SET enable_bitmapscan = off');
      await client.query('SET enable_seqscan = off');
      plan = (await client.query(
        `EXPLAIN (COSTS OFF) SELECT t.task_id FROM internal.tasks AS t WHERE t.status = 1 AND t.ready_at <= now()
          ORDER BY t.priority DESC, t.task_seq LIMIT 1 FOR UPDATE SKIP LOCKED`,
      )).rows;
    } finally {
      await client.end();
    }
    const finishedCount = (await db.query('SELECT count(*)::bigint AS n FROM internal.tasks WHERE status IN (4, 5, 6)'))[0]!.n;

    process.stdout.write(
      [
        '',
        `claim + complete round trips/s, with ~${(ROUND_TRIPS + 200).toLocaleString('en')} finished executions:  ${small.perSecond.toFixed(0)} (${small.count} round trips)`,
        `claim + complete round trips/s, with ${Number(finishedCount).toLocaleString('en')} finished executions: ${large.perSecond.toFixed(0)} (${large.count} round trips)`,
        `ratio (large / small): ${(large.perSecond / small.perSecond).toFixed(2)}   target >= 0.90`,
        `batch claim of ${costs.batchSize}: one call, ${costs.batchMs.toFixed(1)} ms; ${costs.singles} single claims: ${costs.singles} calls, ${costs.singlesMs.toFixed(1)} ms`,
        'ready-task scan plan:',
        ...plan.map((r) => `  ${String(r['QUERY PLAN'])}`),
        '',
      ].join('\n'),
    );
  } finally {
    await bench.drop();
  }
  const backlog = await backlogClaims();
  process.stdout.write(
    [
      `claims of 10 (each batch completed) on a backlog of ${BACKLOG.toLocaleString('en')} started in bulk: ${backlog.unanalyzed.toFixed(0)} tasks/s before ANALYZE, ${backlog.analyzed.toFixed(0)} after`,
      `ratio (unanalyzed / analyzed): ${(backlog.unanalyzed / backlog.analyzed).toFixed(2)}   target >= 0.90`,
      '',
    ].join('\n'),
  );
}

await main();
