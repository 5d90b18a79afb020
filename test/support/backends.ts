/**
 * The backends the contract suite runs on, and a fresh catalog per spec file on each of them.
 *
 *   forEachBackend('migrations', (backend) => { ... })
 *
 * declares the same describe block once per backend; a backend that is not available skips its
 * block (the reason was printed once by the global setup). Each block gets its own database:
 * a new in-memory PGlite, or scaleout_test_<random> on PostgreSQL / SQL Server (a case-insensitive
 * collation there, as SSISDB's). A block with a failing test keeps its
 * database and prints its name; otherwise it is dropped.
 */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import sql from 'mssql';
import { openCatalog } from '../../src/db/open.ts';
import type { BackendKind, CatalogDb } from '../../src/db/types.ts';
import { migrateUp } from '../../src/migrate/runner.ts';
import { ensureProtectionKey } from '../../src/catalog/protection.ts';
import { TEST_KEY_FOLDER } from './key-folder.ts';

export interface BackendProbe {
  readonly kind: BackendKind;
  readonly name: string;
  readonly available: boolean;
  readonly reason: string;
  /** Configured explicitly in CI: unreachable is a failure, not a skip. */
  readonly mustWork?: boolean;
  readonly stop?: () => Promise<void>;
}

const NAMES: Record<BackendKind, string> = { pglite: 'PGlite', pg: 'PostgreSQL', mssql: 'SQL Server' };

async function probePg(): Promise<BackendProbe> {
  const url = process.env.SCALEOUT_TEST_PG_URL;
  if (!url) return { kind: 'pg', name: NAMES.pg, available: false, reason: 'SCALEOUT_TEST_PG_URL is not set' };
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const r = await client.query<{ v: string }>("SELECT current_setting('server_version') AS v");
    return { kind: 'pg', name: NAMES.pg, available: true, reason: `server ${r.rows[0]?.v} at ${redact(url)}` };
  } catch (error) {
    return { kind: 'pg', name: NAMES.pg, available: false, mustWork: process.env.CI === 'true', reason: `${redact(url)} unreachable: ${(error as Error).message}` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeMssql(): Promise<BackendProbe> {
  let connectionString = process.env.SCALEOUT_TEST_MSSQL_URL;
  let stop: (() => Promise<void>) | undefined;
  let origin = 'SCALEOUT_TEST_MSSQL_URL';
  if (!connectionString) {
    try {
      const tc = await import('testcontainers');
      await tc.getContainerRuntimeClient();
    } catch (error) {
      return {
        kind: 'mssql',
        name: NAMES.mssql,
        available: false,
        reason: `SCALEOUT_TEST_MSSQL_URL is not set and testcontainers found no container runtime (${(error as Error).message})`,
      };
    }
    const { MSSQLServerContainer } = await import('@testcontainers/mssqlserver');
    const container = await new MSSQLServerContainer('mcr.microsoft.com/mssql/server:2022-latest').acceptLicense().start();
    connectionString =
      `Server=${container.getHost()},${container.getPort()};Database=master;User Id=${container.getUsername()};` +
      `Password=${container.getPassword()};Encrypt=true;TrustServerCertificate=true`;
    process.env.SCALEOUT_TEST_MSSQL_URL = connectionString;
    stop = async () => {
      await container.stop();
    };
    origin = 'testcontainers';
  }
  const pool = new sql.ConnectionPool(connectionString);
  try {
    await pool.connect();
    const r = await pool.request().query<{ v: string }>("SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS v");
    return { kind: 'mssql', name: NAMES.mssql, available: true, reason: `server ${r.recordset[0]?.v} (${origin})`, ...(stop ? { stop } : {}) };
  } catch (error) {
    await stop?.();
    return { kind: 'mssql', name: NAMES.mssql, available: false, mustWork: process.env.CI === 'true' && origin !== 'testcontainers', reason: `unreachable (${origin}): ${(error as Error).message}` };
  } finally {
    await pool.close().catch(() => undefined);
  }
}

export async function probeBackends(): Promise<BackendProbe[]> {
  const probes: BackendProbe[] = [
    { kind: 'pglite', name: NAMES.pglite, available: true, reason: 'embedded, in memory' },
    await probePg(),
    await probeMssql(),
  ];
  process.env.SCALEOUT_TEST_AVAILABLE = probes.filter((p) => p.available).map((p) => p.kind).join(',');
  return probes;
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

/** A fresh, empty catalog database on one backend. */
export interface TestDatabase {
  readonly label: string;
  /** The --catalog text that reaches it (PGlite in memory has none: one connection only). */
  readonly spec: string | undefined;
  /** Opens another connection to it (PGlite: the same instance). */
  open(): Promise<CatalogDb>;
  drop(keep: boolean): Promise<void>;
}

function uniqueName(): string {
  return `scaleout_test_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

async function createPgDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.SCALEOUT_TEST_PG_URL!;
  const name = uniqueName();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const spec = url.toString();
  return {
    label: `PostgreSQL database ${name}`,
    spec,
    open: () => openCatalog(spec, { poolSize: 12 }),
    async drop(keep) {
      if (keep) {
        process.stdout.write(`    kept PostgreSQL database ${name} for inspection\n`);
        return;
      }
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

function withDatabase(connectionString: string, database: string): string {
  const parts = connectionString.split(';').filter((p) => p.trim() && !/^\s*(database|initial catalog)\s*=/i.test(p));
  return [...parts, `Database=${database}`].join(';');
}

async function createMssqlDatabase(): Promise<TestDatabase> {
  const adminCs = process.env.SCALEOUT_TEST_MSSQL_URL!;
  const name = uniqueName();
  const admin = new sql.ConnectionPool(adminCs);
  await admin.connect();
  try {
    await admin.request().batch(
      `CREATE DATABASE [${name}] COLLATE SQL_Latin1_General_CP1_CI_AS;
       ALTER DATABASE [${name}] SET DELAYED_DURABILITY = FORCED;
       ALTER DATABASE [${name}] SET ALLOW_SNAPSHOT_ISOLATION ON;
       ALTER DATABASE [${name}] SET READ_COMMITTED_SNAPSHOT ${process.env.SCALEOUT_TEST_MSSQL_RCSI === '0' ? 'OFF' : 'ON'};`,
    );
  } finally {
    await admin.close();
  }
  const spec = withDatabase(adminCs, name);
  return {
    label: `SQL Server database ${name}`,
    spec,
    open: () => openCatalog(spec, { poolSize: 12 }),
    async drop(keep) {
      if (keep) {
        process.stdout.write(`    kept SQL Server database ${name} for inspection\n`);
        return;
      }
      const c = new sql.ConnectionPool(adminCs);
      await c.connect();
      try {
        await c.request().batch(`ALTER DATABASE [${name}] SET SINGLE_USER WITH ROLLBACK IMMEDIATE; DROP DATABASE [${name}];`);
      } finally {
        await c.close();
      }
    },
  };
}

async function createPgliteDatabase(): Promise<TestDatabase> {
  let shared: Promise<CatalogDb> | undefined;
  let opened = 0;
  return {
    label: 'PGlite in memory',
    spec: undefined,
    open() {
      opened++;
      shared ??= openCatalog('pglite:memory:');
      return shared.then((db) => sharedHandle(db, () => --opened === 0));
    },
    async drop() {
      if (shared) await (await shared).close();
    },
  };
}

/** PGlite has one connection: every open() hands out the same instance; close() only closes the last one. */
function sharedHandle(db: CatalogDb, lastOne: () => boolean): CatalogDb {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'close') return async () => (lastOne() ? target.close() : undefined);
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

export interface Backend {
  readonly kind: BackendKind;
  readonly name: string;
  createDatabase(): Promise<TestDatabase>;
}

const BACKENDS: Backend[] = [
  { kind: 'pglite', name: NAMES.pglite, createDatabase: createPgliteDatabase },
  { kind: 'pg', name: NAMES.pg, createDatabase: createPgDatabase },
  { kind: 'mssql', name: NAMES.mssql, createDatabase: createMssqlDatabase },
];

function isAvailable(kind: BackendKind): boolean {
  return (process.env.SCALEOUT_TEST_AVAILABLE ?? 'pglite').split(',').includes(kind);
}

/** True when some test of the suite (or its hooks) failed: its database is then kept. */
function suiteFailed(suite: Mocha.Suite): boolean {
  return suite.tests.some((t) => t.state === 'failed') || suite.suites.some(suiteFailed);
}

/** Declares the same block once per backend; unavailable backends skip their block. */
export function forEachBackend(title: string, body: (backend: Backend) => void): void {
  for (const backend of BACKENDS) {
    describe(`${title} [${backend.name}]`, function () {
      before(function () {
        if (!isAvailable(backend.kind)) this.skip();
      });
      body(backend);
    });
  }
}

export interface CatalogFixture {
  /** The catalog of this block (opened before the first test). */
  readonly db: CatalogDb;
  readonly database: TestDatabase;
}

/**
 * A fresh database for the enclosing block, migrated to the latest schema unless told otherwise,
 * dropped after it (kept when a test failed). `only` names the backends the block runs on.
 */
export function useCatalog(backend: Backend, options: { migrate?: boolean; only?: readonly BackendKind[] } = {}): CatalogFixture {
  let db: CatalogDb | undefined;
  let database: TestDatabase | undefined;
  before(async function () {
    // A block for some backends only skips the others before it creates (and migrates) a catalog.
    if (!isAvailable(backend.kind) || (options.only && !options.only.includes(backend.kind))) this.skip();
    this.timeout(120_000);
    database = await backend.createDatabase();
    db = await database.open();
    if (options.migrate !== false) {
      await migrateUp(db);
      await ensureProtectionKey(db, TEST_KEY_FOLDER);
    }
  });
  after(async function () {
    await db?.close();
    await database?.drop(this.test?.parent ? suiteFailed(this.test.parent) : false);
  });
  return {
    get db() {
      if (!db) throw new Error('The catalog is opened in a before() hook; use it inside tests.');
      return db;
    },
    get database() {
      if (!database) throw new Error('The database is created in a before() hook; use it inside tests.');
      return database;
    },
  };
}
