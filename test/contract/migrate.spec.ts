/**
 * Migrations, on every backend: empty to latest, a re-run changes nothing, concurrent migrators
 * serialise, a failed step leaves the catalog at the last good one and names file and line, and a
 * changed object re-applies alone.
 */

import { expect } from 'chai';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CatalogDb, Dialect } from '../../src/db/types.ts';
import { MigrationScriptError } from '../../src/migrate/history.ts';
import { migrateUp, migrationStatus } from '../../src/migrate/runner.ts';
import { PROJECT_ROOT, objectScripts, versionedSteps } from '../../src/migrate/scripts.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';

/** A copy of the project's SQL in a temporary folder, for adding fixture steps and objects. */
function fixtureRoot(dialect: Dialect): { root: string; lastStep: number; write(rel: string, text: string): void; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'scaleout-migrate-'));
  cpSync(join(PROJECT_ROOT, 'migrations', dialect), join(root, 'migrations', dialect), { recursive: true });
  cpSync(join(PROJECT_ROOT, 'sql', dialect), join(root, 'sql', dialect), { recursive: true });
  const steps = versionedSteps(dialect);
  return {
    root,
    lastStep: steps[steps.length - 1]!.number!,
    write: (rel, text) => writeFileSync(join(root, rel), text),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

function stepName(n: number, slug: string): string {
  return `${String(n).padStart(4, '0')}_${slug}`;
}

async function tableExists(db: CatalogDb, schema: string, table: string): Promise<boolean> {
  const rows =
    db.dialect === 'mssql'
      ? await db.query('SELECT OBJECT_ID(@p1, N\'U\') AS id;', [`${schema}.${table}`])
      : await db.query('SELECT to_regclass($1) AS id', [`${schema}.${table}`]);
  return rows[0]?.id !== null && rows[0]?.id !== undefined;
}

async function catalogProperty(db: CatalogDb, name: string): Promise<unknown> {
  const sql =
    db.dialect === 'mssql'
      ? 'SELECT property_value FROM [catalog].catalog_properties WHERE property_name = @p1;'
      : 'SELECT property_value FROM catalog.catalog_properties WHERE property_name = $1';
  return (await db.query(sql, [name]))[0]?.property_value;
}

async function historyNames(db: CatalogDb): Promise<string[]> {
  return (await db.query('SELECT name FROM internal.schema_migrations')).map((r) => String(r.name)).sort();
}

const OK_STEP: Record<Dialect, string> = {
  postgres: 'CREATE TABLE internal.fixture_ok (id int NOT NULL);\n',
  mssql: 'CREATE TABLE internal.fixture_ok (id int NOT NULL);\nGO\n',
};

// Both fail on line 4 (in T-SQL, in the second batch: the line is counted from the file's start).
const BROKEN_STEP: Record<Dialect, string> = {
  postgres: '-- fixture: fails on line 4\nCREATE TABLE internal.fixture_broken (id int NOT NULL);\n\nSELECT id FROM internal.no_such_table;\n',
  mssql: 'CREATE TABLE internal.fixture_broken (id int NOT NULL);\nGO\n-- second batch\nSELECT id FROM internal.no_such_table;\nGO\n',
};

const FIXED_STEP: Record<Dialect, string> = {
  postgres: '-- fixture: fixed\nCREATE TABLE internal.fixture_broken (id int NOT NULL);\n',
  mssql: 'CREATE TABLE internal.fixture_broken (id int NOT NULL);\nGO\n',
};

function fixtureView(dialect: Dialect, value: number): string {
  return dialect === 'mssql'
    ? `CREATE OR ALTER VIEW [catalog].fixture_view\nAS\nSELECT ${value} AS a;\nGO\n`
    : `CREATE OR REPLACE VIEW catalog.fixture_view AS SELECT ${value} AS a;\n`;
}

forEachBackend('migrations', (backend) => {
  describe('from an empty database', () => {
    const catalog = useCatalog(backend, { migrate: false });
    let fixture: ReturnType<typeof fixtureRoot>;
    before(() => {
      fixture = fixtureRoot(catalog.db.dialect);
    });
    after(() => fixture?.cleanup());

    it('applies every step and object once and records the schema version and build', async () => {
      const db = catalog.db;
      const applied = await migrateUp(db);
      const steps = versionedSteps(db.dialect);
      const objects = objectScripts(db.dialect);
      expect(applied.map((s) => s.name)).to.deep.equal([...steps, ...objects].map((s) => s.name));
      expect(await catalogProperty(db, 'SCHEMA_VERSION')).to.equal('1');
      expect(await catalogProperty(db, 'SCHEMA_BUILD')).to.equal(`1.0.${steps[steps.length - 1]!.number}`);
    });

    it('changes nothing when run again', async () => {
      const db = catalog.db;
      const before = await db.query('SELECT name, sha256, applied_at FROM internal.schema_migrations ORDER BY name');
      expect(await migrateUp(db)).to.deep.equal([]);
      const after = await db.query('SELECT name, sha256, applied_at FROM internal.schema_migrations ORDER BY name');
      expect(after).to.deep.equal(before);
    });

    it('stops at a failing step, names its file and line, and keeps the steps before it', async () => {
      const db = catalog.db;
      const okName = stepName(fixture.lastStep + 1, 'fixture_ok');
      const brokenName = stepName(fixture.lastStep + 2, 'fixture_broken');
      fixture.write(join('migrations', db.dialect, `${okName}.sql`), OK_STEP[db.dialect]);
      fixture.write(join('migrations', db.dialect, `${brokenName}.sql`), BROKEN_STEP[db.dialect]);

      let failure: unknown;
      try {
        await migrateUp(db, { root: fixture.root });
      } catch (error) {
        failure = error;
      }
      expect(failure).to.be.instanceOf(MigrationScriptError);
      const e = failure as MigrationScriptError;
      expect(e.file).to.equal(join('migrations', db.dialect, `${brokenName}.sql`));
      expect(e.line).to.equal(4);
      expect(e.message).to.match(/no_such_table/);

      expect(await tableExists(db, 'internal', 'fixture_ok')).to.equal(true);
      expect(await tableExists(db, 'internal', 'fixture_broken')).to.equal(false);
      const names = await historyNames(db);
      expect(names).to.include(okName);
      expect(names).not.to.include(brokenName);
      expect(await catalogProperty(db, 'SCHEMA_BUILD')).to.equal(`1.0.${fixture.lastStep + 1}`);
    });

    it('reports the failed step as pending, and applies it once it is fixed', async () => {
      const db = catalog.db;
      const brokenName = stepName(fixture.lastStep + 2, 'fixture_broken');
      const status = await migrationStatus(db, { root: fixture.root });
      const pending = status.entries.filter((e) => e.state !== 'applied').map((e) => e.script.name);
      expect(pending).to.deep.equal([brokenName]);

      fixture.write(join('migrations', db.dialect, `${brokenName}.sql`), FIXED_STEP[db.dialect]);
      const applied = await migrateUp(db, { root: fixture.root });
      expect(applied.map((s) => s.name)).to.deep.equal([brokenName]);
      expect(await tableExists(db, 'internal', 'fixture_broken')).to.equal(true);
      expect(await catalogProperty(db, 'SCHEMA_BUILD')).to.equal(`1.0.${fixture.lastStep + 2}`);
    });

    it('re-applies an object alone when its file changes', async () => {
      const db = catalog.db;
      const manifest = join('sql', db.dialect, 'manifest.txt');
      const manifestText = readFileSync(join(fixture.root, manifest), 'utf8');
      fixture.write(manifest, `${manifestText}catalog/fixture_view.sql\n`);
      fixture.write(join('sql', db.dialect, 'catalog', 'fixture_view.sql'), fixtureView(db.dialect, 1));
      expect((await migrateUp(db, { root: fixture.root })).map((s) => s.name)).to.deep.equal(['catalog/fixture_view.sql']);
      const viewSql = db.dialect === 'mssql' ? 'SELECT a FROM [catalog].fixture_view;' : 'SELECT a FROM catalog.fixture_view';
      expect((await db.query(viewSql))[0]?.a).to.equal(1);

      fixture.write(join('sql', db.dialect, 'catalog', 'fixture_view.sql'), fixtureView(db.dialect, 2));
      const status = await migrationStatus(db, { root: fixture.root });
      expect(status.entries.filter((e) => e.state !== 'applied').map((e) => [e.script.name, e.state])).to.deep.equal([
        ['catalog/fixture_view.sql', 'changed'],
      ]);
      expect((await migrateUp(db, { root: fixture.root })).map((s) => s.name)).to.deep.equal(['catalog/fixture_view.sql']);
      expect((await db.query(viewSql))[0]?.a).to.equal(2);
      expect(await migrateUp(db, { root: fixture.root })).to.deep.equal([]);
    });

    it('refuses to run when a released step was edited', async () => {
      const db = catalog.db;
      const okName = stepName(fixture.lastStep + 1, 'fixture_ok');
      fixture.write(join('migrations', db.dialect, `${okName}.sql`), `${OK_STEP[db.dialect]}-- edited\n`);
      let failure: unknown;
      try {
        await migrateUp(db, { root: fixture.root });
      } catch (error) {
        failure = error;
      }
      expect(String((failure as Error)?.message)).to.match(/was changed after it was applied/);
    });
  });

  describe('several migrators at once', () => {
    const catalog = useCatalog(backend, { migrate: false });

    it('apply each script exactly once; the others wait and find nothing to do', async () => {
      const connections: CatalogDb[] = [];
      for (let i = 0; i < 4; i++) connections.push(await catalog.database.open());
      try {
        const results = await Promise.all(connections.map((db) => migrateUp(db)));
        const all = results.flat().map((s) => s.name);
        const expected = [...versionedSteps(catalog.db.dialect), ...objectScripts(catalog.db.dialect)].map((s) => s.name);
        expect([...all].sort()).to.deep.equal([...expected].sort());
        expect(results.filter((r) => r.length > 0)).to.have.length(1);
        expect(await historyNames(catalog.db)).to.deep.equal([...expected].sort());
      } finally {
        await Promise.all(connections.map((db) => db.close()));
      }
    });
  });
});
