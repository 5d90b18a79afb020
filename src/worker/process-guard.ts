/**
 * No package outlives its worker. Every package process (a node package's host, a command) starts
 * in a process group of its own — stopping a package ends everything it started — and the group is
 * registered with the sentinel (sentinel.mjs), a separate process that kills every registered group
 * the moment the worker's IPC channel closes, however the worker ended. Package code cannot block
 * that watch: it never runs in the sentinel, nor in the worker.
 *
 * Every package process carries SCALEOUT_WORKER_INSTANCE (agent id, worker pid and the worker's
 * start time), and so does the sentinel: it also kills every process carrying its worker's
 * instance, which covers a process started by a worker that died before telling the sentinel of
 * it. As a last line, a worker that starts ends any process of its own agent id whose worker
 * instance is gone — something the sentinel could not reach (it was killed too).
 */

import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../log/logger.ts';

const SENTINEL = join(dirname(fileURLToPath(import.meta.url)), 'sentinel.mjs');
export const INSTANCE_VARIABLE = 'SCALEOUT_WORKER_INSTANCE';

/** A process's start time in clock ticks since boot (/proc/<pid>/stat, field 22), or undefined. */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Sends a signal to a process group; false when it is gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export class ProcessGuard {
  readonly instance: string;
  private sentinel: ChildProcess | undefined;
  private readonly groups = new Set<number>();
  private closed = false;

  constructor(
    private readonly agentId: string,
    private readonly log: Logger,
  ) {
    this.instance = `${agentId}/${process.pid}/${processStartTicks(process.pid) ?? '0'}`;
  }

  /** What every package process's environment carries. */
  get environment(): Record<string, string> {
    return { [INSTANCE_VARIABLE]: this.instance };
  }

  /** Starts the sentinel; resolves once it listens. */
  async start(): Promise<void> {
    this.sentinel = await this.startSentinel();
  }

  /** A package process group started: the sentinel ends it if the worker dies. */
  watch(pgid: number): void {
    this.groups.add(pgid);
    this.sentinel?.send({ t: 'watch', pgid }, () => undefined);
  }

  /** The group ended (its leader exited and was signalled): nothing to watch any more. */
  unwatch(pgid: number): void {
    if (!this.groups.delete(pgid)) return;
    this.sentinel?.send({ t: 'unwatch', pgid }, () => undefined);
  }

  /** Kills every group still registered, and lets the sentinel go. */
  close(): void {
    this.closed = true;
    for (const pgid of this.groups) signalGroup(pgid, 'SIGKILL');
    this.groups.clear();
    if (this.sentinel?.connected) this.sentinel.disconnect();
  }

  /**
   * Ends what an earlier run of this worker left behind: every process carrying this agent id whose
   * worker instance is no longer alive. Linux only (it reads /proc); elsewhere it ends nothing.
   */
  endLeftovers(): number {
    let ended = 0;
    let pids: string[];
    try {
      pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    } catch {
      return 0;
    }
    const prefix = `${INSTANCE_VARIABLE}=${this.agentId}/`;
    for (const pid of pids) {
      if (Number(pid) === process.pid) continue;
      let environ: string;
      try {
        environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
      } catch {
        continue; // another user's process, or gone
      }
      const entry = environ.split('\0').find((e) => e.startsWith(prefix));
      if (!entry) continue;
      const [, workerPid, ticks] = entry.slice(INSTANCE_VARIABLE.length + 1).split('/');
      if (entry.slice(INSTANCE_VARIABLE.length + 1) === this.instance) continue;
      if (processStartTicks(Number(workerPid)) === ticks) continue; // its worker still runs
      try {
        process.kill(Number(pid), 'SIGKILL');
        ended++;
      } catch {
        // Gone meanwhile.
      }
    }
    if (ended > 0) this.log.warn('ended processes an earlier run of this worker left behind', { processes: ended });
    return ended;
  }

  private startSentinel(): Promise<ChildProcess> {
    const child = fork(SENTINEL, [], { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'], execArgv: [], env: { ...process.env, ...this.environment } });
    child.on('error', () => undefined);
    // The sentinel goes with the worker, never holds it up (its channel does until close()).
    child.unref();
    let ready = false;
    return new Promise((resolve, reject) => {
      child.once('message', () => {
        ready = true;
        resolve(child);
      });
      child.once('exit', (code, signal) => {
        if (!ready) {
          reject(new Error(`the package sentinel could not start (exit code ${code}, signal ${signal})`));
          return;
        }
        if (this.closed) return;
        this.log.warn('the package sentinel ended; starting another', { code, signal });
        void this.startSentinel().then(
          (next) => {
            this.sentinel = next;
            for (const pgid of this.groups) next.send({ t: 'watch', pgid }, () => undefined);
          },
          (error: unknown) => this.log.error('the package sentinel cannot be started again; packages may outlive this worker if it dies', { error }),
        );
      });
    });
  }
}
