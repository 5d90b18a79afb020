/**
 * The embedded catalog's endpoint (the wire protocol a master serves PGlite on): PGlite has one
 * session for all its clients, so a notification the master listens for would reach every client;
 * only a client that LISTENs itself gets it.
 */

import { expect } from 'chai';
import pg from 'pg';
import { openCatalog } from '../../src/db/open.ts';
import { serveEmbeddedCatalog } from '../../src/db/pglite-endpoint.ts';
import type { PgliteCatalogDb } from '../../src/db/pglite.ts';
import { NotificationFilter } from '../../src/db/notification-filter.ts';
import { waitFor } from '../support/wait.ts';

/** A backend message: type, int32 length (itself and the body), body. */
function message(type: string, body: string): Buffer {
  const b = Buffer.from(body, 'latin1');
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(4 + b.length, 1);
  return Buffer.concat([header, b]);
}

describe('the embedded catalog endpoint', () => {
  it('filters notifications out of a byte stream split anywhere, and lets them through once the client LISTENs', () => {
    const filter = new NotificationFilter();
    expect(filter.filter(Buffer.from('N'))).to.deep.equal(Buffer.from('N')); // the SSL answer, before startup
    const stream = Buffer.concat([message('R', '\0\0\0\0'), message('C', 'CALL\0'), message('A', 'xxxxscaleout_tasks\0open 1\0'), message('Z', 'I')]);
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 3) out.push(filter.filter(stream.subarray(i, i + 3)));
    expect(Buffer.concat(out)).to.deep.equal(Buffer.concat([message('R', '\0\0\0\0'), message('C', 'CALL\0'), message('Z', 'I')]));
    filter.sawClientData(Buffer.from('Q\0\0\0\x19LISTEN scaleout_tasks\0'));
    expect(filter.filter(message('A', 'xxxxscaleout_tasks\0open 2\0'))).to.deep.equal(message('A', 'xxxxscaleout_tasks\0open 2\0'));
  });

  it('hands every notification it sees to the process\'s listeners, whether it keeps it from the client or lets it through', () => {
    const heard: Array<[string, string]> = [];
    const filter = new NotificationFilter((channel, payload) => heard.push([channel, payload]));
    const stream = Buffer.concat([message('R', '\0\0\0\0'), message('A', 'xxxxscaleout_tasks\0targeted 7\0'), message('Z', 'I')]);
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i += 4) out.push(filter.filter(stream.subarray(i, i + 4)));
    expect(Buffer.concat(out)).to.deep.equal(Buffer.concat([message('R', '\0\0\0\0'), message('Z', 'I')]));
    filter.sawClientData(Buffer.from('Q\0\0\0\x19LISTEN scaleout_tasks\0'));
    expect(filter.filter(message('A', 'xxxxscaleout_tasks\0open 8\0'))).to.deep.equal(message('A', 'xxxxscaleout_tasks\0open 8\0'));
    expect(heard).to.deep.equal([['scaleout_tasks', 'targeted 7'], ['scaleout_tasks', 'open 8']]);
  });

  it('a SQL client that did not LISTEN gets no notification of the master\'s channel; one that did, does; the process holding the catalog hears both', async function () {
    this.timeout(60_000);
    const db = (await openCatalog('pglite:memory:')) as PgliteCatalogDb;
    const heardByProcess: string[] = [];
    const stopListening = await db.listen!('scaleout_tasks', (payload) => heardByProcess.push(payload));
    const endpoint = await serveEmbeddedCatalog(db, undefined, 0);
    const quiet = new pg.Client({ connectionString: endpoint.url });
    const listener = new pg.Client({ connectionString: endpoint.url });
    try {
      await quiet.connect();
      await listener.connect();
      const heardByQuiet: string[] = [];
      const heardByListener: string[] = [];
      quiet.on('notification', (n) => heardByQuiet.push(String(n.payload)));
      listener.on('notification', (n) => heardByListener.push(String(n.payload)));
      await listener.query('LISTEN scaleout_tasks');
      // PGlite answers a notification within the reply to the statement that sent it: each client
      // sends its own here, as a CALL of catalog.start_execution would.
      await quiet.query("SELECT pg_notify('scaleout_tasks', 'open 1')");
      await listener.query("SELECT pg_notify('scaleout_tasks', 'open 2')");
      await waitFor('the listening client hears its notification', async () => {
        await listener.query('SELECT 1');
        return heardByListener.includes('open 2');
      }, 10_000);
      await quiet.query('SELECT 1');
      expect(heardByQuiet).to.deep.equal([]);
      expect((await quiet.query('SELECT 2 AS two')).rows[0].two).to.equal(2);
      expect(heardByProcess.sort(), 'what the endpoint\'s clients notified reaches the process').to.deep.equal(['open 1', 'open 2']);
    } finally {
      await quiet.end().catch(() => undefined);
      await listener.end().catch(() => undefined);
      await endpoint.stop();
      await stopListening();
      await db.close();
    }
  });
});
