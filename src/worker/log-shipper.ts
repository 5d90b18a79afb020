/**
 * Delivers the execution messages packages log, in order and exactly once. Lines are gathered per
 * execution into batches (at most ExecutionLogMaxBufferLogCount lines, or what arrived within a
 * short linger); each batch gets its id when it is sealed and keeps it, so a resend after a lost
 * answer is recognised by the catalog and stored once. Batches are delivered one after another.
 * A batch that cannot be delivered after ExecutionLogRetryCount tries — or that waits beyond
 * ExecutionLogMaxInMemoryBufferCount batches in memory, or that a finishing task is waiting on — is
 * written to ExecutionLogCacheFolder and delivered from there, also after a worker crash, until
 * ExecutionLogRetryTimeout; then it is set aside in the folder's "failed" subfolder, not deleted.
 *
 * While an execution's package runs, its batches leave at most once per pace interval (a second):
 * the DBA still sees lines as they come, and a chatty package does not compete with the catalog
 * inserting its lines at full speed. When the task ends (flush) the rest goes at once.
 */

import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../master/log.ts';
import type { LogLine } from './master-client.ts';

/** Where batches go: the master's log route, or the catalog directly with the log-writer login. */
export interface LogSink {
  append(executionId: number, batchId: string, lines: readonly LogLine[]): Promise<void>;
  /** True when resending can never succeed (the execution is gone, the batch is invalid). */
  isPermanent(error: unknown): boolean;
}

export interface LogShipperOptions {
  readonly folder: string;
  readonly maxLinesPerBatch: number;
  readonly maxInMemoryBatches: number;
  readonly retryCount: number;
  readonly retryTimeoutMs: number;
  readonly lingerMs?: number;
  /** While a package of the execution runs, at most one batch per this many ms (0: no pacing). */
  readonly paceMs?: number;
  readonly log: Logger;
}

interface Batch {
  readonly key: string;
  readonly executionId: number;
  readonly batchId: string;
  lines: LogLine[] | undefined;
  file: string | undefined;
  attempts: number;
  firstFailure: number | undefined;
}

interface Open {
  lines: LogLine[];
  timer: NodeJS.Timeout | undefined;
}

interface Waiter {
  readonly executionId: number;
  readonly upTo: string;
  readonly resolve: () => void;
}

export class LogShipper {
  private readonly open = new Map<number, Open>();
  private readonly queue: Batch[] = [];
  private readonly waiters: Waiter[] = [];
  private sink: LogSink | undefined;
  private pumping = false;
  private closing = false;
  private wakeBackoff: (() => void) | undefined;
  private counter = 0;
  private draining = false;
  private readonly running = new Map<number, number>();
  private readonly lastSent = new Map<number, number>();

  constructor(private readonly options: LogShipperOptions) {
    mkdirSync(join(options.folder, 'failed'), { recursive: true });
  }

  /** Sets (or replaces) where batches go, and starts delivering. */
  useSink(sink: LogSink): void {
    this.sink = sink;
    this.kick();
  }

  /** Queues what a crashed or stopped worker left on disk, oldest first, ahead of anything new. */
  recover(): number {
    const files = readdirSync(this.options.folder).filter((f) => /^\d{15}-\d{6}-\d+-[0-9a-f-]{36}\.json$/.test(f)).sort();
    const recovered: Batch[] = [];
    for (const name of files) {
      const [time, count, executionId] = name.split('-');
      const batchId = name.slice(time!.length + count!.length + executionId!.length + 3, -'.json'.length);
      recovered.push({ key: `${time}-${count}`, executionId: Number(executionId), batchId, lines: undefined, file: join(this.options.folder, name), attempts: 0, firstFailure: undefined });
    }
    for (const tmp of readdirSync(this.options.folder).filter((f) => f.endsWith('.tmp'))) rmSync(join(this.options.folder, tmp), { force: true });
    this.queue.unshift(...recovered);
    this.kick();
    return recovered.length;
  }

  /** A package of the execution started running: its batches are paced until it ends. */
  begin(executionId: number): void {
    this.running.set(executionId, (this.running.get(executionId) ?? 0) + 1);
  }

  /** The package ended; call flush() to wait for its lines. */
  end(executionId: number): void {
    const n = (this.running.get(executionId) ?? 1) - 1;
    if (n <= 0) {
      this.running.delete(executionId);
      this.lastSent.delete(executionId);
    } else this.running.set(executionId, n);
    this.wakeBackoff?.();
  }

  append(executionId: number, line: LogLine): void {
    let o = this.open.get(executionId);
    if (!o) {
      o = { lines: [], timer: undefined };
      this.open.set(executionId, o);
    }
    o.lines.push(line);
    if (o.lines.length >= this.options.maxLinesPerBatch) this.seal(executionId);
    else if (!o.timer) o.timer = setTimeout(() => this.seal(executionId), this.options.lingerMs ?? 200);
  }

  /** Resolves once every line appended so far for the execution is delivered or safely on disk. */
  flush(executionId: number): Promise<void> {
    this.seal(executionId);
    const mine = this.queue.filter((b) => b.executionId === executionId);
    if (mine.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ executionId, upTo: mine[mine.length - 1]!.key, resolve });
      this.settleWaiters();
      this.wakeBackoff?.();
    });
  }

  /** Seals everything, delivers what it can until the deadline, writes the rest to disk. */
  async close(deadlineMs: number): Promise<void> {
    for (const id of [...this.open.keys()]) this.seal(id);
    this.draining = true;
    this.wakeBackoff?.();
    const until = Date.now() + deadlineMs;
    while (this.queue.length > 0 && Date.now() < until && this.sink) {
      this.kick();
      await new Promise((r) => setTimeout(r, 20));
    }
    this.closing = true;
    this.wakeBackoff?.();
    for (const b of this.queue) this.spill(b);
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private seal(executionId: number): void {
    const o = this.open.get(executionId);
    if (!o) return;
    if (o.timer) clearTimeout(o.timer);
    this.open.delete(executionId);
    if (o.lines.length === 0) return;
    const key = `${String(Date.now()).padStart(15, '0')}-${String(this.counter++ % 1_000_000).padStart(6, '0')}`;
    const batch: Batch = { key, executionId, batchId: randomUUID(), lines: o.lines, file: undefined, attempts: 0, firstFailure: undefined };
    this.queue.push(batch);
    // Memory stays bounded: batches beyond the allowed count wait on disk.
    const inMemory = this.queue.filter((b) => b.lines && !b.file);
    for (const b of inMemory.slice(this.options.maxInMemoryBatches)) this.spill(b);
    this.kick();
  }

  /** Writes a batch to the cache folder (atomically) and drops its lines from memory. */
  private spill(b: Batch): void {
    if (b.file) {
      b.lines = undefined;
      return;
    }
    const file = join(this.options.folder, fileName(b));
    writeFileSync(`${file}.tmp`, JSON.stringify({ executionId: b.executionId, batchId: b.batchId, lines: b.lines }));
    renameSync(`${file}.tmp`, file);
    b.file = file;
    b.lines = undefined;
    this.settleWaiters();
  }

  private kick(): void {
    if (this.pumping || !this.sink || this.closing) return;
    this.pumping = true;
    void this.pump().finally(() => {
      this.pumping = false;
      if (this.queue.length > 0 && !this.closing) setTimeout(() => this.kick(), 10).unref();
    });
  }

  /** The first batch that may leave now (per execution in order), or how long until one may. */
  private next(): Batch | number {
    const now = Date.now();
    const pace = this.draining ? 0 : (this.options.paceMs ?? 1000);
    const awaited = new Set(this.waiters.map((w) => w.executionId));
    const held = new Set<number>();
    let wait = Number.POSITIVE_INFINITY;
    for (const b of this.queue) {
      if (held.has(b.executionId)) continue;
      if (pace > 0 && this.running.has(b.executionId) && !awaited.has(b.executionId)) {
        const due = (this.lastSent.get(b.executionId) ?? 0) + pace;
        if (due > now) {
          held.add(b.executionId);
          wait = Math.min(wait, due - now);
          continue;
        }
      }
      return b;
    }
    return wait;
  }

  private remove(b: Batch): void {
    const i = this.queue.indexOf(b);
    if (i >= 0) this.queue.splice(i, 1);
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0 && this.sink && !this.closing) {
      const b = this.next();
      if (typeof b === 'number') {
        await this.backoff(b);
        continue;
      }
      const lines = b.lines ?? this.readSpilled(b);
      if (!lines) {
        this.remove(b);
        continue;
      }
      try {
        await this.sink.append(b.executionId, b.batchId, lines);
        if (this.running.has(b.executionId)) this.lastSent.set(b.executionId, Date.now());
        this.remove(b);
        if (b.file) rmSync(b.file, { force: true });
        this.settleWaiters();
      } catch (error) {
        b.attempts++;
        b.firstFailure ??= Date.now();
        const expired = Date.now() - b.firstFailure > this.options.retryTimeoutMs;
        if (this.sink.isPermanent(error) || expired) {
          this.setAside(b, lines, error);
          continue;
        }
        if (b.attempts >= this.options.retryCount) this.spill(b);
        // A finishing task waits on its lines: make them durable now rather than after the retries.
        const awaited = new Set(this.waiters.map((w) => w.executionId));
        for (const q of this.queue) if (awaited.has(q.executionId)) this.spill(q);
        this.options.log.warn('execution log batch not delivered yet', { executionId: b.executionId, batchId: b.batchId, attempts: b.attempts, error });
        await this.backoff(Math.min(10_000, 250 * 2 ** Math.min(b.attempts, 6)));
      }
    }
  }

  private readSpilled(b: Batch): LogLine[] | undefined {
    try {
      return (JSON.parse(readFileSync(b.file!, 'utf8')) as { lines: LogLine[] }).lines;
    } catch (error) {
      this.options.log.error('an execution log batch in the cache folder cannot be read; it is set aside', { file: b.file, error });
      try {
        renameSync(b.file!, join(this.options.folder, 'failed', fileName(b)));
      } catch {
        // Already gone.
      }
      return undefined;
    }
  }

  private setAside(b: Batch, lines: LogLine[], error: unknown): void {
    this.remove(b);
    const target = join(this.options.folder, 'failed', fileName(b));
    if (b.file) renameSync(b.file, target);
    else writeFileSync(target, JSON.stringify({ executionId: b.executionId, batchId: b.batchId, lines }));
    this.options.log.error('execution log batch cannot be delivered; kept in the failed folder', { executionId: b.executionId, batchId: b.batchId, lines: lines.length, file: target, error });
    this.settleWaiters();
  }

  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, Math.min(ms, 60_000));
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeBackoff = () => {
        this.wakeBackoff = undefined;
        done();
      };
    });
  }

  private settleWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      const waiting = this.queue.some((b) => b.executionId === w.executionId && b.key <= w.upTo && !b.file);
      if (!waiting) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }
}

/** A batch's file in the cache folder (and in "failed"): its order key, execution and id, as recover() reads them back. */
function fileName(b: Batch): string {
  return `${b.key}-${b.executionId}-${b.batchId}.json`;
}
