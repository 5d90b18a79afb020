/**
 * The master service, as real processes on 127.0.0.1 with generated certificates, driven by an
 * HTTPS client holding worker certificates. Runs on the server backends (PostgreSQL; SQL Server when
 * reachable): an embedded PGlite catalog lives inside the master's own process, where this test
 * cannot reach it to start executions.
 */

import { expect } from 'chai';
import { setTimeout as delay } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import type { CatalogDb } from '../../src/db/types.ts';
import type { CertificateFiles } from '../../src/tls/certificates.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { view } from '../support/catalog-helpers.ts';
import { projectBytes, sha256Hex } from '../support/queue-helpers.ts';
import { waitFor } from '../support/wait.ts';
import { TcpProxy, call, makeCerts, startCall, startMaster, type Certs, type MasterProcess } from '../support/master-process.ts';

const FAST = { MasterHeartbeatIntervalInMs: 1000, SweepLeaseInMs: 3000, DealWithExpiredTasksIntervalInMs: 500, LongPollMaxInMs: 5000 };

async function trustedWorker(db: CatalogDb, certs: Certs, options: { enabled?: boolean } = {}) {
  const id = randomUUID();
  const cert = certs.worker(`worker-${id.slice(0, 6)}`);
  await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: cert.thumbprint, IsEnabled: options.enabled === false ? 0 : 1 });
  return { id, cert };
}

async function queueExecution(db: CatalogDb, folder: string): Promise<number> {
  const r = await db.call('catalog.create_execution', { folder_name: folder, project_name: 'p', package_name: 'noop' });
  const id = Number(r.output.execution_id);
  await db.call('catalog.start_execution', { execution_id: id, retry_count: 0 });
  return id;
}

type WireTask = { taskId: string; leaseToken: string; executionId: number; executedCount: number };

/** Claims and cancels every ready task, so that a test's claims get only what it queues. */
async function drain(port: number, worker: { id: string; cert: CertificateFiles }): Promise<void> {
  for (;;) {
    const r = await call(port, 'POST', `/api/v1/agents/${worker.id}/tasks:claim`, { cert: worker.cert, body: { waitMs: 0, maxTasks: 100 } });
    const tasks = (r.json.tasks ?? []) as WireTask[];
    if (tasks.length === 0) return;
    const completions = tasks.map((t) => ({ taskId: t.taskId, leaseToken: t.leaseToken, outcome: 'canceled' }));
    await call(port, 'POST', '/api/v1/tasks:complete', { cert: worker.cert, body: { completions } });
  }
}

async function metric(port: number, pattern: RegExp): Promise<number> {
  const text = (await call(port, 'GET', '/metrics')).body.toString();
  return Number(pattern.exec(text)?.[1] ?? 0);
}

forEachBackend('master service', (backend) => {
  const catalog = useCatalog(backend, { only: ['pg', 'mssql'] });
  let certs: Certs;
  let master: MasterProcess | undefined;
  const folder = 'master_tests';
  const bytes = projectBytes('project bytes');

  before(async function () {
    if (backend.kind === 'pglite') this.skip(); // see the header
    this.timeout(60_000);
    certs = makeCerts();
    await catalog.db.call('catalog.create_folder', { folder_name: folder });
    await catalog.db.call('catalog.deploy_project', {
      folder_name: folder, project_name: 'p', project_stream: bytes,
      manifest: JSON.stringify({ name: 'p', packages: [{ name: 'noop', kind: 'node' }] }),
    });
    master = await startMaster(catalog.database.spec!, certs, FAST);
  });

  after(async () => {
    await master?.kill9().catch(() => undefined);
    certs?.cleanup();
  });

  it('refuses a worker without a certificate, and one whose certificate the catalog does not trust (403)', async () => {
    const none = await call(master!.port, 'POST', `/api/v1/agents/${randomUUID()}/register`, { body: { machineName: 'x' } });
    expect(none.status).to.equal(403);
    expect(none.json.error).to.equal('client_certificate_required');
    const stranger = certs.worker('stranger');
    const refused = await call(master!.port, 'POST', `/api/v1/agents/${randomUUID()}/register`, { cert: stranger, body: { machineName: 'x' } });
    expect(refused.status).to.equal(403);
    expect(refused.json).to.include({ error: 'certificate_untrusted' });
    expect(String(refused.json.message)).to.contain(stranger.thumbprint);
  });

  it('answers a trusted but disabled worker, and gives it no task', async () => {
    const { id, cert } = await trustedWorker(catalog.db, certs, { enabled: false });
    const reg = await call(master!.port, 'POST', `/api/v1/agents/${id}/register`, { cert, body: { machineName: 'w' } });
    expect(reg.status).to.equal(200);
    expect(reg.json.isEnabled).to.equal(false);
    await queueExecution(catalog.db, folder);
    const claim = await call(master!.port, 'POST', `/api/v1/agents/${id}/tasks:claim`, { cert, body: { waitMs: 300 } });
    expect(claim.status).to.equal(200);
    expect(claim.json.tasks).to.deep.equal([]);
  });

  it('hands a waiting worker a task moments after start_execution, and runs the whole exchange', async () => {
    const { id, cert } = await trustedWorker(catalog.db, certs);
    await call(master!.port, 'POST', `/api/v1/agents/${id}/register`, { cert, body: { machineName: 'w', maxTaskCount: 4 } });
    // Drain what other tests queued.
    await call(master!.port, 'POST', `/api/v1/agents/${id}/tasks:claim`, { cert, body: { waitMs: 0, maxTasks: 50 } });

    const polling = call(master!.port, 'POST', `/api/v1/agents/${id}/tasks:claim`, { cert, body: { waitMs: 10_000 } });
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    const executionId = await queueExecution(catalog.db, folder);
    const claim = await polling;
    const latency = Date.now() - started;
    expect(claim.status).to.equal(200);
    const tasks = claim.json.tasks as Array<Record<string, unknown>>;
    expect(tasks).to.have.length(1);
    expect(tasks[0]).to.include({ executionId, packageName: 'noop', contentHash: sha256Hex(bytes) });
    expect(latency, 'long poll answered soon after start_execution').to.be.lessThan(1000);

    const task = tasks[0]!;
    const beat = await call(master!.port, 'POST', `/api/v1/tasks/${task.taskId}/heartbeat`, { cert, body: { leaseToken: task.leaseToken, leaseMs: 30000 } });
    expect(beat.status).to.equal(200);
    expect(beat.json.isCancelled).to.equal(false);

    const logs = await call(master!.port, 'POST', `/api/v1/executions/${executionId}/logs`, {
      cert,
      body: { batchId: randomUUID(), messages: [{ message: 'hello from the package', type: 70 }] },
    });
    expect(logs.json).to.deep.equal({ inserted: 1 });

    const project = await call(master!.port, 'GET', `/api/v1/projects/${task.contentHash}`, { cert });
    expect(project.status).to.equal(200);
    expect(project.body.equals(bytes)).to.equal(true);

    const done = await call(master!.port, 'POST', `/api/v1/tasks/${task.taskId}/complete`, { cert, body: { leaseToken: task.leaseToken, outcome: 'succeeded' } });
    expect(done.json).to.deep.equal({ executionStatus: 7, willRetry: false });
    const again = await call(master!.port, 'POST', `/api/v1/tasks/${task.taskId}/complete`, { cert, body: { leaseToken: task.leaseToken, outcome: 'failed' } });
    expect(again.status).to.equal(409);
    expect(again.json.error).to.equal('task_lease_lost');

    const messages = (await view(catalog.db, 'catalog.operation_messages')).filter((m) => m.operation_id === executionId);
    expect(messages.map((m) => m.message)).to.include('hello from the package');
  });

  it('tasks:exchange reports finished tasks and claims the next ones in one request', async () => {
    const { id, cert } = await trustedWorker(catalog.db, certs);
    await call(master!.port, 'POST', `/api/v1/agents/${id}/register`, { cert, body: { machineName: 'w', maxTaskCount: 4 } });
    await call(master!.port, 'POST', `/api/v1/agents/${id}/tasks:claim`, { cert, body: { waitMs: 0, maxTasks: 50 } });
    const first = await queueExecution(catalog.db, folder);
    const second = await queueExecution(catalog.db, folder);
    const claimed = await call(master!.port, 'POST', `/api/v1/agents/${id}/tasks:exchange`, { cert, body: { completions: [], maxTasks: 1, waitMs: 0 } });
    expect(claimed.status, JSON.stringify(claimed.json)).to.equal(200);
    expect(claimed.json.results).to.deep.equal([]);
    const [t1] = claimed.json.tasks as Array<{ taskId: string; leaseToken: string; executionId: number }>;
    expect(t1!.executionId).to.equal(first);
    const next = await call(master!.port, 'POST', `/api/v1/agents/${id}/tasks:exchange`, {
      cert,
      body: { completions: [{ taskId: t1!.taskId, leaseToken: t1!.leaseToken, outcome: 'succeeded' }], maxTasks: 4, waitMs: 0 },
    });
    expect(next.status).to.equal(200);
    expect(next.json.results).to.deep.equal([{ taskId: t1!.taskId, executionStatus: 7, willRetry: false, errorNumber: null }]);
    const [t2] = next.json.tasks as Array<{ taskId: string; leaseToken: string; executionId: number }>;
    expect(t2!.executionId).to.equal(second);
    const last = await call(master!.port, 'POST', `/api/v1/agents/${id}/tasks:exchange`, {
      cert,
      body: { completions: [{ taskId: t2!.taskId, leaseToken: t2!.leaseToken, outcome: 'succeeded' }, { taskId: t1!.taskId, leaseToken: t1!.leaseToken, outcome: 'succeeded' }], waitMs: 0 },
    });
    expect((last.json.results as Array<{ errorNumber: number | null }>).map((r) => r.errorNumber)).to.deep.equal([null, 51302]);
    expect(last.json.tasks).to.deep.equal([]);
    const bad = await call(master!.port, 'POST', `/api/v1/agents/${id}/tasks:exchange`, { cert, body: { completions: 'all', maxTasks: 1 } });
    expect(bad.status).to.equal(400);
  });

  it('tasks:renew renews every lease a worker holds in one request, acknowledging its claims; tasks:release gives tasks back unstarted, at no attempt', async () => {
    const a = await trustedWorker(catalog.db, certs);
    const b = await trustedWorker(catalog.db, certs);
    for (const w of [a, b]) await call(master!.port, 'POST', `/api/v1/agents/${w.id}/register`, { cert: w.cert, body: { machineName: 'w', maxTaskCount: 10 } });
    await drain(master!.port, a);
    const ids = [await queueExecution(catalog.db, folder), await queueExecution(catalog.db, folder)];
    const claimed = await call(master!.port, 'POST', `/api/v1/agents/${a.id}/tasks:claim`, { cert: a.cert, body: { waitMs: 0, maxTasks: 2 } });
    const tasks = claimed.json.tasks as WireTask[];
    expect(tasks.map((t) => t.executionId).sort()).to.deep.equal([...ids].sort());
    const leases = tasks.map((t) => ({ taskId: t.taskId, leaseToken: t.leaseToken }));

    const renewed = await call(master!.port, 'POST', `/api/v1/agents/${a.id}/tasks:renew`, { cert: a.cert, body: { leases, leaseMs: 20_000 } });
    expect(renewed.status, JSON.stringify(renewed.json)).to.equal(200);
    const results = renewed.json.results as Array<{ taskId: string; isCancelled: boolean; errorNumber: number | null }>;
    expect(results.map((r) => [r.taskId, r.isCancelled, r.errorNumber])).to.deep.equal(leases.map((l) => [l.taskId, false, null]));
    const theirs = await call(master!.port, 'POST', `/api/v1/agents/${b.id}/tasks:renew`, { cert: b.cert, body: { leases, leaseMs: 20_000 } });
    expect((theirs.json.results as Array<{ errorNumber: number }>).map((r) => r.errorNumber), 'another worker\'s leases').to.deep.equal([51302, 51302]);
    const stolen = await call(master!.port, 'POST', `/api/v1/agents/${a.id}/tasks:renew`, { cert: b.cert, body: { leases } });
    expect(stolen.status).to.equal(403);

    const released = await call(master!.port, 'POST', `/api/v1/agents/${a.id}/tasks:release`, { cert: a.cert, body: { leases } });
    expect((released.json.results as Array<{ executionStatus: number; errorNumber: number | null }>).map((r) => [r.executionStatus, r.errorNumber])).to.deep.equal([[5, null], [5, null]]);
    const rows = (await view(catalog.db, 'catalog.executions')).filter((e) => ids.includes(Number(e.execution_id)));
    expect(rows.map((r) => [Number(r.status), Number(r.executed_count)])).to.deep.equal([[5, 0], [5, 0]]);
    expect((await call(master!.port, 'POST', `/api/v1/agents/${a.id}/tasks:release`, { cert: a.cert, body: { leases: [] } })).status).to.equal(400);
    await drain(master!.port, b);
  });

  it('gives back at once, at no attempt, the tasks claimed for a worker that went away before the answer reached it', async function () {
    this.timeout(30_000);
    const a = await trustedWorker(catalog.db, certs);
    const b = await trustedWorker(catalog.db, certs);
    for (const w of [a, b]) await call(master!.port, 'POST', `/api/v1/agents/${w.id}/register`, { cert: w.cert, body: { machineName: 'w', maxTaskCount: 10 } });
    await drain(master!.port, a);
    // Another session holds the worker's row: the master's claim for it waits in the catalog.
    const blocker = await catalog.database.open();
    let unlock!: () => void;
    const unlocked = new Promise<void>((r) => (unlock = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const held = blocker.withSession(async (session) => {
      await session.query('BEGIN');
      await session.query('SELECT 1 FROM internal.worker_agents WHERE worker_agent_id = $1 FOR UPDATE', [a.id]);
      locked();
      await unlocked;
      await session.query('ROLLBACK');
    });
    try {
      await isLocked;
      const executionId = await queueExecution(catalog.db, folder);
      const abandoned = /^scaleout_master_requests_abandoned_total\{route="claim"\} (\d+)/m;
      const before = await metric(master!.port, abandoned);
      const poll = startCall(master!.port, 'POST', `/api/v1/agents/${a.id}/tasks:claim`, { cert: a.cert, body: { waitMs: 10_000 } });
      poll.response.catch(() => undefined);
      await waitFor('the claim to wait for the row', async () => Number((await catalog.db.query("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"))[0]!.n) > 0, 10_000);
      poll.abort();
      await waitFor('the master to see the worker gone', async () => (await metric(master!.port, abandoned)) > before, 10_000);
      unlock();
      await held;
      const row = await waitFor('the task to be given back', async () => {
        const e = (await view(catalog.db, 'catalog.executions')).find((r) => Number(r.execution_id) === executionId)!;
        return Number(e.status) === 5 && Number(e.executed_count) === 0 && (await metric(master!.port, /^scaleout_master_tasks_released_total (\d+)/m)) > 0 ? e : undefined;
      }, 10_000);
      expect(row.worker_agent_id).to.equal(null);
      const next = await call(master!.port, 'POST', `/api/v1/agents/${b.id}/tasks:claim`, { cert: b.cert, body: { waitMs: 0 } });
      expect((next.json.tasks as WireTask[]).map((t) => [t.executionId, t.executedCount])).to.deep.equal([[executionId, 1]]);
      await drain(master!.port, b);
      const [t] = next.json.tasks as WireTask[];
      await call(master!.port, 'POST', `/api/v1/tasks/${t!.taskId}/complete`, { cert: b.cert, body: { leaseToken: t!.leaseToken, outcome: 'canceled' } });
    } finally {
      unlock();
      await held.catch(() => undefined);
      await blocker.close();
    }
  });

  it('a task any worker may run wakes one waiting worker, not all of them; a task for one worker still reaches it', async function () {
    this.timeout(30_000);
    const metric = async (pattern: RegExp) => {
      const text = (await call(master!.port, 'GET', '/metrics')).body.toString();
      return Number(pattern.exec(text)?.[1] ?? 0);
    };
    const workers = [];
    for (let i = 0; i < 8; i++) {
      const w = await trustedWorker(catalog.db, certs);
      await call(master!.port, 'POST', `/api/v1/agents/${w.id}/register`, { cert: w.cert, body: { machineName: `w${i}`, maxTaskCount: 1 } });
      workers.push(w);
    }
    // Drain what other tests queued.
    await call(master!.port, 'POST', `/api/v1/agents/${workers[0]!.id}/tasks:claim`, { cert: workers[0]!.cert, body: { waitMs: 0, maxTasks: 50, leaseMs: 1000 } });
    const polls = workers.map((w) => call(master!.port, 'POST', `/api/v1/agents/${w.id}/tasks:claim`, { cert: w.cert, body: { waitMs: 4000, maxTasks: 1 } }));
    await waitFor('every worker waiting', async () => (await metric(/^scaleout_master_long_polls_waiting (\d+)/m)) >= workers.length, 5000);
    // Each poll's first claim (before it waits) finds nothing too: wait until they are all counted.
    const empty = /^scaleout_master_claim_calls_total\{result="empty"\} (\d+)/m;
    const { n: emptyBefore } = await waitFor('the first claims counted', async () => {
      const n = await metric(empty);
      await new Promise((r) => setTimeout(r, 300));
      return (await metric(empty)) === n ? { n } : undefined;
    }, 5000);

    const open = await queueExecution(catalog.db, folder);
    await waitFor('one worker answered', async () => (await metric(/^scaleout_master_long_polls_waiting (\d+)/m)) === workers.length - 1, 3000);
    await new Promise((r) => setTimeout(r, 300));
    // The woken claim got the task and handed the wake-up on once (its batch was full); the next
    // found nothing, and the chain stopped there.
    expect((await metric(empty)) - emptyBefore, 'futile catalog claims for one open task').to.be.at.most(2);

    // Only the worker waiting longest is woken first; a task for the last one must still reach it.
    const target = workers[workers.length - 1]!;
    const r = await catalog.db.call('catalog.create_execution', { folder_name: folder, project_name: 'p', package_name: 'noop', useanyworker: false });
    const targeted = Number(r.output.execution_id);
    await catalog.db.call('catalog.add_execution_worker', { execution_id: targeted, workeragent_id: target.id });
    const startedAt = Date.now();
    await catalog.db.call('catalog.start_execution', { execution_id: targeted });

    const answers = await Promise.all(polls);
    const got = answers.map((a) => (a.json.tasks as Array<{ executionId: number }>).map((t) => t.executionId));
    expect(got.flat().sort()).to.deep.equal([open, targeted].sort());
    expect(got[workers.length - 1]).to.deep.equal([targeted]);
    expect(Date.now() - startedAt, 'the targeted task was not left for the long poll to time out').to.be.lessThan(3500);
  });

  it('refuses a claim for another worker\'s id, invalid bodies (400) and oversized ones (413)', async () => {
    const a = await trustedWorker(catalog.db, certs);
    const b = await trustedWorker(catalog.db, certs);
    await call(master!.port, 'POST', `/api/v1/agents/${b.id}/register`, { cert: b.cert, body: { machineName: 'b' } });
    const stolen = await call(master!.port, 'POST', `/api/v1/agents/${b.id}/tasks:claim`, { cert: a.cert, body: { waitMs: 0 } });
    expect(stolen.status).to.equal(403);
    expect(stolen.json.error).to.equal('certificate_mismatch');

    const bad = await call(master!.port, 'POST', `/api/v1/agents/${a.id}/register`, { cert: a.cert, body: { machineName: 'a', colour: 'red' } });
    expect(bad.status).to.equal(400);
    expect(String(bad.json.message)).to.match(/colour/);
    const huge = await call(master!.port, 'POST', `/api/v1/agents/${a.id}/heartbeat`, { cert: a.cert, rawBody: Buffer.alloc(2 * 1024 * 1024, 32) });
    expect(huge.status).to.equal(413);
  });

  it('serves /healthz and Prometheus /metrics', async () => {
    const health = await call(master!.port, 'GET', '/healthz');
    expect(health.status).to.equal(200);
    expect(health.json).to.include({ status: 'ok', catalog: 'reachable' });
    const metrics = await call(master!.port, 'GET', '/metrics');
    const text = metrics.body.toString();
    for (const name of ['scaleout_master_requests_total', 'scaleout_master_tasks_claimed_total', 'scaleout_master_dispatch_latency_seconds', 'scaleout_master_sweep_duration_seconds', 'scaleout_master_workers_online']) {
      expect(text).to.contain(name);
    }
  });

  it('a worker at the MaxTaskCount the catalog allows it waits on its long poll only until one of its tasks ends', async function () {
    this.timeout(60_000);
    // A long poll as long as SSIS's default, so that waiting it out cannot pass for being woken.
    const patient = await startMaster(catalog.database.spec!, certs, { ...FAST, LongPollMaxInMs: 120_000 });
    try {
      const w = await trustedWorker(catalog.db, certs);
      // The worker's own setting asks for 10 at once; the catalog's MaxTaskCount for it allows 1.
      await call(patient.port, 'POST', `/api/v1/agents/${w.id}/register`, { cert: w.cert, body: { machineName: 'w', maxTaskCount: 10 } });
      await drain(patient.port, w);
      await catalog.db.call('catalog.set_worker_agent_property', { WorkerAgentId: w.id, PropertyName: 'MaxTaskCount', PropertyValue: '1' });
      const first = await queueExecution(catalog.db, folder);
      const second = await queueExecution(catalog.db, folder);
      const claimed = await call(patient.port, 'POST', `/api/v1/agents/${w.id}/tasks:claim`, { cert: w.cert, body: { waitMs: 0, maxTasks: 10 } });
      const [held] = claimed.json.tasks as WireTask[];
      expect(held?.executionId).to.equal(first);
      const waiting = /^scaleout_master_long_polls_waiting (\d+)/m;
      const poll = startCall(patient.port, 'POST', `/api/v1/agents/${w.id}/tasks:claim`, { cert: w.cert, body: { waitMs: 120_000, maxTasks: 9 } });
      await waitFor('the claim to wait: the worker holds all the catalog allows it', async () => (await metric(patient.port, waiting)) > 0, 20_000);
      await call(patient.port, 'POST', `/api/v1/tasks/${held!.taskId}/complete`, { cert: w.cert, body: { leaseToken: held!.leaseToken, outcome: 'succeeded' } });
      const answered = await Promise.race([poll.response, delay(30_000, undefined, { ref: false })]);
      expect(answered, 'the waiting claim was answered once the held task ended, not at its deadline').to.not.equal(undefined);
      const [next] = answered!.json.tasks as WireTask[];
      expect(next?.executionId).to.equal(second);
      await call(patient.port, 'POST', `/api/v1/tasks/${next!.taskId}/complete`, { cert: w.cert, body: { leaseToken: next!.leaseToken, outcome: 'canceled' } });
    } finally {
      await patient.stop();
    }
  });

  it('two masters: when the sweep holder is killed, the other takes the sweeps over within a lease period', async function () {
    this.timeout(60_000);
    const second = await startMaster(catalog.database.spec!, certs, FAST);
    try {
      const held = async (m: MasterProcess) => ((await call(m.port, 'GET', '/healthz')).json.sweeps as string[]) ?? [];
      await waitFor('one master to hold every sweep', async () => (await held(master!)).length + (await held(second)).length === 3, 10_000);
      const holder = (await held(master!)).length > 0 ? master! : second;
      const survivor = holder === master ? second : master!;
      await holder.kill9();
      const killedAt = Date.now();
      await waitFor('the survivor to hold every sweep', async () => (await held(survivor)).length === 3, 15_000);
      expect(Date.now() - killedAt, 'within one lease period (3 s) and one lease poll').to.be.lessThan(3000 + 1500);
      const masters = await view(catalog.db, 'catalog.masters');
      expect(masters.find((m) => String(m.MasterId) === survivor.masterId)!.HeldSweeps).to.equal('cleanup_completed_jobs,expired_tasks,retention');
      if (holder === master) master = survivor;
    } finally {
      if (master !== second) await second.stop();
    }
  });

  it('two masters serving workers at once dispatch every task exactly once', async function () {
    this.timeout(60_000);
    const second = await startMaster(catalog.database.spec!, certs, FAST);
    try {
      const workers = await Promise.all(Array.from({ length: 6 }, () => trustedWorker(catalog.db, certs)));
      const ports = [master!.port, second.port];
      for (const [i, w] of workers.entries()) {
        await call(ports[i % 2]!, 'POST', `/api/v1/agents/${w.id}/register`, { cert: w.cert, body: { machineName: `w${i}` } });
        await call(ports[i % 2]!, 'POST', `/api/v1/agents/${w.id}/tasks:claim`, { cert: w.cert, body: { waitMs: 0, maxTasks: 100 } });
      }
      const queued: number[] = [];
      for (let i = 0; i < 60; i++) queued.push(await queueExecution(catalog.db, folder));
      const got: number[] = [];
      await Promise.all(
        workers.map(async (w, i) => {
          for (;;) {
            const r = await call(ports[i % 2]!, 'POST', `/api/v1/agents/${w.id}/tasks:claim`, { cert: w.cert, body: { waitMs: 200, maxTasks: 3 } });
            const tasks = (r.json.tasks ?? []) as Array<{ taskId: string; executionId: number; leaseToken: string }>;
            if (tasks.length === 0) return;
            for (const t of tasks) {
              got.push(t.executionId);
              const done = await call(ports[(i + 1) % 2]!, 'POST', `/api/v1/tasks/${t.taskId}/complete`, { cert: w.cert, body: { leaseToken: t.leaseToken, outcome: 'succeeded' } });
              expect(done.status).to.equal(200);
            }
          }
        }),
      );
      expect([...got].sort((a, b) => a - b)).to.deep.equal([...queued].sort((a, b) => a - b));
      const statuses = (await view(catalog.db, 'catalog.executions')).filter((e) => queued.includes(Number(e.execution_id))).map((e) => e.status);
      expect(new Set(statuses)).to.deep.equal(new Set([7]));
    } finally {
      await second.stop();
    }
  });

  it('answers 503 with Retry-After while the catalog is down, and recovers by itself', async function () {
    this.timeout(60_000);
    const url = new URL(catalog.database.spec!);
    const proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.start();
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    const viaProxy = await startMaster(url.toString(), certs, FAST);
    try {
      const w = await trustedWorker(catalog.db, certs);
      expect((await call(viaProxy.port, 'POST', `/api/v1/agents/${w.id}/register`, { cert: w.cert, body: { machineName: 'w' } })).status).to.equal(200);
      const port = proxy.port;
      await proxy.stop();
      const down = await waitFor(
        'a 503',
        async () => {
          const r = await call(viaProxy.port, 'POST', `/api/v1/agents/${w.id}/heartbeat`, { cert: w.cert, body: {} });
          return r.status === 503 ? r : undefined;
        },
        20_000,
      );
      expect(down.headers['retry-after']).to.equal('5');
      expect((await call(viaProxy.port, 'GET', '/healthz')).status).to.equal(503);
      await proxy.start(port);
      await waitFor(
        'recovery',
        async () => (await call(viaProxy.port, 'POST', `/api/v1/agents/${w.id}/heartbeat`, { cert: w.cert, body: {} })).status === 200,
        20_000,
      );
      await waitFor('healthz ok', async () => (await call(viaProxy.port, 'GET', '/healthz')).status === 200, 10_000);
    } finally {
      await viaProxy.kill9();
      await proxy.stop();
    }
  });

  it('a master whose port is taken says so with a number and a hint (52005), and exits 1 instead of lingering', async function () {
    this.timeout(60_000);
    const busy = String(master!.port);
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [
        join(PROJECT_ROOT, 'bin', 'scaleout.js'), '--catalog', catalog.database.spec!, 'master', '--port', busy,
        '--cert', certs.master.certFile, '--key', certs.master.keyFile, '--set', `LogFolder=${join(certs.dir, 'log-busy')}`, '--set', 'ListenAddress=127.0.0.1', '--quiet',
      ], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SCALEOUT_CATALOG: '' } });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const guard = setTimeout(() => child.kill('SIGKILL'), 45_000);
      child.once('exit', (code) => {
        clearTimeout(guard);
        resolve({ code, stderr });
      });
    });
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stderr).to.match(/^error 52005: listen EADDRINUSE/m);
    expect(r.stderr).to.match(/^hint: .*--port/m);
  });

  it('on SIGTERM finishes, releases its sweep leases and exits 0', async function () {
    this.timeout(30_000);
    const m = await startMaster(catalog.database.spec!, certs, FAST);
    const code = await m.stop();
    expect(code).to.equal(0);
    const row = (await view(catalog.db, 'catalog.masters')).find((r) => String(r.MasterId) === m.masterId);
    expect(row!.State).to.equal('stopped');
    expect(row!.HeldSweeps).to.equal(null);
  });
});
