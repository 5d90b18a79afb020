// One measurement of a peer queue, run under Node 22 by bench/peers.ts:
//   node peer.mjs <graphile|pgboss> enqueue <database url> <single count> <batch count> <batch size>
// Prints one JSON line: jobs per second enqueued one job per call, and in batches.
import { performance } from 'node:perf_hooks';

const [system, mode, url, single, batch, batchSize] = process.argv.slice(2);
if (mode !== 'enqueue') throw new Error(`unknown mode ${mode}`);

async function graphile() {
  const { makeWorkerUtils } = await import('graphile-worker');
  const utils = await makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  return {
    one: () => utils.addJob('noop', {}),
    many: (n) => utils.addJobs(Array.from({ length: n }, () => ({ identifier: 'noop', payload: {} }))),
    close: () => utils.release(),
  };
}

async function pgboss() {
  const { PgBoss } = await import('pg-boss');
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false, migrate: true });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue('noop');
  return {
    one: () => boss.send('noop', {}),
    many: (n) => boss.insert('noop', Array.from({ length: n }, () => ({ data: {} }))),
    close: () => boss.stop({ graceful: false, wait: true }),
  };
}

const queue = system === 'graphile' ? await graphile() : await pgboss();
let t = performance.now();
for (let i = 0; i < Number(single); i++) await queue.one();
const singleMs = performance.now() - t;
t = performance.now();
for (let done = 0; done < Number(batch); done += Number(batchSize)) await queue.many(Math.min(Number(batchSize), Number(batch) - done));
const batchMs = performance.now() - t;
await queue.close();
process.stdout.write(`${JSON.stringify({ system, singlePerSecond: Number(single) / singleMs * 1000, batchPerSecond: Number(batch) / batchMs * 1000 })}\n`);
