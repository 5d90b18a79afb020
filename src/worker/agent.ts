/**
 * The worker agent: registers with a master, heartbeats every AgentHeartbeatInterval, and
 * long-polls for tasks while it holds fewer than MaxTaskCount and the machine is below
 * TaskRequestMaxCPU and above TaskRequestMinMemory. Each task runs in a TaskRun; the lease keeper
 * renews all leases in one request per TaskHeartbeatInterval; the shipper delivers every attempt's
 * journal — straight to the catalog when the master hands out a log-writer connection, else
 * through the master. Whatever the master does (restarts, outages), the agent reconnects by itself.
 *
 * At start it first finishes what its previous run left: it ends that run's leftover package
 * processes, collects what those packages wrote, reports each attempt (an outcome that was not
 * reported yet, "abandoned" for a package that was running when the worker died, a release for a
 * task that never started) and delivers the attempts' remaining log lines.
 *
 * stop(): no new work, running packages get a grace period, logs are delivered or kept on disk,
 * outcomes reported or kept for the next start, then it returns.
 */

import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, freemem, hostname, release, totalmem, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CatalogError } from '../catalog/errors.ts';
import { appendExecutionMessages } from '../catalog/master-calls.ts';
import { parseCatalogSpec } from '../db/catalog-spec.ts';
import type { CatalogDb } from '../db/types.ts';
import type { Logger } from '../log/logger.ts';
import { IdleReasons } from './idle-reasons.ts';
import { AttemptStore, JOURNAL_FILE, readRecord, writeRecord, type AttemptRecord } from './attempt-store.ts';
import { HostPool } from './host-pool.ts';
import { Journal } from './journal.ts';
import { LeaseKeeper } from './lease-keeper.ts';
import { LogShipper, type LogSink, type PermanentFailure } from './log-shipper.ts';
import { isTransient, MasterClient, MasterError, type Task } from './master-client.ts';
import { OutputCollector } from './output-collector.ts';
import { ProcessGuard } from './process-guard.ts';
import { ProjectCache } from './project-cache.ts';
import { reportAttempt } from './report-attempt.ts';
import { CompletionOutbox } from './completion-outbox.ts';
import type { WorkerSettings } from './settings.ts';
import { keptAtLevel, MessageType, TaskRun, workerLine } from './task-runner.ts';
import { PRODUCT_VERSION } from '../version.ts';

export const AGENT_VERSION = PRODUCT_VERSION;

export interface WorkerAgentOptions {
  readonly settings: WorkerSettings;
  readonly log: Logger;
  /** How long running packages may go on after stop() before they are ended. */
  readonly shutdownGraceMs?: number;
}

const HOUR = 3_600_000;

export class WorkerAgent {
  readonly client: MasterClient;
  readonly shipper: LogShipper;
  private readonly store: AttemptStore;
  private readonly cache: ProjectCache;
  private readonly guard: ProcessGuard;
  private readonly keeper: LeaseKeeper;
  private readonly idle: IdleReasons;
  private readonly hosts: HostPool;
  private readonly outbox: CompletionOutbox;
  private readonly running = new Map<string, TaskRun>();
  private readonly recovering: Array<Promise<void>> = [];
  private stopping = false;
  private pollAbort: AbortController | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private cleanupTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private slotFreed: (() => void) | undefined;
  private logDb: { spec: string; db: CatalogDb } | undefined;
  private cpuSample = cpuTimes();
  private cpuSampledAt = performance.now();
  private cpuPercent = 0;

  constructor(private readonly options: WorkerAgentOptions) {
    const s = options.settings;
    this.client = new MasterClient({
      endpoints: s.MasterEndpoint,
      masterThumbprint: s.MasterHttpsCertThumbprint,
      cert: readFileSync(s.WorkerCertFile),
      key: readFileSync(s.WorkerKeyFile),
    });
    this.cache = new ProjectCache(join(s.StateFolder, 'Projects'), s.ProjectCacheMaxBytes, (hash) => this.fetchProject(hash));
    this.store = new AttemptStore(s.ExecutionLogCacheFolder);
    this.shipper = new LogShipper({ store: this.store, maxLinesPerBatch: s.ExecutionLogMaxBufferLogCount, retryTimeoutMs: s.ExecutionLogRetryTimeout, log: options.log });
    this.guard = new ProcessGuard(s.AgentId, options.log);
    this.keeper = new LeaseKeeper({ client: this.client, agentId: s.AgentId, leaseMs: s.LeaseInterval, heartbeatMs: s.TaskHeartbeatInterval, toleranceMs: s.HeartbeatErrorTolerance, log: options.log });
    this.idle = new IdleReasons(options.log);
    this.hosts = new HostPool(join(s.TasksRootFolder, '.hosts'), this.guard, { maxHosts: s.MaxTaskCount });
    this.outbox = new CompletionOutbox((completions) => this.client.completeMany(completions), options.log, () => this.stopping);
    // An outcome waiting wakes a claim loop whose slots are all busy: it goes out with the next claim.
    this.outbox.onQueued = () => this.wakeClaimLoop();
  }

  private wakeClaimLoop(): void {
    this.slotFreed?.();
    this.slotFreed = undefined;
  }

  get runningTaskCount(): number {
    return this.running.size;
  }

  /** Finishes what the last run left, registers (retrying until a master answers), and starts working. */
  async start(): Promise<void> {
    const s = this.options.settings;
    this.guard.endLeftovers();
    await this.guard.start();
    const recovered = this.store.pendingFolders().map((folder) => this.recover(folder));
    // Every recovered package's output has been read: host files no run needs can go.
    this.hosts.removeStaleFiles(new Set());
    this.shipper.useSink(this.masterSink());
    this.keeper.start();
    for (const r of recovered) if (r) this.recovering.push(r);
    if (recovered.length > 0) this.options.log.info('finishing what the last run of this worker left', { attempts: recovered.length });
    void this.shipper.deliverLegacyBatches(s.ExecutionLogCacheFolder, (executionId, batchId, lines) => this.client.appendLogs(executionId, lines, batchId).then(() => undefined));
    await this.register();
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), s.AgentHeartbeatInterval);
    this.cleanupTimer = setInterval(() => this.removeOldTaskFolders(), HOUR);
    this.cleanupTimer.unref();
    this.removeOldTaskFolders();
    this.loop = this.claimLoop();
  }

  /** Stops taking work, lets running packages finish within the grace period, delivers logs and outcomes. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.pollAbort?.abort();
    this.slotFreed?.();
    clearInterval(this.heartbeatTimer);
    clearInterval(this.cleanupTimer);
    await this.loop?.catch(() => undefined);
    const grace = this.options.shutdownGraceMs ?? 30_000;
    const runs = [...this.running.values()];
    const timer = setTimeout(() => runs.forEach((r) => r.stop('shutdown')), grace);
    const ended = Promise.allSettled([...runs.map((r) => r.done), ...this.recovering]);
    // Packages end within the grace (then their stop grace); outcomes and lines get 10 s more.
    await Promise.race([ended, sleep(grace + this.options.settings.StopGraceInterval + 10_000, undefined, { ref: false })]);
    clearTimeout(timer);
    this.hosts.close();
    await this.shipper.close(5_000);
    await Promise.race([ended, sleep(1000, undefined, { ref: false })]);
    this.outbox.stop();
    this.keeper.stop();
    this.store.close();
    this.guard.close();
    this.client.close();
    await this.logDb?.db.close().catch(() => undefined);
  }

  /**
   * Finishes one attempt the last run of the worker left: the package is dead (ended with its
   * worker, or by endLeftovers), so what it wrote is read to the end; then the report it is owed.
   */
  private recover(folder: string): Promise<void> | undefined {
    let record = readRecord(folder);
    if (!record) return undefined;
    const journal = Journal.open(join(folder, JOURNAL_FILE));
    if (record.state === 'started' || record.state === 'ended') {
      // What the package wrote and the journal does not hold yet (nothing, when the run got that far).
      new OutputCollector({
        journal,
        sources: record.sources ?? [],
        base: { package: record.packageName, sourceName: record.packageName, source: 30 },
        keep: (type) => keptAtLevel(record!.loggingLevel, type),
        recovering: true,
      }).finish(record.ends);
    }
    if (record.state === 'started') {
      if (keptAtLevel(record.loggingLevel, MessageType.Warning)) {
        journal.append([workerLine(MessageType.Warning, `The worker stopped while this attempt's package ran; the package was ended with it. Attempt ${record.attempt} is reported as abandoned.`, record.packageName)]);
      }
      record = { ...record, state: 'ended', report: { kind: 'complete', outcome: 'abandoned', reason: 'The worker restarted while the package ran.' } };
      writeRecord(record);
    } else if (record.state === 'claimed') {
      record = { ...record, state: 'ended', report: { kind: 'release' } };
      writeRecord(record);
    }
    this.shipper.track(record, journal, false);
    if (record.state === 'reported') {
      this.shipper.reported(record);
      return undefined;
    }
    return this.reportRecovered(record);
  }

  private async reportRecovered(record: AttemptRecord): Promise<void> {
    // An outcome the package reached is worth its lease: keep renewing it until it is recorded.
    const keep = record.report?.kind === 'complete' && record.report.outcome !== 'abandoned';
    const lease = keep ? this.keeper.hold(record.taskId, record.leaseToken, { onCancel: () => undefined, onLost: () => undefined, onUnreachable: () => undefined }, { acknowledged: true }) : undefined;
    await this.shipper.flush(record);
    const answered = await reportAttempt(record, { client: this.client, agentId: this.options.settings.AgentId, log: this.options.log, stopping: () => this.stopping });
    lease?.release();
    if (!answered) return;
    const done = { ...record, state: 'reported' as const };
    writeRecord(done);
    this.shipper.reported(done);
  }

  /**
   * A project's bytes, asked for again (after 0.25, 1 and 3 s) while no master answers or one
   * answers 5xx: a master swamped for a moment must not fail the attempts waiting on it.
   */
  private async fetchProject(hash: string): Promise<Buffer> {
    for (const pause of PROJECT_FETCH_PAUSES_MS) {
      try {
        return await this.client.fetchProject(hash);
      } catch (error) {
        if (!isTransient(error) || this.stopping) throw error;
        this.options.log.warn('project not fetched yet; asking again', { contentHash: hash, inMs: pause, error });
        await sleep(pause);
      }
    }
    return this.client.fetchProject(hash);
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
        this.noteEnabled(r.isEnabled);
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
        logLinesPending: this.shipper.pendingLines,
        logLinesUndeliverable: this.shipper.undeliverableLines,
      });
      this.noteEnabled(r.isEnabled);
      await this.useLogDb(r.logDbConnection);
    } catch (error) {
      this.options.log.warn('heartbeat failed', { error, master: this.client.endpoint });
    }
  }

  private async claimLoop(): Promise<void> {
    const s = this.options.settings;
    let failures = 0;
    while (!this.stopping) {
      // A run waiting for its outcome's answer holds its slot; the claim may count it free, as the
      // catalog records the outcome before it claims.
      const reporting = this.outbox.waiting;
      const free = s.MaxTaskCount - this.running.size + Math.min(reporting, this.running.size);
      if (free <= 0) {
        this.idle.note('slots', `not claiming: all ${s.MaxTaskCount} slots are busy (MaxTaskCount)`, { running: this.running.size });
        await new Promise<void>((r) => (this.slotFreed = r));
        continue;
      }
      this.idle.clear('slots');
      if (!this.machineHasRoom()) {
        await sleep(1000);
        continue;
      }
      this.pollAbort = new AbortController();
      const batch = this.outbox.take();
      try {
        let tasks: Task[];
        if (batch.length > 0) {
          // Outcomes first, then the claim, in one request; no long poll, so their answers come at once.
          const r = await this.client.exchange(s.AgentId, batch.map((w) => w.completion), free, 0, s.LeaseInterval);
          this.outbox.answered(batch, r.results);
          tasks = r.tasks;
        } else {
          tasks = await this.client.claim(s.AgentId, free, s.LongPollInterval, s.LeaseInterval, this.pollAbort.signal);
        }
        failures = 0;
        // Tasks that arrive while the worker stops are given back by their run, at no attempt.
        for (const task of tasks) this.startTask(task);
      } catch (error) {
        if (batch.length > 0) this.outbox.failed(batch, error);
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
    const run = new TaskRun(task, {
      settings: this.options.settings,
      client: this.client,
      cache: this.cache,
      shipper: this.shipper,
      log: this.options.log,
      hosts: this.hosts,
      guard: this.guard,
      keeper: this.keeper,
      store: this.store,
      outbox: this.outbox,
      stopping: () => this.stopping,
    });
    this.running.set(task.taskId, run);
    this.options.log.info('task started', { taskId: task.taskId, executionId: task.executionId, package: task.packageName, attempt: task.executedCount });
    void run.done.finally(() => {
      this.running.delete(task.taskId);
      this.wakeClaimLoop();
    });
  }

  /** Task folders older than TaskFolderRetention go, unless their attempt still owes a report or lines. */
  private removeOldTaskFolders(): void {
    const s = this.options.settings;
    const keep = new Set(this.store.pendingFolders());
    const before = Date.now() - s.TaskFolderRetention;
    let names: string[];
    try {
      names = readdirSync(s.TasksRootFolder);
    } catch {
      return;
    }
    for (const name of names) {
      if (!/^[0-9a-f-]{36}\.\d+$/.test(name)) continue;
      const folder = join(s.TasksRootFolder, name);
      if (keep.has(folder)) continue;
      try {
        if (statSync(folder).mtimeMs < before) rmSync(folder, { recursive: true, force: true });
      } catch {
        // Gone meanwhile.
      }
    }
  }

  /** CPU below TaskRequestMaxCPU and free memory above TaskRequestMinMemory (MB); says which gate holds. */
  private machineHasRoom(): boolean {
    const s = this.options.settings;
    this.sampleCpu();
    const freeMb = freemem() / 1048576;
    const cpuOk = this.cpuPercent <= s.TaskRequestMaxCPU;
    const memoryOk = freeMb >= s.TaskRequestMinMemory;
    if (cpuOk) this.idle.clear('cpu');
    else this.idle.note('cpu', `not claiming: the machine's CPU is at ${this.cpuPercent.toFixed(0)} %, above TaskRequestMaxCPU ${s.TaskRequestMaxCPU} %; tasks wait until it falls`, { cpuPercent: Math.round(this.cpuPercent), TaskRequestMaxCPU: s.TaskRequestMaxCPU });
    if (memoryOk) this.idle.clear('memory');
    else this.idle.note('memory', `not claiming: ${freeMb.toFixed(0)} MB of memory free, below TaskRequestMinMemory ${s.TaskRequestMinMemory} MB; tasks wait until more is free`, { availableMemoryMB: Math.round(freeMb), TaskRequestMinMemory: s.TaskRequestMinMemory });
    return cpuOk && memoryOk;
  }

  /** A disabled worker gets no task: said with the command that enables it. */
  private noteEnabled(isEnabled: boolean): void {
    const id = this.options.settings.AgentId;
    if (isEnabled) this.idle.clear('disabled');
    else {
      this.idle.note(
        'disabled',
        `this worker is disabled in the catalog and gets no task; enable it with: scaleout agent enable ${id} (or EXEC catalog.enable_worker_agent @WorkerAgentId = '${id}')`,
        { agentId: id },
        'warn',
      );
    }
  }

  private sampleCpu(): void {
    // Sample over at least half a second, so one claim's burst does not decide (and reading every
    // CPU's times before each claim is not what a busy worker spends its time on).
    const at = performance.now();
    if (at - this.cpuSampledAt < 500) return;
    const now = cpuTimes();
    const busy = now.busy - this.cpuSample.busy;
    const total = now.total - this.cpuSample.total;
    this.cpuPercent = total > 0 ? (100 * busy) / total : 0;
    this.cpuSample = now;
    this.cpuSampledAt = at;
  }

  private masterSink(): LogSink {
    return {
      append: async (executionId, lines) => {
        await this.client.appendLogs(executionId, lines);
      },
      permanent: (error): PermanentFailure | undefined => {
        if (!(error instanceof MasterError)) return undefined;
        if (error.status === 413) return 'too_large';
        if (error.status === 404 && /51106/.test(error.message)) return 'gone';
        if (error.status === 400) return 'invalid';
        return undefined;
      },
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
        append: async (executionId, lines) => {
          await appendExecutionMessages(db, executionId, null, lines);
        },
        permanent: (error): PermanentFailure | undefined => {
          if (!(error instanceof CatalogError)) return undefined;
          if (error.number === 51106) return 'gone';
          if (error.number === 51000 || error.number === 51001) return 'invalid';
          return undefined;
        },
      });
      this.options.log.info('execution logs go straight to the catalog with the log-writer login');
    } catch (error) {
      this.options.log.warn('the log database cannot be used; execution logs go through the master', { error });
    }
  }
}

/** Pauses between the tries of a project fetch that failed for a reason that may pass. */
const PROJECT_FETCH_PAUSES_MS = [250, 1000, 3000];

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

