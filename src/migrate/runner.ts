/**
 * `scaleout migrate up|status`: umzug drives the list of scripts; the history lives in the catalog
 * (internal.schema_migrations) and one lock (pg_advisory_lock / sp_getapplock, held by the
 * session) spans the whole run, since umzug has none: a second migrator waits, then finds
 * nothing left to do.
 *
 * Versioned steps run first, once each. Objects (views, procedures) run after them, each whenever
 * its file's checksum differs from the one recorded — so an object's history name carries its
 * checksum, and umzug sees a changed object as pending.
 */

import { userInfo } from 'node:os';
import { Umzug, type UmzugStorage } from 'umzug';
import type { CatalogDb, Session } from '../db/types.ts';
import { migrationSqlFor, type HistoryRow } from './history.ts';
import { PROJECT_ROOT, objectScripts, versionedSteps, type SqlScript } from './scripts.ts';

export interface MigrateOptions {
  /** Folder holding migrations/ and sql/ (tests point it at fixtures). */
  readonly root?: string;
  readonly onApplied?: (script: SqlScript, ms: number) => void;
}

export interface PlanEntry {
  readonly script: SqlScript;
  readonly state: 'applied' | 'pending' | 'changed';
  readonly appliedAt?: Date;
}

export interface MigrationStatus {
  readonly entries: PlanEntry[];
  /** Steps recorded in the catalog that this version of scaleout does not have (a newer catalog). */
  readonly unknownSteps: HistoryRow[];
}

function umzugName(script: SqlScript): string {
  return script.kind === 'step' ? script.name : `${script.name}@${script.sha256}`;
}

function recordedName(row: HistoryRow): string {
  return row.kind === 'step' ? row.name : `${row.name}@${row.sha256}`;
}

function appliedBy(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep 'unknown'.
  }
  return `scaleout migrate (${user}, pid ${process.pid})`;
}

/** A versioned step must never change once applied: fix forward with a new step. */
function checkStepsUnchanged(steps: readonly SqlScript[], history: readonly HistoryRow[]): void {
  const recorded = new Map(history.filter((h) => h.kind === 'step').map((h) => [h.name, h]));
  for (const step of steps) {
    const row = recorded.get(step.name);
    if (row && row.sha256 !== step.sha256) {
      throw new Error(
        `${step.file} was changed after it was applied to this catalog (recorded checksum ${row.sha256.slice(0, 12)}, ` +
          `file ${step.sha256.slice(0, 12)}). Released steps are never edited: restore the file and add a new step.`,
      );
    }
  }
}

async function holdingLock<T>(db: CatalogDb, fn: (session: Session) => Promise<T>): Promise<T> {
  const sql = migrationSqlFor(db.dialect);
  return db.withSession(async (session) => {
    await sql.lock(session);
    try {
      await sql.bootstrap(session);
      return await fn(session);
    } finally {
      await sql.unlock(session).catch(() => undefined);
    }
  });
}

/** Applies every pending step and every new or changed object. Returns the scripts applied. */
export async function migrateUp(db: CatalogDb, options: MigrateOptions = {}): Promise<SqlScript[]> {
  const root = options.root ?? PROJECT_ROOT;
  const steps = versionedSteps(db.dialect, root);
  const objects = objectScripts(db.dialect, root);
  const sql = migrationSqlFor(db.dialect);
  const by = appliedBy();
  const applied: SqlScript[] = [];
  try {
    await holdingLock(db, async (session) => {
      checkStepsUnchanged(steps, await sql.history(session));
      const storage: UmzugStorage = {
        async executed() {
          return (await sql.history(session)).map(recordedName);
        },
        // The history row is written by the script's own transaction (see history.ts), not here.
        async logMigration() {},
        async unlogMigration() {},
      };
      const umzug = new Umzug({
        migrations: [...steps, ...objects].map((script) => ({
          name: umzugName(script),
          up: async () => {
            const started = Date.now();
            await sql.apply(session, script, by);
            applied.push(script);
            options.onApplied?.(script, Date.now() - started);
          },
        })),
        storage,
        logger: undefined,
      });
      await umzug.up();
    });
  } catch (error) {
    // umzug wraps the script's error; surface ours (file and line) directly.
    throw unwrapMigrationError(error);
  } finally {
    if (applied.length > 0) db.forgetRoutines();
  }
  return applied;
}

export async function migrationStatus(db: CatalogDb, options: { root?: string } = {}): Promise<MigrationStatus> {
  const root = options.root ?? PROJECT_ROOT;
  const steps = versionedSteps(db.dialect, root);
  const objects = objectScripts(db.dialect, root);
  const history = await holdingLock(db, (session) => migrationSqlFor(db.dialect).history(session));
  const byName = new Map(history.map((h) => [h.name, h]));
  const entries: PlanEntry[] = [...steps, ...objects].map((script) => {
    const row = byName.get(script.name);
    if (!row) return { script, state: 'pending' };
    if (row.sha256 !== script.sha256) return { script, state: 'changed', appliedAt: row.appliedAt };
    return { script, state: 'applied', appliedAt: row.appliedAt };
  });
  const known = new Set(steps.map((s) => s.name));
  const unknownSteps = history.filter((h) => h.kind === 'step' && !known.has(h.name));
  return { entries, unknownSteps };
}

function unwrapMigrationError(error: unknown): unknown {
  let e = error;
  for (let i = 0; i < 3 && e && typeof e === 'object' && (e as Error).name === 'MigrationError'; i++) {
    e = (e as { cause?: unknown }).cause ?? e;
  }
  return e;
}
