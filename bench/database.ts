/** A PostgreSQL database of the benchmark's own, created on 127.0.0.1 (or SCALEOUT_BENCH_PG_URL) and dropped afterwards. */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openCatalog } from '../src/db/open.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { projectBytes } from '../test/support/queue-helpers.ts';
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

/** Migrates the catalog and deploys project bench (folder bench) with one no-op node package, noop. */
export async function deployNoopProject(db: CatalogDb): Promise<void> {
  await migrateUp(db);
  await db.call('catalog.create_folder', { folder_name: 'bench' });
  await db.call('catalog.deploy_project', {
    folder_name: 'bench', project_name: 'bench', project_stream: projectBytes('bench'),
    manifest: JSON.stringify({ name: 'bench', packages: [{ name: 'noop', kind: 'node' }] }),
  });
}
