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

export { queueReadyTasks } from '../test/support/queue-helpers.ts';
