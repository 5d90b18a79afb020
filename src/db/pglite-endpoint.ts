/**
 * While a process holds the embedded catalog, SQL clients reach it through that process: PGlite
 * is served with the PostgreSQL wire protocol on a loopback port (pglite-socket), and the address
 * is written next to the lock file, so that `scaleout` commands, psql or a worker's log writer
 * find it. PGlite has no authentication: the port is bound to 127.0.0.1 only.
 */

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server as NetServer, Socket } from 'node:net';
import { join } from 'node:path';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { NotificationFilter } from './notification-filter.ts';
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
  // Before pglite-socket's handler (set up on the next turn) writes anything to a new connection,
  // its writes go through a filter that keeps notifications for the clients that LISTEN, and hands
  // each one to this process's own listeners (a start made with psql wakes the master's claims).
  (server as unknown as { server: NetServer }).server.on('connection', (socket: Socket) => {
    const notifications = new NotificationFilter((channel, payload) => db.deliverNotification(channel, payload));
    socket.on('data', (chunk: Buffer) => notifications.sawClientData(chunk));
    const write = socket.write.bind(socket) as (data: Uint8Array, callback?: (error?: Error | null) => void) => boolean;
    socket.write = ((data: Uint8Array | string, ...rest: unknown[]) => {
      const callback = rest.find((x): x is (error?: Error | null) => void => typeof x === 'function');
      const kept = notifications.filter(typeof data === 'string' ? Buffer.from(data) : data);
      if (kept.length === 0) {
        if (callback) queueMicrotask(() => callback(null));
        return true;
      }
      return write(kept, callback);
    }) as typeof socket.write;
  });
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
