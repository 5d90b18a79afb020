/** Deploying projects, creating executions and driving the task queue in the contract specs. */

import { createHash } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import type { CatalogDb, Row } from '../../src/db/types.ts';
import { newId, newThumbprint, truthy, view } from './catalog-helpers.ts';

export interface ManifestParameter {
  name: string;
  type: string;
  required?: boolean;
  sensitive?: boolean;
  default?: string | number | boolean | null;
  description?: string;
}

export interface Manifest {
  name: string;
  description?: string;
  parameters?: ManifestParameter[];
  packages: Array<{ name: string; kind: string; entry?: string; entryPoint?: boolean; timeoutSeconds?: number | null; parameters?: ManifestParameter[] }>;
}

export function sampleManifest(name = 'etl'): Manifest {
  return {
    name,
    description: 'Loads the daily sales file',
    parameters: [
      { name: 'InputFile', type: 'String', required: true, description: 'CSV to read' },
      { name: 'Region', type: 'String', default: 'emea' },
      { name: 'ApiKey', type: 'String', sensitive: true, default: 'k-123' },
    ],
    packages: [
      { name: 'load', kind: 'node', entry: 'load.mjs', timeoutSeconds: 600, parameters: [{ name: 'BatchSize', type: 'Int32', default: 500 }] },
      { name: 'archive', kind: 'command', entry: 'archive.sh' },
      { name: 'helper', kind: 'node', entry: 'helper.mjs', entryPoint: false },
    ],
  };
}

/** A small zip (what deploy_project accepts), different for each tag. */
export function projectBytes(tag: string = newId()): Buffer {
  return Buffer.from(zipSync({ 'scaleout.project.json': strToU8(JSON.stringify({ tag })) }));
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function createFolder(db: CatalogDb, name = `folder_${newId().slice(0, 8)}`): Promise<string> {
  await db.call('catalog.create_folder', { folder_name: name });
  return name;
}

export async function deploy(db: CatalogDb, folder: string, manifest: Manifest = sampleManifest(), bytes = projectBytes()): Promise<{ operationId: number; bytes: Buffer }> {
  const r = await db.call('catalog.deploy_project', {
    folder_name: folder,
    project_name: manifest.name,
    project_stream: bytes,
    manifest: JSON.stringify(manifest),
  });
  return { operationId: Number(r.output.operation_id), bytes };
}

/** A folder with the sample project deployed. */
export async function deployedProject(db: CatalogDb): Promise<{ folder: string; project: string }> {
  const folder = await createFolder(db);
  await deploy(db, folder);
  return { folder, project: 'etl' };
}

export async function createExecution(
  db: CatalogDb,
  where: { folder: string; project: string },
  options: Record<string, unknown> = {},
): Promise<number> {
  const r = await db.call('catalog.create_execution', {
    folder_name: where.folder,
    project_name: where.project,
    package_name: 'load',
    ...options,
  });
  return Number(r.output.execution_id);
}

/** Creates and starts an execution of the sample project (InputFile set). */
export async function startedExecution(
  db: CatalogDb,
  where: { folder: string; project: string },
  options: { retry?: number; create?: Record<string, unknown>; now?: Date; workers?: string[] } = {},
): Promise<number> {
  const id = await createExecution(db, where, options.create ?? {});
  await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 20, parameter_name: 'InputFile', parameter_value: '/data/sales.csv' });
  for (const w of options.workers ?? []) await db.call('catalog.add_execution_worker', { execution_id: id, workeragent_id: w });
  await db.call('catalog.start_execution', { execution_id: id, retry_count: options.retry ?? 0 });
  return id;
}

/** An enabled worker agent, registered as a worker would be. */
export async function enabledWorker(db: CatalogDb, extra: Record<string, unknown> = {}): Promise<string> {
  const id = newId();
  const thumbprint = newThumbprint();
  await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: thumbprint, IsEnabled: 1, MaxTaskCount: 100, ...extra });
  await db.call('internal.register_worker_agent', { WorkerAgentId: id, CertificateThumbprint: thumbprint, MachineName: `host-${id.slice(0, 4)}` });
  return id;
}

export interface ClaimedTask {
  task_id: string;
  execution_id: number;
  lease_token: string;
  lease_expires_at: Date;
  executed_count: number;
  max_executed_count: number;
  package_name: string;
  package_kind: string;
  content_hash: string;
  timeout_seconds: number | null;
  parameters: Array<{ object_type: number; name: string; data_type: string; value: string | null; sensitive: boolean }>;
  /** The attempt's log stream: only this claim's worker may append to it. */
  stream_id: string;
}

export async function claim(db: CatalogDb, worker: string, options: { max?: number; now?: Date; leaseMs?: number } = {}): Promise<ClaimedTask[]> {
  const r = await db.call('internal.claim_tasks', { WorkerAgentId: worker, MaxTasks: options.max ?? 1, LeaseMs: options.leaseMs ?? 60000, now: options.now });
  return r.rows.map((row) => ({ ...(row as unknown as ClaimedTask), parameters: JSON.parse(String(row.parameters)), stream_id: String(row.stream_id).toLowerCase() }));
}

export async function complete(db: CatalogDb, task: ClaimedTask, outcome: 'succeeded' | 'failed' | 'canceled' | 'abandoned', options: { now?: Date; error?: string } = {}): Promise<{ status: number; willRetry: boolean }> {
  const r = await db.call('internal.complete_task', { TaskId: task.task_id, LeaseToken: task.lease_token, Outcome: outcome, ErrorMessage: options.error, now: options.now });
  return { status: Number(r.output.executionstatus), willRetry: truthy(r.output.willretry) };
}

export interface LeaseResult {
  task_id: string;
  is_cancelled: boolean | null;
  expires_at: Date | null;
  error_number: number | null;
}

/** internal.renew_task_leases for one worker: renews (and the first time acknowledges) its tasks. */
export async function renew(db: CatalogDb, worker: string, tasks: ReadonlyArray<{ task_id: string; lease_token: string }>, options: { now?: Date; leaseMs?: number } = {}): Promise<LeaseResult[]> {
  const leases = JSON.stringify(tasks.map((t) => ({ taskId: t.task_id, leaseToken: t.lease_token })));
  const r = await db.call('internal.renew_task_leases', { WorkerAgentId: worker, Leases: leases, LeaseMs: options.leaseMs ?? 60000, now: options.now });
  return r.rows.map((row) => ({
    task_id: String(row.task_id).toLowerCase(),
    is_cancelled: row.is_cancelled === null ? null : truthy(row.is_cancelled),
    expires_at: (row.expires_at as Date | null) ?? null,
    error_number: row.error_number === null ? null : Number(row.error_number),
  }));
}

/** internal.release_tasks for one worker: gives claimed tasks back unstarted. */
export async function release(db: CatalogDb, worker: string, tasks: ReadonlyArray<{ task_id: string; lease_token: string }>, options: { now?: Date } = {}): Promise<Array<{ task_id: string; execution_status: number | null; error_number: number | null }>> {
  const leases = JSON.stringify(tasks.map((t) => ({ taskId: t.task_id, leaseToken: t.lease_token })));
  const r = await db.call('internal.release_tasks', { WorkerAgentId: worker, Leases: leases, now: options.now });
  return r.rows.map((row) => ({
    task_id: String(row.task_id).toLowerCase(),
    execution_status: row.execution_status === null ? null : Number(row.execution_status),
    error_number: row.error_number === null ? null : Number(row.error_number),
  }));
}

/** One call of the expired-task sweep; returns how many tasks it ended or gave back. */
export async function sweepExpired(db: CatalogDb, options: { now?: Date; reachableForMs?: number; masterId?: string; epoch?: number; stopGraceMs?: number } = {}): Promise<number> {
  const r = await db.call('internal.dealwith_expired_tasks', {
    now: options.now,
    ReachableForMs: options.reachableForMs,
    MasterId: options.masterId,
    Epoch: options.epoch,
    StopGraceMs: options.stopGraceMs,
  });
  return Number(r.output.processed);
}

export async function execution(db: CatalogDb, id: number): Promise<Row> {
  const rows = await view(db, 'catalog.executions', db.dialect === 'mssql' ? 'execution_id = @p1' : 'execution_id = $1', [id]);
  if (!rows[0]) throw new Error(`execution ${id} is not in catalog.executions`);
  return rows[0];
}

export async function operation(db: CatalogDb, id: number): Promise<Row | undefined> {
  return (await view(db, 'catalog.operations', db.dialect === 'mssql' ? 'operation_id = @p1' : 'operation_id = $1', [id]))[0];
}

export async function messages(db: CatalogDb, id: number): Promise<Row[]> {
  const rows = await view(db, 'catalog.operation_messages', db.dialect === 'mssql' ? 'operation_id = @p1' : 'operation_id = $1', [id]);
  return rows.sort((a, b) => Number(a.operation_message_id) - Number(b.operation_message_id));
}

export function seconds(base: Date, s: number): Date {
  return new Date(base.getTime() + s * 1000);
}

/**
 * Leaves no task behind, leased or ready: expired leases are swept, and whatever is ready is claimed
 * by a worker with every tag and canceled. Each contract test then claims and sweeps only what it
 * queued.
 */
export async function emptyQueue(db: CatalogDb, far: (seconds: number) => Date): Promise<void> {
  while ((await sweepExpired(db, { now: far(200_000) })) > 0);
  const sweeper = await enabledWorker(db, { Tags: 'gpu,linux,ssd' });
  for (let i = 0; i < 20; i++) {
    const tasks = await claim(db, sweeper, { max: 100, now: far(100_000) });
    for (const t of tasks) await complete(db, t, 'canceled');
    if (tasks.length === 0) break;
  }
  await db.call('catalog.disable_worker_agent', { WorkerAgentId: sweeper });
}

/**
 * Queues count ready tasks straight in the tables, as a bulk start leaves them (no ANALYZE since):
 * the benchmarks' supply of work, and the backlog of the plan tests. PostgreSQL and PGlite.
 */
export async function queueReadyTasks(
  db: Pick<CatalogDb, 'query'>,
  count: number,
  projectId: number,
  lsn: number,
  names: { folder: string; project: string; package: string } = { folder: 'bench', project: 'bench', package: 'noop' },
): Promise<void> {
  await db.query(
    `WITH ops AS (
       INSERT INTO internal.operations (operation_type, created_time, object_type, object_id, object_name, status, start_time, caller_name, machine_name)
       SELECT 200, now(), 20, $1, $4, 5, now(), 'bench', '' FROM generate_series(1, $2::integer)
       RETURNING operation_id
     ), ex AS (
       INSERT INTO internal.executions (execution_id, folder_name, project_name, package_name, project_lsn, executed_as_name)
       SELECT operation_id, $4, $5, $6, $3, 'bench' FROM ops
       RETURNING execution_id
     )
     INSERT INTO internal.tasks (task_id, execution_id, status, max_executed_count, ready_at, use_any_worker, created_time, last_updated_time)
     SELECT gen_random_uuid(), execution_id, 1, 1, now() - interval '1 second', true, now(), now() FROM ex`,
    [projectId, count, lsn, names.folder, names.project, names.package],
  );
}
