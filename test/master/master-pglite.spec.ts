/**
 * The master on the embedded catalog. PGlite lives inside one process, so the test prepares the
 * catalog folder, closes it, lets a real master process serve a worker from it, stops the master,
 * and opens the folder again to check what the exchange left there.
 */

import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCatalog } from '../../src/db/open.ts';
import type { CatalogDb } from '../../src/db/types.ts';
import { embeddedEndpointOf } from '../../src/db/pglite-endpoint.ts';
import { migrateUp } from '../../src/migrate/runner.ts';
import { view } from '../support/catalog-helpers.ts';
import { call, makeCerts, startMaster, type Certs } from '../support/master-process.ts';
import { projectBytes } from '../support/queue-helpers.ts';
import { waitFor } from '../support/wait.ts';

/**
 * An embedded catalog in its folder, migrated, with one enabled worker and project p (package noop)
 * in folder f; then `more` runs on it; closed after, so that a master can hold the folder.
 */
async function prepareCatalog(spec: string, worker: string, thumbprint: string, more?: (db: CatalogDb) => Promise<void>): Promise<void> {
  const db = await openCatalog(spec);
  try {
    await migrateUp(db);
    await db.call('catalog.add_worker_agent', { WorkerAgentId: worker, CertificateThumbprint: thumbprint, IsEnabled: 1 });
    await db.call('catalog.create_folder', { folder_name: 'f' });
    await db.call('catalog.deploy_project', { folder_name: 'f', project_name: 'p', project_stream: projectBytes('x'), manifest: JSON.stringify({ name: 'p', packages: [{ name: 'noop', kind: 'node' }] }) });
    await more?.(db);
  } finally {
    await db.close();
  }
}

describe('master service [PGlite, embedded catalog]', () => {
  let dir: string;
  let certs: Certs;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'scaleout-pglite-master-'));
    certs = makeCerts();
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    certs.cleanup();
  });

  it('serves a worker from the embedded catalog: register, claim, complete; refuses an untrusted one', async function () {
    this.timeout(120_000);
    const spec = `pglite:${join(dir, 'catalog')}`;
    const worker = randomUUID();
    const cert = certs.worker('embedded-worker');
    let executionId = 0;
    await prepareCatalog(spec, worker, cert.thumbprint, async (db) => {
      const r = await db.call('catalog.create_execution', { folder_name: 'f', project_name: 'p', package_name: 'noop' });
      executionId = Number(r.output.execution_id);
      await db.call('catalog.start_execution', { execution_id: executionId });
    });

    const master = await startMaster(spec, certs, { MasterHeartbeatIntervalInMs: 1000, SweepLeaseInMs: 3000 });
    try {
      const stranger = await call(master.port, 'POST', `/api/v1/agents/${randomUUID()}/register`, { cert: certs.worker('stranger'), body: { machineName: 's' } });
      expect(stranger.status).to.equal(403);
      const reg = await call(master.port, 'POST', `/api/v1/agents/${worker}/register`, { cert, body: { machineName: 'embedded' } });
      expect(reg.json).to.include({ isEnabled: true });
      const claim = await call(master.port, 'POST', `/api/v1/agents/${worker}/tasks:claim`, { cert, body: { waitMs: 2000 } });
      const [task] = claim.json.tasks as Array<{ taskId: string; leaseToken: string; executionId: number }>;
      expect(task!.executionId).to.equal(executionId);
      const done = await call(master.port, 'POST', `/api/v1/tasks/${task!.taskId}/complete`, { cert, body: { leaseToken: task!.leaseToken, outcome: 'succeeded' } });
      expect(done.json).to.deep.equal({ executionStatus: 7, willRetry: false });
    } finally {
      expect(await master.stop()).to.equal(0);
    }

    const db = await openCatalog(spec);
    try {
      const e = (await view(db, 'catalog.executions')).find((x) => Number(x.execution_id) === executionId);
      expect(e).to.include({ status: 7, worker_agent_id: worker, machine_name: 'embedded' });
      const masters = await view(db, 'catalog.masters');
      expect(masters.map((m) => m.State)).to.deep.equal(['stopped']);
    } finally {
      await db.close();
    }
  });

  it('a start made by a SQL client of the embedded endpoint wakes a waiting claim at once, not at the next poll', async function () {
    this.timeout(120_000);
    const dataDir = join(dir, 'woken');
    const spec = `pglite:${dataDir}`;
    const worker = randomUUID();
    const cert = certs.worker('woken-worker');
    await prepareCatalog(spec, worker, cert.thumbprint);
    // The shared poll runs once a minute: only the start's notification can wake the claim in time.
    const master = await startMaster(spec, certs, { DispatchPollIntervalInMs: 60_000, EmbeddedCatalogPort: 0 });
    try {
      await call(master.port, 'POST', `/api/v1/agents/${worker}/register`, { cert, body: { machineName: 'woken' } });
      const waiting = call(master.port, 'POST', `/api/v1/agents/${worker}/tasks:claim`, { cert, body: { waitMs: 30_000 } });
      // Its first claim found nothing: from here on, only a wake-up answers it before its deadline.
      await waitFor('the claim to wait', async () => /^scaleout_master_claim_calls_total\{result="empty"\} [1-9]/m.test((await call(master.port, 'GET', '/metrics')).body.toString()), 20_000);
      const client = await openCatalog(embeddedEndpointOf(dataDir)!);
      let executionId: number;
      const started = Date.now();
      try {
        const r = await client.call('catalog.create_execution', { folder_name: 'f', project_name: 'p', package_name: 'noop' });
        executionId = Number(r.output.execution_id);
        await client.call('catalog.start_execution', { execution_id: executionId });
      } finally {
        await client.close();
      }
      const claim = await waiting;
      const [task] = claim.json.tasks as Array<{ executionId: number }>;
      expect(task?.executionId, 'the claim got the task started through the endpoint').to.equal(executionId);
      expect(Date.now() - started, 'ms from the start to the claim\'s answer').to.be.below(15_000);
    } finally {
      expect(await master.stop()).to.equal(0);
    }
  });
});
