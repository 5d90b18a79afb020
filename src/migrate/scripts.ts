/**
 * The catalog's SQL, as files: versioned steps (migrations/<dialect>/NNNN_slug.sql, applied once, in
 * order) and programmable objects (sql/<dialect>/<schema>/<name>.sql, listed in apply order in
 * sql/<dialect>/manifest.txt, re-applied whenever their checksum changes).
 */

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dialect } from '../db/types.ts';

export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface SqlScript {
  /** Migration name in the history: '0001_initial' for steps, 'catalog/foo.sql' for objects. */
  readonly name: string;
  readonly kind: 'step' | 'object';
  /** Path relative to the project root, for messages. */
  readonly file: string;
  readonly text: string;
  readonly sha256: string;
  /** Step number (steps only). */
  readonly number?: number;
}

const STEP_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function sha256(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

function script(root: string, relative: string, name: string, kind: SqlScript['kind'], number?: number): SqlScript {
  const text = readFileSync(join(root, relative), 'utf8');
  return { name, kind, file: relative, text, sha256: sha256(text), ...(number === undefined ? {} : { number }) };
}

export function versionedSteps(dialect: Dialect, root = PROJECT_ROOT): SqlScript[] {
  const dir = join('migrations', dialect);
  if (!existsSync(join(root, dir))) return [];
  const files = readdirSync(join(root, dir)).filter((f) => f.endsWith('.sql')).sort();
  return files.map((f) => {
    const m = STEP_FILE.exec(f);
    if (!m) throw new Error(`${join(dir, f)}: versioned steps are named NNNN_slug.sql (lower-case slug).`);
    return script(root, join(dir, f), f.replace(/\.sql$/, ''), 'step', Number(m[1]));
  });
}

/** The object files in manifest order. Every .sql file under sql/<dialect>/ must be listed exactly once. */
export function objectScripts(dialect: Dialect, root = PROJECT_ROOT): SqlScript[] {
  const dir = join('sql', dialect);
  const manifestPath = join(root, dir, 'manifest.txt');
  if (!existsSync(manifestPath)) return [];
  const listed = readManifest(manifestPath);
  const onDisk = listSqlFiles(join(root, dir));
  const missing = onDisk.filter((f) => !listed.includes(f));
  if (missing.length > 0) throw new Error(`${join(dir, 'manifest.txt')} does not list ${missing.join(', ')}.`);
  const seen = new Set<string>();
  return listed.map((f) => {
    if (seen.has(f)) throw new Error(`${join(dir, 'manifest.txt')} lists ${f} twice.`);
    seen.add(f);
    if (!onDisk.includes(f)) throw new Error(`${join(dir, 'manifest.txt')} lists ${f}, which does not exist.`);
    return script(root, join(dir, f), f, 'object');
  });
}

export function readManifest(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l.length > 0);
}

function listSqlFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listSqlFiles(join(dir, entry.name), rel));
    else if (entry.name.endsWith('.sql')) out.push(rel);
  }
  return out.sort();
}

export interface Batch {
  readonly text: string;
  /** 1-based line in the file where the batch starts. */
  readonly startLine: number;
  /** `GO n` runs a batch n times, as sqlcmd does. */
  readonly repeat: number;
}

/**
 * Splits a T-SQL script into batches the way sqlcmd does: on a line holding only GO (optionally a
 * repeat count and a trailing -- comment), never inside a string literal, a quoted identifier or a
 * block comment.
 */
export function splitGoBatches(text: string): Batch[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const batches: Batch[] = [];
  let current: string[] = [];
  let startLine = 1;
  let state: 'code' | 'string' | 'ident' | 'comment' = 'code';
  let commentDepth = 0;
  const flush = (repeat: number, nextStart: number) => {
    const body = current.join('\n');
    if (body.trim().length > 0) batches.push({ text: body, startLine, repeat });
    current = [];
    startLine = nextStart;
  };
  lines.forEach((line, index) => {
    const go = state === 'code' ? /^\s*go(?:\s+(\d+))?\s*(?:--.*)?$/i.exec(line) : null;
    if (go) {
      flush(go[1] ? Number(go[1]) : 1, index + 2);
      return;
    }
    current.push(line);
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      const next = line[i + 1];
      if (state === 'code') {
        if (c === '-' && next === '-') break;
        if (c === '/' && next === '*') { state = 'comment'; commentDepth = 1; i++; }
        else if (c === "'") state = 'string';
        else if (c === '[') state = 'ident';
      } else if (state === 'string') {
        if (c === "'") { if (next === "'") i++; else state = 'code'; }
      } else if (state === 'ident') {
        if (c === ']') { if (next === ']') i++; else state = 'code'; }
      } else if (state === 'comment') {
        if (c === '/' && next === '*') { commentDepth++; i++; }
        else if (c === '*' && next === '/') { commentDepth--; i++; if (commentDepth === 0) state = 'code'; }
      }
    }
  });
  flush(1, lines.length + 1);
  return batches;
}

/** 1-based line of a 1-based character position in a text. */
export function lineOfPosition(text: string, position: number): number {
  return text.slice(0, Math.max(0, position - 1)).split('\n').length;
}
