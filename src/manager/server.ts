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
import { CatalogError, invalidArgumentText } from '../catalog/errors.ts';
import { MAX_EXECUTIONS_PER_CALL, startExecutions } from '../catalog/start-executions.ts';
import { ENDED_STATUSES, EXECUTION_STATUS, MESSAGE_TYPE } from '../catalog/codes.ts';
import { countViewRows, readView } from '../catalog/views.ts';
import type { CatalogDb } from '../db/types.ts';
import { thumbprintOfPem } from '../tls/thumbprints.ts';
import { Html } from './html.ts';
import { addWorkerForm, attemptRows, catalogPage, editWorkerPage, executionPage, executionSummary, executionRows, executionsPage, layout, messageRows, overviewCards, projectPage, projectsPage, workerRows, workersPage, type ExecutionFilters, type PageChrome } from './pages.ts';
import type { Logger } from '../log/logger.ts';

export interface ManagerOptions {
  readonly db: CatalogDb;
  readonly host: string;
  readonly port: number;
  /** user:password; required when host is not a loopback address. */
  readonly credentials?: string;
  /** Where a request that failed (500) is told, with its method, path and error. */
  readonly log?: Logger;
}

export interface RunningManager {
  readonly url: string;
  close(): Promise<void>;
}

const ASSETS = join(import.meta.dirname, 'assets');
const ASSET_TYPES: Record<string, string> = { 'manager.css': 'text/css; charset=utf-8', 'manager.js': 'text/javascript; charset=utf-8' };

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
  // The pages answer a failure with its numbered message; the operator's log gets the request too.
  app.addHook('onError', async (request, reply, error) => {
    o.log?.error('request failed', { method: request.method, path: request.url.split('?')[0], status: reply.statusCode, error });
  });

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

  const overview = async () => {
    const [masters, workers, executionsByStatus, pending, endedLastMinute, now] = await Promise.all([
      readView(o.db, 'masters', { orderBy: [{ column: 'MachineName' }] }),
      readView(o.db, 'worker_agents'),
      countViewRows(o.db, 'executions', 'status', { range: { created_time: { from: new Date(Date.now() - 86_400_000) } } }),
      readView(o.db, 'executions', { where: { status: 5 }, orderBy: [{ column: 'execution_id' }], limit: 1 }),
      countViewRows(o.db, 'executions', 'status', { range: { end_time: { from: new Date(Date.now() - 60_000) } } }),
      // The queue now: waiting for a worker (pending), running, stopping — whenever they were created.
      countViewRows(o.db, 'executions', 'status', { where: { status: [5, 2, 8] } }),
    ]);
    const ended = [...endedLastMinute.values()].reduce((a, n) => a + n, 0);
    return overviewCards({ masters, workers, executionsByStatus, statusNames: EXECUTION_STATUS, endedLastMinute: ended, queueNow: now, ...(pending[0] ? { oldestPending: pending[0] } : {}) });
  };
  app.get('/', async (_request, reply) => send(reply, layout(chrome('Overview', 'overview'), new Html(`<div data-live="/overview">${(await overview()).text}</div>`))));
  app.get('/overview', async (_request, reply) => send(reply, await overview()));

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

  const workerPage = async (id: string, reply: FastifyReply, extra: Partial<PageChrome> = {}, status = 200) => {
    const [w] = /^[0-9a-fA-F-]{36}$/.test(id) ? await readView(o.db, 'worker_agents', { where: { WorkerAgentId: id } }) : [];
    if (!w) return send(reply, layout(chrome('Worker', 'workers', { error: { number: 51101, message: `The worker agent ${id} does not exist.` } }), new Html('')), 404);
    return send(reply, layout(chrome(`Worker ${String(w.DisplayName ?? id)}`, 'workers', extra), editWorkerPage(w, token)), status);
  };
  app.get('/workers/:id/edit', async (request, reply) => workerPage((request.params as { id: string }).id, reply));
  app.post('/workers/:id/edit', async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = (request.body ?? {}) as Record<string, string | undefined>;
    if (!fromOurForm(body)) return reply.code(403).send('This form did not come from this manager.');
    const [w] = /^[0-9a-fA-F-]{36}$/.test(id) ? await readView(o.db, 'worker_agents', { where: { WorkerAgentId: id } }) : [];
    try {
      for (const property of ['DisplayName', 'Description', 'Tags', 'MaxTaskCount']) {
        const given = body[property];
        if (given === undefined || (w && given === String(w[property] ?? ''))) continue;
        await o.db.call('catalog.set_worker_agent_property', { WorkerAgentId: id, PropertyName: property, PropertyValue: given });
      }
      return reply.redirect(`/workers?done=${encodeURIComponent(`Worker ${body.DisplayName || id} saved.`)}`, 303);
    } catch (error) {
      const e = refused(error);
      if (!e) throw error;
      return workerPage(id, reply, { error: e }, (error as CatalogError).httpStatus);
    }
  });
  app.post('/workers/:id/delete', async (request, reply) => {
    const { id } = request.params as { id: string };
    const body = (request.body ?? {}) as Record<string, string | undefined>;
    if (!fromOurForm(body)) return reply.code(403).send('This form did not come from this manager.');
    try {
      await o.db.call('catalog.delete_worker_agent', { WorkerAgentId: id, Force: body.force === '1' ? 1 : 0 });
      return reply.redirect(`/workers?done=${encodeURIComponent(`Worker ${id} deleted.`)}`, 303);
    } catch (error) {
      const e = refused(error);
      if (!e) throw error;
      return workerPage(id, reply, { error: e }, (error as CatalogError).httpStatus);
    }
  });

  // ---- catalog: properties and the procedures that set them
  const renderCatalog = async (reply: FastifyReply, extra: Partial<PageChrome> = {}, status = 200) => {
    const [catalogProperties, masterProperties] = await Promise.all([
      readView(o.db, 'catalog_properties', { orderBy: [{ column: 'property_name' }] }),
      readView(o.db, 'master_properties', { orderBy: [{ column: 'property_name' }] }),
    ]);
    return send(reply, layout(chrome('Catalog', 'catalog', extra), catalogPage(catalogProperties, masterProperties, token)), status);
  };
  app.get('/catalog', async (request, reply) => {
    const q = request.query as { done?: string };
    return renderCatalog(reply, q.done ? { notice: q.done } : {});
  });
  const catalogAction = (path: string, call: (body: Record<string, string | undefined>) => Promise<unknown>, done: string) =>
    app.post(path, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, string | undefined>;
      if (!fromOurForm(body)) return reply.code(403).send('This form did not come from this manager.');
      try {
        await call(body);
        return reply.redirect(`/catalog?done=${encodeURIComponent(done)}`, 303);
      } catch (error) {
        const e = refused(error);
        if (!e) throw error;
        return renderCatalog(reply, { error: e }, (error as CatalogError).httpStatus);
      }
    });
  catalogAction('/catalog/configure', (b) => o.db.call('catalog.configure_catalog', { property_name: b.property, property_value: b.value }), 'Catalog property set.');
  catalogAction('/catalog/master-address', (b) => o.db.call('catalog.update_master_address', { MasterAddress: b.address }), 'Master address updated.');
  catalogAction('/catalog/logdb', (b) => o.db.call('catalog.update_logdb_info', { server_name: b.server, connection_string: b.connection }), 'Execution log database updated.');

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

  // ---- executions (SSMS's All Executions report)
  const PAGE = 50;
  const filtersOf = (query: unknown): ExecutionFilters => {
    const q = (query ?? {}) as Record<string, string | undefined>;
    const text = (v: string | undefined) => (v && v.trim() ? v.trim() : undefined);
    const status = q.status && /^\d$/.test(q.status) && EXECUTION_STATUS[Number(q.status)] ? Number(q.status) : undefined;
    const page = q.page && /^\d{1,6}$/.test(q.page) ? Number(q.page) : 0;
    const day = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? v : undefined);
    const worker = text(q.worker) && /^[0-9a-fA-F-]{36}$/.test(text(q.worker)!) ? text(q.worker)!.toLowerCase() : undefined;
    return {
      ...(text(q.folder) ? { folder: text(q.folder) } : {}), ...(text(q.project) ? { project: text(q.project) } : {}), ...(text(q.package) ? { package: text(q.package) } : {}),
      ...(status === undefined ? {} : { status }), ...(worker ? { worker } : {}), ...(day(q.from) ? { from: day(q.from) } : {}), ...(day(q.to) ? { to: day(q.to) } : {}), page,
    };
  };
  const executionList = async (f: ExecutionFilters) => {
    const rows = await readView(o.db, 'executions', {
      where: { folder_name: f.folder, project_name: f.project, package_name: f.package, status: f.status, worker_agent_id: f.worker },
      range: { created_time: { from: f.from ? new Date(`${f.from}T00:00:00Z`) : undefined, to: f.to ? new Date(Date.parse(`${f.to}T00:00:00Z`) + 86_400_000) : undefined } },
      orderBy: [{ column: 'execution_id', desc: true }],
      limit: PAGE + 1,
      offset: f.page * PAGE,
    });
    return { rows: rows.slice(0, PAGE), more: rows.length > PAGE };
  };
  app.get('/executions', async (request, reply) => {
    const f = filtersOf(request.query);
    const { rows, more } = await executionList(f);
    const q = request.query as { done?: string };
    return send(reply, layout(chrome('Executions', 'executions', q.done ? { notice: q.done } : {}), executionsPage(f, executionRows(rows, EXECUTION_STATUS), more, EXECUTION_STATUS)));
  });
  app.get('/executions/rows', async (request, reply) => send(reply, executionRows((await executionList(filtersOf(request.query))).rows, EXECUTION_STATUS)));

  const numericId = (params: unknown) => {
    const id = (params as { id?: string }).id ?? '';
    return /^\d{1,18}$/.test(id) ? Number(id) : undefined;
  };
  const messageType = (query: unknown) => {
    const t = (query as { type?: string }).type;
    return t && /^\d{1,3}$/.test(t) ? Number(t) : undefined;
  };
  const lastMessages = async (id: number, type: number | undefined) =>
    (await readView(o.db, 'operation_messages', { where: { operation_id: id, message_type: type }, orderBy: [{ column: 'operation_message_id', desc: true }], limit: 500 })).reverse();
  const renderExecution = async (id: number, query: unknown, extra: Partial<PageChrome> = {}, status = 200, reply: FastifyReply) => {
    const [execution] = await readView(o.db, 'executions', { where: { execution_id: id } });
    if (!execution) {
      return send(reply, layout(chrome(`Execution ${id}`, 'executions', { error: { number: 51106, message: `The execution ${id} does not exist.` } }), new Html('')), 404);
    }
    const type = messageType(query);
    const [parameters, messages, history] = await Promise.all([
      readView(o.db, 'execution_parameter_values', { where: { execution_id: id }, orderBy: [{ column: 'object_type' }, { column: 'parameter_name' }] }),
      lastMessages(id, type),
      // The package's recent ended runs, for its duration history.
      readView(o.db, 'executions', {
        where: { folder_name: execution.folder_name, project_name: execution.project_name, package_name: execution.package_name, status: [...ENDED_STATUSES] },
        orderBy: [{ column: 'execution_id', desc: true }],
        limit: 30,
      }),
    ]);
    const page = executionPage(execution, parameters, messageRows(messages, MESSAGE_TYPE), token, EXECUTION_STATUS, ENDED_STATUSES.has(Number(execution.status)), type, MESSAGE_TYPE, history, attemptRows(await attemptsOf(id)));
    return send(reply, layout(chrome(`Execution ${id}`, 'executions', extra), page), status);
  };
  app.get('/executions/:id', async (request, reply) => {
    const id = numericId(request.params);
    if (id === undefined) return reply.code(404).send('Not found.');
    const q = request.query as { done?: string };
    return renderExecution(id, request.query, q.done ? { notice: q.done } : {}, 200, reply);
  });
  app.get('/executions/:id/summary', async (request, reply) => {
    const id = numericId(request.params);
    const [execution] = id === undefined ? [] : await readView(o.db, 'executions', { where: { execution_id: id } });
    if (!execution) return reply.code(404).send('Not found.');
    return send(reply, executionSummary(execution, EXECUTION_STATUS));
  });
  const attemptsOf = (id: number) => readView(o.db, 'execution_attempts', { where: { execution_id: id }, orderBy: [{ column: 'attempt' }] });
  app.get('/executions/:id/attempts', async (request, reply) => {
    const id = numericId(request.params);
    if (id === undefined) return reply.code(404).send('Not found.');
    return send(reply, attemptRows(await attemptsOf(id)));
  });
  app.get('/executions/:id/messages', async (request, reply) => {
    const id = numericId(request.params);
    if (id === undefined) return reply.code(404).send('Not found.');
    return send(reply, messageRows(await lastMessages(id, messageType(request.query)), MESSAGE_TYPE));
  });
  app.post('/executions/:id/stop', async (request, reply) => {
    const id = numericId(request.params);
    if (id === undefined) return reply.code(404).send('Not found.');
    if (!fromOurForm(request.body)) return reply.code(403).send('This form did not come from this manager.');
    try {
      await o.db.call('catalog.stop_operation', { operation_id: id });
      return reply.redirect(`/executions/${id}?done=${encodeURIComponent(`Execution ${id}: stop requested.`)}`, 303);
    } catch (error) {
      const e = refused(error);
      if (!e) throw error;
      return renderExecution(id, {}, { error: e }, (error as CatalogError).httpStatus, reply);
    }
  });

  // ---- projects: what is deployed, and running a package with parameter values
  app.get('/projects', async (_request, reply) => {
    const [folders, projects] = await Promise.all([
      readView(o.db, 'folders', { orderBy: [{ column: 'name' }] }),
      readView(o.db, 'projects', { orderBy: [{ column: 'name' }] }),
    ]);
    return send(reply, layout(chrome('Projects', 'projects'), projectsPage(folders, projects)));
  });
  const renderProject = async (projectId: number, reply: FastifyReply, extra: Partial<PageChrome> = {}, status = 200) => {
    const [project] = await readView(o.db, 'projects', { where: { project_id: projectId } });
    if (!project) return send(reply, layout(chrome('Project', 'projects', { error: { number: 51104, message: `The project ${projectId} does not exist.` } }), new Html('')), 404);
    const [folders, packages, parameters, versions, references] = await Promise.all([
      readView(o.db, 'folders', { where: { folder_id: project.folder_id } }),
      readView(o.db, 'packages', { where: { project_id: projectId }, orderBy: [{ column: 'name' }] }),
      readView(o.db, 'object_parameters', { where: { project_id: projectId }, orderBy: [{ column: 'object_type' }, { column: 'parameter_name' }] }),
      readView(o.db, 'object_versions', { where: { object_id: projectId, object_type: 20 }, orderBy: [{ column: 'object_version_lsn', desc: true }], limit: 50 }),
      readView(o.db, 'environment_references', { where: { project_id: projectId }, orderBy: [{ column: 'reference_id' }] }),
    ]);
    const folder = String(folders[0]?.name ?? '');
    return send(reply, layout(chrome(`Project ${project.name}`, 'projects', extra), projectPage(project, folder, packages, parameters, token, versions, references)), status);
  };
  app.get('/projects/:id', async (request, reply) => {
    const id = numericId(request.params);
    if (id === undefined) return reply.code(404).send('Not found.');
    return renderProject(id, reply);
  });
  app.post('/projects/:id/run', async (request, reply) => {
    const projectId = numericId(request.params);
    if (projectId === undefined) return reply.code(404).send('Not found.');
    const body = (request.body ?? {}) as Record<string, string | undefined>;
    if (!fromOurForm(body)) return reply.code(403).send('This form did not come from this manager.');
    const [project] = await readView(o.db, 'projects', { where: { project_id: projectId } });
    if (!project) return renderProject(projectId, reply);
    const [folder] = await readView(o.db, 'folders', { where: { folder_id: project.folder_id } });
    const parameters = await readView(o.db, 'object_parameters', { where: { project_id: projectId } });
    const worker = (body.worker ?? '').trim();
    const retry = /^\d{1,3}$/.test((body.retry ?? '0').trim()) ? Number(body.retry) : 0;
    const changed = parameters.filter((p) => {
      const type = Number(p.object_type);
      if (type === 30 && p.object_name !== body.package) return false;
      const given = body[`p${type}:${String(p.parameter_name)}`];
      const sensitive = p.sensitive === true || p.sensitive === 1;
      // Only values that differ from the default are set: the execution keeps the rest as deployed.
      return !(given === undefined || (sensitive && given === '') || (!sensitive && given === String(p.default_value ?? '')));
    });
    try {
      const runs = (body.runs ?? '1').trim() || '1';
      if (runs !== '1') {
        // Several runs: one catalog.start_executions call, all or none.
        if (!/^\d{1,5}$/.test(runs) || Number(runs) < 1 || Number(runs) > MAX_EXECUTIONS_PER_CALL) {
          throw new CatalogError(51001, invalidArgumentText('Runs', runs, `a number of runs from 1 to ${MAX_EXECUTIONS_PER_CALL.toLocaleString('en-US')}`));
        }
        if (worker || changed.length > 0) {
          throw new CatalogError(51001, invalidArgumentText('Runs', runs, `several runs at once take the parameters' deployed values (or the environment's) and any worker: run one at a time to change ${changed.length > 0 ? changed.map((p) => String(p.parameter_name)).join(', ') : 'the worker'}`));
        }
        const row = {
          folder_name: String(folder?.name), project_name: String(project.name), package_name: String(body.package ?? ''),
          reference_id: /^\d{1,18}$/.test((body.reference ?? '').trim()) ? Number((body.reference ?? '').trim()) : undefined,
          required_tags: (body.tags ?? '').trim() || undefined,
          timeout_seconds: (body.timeout ?? '').trim() === '' ? undefined : Number((body.timeout ?? '').trim()),
        };
        const ids = await startExecutions(o.db, Array.from({ length: Number(runs) }, () => row), { retryCount: retry });
        const where = new URLSearchParams({ folder: row.folder_name, project: row.project_name, package: row.package_name, done: `${ids.length} executions started (${ids[0]} to ${ids.at(-1)}).` });
        return reply.redirect(`/executions?${where.toString()}`, 303);
      }
      // Each call is a catalog procedure, as a DBA's script would make them; a refusal stops here.
      const created = await o.db.call('catalog.create_execution', {
        folder_name: folder?.name, project_name: project.name, package_name: body.package,
        runinscaleout: 1, useanyworker: worker ? 0 : 1, required_tags: (body.tags ?? '').trim() || undefined,
        // One of the project's environment references, or none; the catalog refuses one of another project (51112).
        reference_id: /^\d{1,18}$/.test((body.reference ?? '').trim()) ? (body.reference ?? '').trim() : undefined,
        // Passed on as typed: the catalog checks it and refuses a bad one with its number.
        timeout_seconds: (body.timeout ?? '').trim() === '' ? undefined : (body.timeout ?? '').trim(),
      });
      const id = Number(created.output.execution_id);
      if (worker) await o.db.call('catalog.add_execution_worker', { execution_id: id, workeragent_id: worker });
      for (const p of changed) {
        const type = Number(p.object_type);
        const given = body[`p${type}:${String(p.parameter_name)}`];
        await o.db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: type, parameter_name: p.parameter_name, parameter_value: given });
      }
      await o.db.call('catalog.start_execution', { execution_id: id, retry_count: retry });
      return reply.redirect(`/executions/${id}?done=${encodeURIComponent(`Execution ${id} started.`)}`, 303);
    } catch (error) {
      const e = refused(error);
      if (!e) throw error;
      return renderProject(projectId, reply, { error: e }, (error as CatalogError).httpStatus);
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
