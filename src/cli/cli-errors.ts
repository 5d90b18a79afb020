/**
 * Every error the command line prints is numbered: the catalog's own (51xxx, docs/errors.md) and
 * the command line's (52xxx, below and in docs/cli.md), each with a hint of the fix. A driver's or
 * Node's error (a refused connection, a port in use, a missing file) is recognised by its code and
 * given the number of what went wrong from the user's side.
 */

import { CatalogError } from '../catalog/errors.ts';

export const CLI_ERRORS = {
  usage: 52001,
  catalogUnreachable: 52002,
  catalogNotMigrated: 52003,
  settings: 52004,
  portInUse: 52005,
  file: 52006,
  project: 52007,
  alreadyRunning: 52008,
  serviceDidNotStart: 52009,
  migration: 52010,
  timedOut: 52011,
  systemCommand: 52012,
  unhealthy: 52013,
  unexpected: 52999,
} as const;

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly number: number,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface DescribedError {
  readonly number: number;
  readonly message: string;
  readonly hint?: string;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EAI_AGAIN', 'ESOCKET', 'ETIMEOUT', 'ELOGIN', 'EINSTLOOKUP']);
/** PostgreSQL: the database is missing (3D000), the login was refused (28000, 28P01). */
const PG_UNREACHABLE_STATES = new Set(['3D000', '28000', '28P01']);
/** PostgreSQL: a catalog relation, routine or schema is missing — the catalog was never migrated. */
const PG_NOT_MIGRATED_STATES = new Set(['42P01', '42883', '3F000']);
/** SQL Server: invalid object name (208), could not find stored procedure (2812), login failed (18456), cannot open database (4060). */
const MSSQL_NOT_MIGRATED = new Set([208, 2812]);
const MSSQL_UNREACHABLE = new Set([18456, 4060]);

const CATALOG_HINT = 'check --catalog (or SCALEOUT_CATALOG), that the server runs and that the login may connect';
const MIGRATE_HINT = 'create or upgrade it with: scaleout migrate up';

/** What to print for an error: its number, its message, and how to fix it where we know. */
export function describeError(error: unknown): DescribedError {
  if (error instanceof CatalogError) return { number: error.number, message: error.message };
  if (error instanceof CliError) return { number: error.number, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  if (!(error instanceof Error)) return { number: CLI_ERRORS.unexpected, message: String(error) };
  const e = error as Error & { code?: unknown; number?: unknown; syscall?: unknown; path?: unknown; port?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  switch (e.name) {
    case 'SettingsError':
      return { number: CLI_ERRORS.settings, message: e.message, hint: 'see docs/workers.md and docs/protocol.md for the settings and their values' };
    case 'CatalogSpecError':
      return { number: CLI_ERRORS.catalogUnreachable, message: e.message, hint: 'a SQL Server connection string, a postgres:// URL or pglite:PATH' };
    case 'FolderInUseError':
      return { number: CLI_ERRORS.catalogUnreachable, message: e.message, hint: 'a running master serves this catalog: use it through the master, or stop the master first' };
    case 'ManifestError':
      return { number: CLI_ERRORS.project, message: e.message, hint: 'see docs/executions.md for scaleout.project.json' };
    case 'MigrationScriptError':
      return { number: CLI_ERRORS.migration, message: e.message, hint: 'the steps before it are applied; fix the cause and run scaleout migrate up again' };
  }
  if (code === 'EADDRINUSE') {
    return {
      number: CLI_ERRORS.portInUse,
      message: e.message,
      hint: 'another process listens on that port: stop it, or choose another one (scaleout master --port N; EmbeddedCatalogPort for the embedded catalog)',
    };
  }
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR' || code === 'ENOTDIR' || code === 'EPERM') {
    return { number: CLI_ERRORS.file, message: e.message, hint: 'check the path and its permissions' };
  }
  if (code && PG_NOT_MIGRATED_STATES.has(code)) return { number: CLI_ERRORS.catalogNotMigrated, message: `the catalog is not there: ${e.message}`, hint: MIGRATE_HINT };
  if (typeof e.number === 'number' && MSSQL_NOT_MIGRATED.has(e.number)) return { number: CLI_ERRORS.catalogNotMigrated, message: `the catalog is not there: ${e.message}`, hint: MIGRATE_HINT };
  if ((code && (UNREACHABLE_CODES.has(code) || PG_UNREACHABLE_STATES.has(code))) || e.name === 'ConnectionError' || (typeof e.number === 'number' && MSSQL_UNREACHABLE.has(e.number))) {
    return { number: CLI_ERRORS.catalogUnreachable, message: `cannot reach the catalog: ${e.message}`, hint: CATALOG_HINT };
  }
  return { number: CLI_ERRORS.unexpected, message: e.message, hint: 'SCALEOUT_DEBUG=1 prints where it happened' };
}

/** The lines printed on stderr for an error. */
export function formatError(error: unknown): string {
  const d = describeError(error);
  return `error ${d.number}: ${d.message}\n${d.hint ? `hint: ${d.hint}\n` : ''}`;
}
