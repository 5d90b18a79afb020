/**
 * Reads what a package writes into its attempt's journal. A package never writes to a pipe the
 * worker must drain: its stdout and stderr go straight to files, and a node package's ctx.log lines
 * are written by its host to a file of JSON lines. Whatever the package wrote is therefore on disk
 * the moment it wrote it, even if the worker dies that instant; the collector reads the files while
 * the package runs (every pollMs), and once more to the end when it stops, appending the lines and
 * the files' new positions to the journal in one write. After a crash it goes on from the journal's
 * last checkpoint, so each line is journaled exactly once.
 *
 * Lines longer than MAX_RAW_BYTES are cut (the rest up to the line end is skipped); a line is never
 * lost for holding bytes that are not UTF-8, NUL or a lone surrogate — they become U+FFFD.
 */

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { cutLine, MAX_LINE_CHARS, storableText } from '../catalog/log-lines.ts';
import type { OutputSource } from './attempt-store.ts';
import type { Checkpoint, Journal, JournalLine } from './journal.ts';

/** A raw output line is cut beyond this many bytes. */
export const MAX_RAW_BYTES = 256 * 1024;
/** Bytes read from all of an attempt's outputs in one pass, at most (the next pass goes on). */
const PASS_BUDGET = 8 * 1024 * 1024;
const CHUNK = 1024 * 1024;

let shared: Buffer | undefined;
/**
 * One read buffer for every collector of the worker: reads are synchronous and each line is made a
 * string before the next, so nothing outlives a read. (A megabyte zeroed per read of each output,
 * several times per package, was much of a short package's time in the worker.)
 */
function readBuffer(): Buffer {
  shared ??= Buffer.allocUnsafe(CHUNK);
  return shared;
}

/** A ctx.log line as the package host writes it. */
interface HostLine {
  readonly t: number;
  readonly y: number;
  readonly m: string;
  readonly e?: string | null;
}

interface Found {
  readonly line: JournalLine;
  readonly key: string;
}

interface SourceState {
  readonly source: OutputSource;
  offset: number;
  skipping: boolean;
  /** Where the package's output in this file ends (a reused host's file goes on with its next run). */
  end: number | undefined;
}

export interface CollectorOptions {
  readonly journal: Journal;
  readonly sources: readonly OutputSource[];
  /** Fields every package line gets: package name, source name, source type. */
  readonly base: Pick<JournalLine, 'package' | 'sourceName' | 'source'>;
  /** Whether the execution's logging level keeps a message type. */
  readonly keep: (type: number) => boolean;
  /** Each line journaled (for the task log and the stderr tail). */
  readonly onLine?: (line: JournalLine, sourceKey: string) => void;
  readonly pollMs?: number;
  /** Lines found after a crash are stamped with the file's last write, not the time they are read. */
  readonly recovering?: boolean;
}

export class OutputCollector {
  private readonly states: SourceState[];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: CollectorOptions) {
    const at = options.journal.checkpoint;
    this.states = options.sources.map((source) => ({
      source,
      offset: at[source.key]?.offset ?? source.start,
      skipping: at[source.key]?.skipping ?? false,
      end: undefined,
    }));
  }

  /** Reads the outputs every pollMs while the package runs. */
  start(): void {
    const pollMs = this.options.pollMs ?? 250;
    this.timer = setInterval(() => this.collect(false), pollMs);
    this.timer.unref();
  }

  /**
   * Reads everything the package wrote, to the end of each file (or to `ends`, the positions where
   * a reused host's output for this run stopped), and stops polling.
   */
  finish(ends: Readonly<Record<string, number>> = {}): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.states) s.end = ends[s.source.key];
    while (this.collect(true) > 0);
  }

  /** One pass over the outputs; returns the bytes consumed. */
  collect(final: boolean): number {
    const found: Found[] = [];
    let consumed = 0;
    for (const s of this.states) {
      if (consumed >= PASS_BUDGET) break;
      consumed += this.readSource(s, final, found, PASS_BUDGET - consumed);
    }
    if (consumed > 0) {
      const checkpoint: Checkpoint = Object.fromEntries(this.states.map((s) => [s.source.key, s.skipping ? { offset: s.offset, skipping: true } : { offset: s.offset }]));
      this.options.journal.append(
        found.map((f) => f.line),
        checkpoint,
      );
      if (this.options.onLine) for (const f of found) this.options.onLine(f.line, f.key);
    }
    return consumed;
  }

  /** Reads complete lines of one output from its position; returns the bytes consumed. */
  private readSource(s: SourceState, final: boolean, out: Found[], budget: number): number {
    let fd: number;
    try {
      fd = openSync(s.source.file, 'r');
    } catch {
      return 0; // not created yet (a package that never logged)
    }
    const startOffset = s.offset;
    try {
      const stamp = this.options.recovering ? new Date(Math.min(Date.now(), fstatSync(fd).mtimeMs)).toISOString() : new Date().toISOString();
      const buffer = readBuffer();
      let spent = 0;
      while (spent < budget) {
        const limit = s.end === undefined ? CHUNK : Math.min(CHUNK, s.end - s.offset);
        if (limit <= 0) break;
        const n = readSync(fd, buffer, 0, limit, s.offset);
        if (n === 0) break;
        const data = buffer.subarray(0, n);
        let from = 0;
        for (;;) {
          const nl = data.indexOf(10, from);
          if (nl === -1) break;
          if (!s.skipping) this.emit(s, data.subarray(from, nl), stamp, out);
          s.skipping = false;
          from = nl + 1;
        }
        // What is left has no line end yet.
        const rest = n - from;
        if (s.skipping) from = n; // a cut line's rest: skip it as it comes
        else if (rest > MAX_RAW_BYTES) {
          this.emit(s, data.subarray(from, from + MAX_RAW_BYTES), stamp, out, true);
          s.skipping = true;
          from = n;
        }
        s.offset += from;
        spent += from;
        if (from === 0) {
          // A partial last line: at the end of the output it is a line of its own.
          if (final && (n < limit || s.end !== undefined)) {
            this.emit(s, data.subarray(0, n), stamp, out);
            s.offset += n;
            spent += n;
          }
          break;
        }
        if (n < limit && from === n) break;
      }
    } finally {
      closeSync(fd);
    }
    return s.offset - startOffset;
  }

  private emit(s: SourceState, raw: Buffer, stamp: string, out: Found[], cut = false): void {
    const text = raw.toString('utf8');
    let line: JournalLine | undefined;
    if (s.source.format === 'jsonl') {
      let parsed: HostLine | undefined;
      try {
        parsed = JSON.parse(text) as HostLine;
      } catch {
        parsed = undefined; // a line the host was killed in the middle of writing
      }
      if (!parsed || typeof parsed.m !== 'string') return;
      line = {
        time: new Date(Number(parsed.t) || Date.now()).toISOString(),
        type: Number(parsed.y) || 70,
        message: cutLine(storableText(parsed.m)),
        event: parsed.e ?? eventName(Number(parsed.y)),
        ...this.options.base,
      };
    } else {
      const body = storableText(text.endsWith('\r') ? text.slice(0, -1) : text);
      line = {
        time: stamp,
        type: s.source.type,
        message: cut ? `${body.slice(0, MAX_LINE_CHARS)} … [line cut: longer than ${MAX_RAW_BYTES} bytes]` : cutLine(body),
        event: eventName(s.source.type),
        ...this.options.base,
      };
    }
    if (!this.options.keep(line.type)) return;
    out.push({ line, key: s.source.key });
  }
}

/** SSIS's event name of a message type. */
export function eventName(type: number): string | undefined {
  switch (type) {
    case 30:
      return 'OnPreExecute';
    case 40:
      return 'OnPostExecute';
    case 120:
      return 'OnError';
    case 110:
      return 'OnWarning';
    case 70:
      return 'OnInformation';
    case 60:
      return 'OnProgress';
    case 130:
      return 'OnTaskFailed';
    default:
      return undefined;
  }
}
