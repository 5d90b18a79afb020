/**
 * Which driver errors are transient, and whether repeating the call is safe.
 *
 * "rolledBack": the server rolled the statement back (deadlock victim, serialization failure) or
 * never received it (connection refused, server starting up) — repeating it is always safe.
 * "connection": the connection broke; the call may or may not have committed — repeat it only
 * when the caller says the call is idempotent.
 */

export type TransientKind = 'rolledBack' | 'connection';

// SQL Server: deadlock victim, lock request time-outs in snapshot conflicts, Azure SQL / Always On
// failover and throttling numbers (the set the SqlClient retry logic treats as transient).
const MSSQL_ROLLED_BACK = new Set([1205, 3960, 41302, 41305, 41325, 41301, 41839]);
const MSSQL_CONNECTION = new Set([
  -2, 20, 64, 233, 976, 978, 983, 4060, 4221, 10053, 10054, 10060, 10928, 10929, 40143, 40197, 40501, 40540,
  40613, 42108, 42109, 49918, 49919, 49920,
]);
// Nothing reached the server: always safe to repeat.
const NODE_NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EINSTLOOKUP']);
const NODE_NET_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ESOCKET', 'ECONNCLOSED', 'ETIMEOUT', 'ECLOSE']);

interface ErrorLike {
  code?: unknown;
  number?: unknown;
  message?: unknown;
  originalError?: unknown;
}

export function transientKind(error: unknown): TransientKind | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as ErrorLike;
  if (typeof e.number === 'number') {
    if (MSSQL_ROLLED_BACK.has(e.number)) return 'rolledBack';
    if (MSSQL_CONNECTION.has(e.number)) return 'connection';
  }
  if (typeof e.code === 'string') {
    // PostgreSQL: serialization failure, deadlock: rolled back by the server.
    if (e.code === '40001' || e.code === '40P01') return 'rolledBack';
    // Server shutting down, cannot connect now, connection exceptions, read-only after failover.
    // Cannot connect now (starting up), read-only transaction after a failover: nothing ran.
    if (e.code === '57P03' || e.code === '25006' || NODE_NOT_SENT.has(e.code)) return 'rolledBack';
    // Server shutting down, connection exceptions.
    if (e.code === '57P01' || e.code === '57P02' || e.code.startsWith('08')) return 'connection';
    if (NODE_NET_CODES.has(e.code)) return 'connection';
  }
  if (typeof e.message === 'string' && /Connection terminated|connection is closed|Client has encountered a connection error|socket hang up/i.test(e.message)) {
    return 'connection';
  }
  if (e.originalError && e.originalError !== error) return transientKind(e.originalError);
  return undefined;
}

export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 100, maxDelayMs: 3000 };

/** Runs fn, repeating it with jittered exponential backoff while the error is transient and repeating is safe. */
export async function withRetry<T>(
  fn: () => Promise<T>,
  options: { idempotent: boolean; policy?: RetryPolicy; onRetry?: (error: unknown, attempt: number) => void },
): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const kind = transientKind(error);
      const safe = kind === 'rolledBack' || (kind === 'connection' && options.idempotent);
      if (!safe || attempt >= policy.attempts) throw error;
      options.onRetry?.(error, attempt);
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      await new Promise((resolve) => setTimeout(resolve, ceiling / 2 + Math.random() * (ceiling / 2)));
    }
  }
}
