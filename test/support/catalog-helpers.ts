/** Small helpers the contract specs share: errors, snapshots, ids, thumbprints and time. */

import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import { CatalogError } from '../../src/catalog/errors.ts';
import { withSsisColumnNames } from '../../src/catalog/view-columns.ts';
import type { CatalogDb, Row } from '../../src/db/types.ts';

export const ANY_WORKER = '11111111-1111-1111-1111-111111111111';

export function newId(): string {
  return randomUUID();
}

/** A SHA-1 sized (40) or SHA-256 sized (64) thumbprint, upper-case hex. */
export function newThumbprint(length: 40 | 64 = 64): string {
  return randomBytes(length / 2).toString('hex').toUpperCase();
}

/** Awaits a call that must fail with the given catalog error number; returns the error. */
export async function expectCatalogError(call: Promise<unknown>, number: number, text?: RegExp): Promise<CatalogError> {
  let error: unknown;
  try {
    await call;
  } catch (e) {
    error = e;
  }
  if (!(error instanceof CatalogError)) {
    expect.fail(`expected catalog error ${number}, got ${error === undefined ? 'success' : String((error as Error)?.message ?? error)}`);
  }
  expect(error.number, error.message).to.equal(number);
  expect(error.message).to.match(/Nothing was changed\.$/);
  // Parameters are named as each dialect does: @BatchSize in T-SQL, BatchSize in PostgreSQL.
  if (text) expect(error.message).to.match(new RegExp(text.source.replace(/@/g, '@?'), text.flags));
  return error;
}

/** Every row of the given tables, in a stable order: compare before and after to prove nothing changed. */
export async function snapshot(db: CatalogDb, tables: readonly string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    const rows = await db.query(`SELECT * FROM ${table}`);
    out[table] = rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
  }
  return out;
}

export const WORKER_TABLES = [
  'internal.worker_agents',
  'internal.worker_certificates',
  'internal.machine_properties',
  'internal.worker_agent_perfcounter',
];

export const MASTER_TABLES = ['internal.master_properties', 'internal.masters', 'internal.sweep_leases', 'internal.logdb_connection'];

/** Rows of a catalog view (schema-qualified the same way on both dialects). */
export async function view(db: CatalogDb, name: string, where = '', params: unknown[] = []): Promise<Row[]> {
  const qualified = db.dialect === 'mssql' ? name.replace(/^catalog\./, '[catalog].') : name;
  return withSsisColumnNames(name, await db.query(`SELECT * FROM ${qualified}${where ? ` WHERE ${where}` : ''}`, params));
}

/** The worker_agents row of one worker (column names as the view has them). */
export async function workerRow(db: CatalogDb, id: string): Promise<Row | undefined> {
  const rows = await view(db, 'catalog.worker_agents');
  return rows.find((r) => String(r.WorkerAgentId).toLowerCase() === id.toLowerCase());
}

export async function masterProperty(db: CatalogDb, name: string): Promise<unknown> {
  const rows = await view(db, 'catalog.master_properties');
  return rows.find((r) => r.property_name === name)?.property_value;
}

export function minutesFrom(base: Date, minutes: number): Date {
  return new Date(base.getTime() + minutes * 60_000);
}

/** True for 1/true (bit on SQL Server, boolean on PostgreSQL). */
export function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}
