/**
 * Grace after an outage, end to end: the only master reaches PostgreSQL through a TCP proxy the
 * test cuts for longer than a lease. When the catalog is back, a worker that renews within one
 * lease interval keeps its task — the sweep does not expire it the moment the catalog returns —
 * and a lease nobody renews still expires after that interval. (Server backends only: the
 * embedded catalog lives inside the master's own process.)
 */

import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { view } from '../support/catalog-helpers.ts';
import { TcpProxy, call, makeCerts, startMaster, type Certs, type MasterProcess } from '../support/master-process.ts';
import { waitFor } from '../support/wait.ts';
import { projectBytes } from '../support/queue-helpers.ts';

const LEASE_MS = 4000;
const FAST = { MasterHeartbeatIntervalInMs: 1000, SweepLeaseInMs: 2000, DealWithExpiredTasksIntervalInMs: 300, LongPollMaxInMs: 2000 };

forEachBackend('a catalog outage longer than a lease', (backend) => {
  const catalog = useCatalog(backend, { only: ['pg'] });
  let certs: Certs;
  let proxy: TcpProxy;
  let master: MasterProcess | undefined;

  before(async function () {
    if (backend.kind !== 'pg') this.skip(); // the proxy stands between a master and a PostgreSQL server
    this.timeout(60_000);
    certs = makeCerts();
    await catalog.db.call('catalog.create_folder', { folder_name: 'outage' });
    await catalog.db.call('catalog.deploy_project', {
      folder_name: 'outage', project_name: 'p', project_stream: projectBytes('bytes'),
      manifest: JSON.stringify({ name: 'p', packages: [{ name: 'noop', kind: 'node' }] }),
    });
    const url = new URL(catalog.database.spec!);
    proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.start();
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    master = await startMaster(url.toString(), certs, FAST);
  });

  after(async () => {
    await master?.kill9().catch(() => undefined);
    await proxy?.stop();
    certs?.cleanup();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') process.stderr.write(`--- master output\n${master?.output().slice(-4000)}\n`);
  });

  it('gives a worker one full lease to renew once the catalog is back, and expires the lease nobody renews after it', async function () {
    this.timeout(60_000);
    const id = randomUUID();
    const cert = certs.worker('outage-worker');
    await catalog.db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: cert.thumbprint, IsEnabled: 1 });
    const port = master!.port;
    await call(port, 'POST', `/api/v1/agents/${id}/register`, { cert, body: { machineName: 'w', maxTaskCount: 2 } });
    const start = async () => {
      const r = await catalog.db.call('catalog.create_execution', { folder_name: 'outage', project_name: 'p', package_name: 'noop' });
      const executionId = Number(r.output.execution_id);
      await catalog.db.call('catalog.start_execution', { execution_id: executionId, retry_count: 1 });
      return executionId;
    };
    const kept = await start();
    const abandoned = await start();
    const claimed = await call(port, 'POST', `/api/v1/agents/${id}/tasks:claim`, { cert, body: { waitMs: 0, maxTasks: 2, leaseMs: LEASE_MS } });
    const tasks = claimed.json.tasks as Array<{ taskId: string; leaseToken: string; executionId: number }>;
    expect(tasks.map((t) => t.executionId).sort()).to.deep.equal([kept, abandoned].sort());
    const leases = tasks.map((t) => ({ taskId: t.taskId, leaseToken: t.leaseToken }));
    const renew = (which: typeof leases) => call(port, 'POST', `/api/v1/agents/${id}/tasks:renew`, { cert, body: { leases: which, leaseMs: LEASE_MS } });
    expect((await renew(leases)).status).to.equal(200);

    // The outage: longer than the lease, so both leases have run out when the catalog returns.
    const cutAt = Date.now();
    await proxy.stop();
    await waitFor('the master to see the catalog gone', async () => (await call(port, 'GET', '/healthz')).status === 503, 20_000);
    await waitFor('an outage longer than the lease', () => Date.now() - cutAt > LEASE_MS + 1500, 20_000);
    // The master cannot reach the catalog before the proxy is back: its grace starts no earlier.
    const restartedAt = Date.now();
    await proxy.start(proxy.port);
    await waitFor('the master to reach the catalog again', async () => (await call(port, 'GET', '/healthz')).status === 200, 20_000);
    const backAt = Date.now();
    // Long enough for several sweeps (every 0.3 s), well inside the grace of one lease.
    await waitFor('a few sweeps to run', () => Date.now() - backAt > LEASE_MS / 3, 10_000);

    const keep = leases.filter((l) => l.taskId === tasks.find((t) => t.executionId === kept)!.taskId);
    const renewed = await renew(keep);
    expect(renewed.status).to.equal(200);
    expect((renewed.json.results as Array<{ errorNumber: number | null }>)[0]!.errorNumber, 'the lease outlived the outage').to.equal(null);
    const done = await call(port, 'POST', `/api/v1/tasks/${keep[0]!.taskId}/complete`, { cert, body: { leaseToken: keep[0]!.leaseToken, outcome: 'succeeded' } });
    expect(done.json).to.deep.equal({ executionStatus: 7, willRetry: false });

    // The lease nobody renewed expires once the grace is over, and is retried (attempt 1 of 2 spent).
    const row = await waitFor('the unrenewed lease to expire', async () => {
      const e = (await view(catalog.db, 'catalog.executions')).find((r) => Number(r.execution_id) === abandoned)!;
      return Number(e.status) === 5 ? e : undefined;
    }, 20_000);
    expect(Number(row.executed_count)).to.equal(1);
    expect(Date.now() - restartedAt, 'not before one lease of reachable catalog').to.be.greaterThanOrEqual(LEASE_MS);
    const executions = (await view(catalog.db, 'catalog.executions')).find((r) => Number(r.execution_id) === kept)!;
    expect(Number(executions.executed_count)).to.equal(1);
  });
});
