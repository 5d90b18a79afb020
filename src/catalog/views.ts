/**
 * Reading the catalog's views — filters, sorting, paging — for the CLI's list commands, doctor, the
 * demo and the web manager. Queries are built with knex (values always bound, never spliced; each
 * dialect's paging: LIMIT/OFFSET on PostgreSQL, TOP or OFFSET … FETCH on SQL Server) and run over
 * the catalog's own connection. Rows come back with SSIS's column names on every dialect.
 * Procedures stay procedures: this module only reads.
 */

import { createRequire } from 'node:module';
import type { Knex } from 'knex';
import type { CatalogDb, Dialect, Row } from '../db/types.ts';
import { MIXED_CASE_VIEWS, withSsisColumnNames } from './view-columns.ts';

export type ViewFilter = Readonly<Record<string, unknown>>;

export interface ViewQuery {
  /** column → value (equality), or → an array of values (IN); a value of undefined is ignored. */
  readonly where?: ViewFilter;
  /** Columns whose value must be at least (from) or below (to) the given one. */
  readonly range?: Readonly<Record<string, { readonly from?: unknown; readonly to?: unknown }>>;
  readonly orderBy?: ReadonlyArray<{ readonly column: string; readonly desc?: boolean }>;
  readonly limit?: number;
  readonly offset?: number;
}

const builders = new Map<Dialect, Knex>();
// knex is loaded at the first query built, not with every command: the services (master, worker)
// import this module through the CLI and never build a view query.
const require = createRequire(import.meta.url);

/** A knex that only builds SQL (no connection of its own) for the dialect. */
function builder(dialect: Dialect): Knex {
  let k = builders.get(dialect);
  if (!k) {
    const knexFactory = require('knex') as typeof import('knex').knex;
    k = knexFactory({ client: dialect === 'mssql' ? 'mssql' : 'pg' });
    builders.set(dialect, k);
  }
  return k;
}

/** A view's column as the dialect names it: PostgreSQL folded SSIS's mixed-case names to lower case. */
export function viewColumn(dialect: Dialect, view: string, column: string): string {
  if (dialect === 'mssql') return column;
  return MIXED_CASE_VIEWS[view]?.includes(column) ? column.toLowerCase() : column;
}

/** The statement and its values, in the placeholders the catalog connection takes ($1… or @p1…). */
export function buildViewQuery(dialect: Dialect, view: string, query: ViewQuery = {}): { sql: string; params: unknown[] } {
  const col = (c: string) => viewColumn(dialect, view, c);
  let q = builder(dialect).withSchema('catalog').from(view).select('*');
  for (const [column, value] of Object.entries(query.where ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) q = value.length === 0 ? q.whereRaw('1 = 0') : q.whereIn(col(column), value);
    else if (value === null) q = q.whereNull(col(column));
    else q = q.where(col(column), value as Knex.Value);
  }
  for (const [column, { from, to }] of Object.entries(query.range ?? {})) {
    if (from !== undefined) q = q.where(col(column), '>=', from as Knex.Value);
    if (to !== undefined) q = q.where(col(column), '<', to as Knex.Value);
  }
  for (const o of query.orderBy ?? []) q = q.orderBy(col(o.column), o.desc ? 'desc' : 'asc');
  if (query.limit !== undefined) q = q.limit(Math.trunc(query.limit));
  if (query.offset !== undefined && query.offset > 0) q = q.offset(Math.trunc(query.offset));
  const native = q.toSQL().toNative();
  // knex numbers SQL Server's placeholders from @p0; the catalog connection binds @p1….
  const sql = dialect === 'mssql' ? native.sql.replace(/@p(\d+)\b/g, (_m, n: string) => `@p${Number(n) + 1}`) : native.sql;
  return { sql, params: [...native.bindings] };
}

/** The rows of catalog.<view> that the query selects, with SSIS's column names. */
export async function readView(db: CatalogDb, view: string, query: ViewQuery = {}): Promise<Row[]> {
  const { sql, params } = buildViewQuery(db.dialect, view, query);
  return withSsisColumnNames(view, await db.query(sql, params));
}

/** How many rows of catalog.<view> the query selects, per value of one column (GROUP BY). */
export async function countViewRows(db: CatalogDb, view: string, column: string, query: Pick<ViewQuery, 'where' | 'range'> = {}): Promise<Map<string, number>> {
  const { sql, params } = buildViewQuery(db.dialect, view, query);
  const col = viewColumn(db.dialect, view, column);
  const quoted = db.dialect === 'mssql' ? `[${col}]` : `"${col}"`;
  // The filtered select, counted per value: the same bound values, wrapped once.
  const rows = await db.query(`SELECT ${quoted} AS value, COUNT(*) AS n FROM (${sql}) AS v GROUP BY ${quoted}`, params);
  return new Map(rows.map((r) => [String(r.value), Number(r.n)]));
}
