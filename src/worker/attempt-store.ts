/**
 * What a worker keeps on disk about each attempt it holds, so that a restart — after a crash, a
 * kill -9, a power cut of the process — finishes what the last run of it started:
 *
 *   <TasksRootFolder>/<taskId>.<attempt>/attempt.jsonl   the record: the claim (task, lease token,
 *        stream id), how far the attempt got (claimed, started, ended, reported), what is to be
 *        reported (an outcome, a release, or nothing) and where the package's output files are;
 *   <ExecutionLogCacheFolder>/pending.log   the attempts whose report or log lines are not
 *        delivered yet (pending-log.ts); a restart recovers exactly these;
 *   <ExecutionLogCacheFolder>/failed/<taskId>.<attempt>.json   attempts whose lines could not be
 *        delivered before ExecutionLogRetryTimeout, or never can be (the execution was deleted):
 *        counted, logged, reported to the catalog and shown by scaleout doctor; the lines stay in
 *        the attempt's folder.
 *
 * Each change of a record is appended to its file as one line holding the whole record, in one
 * write: the last line that reads whole is the record, so a crash leaves the old or the new. Not a
 * temporary file renamed over the old one: ext4 (auto_da_alloc) writes a file renamed over another,
 * or truncated and written again, through to the disk at once — that made these few bytes most of
 * the worker's time per short package.
 * Like the journal, nothing here waits for the disk: a worker killed at any moment loses nothing the
 * page cache holds; a machine that loses power may find an older record, and the catalog's lease
 * decides then (the attempt is retried).
 */

import { appendFileSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Outcome } from '../catalog/master-calls.ts';
import { PendingLog } from './pending-log.ts';
import { writeAll } from './write-all.ts';

/** One output of the package: a file the worker reads from `start`, as JSON lines (ctx.log) or text (stdout, stderr). */
export interface OutputSource {
  readonly key: string;
  readonly file: string;
  readonly start: number;
  readonly format: 'jsonl' | 'text';
  /** The message type of its text lines: 70 Information (stdout), 110 Warning (stderr). */
  readonly type: number;
}

/** What the worker owes the catalog for the attempt. */
export type Report =
  | { readonly kind: 'complete'; readonly outcome: Outcome; readonly reason?: string }
  /** The attempt never ran: give the task back at no attempt. */
  | { readonly kind: 'release' }
  /** The lease is no longer this worker's: nothing to say. */
  | { readonly kind: 'none' };

export type AttemptState = 'claimed' | 'started' | 'ended' | 'reported';

export interface AttemptRecord {
  readonly version: 1;
  readonly taskId: string;
  readonly executionId: number;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly leaseToken: string;
  readonly leaseMs: number;
  readonly streamId: string;
  readonly packageName: string;
  /** The execution's LOGGING_LEVEL: which message types reach the catalog. */
  readonly loggingLevel: number;
  readonly folder: string;
  readonly state: AttemptState;
  readonly report?: Report;
  readonly sources?: readonly OutputSource[];
  /** Where the package's output ended in files that go on with other runs (a reused host's). */
  readonly ends?: Readonly<Record<string, number>>;
}

export const RECORD_FILE = 'attempt.jsonl';
/** Where earlier versions of the worker kept the record, rewritten whole each time. */
const LEGACY_RECORD_FILE = 'attempt.json';
export const JOURNAL_FILE = 'messages.jsonl';
export const DELIVERED_FILE = 'delivered.json';

export function attemptName(r: Pick<AttemptRecord, 'taskId' | 'attempt'>): string {
  return `${r.taskId}.${r.attempt}`;
}

function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

/** A record as its file holds it: the line break first, so that a line a full disk cut short is ended by the next record, not joined to it. */
function recordLine(text: string): string {
  return `\n${text}`;
}

export function writeRecord(record: AttemptRecord, text: string = JSON.stringify(record)): void {
  appendFileSync(join(record.folder, RECORD_FILE), recordLine(text));
}

/** The record file of an attempt in progress, kept open from its first record to its last. */
export class RecordFile {
  private fd: number | undefined;

  constructor(private readonly folder: string) {}

  write(text: string): void {
    this.fd ??= openSync(join(this.folder, RECORD_FILE), 'a');
    writeAll(this.fd, Buffer.from(recordLine(text), 'utf8'));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export function readRecord(folder: string): AttemptRecord | undefined {
  let text: string;
  try {
    text = readFileSync(join(folder, RECORD_FILE), 'utf8');
  } catch {
    return readLegacyRecord(folder);
  }
  // The last line that reads whole: a write cut short (a full disk) leaves the one before it.
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const record = JSON.parse(lines[i]!) as AttemptRecord | null;
      if (record?.version === 1) return record;
    } catch {
      // Empty, or cut short: the line before.
    }
  }
  return readLegacyRecord(folder);
}

function readLegacyRecord(folder: string): AttemptRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(folder, LEGACY_RECORD_FILE), 'utf8')) as AttemptRecord;
  } catch {
    return undefined;
  }
}

export class AttemptStore {
  private readonly pending: PendingLog;
  private readonly failedFolder: string;

  constructor(cacheFolder: string) {
    this.failedFolder = join(cacheFolder, 'failed');
    mkdirSync(this.failedFolder, { recursive: true });
    this.pending = new PendingLog(join(cacheFolder, 'pending.log'), join(cacheFolder, 'pending'));
  }

  /** The attempt has something to report or deliver: recover it after a restart. */
  addPending(record: AttemptRecord): void {
    this.pending.add(attemptName(record), record.folder);
  }

  removePending(record: Pick<AttemptRecord, 'taskId' | 'attempt'>): void {
    this.pending.remove(attemptName(record));
  }

  /** Folders of the attempts pending now (at a start: those the last run left). */
  pendingFolders(): string[] {
    return this.pending.folders();
  }

  close(): void {
    this.pending.close();
  }

  /** Records that an attempt's remaining lines cannot be delivered (kept in its folder). */
  addFailed(record: AttemptRecord, lines: number, reason: string): void {
    writeAtomically(join(this.failedFolder, `${attemptName(record)}.json`), JSON.stringify({ executionId: record.executionId, folder: record.folder, lines, reason, at: new Date().toISOString() }));
  }

  /** Lines set aside as undeliverable, over every attempt in the failed folder. */
  failedLines(): number {
    let total = 0;
    for (const name of readdirSync(this.failedFolder)) {
      if (!name.endsWith('.json')) continue;
      try {
        // Batches an earlier version set aside hold their lines; attempts hold a count.
        const lines = (JSON.parse(readFileSync(join(this.failedFolder, name), 'utf8')) as { lines?: number | unknown[] }).lines;
        total += Array.isArray(lines) ? lines.length : Number(lines ?? 0);
      } catch {
        // Unreadable entries count for nothing; the folder is there to look at.
      }
    }
    return total;
  }
}
