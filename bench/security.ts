/**
 * The catalog and the master as an attacker and an auditor would try them (a benchmark-style
 * command, not a timed test; the security tests in npm test assert each refusal):
 *
 *   1. hostile values for every argument of every catalog procedure a worker, a master or a DBA
 *      calls — on PGlite and on PostgreSQL (bench/security/catalog-probe.ts)
 *   2. every master route with no certificate, an untrusted, an expired, another worker's, a
 *      disabled, a deleted and a replaced certificate (bench/security/http-probe.ts)
 *   3. hostile request bodies from a trusted worker
 *   4. slow clients holding half-sent requests while a trusted worker heartbeats
 *   5. sensitive values: none in clear in the catalog's tables
 *
 * Prints tried / refused cleanly / accepted wrongly / crashed for each; "Every target met." when
 * nothing was accepted wrongly and nothing crashed.
 *
 *   npm run bench:security      (about 2 minutes; PostgreSQL at SCALEOUT_BENCH_PG_URL or 127.0.0.1:5432)
 */

import { randomUUID } from 'node:crypto';
import { createBenchDatabase } from './database.ts';
import { HOSTILE_VALUES, probeCatalog, type ProbeResult } from './security/catalog-probe.ts';
import { probeBodies, probeRoutes, probeSlowClients, type HttpProbeResult, type Task, type Worker } from './security/http-probe.ts';
import { ensureProtectionKey } from '../src/catalog/protection.ts';
import { openCatalog } from '../src/db/open.ts';
import type { CatalogDb } from '../src/db/types.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { makeCerts, startMaster, call } from '../test/support/master-process.ts';
import { projectBytes } from '../test/support/queue-helpers.ts';

type Row = { tried: number; refused: number; allowed: number; wrong: number; crashed: number };

function line(title: string, r: Row): string {
  return `${title.padEnd(66)} ${String(r.tried).padStart(6)} ${String(r.refused).padStart(8)} ${String(r.allowed).padStart(8)} ${String(r.wrong).padStart(8)} ${String(r.crashed).padStart(8)}`;
}

function header(): string {
  return `${''.padEnd(66)} ${'tried'.padStart(6)} ${'refused'.padStart(8)} ${'allowed'.padStart(8)} ${'wrongly'.padStart(8)} ${'crashed'.padStart(8)}`;
}

function fromCatalog(results: readonly ProbeResult[]): Row {
  return {
    tried: results.length,
    refused: results.filter((r) => r.outcome === 'refused').length,
    allowed: results.filter((r) => r.outcome === 'accepted').length,
    wrong: results.filter((r) => r.outcome === 'accepted wrongly').length,
    crashed: results.filter((r) => r.outcome === 'crashed').length,
  };
}

function fromHttp(results: readonly HttpProbeResult[]): Row {
  return {
    tried: results.length,
    refused: results.filter((r) => r.outcome === 'refused cleanly').length,
    allowed: results.filter((r) => r.outcome === 'allowed').length,
    wrong: results.filter((r) => r.outcome === 'accepted wrongly').length,
    crashed: results.filter((r) => r.outcome === 'crashed').length,
  };
}

function details(results: ReadonlyArray<{ outcome: string }>, describe: (r: never) => string): string[] {
  return results.filter((r) => r.outcome === 'crashed' || r.outcome.includes('wrongly')).map((r) => `    ${describe(r as never)}`);
}

async function catalogProbes(out: string[]): Promise<number> {
  let missed = 0;
  const pglite = await openCatalog('pglite:memory:');
  const bench = await createBenchDatabase();
  try {
    for (const [name, db] of [['PGlite', pglite], ['PostgreSQL', bench.db]] as Array<[string, CatalogDb]>) {
      await migrateUp(db);
      await ensureProtectionKey(db);
      await db.call('catalog.enable_scaleout', {});
      const started = Date.now();
      const results = await probeCatalog(db, HOSTILE_VALUES);
      const row = fromCatalog(results);
      out.push(line(`catalog procedures, ${HOSTILE_VALUES.length} hostile values each argument (${name})`, row));
      out.push(...details(results, (r: ProbeResult) => `${r.outcome}: ${r.procedure} @${r.parameter} = ${r.value}: ${r.detail}`));
      out.push(`    (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      if (row.wrong + row.crashed > 0) missed++;
    }
  } finally {
    await pglite.close();
    await bench.drop();
  }
  return missed;
}

async function masterProbes(out: string[]): Promise<number> {
  let missed = 0;
  const bench = await createBenchDatabase();
  const certs = makeCerts();
  let master: Awaited<ReturnType<typeof startMaster>> | undefined;
  try {
    const db = bench.db;
    await migrateUp(db);
    await ensureProtectionKey(db);
    await db.call('catalog.enable_scaleout', {});
    await db.call('catalog.create_folder', { folder_name: 'security' });
    const manifest = { name: 'p', parameters: [{ name: 'Password', type: 'String', sensitive: true, default: 'hunter2-at-rest' }], packages: [{ name: 'noop', kind: 'node' }] };
    await db.call('catalog.deploy_project', { folder_name: 'security', project_name: 'p', project_stream: projectBytes('security'), manifest: JSON.stringify(manifest) });
    master = await startMaster(bench.url, certs, { MasterHeartbeatIntervalInMs: 1000, LongPollMaxInMs: 2000, RequestHeadersTimeoutInMs: 3000, RequestBodyTimeoutInMs: 3000, MaxConnectionsPerCertificate: 64 });
    const port = master.port;
    const startTask = async (worker: Worker): Promise<Task> => {
      const r = await db.call('catalog.create_execution', { folder_name: 'security', project_name: 'p', package_name: 'noop', useanyworker: false });
      const executionId = Number(r.output.execution_id);
      await db.call('catalog.add_execution_worker', { execution_id: executionId, workeragent_id: worker.id });
      await db.call('catalog.start_execution', { execution_id: executionId });
      const claimed = await call(port, 'POST', `/api/v1/agents/${worker.id}/tasks:claim`, { cert: worker.cert, body: { waitMs: 2000 } });
      const task = (claimed.json.tasks as Array<{ taskId: string; leaseToken: string; executionId: number; contentHash: string; streamId: string; parameters: Array<{ name: string; value: unknown }> }>)[0];
      if (!task) throw new Error(`the probe's own claim got nothing: ${claimed.status} ${claimed.body.toString()}`);
      if (task.parameters.find((p) => p.name === 'Password')?.value !== 'hunter2-at-rest') throw new Error('the worker did not receive its sensitive value in clear');
      return task;
    };
    const routes = await probeRoutes(db, port, certs, startTask);
    out.push(line('master routes × 8 kinds of client, own resources only', fromHttp(routes)));
    out.push(...details(routes, (r: HttpProbeResult) => `${r.outcome}: ${r.identity} → ${r.route}: ${r.status}`));
    if (fromHttp(routes).wrong + fromHttp(routes).crashed > 0) missed++;

    const owner = { id: randomUUID(), cert: certs.worker('body-owner') };
    await db.call('catalog.add_worker_agent', { WorkerAgentId: owner.id, CertificateThumbprint: owner.cert.thumbprint, IsEnabled: 1, MaxTaskCount: 10 });
    await call(port, 'POST', `/api/v1/agents/${owner.id}/register`, { cert: owner.cert, body: { machineName: 'body-owner' } });
    const task = await startTask(owner);
    const bodies = await probeBodies(port, owner, task);
    out.push(line('hostile bodies from a trusted worker (400 expected)', fromHttp(bodies)));
    out.push(...details(bodies, (r: HttpProbeResult) => `${r.outcome}: ${r.route}: ${r.status}`));
    if (fromHttp(bodies).wrong + fromHttp(bodies).crashed > 0) missed++;

    const slow = await probeSlowClients(port, certs, owner, 300, 3000);
    out.push(`slow clients: ${slow.opened} half-sent requests held, ${slow.closedByMaster} closed by the master within its header timeout (3 s); a trusted worker's heartbeats meanwhile: ${slow.heartbeats} answered, ${slow.heartbeatFailures} failed, slowest ${slow.slowestHeartbeatMs} ms`);
    if (slow.heartbeatFailures > 0 || slow.closedByMaster < slow.opened) missed++;

    const stored = JSON.stringify([
      ...(await db.query('SELECT * FROM internal.execution_parameter_values')),
      ...(await db.query('SELECT * FROM internal.object_parameters')),
    ]);
    const inClear = stored.includes('hunter2-at-rest');
    out.push(`sensitive values in clear in the catalog's tables: ${inClear ? 'yes' : 'none'} (the worker received its value in clear: yes)`);
    if (inClear) missed++;
  } finally {
    await master?.kill9().catch(() => undefined);
    certs.cleanup();
    await bench.drop();
  }
  return missed;
}

async function main(): Promise<void> {
  const out: string[] = [header()];
  let missed = await catalogProbes(out);
  missed += await masterProbes(out);
  process.stdout.write(`${out.join('\n')}\n\n${missed === 0 ? 'Every target met.' : `${missed} target(s) missed.`}\n`);
  process.exitCode = missed === 0 ? 0 : 1;
}

await main();
