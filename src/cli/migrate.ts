/** scaleout migrate up|status */

import type { Command } from 'commander';
import { printJson, printTable } from './output.ts';
import type { CatalogDb } from '../db/types.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseCatalogSpec } from '../db/catalog-spec.ts';
import { CLI_ERRORS, CliError } from './cli-errors.ts';

/**
 * Opens the catalog a command works on. Only `migrate up` creates an embedded catalog: for any
 * other command a pglite: folder that holds none (a typo in the path) is refused with what to run,
 * rather than made into a new, empty catalog whose first query fails.
 */
export async function withCatalog<T>(program: Command, fn: (db: CatalogDb) => Promise<T>, options: { creates?: boolean } = {}): Promise<T> {
  const { openCatalog } = await import('../db/open.ts');
  const text = program.opts<{ catalog?: string }>().catalog;
  if (!options.creates) refuseMissingEmbeddedCatalog(text);
  const db = await openCatalog(text);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

export function refuseMissingEmbeddedCatalog(text: string | undefined): void {
  // --catalog, else SCALEOUT_CATALOG, else the default embedded catalog: as openCatalog reads it.
  const spec = parseCatalogSpec(text || process.env.SCALEOUT_CATALOG);
  if (spec.backend !== 'pglite' || !spec.dataDir) return;
  if (existsSync(join(spec.dataDir, 'PG_VERSION')) || existsSync(join(spec.dataDir, 'scaleout.endpoint'))) return;
  throw new CliError(CLI_ERRORS.catalogNotMigrated, `${spec.dataDir} holds no embedded catalog.`, `check the path, or create one there with: scaleout --catalog pglite:${spec.dataDir} migrate up`);
}

export function registerMigrateCommands(program: Command): void {
  const migrate = program.command('migrate').description('create or upgrade the catalog (schema steps, views and procedures)');

  migrate
    .command('up', { isDefault: true })
    .description('apply every pending step and every new or changed view or procedure; a new catalog gets its protection key for sensitive values')
    .option('--key-folder <folder>', 'where the protection key\'s private half is kept (default: SCALEOUT_KEY_FOLDER, else ~/.local/state/scaleout/keys)')
    .action(async (o: { keyFolder?: string }) => {
      await withCatalog(program, async (db) => {
        process.stdout.write(`Migrating ${db.description}\n`);
        const { migrateUp } = await import('../migrate/runner.ts');
        const applied = await migrateUp(db, {
          onApplied: (script, ms) => process.stdout.write(`  applied ${script.file} (${ms} ms)\n`),
        });
        process.stdout.write(applied.length === 0 ? 'The catalog is up to date.\n' : `Applied ${applied.length} script(s).\n`);
        const { ensureProtectionKey, defaultKeyFolder } = await import('../catalog/protection.ts');
        const said = await ensureProtectionKey(db, o.keyFolder ?? defaultKeyFolder());
        if (said) process.stdout.write(`Sensitive values: ${said}.\n`);
      }, { creates: true });
    });

  migrate
    .command('status')
    .description('list applied and pending steps and objects')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      await withCatalog(program, async (db) => {
        const { migrationStatus } = await import('../migrate/runner.ts');
        const status = await migrationStatus(db);
        const rows = status.entries.map((e) => ({
          kind: e.script.kind,
          name: e.script.name,
          state: e.state,
          applied_at: e.appliedAt ?? null,
        }));
        const unknown = status.unknownSteps.map((s) => ({ kind: 'step', name: s.name, state: 'unknown to this version', applied_at: s.appliedAt }));
        if (options.json) {
          printJson([...rows, ...unknown]);
          return;
        }
        process.stdout.write(`Catalog: ${db.description}\n`);
        printTable([...rows, ...unknown]);
        const pending = rows.filter((r) => r.state !== 'applied').length;
        process.stdout.write(pending === 0 ? 'Nothing pending.\n' : `${pending} pending: run scaleout migrate up.\n`);
      });
    });
}
