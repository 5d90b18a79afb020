/**
 * Scale Out Manager against a full catalog (PostgreSQL): 10,000 executions and 1,000,000 messages
 * (100 per execution, and 10,000 more on one of them), then the time from request to the whole
 * answer for the first page of the execution list and for an execution's page with its first
 * messages. Target: both under 300 ms.
 *
 *   npm run bench:manager                     # PostgreSQL at postgres://postgres@127.0.0.1:5432/postgres
 *   SCALEOUT_BENCH_PG_URL=postgres://... npm run bench:manager
 *
 * Creates a database scaleout_bench_<random> and drops it at the end; every loop is bounded.
 */

import { join } from 'node:path';
import { PROJECT_ROOT } from '../src/migrate/scripts.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { packProject } from '../src/project/pack.ts';
import { startManager } from '../src/manager/server.ts';
import { createBenchDatabase } from './database.ts';

const EXECUTIONS = 10_000;
const MESSAGES_EACH = 100;
const MESSAGES_ON_ONE = 10_000;
const REQUESTS = 30;
const TARGET_MS = 300;

async function timed(url: string): Promise<number> {
  const started = process.hrtime.bigint();
  const r = await fetch(url);
  await r.text();
  if (!r.ok) throw new Error(`${url} answered ${r.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const bench = await createBenchDatabase();
  try {
    const db = bench.db;
    await migrateUp(db);
    await db.call('catalog.create_folder', { folder_name: 'Finance' });
    const packed = packProject(join(PROJECT_ROOT, 'examples', 'etl'));
    await db.call('catalog.deploy_project', { folder_name: 'Finance', project_name: 'etl', project_stream: packed.bytes, manifest: packed.manifestText });
    const [project] = await db.query('SELECT project_id, object_version_lsn FROM internal.projects');
    const seeded = Date.now();
    await db.query(
      `WITH ops AS (
         INSERT INTO internal.operations (operation_type, created_time, object_type, object_id, object_name, status, start_time, end_time, caller_name, machine_name, executed_count)
         SELECT 200, now() - g * interval '1 minute', 20, $1, 'etl', 7, now() - g * interval '1 minute', now() - g * interval '1 minute' + interval '2 seconds', 'bench', 'bench-host', 1
           FROM generate_series(1, $2) AS g
         RETURNING operation_id
       )
       INSERT INTO internal.executions (execution_id, folder_name, project_name, package_name, project_lsn, executed_as_name)
       SELECT operation_id, 'Finance', 'etl', 'clean_customers', $3, 'bench' FROM ops`,
      [project!.project_id, EXECUTIONS, project!.object_version_lsn],
    );
    await db.query(
      `INSERT INTO internal.operation_messages (operation_id, message_time, message_type, message_source_type, message)
       SELECT e.execution_id, now(), 70, 30, 'rows read ' || g || ', duplicates removed, written to the output folder'
         FROM internal.executions AS e CROSS JOIN generate_series(1, $1) AS g`,
      [MESSAGES_EACH],
    );
    const [big] = await db.query('SELECT max(execution_id) AS id FROM internal.executions');
    await db.query(
      `INSERT INTO internal.operation_messages (operation_id, message_time, message_type, message_source_type, message)
       SELECT $1, now(), 70, 30, 'line ' || g FROM generate_series(1, $2) AS g`,
      [big!.id, MESSAGES_ON_ONE],
    );
    await db.query('ANALYZE');
    const [counts] = await db.query('SELECT (SELECT count(*) FROM internal.executions) AS executions, (SELECT count(*) FROM internal.operation_messages) AS messages');
    console.log(`seeded ${Number(counts!.executions).toLocaleString('en')} executions and ${Number(counts!.messages).toLocaleString('en')} messages in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

    const manager = await startManager({ db, host: '127.0.0.1', port: 0 });
    try {
      const pages = [
        { name: 'execution list, first page (50 of 10,000, newest first)', url: `${manager.url}executions` },
        { name: `an execution's page, its last 500 of ${(MESSAGES_EACH + MESSAGES_ON_ONE).toLocaleString('en')} messages`, url: `${manager.url}executions/${big!.id}` },
        { name: 'execution list filtered by folder and status, page 100', url: `${manager.url}executions?folder=Finance&status=7&page=100` },
      ];
      let met = true;
      for (const page of pages) {
        await timed(page.url); // warm: plans cached, connection open
        const times: number[] = [];
        const deadline = Date.now() + 60_000;
        for (let i = 0; i < REQUESTS && Date.now() < deadline; i++) times.push(await timed(page.url));
        const p50 = percentile(times, 50);
        const max = Math.max(...times);
        if (max >= TARGET_MS) met = false;
        console.log(`${page.name}: p50 ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms over ${times.length} requests (target < ${TARGET_MS} ms)`);
      }
      console.log(met ? 'Every target met.' : 'A target was missed.');
      if (!met) process.exitCode = 1;
    } finally {
      await manager.close();
    }
  } finally {
    await bench.drop();
  }
}

await main();
