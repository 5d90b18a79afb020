/**
 * The migration history (internal.schema_migrations), the run lock and the way one script is
 * applied, per dialect. A script and its history row are written in one transaction, so a failed
 * script leaves the catalog at the last good one.
 */

import type { Dialect, Session } from '../db/types.ts';
import { lineOfPosition, splitGoBatches, type SqlScript } from './scripts.ts';
import { checkDatabaseOptions } from './database-options.ts';

export interface HistoryRow {
  readonly name: string;
  readonly kind: 'step' | 'object';
  readonly sha256: string;
  readonly appliedAt: Date;
  readonly appliedBy: string;
}

/** A script failed: names the file and line and keeps the database's own error as the cause. */
export class MigrationScriptError extends Error {
  override readonly name = 'MigrationScriptError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${detail}`, options);
  }
}

// One advisory lock key for every `migrate` run against a catalog (an arbitrary, fixed bigint).
const PG_LOCK_KEY = '7166238155409211201';
const MSSQL_LOCK_RESOURCE = 'scaleout.migrate';

export interface DialectMigrationSql {
  bootstrap(session: Session): Promise<void>;
  lock(session: Session): Promise<void>;
  unlock(session: Session): Promise<void>;
  history(session: Session): Promise<HistoryRow[]>;
  apply(session: Session, script: SqlScript, appliedBy: string): Promise<void>;
}

function rowToHistory(r: Record<string, unknown>): HistoryRow {
  return {
    name: String(r.name),
    kind: r.kind === 'object' ? 'object' : 'step',
    sha256: String(r.sha256).trim(),
    appliedAt: r.applied_at instanceof Date ? r.applied_at : new Date(String(r.applied_at)),
    appliedBy: String(r.applied_by),
  };
}

function schemaBuild(script: SqlScript): string | undefined {
  return script.kind === 'step' && script.number !== undefined ? `1.0.${script.number}` : undefined;
}

const postgres: DialectMigrationSql = {
  async bootstrap(session) {
    await session.batch(`
      CREATE SCHEMA IF NOT EXISTS internal;
      CREATE TABLE IF NOT EXISTS internal.schema_migrations (
        name       text        NOT NULL,
        kind       text        NOT NULL,
        sha256     char(64)    NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        applied_by text        NOT NULL,
        CONSTRAINT pk_schema_migrations PRIMARY KEY (name),
        CONSTRAINT ck_schema_migrations_kind CHECK (kind IN ('step', 'object'))
      );`);
  },
  async lock(session) {
    await session.query(`SELECT pg_catalog.pg_advisory_lock(${PG_LOCK_KEY}::bigint)`);
  },
  async unlock(session) {
    await session.query(`SELECT pg_catalog.pg_advisory_unlock(${PG_LOCK_KEY}::bigint)`);
  },
  async history(session) {
    const rows = await session.query(
      'SELECT name, kind, sha256, applied_at, applied_by FROM internal.schema_migrations ORDER BY kind DESC, name',
    );
    return rows.map(rowToHistory);
  },
  async apply(session, script, appliedBy) {
    await session.batch('BEGIN');
    try {
      try {
        await session.batch(script.text);
      } catch (error) {
        const e = error as { message?: string; position?: string | number; where?: string };
        const line = e.position ? lineOfPosition(script.text, Number(e.position)) : undefined;
        throw new MigrationScriptError(script.file, line, `${e.message ?? String(error)}${e.where ? ` (${e.where})` : ''}`, { cause: error });
      }
      await session.query('DELETE FROM internal.schema_migrations WHERE name = $1', [script.name]);
      await session.query(
        'INSERT INTO internal.schema_migrations (name, kind, sha256, applied_by) VALUES ($1, $2, $3, $4)',
        [script.name, script.kind, script.sha256, appliedBy],
      );
      const build = schemaBuild(script);
      if (build) {
        await session.query(
          "UPDATE internal.catalog_properties SET property_value = $1 WHERE property_name = 'SCHEMA_BUILD'",
          [build],
        );
      }
      await session.batch('COMMIT');
    } catch (error) {
      await session.batch('ROLLBACK').catch(() => undefined);
      throw error;
    }
  },
};

const mssql: DialectMigrationSql = {
  async bootstrap(session) {
    // Said at once, rather than as Msg 208 at the first call of a procedure that uses OPENJSON.
    await checkDatabaseOptions(session);
    await session.batch(`IF SCHEMA_ID(N'internal') IS NULL EXEC sys.sp_executesql N'CREATE SCHEMA internal AUTHORIZATION dbo;';`);
    await session.batch(`
      IF OBJECT_ID(N'internal.schema_migrations', N'U') IS NULL
      CREATE TABLE internal.schema_migrations (
        name       nvarchar(400)     NOT NULL,
        kind       varchar(10)       NOT NULL,
        sha256     char(64)          NOT NULL,
        applied_at datetimeoffset(7) NOT NULL CONSTRAINT df_schema_migrations_applied_at DEFAULT SYSUTCDATETIME(),
        applied_by nvarchar(256)     NOT NULL,
        CONSTRAINT pk_schema_migrations PRIMARY KEY (name),
        CONSTRAINT ck_schema_migrations_kind CHECK (kind IN ('step', 'object'))
      );`);
  },
  async lock(session) {
    const rows = await session.query(`
      DECLARE @result int;
      EXEC @result = sys.sp_getapplock @Resource = N'${MSSQL_LOCK_RESOURCE}', @LockMode = N'Exclusive',
                                       @LockOwner = N'Session', @LockTimeout = -1;
      SELECT @result AS result;`);
    const result = Number(rows[0]?.result);
    if (!(result >= 0)) throw new Error(`Could not take the migration lock (sp_getapplock returned ${result}).`);
  },
  async unlock(session) {
    await session.batch(`EXEC sys.sp_releaseapplock @Resource = N'${MSSQL_LOCK_RESOURCE}', @LockOwner = N'Session';`);
  },
  async history(session) {
    const rows = await session.query(
      'SELECT name, kind, sha256, applied_at, applied_by FROM internal.schema_migrations ORDER BY kind DESC, name;',
    );
    return rows.map(rowToHistory);
  },
  async apply(session, script, appliedBy) {
    await session.batch('SET XACT_ABORT ON; BEGIN TRANSACTION;');
    try {
      for (const batch of splitGoBatches(script.text)) {
        for (let i = 0; i < batch.repeat; i++) {
          try {
            await session.batch(batch.text);
          } catch (error) {
            const e = error as { message?: string; lineNumber?: number; number?: number };
            const line = e.lineNumber ? batch.startLine + e.lineNumber - 1 : batch.startLine;
            throw new MigrationScriptError(script.file, line, `${e.number ? `Msg ${e.number}: ` : ''}${e.message ?? String(error)}`, { cause: error });
          }
        }
      }
      await session.query('DELETE FROM internal.schema_migrations WHERE name = @p1;', [script.name]);
      await session.query(
        'INSERT INTO internal.schema_migrations (name, kind, sha256, applied_by) VALUES (@p1, @p2, @p3, @p4);',
        [script.name, script.kind, script.sha256, appliedBy],
      );
      const build = schemaBuild(script);
      if (build) {
        await session.query(
          "UPDATE internal.catalog_properties SET property_value = @p1 WHERE property_name = N'SCHEMA_BUILD';",
          [build],
        );
      }
      await session.batch('COMMIT TRANSACTION;');
    } catch (error) {
      await session.batch('IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION;').catch(() => undefined);
      throw error;
    }
  },
};

export function migrationSqlFor(dialect: Dialect): DialectMigrationSql {
  return dialect === 'mssql' ? mssql : postgres;
}
