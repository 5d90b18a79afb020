/**
 * SQL Server through the mssql package, from an ADO.NET-style connection string
 * (Server=host,1433;Database=SSISDB;User Id=...;Password=...;Encrypt=true;TrustServerCertificate=true).
 *
 * Procedure parameters are typed from sys.parameters (read once per procedure), so inputs are sent
 * with their declared types and OUTPUT parameters come back without the caller naming types.
 * uniqueidentifier values come back lower-case and bigint as numbers, as on PostgreSQL.
 */

import sql from 'mssql';
import { CatalogError } from '../catalog/errors.ts';
import { transientKind, withRetry } from './transient.ts';
import { checkArgument } from './arguments.ts';
import { declaredParameter, requestInputs, type DeclaredParameter } from './mssql-inputs.ts';
import type { CallOptions, CatalogDb, ProcedureResult, Row, Session } from './types.ts';

const PARAMS_SQL = `
SELECT p.name, TYPE_NAME(p.user_type_id) AS type_name, p.max_length, p.precision, p.scale, p.is_output,
       t.is_table_type, QUOTENAME(SCHEMA_NAME(t.schema_id)) + N'.' + QUOTENAME(t.name) AS table_type_name,
       tt.type_table_object_id
  FROM sys.parameters AS p
  JOIN sys.types AS t ON t.user_type_id = p.user_type_id
  LEFT JOIN sys.table_types AS tt ON tt.user_type_id = p.user_type_id
 WHERE p.object_id = OBJECT_ID(@name) AND p.parameter_id > 0
 ORDER BY p.parameter_id;`;

/** The columns of a table type (a table-valued parameter's rows). */
const TABLE_TYPE_COLUMNS_SQL = `
SELECT c.name, TYPE_NAME(c.user_type_id) AS type_name, c.max_length, c.precision, c.scale, CAST(0 AS bit) AS is_output
  FROM sys.columns AS c
 WHERE c.object_id = @id
 ORDER BY c.column_id;`;

function normalizeValue(value: unknown, typeName: string): unknown {
  if (value === null || value === undefined) return value;
  if (typeName === 'uniqueidentifier' && typeof value === 'string') return value.toLowerCase();
  if (typeName === 'bigint' && typeof value === 'string') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  return value;
}

function normalizeRecordset(recordset: sql.IRecordSet<Row> | undefined): Row[] {
  if (!recordset) return [];
  const columns = Object.values(recordset.columns ?? {}) as Array<{ name: string; type: unknown }>;
  const special = columns
    .map((c) => ({ name: c.name, typeName: typeNameOf(c.type) }))
    .filter((c) => c.typeName === 'uniqueidentifier' || c.typeName === 'bigint');
  const rows = [...recordset];
  if (special.length === 0) return rows;
  for (const row of rows) {
    for (const c of special) row[c.name] = normalizeValue(row[c.name], c.typeName);
  }
  return rows;
}

function typeNameOf(type: unknown): string {
  if (type === sql.UniqueIdentifier) return 'uniqueidentifier';
  if (type === sql.BigInt) return 'bigint';
  return '';
}

/** Turns THROW 51xxx from a catalog procedure into a CatalogError; other errors pass through. */
export function translateMssqlError(error: unknown): unknown {
  const number = (error as { number?: unknown } | null)?.number;
  if (typeof number === 'number' && number >= 51000 && number <= 51999) {
    return new CatalogError(number, (error as Error).message, { cause: error });
  }
  return error;
}

export class MssqlCatalogDb implements CatalogDb {
  readonly backend = 'mssql' as const;
  readonly dialect = 'mssql' as const;
  readonly capabilities = { multiConnection: true, listenNotify: false };
  readonly description: string;
  private pool: sql.ConnectionPool | undefined;
  private connecting: Promise<sql.ConnectionPool> | undefined;
  private readonly procedures = new Map<string, Promise<DeclaredParameter[]>>();
  private readonly config: sql.config;

  constructor(connectionString: string, description: string, options: { connectTimeoutMs?: number; poolSize?: number } = {}) {
    this.description = description;
    const parsed = sql.ConnectionPool.parseConnectionString(connectionString) as sql.config;
    this.config = {
      ...parsed,
      connectionTimeout: parsed.connectionTimeout ?? options.connectTimeoutMs ?? 15000,
      options: { appName: 'scaleout', ...parsed.options },
      pool: { max: options.poolSize ?? 10, min: 0, idleTimeoutMillis: 30000, ...parsed.pool },
    };
  }

  private async currentPool(): Promise<sql.ConnectionPool> {
    if (this.pool?.connected) return this.pool;
    this.connecting ??= (async () => {
      const pool = new sql.ConnectionPool(this.config);
      pool.on('error', () => {
        // Broken idle connections are replaced by the pool on next use.
      });
      await pool.connect();
      this.pool = pool;
      return pool;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private parameters(procedure: string): Promise<DeclaredParameter[]> {
    const key = procedure.toLowerCase();
    let info = this.procedures.get(key);
    if (!info) {
      info = withRetry(async () => {
        const pool = await this.currentPool();
        const r = await pool.request().input('name', sql.NVarChar(776), procedure).query<Row>(PARAMS_SQL);
        const declared: DeclaredParameter[] = [];
        for (const row of r.recordset) {
          const p = declaredParameter(row);
          if (!row.is_table_type) {
            declared.push(p);
            continue;
          }
          const columns = await pool.request().input('id', sql.Int, Number(row.type_table_object_id)).query<Row>(TABLE_TYPE_COLUMNS_SQL);
          declared.push({ ...p, tableType: { name: String(row.table_type_name), columns: columns.recordset.map(declaredParameter) } });
        }
        return declared;
      }, { idempotent: true });
      info.catch(() => this.procedures.delete(key));
      this.procedures.set(key, info);
    }
    return info;
  }

  async call(procedure: string, params: Readonly<Record<string, unknown>> = {}, options: CallOptions = {}): Promise<ProcedureResult> {
    const declared = await this.parameters(procedure);
    const byKey = new Map(declared.map((p) => [p.key, p]));
    const given = new Map<string, unknown>();
    for (const [k, v] of Object.entries(params)) {
      if (v === undefined) continue;
      const key = k.replace(/^@/, '').toLowerCase();
      if (!byKey.has(key)) {
        throw new Error(`${procedure} has no parameter @${key}; its parameters are ${declared.map((p) => `@${p.name}`).join(', ') || 'none'}.`);
      }
      if (!byKey.get(key)!.tableType) checkArgument(byKey.get(key)!.name, byKey.get(key)!.typeName, v);
      given.set(key, v);
    }
    const attempt = async (): Promise<ProcedureResult> => {
      const pool = await this.currentPool();
      const request = pool.request();
      for (const input of requestInputs(declared, given)) {
        if (input.output) request.output(input.name, input.type, input.value);
        else request.input(input.name, input.type, input.value);
      }
      const r = await request.execute<Row>(procedure);
      const output: Row = {};
      for (const p of declared) {
        if (p.isOutput) output[p.key] = normalizeValue(r.output[p.name], p.typeName);
      }
      const recordsets = (r.recordsets as unknown as sql.IRecordSet<Row>[]).map(normalizeRecordset);
      return { output, recordsets, rows: recordsets[0] ?? [] };
    };
    try {
      return await withRetry(attempt, { idempotent: options.idempotent ?? false, onRetry: (e) => this.onTransient(e) });
    } catch (error) {
      throw translateMssqlError(error);
    }
  }

  async query(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      return await withRetry(async () => {
        const pool = await this.currentPool();
        const request = pool.request();
        params.forEach((v, i) => request.input(`p${i + 1}`, v));
        return normalizeRecordset((await request.query<Row>(text)).recordset);
      }, { idempotent: false, onRetry: (e) => this.onTransient(e) });
    } catch (error) {
      throw translateMssqlError(error);
    }
  }

  /** After a lost connection or a failover, start over with a new pool (the listener points to the new primary). */
  private onTransient(error: unknown): void {
    if (transientKind(error) !== 'connection' || !this.pool) return;
    const pool = this.pool;
    this.pool = undefined;
    pool.close().catch(() => undefined);
  }

  /** A session is a pool of exactly one connection, so session state (app locks, SET options) holds between requests. */
  async withSession<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    // No request timeout: a migration waits for another migrator's lock (sp_getapplock -1) and runs
    // long statements; the driver's default 15 s would fail it instead.
    const pool = new sql.ConnectionPool({ ...this.config, requestTimeout: 0, pool: { max: 1, min: 1, idleTimeoutMillis: 3_600_000 } });
    pool.on('error', () => undefined);
    await pool.connect();
    try {
      return await fn({
        query: async (text, params = []) => {
          const request = pool.request();
          params.forEach((v, i) => request.input(`p${i + 1}`, v));
          return normalizeRecordset((await request.query<Row>(text)).recordset);
        },
        batch: async (text) => {
          await pool.request().batch(text);
        },
      });
    } finally {
      await pool.close().catch(() => undefined);
    }
  }

  forgetRoutines(): void {
    this.procedures.clear();
  }

  async close(): Promise<void> {
    const pool = this.pool ?? (await this.connecting?.catch(() => undefined));
    this.pool = undefined;
    await pool?.close();
  }
}
