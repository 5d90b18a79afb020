/**
 * Least privilege, proven with real logins on PostgreSQL: each role can do its own job and nothing
 * else. (PGlite has one built-in user and cannot log in as another; SQL Server logins are left to
 * the same grants, checked by the parity test.)
 */

import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openCatalog } from '../../src/db/open.ts';
import { migrateUp } from '../../src/migrate/runner.ts';
import type { CatalogDb } from '../../src/db/types.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { newId, newThumbprint } from '../support/catalog-helpers.ts';
import { claim, deployedProject, enabledWorker, startedExecution } from '../support/queue-helpers.ts';

const ROLES = ['ssis_admin', 'ssis_cluster_executor', 'ssis_cluster_worker', 'scaleout_master'] as const;
type RoleName = (typeof ROLES)[number] | 'none';

async function expectDenied(call: Promise<unknown>): Promise<void> {
  let error: unknown;
  try {
    await call;
  } catch (e) {
    error = e;
  }
  const code = (error as { code?: string; cause?: { code?: string } } | undefined)?.code ?? (error as { cause?: { code?: string } })?.cause?.code;
  expect(code, `expected permission denied, got ${error === undefined ? 'success' : String(error)}`).to.equal('42501');
}

forEachBackend('least privilege', (backend) => {
  const suffix = randomBytes(3).toString('hex');
  const logins = new Map<RoleName, { name: string; db: CatalogDb }>();
  let admin: pg.Client | undefined;

  // Registered before useCatalog's hooks, so that it runs before the database is dropped.
  after(async () => {
    for (const { name, db } of logins.values()) {
      await db.close().catch(() => undefined);
      await admin?.query(`DROP OWNED BY ${name}`).catch(() => undefined);
      await admin?.query(`DROP ROLE IF EXISTS ${name}`).catch(() => undefined);
    }
    await admin?.end();
  });

  const catalog = useCatalog(backend, { only: ['pg'] });

  before(async function () {
    if (backend.kind !== 'pg') this.skip(); // real logins: PostgreSQL only (see the header)
    const spec = catalog.database.spec!;
    admin = new pg.Client({ connectionString: spec });
    admin.on('error', () => undefined);
    await admin.connect();
    for (const role of [...ROLES, 'none'] as RoleName[]) {
      const name = `scaleout_t_${suffix}_${role}`;
      const password = randomBytes(12).toString('hex');
      await admin.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'${role === 'none' ? '' : ` IN ROLE ${role}`}`);
      const url = new URL(spec);
      url.username = name;
      url.password = password;
      logins.set(role, { name, db: await openCatalog(url.toString(), { poolSize: 2 }) });
    }
  });

  const as = (role: RoleName) => logins.get(role)!.db;

  it('no catalog or internal routine is executable by PUBLIC, but the three the views filter their rows with', async () => {
    const rows = await catalog.db.query(`
      SELECT n.nspname || '.' || p.proname AS routine
        FROM pg_catalog.pg_proc AS p
        JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
       WHERE n.nspname IN ('catalog', 'internal')
         AND (p.proacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(p.proacl) AS a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE'))`);
    // They answer only about their caller (internal.may), and run as whoever reads a view.
    expect(rows.map((r) => r.routine).sort()).to.deep.equal(['internal.is_catalog_admin', 'internal.may', 'internal.sees_all_objects']);
  });

  it('the log writer cannot read internal tables, see the workers or call management procedures', async () => {
    const db = as('ssis_cluster_worker');
    await expectDenied(db.query('SELECT * FROM internal.worker_agents'));
    await expectDenied(db.query('SELECT * FROM internal.logdb_connection'));
    // Not a member of ssis_cluster_executor: no worker is shown, as in SSIS (rather than Msg 229).
    await enabledWorker(catalog.db);
    expect(await db.query('SELECT * FROM catalog.worker_agents')).to.deep.equal([]);
    await expectDenied(db.call('catalog.enable_worker_agent', { WorkerAgentId: newId() }));
    await expectDenied(db.call('catalog.update_logdb_info', { server_name: 'x', connection_string: 'y' }));
    await expectDenied(db.call('internal.get_log_dbconnection'));
    await expectDenied(db.call('internal.register_worker_agent', { WorkerAgentId: newId(), CertificateThumbprint: newThumbprint(), MachineName: 'x' }));
    expect((await db.query('SELECT property_name FROM catalog.master_properties')).length).to.be.greaterThan(0);
  });

  it('the log writer cannot backdate what it stores: its time argument is ignored', async () => {
    const where = await deployedProject(catalog.db);
    const worker = await enabledWorker(catalog.db);
    const id = await startedExecution(catalog.db, where);
    const [task] = await claim(catalog.db, worker, { max: 1, now: new Date(Date.now() + 60_000) });
    const lines = [{ message: 'no time of its own', stream: task!.stream_id, seq: 0 }];
    const r = await as('ssis_cluster_worker').call('internal.append_execution_messages', { ExecutionId: id, Messages: JSON.stringify(lines), now: new Date('1999-01-01T00:00:00Z') });
    expect(Number(r.output.inserted)).to.equal(1);
    const stored = await catalog.db.query(`SELECT message_time FROM catalog.operation_messages WHERE operation_id = ${id} AND message = 'no time of its own'`);
    expect(new Date(stored[0]!.message_time as string).getUTCFullYear()).to.be.greaterThan(2000);
  });

  it('the master\'s login cannot move the catalog\'s clock: a lease is not expired by a time it passes', async () => {
    const where = await deployedProject(catalog.db);
    const worker = await enabledWorker(catalog.db);
    await startedExecution(catalog.db, where);
    const [task] = await claim(catalog.db, worker, { max: 1, leaseMs: 600_000 });
    expect(task).to.not.equal(undefined);
    const farAhead = new Date(Date.now() + 30 * 86_400_000);
    const r = await as('scaleout_master').call('internal.dealwith_expired_tasks', { now: farAhead, BatchSize: 100, StopGraceMs: 0, ReachableForMs: 86_400_000 });
    expect(Number(r.output.processed)).to.equal(0);
    const row = await catalog.db.query(`SELECT status FROM internal.tasks WHERE task_id = $1`, [task!.task_id]);
    expect(Number(row[0]!.status)).to.be.oneOf([2, 3]);
  });

  it('grants.sql revokes what it no longer grants: an old grant is gone once the file is applied again', async () => {
    const executor = as('ssis_cluster_executor');
    await catalog.db.query('GRANT EXECUTE ON PROCEDURE internal.register_worker_agent TO ssis_cluster_executor');
    await catalog.db.query('GRANT SELECT ON internal.worker_agents TO ssis_cluster_executor');
    await executor.query('SELECT count(*) FROM internal.worker_agents');
    // Applied again as after a change to the file: its history row goes, migrate up runs it.
    await catalog.db.query("DELETE FROM internal.schema_migrations WHERE name = 'security/grants.sql'");
    await migrateUp(catalog.db);
    await expectDenied(executor.query('SELECT count(*) FROM internal.worker_agents'));
    await expectDenied(executor.call('internal.register_worker_agent', { WorkerAgentId: newId(), CertificateThumbprint: newThumbprint(), MachineName: 'x' }));
    // What the file grants is still there.
    expect((await executor.query('SELECT count(*) AS n FROM catalog.worker_agents')).length).to.equal(1);
  });

  it('a login without a role reads only catalog.master_properties, and sees no worker', async () => {
    const db = as('none');
    expect((await db.query('SELECT * FROM catalog.master_properties')).length).to.be.greaterThan(0);
    await enabledWorker(catalog.db);
    expect(await db.query('SELECT * FROM catalog.worker_agents')).to.deep.equal([]);
    await expectDenied(db.query('SELECT * FROM catalog.executions'));
    await expectDenied(db.query('SELECT * FROM catalog.catalog_properties'));
    await expectDenied(db.call('catalog.enable_scaleout'));
  });

  it('the master runs the internal procedures but not the DBA procedures, and reads no table', async () => {
    const db = as('scaleout_master');
    const id = newId();
    const thumbprint = newThumbprint();
    await catalog.db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: thumbprint });
    const r = await db.call('internal.register_worker_agent', { WorkerAgentId: id, CertificateThumbprint: thumbprint, MachineName: 'w' });
    expect(r.output.isenabled).to.equal(false);
    await db.call('internal.get_log_dbconnection');
    expect((await db.query('SELECT * FROM catalog.worker_agents')).length).to.be.greaterThan(0);
    await expectDenied(db.call('catalog.enable_worker_agent', { WorkerAgentId: id }));
    await expectDenied(db.query('SELECT * FROM internal.worker_agents'));
  });

  it('an admin manages workers and settings but cannot read the logging connection string back', async () => {
    const db = as('ssis_admin');
    const id = newId();
    await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: newThumbprint() });
    await db.call('catalog.enable_worker_agent', { WorkerAgentId: id });
    await db.call('catalog.update_logdb_info', { server_name: 'sql1', connection_string: 'Password=secret' });
    expect((await db.query('SELECT * FROM catalog.catalog_properties')).length).to.be.greaterThan(0);
    await expectDenied(db.call('internal.get_log_dbconnection'));
    await expectDenied(db.query('SELECT * FROM internal.logdb_connection'));
  });

  it('an executor sees the workers but cannot change them', async () => {
    const db = as('ssis_cluster_executor');
    expect(await db.query('SELECT * FROM catalog.worker_agents')).to.be.an('array');
    await expectDenied(db.call('catalog.disable_worker_agent', { WorkerAgentId: newId() }));
    await expectDenied(db.call('catalog.update_master_address', { MasterAddress: 'https://x:1' }));
  });
});
