/** How the CLI prints: aligned tables for people, JSON on request, numbered catalog errors on stderr. */

import { formatError } from './cli-errors.ts';

export function printTable(rows: readonly Record<string, unknown>[], columns?: readonly string[]): void {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  if (cols.length === 0) return;
  const cells = rows.map((r) => cols.map((c) => formatCell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${line(cols)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const row of cells) process.stdout.write(`${line(row)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Prints an error as `error <number>: <message>` and, where one is known, `hint: <the fix>`. */
export function reportError(error: unknown): void {
  process.stderr.write(formatError(error));
  if (process.env.SCALEOUT_DEBUG && error instanceof Error) process.stderr.write(`${error.stack ?? ''}\n`);
}
