/**
 * The embedded catalog: PGlite (PostgreSQL compiled to WebAssembly) in this process, stored in a
 * data folder. One connection; statements are serialised through a mutex so a session (a
 * migration, a lock) never interleaves with other callers.
 */

import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { pgcrypto } from '@electric-sql/pglite/contrib/pgcrypto';
import { AsyncMutex } from './async-mutex.ts';
import { PostgresFamilyDb } from './postgres-base.ts';
import { acquireFolderLock, type FolderLock } from './folder-lock.ts';
import type { CatalogDb, Row, Session } from './types.ts';

export class PgliteCatalogDb extends PostgresFamilyDb implements CatalogDb {
  readonly backend = 'pglite' as const;
  readonly capabilities = { multiConnection: false, listenNotify: true };
  readonly description: string;
  private readonly mutex = new AsyncMutex();

  private constructor(
    readonly pglite: PGlite,
    private readonly lock: FolderLock | undefined,
    description: string,
  ) {
    super();
    this.description = description;
  }

  static async open(dataDir: string | undefined, description: string): Promise<PgliteCatalogDb> {
    let lock: FolderLock | undefined;
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true });
      lock = acquireFolderLock(dataDir);
    }
    try {
      // pgcrypto encrypts sensitive values at rest (migration 0006).
      const pglite = new PGlite({ dataDir, extensions: { pgcrypto } });
      await pglite.waitReady;
      return new PgliteCatalogDb(pglite, lock, description);
    } catch (error) {
      lock?.release();
      throw error;
    }
  }

  protected run(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.mutex.run(async () => {
      await this.outsideForeignTransaction();
      return this.runNow(sql, params);
    });
  }

  /**
   * PGlite is one session. While a SQL client connected through the wire-protocol endpoint is in
   * the middle of a transaction, a statement of ours would run inside it: wait for it to end.
   */
  private async outsideForeignTransaction(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (this.pglite.isInTransaction()) {
      if (Date.now() > deadline) throw new Error('Connection terminated: a SQL client has held a transaction on the embedded catalog for 30 s.');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private async runNow(sql: string, params: readonly unknown[]): Promise<Row[]> {
    const result = await this.pglite.query<Row>(sql, params as unknown[]);
    return result.rows;
  }

  withSession<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      await this.outsideForeignTransaction();
      return fn({
        query: (sql, params = []) => this.runNow(sql, params),
        batch: async (sql) => {
          await this.pglite.exec(sql);
        },
      });
    });
  }

  private closed = false;

  /** This process's listeners, by channel: they also hear what the endpoint's clients notify. */
  private readonly listeners = new Map<string, Set<(payload: string) => void>>();

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const unlisten = await this.pglite.listen(channel, onNotify);
    const key = channel.toLowerCase();
    const set = this.listeners.get(key) ?? new Set();
    set.add(onNotify);
    this.listeners.set(key, set);
    return async () => {
      set.delete(onNotify);
      if (!this.closed) await unlisten();
    };
  }

  /**
   * A notification a client of the wire-protocol endpoint raised: PGlite returns it in that
   * client's byte stream only, so the endpoint hands it here for this process's listeners.
   */
  deliverNotification(channel: string, payload: string): void {
    for (const onNotify of this.listeners.get(channel.toLowerCase()) ?? []) onNotify(payload);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.mutex.run(() => this.pglite.close());
    } finally {
      this.lock?.release();
    }
  }
}
