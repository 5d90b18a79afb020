/**
 * scaleout manager: Scale Out Manager in a browser. Reads the catalog's views (src/catalog/views.ts)
 * and changes it only through catalog procedures, so the catalog's roles decide what a user may do
 * and a refused action shows its numbered error. Loopback by default; beyond loopback only with
 * credentials (HTTP basic authentication, meant behind TLS or an SSH tunnel). Forms carry a token
 * of this process, so another site's page cannot post to it.
 */

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyReply } from 'fastify';
import formbody from '@fastify/formbody';
import { CatalogError } from '../catalog/errors.ts';
import { countViewRows, readView } from '../catalog/views.ts';
import type { CatalogDb } from '../db/types.ts';
import { thumbprintOfPem } from '../tls/thumbprints.ts';
import { Html } from './html.ts';
import { addWorkerForm, layout, overviewCards, workerRows, workersPage, type PageChrome } from './pages.ts';

export interface ManagerOptions {
  readonly db: CatalogDb;
  readonly host: string;
  readonly port: number;
  /** user:password; required when host is not a loopback address. */
  readonly credentials?: string;
}

export interface RunningManager {
  readonly url: string;
  close(): Promise<void>;
}

const ASSETS = join(import.meta.dirname, 'assets');
const ASSET_TYPES: Record<string, string> = { 'manager.css': 'text/css; charset=utf-8', 'manager.js': 'text/javascript; charset=utf-8' };
const STATUS_NAMES: Readonly<Record<number, string>> = { 1: 'created', 2: 'running', 3: 'canceled', 4: 'failed', 5: 'pending', 6: 'ended unexpectedly', 7: 'succeeded', 8: 'stopping', 9: 'completed' };

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export async function startManager(o: ManagerOptions): Promise<RunningManager> {
  if (!isLoopback(o.host) && !o.credentials) {
    throw new Error(`The manager listens beyond loopback (${o.host}) only with credentials: give --credentials-file (user:password).`);
  }
  const token = randomBytes(24).toString('hex');
  const app = Fastify({ logger: false });
  await app.register(formbody);

  if (o.credentials) {
    const expected = Buffer.from(`Basic ${Buffer.from(o.credentials).toString('base64')}`);
    app.addHook('onRequest', async (request, reply) => {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        await reply.code(401).header('www-authenticate', 'Basic realm="Scale Out Manager"').send('Credentials required.');
      }
    });
  }

  const chrome = (title: string, current: PageChrome['current'], extra: Partial<PageChrome> = {}): PageChrome => ({ title, current, catalog: o.db.description, ...extra });
  const send = (reply: FastifyReply, page: Html, status = 200) => reply.code(status).type('text/html; charset=utf-8').send(page.text);
  const refused = (error: unknown) => (error instanceof CatalogError ? { number: error.number, message: error.message } : undefined);

  const renderWorkers = async () => {
    const [workers, counters] = await Promise.all([
      readView(o.db, 'worker_agents', { orderBy: [{ column: 'DisplayName' }] }),
      readView(o.db, 'worker_agent_perfcounter'),
    ]);
    return workerRows(workers, counters, token);
  };

  app.get('/', async (_request, reply) => {
    const [masters, workers, executionsByStatus] = await Promise.all([
      readView(o.db, 'masters', { orderBy: [{ column: 'MachineName' }] }),
      readView(o.db, 'worker_agents'),
      countViewRows(o.db, 'executions', 'status', { range: { created_time: { from: new Date(Date.now() - 86_400_000) } } }),
    ]);
    return send(reply, layout(chrome('Overview', 'overview'), overviewCards({ masters, workers, executionsByStatus, statusNames: STATUS_NAMES })));
  });

  app.get('/workers', async (request, reply) => {
    const q = request.query as { done?: string };
    return send(reply, layout(chrome('Workers', 'workers', q.done ? { notice: q.done } : {}), workersPage(await renderWorkers())));
  });
  app.get('/workers/rows', async (_request, reply) => send(reply, await renderWorkers()));

  /** A POST from one of this process's forms, or nothing. */
  const fromOurForm = (body: unknown) => typeof (body as { _token?: unknown })?._token === 'string' && (body as { _token: string })._token === token;

  app.post('/workers/:id/:action', async (request, reply) => {
    const { id, action } = request.params as { id: string; action: string };
    if (!fromOurForm(request.body)) return reply.code(403).send('This form did not come from this manager.');
    const procedure = action === 'enable' ? 'catalog.enable_worker_agent' : action === 'disable' ? 'catalog.disable_worker_agent' : undefined;
    if (!procedure) return reply.code(404).send('No such action.');
    try {
      await o.db.call(procedure, { WorkerAgentId: id });
      return reply.redirect(`/workers?done=${encodeURIComponent(`Worker ${id} ${action}d.`)}`, 303);
    } catch (error) {
      const e = refused(error);
      if (!e) throw error;
      return send(reply, layout(chrome('Workers', 'workers', { error: e }), workersPage(await renderWorkers())), (error as CatalogError).httpStatus);
    }
  });

  app.get('/workers/add', async (_request, reply) => send(reply, layout(chrome('Add a worker', 'workers'), addWorkerForm(token))));
  app.post('/workers/add', async (request, reply) => {
    const body = request.body as { certificate?: string; id?: string; name?: string; confirm?: string; thumbprint?: string };
    if (!fromOurForm(body)) return reply.code(403).send('This form did not come from this manager.');
    const values = { certificate: body.certificate ?? '', id: (body.id ?? '').trim(), name: (body.name ?? '').trim() };
    let thumbprint: string;
    try {
      thumbprint = thumbprintOfPem(values.certificate);
    } catch (error) {
      const e = { number: 51001, message: `The certificate is not accepted: ${(error as Error).message}. Paste the worker's certificate file (PEM, -----BEGIN CERTIFICATE-----).` };
      return send(reply, layout(chrome('Add a worker', 'workers', { error: e }), addWorkerForm(token, values)), 400);
    }
    if (body.confirm !== 'yes' || body.thumbprint !== thumbprint) {
      return send(reply, layout(chrome('Add a worker', 'workers'), addWorkerForm(token, { ...values, thumbprint })));
    }
    try {
      await o.db.call('catalog.add_worker_agent', { WorkerAgentId: values.id, CertificateThumbprint: thumbprint, DisplayName: values.name || undefined, IsEnabled: 1 });
      return reply.redirect(`/workers?done=${encodeURIComponent(`Worker ${values.name || values.id} trusted and enabled.`)}`, 303);
    } catch (error) {
      const e = refused(error);
      if (!e) throw error;
      return send(reply, layout(chrome('Add a worker', 'workers', { error: e }), addWorkerForm(token, { ...values, thumbprint })), (error as CatalogError).httpStatus);
    }
  });

  app.get('/assets/:file', async (request, reply) => {
    const { file } = request.params as { file: string };
    const type = ASSET_TYPES[file];
    if (!type) return reply.code(404).send('Not found.');
    return reply.type(type).header('cache-control', 'max-age=3600').send(readFileSync(join(ASSETS, file)));
  });

  await app.listen({ host: o.host, port: o.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const shownHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  return { url: `http://${shownHost}:${port}/`, close: () => app.close() };
}
