/**
 * An attempt's write-ahead record of its execution log: messages.jsonl in the attempt's folder.
 * Every line the package wrote (and every message the worker writes about the attempt) is appended
 * here, synchronously, before anything else is done with it — so a worker killed at any moment
 * loses nothing it had read, and the page cache keeps what was written even though the process is
 * gone. A line's number in the journal is its sequence number in the attempt's stream; the catalog
 * stores each number once (internal.append_execution_messages), so lines sent again after a crash
 * or a lost answer are never duplicated.
 *
 * Checkpoint lines ({"ck": ...}) record, in the same write as the lines, how far the package's
 * output files have been read: after a crash the collector goes on from there.
 */

import { closeSync, fstatSync, ftruncateSync, openSync, readSync } from 'node:fs';
import { writeAll } from './write-all.ts';
import type { LogLine } from '../catalog/log-lines.ts';

/** A message as the journal keeps it: a log line without its stream and number. */
export type JournalLine = Omit<LogLine, 'stream' | 'seq'>;

/** How far each output file of the package has been read: byte offset, and whether a cut line's rest is being skipped. */
export type Checkpoint = Record<string, { readonly offset: number; readonly skipping?: boolean }>;

/** A position in a journal: byte offset of the next line, and the number of the next message. */
export interface JournalCursor {
  readonly offset: number;
  readonly seq: number;
}

const CHUNK = 1024 * 1024;

export class Journal {
  /** Called after every append (the shipper then knows there is more to send). */
  onAppend: (() => void) | undefined;
  private fd: number;
  private size: number;
  private count: number;
  private last: Checkpoint;

  private constructor(
    readonly file: string,
    fd: number,
    size: number,
    count: number,
    last: Checkpoint,
  ) {
    this.fd = fd;
    this.size = size;
    this.count = count;
    this.last = last;
  }

  /**
   * Opens (or creates) a journal. An existing one is read once: its message count and last
   * checkpoint; a last line without its end (a full disk) is cut off.
   */
  static open(file: string): Journal {
    const fd = openSync(file, 'a+');
    let count = 0;
    let last: Checkpoint = {};
    let complete = 0;
    for (const { text, end } of scanLines(fd, 0, Number.POSITIVE_INFINITY)) {
      complete = end;
      const parsed = parseRecord(text);
      if (parsed === undefined) continue;
      if ('ck' in parsed) last = parsed.ck;
      else count++;
    }
    const size = fstatSync(fd).size;
    if (complete < size) ftruncateSync(fd, complete);
    return new Journal(file, fd, complete, count, last);
  }

  /** Messages written so far: the next one gets this number. */
  get messageCount(): number {
    return this.count;
  }

  get end(): JournalCursor {
    return { offset: this.size, seq: this.count };
  }

  /** The output files' positions as of the last append that recorded them. */
  get checkpoint(): Checkpoint {
    return this.last;
  }

  /** Appends messages, and the output files' new positions, in one write. */
  append(lines: readonly JournalLine[], checkpoint?: Checkpoint): void {
    if (lines.length === 0 && !checkpoint) return;
    let text = '';
    for (const line of lines) text += `${JSON.stringify(line)}\n`;
    if (checkpoint) text += `${JSON.stringify({ ck: checkpoint })}\n`;
    const bytes = Buffer.from(text, 'utf8');
    writeAll(this.fd, bytes);
    this.size += bytes.length;
    this.count += lines.length;
    if (checkpoint) this.last = checkpoint;
    if (lines.length > 0) this.onAppend?.();
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** Messages read from a journal, each with its number, and where the next read starts. */
export interface JournalRead {
  readonly lines: Array<JournalLine & { readonly seq: number }>;
  readonly next: JournalCursor;
  /** Bytes of JSON the lines take. */
  readonly bytes: number;
}

/** Reads up to maxLines messages (and about maxBytes of them) from a cursor. */
export function readJournal(file: string, from: JournalCursor, maxLines: number, maxBytes: number): JournalRead {
  const fd = openSync(file, 'r');
  try {
    const lines: Array<JournalLine & { seq: number }> = [];
    let seq = from.seq;
    let offset = from.offset;
    let bytes = 0;
    for (const { text, end } of scanLines(fd, from.offset, maxBytes + CHUNK)) {
      const parsed = parseRecord(text);
      if (parsed !== undefined && !('ck' in parsed)) {
        if (lines.length >= maxLines || (lines.length > 0 && bytes + text.length > maxBytes)) break;
        lines.push({ ...parsed, seq });
        seq++;
        bytes += text.length;
      }
      offset = end;
    }
    return { lines, next: { offset, seq }, bytes };
  } finally {
    closeSync(fd);
  }
}

type JournalRecord = JournalLine | { ck: Checkpoint };

function parseRecord(text: string): JournalRecord | undefined {
  try {
    return JSON.parse(text) as JournalRecord;
  } catch {
    return undefined;
  }
}

/** The complete lines of a file from an offset (each with the offset after it), reading at most about `limit` bytes. */
function* scanLines(fd: number, start: number, limit: number): Generator<{ text: string; end: number }> {
  let position = start;
  let carry = Buffer.alloc(0);
  let read = 0;
  // No bigger than what there is to read: most journals are a few lines (or none yet), and a
  // megabyte zeroed per read was much of a short package's time in the worker.
  const size = Math.min(CHUNK, fstatSync(fd).size - start);
  if (size <= 0) return;
  const buffer = Buffer.allocUnsafe(size);
  while (read < limit) {
    const n = readSync(fd, buffer, 0, buffer.length, position);
    if (n === 0) return;
    position += n;
    read += n;
    const data = carry.length > 0 ? Buffer.concat([carry, buffer.subarray(0, n)]) : buffer.subarray(0, n);
    let from = 0;
    let nl = data.indexOf(10, from);
    while (nl !== -1) {
      const end = position - (data.length - nl - 1);
      yield { text: data.toString('utf8', from, nl), end };
      from = nl + 1;
      nl = data.indexOf(10, from);
    }
    carry = Buffer.from(data.subarray(from));
  }
}
