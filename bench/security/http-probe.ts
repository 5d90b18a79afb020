/**
 * Every route of a real master, tried with every kind of client an attacker could be: no
 * certificate, an untrusted one, an expired one, a trusted worker reaching for another's task, a
 * disabled worker, a deleted one, one whose certificate was replaced. Only the task's own worker
 * may reach its task, log stream and project; a disabled worker may only register and heartbeat.
 * Then hostile bodies from the owner (400, never 500), and slow clients (the master keeps serving).
 */

import { randomUUID } from 'node:crypto';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { CatalogDb } from '../../src/db/types.ts';
import { createSelfSignedCertificate, type CertificateFiles } from '../../src/tls/certificates.ts';
import { call, type Certs } from '../../test/support/master-process.ts';

export type HttpOutcome = 'allowed' | 'refused cleanly' | 'accepted wrongly' | 'crashed';

export interface HttpProbeResult {
  readonly identity: string;
  readonly route: string;
  readonly status: number | string;
  readonly outcome: HttpOutcome;
}

interface Worker {
  readonly id: string;
  readonly cert: CertificateFiles;
}

interface Task {
  readonly taskId: string;
  readonly leaseToken: string;
  readonly executionId: number;
  readonly contentHash: string;
  readonly streamId: string;
}

async function register(db: CatalogDb, port: number, certs: Certs, name: string, enabled = true): Promise<Worker> {
  const id = randomUUID();
  const cert = certs.worker(name);
  await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: cert.thumbprint, IsEnabled: enabled ? 1 : 0, MaxTaskCount: 10 });
  const r = await call(port, 'POST', `/api/v1/agents/${id}/register`, { cert, body: { machineName: name, maxTaskCount: 10 } });
  if (r.status !== 200) throw new Error(`registering ${name}: ${r.status} ${r.body.toString()}`);
  return { id, cert };
}

/** The routes, each aimed at the owner's agent id, task, execution and project. */
function routes(owner: Worker, task: Task): Array<{ name: string; method: 'GET' | 'POST'; path: (agentId: string) => string; body?: unknown; ownAgentPath?: boolean }> {
  const lease = { taskId: task.taskId, leaseToken: task.leaseToken };
  return [
    { name: 'register', method: 'POST', path: (a) => `/api/v1/agents/${a}/register`, body: { machineName: 'probe' }, ownAgentPath: true },
    { name: 'heartbeat', method: 'POST', path: (a) => `/api/v1/agents/${a}/heartbeat`, body: {}, ownAgentPath: true },
    { name: 'tasks:claim', method: 'POST', path: (a) => `/api/v1/agents/${a}/tasks:claim`, body: { waitMs: 0 }, ownAgentPath: true },
    { name: 'tasks:exchange', method: 'POST', path: (a) => `/api/v1/agents/${a}/tasks:exchange`, body: { waitMs: 0 }, ownAgentPath: true },
    { name: 'tasks:renew', method: 'POST', path: () => `/api/v1/agents/${owner.id}/tasks:renew`, body: { leases: [lease] } },
    { name: 'tasks:release', method: 'POST', path: () => `/api/v1/agents/${owner.id}/tasks:release`, body: { leases: [lease] } },
    { name: 'task heartbeat', method: 'POST', path: () => `/api/v1/tasks/${task.taskId}/heartbeat`, body: { leaseToken: task.leaseToken } },
    { name: 'task complete', method: 'POST', path: () => `/api/v1/tasks/${task.taskId}/complete`, body: { leaseToken: task.leaseToken, outcome: 'failed' } },
    { name: 'tasks:complete', method: 'POST', path: () => '/api/v1/tasks:complete', body: { completions: [{ ...lease, outcome: 'failed' }] } },
    { name: 'logs', method: 'POST', path: () => `/api/v1/executions/${task.executionId}/logs`, body: { messages: [{ message: 'forged', type: 120, stream: task.streamId, seq: 999 }] } },
    { name: 'project', method: 'GET', path: () => `/api/v1/projects/${task.contentHash}` },
  ];
}

interface Answer {
  readonly status: number | string;
  readonly json: Record<string, unknown>;
}

async function attempt(port: number, method: 'GET' | 'POST', path: string, cert: CertificateFiles | undefined, body: unknown): Promise<Answer> {
  try {
    const r = await call(port, method, path, { cert, body });
    return { status: r.status, json: r.json };
  } catch (error) {
    // A handshake the master refuses (an expired certificate may be refused before HTTP) is a refusal.
    const text = String((error as Error).message);
    return { status: /handshake|alert|certificate|socket hang up|ECONNRESET/i.test(text) ? `tls: ${text.slice(0, 60)}` : `error: ${text.slice(0, 60)}`, json: {} };
  }
}

/**
 * A 200 that gives nothing away is a refusal too: a claim with no task (a disabled worker gets
 * none), a batch whose every item was refused (51302, nothing recorded).
 */
function gaveNothing(json: Record<string, unknown>): boolean {
  if (Array.isArray(json.tasks) && json.tasks.length === 0 && (!Array.isArray(json.results) || json.results.length === 0)) return true;
  if (Array.isArray(json.results) && json.results.length > 0) return json.results.every((r) => (r as { errorNumber?: number | null }).errorNumber != null);
  return false;
}

function classify(answer: Answer, mayReach: boolean): HttpOutcome {
  const { status } = answer;
  if (typeof status === 'string') return status.startsWith('tls:') ? 'refused cleanly' : 'crashed';
  if (status >= 500) return 'crashed';
  if (status >= 200 && status < 300) return mayReach ? 'allowed' : gaveNothing(answer.json) ? 'refused cleanly' : 'accepted wrongly';
  return mayReach && status !== 409 ? 'crashed' : 'refused cleanly';
}

/**
 * Runs the identities against the routes. The owner's own requests come last (they change the
 * task: a failed completion); every other identity must leave the task, its lease and its log
 * untouched, which the caller can check afterwards.
 */
export async function probeRoutes(db: CatalogDb, port: number, certs: Certs, startTask: (worker: Worker) => Promise<Task>): Promise<HttpProbeResult[]> {
  const owner = await register(db, port, certs, 'probe-owner');
  const other = await register(db, port, certs, 'probe-other');
  const disabled = await register(db, port, certs, 'probe-disabled', false);
  const deleted = await register(db, port, certs, 'probe-deleted');
  const replaced = await register(db, port, certs, 'probe-replaced');
  const task = await startTask(owner);

  await db.call('catalog.delete_worker_agent', { WorkerAgentId: deleted.id, Force: true });
  const renewedCert = certs.worker('probe-replaced-new');
  await db.call('catalog.delete_worker_agent', { WorkerAgentId: replaced.id, Force: true });
  await db.call('catalog.add_worker_agent', { WorkerAgentId: replaced.id, CertificateThumbprint: renewedCert.thumbprint, IsEnabled: 1 });
  // Revocation reaches every master within the identity cache's life (4 s).
  await new Promise((r) => setTimeout(r, 4500));

  const expired = createSelfSignedCertificate({ commonName: 'probe-expired', purpose: 'client', notBefore: new Date(Date.now() - 100 * 86_400_000), days: 1 });
  await db.call('catalog.add_worker_agent', { WorkerAgentId: randomUUID(), CertificateThumbprint: expired.thumbprint, IsEnabled: 1 });
  const identities: Array<{ name: string; worker?: Worker; cert?: CertificateFiles; ownId: string }> = [
    { name: 'no certificate', ownId: owner.id },
    { name: 'untrusted certificate', cert: certs.worker('probe-stranger'), ownId: randomUUID() },
    { name: 'expired certificate (trusted)', cert: expired, ownId: randomUUID() },
    { name: 'another trusted worker', worker: other, ownId: other.id },
    { name: 'disabled worker', worker: disabled, ownId: disabled.id },
    { name: 'deleted worker', worker: deleted, ownId: deleted.id },
    { name: 'replaced certificate', worker: replaced, ownId: replaced.id },
  ];
  const results: HttpProbeResult[] = [];
  for (const who of identities) {
    const cert = who.worker?.cert ?? who.cert;
    for (const route of routes(owner, task)) {
      // Another enabled worker may use its own agent routes, and a disabled one may register and heartbeat.
      const own = route.ownAgentPath === true && who.worker !== undefined;
      const mayReach = own && (who.name === 'another trusted worker' || (who.name === 'disabled worker' && (route.name === 'register' || route.name === 'heartbeat')));
      const answer = await attempt(port, route.method, route.path(own ? who.ownId : owner.id), cert, route.body);
      results.push({ identity: who.name, route: route.name, status: answer.status, outcome: classify(answer, mayReach) });
    }
  }
  // Nothing any of them sent reached the task's log.
  const forged = await db.query("SELECT count(*) AS n FROM catalog.operation_messages WHERE message = 'forged'");
  results.push({ identity: 'all of the above', route: 'forged log lines stored', status: Number(forged[0]!.n), outcome: Number(forged[0]!.n) === 0 ? 'refused cleanly' : 'accepted wrongly' });
  // The owner reaches its own task (the last route, tasks:complete, ends the attempt: done last).
  for (const route of routes(owner, task).filter((r) => !['tasks:release', 'task complete', 'tasks:complete'].includes(r.name))) {
    const answer = await attempt(port, route.method, route.path(owner.id), owner.cert, route.body);
    results.push({ identity: 'the task\'s own worker', route: route.name, status: answer.status, outcome: classify(answer, true) });
  }
  return results;
}

/** Hostile bodies from a trusted worker: each must be a 400 with a reason, never a 500. */
export async function probeBodies(port: number, owner: Worker, task: Task): Promise<HttpProbeResult[]> {
  const tries: Array<[string, string, unknown, Buffer?]> = [
    ['totalMemoryMB 1e300', `/api/v1/agents/${owner.id}/register`, { machineName: 'h', totalMemoryMB: 1e300 }],
    ['runningTaskCount 1e12', `/api/v1/agents/${owner.id}/heartbeat`, { runningTaskCount: 1e12 }],
    ['log time 2024-13-45T99:99:99Z', `/api/v1/executions/${task.executionId}/logs`, { messages: [{ message: 'x', time: '2024-13-45T99:99:99Z', stream: task.streamId, seq: 0 }] }],
    ['messages [1,"a",null,[]]', `/api/v1/executions/${task.executionId}/logs`, { messages: [1, 'a', null, []] }],
    ['lease token not a uuid', `/api/v1/tasks/${task.taskId}/heartbeat`, { leaseToken: 'not-a-uuid' }],
    ['truncated JSON', `/api/v1/agents/${owner.id}/tasks:claim`, undefined, Buffer.from('{"maxTasks": 1,')],
    ['machine name of 1 MB', `/api/v1/agents/${owner.id}/register`, { machineName: 'x'.repeat(1 << 20) }],
    ['unknown field', `/api/v1/agents/${owner.id}/heartbeat`, { isEnabled: true }],
  ];
  const results: HttpProbeResult[] = [];
  for (const [name, path, body, raw] of tries) {
    let status: number | string;
    try {
      status = (await call(port, 'POST', path, { cert: owner.cert, body, rawBody: raw })).status;
    } catch (error) {
      status = `error: ${String((error as Error).message).slice(0, 60)}`;
    }
    const outcome: HttpOutcome = typeof status === 'number' && status >= 400 && status < 500 ? 'refused cleanly' : typeof status === 'number' && status < 300 ? 'accepted wrongly' : 'crashed';
    results.push({ identity: 'the task\'s own worker', route: `body: ${name}`, status, outcome });
  }
  return results;
}

/**
 * Slow clients: `count` connections of one untrusted certificate that send half a request and
 * wait, while a trusted worker keeps heartbeating. Returns how many the master closed within its
 * header timeout, and the trusted worker's slowest heartbeat meanwhile.
 */
export async function probeSlowClients(port: number, certs: Certs, trusted: Worker, count: number, headerTimeoutMs: number): Promise<{ opened: number; closedByMaster: number; heartbeats: number; heartbeatFailures: number; slowestHeartbeatMs: number }> {
  const stranger = certs.worker('probe-slow');
  const sockets: TLSSocket[] = [];
  let closedByMaster = 0;
  for (let i = 0; i < count; i++) {
    try {
      const socket = await new Promise<TLSSocket>((resolve, reject) => {
        const s = tlsConnect({ host: '127.0.0.1', port, cert: stranger.cert, key: stranger.key, rejectUnauthorized: false }, () => resolve(s));
        s.once('error', reject);
      });
      socket.on('error', () => undefined);
      // Read what the master answers (its 408): a paused socket would never see the close.
      socket.resume();
      socket.once('close', () => (closedByMaster += 1));
      socket.write('POST /api/v1/agents/x/heartbeat HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n');
      sockets.push(socket);
    } catch {
      closedByMaster += 1;
    }
  }
  let heartbeats = 0;
  let failures = 0;
  let slowest = 0;
  const until = Date.now() + headerTimeoutMs + 3000;
  while (Date.now() < until) {
    const started = Date.now();
    try {
      const r = await call(port, 'POST', `/api/v1/agents/${trusted.id}/heartbeat`, { cert: trusted.cert, body: {} });
      if (r.status === 200) heartbeats += 1;
      else failures += 1;
    } catch {
      failures += 1;
    }
    slowest = Math.max(slowest, Date.now() - started);
    await new Promise((r) => setTimeout(r, 200));
  }
  const closedBeforeTheEnd = closedByMaster;
  for (const s of sockets) s.destroy();
  return { opened: sockets.length, closedByMaster: closedBeforeTheEnd, heartbeats, heartbeatFailures: failures, slowestHeartbeatMs: slowest };
}

export type { Task, Worker };
