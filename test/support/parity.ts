/**
 * Reads both dialects' SQL files and lists where they differ: objects present in one only, manifest
 * order, versioned step numbers, procedure parameters (names and order) and the catalog error
 * numbers each object raises.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '../../src/migrate/scripts.ts';

export interface DialectSurface {
  /** Object file -> parameters (lower-case, without '@') of the procedure or function it defines. */
  readonly parameters: Map<string, string[]>;
  /** Object file -> error numbers (51000-51999) it raises. */
  readonly errors: Map<string, Set<number>>;
  readonly manifest: string[];
  readonly steps: string[];
}

/** Removes comments and string literals' contents so that numbers and names in them are not read as code. */
export function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
}

export function tsqlParameters(text: string): string[] | undefined {
  const code = stripComments(text);
  const m = /CREATE\s+(?:OR\s+ALTER\s+)?(?:PROC(?:EDURE)?|FUNCTION)\s+[^\s(]+([\s\S]*?)\b(?:RETURNS|AS\s*(?:\n|BEGIN))/i.exec(code);
  if (!m) return undefined;
  return [...m[1]!.matchAll(/@(\w+)\s+[[a-z]/gi)].map((p) => p[1]!.toLowerCase());
}

export function pgParameters(text: string): string[] | undefined {
  const code = stripComments(text);
  const m = /CREATE\s+(?:OR\s+REPLACE\s+)?(PROCEDURE|FUNCTION)\s+[\w."]+\s*\(/i.exec(code);
  if (!m) return undefined;
  let depth = 1;
  let i = m.index + m[0].length;
  const start = i;
  for (; i < code.length && depth > 0; i++) {
    if (code[i] === '(') depth++;
    else if (code[i] === ')') depth--;
  }
  const inside = code.slice(start, i - 1);
  const args: string[] = [];
  let current = '';
  depth = 0;
  for (const c of inside) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      args.push(current);
      current = '';
    } else current += c;
  }
  if (current.trim()) args.push(current);
  return args
    .map((a) => a.trim().replace(/^(IN|OUT|INOUT|VARIADIC)\s+/i, ''))
    .filter((a) => a.length > 0)
    .map((a) => a.split(/\s+/)[0]!.replace(/"/g, '').toLowerCase());
}

export function errorNumbers(text: string): Set<number> {
  return new Set([...stripComments(text).matchAll(/\b(51\d{3})\b/g)].map((m) => Number(m[1])));
}

export function readSurface(root: string, dialect: 'mssql' | 'postgres'): DialectSurface {
  const sqlDir = join(root, 'sql', dialect);
  const manifestPath = join(sqlDir, 'manifest.txt');
  const manifest = existsSync(manifestPath) ? readManifest(manifestPath) : [];
  const parameters = new Map<string, string[]>();
  const errors = new Map<string, Set<number>>();
  for (const file of manifest) {
    const path = join(sqlDir, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, 'utf8');
    const params = dialect === 'mssql' ? tsqlParameters(text) : pgParameters(text);
    if (params) parameters.set(file, params);
    errors.set(file, errorNumbers(text));
  }
  const stepsDir = join(root, 'migrations', dialect);
  const steps = existsSync(stepsDir)
    ? readdirSync(stepsDir).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, '')).sort()
    : [];
  return { parameters, errors, manifest, steps };
}

/** Every difference between the two dialects, one readable line each. */
export function parityProblems(root: string): string[] {
  const t = readSurface(root, 'mssql');
  const p = readSurface(root, 'postgres');
  const problems: string[] = [];
  const tSet = new Set(t.manifest);
  const pSet = new Set(p.manifest);
  for (const f of t.manifest) if (!pSet.has(f)) problems.push(`${f}: T-SQL object has no PL/pgSQL twin in sql/postgres/`);
  for (const f of p.manifest) if (!tSet.has(f)) problems.push(`${f}: PL/pgSQL object has no T-SQL twin in sql/mssql/`);
  const common = t.manifest.filter((f) => pSet.has(f));
  const pOrder = p.manifest.filter((f) => tSet.has(f));
  if (common.join('\n') !== pOrder.join('\n')) problems.push('sql/mssql/manifest.txt and sql/postgres/manifest.txt list the objects in different orders');
  for (const f of common) {
    const tp = t.parameters.get(f);
    const pp = p.parameters.get(f);
    if ((tp === undefined) !== (pp === undefined)) {
      problems.push(`${f}: one dialect defines a procedure or function, the other does not`);
    } else if (tp && pp && tp.join(',') !== pp.join(',')) {
      problems.push(`${f}: parameters differ — T-SQL (${tp.map((x) => `@${x}`).join(', ')}) vs PL/pgSQL (${pp.join(', ')})`);
    }
    const te = [...(t.errors.get(f) ?? [])].sort();
    const pe = [...(p.errors.get(f) ?? [])].sort();
    if (te.join(',') !== pe.join(',')) problems.push(`${f}: error numbers differ — T-SQL [${te.join(', ')}] vs PL/pgSQL [${pe.join(', ')}]`);
  }
  const tSteps = new Set(t.steps);
  const pSteps = new Set(p.steps);
  for (const s of t.steps) if (!pSteps.has(s)) problems.push(`migrations/mssql/${s}.sql has no twin in migrations/postgres/`);
  for (const s of p.steps) if (!tSteps.has(s)) problems.push(`migrations/postgres/${s}.sql has no twin in migrations/mssql/`);
  return problems;
}
