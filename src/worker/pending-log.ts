/**
 * The attempts a worker still owes a report or log lines for: what a restart recovers. One file,
 * <ExecutionLogCacheFolder>/pending.log, appended to — "+<attempt>\t<folder>" when an attempt is
 * claimed, "-<attempt>" when nothing is owed any more — each line one write on a descriptor kept
 * open, its line break first (a line a full disk cut short is ended by the next one, not joined
 * to it, and is skipped when read). A file per attempt created and removed cost two directory
 * changes per package, which ext4 makes wait on its journal.
 *
 * Read once when the worker starts, and written again whole (temporary file, rename) then and
 * whenever removed attempts make up most of it. Entries an earlier version of the worker kept in
 * <ExecutionLogCacheFolder>/pending/ (a file per attempt holding its folder's path) are taken in
 * at that start, and removed once the new file holds them.
 */

import { closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeAll } from './write-all.ts';

/** Lines appended since the file was last written whole before it is written again, at the least. */
const COMPACT_AFTER_LINES = 2000;

export class PendingLog {
  private readonly entries = new Map<string, string>();
  private fd: number | undefined;
  private lines = 0;

  /** Reads what the last run left (and an earlier version's folder of entries), and writes it whole. */
  constructor(
    private readonly file: string,
    legacyFolder: string,
  ) {
    this.replay();
    const legacy = readLegacy(legacyFolder, this.entries);
    this.fd = this.rewrite();
    for (const entry of legacy) rmSync(entry, { force: true });
  }

  add(name: string, folder: string): void {
    this.entries.set(name, folder);
    this.append(`+${name}\t${folder}`);
  }

  remove(name: string): void {
    if (!this.entries.delete(name)) return;
    this.append(`-${name}`);
    if (this.fd !== undefined && this.lines > COMPACT_AFTER_LINES && this.lines > 4 * this.entries.size) {
      closeSync(this.fd);
      this.fd = this.rewrite();
    }
  }

  /** Folders of the pending attempts; entries whose folder is gone are dropped. */
  folders(): string[] {
    const out: string[] = [];
    for (const [name, folder] of [...this.entries]) {
      if (existsSync(folder)) out.push(folder);
      else this.remove(name);
    }
    return out;
  }

  /** Stops writing: what changes after this (a late answer while the worker stops) is read again at the next start. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(line: string): void {
    if (this.fd === undefined) return;
    writeAll(this.fd, Buffer.from(`\n${line}`, 'utf8'));
    this.lines++;
  }

  private replay(): void {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return; // none yet
    }
    for (const line of text.split('\n')) {
      if (line.startsWith('+')) {
        const tab = line.indexOf('\t');
        if (tab > 1 && tab < line.length - 1) this.entries.set(line.slice(1, tab), line.slice(tab + 1));
      } else if (line.startsWith('-')) {
        this.entries.delete(line.slice(1));
      }
    }
  }

  /** Writes the entries whole, and opens the file for appending. */
  private rewrite(): number {
    let text = '';
    for (const [name, folder] of this.entries) text += `\n+${name}\t${folder}`;
    writeFileSync(`${this.file}.tmp`, text);
    renameSync(`${this.file}.tmp`, this.file);
    this.lines = this.entries.size;
    return openSync(this.file, 'a');
  }
}

/** Entries an earlier version of the worker left in its pending folder; returns their paths. */
function readLegacy(folder: string, into: Map<string, string>): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const paths: string[] = [];
  for (const name of names) {
    const path = join(folder, name);
    paths.push(path);
    if (name.endsWith('.tmp')) continue;
    try {
      into.set(name, readFileSync(path, 'utf8'));
    } catch {
      // Removed meanwhile.
    }
  }
  return paths;
}
