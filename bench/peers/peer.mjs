// One measurement of a peer queue, run under Node 22 by bench/peers.ts. Prints one JSON line.
//   node peer.mjs <graphile|pgboss> enqueue <url> <single count> <batch count> <batch size>
//       jobs/s added one per call, and in batches
//   node peer.mjs <graphile|pgboss> fill <url> <jobs>
//       the backlog for drain, in batches of 10,000
//   node peer.mjs <graphile|pgboss> drain <url> <jobs> <concurrency>
//       a worker with a no-op handler: first handler start to the last completion visible in the
//       database, and this process's CPU over that time
//   node peer.mjs <graphile|pgboss> pickup <url> <samples>
//       an idle worker (10 at once): from adding a job to its handler starting, one job at a time
// Every loop is bounded in count and time.
import { performance } from 'node:perf_hooks';
import pg from 'pg';

const [system, mode, url, ...rest] = process.argv.slice(2);
const LIMIT_MS = 120_000;

async function graphile(concurrency = 10) {
  const { makeWorkerUtils, run } = await import('graphile-worker');
  const utils = await makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  let runner;
  return {
    one: () => utils.addJob('noop', {}),
    many: (n) => utils.addJobs(Array.from({ length: n }, () => ({ identifier: 'noop', payload: {} }))),
    // Batched as graphile-worker documents for throughput: a local queue of jobs fetched (and
    // locked) together, completions sent together.
    start: async (handler) => {
      runner = await run({
        connectionString: url,
        concurrency,
        noHandleSignals: true,
        pollInterval: 500,
        preset: { worker: { localQueue: { size: concurrency }, completeJobBatchDelay: 0 } },
        taskList: { noop: async () => handler() },
        logger: new (await import('graphile-worker')).Logger(() => () => undefined),
      });
    },
    pending: async (c) => Number((await c.query('SELECT count(*) AS n FROM graphile_worker.jobs')).rows[0].n),
    close: async () => {
      await runner?.stop();
      await utils.release();
    },
  };
}

async function pgboss(concurrency = 10) {
  const { PgBoss } = await import('pg-boss');
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false, migrate: true, useListenNotify: true });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue('noop', { notify: true });
  return {
    one: () => boss.send('noop', {}),
    many: (n) => boss.insert('noop', Array.from({ length: n }, () => ({ data: {} }))),
    // Batches of 10, fetched back to back while they come back full.
    start: (handler) => boss.work('noop', {
      batchSize: Math.min(10, concurrency), localConcurrency: Math.max(1, Math.round(concurrency / 10)),
      pollingIntervalSeconds: 0.5, burstWhenBatchFull: true,
    }, async (jobs) => { for (const _ of jobs) handler(); }),
    pending: async (c) => Number((await c.query("SELECT count(*) AS n FROM pgboss.job WHERE name = 'noop' AND state <> 'completed'")).rows[0].n),
    close: () => boss.stop({ graceful: false, wait: true }),
  };
}

const open = (concurrency) => (system === 'graphile' ? graphile(concurrency) : pgboss(concurrency));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
let result;

if (mode === 'enqueue') {
  const [single, batch, batchSize] = rest.map(Number);
  const queue = await open();
  let t = performance.now();
  for (let i = 0; i < single; i++) await queue.one();
  const singleMs = performance.now() - t;
  t = performance.now();
  for (let done = 0; done < batch; done += batchSize) await queue.many(Math.min(batchSize, batch - done));
  const batchMs = performance.now() - t;
  await queue.close();
  result = { singlePerSecond: (single / singleMs) * 1000, batchPerSecond: (batch / batchMs) * 1000 };
} else if (mode === 'fill') {
  const [jobs] = rest.map(Number);
  const queue = await open();
  for (let done = 0; done < jobs; done += 10_000) await queue.many(Math.min(10_000, jobs - done));
  await queue.close();
  result = { filled: jobs };
} else if (mode === 'drain') {
  const [jobs, concurrency] = rest.map(Number);
  const queue = await open(concurrency);
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  let handled = 0;
  let first;
  let cpu0;
  await queue.start(() => {
    if (first === undefined) {
      first = performance.now();
      cpu0 = process.cpuUsage();
    }
    handled++;
  });
  const deadline = performance.now() + LIMIT_MS;
  while (performance.now() < deadline && (first === undefined || (await queue.pending(watcher)) > 0)) await sleep(first === undefined ? 5 : 20);
  const seconds = (performance.now() - first) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await watcher.end();
  await queue.close();
  result = { jobs, handled, jobsPerSecond: jobs / seconds, workerCpuMsPer1000: ((cpu.user + cpu.system) / 1000) / (jobs / 1000) };
} else if (mode === 'pickup') {
  const [samples] = rest.map(Number);
  const queue = await open(10);
  let waiting;
  await queue.start(() => waiting?.(performance.now()));
  await sleep(1000);
  const latencies = [];
  const deadline = performance.now() + LIMIT_MS;
  for (let i = 0; i < samples && performance.now() < deadline; i++) {
    const started = new Promise((resolve) => { waiting = resolve; });
    const t = performance.now();
    await queue.one();
    const at = await Promise.race([started, sleep(10_000).then(() => undefined)]);
    if (at !== undefined) latencies.push(at - t);
    await sleep(20);
  }
  await queue.close();
  const sorted = latencies.sort((a, b) => a - b);
  result = { samples: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
} else {
  throw new Error(`unknown mode ${mode}`);
}
process.stdout.write(`${JSON.stringify({ system, mode, ...result })}\n`);
process.exit(0);
