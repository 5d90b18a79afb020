/**
 * The worker's side of API v1 (docs/protocol.md): HTTPS with the worker's client certificate, to
 * a master whose certificate must have the pinned SHA-256 thumbprint — checked on every new
 * connection before a byte of a request is sent. Several master URLs are tried in turn: a
 * connection that fails, or a 503, moves on to the next.
 */

import type { ClientRequestArgs } from 'node:http';
import { Agent, request, type AgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions } from 'node:tls';
import type { LogLine } from '../catalog/log-lines.ts';
import type { ClaimedTask, Completion, CompletionResult, LeaseRef, Outcome } from '../catalog/master-calls.ts';
import { normalizeThumbprint } from '../tls/thumbprints.ts';

/** An answer of the master other than 2xx: its status, symbol and (numbered) message. */
export class MasterError extends Error {
  override readonly name = 'MasterError';
  constructor(
    readonly status: number,
    readonly symbol: string,
    message: string,
  ) {
    super(message);
  }
  /** 503 and 5xx are worth retrying; a 4xx will answer the same again. */
  get retryable(): boolean {
    return this.status >= 500;
  }
}

/** No master could be reached (refused, reset, timed out, or not the pinned certificate). */
export class MasterUnreachable extends Error {
  override readonly name = 'MasterUnreachable';
}

/** A failure that asking again may not repeat: no master answered, or one answered 5xx. */
export function isTransient(error: unknown): boolean {
  return error instanceof MasterUnreachable || (error instanceof MasterError && error.retryable);
}

export interface TaskParameter {
  readonly object_type: number;
  readonly name: string;
  readonly data_type: string;
  readonly value: string | null;
  readonly sensitive: boolean;
}

/** A claimed task as it crosses the wire: the catalog's claim row, its time as text. */
export type Task = Omit<ClaimedTask, 'leaseExpiresAt' | 'parameters'> & {
  readonly leaseExpiresAt: string;
  readonly parameters: TaskParameter[];
};

export type { LogLine, Outcome };

/** The answer for one lease of a tasks:renew request. */
export interface Renewal {
  readonly taskId: string;
  readonly isCancelled: boolean;
  /** 51302 when the lease is no longer this worker's. */
  readonly errorNumber: number | null;
}

/** The answer to register and heartbeat: whether the worker may take tasks, and where its logs go. */
export interface AgentAnswer {
  readonly isEnabled: boolean;
  readonly logDbConnection?: string | null;
}

export interface MasterClientOptions {
  readonly endpoints: readonly string[];
  readonly masterThumbprint: string;
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** Per request, beyond any long-poll wait the request asks for. */
  readonly timeoutMs?: number;
}

/** An HTTPS agent that accepts only the master whose certificate has the pinned thumbprint. */
class PinnedAgent extends Agent {
  constructor(
    options: AgentOptions,
    private readonly thumbprint: string,
  ) {
    super(options);
  }

  override createConnection(options: ClientRequestArgs, done?: (error: Error | null, socket: Duplex) => void): Duplex | null | undefined {
    // The chain is not checked (masters use self-signed certificates); the thumbprint is, and the
    // socket is handed to the request only once it matched.
    const socket = connect({ ...(options as ConnectionOptions), rejectUnauthorized: false });
    const fail = (error: Error) => {
      socket.destroy();
      done?.(error, socket);
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      socket.removeListener('error', fail);
      const seen = normalizeThumbprint(socket.getPeerCertificate().fingerprint256 ?? '');
      if (seen !== this.thumbprint) {
        fail(new MasterUnreachable(`The master at ${options.host}:${options.port} presented certificate ${seen || '(none)'}, not the pinned ${this.thumbprint} (MasterHttpsCertThumbprint).`));
        return;
      }
      done?.(null, socket);
    });
    return undefined;
  }
}

export class MasterClient {
  private readonly agent: PinnedAgent;
  private current = 0;

  constructor(private readonly options: MasterClientOptions) {
    this.agent = new PinnedAgent({ keepAlive: true, cert: options.cert, key: options.key, maxSockets: 64 }, normalizeThumbprint(options.masterThumbprint));
  }

  /** The master URL in use now. */
  get endpoint(): string {
    return this.options.endpoints[this.current]!;
  }

  register(agentId: string, body: Record<string, unknown>): Promise<AgentAnswer> {
    return this.post(`/api/v1/agents/${agentId}/register`, body);
  }

  heartbeat(agentId: string, body: Record<string, unknown>): Promise<AgentAnswer> {
    return this.post(`/api/v1/agents/${agentId}/heartbeat`, body);
  }

  async claim(agentId: string, maxTasks: number, waitMs: number, leaseMs: number, signal?: AbortSignal): Promise<Task[]> {
    const r = await this.post<{ tasks: Task[] }>(`/api/v1/agents/${agentId}/tasks:claim`, { maxTasks, waitMs, leaseMs }, { extraTimeoutMs: waitMs, signal });
    return r.tasks;
  }

  /** Reports finished attempts, then claims (tasks:exchange): one request where a busy worker would make two. */
  async exchange(agentId: string, completions: readonly Completion[], maxTasks: number, waitMs: number, leaseMs: number): Promise<{ results: CompletionResult[]; tasks: Task[] }> {
    return this.post(`/api/v1/agents/${agentId}/tasks:exchange`, { completions, maxTasks, waitMs, leaseMs }, { extraTimeoutMs: waitMs });
  }

  /** Reports finished attempts in one request (tasks:complete). */
  async completeMany(completions: readonly Completion[]): Promise<CompletionResult[]> {
    const r = await this.post<{ results: CompletionResult[] }>('/api/v1/tasks:complete', { completions });
    return r.results;
  }

  /** Renews (the first time: acknowledges) leases this worker holds, in one request. */
  async renewLeases(agentId: string, leases: readonly LeaseRef[], leaseMs: number): Promise<Renewal[]> {
    const r = await this.post<{ results: Renewal[] }>(`/api/v1/agents/${agentId}/tasks:renew`, { leases, leaseMs });
    return r.results;
  }

  /** Gives received tasks back unstarted (their attempt is not counted). */
  async releaseTasks(agentId: string, leases: readonly LeaseRef[]): Promise<Array<{ taskId: string; errorNumber: number | null }>> {
    const r = await this.post<{ results: Array<{ taskId: string; errorNumber: number | null }> }>(`/api/v1/agents/${agentId}/tasks:release`, { leases });
    return r.results;
  }

  complete(taskId: string, leaseToken: string, outcome: Outcome, errorMessage?: string): Promise<{ executionStatus: number; willRetry: boolean }> {
    return this.post(`/api/v1/tasks/${taskId}/complete`, { leaseToken, outcome, errorMessage: errorMessage?.slice(0, 4000) });
  }

  /** Appends log lines; lines with a stream and seq need no batch id (the catalog stores each number once). */
  async appendLogs(executionId: number, messages: readonly LogLine[], batchId?: string): Promise<number> {
    const r = await this.post<{ inserted: number }>(`/api/v1/executions/${executionId}/logs`, { batchId, messages });
    return r.inserted;
  }

  async fetchProject(contentHash: string): Promise<Buffer> {
    const r = await this.send('GET', `/api/v1/projects/${contentHash}`);
    return r.body;
  }

  close(): void {
    this.agent.destroy();
  }

  private async post<T>(path: string, body: unknown, options: { extraTimeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
    const r = await this.send('POST', path, Buffer.from(JSON.stringify(body)), options);
    return JSON.parse(r.body.toString('utf8')) as T;
  }

  /** One request, to each master in turn until one answers (an unreachable one or a 503 moves on). */
  private async send(method: 'GET' | 'POST', path: string, payload?: Buffer, options: { extraTimeoutMs?: number; signal?: AbortSignal } = {}): Promise<{ status: number; body: Buffer }> {
    let last: Error | undefined;
    for (let tried = 0; tried < this.options.endpoints.length; tried++) {
      try {
        const r = await this.once(this.endpoint, method, path, payload, options);
        if (r.status >= 200 && r.status < 300) return r;
        const answer = parseError(r.body);
        const error = new MasterError(r.status, answer.error, answer.message ?? `The master answered ${r.status}.`);
        if (r.status !== 503 || this.options.endpoints.length === 1) throw error;
        last = error;
      } catch (error) {
        if (error instanceof MasterError || options.signal?.aborted) throw error;
        last = error as Error;
      }
      this.current = (this.current + 1) % this.options.endpoints.length;
    }
    if (last instanceof MasterError) throw last;
    throw new MasterUnreachable(`No master answered (${this.options.endpoints.join(', ')}): ${last?.message ?? 'no endpoint'}`);
  }

  private once(endpoint: string, method: string, path: string, payload: Buffer | undefined, options: { extraTimeoutMs?: number; signal?: AbortSignal }): Promise<{ status: number; body: Buffer }> {
    const url = new URL(path, endpoint);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          signal: options.signal,
          timeout: (this.options.timeoutMs ?? 30_000) + (options.extraTimeoutMs ?? 0),
          headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer from ${endpoint} in time`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}

function parseError(body: Buffer): { error: string; message?: string } {
  try {
    const j = JSON.parse(body.toString('utf8')) as { error?: string; message?: string };
    return { error: j.error ?? 'error', message: j.message };
  } catch {
    return { error: 'error', message: body.toString('utf8').slice(0, 200) || undefined };
  }
}
