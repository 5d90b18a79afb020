/**
 * Dispatch through the master, against PostgreSQL on 127.0.0.1: a real master process, and
 * simulated worker agents (each with its own client certificate and keep-alive TLS connection)
 * long-polling it over HTTPS.
 *
 *   - pickup latency from start_execution to the agent holding the task, p50/p95/p99, with 1, 10,
 *     100 and 1,000 agents waiting;
 *   - the master's CPU per idle long-polling agent (1,000 agents, no work);
 *   - no-op tasks claimed and completed per second at 50 concurrent slots, fetching and completing
 *     in batches.
 *
 *   npm run bench:dispatch            (SCALEOUT_BENCH_PG_URL to use another server)
 *
 * Every loop is bounded in count and time; the benchmark creates and drops its own database.
 */

import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import pg from 'pg';
import { startMaster } from '../test/support/master-process.ts';
import { benchCerts, post, simulatedAgent, type SimAgent } from './simulated-agent.ts';
import { machineCpu, rssMb, percentile, postgresCpu, processCpu } from './measure.ts';
import { createBenchDatabase, deployNoopProject, queueReadyTasks } from './database.ts';

const AGENT_COUNTS = [1, 10, 100, 1000];
const SAMPLES = 100;
const THROUGHPUT_TASKS = 20_000;
const THROUGHPUT_SLOTS = 50;
const THROUGHPUT_BATCH = 10;
const TIME_LIMIT_MS = 20_000;

/** Tasks/s of THROUGHPUT_SLOTS loops that complete their batch and claim the next straight in the catalog. */
async function directThroughput(url: string, agentIds: string[]): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: THROUGHPUT_SLOTS }, async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  try {
    let done = 0;
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (c, i) => {
        let held: Array<{ task_id: string; lease_token: string }> = [];
        while (performance.now() - t0 < TIME_LIMIT_MS) {
          if (held.length > 0) {
            const completions = held.map((t) => ({ taskId: t.task_id, leaseToken: t.lease_token, outcome: 'succeeded' }));
            await c.query('SELECT * FROM internal.complete_tasks($1)', [JSON.stringify(completions)]);
            done += held.length;
          }
          held = (await c.query('SELECT * FROM internal.claim_tasks($1, $2, 60000)', [agentIds[i % agentIds.length], THROUGHPUT_BATCH])).rows;
          if (held.length === 0) break;
        }
      }),
    );
    return done / ((performance.now() - t0) / 1000);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

async function main(): Promise<void> {
  const bench = await createBenchDatabase();
  const { db } = bench;
  const url = bench.url;
  const certs = benchCerts();
  const report: string[] = [];
  let master: Awaited<ReturnType<typeof startMaster>> | undefined;
  try {
    await deployNoopProject(db);
    const [project] = await db.query("SELECT project_id, object_version_lsn FROM internal.projects WHERE name = 'bench'");
    const projectId = Number(project!.project_id);
    const lsn = Number(project!.object_version_lsn);

    process.stdout.write(`creating ${Math.max(...AGENT_COUNTS)} agents...\n`);
    const agents: SimAgent[] = [];
    for (let i = 0; i < Math.max(...AGENT_COUNTS); i++) {
      const a = simulatedAgent(certs, randomUUID());
      await db.call('catalog.add_worker_agent', { WorkerAgentId: a.id, CertificateThumbprint: a.thumbprint, IsEnabled: 1, MaxTaskCount: 1000 });
      agents.push(a);
    }
    master = await startMaster(url, certs, { LongPollMaxInMs: 30000, MasterHeartbeatIntervalInMs: 30000, DispatchPollIntervalInMs: 200 });
    const port = master.port;
    // The master as installed (compiled JavaScript): spawn to its "listening" line, and idle memory
    // 10 s later, before any agent.
    await new Promise((r) => setTimeout(r, 10_000));
    report.push(`master start to ready: ${master.readyMs.toFixed(0)} ms; idle resident memory (10 s after start, no agent): ${rssMb(master.child.pid!).toFixed(1)} MB   target < 80 MB`);
    for (const a of agents) await post(port, a, `/api/v1/agents/${a.id}/register`, { machineName: 'bench' });

    // Pickup latency, and idle CPU per agent.
    for (const count of AGENT_COUNTS) {
      const active = agents.slice(0, count);
      const started = new Map<number, number>();
      const latencies: number[] = [];
      const stop = new AbortController();
      setMaxListeners(10_000, stop.signal);
      const loops = active.map(async (a) => {
        while (!stop.signal.aborted) {
          try {
            const r = await post(port, a, `/api/v1/agents/${a.id}/tasks:claim`, { maxTasks: 1, waitMs: 30000 }, stop.signal);
            for (const t of r.json.tasks ?? []) {
              const at = started.get(t.executionId);
              if (at !== undefined) latencies.push(performance.now() - at);
              await post(port, a, `/api/v1/tasks/${t.taskId}/complete`, { leaseToken: t.leaseToken, outcome: 'succeeded' });
            }
          } catch {
            if (stop.signal.aborted) return;
          }
        }
      });
      await new Promise((r) => setTimeout(r, 1000 + count * 2));
      if (count === Math.max(...AGENT_COUNTS)) {
        const before = processCpu(master.child.pid!).self;
        const windowMs = 10_000;
        await new Promise((r) => setTimeout(r, windowMs));
        const used = processCpu(master.child.pid!).self - before;
        const percent = (used / (windowMs / 1000)) * 100;
        report.push(`master CPU with ${count} idle long-polling agents: ${percent.toFixed(2)} % of one core (${(percent / count).toFixed(4)} % per agent)   target < 10 %`);
      }
      for (let i = 0; i < SAMPLES; i++) {
        const r = await db.call('catalog.create_execution', { folder_name: 'bench', project_name: 'bench', package_name: 'noop' });
        const id = Number(r.output.execution_id);
        started.set(id, performance.now());
        await db.call('catalog.start_execution', { execution_id: id });
        await new Promise((res) => setTimeout(res, 20));
      }
      const deadline = Date.now() + 10_000;
      while (latencies.length < SAMPLES && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      stop.abort();
      await Promise.allSettled(loops);
      const sorted = [...latencies].sort((x, y) => x - y);
      report.push(
        `pickup latency with ${String(count).padStart(4)} agents waiting: p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms (${sorted.length} samples)   target p50 <= 5 ms, p99 <= 20 ms`,
      );
    }

    // Throughput: 10 agents, 5 claim loops each (50 loops), each holding up to 10 tasks. First with a
    // claim request and a completion request per batch; then with tasks:exchange, where one request
    // reports a batch and claims the next (what a busy worker does).
    const slots = agents.slice(0, THROUGHPUT_SLOTS / 5);
    const rates: Record<string, number> = {};
    for (const mode of ['claim + complete', 'exchange'] as const) {
      await queueReadyTasks(db, THROUGHPUT_TASKS, projectId, lsn);
      await db.query('VACUUM ANALYZE internal.tasks, internal.operations');
      let done = 0;
      const t0 = performance.now();
      const cpu0 = { machine: machineCpu(), master: processCpu(master.child.pid!).self, pg: postgresCpu(), bench: process.cpuUsage() };
      const tloops = slots.flatMap((a) =>
        Array.from({ length: 5 }, async () => {
          let held: any[] = [];
          const completions = () => held.map((t: any) => ({ taskId: t.taskId, leaseToken: t.leaseToken, outcome: 'succeeded' }));
          while (performance.now() - t0 < TIME_LIMIT_MS) {
            if (mode === 'exchange') {
              const r = await post(port, a, `/api/v1/agents/${a.id}/tasks:exchange`, { completions: completions(), maxTasks: THROUGHPUT_BATCH, waitMs: 0 });
              done += (r.json.results ?? []).length;
              held = r.json.tasks ?? [];
              if (held.length === 0) break;
            } else {
              const r = await post(port, a, `/api/v1/agents/${a.id}/tasks:claim`, { maxTasks: THROUGHPUT_BATCH, waitMs: 0 });
              held = r.json.tasks ?? [];
              if (held.length === 0) break;
              await post(port, a, '/api/v1/tasks:complete', { completions: completions() });
              done += held.length;
            }
          }
        }),
      );
      await Promise.all(tloops);
      const seconds = (performance.now() - t0) / 1000;
      const m1 = machineCpu();
      const benchCpu = process.cpuUsage(cpu0.bench);
      const perK = (cpuSeconds: number) => `${((cpuSeconds * 1000 * 1000) / Math.max(1, done)).toFixed(0)} ms`;
      rates[mode] = done / seconds;
      report.push(
        `throughput (${mode}) with ${THROUGHPUT_SLOTS} concurrent loops, up to ${THROUGHPUT_BATCH} tasks per request (up to ${THROUGHPUT_SLOTS * THROUGHPUT_BATCH} in flight): ${(done / seconds).toFixed(0)} tasks/s (${done} tasks in ${seconds.toFixed(1)} s)   target >= 7,000 tasks/s`,
      );
      report.push(
        `  CPU per 1,000 tasks: master ${perK(processCpu(master.child.pid!).self - cpu0.master)}, PostgreSQL ${perK(postgresCpu() - cpu0.pg)}, load generator ${perK((benchCpu.user + benchCpu.system) / 1e6)}; machine ${((100 * (m1.busy - cpu0.machine.busy)) / (m1.total - cpu0.machine.total)).toFixed(0)} % busy`,
      );
    }
    // The same loop straight to the catalog, without the master and HTTPS: what this machine and
    // database allow, so that the master's share reads as a ratio measured in this run.
    await queueReadyTasks(db, THROUGHPUT_TASKS, projectId, lsn);
    await db.query('VACUUM ANALYZE internal.tasks, internal.operations');
    const direct = await directThroughput(url, slots.map((a) => a.id));
    report.push(
      `the same loop straight to the catalog (${THROUGHPUT_SLOTS} connections, complete_tasks then claim_tasks, no master): ${direct.toFixed(0)} tasks/s; through the master: exchange ${((100 * rates.exchange!) / direct).toFixed(0)} %, claim + complete ${((100 * rates['claim + complete']!) / direct).toFixed(0)} % of it`,
    );
    process.stdout.write(`\n${report.join('\n')}\n`);
  } finally {
    await master?.stop();
    await bench.drop();
    certs.cleanup();
  }
}

await main();
process.exit(0);
