/**
 * Package hosts: the child processes node packages run in, one per task — never reused, so no
 * package sees another's globals, memory or environment. Starting Node takes most of a no-op
 * package's time (about 70 ms here), so while tasks keep arriving one host is started ahead and
 * waits for the next task; after a minute without tasks it is ended, and an idle worker holds
 * no spare process.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST = join(dirname(fileURLToPath(import.meta.url)), 'package-host.mjs');

export class HostPool {
  private warm: ChildProcess | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly keepWarmMs = 60_000) {}

  /** A started host for one task: the waiting one if it is alive, else a new one. */
  take(): ChildProcess {
    const ready = this.warm && usable(this.warm) ? this.warm : undefined;
    if (this.warm && !ready) this.warm.kill('SIGKILL');
    this.warm = undefined;
    const host = ready ?? start();
    if (!this.closed) {
      this.warm = start();
      clearTimeout(this.expiry);
      this.expiry = setTimeout(() => this.dropWarm(), this.keepWarmMs);
      this.expiry.unref();
    }
    return host;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.expiry);
    this.dropWarm();
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
