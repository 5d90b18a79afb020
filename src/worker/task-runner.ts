/**
 * Runs one claimed task's attempt to its end, so that it runs at most once at a time and every line
 * it writes reaches the catalog once:
 *
 *  1. The attempt is recorded on disk (attempt-store.ts) and its lease held by the lease keeper,
 *     which acknowledges the claim at once. Nothing runs before the acknowledgement; a claim that
 *     cannot be acknowledged, or that arrives while the worker stops, is given back at no attempt.
 *  2. The package runs in a process group of its own (a node package in a package host, a command
 *     directly, never through a shell), watched by the process guard; its output goes to files,
 *     read into the attempt's journal (output-collector.ts) as it comes.
 *  3. What ends a run early: a stop request (AbortSignal or SIGTERM, then SIGKILL to the group
 *     after StopGraceInterval), the package's timeout, HeartbeatErrorTolerance without an accepted
 *     renewal, the worker shutting down — and, at once and with nothing reported, a lease taken
 *     over or run out by the worker's own clock (lease-keeper.ts).
 *  4. The outcome is recorded on disk, the journal delivered, and the outcome reported with the
 *     lease token until a master answers — the lease is renewed all along, so a long log flush or
 *     a slow report never lets it expire under a finished package.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { cutLine, storableText } from '../catalog/log-lines.ts';
import type { Logger } from '../log/logger.ts';
import type { PackageDefinition } from '../project/manifest.ts';
import { JOURNAL_FILE, RecordFile, type AttemptRecord, type AttemptStore, type OutputSource, type Report } from './attempt-store.ts';
import type { Host, HostPool } from './host-pool.ts';
import { Journal, type JournalLine } from './journal.ts';
import type { LeaseHandle, LeaseKeeper } from './lease-keeper.ts';
import type { LogShipper } from './log-shipper.ts';
import { isTransient, type MasterClient, type Outcome, type Task } from './master-client.ts';
import { eventName, OutputCollector } from './output-collector.ts';
import { parameterEnvironment, resolveParameters, substitute, type ResolvedParameters } from './parameters.ts';
import { signalGroup, type ProcessGuard } from './process-guard.ts';
import type { ProjectCache } from './project-cache.ts';
import { reportAttempt } from './report-attempt.ts';
import type { CompletionOutbox } from './completion-outbox.ts';
import { setLongTimeout, type LongTimeout } from './long-timeout.ts';
import type { WorkerSettings } from './settings.ts';

/** SSIS message types (catalog.operation_messages.message_type) and source types. */
export const MessageType = { PreExecute: 30, PostExecute: 40, Progress: 60, Information: 70, Warning: 110, Error: 120, TaskFailed: 130, Diagnostic: 140 } as const;
export const SOURCE_WORKER = 20; // "external process used to run the package"
const SOURCE_PACKAGE = 30; // "package-level objects"

/** TaskLogLevel bits: Verbose 0x01, Information 0x02, Warning 0x04, Error 0x08, Progress 0x10, CriticalError 0x20, Audit 0x40. */
function taskLogBit(type: number): number {
  switch (type) {
    case MessageType.Diagnostic:
      return 0x01;
    case MessageType.Warning:
      return 0x04;
    case MessageType.Error:
      return 0x08;
    case MessageType.Progress:
      return 0x10;
    case MessageType.TaskFailed:
      return 0x20;
    case MessageType.PreExecute:
    case MessageType.PostExecute:
      return 0x40;
    default:
      return 0x02;
  }
}

/** Whether the execution's LOGGING_LEVEL (0 None, 1 Basic, 2 Performance, 3 Verbose) keeps a message type. */
export function keptAtLevel(level: number, type: number): boolean {
  if (level >= 3) return true;
  if (level === 0) return type === MessageType.Error || type === MessageType.TaskFailed;
  if (level === 2) return type !== MessageType.Information && type !== MessageType.Diagnostic && type !== MessageType.Progress;
  return type !== MessageType.Diagnostic;
}

/** A message the worker itself writes about an attempt. */
export function workerLine(type: number, message: string, packageName: string): JournalLine {
  return { time: new Date().toISOString(), type, source: SOURCE_WORKER, message: cutLine(storableText(message)), package: packageName, event: eventName(type), sourceName: 'Scale Out worker' };
}

export type StopReason = 'canceled' | 'timeout' | 'tolerance' | 'shutdown' | 'lease_lost' | 'lease_expired';

const LEASE_GONE = new Set<StopReason>(['lease_lost', 'lease_expired']);

export interface TaskRunnerDeps {
  readonly settings: WorkerSettings;
  readonly client: MasterClient;
  readonly cache: ProjectCache;
  readonly shipper: LogShipper;
  readonly log: Logger;
  readonly hosts: HostPool;
  readonly guard: ProcessGuard;
  readonly keeper: LeaseKeeper;
  readonly store: AttemptStore;
  /** Outcomes go out together, with the next claim when one is about to be made (tasks:exchange). */
  readonly outbox: CompletionOutbox;
  /** The worker is stopping: a task that has not started is given back. */
  readonly stopping: () => boolean;
}

interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly node: boolean;
}

interface PackageResult {
  readonly ok: boolean;
  readonly error?: string;
}

/** A package that ended, and its output still to be read to the end. */
interface Ended {
  readonly result: PackageResult;
  readonly output: OutputCollector;
  /** Where a reused host's output for this run ends. */
  readonly ends?: Record<string, number>;
}

export class TaskRun {
  readonly done: Promise<void>;
  private record!: AttemptRecord;
  private recordFile: RecordFile | undefined;
  private journal!: Journal;
  private lease!: LeaseHandle;
  private running: Running | undefined;
  private stopReason: StopReason | undefined;
  /** The package has ended: the outcome stands, whatever happens to the lease now. */
  private ended = false;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly stderrTail: string[] = [];
  private readonly params: ResolvedParameters;
  private readonly loggingLevel: number;
  private timeoutSeconds: number | undefined;
  private readonly taskLog: string[] = [];
  private taskLogFlush: NodeJS.Immediate | undefined;
  private taskLogFile: string | undefined;

  constructor(
    readonly task: Task,
    private readonly deps: TaskRunnerDeps,
  ) {
    this.params = resolveParameters(task.parameters);
    const level = Number(this.params.system.LOGGING_LEVEL ?? 1);
    this.loggingLevel = Number.isFinite(level) ? level : 1;
    this.done = this.run()
      .catch((error: unknown) => {
        deps.log.error('task run failed in the worker itself', { taskId: task.taskId, executionId: task.executionId, error });
      })
      .finally(() => this.recordFile?.close());
  }

  /** Ends the run early. The first reason is the one reported, but a lost lease overrides any. */
  stop(reason: StopReason): void {
    if (this.ended) return;
    if (this.stopReason && !(LEASE_GONE.has(reason) && !LEASE_GONE.has(this.stopReason))) return;
    this.stopReason = reason;
    if (LEASE_GONE.has(reason) && this.journal) this.emit(MessageType.Warning, stopMessage(reason, this.timeoutSeconds, this.deps.settings.LeaseInterval));
    if (reason === 'tolerance' && this.journal) this.emit(MessageType.Warning, stopMessage(reason, this.timeoutSeconds, this.deps.settings.LeaseInterval));
    const r = this.running;
    if (!r || r.child.exitCode !== null || r.child.signalCode !== null) return;
    if (LEASE_GONE.has(reason)) {
      signalGroup(r.pid, 'SIGKILL');
      return;
    }
    if (r.node && r.child.connected) r.child.send({ t: 'abort', reason: stopMessage(reason, this.timeoutSeconds, this.deps.settings.LeaseInterval) }, () => undefined);
    else signalGroup(r.pid, 'SIGTERM');
    this.killTimer ??= setTimeout(() => signalGroup(r.pid, 'SIGKILL'), this.deps.settings.StopGraceInterval);
  }

  private emit(type: number, message: string): void {
    if (!keptAtLevel(this.loggingLevel, type)) return;
    const line = workerLine(type, message, this.task.packageName);
    this.journal.append([line]);
    this.toTaskLog(line);
  }

  /** The task log (TaskLogEnabled, TaskLogLevel): written in one append per turn of the event loop. */
  private toTaskLog(line: JournalLine): void {
    if (!this.taskLogFile || !(this.deps.settings.TaskLogLevel & taskLogBit(line.type))) return;
    this.taskLog.push(`${line.time} ${line.type} ${line.message}\n`);
    this.taskLogFlush ??= setImmediate(() => this.flushTaskLog());
  }

  private flushTaskLog(): void {
    this.taskLogFlush = undefined;
    if (this.taskLog.length === 0 || !this.taskLogFile) return;
    try {
      appendFileSync(this.taskLogFile, this.taskLog.join(''));
    } catch {
      // The task log is for troubleshooting; a full disk must not fail the task.
    }
    this.taskLog.length = 0;
  }

  /** The record as its file holds it now. */
  private written: string | undefined;

  /**
   * Appends the record when it changed: a write that says again what the file says is skipped
   * (the success path says "ended, succeeded" up to three times).
   */
  private save(changes: Partial<AttemptRecord>): void {
    this.record = { ...this.record, ...changes };
    const text = JSON.stringify(this.record);
    if (text === this.written) return;
    this.recordFile!.write(text);
    this.written = text;
  }

  private async run(): Promise<void> {
    const { task, deps } = this;
    const folder = join(deps.settings.TasksRootFolder, `${task.taskId}.${task.executedCount}`);
    mkdirSync(join(folder, 'work'), { recursive: true });
    this.taskLogFile = deps.settings.TaskLogEnabled ? join(folder, 'task.log') : undefined;
    this.record = {
      version: 1,
      taskId: task.taskId,
      executionId: task.executionId,
      attempt: task.executedCount,
      maxAttempts: task.maxExecutedCount,
      leaseToken: task.leaseToken,
      leaseMs: deps.settings.LeaseInterval,
      // The catalog's stream for this attempt: the only one it lets this worker append lines to.
      streamId: task.streamId ?? randomUUID(),
      packageName: task.packageName,
      loggingLevel: this.loggingLevel,
      folder,
      state: 'claimed',
      // Until the package starts, what is owed is to give the task back.
      report: { kind: 'release' },
    };
    this.written = JSON.stringify(this.record);
    this.recordFile = new RecordFile(folder);
    this.recordFile.write(this.written);
    deps.store.addPending(this.record);
    this.journal = Journal.open(join(folder, JOURNAL_FILE));
    this.journal.onAppend = () => deps.shipper.touch(this.record);
    deps.shipper.track(this.record, this.journal, true);
    this.lease = deps.keeper.hold(task.taskId, task.leaseToken, {
      onCancel: () => this.stop('canceled'),
      onLost: (reason) => this.stop(reason),
      onUnreachable: () => this.stop('tolerance'),
    });
    // The project is fetched while the claim is acknowledged.
    const project = deps.cache.acquire(task.contentHash).catch((error: Error) => error);
    const acknowledged = await this.lease.acknowledged;
    if (!acknowledged || deps.stopping() || this.stopReason === 'shutdown') {
      const p = await project;
      if (!(p instanceof Error)) p.release();
      deps.log.info(acknowledged ? 'task given back: the worker is stopping' : 'task not acknowledged; it goes back at no attempt', { taskId: task.taskId, executionId: task.executionId });
      await this.finish(this.stopReason === 'lease_lost' ? { kind: 'none' } : { kind: 'release' });
      return;
    }

    // A project no master could hand over now (they were unreachable or answered 5xx through the
    // fetch's retries) is no fault of the package: the task goes back at no attempt.
    const p = await project;
    if (p instanceof Error && isTransient(p)) {
      deps.log.warn('task given back: its project could not be fetched now; it goes back at no attempt', { taskId: task.taskId, executionId: task.executionId, error: p });
      this.emit(MessageType.Warning, `The worker could not fetch project ${task.projectName} (version ${task.projectLsn}) now: ${p.message} The task was given back at no attempt.`);
      await this.finish(this.stopReason === 'lease_lost' ? { kind: 'none' } : { kind: 'release' });
      return;
    }

    // From here on the attempt counts: it is this worker's until its outcome is recorded.
    const started = Date.now();
    this.emit(MessageType.PreExecute, `Attempt ${task.executedCount} of ${task.maxExecutedCount} started on worker ${deps.settings.DisplayName} (${deps.settings.AgentId}).`);
    let outcome: Outcome;
    let reason: string | undefined;
    let timer: LongTimeout | undefined;
    try {
      if (p instanceof Error) throw new Error(`The project ${task.projectName} (version ${task.projectLsn}) could not be fetched: ${p.message}`);
      const pkg = p.manifest.packages.find((x) => x.name === task.packageName);
      if (!pkg) throw new Error(`The project ${task.projectName} has no package ${task.packageName}.`);
      const timeoutSeconds = task.timeoutSeconds ?? pkg.timeoutSeconds;
      this.timeoutSeconds = timeoutSeconds;
      if (timeoutSeconds) timer = setLongTimeout(() => this.stop('timeout'), timeoutSeconds * 1000);
      if (this.stopReason) throw new Error(stopMessage(this.stopReason, timeoutSeconds, deps.settings.LeaseInterval));
      const ended = await this.runPackage(pkg, p.folder, join(folder, 'work'));
      this.ended = true;
      if (ended.result.ok && !this.stopReason) {
        // Recorded before the rest of the output is read: a worker that dies now still reports it.
        this.save({ state: 'ended', report: { kind: 'complete', outcome: 'succeeded' }, ends: ended.ends });
      }
      ended.output.finish(ended.ends);
      ({ outcome, reason } = this.decide(ended.result));
    } catch (error) {
      outcome = this.stopReason === 'canceled' ? 'canceled' : 'failed';
      reason = (error as Error).message;
    } finally {
      timer?.clear();
      clearTimeout(this.killTimer);
      if (!(p instanceof Error)) p.release();
      this.ended = true;
    }

    if (this.stopReason && LEASE_GONE.has(this.stopReason)) {
      deps.log.warn('task lease gone; the package was stopped and nothing is reported', { taskId: task.taskId, executionId: task.executionId, reason: this.stopReason });
      await this.finish({ kind: 'none' });
      return;
    }
    if (reason) this.emit(outcome === 'canceled' ? MessageType.Warning : MessageType.Error, reason);
    this.emit(MessageType.PostExecute, `Attempt ${task.executedCount} ${outcome} after ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    await this.finish({ kind: 'complete', outcome, reason });
  }

  /** Records what is owed, delivers the journal, then reports — holding the lease until answered. */
  private async finish(report: Report): Promise<void> {
    const { deps } = this;
    this.flushTaskLog();
    this.save({ state: 'ended', report });
    deps.shipper.touch(this.record, false);
    await deps.shipper.flush(this.record);
    const r = this.record;
    const answered = report.kind === 'complete'
      ? await deps.outbox.report(
        { taskId: r.taskId, leaseToken: r.leaseToken, outcome: report.outcome, errorMessage: report.reason },
        { taskId: r.taskId, executionId: r.executionId, attempt: r.attempt },
      )
      : await reportAttempt(r, { client: deps.client, agentId: deps.settings.AgentId, log: deps.log, stopping: deps.stopping });
    this.lease.release();
    if (!answered) return; // the worker stops; its next start reports it
    this.save({ state: 'reported' });
    deps.shipper.reported(this.record);
  }

  private decide(result: PackageResult): { outcome: Outcome; reason?: string } {
    const stopped = this.stopReason;
    if (stopped === 'canceled') return { outcome: 'canceled', reason: 'The execution was stopped (catalog.stop_operation); the package was ended.' };
    if (stopped) return { outcome: 'failed', reason: stopMessage(stopped, this.timeoutSeconds, this.deps.settings.LeaseInterval) };
    if (result.ok) return { outcome: 'succeeded' };
    const tail = this.stderrTail.length > 0 ? `\nLast lines of stderr:\n${this.stderrTail.join('\n')}` : '';
    return { outcome: 'failed', reason: `${result.error}${tail}` };
  }

  private collector(sources: OutputSource[]): OutputCollector {
    const collector = new OutputCollector({
      journal: this.journal,
      sources,
      base: { package: this.task.packageName, sourceName: this.task.packageName, source: SOURCE_PACKAGE },
      keep: (type) => keptAtLevel(this.loggingLevel, type),
      onLine: (line, key) => {
        this.toTaskLog(line);
        if (key === 'err') {
          this.stderrTail.push(line.message.slice(0, 500));
          if (this.stderrTail.length > 20) this.stderrTail.shift();
        }
      },
    });
    collector.start();
    return collector;
  }

  /** Runs the package's process to its end. */
  private runPackage(pkg: PackageDefinition, projectFolder: string, workFolder: string): Promise<Ended> {
    const { task, deps } = this;
    const context = {
      executionId: task.executionId,
      taskId: task.taskId,
      attempt: task.executedCount,
      maxAttempts: task.maxExecutedCount,
      projectName: task.projectName,
      packageName: task.packageName,
      workerName: deps.settings.DisplayName,
      workerAgentId: deps.settings.AgentId,
      parameters: this.params.merged,
      projectParameters: this.params.project,
      packageParameters: this.params.package,
      systemParameters: this.params.system,
      projectFolder,
      workFolder,
    };
    const taskEnv = {
      ...parameterEnvironment(this.params),
      SCALEOUT_EXECUTION_ID: String(task.executionId),
      SCALEOUT_ATTEMPT: String(task.executedCount),
      SCALEOUT_WORKER_NAME: deps.settings.DisplayName,
      SCALEOUT_PROJECT_DIR: projectFolder,
      SCALEOUT_WORK_DIR: workFolder,
    };
    if (pkg.kind === 'node') return this.runNode(pkg, projectFolder, workFolder, context, taskEnv);
    const argv = pkg.command.map((a) => substitute(a, this.params, { WorkFolder: workFolder, ProjectFolder: projectFolder }));
    const file = argv[0]!.includes('/') && !isAbsolute(argv[0]!) ? resolve(projectFolder, argv[0]!) : argv[0]!;
    return this.runCommand(file, argv.slice(1), workFolder, taskEnv);
  }

  private runNode(pkg: PackageDefinition & { kind: 'node' }, projectFolder: string, workFolder: string, context: Record<string, unknown>, env: Record<string, string>): Promise<Ended> {
    const { task, deps } = this;
    // A package that allows it runs again in a process one of its runs of this version ended in.
    const reuseKey = pkg.reuseProcess ? `${task.contentHash}/${pkg.name}` : undefined;
    const host = deps.hosts.take(reuseKey);
    const logFile = join(this.record.folder, 'package.jsonl');
    const sources: OutputSource[] = [
      { key: 'pkg', file: logFile, start: 0, format: 'jsonl', type: MessageType.Information },
      { key: 'out', file: host.out, start: sizeOf(host.out), format: 'text', type: MessageType.Information },
      { key: 'err', file: host.err, start: sizeOf(host.err), format: 'text', type: MessageType.Warning },
    ];
    this.save({ state: 'started', sources });
    const collector = this.collector(sources);
    const child = host.child;
    this.running = { child, pid: child.pid!, node: true };
    child.send({ t: 'start', module: resolve(projectFolder, pkg.module), context, cwd: workFolder, env, reuse: reuseKey !== undefined, logFile });
    if (this.stopReason) this.stop(this.stopReason);
    return new Promise((resolvePromise) => {
      let reported: PackageResult | undefined;
      const settle = (result: PackageResult, ends?: Record<string, number>) => {
        child.off('message', onMessage);
        child.off('close', onClose);
        this.running = undefined;
        resolvePromise({ result, output: collector, ends });
        // The host's files are read by then (finish() runs before the next turn).
        setImmediate(() => deps.hosts.done(host));
      };
      const onMessage = (m: { t: string; ok?: boolean; error?: string; reusable?: boolean }) => {
        if (m.t !== 'done' || reported) return;
        reported = m.ok ? { ok: true } : { ok: false, error: `The package failed: ${m.error ?? 'no reason given'}` };
        const reused = m.ok && m.reusable === true && reuseKey !== undefined && child.exitCode === null;
        // The host stays up for the package's next run: this run's output ends where the files end now.
        const ends = reused ? { out: sizeOf(host.out), err: sizeOf(host.err) } : undefined;
        if (m.ok && !this.stopReason) {
          // The package has run to its end: the outcome stands whatever happens to the lease now,
          // and it is on disk before the host has even exited.
          this.ended = true;
          this.save({ state: 'ended', report: { kind: 'complete', outcome: 'succeeded' }, ...(ends ? { ends } : {}) });
        }
        if (!reused || !ends) return;
        if (this.stopReason) deps.hosts.end(host);
        else deps.hosts.release(reuseKey, host);
        settle(reported, ends);
      };
      // 'close', not 'exit': the host's last messages (its outcome) may still be on their way at exit.
      const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
        if (reported && (!reported.ok || code === 0)) settle(reported);
        else settle({ ok: false, error: signal ? `The package process was ended by ${signal}.` : `The package process exited with code ${code}.` });
      };
      child.on('message', onMessage);
      child.on('close', onClose);
    });
  }

  private runCommand(file: string, args: string[], workFolder: string, env: Record<string, string>): Promise<Ended> {
    const { deps } = this;
    const sources: OutputSource[] = [
      { key: 'out', file: join(this.record.folder, 'stdout.log'), start: 0, format: 'text', type: MessageType.Information },
      { key: 'err', file: join(this.record.folder, 'stderr.log'), start: 0, format: 'text', type: MessageType.Warning },
    ];
    this.save({ state: 'started', sources });
    const outFd = openSync(sources[0]!.file, 'a');
    const errFd = openSync(sources[1]!.file, 'a');
    let child: ChildProcess;
    try {
      child = spawn(file, args, { cwd: workFolder, env: { ...process.env, ...env, ...deps.guard.environment }, stdio: ['ignore', outFd, errFd], detached: true, shell: false });
    } finally {
      closeSync(outFd);
      closeSync(errFd);
    }
    const pid = child.pid;
    if (pid !== undefined) {
      deps.guard.watch(pid);
      this.running = { child, pid, node: false };
    }
    const collector = this.collector(sources);
    if (this.stopReason) this.stop(this.stopReason);
    return new Promise((resolvePromise) => {
      let settled = false;
      const settle = (result: PackageResult) => {
        if (settled) return;
        settled = true;
        // Whatever the command left running in its group goes with it.
        if (pid !== undefined) {
          signalGroup(pid, 'SIGKILL');
          deps.guard.unwatch(pid);
        }
        this.running = undefined;
        resolvePromise({ result, output: collector });
      };
      child.once('error', (error) => settle({ ok: false, error: `The package could not be started: ${error.message}` }));
      child.once('exit', (code, signal) =>
        settle(code === 0 ? { ok: true } : { ok: false, error: signal ? `The package process was ended by ${signal}.` : `The package process exited with code ${code}.` }),
      );
    });
  }
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

function stopMessage(reason: StopReason, timeoutSeconds: number | undefined, leaseMs: number): string {
  switch (reason) {
    case 'canceled':
      return 'The execution was stopped (catalog.stop_operation).';
    case 'timeout':
      return `The package exceeded its timeout of ${timeoutSeconds ?? '?'} seconds and was stopped.`;
    case 'tolerance':
      return 'The worker lost contact with the master for longer than HeartbeatErrorTolerance; the package is being stopped.';
    case 'shutdown':
      return 'The worker shut down before the package finished; the package was stopped.';
    case 'lease_lost':
      return 'The task lease was taken over (it expired, and the attempt went back to the queue or to another worker): the package was stopped at once. Nothing more is reported for this attempt.';
    case 'lease_expired':
      return `The worker could not renew the task lease (LeaseInterval ${Math.round(leaseMs / 1000)} s): no master answered. The package was stopped before the lease ran out, so that it never runs on two workers at once. Nothing is reported for this attempt; the catalog retries it once the lease expires.`;
  }
}
