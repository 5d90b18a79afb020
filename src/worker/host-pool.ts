/**
 * Package hosts: the child processes node packages run in, one per task by default — so no package
 * sees another's globals, memory or environment. Starting Node takes most of a no-op package's time
 * (about 60 ms of CPU here), so while tasks keep arriving one host is started ahead and waits for
 * the next task; after a minute without tasks it is ended, and an idle worker holds no spare process.
 *
 * A package whose manifest sets reuseProcess may run again in a host one of its own runs ended in
 * cleanly: such hosts are kept per package and project version (up to MAX_IDLE_PER_PACKAGE, each
 * for at most REUSE_LIMIT runs and a minute of idleness), never lent to another package.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST = join(dirname(fileURLToPath(import.meta.url)), 'package-host.mjs');

/** Runs one host serves before it is replaced, however clean: bounds what a slow leak can grow to. */
export const REUSE_LIMIT = 200;
const MAX_IDLE_PER_PACKAGE = 16;

interface IdleHost {
  readonly child: ChildProcess;
  readonly expiry: NodeJS.Timeout;
}

export class HostPool {
  private warm: ChildProcess | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly idle = new Map<string, IdleHost[]>();
  private readonly runs = new WeakMap<ChildProcess, number>();

  constructor(private readonly keepWarmMs = 60_000) {}

  /**
   * A started host for one task: for a reusable package (reuseKey given), one its earlier run left
   * idle if there is one; else the host started ahead if it is alive; else a new one.
   */
  take(reuseKey?: string): ChildProcess {
    const reused = reuseKey === undefined ? undefined : this.takeIdle(reuseKey);
    if (reused) {
      this.runs.set(reused, (this.runs.get(reused) ?? 0) + 1);
      return reused;
    }
    const ready = this.warm && usable(this.warm) ? this.warm : undefined;
    if (this.warm && !ready) this.warm.kill('SIGKILL');
    this.warm = undefined;
    const host = ready ?? start();
    this.runs.set(host, 1);
    if (!this.closed) {
      this.warm = start();
      clearTimeout(this.expiry);
      this.expiry = setTimeout(() => this.dropWarm(), this.keepWarmMs);
      this.expiry.unref();
    }
    return host;
  }

  /** Gives back a host whose run ended cleanly and said it may run the same package again. */
  release(reuseKey: string, child: ChildProcess): void {
    const list = this.idle.get(reuseKey) ?? [];
    if (this.closed || !usable(child) || (this.runs.get(child) ?? 0) >= REUSE_LIMIT || list.length >= MAX_IDLE_PER_PACKAGE) {
      child.kill('SIGKILL');
      return;
    }
    const expiry = setTimeout(() => {
      const l = this.idle.get(reuseKey);
      const i = l?.findIndex((h) => h.child === child) ?? -1;
      if (i >= 0) l!.splice(i, 1);
      if (l?.length === 0) this.idle.delete(reuseKey);
      child.kill('SIGKILL');
    }, this.keepWarmMs);
    expiry.unref();
    list.push({ child, expiry });
    this.idle.set(reuseKey, list);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.expiry);
    this.dropWarm();
    for (const list of this.idle.values()) {
      for (const h of list) {
        clearTimeout(h.expiry);
        h.child.kill('SIGKILL');
      }
    }
    this.idle.clear();
  }

  private takeIdle(reuseKey: string): ChildProcess | undefined {
    const list = this.idle.get(reuseKey);
    while (list && list.length > 0) {
      const h = list.pop()!;
      clearTimeout(h.expiry);
      if (usable(h.child)) return h.child;
      h.child.kill('SIGKILL');
    }
    this.idle.delete(reuseKey);
    return undefined;
  }

  private dropWarm(): void {
    this.warm?.kill('SIGKILL');
    this.warm = undefined;
  }
}

function start(): ChildProcess {
  // Its own environment and folder come with the task (the "start" message); stdout and stderr
  // are read by the task that takes it.
  const child = fork(HOST, [], { execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  child.on('error', () => undefined);
  return child;
}

function usable(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && child.connected;
}
