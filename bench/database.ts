/** A PostgreSQL database of the benchmark's own, created on 127.0.0.1 (or SCALEOUT_BENCH_PG_URL) and dropped afterwards. */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openCatalog } from '../src/db/open.ts';
import type { CatalogDb } from '../src/db/types.ts';

const ADMIN_URL = process.env.SCALEOUT_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  readonly url: string;
  readonly db: CatalogDb;
  drop(): Promise<void>;
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `scaleout_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = await openCatalog(url.toString(), { poolSize: 4 });
  return {
    url: url.toString(),
    db,
    drop: async () => {
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Queues count no-op tasks, ready since a second ago, straight in the tables: the benchmarks' supply of work. */
export async function queueReadyTasks(db: CatalogDb, count: number, projectId: number, lsn: number): Promise<void> {
  await db.query(
    `WITH ops AS (
       INSERT INTO internal.operations (operation_type, created_time, object_type, object_id, object_name, status, start_time, caller_name, machine_name)
       SELECT 200, now(), 20, $1, 'bench', 5, now(), 'bench', '' FROM generate_series(1, $2)
       RETURNING operation_id
     ), ex AS (
       INSERT INTO internal.executions (execution_id, folder_name, project_name, package_name, project_lsn, executed_as_name)
       SELECT operation_id, 'bench', 'bench', 'noop', $3, 'bench' FROM ops
       RETURNING execution_id
     )
     INSERT INTO internal.tasks (task_id, execution_id, status, max_executed_count, ready_at, use_any_worker, created_time, last_updated_time)
     SELECT gen_random_uuid(), execution_id, 1, 1, now() - interval '1 second', true, now(), now() FROM ex`,
    [projectId, count, lsn],
  );
}
