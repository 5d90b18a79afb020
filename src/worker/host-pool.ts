/**
 * Package hosts: the child processes node packages run in, one per task by default — so no package
 * sees another's globals, memory or environment. Starting Node takes most of a no-op package's time
 * (about 60 ms of CPU here), so while tasks keep arriving hosts are started ahead: as many as runs
 * are in progress in fresh hosts (up to the worker's MaxTaskCount), so that each run that ends
 * finds one ready for the task that takes its slot. After a minute without tasks they are ended,
 * and an idle worker holds no spare process.
 *
 * Each host is a process group of its own, registered with the process guard (no host outlives its
 * worker), and writes its stdout and stderr to files of its own under <TasksRootFolder>/.hosts: a
 * run's output is the part of those files written between its start and its end. The files go when
 * the host has ended and no run still reads them.
 *
 * A package whose manifest sets reuseProcess may run again in a host one of its own runs ended in
 * cleanly: such hosts are kept per package and project version (up to MaxTaskCount of them, each
 * for at most REUSE_LIMIT runs and a minute of idleness), never lent to another package; its runs
 * take a host started ahead when there is one, but start none ahead.
 */

import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signalGroup, type ProcessGuard } from './process-guard.ts';

const HOST = join(dirname(fileURLToPath(import.meta.url)), 'package-host.cjs');

/** Runs one host serves before it is replaced, however clean: bounds what a slow leak can grow to. */
export const REUSE_LIMIT = 200;

/** A started package host and the files its stdout and stderr go to. */
export interface Host {
  readonly child: ChildProcess;
  readonly out: string;
  readonly err: string;
}

interface HostState {
  runs: number;
  /** Runs that still read the host's files. */
  readers: number;
  exited: boolean;
}

interface IdleHost {
  readonly host: Host;
  readonly expiry: NodeJS.Timeout;
}

export interface HostPoolOptions {
  /** The worker's MaxTaskCount: no more hosts are started ahead, nor kept idle per package. */
  readonly maxHosts: number;
  /** How long hosts started ahead, and idle reusable ones, wait for a task. */
  readonly keepWarmMs?: number;
}

export class HostPool {
  /** Started ahead, waiting for a task (newest last). */
  private readonly warm: Host[] = [];
  /** Hosts whose first run, in a fresh process, has not ended yet: what sizes `warm`. */
  private readonly freshRuns = new Set<Host>();
  private expiry: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly idle = new Map<string, IdleHost[]>();
  private readonly states = new Map<Host, HostState>();
  private readonly maxHosts: number;
  private readonly keepWarmMs: number;

  constructor(
    private readonly folder: string,
    private readonly guard: ProcessGuard,
    options: HostPoolOptions,
  ) {
    this.maxHosts = Math.max(1, options.maxHosts);
    this.keepWarmMs = options.keepWarmMs ?? 60_000;
    mkdirSync(folder, { recursive: true });
  }

  /** Hosts started ahead and waiting now (for tests and the benchmark). */
  get warmCount(): number {
    return this.warm.length;
  }

  /** Removes host files no run will read again (left by hosts of an earlier run of the worker). */
  removeStaleFiles(inUse: ReadonlySet<string>): void {
    for (const name of readdirSync(this.folder)) {
      const file = join(this.folder, name);
      if (!inUse.has(file)) rmSync(file, { force: true });
    }
  }

  /**
   * A started host for one task: for a reusable package (reuseKey given), one its earlier run left
   * idle if there is one; else the host started ahead if it is alive; else a new one. Call done()
   * when the run no longer reads its output files.
   */
  take(reuseKey?: string): Host {
    const reused = reuseKey === undefined ? undefined : this.takeIdle(reuseKey);
    if (reused) {
      const s = this.states.get(reused)!;
      s.runs++;
      s.readers++;
      return reused;
    }
    let host: Host | undefined;
    while (!host && this.warm.length > 0) {
      const candidate = this.warm.pop()!;
      if (usable(candidate.child)) host = candidate;
      else this.end(candidate);
    }
    host ??= this.start();
    const s = this.states.get(host)!;
    s.runs = 1;
    s.readers = 1;
    // A reusable package's run leaves its host for the package's next run: no host need be
    // started ahead for its slot. (Counting those runs too started a spare host for each of them —
    // at 50 slots, 50 processes started for nothing, more CPU than the 600 runs that followed.)
    if (reuseKey === undefined) this.freshRuns.add(host);
    if (!this.closed && reuseKey === undefined) {
      // One ready for each run in progress: the task that takes a slot when a run ends finds it.
      const target = Math.min(this.maxHosts, this.freshRuns.size);
      while (this.warm.length < target) this.warm.push(this.start());
      clearTimeout(this.expiry);
      this.expiry = setTimeout(() => this.dropWarm(), this.keepWarmMs);
      this.expiry.unref();
    }
    return host;
  }

  /** A run no longer reads the host's output files. */
  done(host: Host): void {
    this.freshRuns.delete(host);
    const s = this.states.get(host);
    if (!s) return;
    s.readers = Math.max(0, s.readers - 1);
    this.forgetIfFinished(host);
  }

  /** Gives back a host whose run ended cleanly and said it may run the same package again. */
  release(reuseKey: string, host: Host): void {
    const list = this.idle.get(reuseKey) ?? [];
    const s = this.states.get(host);
    if (this.closed || !s || !usable(host.child) || s.runs >= REUSE_LIMIT || list.length >= this.maxHosts) {
      this.end(host);
      return;
    }
    const expiry = setTimeout(() => {
      const l = this.idle.get(reuseKey);
      const i = l?.findIndex((h) => h.host === host) ?? -1;
      if (i >= 0) l!.splice(i, 1);
      if (l?.length === 0) this.idle.delete(reuseKey);
      this.end(host);
    }, this.keepWarmMs);
    expiry.unref();
    list.push({ host, expiry });
    this.idle.set(reuseKey, list);
  }

  /** Ends a host and everything it started. */
  end(host: Host): void {
    if (host.child.pid !== undefined) signalGroup(host.child.pid, 'SIGKILL');
    host.child.kill('SIGKILL');
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.expiry);
    this.dropWarm();
    for (const list of this.idle.values()) {
      for (const h of list) {
        clearTimeout(h.expiry);
        this.end(h.host);
      }
    }
    this.idle.clear();
  }

  private takeIdle(reuseKey: string): Host | undefined {
    const list = this.idle.get(reuseKey);
    while (list && list.length > 0) {
      const h = list.pop()!;
      clearTimeout(h.expiry);
      if (usable(h.host.child)) return h.host;
      this.end(h.host);
    }
    this.idle.delete(reuseKey);
    return undefined;
  }

  private dropWarm(): void {
    for (const host of this.warm.splice(0)) this.end(host);
  }

  private start(): Host {
    // Its own environment and folder come with the task (the "start" message).
    const id = randomUUID();
    const out = join(this.folder, `${id}.out`);
    const err = join(this.folder, `${id}.err`);
    const outFd = openSync(out, 'a');
    const errFd = openSync(err, 'a');
    let child: ChildProcess;
    try {
      child = fork(HOST, [], { execArgv: [], detached: true, stdio: ['ignore', outFd, errFd, 'ipc'], env: { ...process.env, ...this.guard.environment } });
    } finally {
      closeSync(outFd);
      closeSync(errFd);
    }
    child.on('error', () => undefined);
    const host: Host = { child, out, err };
    this.states.set(host, { runs: 0, readers: 0, exited: false });
    const pid = child.pid;
    if (pid !== undefined) this.guard.watch(pid);
    child.once('exit', () => {
      // Whatever the package left running in the host's group goes with it.
      if (pid !== undefined) {
        signalGroup(pid, 'SIGKILL');
        this.guard.unwatch(pid);
      }
      const s = this.states.get(host);
      if (s) s.exited = true;
      this.forgetIfFinished(host);
    });
    return host;
  }

  private forgetIfFinished(host: Host): void {
    const s = this.states.get(host);
    if (!s || !s.exited || s.readers > 0) return;
    this.states.delete(host);
    rmSync(host.out, { force: true });
    rmSync(host.err, { force: true });
  }
}

function usable(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && child.connected;
}
