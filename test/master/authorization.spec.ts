/**
 * Every request authorized, tried as an attacker would: a certificate the catalog does not trust,
 * one trusted for another worker, one revoked, one expired; another worker's leases, log streams and
 * projects; weak ciphers; slow bodies; too many connections. Real master processes on PostgreSQL
 * (the embedded catalog lives inside the master's own process, where the test cannot reach it).
 */

import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogDb } from '../../src/db/types.ts';
import { createSelfSignedCertificate, type CertificateFiles } from '../../src/tls/certificates.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { call, makeCerts, startMaster, type Certs, type MasterProcess } from '../support/master-process.ts';
import { waitFor } from '../support/wait.ts';
import { projectBytes } from '../support/queue-helpers.ts';

const SETTINGS = {
  MasterHeartbeatIntervalInMs: 1000,
  SweepLeaseInMs: 3000,
  DealWithExpiredTasksIntervalInMs: 500,
  LongPollMaxInMs: 2000,
  MaxConnectionsPerCertificate: 12,
  RequestHeadersTimeoutInMs: 2000,
  RequestBodyTimeoutInMs: 2000,
};

type WireTask = { taskId: string; leaseToken: string; executionId: number; contentHash: string; streamId: string };

async function worker(db: CatalogDb, certs: Certs, port: number, name: string): Promise<{ id: string; cert: CertificateFiles }> {
  const id = randomUUID();
  const cert = certs.worker(name);
  await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: cert.thumbprint, IsEnabled: 1, MaxTaskCount: 10 });
  expect((await call(port, 'POST', `/api/v1/agents/${id}/register`, { cert, body: { machineName: name, maxTaskCount: 10 } })).status).to.equal(200);
  return { id, cert };
}

/** A TLS connection held open, as a client that never finishes its request would. */
function openConnection(port: number, cert: CertificateFiles, options: { ciphers?: string; maxVersion?: 'TLSv1.2' } = {}): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, cert: cert.cert, key: cert.key, rejectUnauthorized: false, ...options }, () => resolve(socket));
    socket.once('error', reject);
  });
}

forEachBackend('every request authorized', (backend) => {
  const catalog = useCatalog(backend, { only: ['pg', 'mssql'] });
  let certs: Certs;
  let master: MasterProcess | undefined;
  let port = 0;

  before(async function () {
    if (backend.kind === 'pglite') this.skip(); // see the header
    this.timeout(60_000);
    certs = makeCerts();
    await catalog.db.call('catalog.create_folder', { folder_name: 'auth' });
    await catalog.db.call('catalog.deploy_project', {
      folder_name: 'auth', project_name: 'p', project_stream: projectBytes('the project'),
      manifest: JSON.stringify({ name: 'p', packages: [{ name: 'noop', kind: 'node' }] }),
    });
    master = await startMaster(catalog.database.spec!, certs, SETTINGS);
    port = master.port;
  });

  after(async () => {
    await master?.kill9().catch(() => undefined);
    certs?.cleanup();
  });

  async function claimOne(w: { id: string; cert: CertificateFiles }): Promise<WireTask> {
    const r = await catalog.db.call('catalog.create_execution', { folder_name: 'auth', project_name: 'p', package_name: 'noop', useanyworker: false });
    const executionId = Number(r.output.execution_id);
    await catalog.db.call('catalog.add_execution_worker', { execution_id: executionId, workeragent_id: w.id });
    await catalog.db.call('catalog.start_execution', { execution_id: executionId });
    const claimed = await call(port, 'POST', `/api/v1/agents/${w.id}/tasks:claim`, { cert: w.cert, body: { waitMs: 2000 } });
    const tasks = claimed.json.tasks as WireTask[];
    expect(tasks.map((t) => t.executionId)).to.deep.equal([executionId]);
    return tasks[0]!;
  }

  async function refused(reason: string): Promise<number> {
    const text = (await call(port, 'GET', '/metrics')).body.toString();
    return Number(new RegExp(`^scaleout_master_refused_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  }

  it('a certificate the catalog does not trust reaches nothing: not the logs, a project, a lease (403)', async () => {
    const a = await worker(catalog.db, certs, port, 'auth-a');
    const task = await claimOne(a);
    const stranger = certs.worker('stranger');
    const tries = [
      await call(port, 'POST', `/api/v1/executions/${task.executionId}/logs`, { cert: stranger, body: { messages: [{ message: 'forged', type: 120, stream: task.streamId, seq: 0 }] } }),
      await call(port, 'GET', `/api/v1/projects/${task.contentHash}`, { cert: stranger }),
      await call(port, 'POST', `/api/v1/tasks/${task.taskId}/heartbeat`, { cert: stranger, body: { leaseToken: task.leaseToken } }),
      await call(port, 'POST', `/api/v1/tasks/${task.taskId}/complete`, { cert: stranger, body: { leaseToken: task.leaseToken, outcome: 'failed' } }),
      await call(port, 'POST', '/api/v1/tasks:complete', { cert: stranger, body: { completions: [{ taskId: task.taskId, leaseToken: task.leaseToken, outcome: 'failed' }] } }),
      await call(port, 'POST', `/api/v1/agents/${a.id}/tasks:renew`, { cert: stranger, body: { leases: [{ taskId: task.taskId, leaseToken: task.leaseToken }] } }),
    ];
    expect(tries.map((t) => [t.status, t.json.error])).to.deep.equal(tries.map(() => [403, 'certificate_untrusted']));
    const messages = await catalog.db.query('SELECT count(*) AS n FROM catalog.operation_messages WHERE operation_id = $1', [task.executionId]);
    expect(Number(messages[0]!.n)).to.equal(0);
    const done = await call(port, 'POST', `/api/v1/tasks/${task.taskId}/complete`, { cert: a.cert, body: { leaseToken: task.leaseToken, outcome: 'succeeded' } });
    expect(done.json, 'the lease was untouched').to.deep.equal({ executionStatus: 7, willRetry: false });
    expect(await refused('certificate_untrusted')).to.be.greaterThan(0);
  });

  it('a trusted worker reaches only its own: another worker\'s lease (409), log stream and project (403)', async () => {
    const a = await worker(catalog.db, certs, port, 'auth-b1');
    const b = await worker(catalog.db, certs, port, 'auth-b2');
    const task = await claimOne(a);
    const heartbeat = await call(port, 'POST', `/api/v1/tasks/${task.taskId}/heartbeat`, { cert: b.cert, body: { leaseToken: task.leaseToken } });
    expect([heartbeat.status, heartbeat.json.error]).to.deep.equal([409, 'task_lease_lost']);
    const complete = await call(port, 'POST', `/api/v1/tasks/${task.taskId}/complete`, { cert: b.cert, body: { leaseToken: task.leaseToken, outcome: 'failed' } });
    expect(complete.status).to.equal(409);
    const logs = await call(port, 'POST', `/api/v1/executions/${task.executionId}/logs`, { cert: b.cert, body: { messages: [{ message: 'forged', type: 120, stream: task.streamId, seq: 0 }] } });
    expect([logs.status, logs.json.error]).to.deep.equal([403, 'not_authorized']);
    expect(String(logs.json.message)).to.match(/^51403: /);
    const unstreamed = await call(port, 'POST', `/api/v1/executions/${task.executionId}/logs`, { cert: b.cert, body: { batchId: randomUUID(), messages: [{ message: 'forged' }] } });
    expect(unstreamed.status).to.equal(403);
    const project = await call(port, 'GET', `/api/v1/projects/${task.contentHash}`, { cert: b.cert });
    expect([project.status, project.json.error]).to.deep.equal([403, 'not_authorized']);
    const claimAsA = await call(port, 'POST', `/api/v1/agents/${a.id}/tasks:claim`, { cert: b.cert, body: { waitMs: 0 } });
    expect([claimAsA.status, claimAsA.json.error]).to.deep.equal([403, 'certificate_mismatch']);

    // Its own worker may do all of it.
    expect((await call(port, 'GET', `/api/v1/projects/${task.contentHash}`, { cert: a.cert })).status).to.equal(200);
    const own = await call(port, 'POST', `/api/v1/executions/${task.executionId}/logs`, { cert: a.cert, body: { messages: [{ message: 'mine', stream: task.streamId, seq: 0 }] } });
    expect(own.json).to.deep.equal({ inserted: 1 });
    expect((await call(port, 'POST', `/api/v1/tasks/${task.taskId}/complete`, { cert: a.cert, body: { leaseToken: task.leaseToken, outcome: 'succeeded' } })).status).to.equal(200);
  });

  it('revocation takes effect within 5 s: a deleted worker, and a worker whose certificate was replaced, are refused', async function () {
    this.timeout(30_000);
    const a = await worker(catalog.db, certs, port, 'auth-c');
    expect((await call(port, 'POST', `/api/v1/agents/${a.id}/tasks:claim`, { cert: a.cert, body: { waitMs: 0 } })).status).to.equal(200);
    let revokedAt = Date.now();
    await catalog.db.call('catalog.delete_worker_agent', { WorkerAgentId: a.id });
    await waitFor('the deleted worker to be refused', async () => (await call(port, 'POST', `/api/v1/agents/${a.id}/tasks:claim`, { cert: a.cert, body: { waitMs: 0 } })).status === 403, 10_000);
    expect(Date.now() - revokedAt).to.be.lessThan(5500);

    // Added again under a new certificate: the old one claims nothing, even the task meant for it.
    const next = certs.worker('auth-c-new');
    await catalog.db.call('catalog.add_worker_agent', { WorkerAgentId: a.id, CertificateThumbprint: next.thumbprint, IsEnabled: 1 });
    revokedAt = Date.now();
    const r = await catalog.db.call('catalog.create_execution', { folder_name: 'auth', project_name: 'p', package_name: 'noop', useanyworker: false });
    const executionId = Number(r.output.execution_id);
    await catalog.db.call('catalog.add_execution_worker', { execution_id: executionId, workeragent_id: a.id });
    await catalog.db.call('catalog.start_execution', { execution_id: executionId });
    const old = await call(port, 'POST', `/api/v1/agents/${a.id}/tasks:claim`, { cert: a.cert, body: { waitMs: 0 } });
    expect(old.status).to.equal(403);
    expect(Date.now() - revokedAt).to.be.lessThan(5500);
    const renewed = await call(port, 'POST', `/api/v1/agents/${a.id}/tasks:claim`, { cert: next, body: { waitMs: 2000 } });
    expect((renewed.json.tasks as WireTask[]).map((t) => t.executionId)).to.deep.equal([executionId]);
  });

  it('refuses a client certificate outside its validity, and TLS without forward secrecy', async () => {
    const expired = createSelfSignedCertificate({ commonName: 'expired', purpose: 'client', notBefore: new Date(Date.now() - 100 * 86_400_000), days: 1 });
    const id = randomUUID();
    await catalog.db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: expired.thumbprint, IsEnabled: 1 });
    const r = await call(port, 'POST', `/api/v1/agents/${id}/register`, { cert: expired, body: { machineName: 'x' } });
    expect([r.status, r.json.error]).to.deep.equal([403, 'certificate_not_valid_now']);
    const future = createSelfSignedCertificate({ commonName: 'future', purpose: 'client', notBefore: new Date(Date.now() + 86_400_000) });
    expect((await call(port, 'POST', `/api/v1/agents/${id}/register`, { cert: future, body: { machineName: 'x' } })).status).to.equal(403);

    const a = certs.worker('auth-weak');
    let error: unknown;
    try {
      (await openConnection(port, a, { ciphers: 'AES128-SHA:AES256-SHA:AES128-GCM-SHA256', maxVersion: 'TLSv1.2' })).destroy();
    } catch (e) {
      error = e;
    }
    expect(String(error), 'RSA key exchange is refused').to.match(/handshake|cipher|alert/i);
    const strong = await openConnection(port, a, { maxVersion: 'TLSv1.2' });
    expect(strong.getCipher().name).to.match(/^ECDHE-/);
    strong.destroy();
  });

  it('reads no body of an untrusted client; a trusted client\'s slow body times out; connections per certificate are bounded', async function () {
    this.timeout(30_000);
    const stranger = certs.worker('auth-slow');
    const answer = (socket: TLSSocket) => new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.once('close', () => resolve(text));
    });
    // Headers announcing a body that never comes: refused at once, connection closed.
    const s1 = await openConnection(port, stranger);
    const r1 = answer(s1);
    const sentAt = Date.now();
    s1.write(`POST /api/v1/agents/${randomUUID()}/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{`);
    expect(await r1).to.match(/^HTTP\/1.1 403/);
    expect(Date.now() - sentAt, 'without waiting for the body').to.be.lessThan(1500);

    const a = await worker(catalog.db, certs, port, 'auth-d');
    const s2 = await openConnection(port, a.cert);
    const r2 = answer(s2);
    s2.write(`POST /api/v1/agents/${a.id}/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`);
    const text = await r2;
    expect(Date.now() - sentAt, 'RequestBodyTimeoutInMs (2 s), checked every second').to.be.lessThan(8000);
    expect(text === '' || /^HTTP\/1.1 408/.test(text), `a timed out request: ${text}`).to.equal(true);

    const before = await refused('too_many_connections');
    const held = await Promise.allSettled(Array.from({ length: 16 }, () => openConnection(port, a.cert)));
    const sockets = held.flatMap((h) => (h.status === 'fulfilled' ? [h.value] : []));
    await waitFor('the connections over the bound to be closed', async () => sockets.filter((s) => !s.destroyed && s.readyState === 'open').length <= 12 && (await refused('too_many_connections')) >= before + 4, 10_000);
    for (const s of sockets) s.destroy();
    // The bound is per certificate: the others still get in.
    expect((await call(port, 'POST', `/api/v1/agents/${a.id}/heartbeat`, { cert: a.cert, body: {} })).status).to.be.oneOf([200, 403]);
  });
  it('answers hostile values with 400 and a reason, never 500, and stores nothing', async () => {
    const a = await worker(catalog.db, certs, port, 'auth-hostile');
    const task = await claimOne(a);
    const answers = [
      await call(port, 'POST', `/api/v1/agents/${a.id}/register`, { cert: a.cert, body: { machineName: 'h', totalMemoryMB: 1e300 } }),
      await call(port, 'POST', `/api/v1/agents/${a.id}/heartbeat`, { cert: a.cert, body: { runningTaskCount: 1e12 } }),
      await call(port, 'POST', `/api/v1/agents/${a.id}/heartbeat`, { cert: a.cert, body: { availableMemoryMB: 1e300 } }),
      await call(port, 'POST', `/api/v1/executions/${task.executionId}/logs`, { cert: a.cert, body: { messages: [{ message: 'x', time: '2024-13-45T99:99:99Z', stream: task.streamId, seq: 0 }] } }),
      await call(port, 'POST', `/api/v1/executions/${task.executionId}/logs`, { cert: a.cert, body: { messages: [1, 'a', null, []] } }),
      await call(port, 'POST', `/api/v1/executions/${task.executionId}/logs`, { cert: a.cert, body: { messages: [{ message: 'x', code: 1e12, stream: task.streamId, seq: 0 }] } }),
      await call(port, 'POST', `/api/v1/tasks/${task.taskId}/heartbeat`, { cert: a.cert, body: { leaseToken: 'not-a-uuid' } }),
      await call(port, 'POST', `/api/v1/agents/${a.id}/tasks:claim`, { cert: a.cert, rawBody: Buffer.from('{"maxTasks": 1,') }),
    ];
    expect(answers.map((r) => r.status)).to.deep.equal(answers.map(() => 400));
    for (const r of answers) {
      expect(String(r.json.message ?? '')).to.have.length.below(1000);
      expect(String(r.json.message ?? ''), 'numbered like every refusal').to.match(/^5100[01]: /);
    }
    const tooLong = await call(port, 'POST', `/api/v1/executions/99999999999999999999/logs`, { cert: a.cert, body: { messages: [] } });
    expect(tooLong.status).to.be.oneOf([400, 404]);
    const messages = await catalog.db.query('SELECT count(*) AS n FROM catalog.operation_messages WHERE operation_id = $1 AND message = $2', [task.executionId, 'x']);
    expect(Number(messages[0]!.n)).to.equal(0);
  });
  it('a master without the file of the catalog\'s protection key refuses to start, and names the file', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'scaleout-no-keys-'));
    try {
      const error = await startMaster(catalog.database.spec!, certs, { ...SETTINGS, CatalogKeyFolder: empty }).then(
        async (m) => {
          await m.kill9();
          return undefined;
        },
        (e: Error) => e,
      );
      expect(error?.message).to.match(/protection key [0-9a-f]{16}/).and.to.match(/\.key/).and.to.contain(empty);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
