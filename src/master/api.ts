/**
 * The versioned JSON API workers call (documented in docs/protocol.md). Every body is validated
 * with a schema; every state change is one catalog procedure call. The caller is the worker whose
 * client certificate the TLS handshake presented: its thumbprint goes to the catalog, which decides
 * whether it is trusted.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { z } from 'zod/v3';
import { CatalogError } from '../catalog/errors.ts';
import { storableLine } from '../catalog/log-lines.ts';
import {
  appendExecutionMessages,
  type ClaimedTask,
  completeTask,
  getLogDbConnection,
  getProjectVersion,
  registerWorkerAgent,
  releaseTasks,
  renewTaskLease,
  renewTaskLeases,
  updateWorkerAgentStatus,
} from '../catalog/master-calls.ts';
import { transientKind } from '../db/transient.ts';
import type { CatalogDb } from '../db/types.ts';
import { peerCertificate } from './peers.ts';
import type { Baton, Dispatcher } from './dispatcher.ts';
import type { BatchedClaims, BatchedCompletions } from './batched-calls.ts';
import type { Identities } from './identities.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from './metrics.ts';
import type { MasterSettings } from './settings.ts';
import { isIsoTime } from '../db/arguments.ts';
import { isProtected, type Keyring } from '../catalog/protection.ts';

const uuid = z.string().uuid();

const registerBody = z
  .object({
    machineName: z.string().min(1).max(256),
    userAccount: z.string().max(256).optional(),
    displayName: z.string().max(256).optional(),
    description: z.string().max(4000).optional(),
    heartbeatIntervalMs: z.number().int().min(1000).max(86_400_000).optional(),
    maxTaskCount: z.number().int().min(1).max(1000).optional(),
    osVersion: z.string().max(256).optional(),
    processorCount: z.number().int().min(1).max(100_000).optional(),
    totalMemoryMB: z.number().min(0).max(1e9).optional(),
    agentVersion: z.string().max(64).optional(),
  })
  .strict();

const heartbeatBody = z
  .object({
    machineName: z.string().min(1).max(256).optional(),
    userAccount: z.string().max(256).optional(),
    cpuPercent: z.number().min(0).max(100).optional(),
    availableMemoryMB: z.number().min(0).max(1e9).optional(),
    runningTaskCount: z.number().int().min(0).max(100_000).optional(),
    logLinesPending: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    logLinesUndeliverable: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict();

const claimBody = z
  .object({
    maxTasks: z.number().int().min(1).max(1000).default(1),
    waitMs: z.number().int().min(0).max(300_000).default(30_000),
    leaseMs: z.number().int().min(1000).max(86_400_000).default(60_000),
  })
  .strict();

const taskHeartbeatBody = z.object({ leaseToken: uuid, leaseMs: z.number().int().min(1000).max(86_400_000).default(60_000) }).strict();

const leaseRef = z.object({ taskId: uuid, leaseToken: uuid }).strict();
const renewBody = z.object({ leases: z.array(leaseRef).max(1000), leaseMs: z.number().int().min(1000).max(86_400_000).default(60_000) }).strict();
const releaseBody = z.object({ leases: z.array(leaseRef).min(1).max(1000) }).strict();
const outcome = z.enum(['succeeded', 'failed', 'canceled', 'abandoned']);

const completeBody = z
  .object({
    leaseToken: uuid,
    outcome,
    errorMessage: z.string().max(4000).optional(),
  })
  .strict();

const completion = z.object({ taskId: uuid, leaseToken: uuid, outcome, errorMessage: z.string().max(4000).optional() }).strict();

const completeManyBody = z.object({ completions: z.array(completion).min(1).max(1000) }).strict();

const exchangeBody = z
  .object({
    completions: z.array(completion).max(1000).default([]),
    maxTasks: z.number().int().min(1).max(1000).default(1),
    waitMs: z.number().int().min(0).max(300_000).default(30_000),
    leaseMs: z.number().int().min(1000).max(86_400_000).default(60_000),
  })
  .strict();

const logMessage = z
  .object({
    time: z.string().max(40).refine(isIsoTime, 'an ISO 8601 date and time, like 2026-12-01T08:30:00Z').optional(),
    type: z.number().int().min(-1).max(1000).optional(),
    source: z.number().int().min(0).max(1000).optional(),
    message: z.string().max(1_000_000).nullable().optional(),
    package: z.string().max(260).optional(),
    event: z.string().max(1024).optional(),
    sourceName: z.string().max(4000).optional(),
    code: z.number().int().min(-2147483648).max(2147483647).optional(),
    stream: uuid.optional(),
    seq: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  })
  .strict()
  .refine((m) => (m.stream === undefined) === (m.seq === undefined), 'a line has a stream and a seq, or neither');

const logsBody = z
  .object({ batchId: uuid.optional(), messages: z.array(logMessage).max(10_000) })
  .strict()
  .refine((b) => b.batchId !== undefined || b.messages.every((m) => m.stream !== undefined), 'batchId is required for lines without a stream');

export const BODY_LIMIT_BYTES = 1024 * 1024;
export const LOG_BODY_LIMIT_BYTES = 16 * 1024 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly symbol: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface ApiContext {
  readonly db: CatalogDb;
  readonly settings: MasterSettings;
  readonly dispatcher: Dispatcher;
  readonly log: Logger;
  readonly metrics: Metrics;
  /** Set while the master shuts down: long polls answer at once. */
  readonly shuttingDown: () => boolean;
  readonly onCatalogResult: (ok: boolean) => void;
  readonly identities: Identities;
  /** Decrypts sensitive values (stored encrypted by the PostgreSQL dialect) for the worker that runs the task. */
  readonly keyring: Keyring;
  /** Claims and completions through the catalog, one call of each in flight per worker. */
  readonly claims: BatchedClaims;
  readonly completions: BatchedCompletions;
}

interface Route {
  readonly method: 'GET' | 'POST';
  readonly pattern: RegExp;
  readonly name: string;
  /**
   * Who may call it: 'trusted', a certificate the catalog trusts (registration binds it to its
   * worker); 'worker', the registered worker the certificate belongs to. A route whose path names
   * an agent answers only that agent's certificate.
   */
  readonly auth: 'trusted' | 'worker';
  readonly limit?: number;
  handle(ctx: ApiContext, req: Authenticated, params: string[], body: unknown): Promise<unknown>;
}

interface Authenticated {
  readonly thumbprint: string;
  /** When the client certificate stops being valid (ms since the epoch). */
  readonly certificateValidTo: number;
  /** The worker the certificate belongs to (for a 'trusted' route before registration: the path's). */
  readonly workerAgentId: string;
  readonly signal: AbortSignal;
  /** Runs fn if the answer never leaves the master (the client went away before it was written). */
  onUndelivered(fn: () => void): void;
}

/** Sensitive parameter values in clear, for the worker that claimed the task and no one else. */
async function revealSensitiveValues(keyring: Keyring, tasks: ClaimedTask[]): Promise<ClaimedTask[]> {
  for (const task of tasks) {
    for (const p of task.parameters as Array<{ sensitive?: boolean; value?: unknown }>) {
      if (p.sensitive && isProtected(p.value)) p.value = await keyring.reveal(p.value as string);
    }
  }
  return tasks;
}

/** The log-writer connection handed to enabled workers, read from the catalog at most every 5 s. */
let logDbCache: { value: string | null; at: number } | undefined;
async function logDbConnectionFor(ctx: ApiContext, isEnabled: boolean): Promise<string | null> {
  if (!isEnabled) return null;
  if (!logDbCache || Date.now() - logDbCache.at > 5_000) logDbCache = { value: await ctx.keyring.reveal(await getLogDbConnection(ctx.db)), at: Date.now() };
  return logDbCache.value;
}

/**
 * Tasks claimed for a worker whose request is gone go back to the queue at once, at no attempt.
 * (Answers lost after they left the master are caught by the catalog: a claim the worker never
 * acknowledges costs no attempt either.)
 */
function giveBack(ctx: ApiContext, workerId: string, tasks: readonly ClaimedTask[]): void {
  if (tasks.length === 0) return;
  releaseTasks(ctx.db, workerId, tasks.map((t) => ({ taskId: t.taskId, leaseToken: t.leaseToken }))).then(
    (results) => {
      const released = results.filter((r) => r.errorNumber === null).length;
      ctx.metrics.released.inc(released);
      ctx.log.info('tasks claimed for a worker that went away were given back', { workerAgentId: workerId, tasks: released });
    },
    (error: unknown) => ctx.log.warn('tasks claimed for a worker that went away could not be given back yet; they go back when their lease runs out, at no attempt', { workerAgentId: workerId, tasks: tasks.length, error }),
  );
}

/** Claims for a long poll, and makes sure tasks the worker never receives are given back. */
async function claimFor(ctx: ApiContext, req: Authenticated, id: string, b: { maxTasks: number; waitMs: number; leaseMs: number }): Promise<ClaimedTask[]> {
  const tasks = await longPollClaim(ctx, req, id, b);
  if (req.signal.aborted) {
    giveBack(ctx, id, tasks);
    return [];
  }
  req.onUndelivered(() => giveBack(ctx, id, tasks));
  return tasks;
}

/**
 * The long poll: claims at once, and while nothing is there waits for a wake-up (NOTIFY, or the
 * shared poll) until waitMs (capped by LongPollMaxInMs) runs out.
 */
async function longPollClaim(ctx: ApiContext, req: Authenticated, id: string, b: { maxTasks: number; waitMs: number; leaseMs: number }): Promise<ClaimedTask[]> {
  const started = performance.now();
  const deadline = Date.now() + Math.min(b.waitMs, ctx.settings.LongPollMaxInMs);
  ctx.metrics.longPolls.inc();
  let baton: Baton | undefined;
  // Hands on the wake-up this claim was woken with: when it filled its batch (there may be more),
  // or found nothing while the work may be for another worker only.
  const handOn = (wakeUp: Baton | undefined, got: number) => {
    if (wakeUp && (got >= b.maxTasks || (got === 0 && !wakeUp.open))) ctx.dispatcher.passOn(wakeUp);
  };
  // A wake-up that came while the claim ran, or that this request will not use: the claim may not
  // have seen that work, so the next waiter looks.
  const passUnused = (wakeUp: Baton | undefined) => {
    if (wakeUp) ctx.dispatcher.passOn(wakeUp);
  };
  try {
    for (;;) {
      const wake = ctx.dispatcher.nextWake(deadline - Date.now(), req.workerAgentId);
      let tasks;
      try {
        tasks = await revealSensitiveValues(ctx.keyring, await ctx.claims.claim({ workerAgentId: id, maxTasks: b.maxTasks, leaseMs: b.leaseMs }, req.signal));
      } catch (error) {
        passUnused(wake.cancel());
        passUnused(baton);
        throw error;
      }
      ctx.metrics.claimCalls.inc({ result: tasks.length > 0 ? 'tasks' : 'empty' });
      handOn(baton, tasks.length);
      baton = undefined;
      if (tasks.length > 0 || Date.now() >= deadline || ctx.shuttingDown() || req.signal.aborted) {
        passUnused(wake.cancel());
        if (tasks.length > 0) {
          ctx.metrics.claimed.inc(tasks.length);
          ctx.metrics.dispatchLatency.observe((performance.now() - started) / 1000);
        }
        return tasks;
      }
      const abort = () => passUnused(wake.cancel());
      req.signal.addEventListener('abort', abort, { once: true });
      baton = await wake.promise;
      req.signal.removeEventListener('abort', abort);
      if (req.signal.aborted || ctx.shuttingDown()) {
        passUnused(baton);
        return [];
      }
    }
  } finally {
    ctx.metrics.longPolls.dec();
  }
}

const routes: Route[] = [
  {
    method: 'POST',
    pattern: /^\/api\/v1\/agents\/([^/]+)\/register$/,
    name: 'register',
    auth: 'trusted',
    async handle(ctx, req, [agentId], body) {
      const b = registerBody.parse(body);
      const r = await registerWorkerAgent(ctx.db, { workerAgentId: uuid.parse(agentId), thumbprint: req.thumbprint, ...b });
      // The registration may have bound the certificate to this worker: ask the catalog again next time.
      ctx.identities.forget(req.thumbprint);
      return { isEnabled: r.isEnabled, logDbConnection: await logDbConnectionFor(ctx, r.isEnabled) };
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/agents\/([^/]+)\/heartbeat$/,
    name: 'heartbeat',
    auth: 'worker',
    async handle(ctx, req, _params, body) {
      const b = heartbeatBody.parse(body);
      // The end of validity of the certificate the worker presented, for the catalog's counters.
      const certificateDaysLeft = Number.isFinite(req.certificateValidTo) ? Math.round((req.certificateValidTo - Date.now()) / 8_640_000) / 10 : undefined;
      const r = await updateWorkerAgentStatus(ctx.db, { workerAgentId: req.workerAgentId, thumbprint: req.thumbprint, ...b, ...(certificateDaysLeft === undefined ? {} : { certificateDaysLeft }) });
      return { isEnabled: r.isEnabled, logDbConnection: await logDbConnectionFor(ctx, r.isEnabled) };
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/agents\/([^/]+)\/tasks:claim$/,
    name: 'claim',
    auth: 'worker',
    async handle(ctx, req, _params, body) {
      const b = claimBody.parse(body);
      return { tasks: await claimFor(ctx, req, req.workerAgentId, b) };
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/agents\/([^/]+)\/tasks:exchange$/,
    name: 'exchange',
    auth: 'worker',
    async handle(ctx, req, _params, body) {
      const b = exchangeBody.parse(body);
      // The finished tasks first: their slots are free for the claim that follows.
      const results = b.completions.length > 0 ? await ctx.completions.complete(req.workerAgentId, b.completions) : [];
      if (results.length > 0) ctx.dispatcher.slotsFreed(req.workerAgentId);
      return { results, tasks: await claimFor(ctx, req, req.workerAgentId, b) };
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/agents\/([^/]+)\/tasks:renew$/,
    name: 'renew',
    auth: 'worker',
    async handle(ctx, req, _params, body) {
      const b = renewBody.parse(body);
      if (b.leases.length === 0) return { results: [] };
      return { results: await renewTaskLeases(ctx.db, req.workerAgentId, b.leases, b.leaseMs) };
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/agents\/([^/]+)\/tasks:release$/,
    name: 'release',
    auth: 'worker',
    async handle(ctx, req, _params, body) {
      const b = releaseBody.parse(body);
      const results = await releaseTasks(ctx.db, req.workerAgentId, b.leases);
      ctx.dispatcher.slotsFreed(req.workerAgentId);
      return { results };
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/tasks\/([^/]+)\/heartbeat$/,
    name: 'task_heartbeat',
    auth: 'worker',
    async handle(ctx, req, [taskId], body) {
      const b = taskHeartbeatBody.parse(body);
      return renewTaskLease(ctx.db, uuid.parse(taskId), b.leaseToken, b.leaseMs, req.workerAgentId);
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/tasks\/([^/]+)\/complete$/,
    name: 'complete',
    auth: 'worker',
    async handle(ctx, req, [taskId], body) {
      const b = completeBody.parse(body);
      const result = await completeTask(ctx.db, uuid.parse(taskId), b.leaseToken, b.outcome, b.errorMessage, req.workerAgentId);
      ctx.dispatcher.slotsFreed(req.workerAgentId);
      return result;
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/tasks:complete$/,
    name: 'complete_many',
    auth: 'worker',
    async handle(ctx, req, _params, body) {
      const b = completeManyBody.parse(body);
      const results = await ctx.completions.complete(req.workerAgentId, b.completions);
      ctx.dispatcher.slotsFreed(req.workerAgentId);
      return { results };
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/executions\/(\d{1,18})\/logs$/,
    name: 'logs',
    auth: 'worker',
    limit: LOG_BODY_LIMIT_BYTES,
    async handle(ctx, req, [executionId], body) {
      const b = logsBody.parse(body);
      return { inserted: await appendExecutionMessages(ctx.db, Number(executionId), b.batchId ?? null, b.messages.map(storableLine), req.workerAgentId) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/projects\/([0-9a-fA-F]{64})$/,
    name: 'project',
    auth: 'worker',
    async handle(ctx, req, [hash]) {
      const v = await getProjectVersion(ctx.db, hash!, req.workerAgentId);
      return new BinaryBody(v.bytes, { 'x-scaleout-project': encodeURIComponent(v.projectName), 'x-scaleout-manifest': Buffer.from(v.manifest).toString('base64') });
    },
  },
];

export class BinaryBody {
  constructor(
    readonly bytes: Buffer,
    readonly headers: Record<string, string>,
  ) {}
}

/** How much of an oversized body is read and thrown away, and for how long, before the 413 is sent. */
const DISCARD_MAX_BYTES = 32 * 1024 * 1024;
const DISCARD_MAX_MS = 10_000;

/**
 * Refuses an oversized body with 413. Node closes a connection whose request was not read to its
 * end, so a client still writing would see EPIPE instead of the answer: the rest of the body is read
 * and discarded first — bounded in bytes and time, after which the connection is simply dropped.
 */
function refuseOversized(req: IncomingMessage, limit: number, alreadyRead: number): Promise<never> {
  const refusal = new HttpError(413, 'body_too_large', `The body is larger than ${limit} bytes.`, { connection: 'close' });
  if (req.complete) return Promise.reject(refusal);
  return new Promise((_resolve, reject) => {
    let discarded = alreadyRead;
    const timer = setTimeout(() => req.socket.destroy(), DISCARD_MAX_MS);
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > DISCARD_MAX_BYTES) req.socket.destroy();
    });
    req.once('end', () => {
      clearTimeout(timer);
      reject(refusal);
    });
    req.once('close', () => {
      clearTimeout(timer);
      reject(refusal);
    });
    req.resume();
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return refuseOversized(req, limit, 0);
  // Events rather than an async iterator: a body is one or two chunks, and the iterator's
  // promise per chunk was a visible share of the master's CPU per request.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        refuseOversized(req, limit, size).catch(reject);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('error', reject);
    req.once('end', () => {
      if (size > limit) return;
      if (size === 0) return resolve({});
      try {
        resolve(JSON.parse((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')));
      } catch {
        reject(new HttpError(400, 'invalid_json', '51001: The body is not valid JSON. Nothing was changed.'));
      }
    });
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (body instanceof BinaryBody) {
    res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': body.bytes.length, ...body.headers, ...headers });
    res.end(body.bytes);
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Maps a failure to an HTTP answer: catalog errors keep their number, a lost catalog is 503 with Retry-After. */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof z.ZodError) {
    // Numbered like the catalog's own refusals: 51001, naming each field at fault.
    return new HttpError(400, 'invalid_body', `51001: ${error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(body)'}: ${i.message.slice(0, 200)}`).join('; ')}. Nothing was changed.`);
  }
  if (error instanceof CatalogError) return new HttpError(error.httpStatus, error.symbol, `${error.number}: ${error.message}`);
  if (transientKind(error) || /ECONNREFUSED|ETIMEDOUT|Connection terminated|closed|connect/i.test(String((error as Error)?.message))) {
    return new HttpError(503, 'catalog_unavailable', 'The catalog cannot be reached; try again shortly.', { 'retry-after': '5' });
  }
  return new HttpError(500, 'internal_error', 'The master failed to handle the request; see its log.');
}

/** A refusal before the request's body is read: the connection is closed, the body never read. */
function refuse(ctx: ApiContext, reason: string, status: number, symbol: string, message: string): HttpError {
  ctx.metrics.refused.inc({ reason });
  return new HttpError(status, symbol, message, { connection: 'close' });
}

const AGENT_PATH = /^\/api\/v1\/agents\/([^/]+)\//;

/**
 * Who is asking, checked before anything of the request is read: a client certificate, valid now,
 * that the catalog trusts — and, for a worker's route, belongs to a registered worker, the one the
 * path names.
 */
async function authorize(ctx: ApiContext, req: IncomingMessage, route: Route, path: string): Promise<{ thumbprint: string; workerAgentId: string; certificateValidTo: number }> {
  const peer = peerCertificate(req.socket as TLSSocket);
  if (!peer) throw refuse(ctx, 'no_certificate', 403, 'client_certificate_required', 'A worker must present its client certificate.');
  const now = Date.now();
  if (now < peer.validFrom || now > peer.validTo) {
    throw refuse(ctx, 'certificate_expired', 403, 'certificate_not_valid_now', `The client certificate ${peer.thumbprint} is valid from ${new Date(peer.validFrom).toISOString()} to ${new Date(peer.validTo).toISOString()}, not now.`);
  }
  const identity = await ctx.identities.lookup(peer.thumbprint);
  if (!identity.trusted) {
    ctx.metrics.refused.inc({ reason: identity.refusal.symbol });
    throw new HttpError(identity.refusal.httpStatus, identity.refusal.symbol, `${identity.refusal.number}: ${identity.refusal.message}`, { connection: 'close' });
  }
  const named = AGENT_PATH.exec(path)?.[1];
  let workerAgentId = identity.workerAgentId;
  if (named !== undefined) {
    const id = uuid.safeParse(named);
    if (!id.success) throw new HttpError(400, 'invalid_body', `51001: The worker agent id in the path is not a UUID: ${named.slice(0, 100)}. Nothing was changed.`);
    if (workerAgentId && workerAgentId !== id.data.toLowerCase()) {
      throw refuse(ctx, 'certificate_mismatch', 403, 'certificate_mismatch', `51402: The certificate ${peer.thumbprint} belongs to worker agent ${workerAgentId}, not to ${id.data.toLowerCase()}.`);
    }
    workerAgentId ??= route.auth === 'trusted' ? id.data.toLowerCase() : null;
  }
  if (!workerAgentId) {
    throw refuse(ctx, 'not_registered', 403, 'worker_not_registered', `The certificate ${peer.thumbprint} is trusted, but no worker agent has registered with it yet: register first.`);
  }
  return { thumbprint: peer.thumbprint, workerAgentId, certificateValidTo: peer.validTo };
}

export async function handleApi(ctx: ApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://master');
  let match: RegExpExecArray | null = null;
  const route = routes.find((r) => r.method === req.method && (match = r.pattern.exec(url.pathname)) !== null);
  const routeName = route?.name ?? 'unknown';
  const abort = new AbortController();
  const undelivered: Array<() => void> = [];
  // The client went away before its answer (a long poll it gave up): aborting an answered
  // request would only build an AbortError for nobody.
  res.once('close', () => {
    if (res.writableFinished) return;
    ctx.metrics.abandoned.inc({ route: routeName });
    abort.abort();
    for (const fn of undelivered.splice(0)) fn();
  });
  try {
    if (!route) throw new HttpError(404, 'not_found', `No ${req.method} ${url.pathname} in API v1.`);
    const who = await authorize(ctx, req, route, url.pathname);
    const params = match!.slice(1);
    const body = req.method === 'POST' ? await readBody(req, route.limit ?? BODY_LIMIT_BYTES) : undefined;
    const result = await route.handle(ctx, { ...who, signal: abort.signal, onUndelivered: (fn) => undelivered.push(fn) }, params, body);
    ctx.onCatalogResult(true);
    ctx.metrics.requests.inc({ route: routeName, status: 200 });
    send(res, 200, result);
  } catch (error) {
    const e = toHttpError(error);
    if (e.status === 503) ctx.onCatalogResult(false);
    else if (error instanceof CatalogError) ctx.onCatalogResult(true);
    ctx.metrics.requests.inc({ route: routeName, status: e.status });
    if (e.status === 403 || e.status >= 500) ctx.log.warn('request refused', { route: routeName, status: e.status, reason: e.message, error: e.status === 500 ? error : undefined });
    if (!res.headersSent) send(res, e.status, { error: e.symbol, message: e.message }, e.headers);
    else res.end();
  }
}
