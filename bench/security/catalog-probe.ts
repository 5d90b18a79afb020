/**
 * Hostile values for every argument of every catalog procedure: each call is made with plausible
 * values for the other arguments (a fresh folder, project, execution, worker and claimed task per
 * procedure) and one hostile value, and its outcome is sorted:
 *
 * - refused: a numbered catalog error (5xxxx), the only acceptable answer to bad input;
 * - accepted: the call succeeded — fine for a value the procedure may take, wrong for one it must
 *   refuse (a string longer than the procedure stores, a value past its bound);
 * - crashed: any other error (a driver's or the database's own), which a DBA would see unnumbered.
 *
 * Used by `npm run bench:security` (every value) and by the contract suite (a smaller set).
 */

import { randomUUID } from 'node:crypto';
import { CatalogError } from '../../src/catalog/errors.ts';
import type { CatalogDb } from '../../src/db/types.ts';
import { zipSync, strToU8 } from 'fflate';

export interface HostileValue {
  readonly label: string;
  readonly value: unknown;
  /** A value no argument may take: accepting it anywhere is wrong. */
  readonly alwaysWrong?: boolean;
}

const MB = 'x'.repeat(1 << 20);

export const HOSTILE_VALUES: readonly HostileValue[] = [
  { label: "''", value: '' },
  { label: "' '", value: ' ' },
  { label: '129 chars', value: 'x'.repeat(129) },
  { label: '4,001 chars', value: 'y'.repeat(4001) },
  { label: '1 MB', value: MB, alwaysWrong: true },
  { label: 'SQL injection', value: "x'); DROP TABLE internal.tasks; --" },
  { label: 'NUL', value: 'a\u0000b' },
  { label: 'lone surrogate', value: 'a\ud800b' },
  { label: 'JSON garbage', value: '[1,"a",null,[]]' },
  { label: 'truncated JSON', value: '{"a":' },
  { label: 'not a uuid', value: 'not-a-uuid' },
  { label: 'bad time', value: '2024-13-45T99:99:99Z' },
  { label: 'invalid Date', value: new Date(Number.NaN) },
  { label: '-1', value: -1 },
  { label: '0', value: 0 },
  { label: '2^31', value: 2147483648 },
  { label: '20 digits', value: '99999999999999999999' },
  { label: '1e300', value: 1e300 },
  { label: 'NaN', value: Number.NaN },
  { label: '1.5', value: 1.5 },
  { label: 'garbage bytes', value: Buffer.from('this is not a zip file') },
  { label: 'object', value: { a: 1 } },
];

/** The smaller set the contract suite runs on every backend. */
export const CONTRACT_VALUES: readonly HostileValue[] = HOSTILE_VALUES.filter((v) =>
  ["''", '4,001 chars', '1 MB', 'NUL', 'JSON garbage', 'not a uuid', 'bad time', '-1', '2^31', '20 digits', '1e300', 'garbage bytes'].includes(v.label),
);

/** Routines a worker, a master or a DBA calls; helpers only other routines call are left out. */
export const PROBED_PROCEDURES: readonly string[] = [
  'catalog.add_execution_worker',
  'catalog.add_worker_agent',
  'catalog.configure_catalog',
  'catalog.create_execution',
  'catalog.create_folder',
  'catalog.deploy_project',
  'catalog.disable_worker_agent',
  'catalog.enable_worker_agent',
  'catalog.set_execution_parameter_value',
  'catalog.set_worker_agent_property',
  'catalog.start_execution',
  'catalog.start_executions',
  'catalog.stop_operation',
  'catalog.trust_worker_certificate',
  'catalog.update_logdb_info',
  'catalog.update_master_address',
  'catalog.delete_worker_agent',
  'internal.acquire_sweep_lease',
  'internal.append_execution_messages',
  'internal.claim_tasks',
  'internal.cleanup_completed_jobs',
  'internal.cleanup_server_retention_window',
  'internal.complete_task',
  'internal.complete_tasks',
  'internal.count_newly_ready_tasks',
  'internal.dealwith_expired_tasks',
  'internal.get_project_version',
  'internal.identify_worker_agent',
  'internal.master_heartbeat',
  'internal.master_stopped',
  'internal.register_worker_agent',
  'internal.release_sweep_lease',
  'internal.release_tasks',
  'internal.renew_sweep_lease',
  'internal.renew_task_lease',
  'internal.renew_task_leases',
  'internal.update_master_settings',
  'internal.update_worker_agent_status',
];

/** The objects one procedure's calls refer to. */
interface Seed {
  folder: string;
  executionId: number;
  createdExecutionId: number;
  workerId: string;
  thumbprint: string;
  taskId: string;
  leaseToken: string;
  streamId: string;
  contentHash: string;
  masterId: string;
}

export function probeProjectStream(tag: string): Buffer {
  return Buffer.from(zipSync({ 'scaleout.project.json': strToU8(JSON.stringify({ name: 'probe', tag })) }));
}

const MANIFEST = JSON.stringify({
  name: 'probe',
  parameters: [
    { name: 'InputFile', type: 'String', required: false, default: 'in.csv' },
    { name: 'Secret', type: 'String', sensitive: true, default: 's' },
  ],
  packages: [{ name: 'load', kind: 'node', entry: 'load.mjs' }],
});

async function seed(db: CatalogDb, n: number): Promise<Seed> {
  const folder = `probe_${n}_${randomUUID().slice(0, 6)}`;
  await db.call('catalog.create_folder', { folder_name: folder });
  await db.call('catalog.deploy_project', { folder_name: folder, project_name: 'probe', project_stream: probeProjectStream(folder), manifest: MANIFEST });
  const workerId = randomUUID();
  const thumbprint = randomUUID().replace(/-/g, '').padEnd(64, '0').toUpperCase();
  await db.call('catalog.add_worker_agent', { WorkerAgentId: workerId, CertificateThumbprint: thumbprint, IsEnabled: 1, MaxTaskCount: 10 });
  await db.call('internal.register_worker_agent', { WorkerAgentId: workerId, CertificateThumbprint: thumbprint, MachineName: 'probe-host' });
  const create = async () => Number((await db.call('catalog.create_execution', { folder_name: folder, project_name: 'probe', package_name: 'load', useanyworker: false })).output.execution_id);
  const executionId = await create();
  await db.call('catalog.add_execution_worker', { execution_id: executionId, workeragent_id: workerId });
  await db.call('catalog.start_execution', { execution_id: executionId });
  const claimed = await db.call('internal.claim_tasks', { WorkerAgentId: workerId, MaxTasks: 1, LeaseMs: 60000 });
  const task = claimed.rows[0];
  if (!task) throw new Error('The probe could not claim its own task: is Scale Out enabled on this catalog?');
  const createdExecutionId = await create();
  return {
    folder,
    executionId,
    createdExecutionId,
    workerId,
    thumbprint,
    taskId: String(task.task_id),
    leaseToken: String(task.lease_token),
    streamId: String(task.stream_id),
    contentHash: String(task.content_hash),
    masterId: randomUUID(),
  };
}

/** Plausible arguments for each procedure; the probe replaces one at a time. */
function plausible(procedure: string, s: Seed): Record<string, unknown> {
  const now = new Date();
  const lease = [{ taskId: s.taskId, leaseToken: s.leaseToken }];
  const table: Record<string, Record<string, unknown>> = {
    'catalog.add_execution_worker': { execution_id: s.createdExecutionId, workeragent_id: s.workerId },
    'catalog.add_worker_agent': { WorkerAgentId: randomUUID(), CertificateThumbprint: randomUUID().replace(/-/g, '').padEnd(40, 'A'), DisplayName: 'probe', Description: 'd', Tags: 'a,b', MaxTaskCount: 2, IsEnabled: 1 },
    'catalog.configure_catalog': { property_name: 'RETENTION_WINDOW', property_value: '365' },
    'catalog.create_execution': { folder_name: s.folder, project_name: 'probe', package_name: 'load', reference_id: null, use32bitruntime: false, runinscaleout: true, useanyworker: true, priority: 2, required_tags: 'a', timeout_seconds: 60 },
    'catalog.create_folder': { folder_name: `${s.folder}_2` },
    'catalog.deploy_project': { folder_name: s.folder, project_name: 'probe', project_stream: probeProjectStream(`${s.folder}-2`), manifest: MANIFEST },
    'catalog.disable_worker_agent': { WorkerAgentId: s.workerId },
    'catalog.enable_worker_agent': { WorkerAgentId: s.workerId },
    'catalog.set_execution_parameter_value': { execution_id: s.createdExecutionId, object_type: 20, parameter_name: 'InputFile', parameter_value: 'x.csv' },
    'catalog.set_worker_agent_property': { WorkerAgentId: s.workerId, PropertyName: 'Description', PropertyValue: 'probe' },
    'catalog.start_execution': { execution_id: s.createdExecutionId, retry_count: 1 },
    'catalog.start_executions': { executions: [{ folder_name: s.folder, project_name: 'probe', package_name: 'load', priority: 2, required_tags: 'a', timeout_seconds: 60 }], retry_count: 1 },
    'catalog.stop_operation': { operation_id: s.executionId },
    'catalog.trust_worker_certificate': { CertificateThumbprint: randomUUID().replace(/-/g, '').padEnd(64, 'B'), Description: 'probe' },
    'catalog.update_logdb_info': { server_name: 'db', connection_string: 'postgres://u:p@db/log' },
    'catalog.update_master_address': { MasterAddress: 'https://master.example:8391' },
    'catalog.delete_worker_agent': { WorkerAgentId: s.workerId, Force: false },
    'internal.acquire_sweep_lease': { SweepName: 'probe_sweep', MasterId: s.masterId, LeaseMs: 1000, now },
    'internal.append_execution_messages': { ExecutionId: s.executionId, BatchId: randomUUID(), Messages: JSON.stringify([{ type: 70, text: 'hi', time: now.toISOString(), stream: s.streamId, seq: 1 }]), WorkerAgentId: s.workerId, now },
    'internal.claim_tasks': { WorkerAgentId: s.workerId, MaxTasks: 1, LeaseMs: 60000, now },
    'internal.cleanup_completed_jobs': { MinutesToKeep: 60, BatchSize: 10, now },
    'internal.cleanup_server_retention_window': { BatchSize: 10, now },
    'internal.complete_task': { TaskId: s.taskId, LeaseToken: s.leaseToken, Outcome: 'succeeded', ErrorMessage: null, WorkerAgentId: s.workerId, now },
    'internal.complete_tasks': { Completions: JSON.stringify([{ taskId: s.taskId, leaseToken: s.leaseToken, outcome: 'succeeded' }]), WorkerAgentId: s.workerId, now },
    'internal.count_newly_ready_tasks': { Since: new Date(now.getTime() - 60000), DelayedOnly: false, now },
    'internal.dealwith_expired_tasks': { now, BatchSize: 10, StopGraceMs: 1000, ReachableForMs: 60000, MasterId: null, Epoch: null },
    'internal.get_project_version': { ContentHash: s.contentHash, WorkerAgentId: s.workerId },
    'internal.identify_worker_agent': { CertificateThumbprint: s.thumbprint },
    'internal.master_heartbeat': { MasterId: s.masterId, now },
    'internal.master_stopped': { MasterId: s.masterId, now },
    'internal.register_worker_agent': { WorkerAgentId: s.workerId, CertificateThumbprint: s.thumbprint, MachineName: 'host', UserAccount: 'svc', DisplayName: 'w', Description: 'd', HeartbeatIntervalMs: 30000, MaxTaskCount: 4, OsVersion: 'linux', ProcessorCount: 2, TotalMemoryMB: 1024, AgentVersion: '1.0', now },
    'internal.release_sweep_lease': { SweepName: 'probe_sweep', MasterId: s.masterId, Epoch: 1 },
    'internal.release_tasks': { WorkerAgentId: s.workerId, Leases: JSON.stringify(lease), now },
    'internal.renew_sweep_lease': { SweepName: 'probe_sweep', MasterId: s.masterId, Epoch: 1, LeaseMs: 1000, now },
    'internal.renew_task_lease': { TaskId: s.taskId, LeaseToken: s.leaseToken, LeaseMs: 60000, WorkerAgentId: s.workerId, now },
    'internal.renew_task_leases': { WorkerAgentId: s.workerId, Leases: JSON.stringify(lease), LeaseMs: 60000, now },
    'internal.update_master_settings': { MasterId: s.masterId, MachineName: 'm', MachineIp: '127.0.0.1', MasterServicePort: '8391', SslCertThumbprint: s.thumbprint, MasterHeartbeatIntervalInMs: '30000', Address: 'https://m:8391', ProcessId: 1, Version: '1.0', now },
    'internal.update_worker_agent_status': { WorkerAgentId: s.workerId, CertificateThumbprint: s.thumbprint, MachineName: 'host', UserAccount: 'svc', CpuPercent: 5, AvailableMemoryMB: 512, RunningTaskCount: 1, LogLinesPending: 0, LogLinesUndeliverable: 0, now },
  };
  const args = table[procedure];
  if (!args) throw new Error(`The probe has no plausible arguments for ${procedure}.`);
  return args;
}

export type Outcome = 'refused' | 'accepted' | 'accepted wrongly' | 'crashed';

export interface ProbeResult {
  readonly procedure: string;
  readonly parameter: string;
  readonly value: string;
  readonly outcome: Outcome;
  readonly detail: string;
}

/** Message texts must show a value at most this long (plus an ellipsis). */
const ECHO_LIMIT = 100;

function describe(error: unknown): string {
  const e = error as { code?: string; number?: number; message?: string };
  return `${e.code ?? e.number ?? ''} ${String(e.message ?? error).slice(0, 160)}`.trim();
}

/**
 * Calls every probed procedure with every value in place of each of its arguments. A numbered
 * error whose text echoes more than ECHO_LIMIT characters of the value, or loses "Nothing was
 * changed.", counts as a crash: it is not the clean refusal a DBA should read.
 */
export async function probeCatalog(
  db: CatalogDb,
  values: readonly HostileValue[] = HOSTILE_VALUES,
  procedures: readonly string[] = PROBED_PROCEDURES,
  onProgress?: (done: number, total: number) => void,
): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  let n = 0;
  for (const procedure of procedures) {
    n += 1;
    const s = await seed(db, n);
    const base = plausible(procedure, s);
    for (const parameter of Object.keys(base)) {
      for (const hostile of values) {
        // A destructive call that succeeds changes what the next call refers to: start over.
        const args = { ...plausible(procedure, s), [parameter]: hostile.value };
        let outcome: Outcome;
        let detail = '';
        try {
          await db.call(procedure, args);
          outcome = hostile.alwaysWrong ? 'accepted wrongly' : 'accepted';
        } catch (error) {
          if (error instanceof CatalogError) {
            const message = error.message;
            const echoed = typeof hostile.value === 'string' && hostile.value.length > ECHO_LIMIT && message.includes(hostile.value.slice(0, ECHO_LIMIT + 1));
            outcome = echoed || !/Nothing was changed\.$/.test(message) && error.number < 51300 ? 'crashed' : 'refused';
            detail = `${error.number} ${message.slice(0, 160)}`;
          } else {
            outcome = 'crashed';
            detail = describe(error);
          }
        }
        results.push({ procedure, parameter, value: hostile.label, outcome, detail });
      }
    }
    onProgress?.(n, procedures.length);
  }
  return results;
}

export function tally(results: readonly ProbeResult[]): Record<Outcome, number> {
  const t: Record<Outcome, number> = { refused: 0, accepted: 0, 'accepted wrongly': 0, crashed: 0 };
  for (const r of results) t[r.outcome] += 1;
  return t;
}
