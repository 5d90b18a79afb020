/**
 * PostgreSQL through node-postgres. node-postgres takes one host, so a multi-host URL is handled
 * here as libpq does: hosts are tried in order and, with target_session_attrs=read-write, a host
 * in recovery (a standby) is passed over. A broken connection or a read-only error drops the pool
 * and the next call looks for the writable host again — which is how a failover is followed.
 */

import pg from 'pg';
import { PostgresFamilyDb } from './postgres-base.ts';
import { transientKind } from './transient.ts';
import type { CatalogDb, Row, Session } from './types.ts';

export interface PgOptions {
  readonly hostUrls: readonly string[];
  readonly readWrite: boolean;
  readonly description: string;
  readonly poolSize?: number;
  readonly connectTimeoutMs?: number;
}

/** int8 as a JS number when it fits (ids, counts), as a string otherwise — the same as the other backends. */
function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

const typeParsers = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20) return parseInt8;
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export class PgCatalogDb extends PostgresFamilyDb implements CatalogDb {
  readonly backend = 'pg' as const;
  readonly capabilities = { multiConnection: true, listenNotify: true };
  readonly description: string;
  private pool: pg.Pool | undefined;
  private picking: Promise<pg.Pool> | undefined;
  private closed = false;

  constructor(private readonly options: PgOptions) {
    super();
    this.description = options.description;
  }

  /** The pool of the host currently chosen (finding it first if needed). */
  async currentPool(): Promise<pg.Pool> {
    if (this.closed) throw new Error(`The catalog connection to ${this.description} is closed.`);
    if (this.pool) return this.pool;
    this.picking ??= this.pickHost().finally(() => (this.picking = undefined));
    return this.picking;
  }

  /** The host URL in use, for LISTEN connections that must follow the pool. */
  currentHostUrl: string | undefined;

  private async pickHost(): Promise<pg.Pool> {
    const { hostUrls, readWrite } = this.options;
    let lastError: unknown;
    for (const url of hostUrls) {
      if (hostUrls.length > 1 || readWrite) {
        const probe = new pg.Client(this.clientConfig(url));
        try {
          await probe.connect();
          if (readWrite) {
            const r = await probe.query<{ standby: boolean }>('SELECT pg_catalog.pg_is_in_recovery() AS standby');
            if (r.rows[0]?.standby) {
              lastError = new Error(`${redactHost(url)} is a standby (read-only)`);
              continue;
            }
          }
        } catch (error) {
          lastError = error;
          continue;
        } finally {
          await probe.end().catch(() => undefined);
        }
      }
      const pool = new pg.Pool({ ...this.clientConfig(url), max: this.options.poolSize ?? 10 });
      pool.on('error', () => {
        // An idle client lost its connection; the pool replaces it on next use.
      });
      this.pool = pool;
      this.currentHostUrl = url;
      return pool;
    }
    throw lastError ?? new Error('No PostgreSQL host is reachable.');
  }

  clientConfig(url: string): pg.ClientConfig {
    return {
      connectionString: url,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 15000,
      types: typeParsers,
      application_name: 'scaleout',
    };
  }

  /** Drops the pool after a connection-level failure so that the next call finds the writable host again. */
  private invalidate(pool: pg.Pool): void {
    if (this.pool !== pool) return;
    this.pool = undefined;
    this.currentHostUrl = undefined;
    pool.end().catch(() => undefined);
  }

  protected async run(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const pool = await this.currentPool();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      if (transientKind(error) === 'connection') this.invalidate(pool);
      throw error;
    }
    let keep = true;
    // A checked-out client reports its connection's end as an 'error' event as well as failing the
    // query; with no listener that event would end the process (pool.query() listened for it).
    const broke = () => {
      keep = false;
    };
    client.on('error', broke);
    try {
      const result = await client.query<Row>(sql, params as unknown[]);
      return result.rows;
    } catch (error) {
      if (transientKind(error) === 'connection' || (error as { code?: string }).code === '25006') this.invalidate(pool);
      // A refused call (a numbered catalog error, a constraint) leaves its connection idle and
      // usable: it goes back to the pool. pool.query() dropped the connection on any error, so each
      // refusal cost a new server session (~9 ms here, its functions compiled and plans made again).
      // One that broke, or is left inside a transaction, is dropped.
      keep &&= client.getTransactionStatus() === 'I' && transientKind(error) === undefined;
      throw error;
    } finally {
      client.off('error', broke);
      client.release(!keep);
    }
  }

  async withSession<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    const pool = await this.currentPool();
    const client = await pool.connect();
    let failed = false;
    // The connection's end comes as an 'error' event too: listened for, so that it fails the
    // session's statement instead of the process.
    const broke = () => {
      failed = true;
    };
    client.on('error', broke);
    try {
      return await fn({
        query: async (sql, params = []) => (await client.query<Row>(sql, params as unknown[])).rows,
        batch: async (sql) => {
          await client.query(sql);
        },
      });
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // A session that failed may hold session state (locks, an open transaction): never reuse it.
      client.off('error', broke);
      client.release(failed);
    }
  }

  /**
   * LISTEN on a dedicated connection to the current host, re-established after any failure — by
   * one retry chain at a time: a failed attempt never schedules a second one beside it.
   */
  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    let stopped = false;
    let client: pg.Client | undefined;
    let retry: NodeJS.Timeout | undefined;
    const schedule = (ms: number) => {
      if (stopped || this.closed || retry) return;
      retry = setTimeout(() => {
        retry = undefined;
        void connect();
      }, ms);
    };
    const connect = async (): Promise<void> => {
      if (stopped || this.closed) return;
      let c: pg.Client | undefined;
      try {
        await this.currentPool();
        c = new pg.Client(this.clientConfig(this.currentHostUrl!));
        c.on('notification', (n) => onNotify(n.payload ?? ''));
        c.on('error', () => undefined);
        await c.connect();
        await c.query(`LISTEN ${quoteChannel(channel)}`);
        if (stopped) {
          await c.end().catch(() => undefined);
          return;
        }
        const established = c;
        client = established;
        established.on('end', () => {
          if (client !== established) return;
          client = undefined;
          onNotify(''); // wake waiters: notifications may have been missed while disconnected
          schedule(500);
        });
        onNotify('');
      } catch {
        await c?.end().catch(() => undefined);
        schedule(1000);
      }
    };
    await connect();
    return async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = undefined;
      await c?.end().catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool ?? (await this.picking?.catch(() => undefined));
    this.pool = undefined;
    await pool?.end();
  }
}

function quoteChannel(channel: string): string {
  return `"${channel.replace(/"/g, '""')}"`;
}

function redactHost(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
