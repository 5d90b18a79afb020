/**
 * While a process holds the embedded catalog, SQL clients reach it through that process: PGlite
 * is served with the PostgreSQL wire protocol on a loopback port (pglite-socket), and the address
 * is written next to the lock file, so that `scaleout` commands, psql or a worker's log writer
 * find it. PGlite has no authentication: the port is bound to 127.0.0.1 only.
 */

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { PgliteCatalogDb } from './pglite.ts';

const ENDPOINT_FILE = 'scaleout.endpoint';

export interface EmbeddedEndpoint {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Serves the catalog on 127.0.0.1:port (0: any free port) and records the address in its folder. */
export async function serveEmbeddedCatalog(db: PgliteCatalogDb, dataDir: string | undefined, port: number): Promise<EmbeddedEndpoint> {
  const server = new PGLiteSocketServer({ db: db.pglite, host: '127.0.0.1', port, maxConnections: 32 });
  await server.start();
  const actual = Number((server as unknown as { port: number }).port);
  const url = `postgres://postgres@127.0.0.1:${actual}/postgres`;
  const file = dataDir ? join(dataDir, ENDPOINT_FILE) : undefined;
  if (file) writeFileSync(file, `${url}\n`);
  return {
    url,
    port: actual,
    stop: async () => {
      if (file) rmSync(file, { force: true });
      await server.stop();
    },
  };
}

/** The address a live process serves the catalog in this folder on, if any. */
export function embeddedEndpointOf(dataDir: string): string | undefined {
  const file = join(dataDir, ENDPOINT_FILE);
  if (!existsSync(file)) return undefined;
  const url = readFileSync(file, 'utf8').trim();
  return /^postgres:\/\/[^\s]+$/.test(url) ? url : undefined;
}
