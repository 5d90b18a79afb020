/**
 * Delivers the execution log of every attempt a worker holds — exactly once, in order, whatever
 * fails. Each attempt's lines are in its journal on disk (journal.ts) before they are sent; the
 * shipper reads them from the attempt's delivery cursor (delivered.json) and sends them in
 * batches of at most ExecutionLogMaxBufferLogCount lines and MAX_BATCH_BYTES, each line with the
 * attempt's stream id and its number, so the catalog stores every number once however often a
 * batch is sent again. Attempts take turns; each has one batch in flight at a time, and up to
 * MAX_IN_FLIGHT attempts have one (one at a time made fifty short packages that ended together wait
 * in line for each other's lines before reporting their outcomes).
 *
 * While an attempt's package runs, its batches leave at most once per pace interval (a second): the
 * DBA still sees lines as they come, and a chatty package does not compete with the catalog
 * inserting its lines at full speed. When the package ends, or someone waits on its lines (flush),
 * the rest goes at once.
 *
 * Failures are retried with a growing pause for as long as ExecutionLogRetryTimeout since the last
 * success. A batch the body limit refuses is sent in smaller pieces; a line the catalog refuses
 * alone is stored as a placeholder that says so. Lines that can never be delivered (the execution
 * was deleted) or outlast the timeout are counted as undeliverable, logged, recorded in the
 * failed folder (they stay in the attempt's journal) and reported with the worker's heartbeat —
 * never dropped silently.
 */

import { closeSync, constants, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLine } from '../catalog/log-lines.ts';
import type { Logger } from '../log/logger.ts';
import { DELIVERED_FILE, JOURNAL_FILE, type AttemptRecord, type AttemptStore } from './attempt-store.ts';
import { readJournal, type Journal, type JournalCursor } from './journal.ts';

/** Batches in flight at once, each of another attempt. */
export const MAX_IN_FLIGHT = 8;

/** Bytes of lines in one batch, at most: well below the master's 16 MiB body limit. */
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

/** Why a delivery failed for good: the execution is gone, the lines are refused, or the batch is too large. */
export type PermanentFailure = 'gone' | 'invalid' | 'too_large';

/** Where batches go: the master's log route, or the catalog directly with the log-writer login. */
export interface LogSink {
  append(executionId: number, lines: readonly LogLine[]): Promise<void>;
  /** What kind of failure this is, when sending the same lines again can never succeed. */
  permanent(error: unknown): PermanentFailure | undefined;
}

export interface LogShipperOptions {
  readonly store: AttemptStore;
  readonly maxLinesPerBatch: number;
  readonly retryTimeoutMs: number;
  /** While the attempt's package runs, at most one batch per this many ms (0: no pacing). */
  readonly paceMs?: number;
  readonly log: Logger;
}

interface Tracked {
  readonly record: AttemptRecord;
  readonly journal: Journal;
  cursor: JournalCursor;
  /** When the cursor was last written to disk (or tracking began). */
  cursorSavedAt: number;
  live: boolean;
  lastSent: number;
  /** Lines per batch for this attempt (halved while the body limit refuses them). */
  batchLines: number;
  failingSince: number | undefined;
  attempts: number;
  givenUp: boolean;
  reported: boolean;
  /** A batch of the attempt is on its way. */
  sending: boolean;
  readonly waiters: Array<{ upTo: number; resolve: () => void }>;
}

export class LogShipper {
  private readonly tracked = new Map<string, Tracked>();
  private sink: LogSink | undefined;
  private pumping = false;
  private kickAgain = false;
  /** Deliveries on their way now. */
  private inFlight = 0;
  private closing = false;
  private wake: (() => void) | undefined;
  private turn = 0;
  private failedLines: number;

  constructor(private readonly options: LogShipperOptions) {
    this.failedLines = options.store.failedLines();
  }

  /** Sets (or replaces) where batches go, and starts delivering. */
  useSink(sink: LogSink): void {
    this.sink = sink;
    this.kick();
  }

  /** Delivers an attempt's journal from where the last delivery stopped. */
  track(record: AttemptRecord, journal: Journal, live: boolean): void {
    this.tracked.set(key(record), {
      record,
      journal,
      cursor: readCursor(record.folder),
      cursorSavedAt: Date.now(),
      live,
      // A running package's first lines wait their turn like the rest (at most a second): a short
      // package's lines then go in one batch when it ends, not one batch for its start and another
      // for its end.
      lastSent: live ? Date.now() : 0,
      batchLines: this.options.maxLinesPerBatch,
      failingSince: undefined,
      attempts: 0,
      givenUp: false,
      reported: false,
      sending: false,
      waiters: [],
    });
    this.kick();
  }

  /** New lines were journaled, or the package stopped running (its lines then go at once). */
  touch(record: AttemptRecord, live?: boolean): void {
    const t = this.tracked.get(key(record));
    if (!t) return;
    if (live !== undefined) t.live = live;
    this.kick();
    this.wake?.();
  }

  /** Resolves once every line journaled so far for the attempt is delivered (or given up for good). */
  flush(record: AttemptRecord): Promise<void> {
    const t = this.tracked.get(key(record));
    if (!t || t.givenUp || t.cursor.offset >= t.journal.end.offset) return Promise.resolve();
    return new Promise((resolve) => {
      t.waiters.push({ upTo: t.journal.end.offset, resolve });
      this.kick();
      this.wake?.();
    });
  }

  /** The attempt's report is answered: once its lines are delivered too, it is no longer pending. */
  reported(record: AttemptRecord): void {
    const t = this.tracked.get(key(record));
    if (!t) {
      this.options.store.removePending(record);
      return;
    }
    t.reported = true;
    this.settle(t);
  }

  /** Lines journaled and not delivered yet, over every attempt. */
  get pendingLines(): number {
    let n = 0;
    for (const t of this.tracked.values()) if (!t.givenUp) n += Math.max(0, t.journal.messageCount - t.cursor.seq);
    return n;
  }

  /** Lines set aside as undeliverable (kept in their attempts' journals). */
  get undeliverableLines(): number {
    return this.failedLines;
  }

  /** Delivers what it can until the deadline; whatever is left stays on disk for the next start. */
  async close(deadlineMs: number): Promise<void> {
    const until = Date.now() + deadlineMs;
    for (const t of this.tracked.values()) t.live = false;
    this.wake?.();
    while (this.sink && Date.now() < until && [...this.tracked.values()].some((t) => !t.givenUp && t.cursor.offset < t.journal.end.offset)) {
      this.kick();
      await new Promise((r) => setTimeout(r, 20));
    }
    this.closing = true;
    this.wake?.();
    for (const t of this.tracked.values()) {
      // Where delivery got, for the next start (a batch in flight now is sent again then).
      if (t.cursor.offset > 0) writeCursor(t.record.folder, t.cursor);
      for (const w of t.waiters.splice(0)) w.resolve();
    }
  }

  /**
   * Batches an earlier version of the worker left in the cache folder (<time>-<n>-<execution>-<batch id>.json):
   * sent with their batch id, which the catalog stores once.
   */
  async deliverLegacyBatches(folder: string, append: (executionId: number, batchId: string, lines: LogLine[]) => Promise<void>): Promise<number> {
    const files = readdirSync(folder).filter((f) => /^\d{15}-\d{6}-\d+-[0-9a-f-]{36}\.json$/.test(f)).sort();
    let delivered = 0;
    for (const name of files) {
      const file = join(folder, name);
      try {
        const b = JSON.parse(readFileSync(file, 'utf8')) as { executionId: number; batchId: string; lines: LogLine[] };
        await append(b.executionId, b.batchId, b.lines);
        rmSync(file, { force: true });
        delivered++;
      } catch (error) {
        if (this.sink?.permanent(error) === 'gone') {
          renameSync(file, join(folder, 'failed', name));
          continue;
        }
        this.options.log.warn('a log batch left by an earlier version could not be delivered yet; it is tried again at the next start', { file, error });
      }
    }
    return delivered;
  }

  private kick(): void {
    if (!this.sink || this.closing) return;
    if (this.pumping) {
      // The pump may be on its way out: make it look again.
      this.kickAgain = true;
      this.wake?.();
      return;
    }
    this.pumping = true;
    this.kickAgain = false;
    void this.pump().finally(() => {
      this.pumping = false;
      if (this.kickAgain) this.kick();
    });
  }

  /** The next attempt whose lines may leave now (attempts take turns), or how long until one may. */
  private next(): Tracked | number | undefined {
    const list = [...this.tracked.values()].filter((t) => !t.givenUp && !t.sending && t.cursor.offset < t.journal.end.offset);
    if (list.length === 0) return undefined;
    const now = Date.now();
    const pace = this.options.paceMs ?? 1000;
    let wait = Number.POSITIVE_INFINITY;
    for (let i = 0; i < list.length; i++) {
      const t = list[(this.turn + i) % list.length]!;
      const due = t.live && t.waiters.length === 0 ? t.lastSent + pace : 0;
      const retryAt = t.failingSince === undefined ? 0 : t.lastSent + Math.min(10_000, 250 * 2 ** Math.min(t.attempts, 6));
      const at = Math.max(due, retryAt);
      if (at <= now) {
        this.turn = (this.turn + i + 1) % list.length;
        return t;
      }
      wait = Math.min(wait, at - now);
    }
    return wait;
  }

  /** Starts deliveries, up to MAX_IN_FLIGHT at once; each one's end wakes it. */
  private async pump(): Promise<void> {
    while (this.sink && !this.closing) {
      if (this.inFlight >= MAX_IN_FLIGHT) {
        await this.pause(60_000);
        continue;
      }
      const t = this.next();
      if (t === undefined) {
        if (this.inFlight === 0) return;
        // A delivery on its way may leave more of its attempt to send (a batch halved, a retry).
        await this.pause(60_000);
        continue;
      }
      if (typeof t === 'number') {
        await this.pause(t);
        continue;
      }
      t.sending = true;
      this.inFlight++;
      void this.deliverOne(t)
        .catch((error: unknown) => this.options.log.error('execution log delivery failed in the worker itself; it is tried again', { executionId: t.record.executionId, error }))
        .finally(() => {
          t.sending = false;
          this.inFlight--;
          this.wake?.();
        });
    }
  }

  private async deliverOne(t: Tracked): Promise<void> {
    const read = readJournal(join(t.record.folder, JOURNAL_FILE), t.cursor, t.batchLines, MAX_BATCH_BYTES);
    if (read.lines.length === 0) {
      this.advance(t, read.next);
      return;
    }
    const lines: LogLine[] = read.lines.map((l) => ({ ...l, stream: t.record.streamId }));
    t.lastSent = Date.now();
    try {
      await this.sink!.append(t.record.executionId, lines);
      t.failingSince = undefined;
      t.attempts = 0;
      this.advance(t, read.next);
    } catch (error) {
      const permanent = this.sink!.permanent(error);
      if (permanent === 'too_large' && read.lines.length > 1) {
        t.batchLines = Math.max(1, Math.floor(read.lines.length / 2));
        return;
      }
      if (permanent === 'invalid' && read.lines.length > 1) {
        // Find the line the catalog refuses: smaller batches, down to that one line.
        t.batchLines = Math.max(1, Math.floor(read.lines.length / 2));
        return;
      }
      if ((permanent === 'invalid' || permanent === 'too_large') && read.lines.length === 1) {
        await this.replaceRefusedLine(t, lines[0]!, read.next, error);
        return;
      }
      if (permanent === 'gone') {
        this.giveUp(t, `the catalog has no execution ${t.record.executionId} any more (deleted by retention?)`, error);
        return;
      }
      t.attempts++;
      t.failingSince ??= Date.now();
      if (Date.now() - t.failingSince > this.options.retryTimeoutMs) {
        this.giveUp(t, `not delivered for ExecutionLogRetryTimeout (${Math.round(this.options.retryTimeoutMs / 1000)} s)`, error);
        return;
      }
      if (t.attempts === 1 || t.attempts % 10 === 0) this.options.log.warn('execution log lines not delivered yet; retrying', { executionId: t.record.executionId, attempts: t.attempts, error });
    }
  }

  /** One line the catalog refuses for good: store a placeholder with its number instead, so nothing after it is held up. */
  private async replaceRefusedLine(t: Tracked, line: LogLine, next: JournalCursor, error: unknown): Promise<void> {
    const placeholder: LogLine = {
      ...line,
      message: `[This line could not be stored: ${String((error as Error)?.message ?? error).slice(0, 300)}. It is kept in ${join(t.record.folder, JOURNAL_FILE)}.]`,
      type: 110,
    };
    try {
      await this.sink!.append(t.record.executionId, [placeholder]);
      this.options.log.error('an execution log line was refused by the catalog; a placeholder was stored in its place', { executionId: t.record.executionId, seq: line.seq, error });
      this.advance(t, next);
    } catch (second) {
      if (this.sink!.permanent(second)) this.giveUp(t, 'a line the catalog refuses, even as a placeholder', second);
      else t.failingSince ??= Date.now();
    }
  }

  /**
   * Moves an attempt's cursor; on disk at most once a CURSOR_SAVE_MS. The cursor only spares a
   * restarted worker sending lines again — the catalog stores each number once — so an attempt
   * delivered within that time (most short packages) never writes one.
   */
  private advance(t: Tracked, to: JournalCursor): void {
    t.cursor = to;
    const now = Date.now();
    if (now - t.cursorSavedAt >= CURSOR_SAVE_MS) {
      writeCursor(t.record.folder, to);
      t.cursorSavedAt = now;
    }
    this.settle(t);
  }

  private giveUp(t: Tracked, reason: string, error: unknown): void {
    const lines = Math.max(0, t.journal.messageCount - t.cursor.seq);
    t.givenUp = true;
    this.options.store.addFailed(t.record, lines, reason);
    this.failedLines += lines;
    this.options.log.error('execution log lines cannot be delivered; they are kept in the attempt folder and counted as undeliverable', {
      executionId: t.record.executionId,
      lines,
      folder: t.record.folder,
      reason,
      error,
    });
    this.settle(t);
  }

  /** Answers waiters whose lines are delivered, and forgets an attempt that is done. */
  private settle(t: Tracked): void {
    for (let i = t.waiters.length - 1; i >= 0; i--) {
      if (t.givenUp || t.cursor.offset >= t.waiters[i]!.upTo) t.waiters.splice(i, 1)[0]!.resolve();
    }
    const delivered = t.givenUp || t.cursor.offset >= t.journal.end.offset;
    if (t.reported && delivered && !t.live) {
      this.tracked.delete(key(t.record));
      t.journal.close();
      this.options.store.removePending(t.record);
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, 60_000));
      this.wake = done;
    });
  }
}

function key(r: Pick<AttemptRecord, 'taskId' | 'attempt'>): string {
  return `${r.taskId}.${r.attempt}`;
}

function readCursor(folder: string): JournalCursor {
  try {
    const c = JSON.parse(readFileSync(join(folder, DELIVERED_FILE), 'utf8')) as JournalCursor;
    if (Number.isInteger(c.offset) && Number.isInteger(c.seq)) return c;
  } catch {
    // Nothing delivered yet.
  }
  return { offset: 0, seq: 0 };
}

/** How often an attempt's delivery cursor is written at most. */
const CURSOR_SAVE_MS = 1000;

/** Wider than any cursor's JSON: the file is written over in place, never truncated. */
const CURSOR_WIDTH = 80;

/**
 * Writes the cursor over the old one in one write at offset 0, padded to a fixed width — not
 * truncated and written again, which ext4 writes through to the disk at once (attempt-store.ts).
 * A worker killed meanwhile leaves the old cursor or the new; either is safe (the catalog stores a
 * line number once).
 */
function writeCursor(folder: string, cursor: JournalCursor): void {
  let fd: number;
  try {
    fd = openSync(join(folder, DELIVERED_FILE), constants.O_WRONLY | constants.O_CREAT);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // the attempt's folder is gone
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(cursor).padEnd(CURSOR_WIDTH), 0);
  } finally {
    closeSync(fd);
  }
}
