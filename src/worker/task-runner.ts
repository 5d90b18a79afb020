/**
 * Runs one claimed task to its end: a folder under TasksRootFolder, the project from the cache,
 * the package in its own child process, the lease renewed every TaskHeartbeatInterval, and one
 * outcome reported — succeeded, failed (with the reason) or canceled. What ends a run early:
 * a stop request (AbortSignal, then a kill after StopGraceInterval), the package's timeout, the
 * master unreachable beyond HeartbeatErrorTolerance, the worker shutting down, or a lost lease
 * (killed at once, nothing more reported: the attempt is no longer this worker's).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Logger } from '../master/log.ts';
import type { PackageDefinition } from '../project/manifest.ts';
import type { HostPool } from './host-pool.ts';
import type { LogShipper } from './log-shipper.ts';
import { MasterError, type MasterClient, type Outcome, type Task } from './master-client.ts';
import { parameterEnvironment, resolveParameters, substitute, type ResolvedParameters } from './parameters.ts';
import type { ProjectCache } from './project-cache.ts';
import type { WorkerSettings } from './settings.ts';

/** SSIS message types (catalog.operation_messages.message_type) and source types. */
export const MessageType = { PreExecute: 30, PostExecute: 40, Progress: 60, Information: 70, Warning: 110, Error: 120, TaskFailed: 130, Diagnostic: 140 } as const;
const SOURCE_WORKER = 20; // "external process used to run the package"
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
function keptAtLevel(level: number, type: number): boolean {
  if (level >= 3) return true;
  if (level === 0) return type === MessageType.Error || type === MessageType.TaskFailed;
  if (level === 2) return type !== MessageType.Information && type !== MessageType.Diagnostic && type !== MessageType.Progress;
  return type !== MessageType.Diagnostic;
}

export type StopReason = 'canceled' | 'timeout' | 'tolerance' | 'shutdown' | 'lease_lost';

export interface TaskRunnerDeps {
  readonly settings: WorkerSettings;
  readonly client: MasterClient;
  readonly cache: ProjectCache;
  readonly shipper: LogShipper;
  readonly log: Logger;
  readonly hosts: HostPool;
}

export class TaskRun {
  readonly done: Promise<Outcome | 'lease_lost'>;
  private child: ChildProcess | undefined;
  private stopReason: StopReason | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private readonly stderrTail: string[] = [];
  private readonly loggingLevel: number;
  private readonly taskLogFile: string | undefined;
  private readonly params: ResolvedParameters;
  private timeoutSeconds: number | undefined;

  constructor(
    readonly task: Task,
    private readonly deps: TaskRunnerDeps,
  ) {
    this.params = resolveParameters(task.parameters);
    const level = Number(this.params.system.LOGGING_LEVEL ?? 1);
    this.loggingLevel = Number.isFinite(level) ? level : 1;
    const folder = join(deps.settings.TasksRootFolder, `${task.taskId}.${task.executedCount}`);
    mkdirSync(join(folder, 'work'), { recursive: true });
    this.taskLogFile = deps.settings.TaskLogEnabled ? join(folder, 'task.log') : undefined;
    this.done = this.run(folder);
  }

  /** Ends the run early; the first reason given is the one reported. */
  stop(reason: StopReason): void {
    if (this.stopReason && !(reason === 'lease_lost' && this.stopReason !== 'lease_lost')) return;
    this.stopReason = reason;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    if (reason === 'lease_lost') {
      child.kill('SIGKILL');
      return;
    }
    if (child.connected) child.send({ t: 'abort', reason: stopMessage(reason, this.timeoutSeconds) }, () => undefined);
    else child.kill('SIGTERM');
    this.killTimer ??= setTimeout(() => child.kill('SIGKILL'), this.deps.settings.StopGraceInterval);
  }

  private emit(type: number, message: string, source = SOURCE_PACKAGE, event?: string, time = new Date().toISOString()): void {
    if (this.taskLogFile && this.deps.settings.TaskLogLevel & taskLogBit(type)) {
      try {
        appendFileSync(this.taskLogFile, `${time} ${type} ${message}\n`);
      } catch {
        // The task log is for troubleshooting; a full disk must not fail the task.
      }
    }
    if (!keptAtLevel(this.loggingLevel, type)) return;
    this.deps.shipper.append(this.task.executionId, {
      time,
      type,
      source,
      message: message.length > 1_000_000 ? `${message.slice(0, 999_990)} [cut]` : message,
      package: this.task.packageName,
      event: event ?? eventName(type),
      sourceName: source === SOURCE_WORKER ? 'Scale Out worker' : this.task.packageName,
    });
  }

  private async run(folder: string): Promise<Outcome | 'lease_lost'> {
    const { task, deps } = this;
    const started = Date.now();
    this.emit(MessageType.PreExecute, `Attempt ${task.executedCount} of ${task.maxExecutedCount} started on worker ${deps.settings.DisplayName} (${deps.settings.AgentId}).`, SOURCE_WORKER);
    let outcome: Outcome;
    let reason: string | undefined;
    const heartbeat = this.heartbeats();
    deps.shipper.begin(task.executionId);
    let timeout: NodeJS.Timeout | undefined;
    const project = await deps.cache.acquire(task.contentHash).catch((error: Error) => error);
    try {
      if (project instanceof Error) throw new Error(`The project ${task.projectName} (version ${task.projectLsn}) could not be fetched: ${project.message}`);
      const pkg = project.manifest.packages.find((p) => p.name === task.packageName);
      if (!pkg) throw new Error(`The project ${task.projectName} has no package ${task.packageName}.`);
      const timeoutSeconds = task.timeoutSeconds ?? pkg.timeoutSeconds;
      this.timeoutSeconds = timeoutSeconds;
      if (timeoutSeconds) timeout = setTimeout(() => this.stop('timeout'), timeoutSeconds * 1000);
      if (this.stopReason) throw new Error(stopMessage(this.stopReason, timeoutSeconds));
      const result = await this.runPackage(pkg, project.folder, join(folder, 'work'));
      ({ outcome, reason } = this.decide(result));
    } catch (error) {
      outcome = this.stopReason === 'canceled' ? 'canceled' : 'failed';
      reason = (error as Error).message;
    } finally {
      clearTimeout(timeout);
      clearTimeout(this.killTimer);
      if (!(project instanceof Error)) project.release();
    }
    heartbeat.stop();
    deps.shipper.end(task.executionId);
    if (this.stopReason === 'lease_lost') {
      deps.log.warn('task lease lost; the run was stopped and nothing is reported', { taskId: task.taskId, executionId: task.executionId });
      await deps.shipper.flush(task.executionId);
      return 'lease_lost';
    }
    if (reason) this.emit(outcome === 'canceled' ? MessageType.Warning : MessageType.Error, reason, SOURCE_WORKER);
    this.emit(MessageType.PostExecute, `Attempt ${task.executedCount} ${outcome} after ${((Date.now() - started) / 1000).toFixed(1)} s.`, SOURCE_WORKER);
    await deps.shipper.flush(task.executionId);
    await this.report(outcome, reason);
    return outcome;
  }

  private decide(result: PackageResult): { outcome: Outcome; reason?: string } {
    const stopped = this.stopReason;
    if (stopped === 'canceled') return { outcome: 'canceled', reason: 'The execution was stopped (catalog.stop_operation); the package was ended.' };
    if (stopped) return { outcome: 'failed', reason: stopMessage(stopped, this.timeoutSeconds) };
    if (result.ok) return { outcome: 'succeeded' };
    const tail = this.stderrTail.length > 0 ? `\nLast lines of stderr:\n${this.stderrTail.join('\n')}` : '';
    return { outcome: 'failed', reason: `${result.error}${tail}` };
  }

  /** Runs the package's process to its end. */
  private runPackage(pkg: PackageDefinition, projectFolder: string, workFolder: string): Promise<PackageResult> {
    const context = {
      executionId: this.task.executionId,
      taskId: this.task.taskId,
      attempt: this.task.executedCount,
      maxAttempts: this.task.maxExecutedCount,
      projectName: this.task.projectName,
      packageName: this.task.packageName,
      workerName: this.deps.settings.DisplayName,
      workerAgentId: this.deps.settings.AgentId,
      parameters: this.params.merged,
      projectParameters: this.params.project,
      packageParameters: this.params.package,
      systemParameters: this.params.system,
      projectFolder,
      workFolder,
    };
    const taskEnv = { ...parameterEnvironment(this.params), SCALEOUT_EXECUTION_ID: String(this.task.executionId), SCALEOUT_WORKER_NAME: this.deps.settings.DisplayName, SCALEOUT_PROJECT_DIR: projectFolder, SCALEOUT_WORK_DIR: workFolder };
    let child: ChildProcess;
    // A package that allows it runs again in a process one of its runs of this version ended in.
    const reuseKey = pkg.kind === 'node' && pkg.reuseProcess ? `${this.task.contentHash}/${pkg.name}` : undefined;
    if (pkg.kind === 'node') {
      child = this.deps.hosts.take(reuseKey);
      child.send({ t: 'start', module: resolve(projectFolder, pkg.module), context, cwd: workFolder, env: taskEnv, reuse: reuseKey !== undefined });
    } else {
      const argv = pkg.command.map((a) => substitute(a, this.params, { WorkFolder: workFolder, ProjectFolder: projectFolder }));
      const file = argv[0]!.includes('/') && !isAbsolute(argv[0]!) ? resolve(projectFolder, argv[0]!) : argv[0]!;
      child = spawn(file, argv.slice(1), { cwd: workFolder, env: { ...process.env, ...taskEnv }, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    }
    this.child = child;
    if (this.stopReason) this.stop(this.stopReason);
    return new Promise((resolvePromise) => {
      let reported: PackageResult | undefined;
      let reusable = false;
      let spawnError: Error | undefined;
      const readers: Interface[] = [];
      const lines = (stream: NodeJS.ReadableStream | null, type: number, tail: boolean) => {
        if (!stream) return Promise.resolve();
        const rl = createInterface({ input: stream, crlfDelay: Infinity });
        readers.push(rl);
        return new Promise<void>((ended) => {
          rl.on('line', (line) => {
            // A reused host marks where this run's output ends (package-host.mjs).
            const last = reuseKey !== undefined && line.endsWith(END_OF_RUN);
            const text = last ? line.slice(0, -END_OF_RUN.length) : line;
            if (!last || text !== '') {
              this.emit(type, text);
              if (tail) {
                this.stderrTail.push(text.slice(0, 500));
                if (this.stderrTail.length > 20) this.stderrTail.shift();
              }
            }
            if (last) ended();
          });
          rl.once('close', () => ended());
        });
      };
      const streams = Promise.all([lines(child.stdout, MessageType.Information, false), lines(child.stderr, MessageType.Warning, true)]);
      const onMessage = (m: HostMessage) => {
        if (m.t === 'logs') {
          for (let i = 0; i < m.texts.length; i++) this.emit(m.types[i]!, m.texts[i]!, SOURCE_PACKAGE, m.events[i] ?? undefined, new Date(m.times[i]!).toISOString());
        } else if (m.t === 'done' && !reported) {
          reported = m.ok ? { ok: true } : { ok: false, error: `The package failed: ${m.error ?? 'no reason given'}` };
          reusable = m.ok && m.reusable === true && reuseKey !== undefined;
          // The host stays up for the package's next run: this run ends once its output has.
          if (reusable) void streams.then(handBack);
        }
      };
      const onError = (error: Error) => (spawnError = error);
      const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
        void streams.then(() => {
          if (spawnError) resolvePromise({ ok: false, error: `The package could not be started: ${spawnError.message}` });
          else if (reported && (reported.ok ? code === 0 || reusable : true)) resolvePromise(reported);
          else if (pkg.kind === 'command' && code === 0) resolvePromise({ ok: true });
          else resolvePromise({ ok: false, error: signal ? `The package process was ended by ${signal}.` : `The package process exited with code ${code}.` });
        });
      };
      const handBack = () => {
        if (child.exitCode !== null || child.signalCode !== null) return; // onClose answers
        child.off('message', onMessage);
        child.off('error', onError);
        child.off('close', onClose);
        for (const rl of readers) rl.close();
        this.child = undefined;
        // A stop that came meanwhile ends the host instead (stop() already signalled it).
        if (this.stopReason) child.kill('SIGKILL');
        else this.deps.hosts.release(reuseKey!, child);
        resolvePromise(reported!);
      };
      child.on('message', onMessage);
      child.once('error', onError);
      child.once('close', onClose);
    });
  }

  /** Renews the lease every TaskHeartbeatInterval; acts on a stop request, a lost lease or a master gone too long. */
  private heartbeats(): { stop(): void } {
    const { task, deps } = this;
    let lastOk = Date.now();
    let busy = false;
    const timer = setInterval(async () => {
      if (busy) return;
      busy = true;
      try {
        const r = await deps.client.renewLease(task.taskId, task.leaseToken, deps.settings.LeaseInterval);
        lastOk = Date.now();
        if (r.isCancelled) this.stop('canceled');
      } catch (error) {
        if (error instanceof MasterError && error.status === 409) this.stop('lease_lost');
        else if (error instanceof MasterError && error.status === 404) this.stop('lease_lost');
        else if (Date.now() - lastOk > deps.settings.HeartbeatErrorTolerance) this.stop('tolerance');
        else deps.log.warn('task heartbeat failed', { taskId: task.taskId, error });
      } finally {
        busy = false;
      }
    }, deps.settings.TaskHeartbeatInterval);
    return { stop: () => clearInterval(timer) };
  }

  /** Reports the outcome, retrying while the master is unreachable for up to HeartbeatErrorTolerance. */
  private async report(outcome: Outcome, reason?: string): Promise<void> {
    const { task, deps } = this;
    const until = Date.now() + deps.settings.HeartbeatErrorTolerance;
    for (let attempt = 0; ; attempt++) {
      try {
        const r = await deps.client.complete(task.taskId, task.leaseToken, outcome, reason);
        deps.log.info('task completed', { taskId: task.taskId, executionId: task.executionId, outcome, executionStatus: r.executionStatus, willRetry: r.willRetry });
        return;
      } catch (error) {
        const final = error instanceof MasterError && !error.retryable;
        if (final || Date.now() > until) {
          // 409: the lease was taken over (or this very completion was recorded before its answer was lost).
          deps.log.warn('task outcome not recorded', { taskId: task.taskId, executionId: task.executionId, outcome, error });
          return;
        }
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** attempt)));
      }
    }
  }
}

/** What the package host (package-host.mjs) sends: log lines as parallel arrays, and the outcome. */
type HostMessage =
  | { t: 'logs'; types: number[]; times: number[]; texts: string[]; events: Array<string | null> }
  | { t: 'done'; ok: boolean; error?: string; reusable?: boolean };

/** Ends a reused run's stdout and stderr; the same text as END_OF_RUN in package-host.mjs. */
const END_OF_RUN = '\u0000scaleout:end-of-run\u0000';

interface PackageResult {
  readonly ok: boolean;
  readonly error?: string;
}

function stopMessage(reason: StopReason, timeoutSeconds: number | undefined): string {
  switch (reason) {
    case 'canceled':
      return 'The execution was stopped (catalog.stop_operation).';
    case 'timeout':
      return `The package exceeded its timeout of ${timeoutSeconds ?? '?'} seconds and was stopped.`;
    case 'tolerance':
      return 'The worker lost contact with the master for longer than HeartbeatErrorTolerance; the package was stopped.';
    case 'shutdown':
      return 'The worker shut down before the package finished; the package was stopped.';
    case 'lease_lost':
      return 'The task lease was lost.';
  }
}

function eventName(type: number): string | undefined {
  switch (type) {
    case MessageType.PreExecute:
      return 'OnPreExecute';
    case MessageType.PostExecute:
      return 'OnPostExecute';
    case MessageType.Error:
      return 'OnError';
    case MessageType.Warning:
      return 'OnWarning';
    case MessageType.Information:
      return 'OnInformation';
    case MessageType.Progress:
      return 'OnProgress';
    case MessageType.TaskFailed:
      return 'OnTaskFailed';
    default:
      return undefined;
  }
}
