/**
 * The catalog procedures the master calls, typed. Each is one call of an internal procedure; the
 * names are the camelCase of the procedures'. Calls whose repetition does no harm are marked
 * idempotent, so a lost connection is retried for them.
 */

import type { CatalogDb, Row } from '../db/types.ts';

const bool = (v: unknown) => v === true || v === 1 || v === '1';

export interface WorkerIdentity {
  readonly workerAgentId: string;
  readonly thumbprint: string;
}

export async function registerWorkerAgent(
  db: CatalogDb,
  w: WorkerIdentity & { machineName: string; userAccount?: string; displayName?: string; description?: string; heartbeatIntervalMs?: number; maxTaskCount?: number; osVersion?: string; processorCount?: number; totalMemoryMB?: number; agentVersion?: string },
): Promise<{ isEnabled: boolean }> {
  const r = await db.call(
    'internal.register_worker_agent',
    {
      WorkerAgentId: w.workerAgentId, CertificateThumbprint: w.thumbprint, MachineName: w.machineName, UserAccount: w.userAccount,
      DisplayName: w.displayName, Description: w.description, HeartbeatIntervalMs: w.heartbeatIntervalMs, MaxTaskCount: w.maxTaskCount,
      OSVersion: w.osVersion, ProcessorCount: w.processorCount, TotalMemoryMB: w.totalMemoryMB, AgentVersion: w.agentVersion,
    },
    { idempotent: true },
  );
  return { isEnabled: bool(r.output.isenabled) };
}

export async function updateWorkerAgentStatus(
  db: CatalogDb,
  w: WorkerIdentity & { machineName?: string; userAccount?: string; cpuPercent?: number; availableMemoryMB?: number; runningTaskCount?: number; logLinesPending?: number; logLinesUndeliverable?: number; certificateDaysLeft?: number },
): Promise<{ isEnabled: boolean }> {
  const r = await db.call(
    'internal.update_worker_agent_status',
    {
      WorkerAgentId: w.workerAgentId, CertificateThumbprint: w.thumbprint, MachineName: w.machineName, UserAccount: w.userAccount,
      CpuPercent: w.cpuPercent, AvailableMemoryMB: w.availableMemoryMB, RunningTaskCount: w.runningTaskCount,
      LogLinesPending: w.logLinesPending, LogLinesUndeliverable: w.logLinesUndeliverable, CertificateDaysLeft: w.certificateDaysLeft,
    },
    { idempotent: true },
  );
  return { isEnabled: bool(r.output.isenabled) };
}

/** Who a client certificate is: its worker (null: trusted ahead of its worker's registration), and whether that worker is enabled. */
export async function identifyWorkerAgent(db: CatalogDb, thumbprint: string): Promise<{ workerAgentId: string | null; isEnabled: boolean }> {
  const r = await db.call('internal.identify_worker_agent', { CertificateThumbprint: thumbprint }, { idempotent: true });
  const id = r.output.workeragentid;
  return { workerAgentId: id === null || id === undefined ? null : String(id).toLowerCase(), isEnabled: bool(r.output.isenabled) };
}

export interface ClaimedTask {
  readonly taskId: string;
  readonly executionId: number;
  readonly leaseToken: string;
  readonly leaseExpiresAt: Date;
  readonly executedCount: number;
  readonly maxExecutedCount: number;
  readonly folderName: string;
  readonly projectName: string;
  readonly packageName: string;
  readonly packageKind: string;
  readonly projectLsn: number;
  readonly contentHash: string;
  readonly timeoutSeconds: number | null;
  readonly parameters: unknown[];
  /** The attempt's log stream: the worker sends its lines with it; no other worker may. */
  readonly streamId: string;
}

function toClaimedTask(r: Row): ClaimedTask {
  return {
    taskId: String(r.task_id),
    executionId: Number(r.execution_id),
    leaseToken: String(r.lease_token),
    leaseExpiresAt: r.lease_expires_at as Date,
    executedCount: Number(r.executed_count),
    maxExecutedCount: Number(r.max_executed_count),
    folderName: String(r.folder_name),
    projectName: String(r.project_name),
    packageName: String(r.package_name),
    packageKind: String(r.package_kind),
    projectLsn: Number(r.project_lsn),
    contentHash: String(r.content_hash).trim(),
    timeoutSeconds: r.timeout_seconds === null || r.timeout_seconds === undefined ? null : Number(r.timeout_seconds),
    parameters: JSON.parse(String(r.parameters ?? '[]')) as unknown[],
    streamId: String(r.stream_id).toLowerCase(),
  };
}

/** Not idempotent: a claim repeated after a lost answer would lease more tasks (they expire, and are retried). */
export async function claimTasks(db: CatalogDb, workerAgentId: string, maxTasks: number, leaseMs: number): Promise<ClaimedTask[]> {
  const r = await db.call('internal.claim_tasks', { WorkerAgentId: workerAgentId, MaxTasks: maxTasks, LeaseMs: leaseMs });
  return r.rows.map(toClaimedTask);
}

export async function renewTaskLease(db: CatalogDb, taskId: string, leaseToken: string, leaseMs: number, workerAgentId?: string): Promise<{ isCancelled: boolean; expiresAt: Date }> {
  const r = await db.call('internal.renew_task_lease', { TaskId: taskId, LeaseToken: leaseToken, LeaseMs: leaseMs, WorkerAgentId: workerAgentId }, { idempotent: true });
  return { isCancelled: bool(r.output.iscancelled), expiresAt: r.output.expiresat as Date };
}

export interface LeaseRef {
  readonly taskId: string;
  readonly leaseToken: string;
}

export interface RenewalResult {
  readonly taskId: string;
  readonly isCancelled: boolean;
  readonly expiresAt: Date | null;
  /** 51302 when the worker no longer holds that lease: nothing was changed for it. */
  readonly errorNumber: number | null;
}

/** Renews (and the first time acknowledges) every lease one worker holds; safe to repeat. */
export async function renewTaskLeases(db: CatalogDb, workerAgentId: string, leases: readonly LeaseRef[], leaseMs: number): Promise<RenewalResult[]> {
  const r = await db.call('internal.renew_task_leases', { WorkerAgentId: workerAgentId, Leases: JSON.stringify(leases), LeaseMs: leaseMs }, { idempotent: true });
  return r.rows.map((row) => ({
    taskId: String(row.task_id).toLowerCase(),
    isCancelled: bool(row.is_cancelled),
    expiresAt: (row.expires_at as Date | null) ?? null,
    errorNumber: row.error_number === null || row.error_number === undefined ? null : Number(row.error_number),
  }));
}

export interface ReleaseResult {
  readonly taskId: string;
  readonly executionStatus: number | null;
  readonly errorNumber: number | null;
}

/** Gives claimed tasks back unstarted, without counting their attempt; safe to repeat (a released lease answers 51302). */
export async function releaseTasks(db: CatalogDb, workerAgentId: string, leases: readonly LeaseRef[]): Promise<ReleaseResult[]> {
  const r = await db.call('internal.release_tasks', { WorkerAgentId: workerAgentId, Leases: JSON.stringify(leases) }, { idempotent: true });
  return r.rows.map((row) => ({
    taskId: String(row.task_id).toLowerCase(),
    executionStatus: row.execution_status === null || row.execution_status === undefined ? null : Number(row.execution_status),
    errorNumber: row.error_number === null || row.error_number === undefined ? null : Number(row.error_number),
  }));
}

export type Outcome = 'succeeded' | 'failed' | 'canceled' | 'abandoned';

export async function completeTask(
  db: CatalogDb,
  taskId: string,
  leaseToken: string,
  outcome: Outcome,
  errorMessage?: string,
  workerAgentId?: string,
): Promise<{ executionStatus: number; willRetry: boolean }> {
  // Repeating a completion that did commit is refused with 51302 (the token is spent): safe to retry.
  const r = await db.call('internal.complete_task', { TaskId: taskId, LeaseToken: leaseToken, Outcome: outcome, ErrorMessage: errorMessage, WorkerAgentId: workerAgentId }, { idempotent: true });
  return { executionStatus: Number(r.output.executionstatus), willRetry: bool(r.output.willretry) };
}

/**
 * Appends log lines; lines with a stream and seq are stored once by number, the others once per
 * batch id. The master names the worker (only its own attempts' streams); the log-writer login
 * does not (the stream ids it shows are its capability).
 */
export async function appendExecutionMessages(db: CatalogDb, executionId: number, batchId: string | null, messages: readonly unknown[], workerAgentId?: string): Promise<number> {
  const r = await db.call('internal.append_execution_messages', { ExecutionId: executionId, BatchId: batchId ?? undefined, Messages: JSON.stringify(messages), WorkerAgentId: workerAgentId }, { idempotent: true });
  return Number(r.output.inserted);
}

/** The log-writer connection set by catalog.update_logdb_info, or null: workers then send logs through the master. */
export async function getLogDbConnection(db: CatalogDb): Promise<string | null> {
  const r = await db.call('internal.get_log_dbconnection', {}, { idempotent: true });
  const value = r.output.connection_string;
  return value === null || value === undefined || value === '' ? null : String(value);
}

/** A project version's bytes; with a worker, only a version of a task that worker holds (51403). */
export async function getProjectVersion(db: CatalogDb, contentHash: string, workerAgentId?: string): Promise<{ projectName: string; manifest: string; bytes: Buffer }> {
  const r = await db.call('internal.get_project_version', { ContentHash: contentHash, WorkerAgentId: workerAgentId }, { idempotent: true });
  const row = r.rows[0]!;
  return { projectName: String(row.project_name), manifest: String(row.manifest), bytes: Buffer.from(row.project_stream as Uint8Array) };
}

export async function updateMasterSettings(
  db: CatalogDb,
  m: { masterId: string; machineName: string; machineIP: string; port: number; thumbprint: string; heartbeatIntervalMs: number; address: string; processId: number; version: string },
): Promise<void> {
  await db.call(
    'internal.update_master_settings',
    {
      MasterId: m.masterId, MachineName: m.machineName, MachineIP: m.machineIP, MasterServicePort: String(m.port),
      SSLCertThumbprint: m.thumbprint, MasterHeartbeatIntervalInMs: String(m.heartbeatIntervalMs), Address: m.address,
      ProcessId: m.processId, Version: m.version,
    },
    { idempotent: true },
  );
}

export async function masterHeartbeat(db: CatalogDb, masterId: string): Promise<void> {
  await db.call('internal.master_heartbeat', { MasterId: masterId }, { idempotent: true });
}

export async function masterStopped(db: CatalogDb, masterId: string): Promise<void> {
  await db.call('internal.master_stopped', { MasterId: masterId }, { idempotent: true });
}

export interface SweepLease {
  readonly acquired: boolean;
  readonly epoch: number;
  readonly expiresAt: Date;
  readonly holderId: string;
}

export async function acquireSweepLease(db: CatalogDb, sweepName: string, masterId: string, leaseMs: number): Promise<SweepLease> {
  const r = await db.call('internal.acquire_sweep_lease', { SweepName: sweepName, MasterId: masterId, LeaseMs: leaseMs }, { idempotent: true });
  return { acquired: bool(r.output.acquired), epoch: Number(r.output.epoch), expiresAt: r.output.expiresat as Date, holderId: String(r.output.holderid) };
}

export async function releaseSweepLease(db: CatalogDb, sweepName: string, masterId: string, epoch: number): Promise<void> {
  await db.call('internal.release_sweep_lease', { SweepName: sweepName, MasterId: masterId, Epoch: epoch }, { idempotent: true });
}

/**
 * Runs a batched sweep procedure until a batch comes back short; returns the rows processed. Each
 * batch is its own short transaction; params are read again for each (they may hold a duration).
 */
export async function runBatchedSweep(db: CatalogDb, procedure: string, params: Record<string, unknown> | (() => Record<string, unknown>), batchSize = 1000, maxBatches = 100): Promise<number> {
  let total = 0;
  for (let i = 0; i < maxBatches; i++) {
    const r = await db.call(procedure, { ...(typeof params === 'function' ? params() : params), BatchSize: batchSize }, { idempotent: true });
    const n = Number(r.output.processed ?? 0);
    total += n;
    if (n < batchSize) break;
  }
  return total;
}

export interface Completion {
  readonly taskId: string;
  readonly leaseToken: string;
  readonly outcome: Outcome;
  readonly errorMessage?: string;
}

export interface CompletionResult {
  readonly taskId: string;
  readonly executionStatus: number | null;
  readonly willRetry: boolean | null;
  /** 51302 when the token was no longer the task's: nothing was recorded for it. */
  readonly errorNumber: number | null;
}

/** Many completions in one call; safe to resend (recorded ones come back as 51302). With a worker, only its own leases count. */
export async function completeTasks(db: CatalogDb, completions: readonly Completion[], workerAgentId?: string): Promise<CompletionResult[]> {
  const r = await db.call('internal.complete_tasks', { Completions: JSON.stringify(completions), WorkerAgentId: workerAgentId }, { idempotent: true });
  return r.rows.map((row) => ({
    taskId: String(row.task_id),
    executionStatus: row.execution_status === null ? null : Number(row.execution_status),
    willRetry: row.will_retry === null ? null : bool(row.will_retry),
    errorNumber: row.error_number === null ? null : Number(row.error_number),
  }));
}
