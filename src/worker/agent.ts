/**
 * The worker agent: registers with a master, heartbeats every AgentHeartbeatInterval, and
 * long-polls for tasks while it holds fewer than MaxTaskCount and the machine is below
 * TaskRequestMaxCPU and above TaskRequestMinMemory. Each task runs in a TaskRun. Logs go through
 * the LogShipper — straight to the catalog when the master hands out a log-writer connection,
 * else through the master. Whatever the master does (restarts, outages), the agent reconnects by
 * itself. stop(): no new work, running packages get a grace period, logs are delivered or kept on
 * disk, then it returns.
 */

import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, freemem, hostname, release, totalmem, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseCatalogSpec } from '../db/catalog-spec.ts';
import type { CatalogDb } from '../db/types.ts';
import { CatalogError } from '../catalog/errors.ts';
import { appendExecutionMessages } from '../catalog/master-calls.ts';
import type { Logger } from '../master/log.ts';
import { HostPool } from './host-pool.ts';
import { LogShipper, type LogSink } from './log-shipper.ts';
import { MasterClient, MasterError, type Task } from './master-client.ts';
import { ProjectCache } from './project-cache.ts';
import type { WorkerSettings } from './settings.ts';
import { TaskRun } from './task-runner.ts';

export const AGENT_VERSION = '0.1.0';

export interface WorkerAgentOptions {
  readonly settings: WorkerSettings;
  readonly log: Logger;
  /** How long running packages may go on after stop() before they are ended. */
  readonly shutdownGraceMs?: number;
}

export class WorkerAgent {
  readonly client: MasterClient;
  readonly shipper: LogShipper;
  private readonly cache: ProjectCache;
  private readonly hosts = new HostPool();
  private readonly running = new Map<string, TaskRun>();
  private stopping = false;
  private pollAbort: AbortController | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private slotFreed: (() => void) | undefined;
  private logDb: { spec: string; db: CatalogDb } | undefined;
  private cpuSample = cpuTimes();
  private cpuPercent = 0;

  constructor(private readonly options: WorkerAgentOptions) {
    const s = options.settings;
    this.client = new MasterClient({
      endpoints: s.MasterEndpoint,
      masterThumbprint: s.MasterHttpsCertThumbprint,
      cert: readFileSync(s.WorkerCertFile),
      key: readFileSync(s.WorkerKeyFile),
    });
    this.cache = new ProjectCache(join(s.StateFolder, 'Projects'), s.ProjectCacheMaxBytes, (hash) => this.client.fetchProject(hash));
    this.shipper = new LogShipper({
      folder: s.ExecutionLogCacheFolder,
      maxLinesPerBatch: s.ExecutionLogMaxBufferLogCount,
      maxInMemoryBatches: s.ExecutionLogMaxInMemoryBufferCount,
      retryCount: s.ExecutionLogRetryCount,
      retryTimeoutMs: s.ExecutionLogRetryTimeout,
      log: options.log,
    });
  }

  get runningTaskCount(): number {
    return this.running.size;
  }

  /** Registers (retrying until a master answers) and starts heartbeats and the claim loop. */
  async start(): Promise<void> {
    const s = this.options.settings;
    const recovered = this.shipper.recover();
    if (recovered > 0) this.options.log.info('execution log batches left on disk will be delivered', { batches: recovered });
    this.shipper.useSink(this.masterSink());
    await this.register();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), s.AgentHeartbeatInterval);
    this.loop = this.claimLoop();
  }

  /** Stops taking work, lets running packages finish within the grace period, delivers logs. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.pollAbort?.abort();
    this.slotFreed?.();
    clearInterval(this.heartbeatTimer);
    await this.loop?.catch(() => undefined);
    const grace = this.options.shutdownGraceMs ?? 30_000;
    const runs = [...this.running.values()];
    const timer = setTimeout(() => runs.forEach((r) => r.stop('shutdown')), grace);
    await Promise.allSettled(runs.map((r) => r.done));
    clearTimeout(timer);
    this.hosts.close();
    await this.shipper.close(10_000);
    this.client.close();
    await this.logDb?.db.close().catch(() => undefined);
  }

  private async register(): Promise<void> {
    const s = this.options.settings;
    for (let attempt = 0; !this.stopping; attempt++) {
      try {
        const r = await this.client.register(s.AgentId, {
          machineName: hostname(),
          userAccount: safeUser(),
          displayName: s.DisplayName,
          description: s.Description,
          heartbeatIntervalMs: Math.max(1000, s.AgentHeartbeatInterval),
          maxTaskCount: s.MaxTaskCount,
          osVersion: release(),
          processorCount: availableParallelism(),
          totalMemoryMB: Math.round(totalmem() / 1048576),
          agentVersion: AGENT_VERSION,
        });
        await this.useLogDb(r.logDbConnection);
        this.options.log.info('registered', { agentId: s.AgentId, master: this.client.endpoint, isEnabled: r.isEnabled });
        return;
      } catch (error) {
        this.options.log.warn('cannot register with a master yet', { error, master: this.client.endpoint });
        await sleep(backoff(attempt, error));
      }
    }
  }

  private async heartbeat(): Promise<void> {
    const s = this.options.settings;
    this.sampleCpu();
    try {
      const r = await this.client.heartbeat(s.AgentId, {
        machineName: hostname(),
        userAccount: safeUser(),
        cpuPercent: Math.round(this.cpuPercent * 10) / 10,
        availableMemoryMB: Math.round(freemem() / 1048576),
        runningTaskCount: this.running.size,
      });
      await this.useLogDb(r.logDbConnection);
    } catch (error) {
      this.options.log.warn('heartbeat failed', { error, master: this.client.endpoint });
    }
  }

  private async claimLoop(): Promise<void> {
    const s = this.options.settings;
    let failures = 0;
    while (!this.stopping) {
      const free = s.MaxTaskCount - this.running.size;
      if (free <= 0) {
        await new Promise<void>((r) => (this.slotFreed = r));
        continue;
      }
      if (!this.machineHasRoom()) {
        await sleep(1000);
        continue;
      }
      this.pollAbort = new AbortController();
      try {
        const tasks = await this.client.claim(s.AgentId, free, s.LongPollInterval, s.LeaseInterval, this.pollAbort.signal);
        failures = 0;
        for (const task of tasks) this.startTask(task);
      } catch (error) {
        if (this.stopping) break;
        failures++;
        this.options.log.warn('claim failed', { error, master: this.client.endpoint });
        // 403 after a catalog change (certificate untrusted, worker deleted): register again later.
        if (error instanceof MasterError && error.status === 403) await this.register();
        await sleep(backoff(failures, error));
      }
    }
  }

  private startTask(task: Task): void {
    const run = new TaskRun(task, { settings: this.options.settings, client: this.client, cache: this.cache, shipper: this.shipper, log: this.options.log, hosts: this.hosts });
    this.running.set(task.taskId, run);
    this.options.log.info('task started', { taskId: task.taskId, executionId: task.executionId, package: task.packageName, attempt: task.executedCount });
    void run.done.finally(() => {
      this.running.delete(task.taskId);
      this.slotFreed?.();
      this.slotFreed = undefined;
    });
  }

  /** CPU below TaskRequestMaxCPU and free memory above TaskRequestMinMemory (MB). */
  private machineHasRoom(): boolean {
    const s = this.options.settings;
    this.sampleCpu();
    const freeMb = freemem() / 1048576;
    return this.cpuPercent <= s.TaskRequestMaxCPU && freeMb >= s.TaskRequestMinMemory;
  }

  private sampleCpu(): void {
    const now = cpuTimes();
    const busy = now.busy - this.cpuSample.busy;
    const total = now.total - this.cpuSample.total;
    // Sample over at least half a second, so one claim's burst does not decide.
    if (total < 500 * cpus().length) return;
    this.cpuPercent = total > 0 ? (100 * busy) / total : 0;
    this.cpuSample = now;
  }

  private masterSink(): LogSink {
    return {
      append: async (executionId, batchId, lines) => {
        await this.client.appendLogs(executionId, batchId, lines);
      },
      isPermanent: (error) => error instanceof MasterError && error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429,
    };
  }

  /** Logs go straight to the catalog with the log-writer login when one is configured and reachable. */
  private async useLogDb(spec: string | null | undefined): Promise<void> {
    if ((spec ?? undefined) === this.logDb?.spec) return;
    const previous = this.logDb;
    this.logDb = undefined;
    this.shipper.useSink(this.masterSink());
    await previous?.db.close().catch(() => undefined);
    if (!spec) return;
    try {
      const parsed = parseCatalogSpec(spec);
      if (parsed.backend === 'pglite') throw new Error('an embedded catalog cannot be shared with workers');
      const { openCatalog } = await import('../db/open.ts');
      const db = await openCatalog(parsed);
      this.logDb = { spec, db };
      this.shipper.useSink({
        append: async (executionId, batchId, lines) => {
          await appendExecutionMessages(db, executionId, batchId, [...lines]);
        },
        isPermanent: (error) => error instanceof CatalogError,
      });
      this.options.log.info('execution logs go straight to the catalog with the log-writer login');
    } catch (error) {
      this.options.log.warn('the log database cannot be used; execution logs go through the master', { error });
    }
  }
}

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times.user + c.times.nice + c.times.sys + c.times.irq;
    busy += t;
    total += t + c.times.idle;
  }
  return { busy, total };
}

function safeUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}

/** Capped exponential backoff with jitter; longer for refusals that need a DBA (403). */
function backoff(attempt: number, error: unknown): number {
  const cap = error instanceof MasterError && error.status === 403 ? 30_000 : 10_000;
  const base = Math.min(cap, 250 * 2 ** Math.min(attempt, 8));
  return base / 2 + Math.random() * (base / 2);
}
