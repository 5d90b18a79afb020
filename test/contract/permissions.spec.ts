/**
 * SSISDB's object permissions, proven with real logins (PostgreSQL roles, SQL Server logins and
 * users; PGlite has one built-in user and cannot log in as another): two principals with different
 * grants see different folders, projects, environments and executions; a principal without
 * EXECUTE cannot start a package; a deny wins; grant/deny/revoke refuse bad input with numbers;
 * ssis_admin sees and may do everything.
 */

import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { openCatalog } from '../../src/db/open.ts';
import type { CatalogDb, Row } from '../../src/db/types.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { expectCatalogError, snapshot, view } from '../support/catalog-helpers.ts';
import { createExecution, createFolder, deploy, sampleManifest } from '../support/queue-helpers.ts';
import { startExecutions } from '../../src/catalog/start-executions.ts';

const READ = 1;
const MODIFY = 2;
const EXECUTE = 3;
const MANAGE_PERMISSIONS = 4;
const READ_OBJECTS = 101;
const MODIFY_OBJECTS = 102;
const EXECUTE_OBJECTS = 103;

type Principal = { name: string; db: CatalogDb };

forEachBackend('object permissions', (backend) => {
  const suffix = randomBytes(3).toString('hex');
  const principals: Principal[] = [];
  const cleanup: string[] = [];
  let adminDb: CatalogDb | undefined;

  // Registered before useCatalog's hooks, so that it runs before the database is dropped.
  after(async () => {
    for (const p of principals) await p.db.close().catch(() => undefined);
    for (const statement of cleanup.reverse()) await adminDb?.query(statement).catch(() => undefined);
  });

  const catalog = useCatalog(backend, { only: ['pg', 'mssql'] });

  /** A login of its own in ssis_cluster_executor (or in no role), with a CatalogDb of its own. */
  async function login(role: 'ssis_cluster_executor' | 'none', short: string): Promise<Principal> {
    const db = catalog.db;
    adminDb = db;
    const name = `so_${short}_${suffix}`;
    const password = `Pw-${randomBytes(9).toString('hex')}-9a`;
    let spec: string;
    if (db.dialect === 'postgres') {
      await db.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'${role === 'none' ? '' : ` IN ROLE ${role}`}`);
      cleanup.push(`DROP OWNED BY ${name}`, `DROP ROLE IF EXISTS ${name}`);
      const url = new URL(catalog.database.spec!);
      url.username = name;
      url.password = password;
      spec = url.toString();
    } else {
      await db.query(`CREATE LOGIN [${name}] WITH PASSWORD = N'${password}', CHECK_POLICY = OFF`);
      await db.query(`CREATE USER [${name}] FOR LOGIN [${name}]`);
      if (role !== 'none') await db.query(`ALTER ROLE ${role} ADD MEMBER [${name}]`);
      cleanup.push(`DROP USER IF EXISTS [${name}]`, `DROP LOGIN [${name}]`);
      spec = catalog.database.spec!
        .split(';')
        .filter((p) => p.trim() && !/^\s*(user id|uid|user|password|pwd|integrated security|trusted_connection)\s*=/i.test(p))
        .concat([`User Id=${name}`, `Password=${password}`])
        .join(';');
    }
    const p = { name, db: await openCatalog(spec, { poolSize: 2 }) };
    principals.push(p);
    return p;
  }

  const grant = (object_type: number, object_id: unknown, principal: string, permission_type: number, as: CatalogDb = catalog.db) =>
    as.call('catalog.grant_permission', { object_type, object_id: Number(object_id), principal_name: principal, permission_type });

  /** Two folders with the sample project and an environment Prod each. */
  async function twoTeams(): Promise<{ finance: Row; hr: Row; financeProject: Row; hrProject: Row; financeEnv: Row; hrEnv: Row }> {
    const db = catalog.db;
    const out: Record<string, Row> = {};
    for (const team of ['finance', 'hr']) {
      const folder = await createFolder(db, `${team}_${randomBytes(3).toString('hex')}`);
      await deploy(db, folder, sampleManifest('etl'));
      await db.call('catalog.create_environment', { folder_name: folder, environment_name: 'Prod' });
      const [f] = await view(db, 'catalog.folders', `name = '${folder}'`);
      out[team] = f!;
      out[`${team}Project`] = (await view(db, 'catalog.projects', `folder_id = ${Number(f!.folder_id)}`))[0]!;
      out[`${team}Env`] = (await view(db, 'catalog.environments', `folder_id = ${Number(f!.folder_id)}`))[0]!;
    }
    return out as never;
  }

  const ids = (rows: Row[], column: string) => rows.map((r) => Number(r[column])).sort((a, b) => a - b);

  before(function () {
    if (backend.kind === 'pglite') this.skip(); // real logins (see the header)
  });

  it('two principals with different grants see different folders, projects, environments and executions', async () => {
    const t = await twoTeams();
    const alice = await login('ssis_cluster_executor', 'alice');
    const bob = await login('ssis_cluster_executor', 'bob');
    // alice: everything in Finance's folder, through the folder's permissions on its objects.
    await grant(1, t.finance.folder_id, alice.name, READ_OBJECTS);
    await grant(1, t.finance.folder_id, alice.name, EXECUTE_OBJECTS);
    // bob: HR's project (READ, EXECUTE) and its environment (READ), one by one.
    await grant(2, t.hrProject.project_id, bob.name, READ);
    await grant(2, t.hrProject.project_id, bob.name, EXECUTE);
    await grant(3, t.hrEnv.environment_id, bob.name, READ);

    const aliceRun = await createExecution(alice.db, { folder: String(t.finance.name), project: 'etl' });
    await alice.db.call('catalog.set_execution_parameter_value', { execution_id: aliceRun, object_type: 20, parameter_name: 'InputFile', parameter_value: '/finance.csv' });
    await alice.db.call('catalog.start_execution', { execution_id: aliceRun });
    const bobRun = await createExecution(bob.db, { folder: String(t.hr.name), project: 'etl' });

    for (const [who, mine, theirs] of [[alice, t.finance, t.hr], [bob, t.hr, t.finance]] as const) {
      const folders = ids(await view(who.db, 'catalog.folders'), 'folder_id');
      expect(folders, `${who.name}: folders`).to.include(Number(mine.folder_id)).and.not.include(Number(theirs.folder_id));
      const projects = await view(who.db, 'catalog.projects');
      expect(projects.map((p) => Number(p.folder_id)), `${who.name}: projects`).to.deep.equal([Number(mine.folder_id)]);
      const environments = await view(who.db, 'catalog.environments');
      expect(environments.map((e) => Number(e.folder_id)), `${who.name}: environments`).to.deep.equal([Number(mine.folder_id)]);
    }
    expect(ids(await view(alice.db, 'catalog.executions'), 'execution_id')).to.deep.equal([aliceRun]);
    expect(ids(await view(bob.db, 'catalog.executions'), 'execution_id')).to.deep.equal([bobRun]);
    expect(await view(bob.db, 'catalog.execution_parameter_values', `execution_id = ${aliceRun}`)).to.deep.equal([]);
    expect(await view(bob.db, 'catalog.operations', `operation_id = ${aliceRun}`)).to.deep.equal([]);
    // An admin sees both.
    expect(ids(await view(catalog.db, 'catalog.executions'), 'execution_id')).to.include.members([aliceRun, bobRun]);

    // Neither may touch the other's work.
    await expectCatalogError(createExecution(bob.db, { folder: String(t.finance.name), project: 'etl' }), 51405, /READ permission on project/);
    await expectCatalogError(bob.db.call('catalog.stop_operation', { operation_id: aliceRun }), 51405, /MODIFY permission on operation/);
    await expectCatalogError(alice.db.call('catalog.start_execution', { execution_id: bobRun }), 51405, /MODIFY permission on execution/);
    expect(Number((await view(catalog.db, 'catalog.executions', `execution_id = ${bobRun}`))[0]!.status)).to.equal(1);
  });

  it('without EXECUTE a package cannot be started; a deny wins over a grant; a revoke takes a grant back', async () => {
    const t = await twoTeams();
    const carol = await login('ssis_cluster_executor', 'carol');
    await grant(2, t.financeProject.project_id, carol.name, READ);
    const before = await snapshot(catalog.db, ['internal.operations', 'internal.executions']);
    await expectCatalogError(createExecution(carol.db, { folder: String(t.finance.name), project: 'etl' }), 51405, /EXECUTE permission on project 'etl'/);
    // In a batch too: one row of a project she may not run refuses the whole batch.
    const financeRow = { folder_name: String(t.finance.name), project_name: 'etl', package_name: 'load' };
    await expectCatalogError(startExecutions(carol.db, [financeRow]), 51405, /EXECUTE permission on project 'etl'/);
    await grant(2, t.financeProject.project_id, carol.name, EXECUTE);
    await expectCatalogError(startExecutions(carol.db, [financeRow, { ...financeRow, folder_name: String(t.hr.name) }]), 51405, new RegExp(`READ permission on project 'etl' in folder '${String(t.hr.name)}'`));
    await catalog.db.call('catalog.revoke_permission', { object_type: 2, object_id: Number(t.financeProject.project_id), principal_name: carol.name, permission_type: EXECUTE });
    expect(await snapshot(catalog.db, ['internal.operations', 'internal.executions'])).to.deep.equal(before);

    // Created while carol may run it; EXECUTE taken back before the start: refused, still created.
    await grant(2, t.financeProject.project_id, carol.name, EXECUTE);
    const id = await createExecution(carol.db, { folder: String(t.finance.name), project: 'etl' });
    await carol.db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 20, parameter_name: 'InputFile', parameter_value: '/x.csv' });
    await catalog.db.call('catalog.revoke_permission', { object_type: 2, object_id: Number(t.financeProject.project_id), principal_name: carol.name, permission_type: EXECUTE });
    await expectCatalogError(carol.db.call('catalog.start_execution', { execution_id: id }), 51405, /EXECUTE/);
    expect(Number((await view(catalog.db, 'catalog.executions', `execution_id = ${id}`))[0]!.status)).to.equal(1);

    // A folder-wide grant, and a deny on one project: the deny wins.
    await grant(1, t.hr.folder_id, carol.name, READ_OBJECTS);
    expect(ids(await view(carol.db, 'catalog.projects'), 'project_id')).to.include(Number(t.hrProject.project_id));
    await catalog.db.call('catalog.deny_permission', { object_type: 2, object_id: Number(t.hrProject.project_id), principal_name: carol.name, permission_type: READ });
    expect(ids(await view(carol.db, 'catalog.projects'), 'project_id')).not.to.include(Number(t.hrProject.project_id));
    const explicit = await view(carol.db, 'catalog.explicit_object_permissions');
    expect(explicit.some((p) => Number(p.object_id) === Number(t.hrProject.project_id) && (p.is_deny === true || Number(p.is_deny) === 1))).to.equal(true);
    const effective = await view(carol.db, 'catalog.effective_object_permissions', 'object_type = 2');
    expect(effective.map((p) => `${Number(p.object_id)}:${Number(p.permission_type)}`)).to.include(`${Number(t.financeProject.project_id)}:${READ}`)
      .and.not.include(`${Number(t.financeProject.project_id)}:${EXECUTE}`)
      .and.not.include(`${Number(t.hrProject.project_id)}:${READ}`);
  });

  it('environments: MODIFY on one lets its variables change; without it, refused; its creator holds it', async () => {
    const t = await twoTeams();
    const dana = await login('ssis_cluster_executor', 'dana');
    await expectCatalogError(dana.db.call('catalog.create_environment_variable', { folder_name: String(t.finance.name), environment_name: 'Prod', variable_name: 'X', data_type: 'String', sensitive: 0, value: 'x' }), 51405, /MODIFY permission on environment 'Prod'/);
    await grant(1, t.finance.folder_id, dana.name, MODIFY_OBJECTS);
    await dana.db.call('catalog.create_environment_variable', { folder_name: String(t.finance.name), environment_name: 'Prod', variable_name: 'X', data_type: 'String', sensitive: 0, value: 'x' });
    await expectCatalogError(dana.db.call('catalog.create_environment', { folder_name: String(t.finance.name), environment_name: 'Dana' }), 51405, /CREATE_OBJECTS permission on folder/);
    await grant(1, t.finance.folder_id, dana.name, 100);
    await dana.db.call('catalog.create_environment', { folder_name: String(t.finance.name), environment_name: 'Dana' });
    // Its creator reads, changes and manages it: an explicit grant each.
    const mine = (await view(dana.db, 'catalog.explicit_object_permissions', 'object_type = 3')).filter((p) => p.principal_name === dana.name);
    expect(mine.map((p) => Number(p.permission_type)).sort()).to.deep.equal([READ, MODIFY, MANAGE_PERMISSIONS]);
    // The folder's creator (the admin) holds MANAGE_PERMISSIONS on it, as in SSIS.
    const folderRows = await view(catalog.db, 'catalog.explicit_object_permissions', `object_type = 1 AND object_id = ${Number(t.finance.folder_id)} AND permission_type = ${MANAGE_PERMISSIONS}`);
    expect(folderRows).to.have.length(1);
  });

  it('deployments: CREATE_OBJECTS on the folder for a new project, whose deployer may then run it; MODIFY on the project for a new version', async () => {
    const t = await twoTeams();
    const gina = await login('ssis_cluster_executor', 'gina');
    const tables = ['internal.projects', 'internal.object_versions', 'internal.object_permissions'];
    let before = await snapshot(catalog.db, tables);
    await expectCatalogError(deploy(gina.db, String(t.finance.name), sampleManifest('gina_etl')), 51405, /CREATE_OBJECTS permission on folder/);
    expect(await snapshot(catalog.db, tables)).to.deep.equal(before);
    await grant(1, t.finance.folder_id, gina.name, 100);
    await deploy(gina.db, String(t.finance.name), sampleManifest('gina_etl'));
    const [mine] = await view(gina.db, 'catalog.projects', "name = 'gina_etl'");
    expect(mine, 'the deployer sees its project').to.not.equal(undefined);
    const id = await createExecution(gina.db, { folder: String(t.finance.name), project: 'gina_etl' });
    expect(id).to.be.greaterThan(0);
    await deploy(gina.db, String(t.finance.name), sampleManifest('gina_etl'));
    // A new version of a project it was not given: refused, nothing changed.
    before = await snapshot(catalog.db, tables);
    await expectCatalogError(deploy(gina.db, String(t.finance.name), sampleManifest('etl')), 51405, /MODIFY permission on project 'etl'/);
    expect(await snapshot(catalog.db, tables)).to.deep.equal(before);
  });

  it('grant, deny and revoke: bad input is refused with its number and changes nothing; only a manager of the object may grant', async () => {
    const t = await twoTeams();
    const erin = await login('ssis_cluster_executor', 'erin');
    const frank = await login('none', 'frank');
    const before = await snapshot(catalog.db, ['internal.object_permissions']);
    await expectCatalogError(catalog.db.call('catalog.grant_permission', { object_type: 9, object_id: 1, principal_name: erin.name, permission_type: READ }), 51001, /@object_type/);
    await expectCatalogError(grant(1, t.finance.folder_id, erin.name, EXECUTE), 51001, /for a folder/);
    await expectCatalogError(grant(3, t.financeEnv.environment_id, erin.name, EXECUTE_OBJECTS), 51001, /for an environment/);
    await expectCatalogError(grant(2, 987654321, erin.name, READ), 51115, /project 987654321/);
    await expectCatalogError(grant(2, t.financeProject.project_id, 'no_such_principal_here', READ), 51116, /no_such_principal_here/);
    await expectCatalogError(catalog.db.call('catalog.grant_permission', { object_type: 2, object_id: Number(t.financeProject.project_id), permission_type: READ }), 51000, /@principal_id/);
    await expectCatalogError(grant(2, t.financeProject.project_id, frank.name, READ, erin.db), 51405, /MANAGE_PERMISSIONS/);
    expect(await snapshot(catalog.db, ['internal.object_permissions'])).to.deep.equal(before);

    // MANAGE_PERMISSIONS on a project lets erin grant on it (by SSIS's principal_id, too).
    await grant(2, t.financeProject.project_id, erin.name, MANAGE_PERMISSIONS);
    const principalId = catalog.db.dialect === 'postgres'
      ? Number((await catalog.db.query(`SELECT oid AS id FROM pg_roles WHERE rolname = '${frank.name}'`))[0]!.id)
      : Number((await catalog.db.query(`SELECT DATABASE_PRINCIPAL_ID(N'${frank.name}') AS id`))[0]!.id);
    await erin.db.call('catalog.grant_permission', { object_type: 2, object_id: Number(t.financeProject.project_id), principal_id: principalId, permission_type: READ });
    const rows = await view(catalog.db, 'catalog.explicit_object_permissions', `object_type = 2 AND object_id = ${Number(t.financeProject.project_id)}`);
    expect(rows.map((r) => [r.principal_name, Number(r.permission_type)])).to.deep.include.members([[erin.name, MANAGE_PERMISSIONS], [frank.name, READ]]);
    // frank is in no role: the catalog's views stay closed to him whatever he was granted.
    await expectDenied(frank.db.query(catalog.db.dialect === 'postgres' ? 'SELECT * FROM catalog.projects' : 'SELECT * FROM [catalog].projects'));
    expect(await frank.db.query(catalog.db.dialect === 'postgres' ? 'SELECT * FROM catalog.worker_agents' : 'SELECT * FROM [catalog].worker_agents')).to.deep.equal([]);
  });
});

async function expectDenied(call: Promise<unknown>): Promise<void> {
  let error: unknown;
  try {
    await call;
  } catch (e) {
    error = e;
  }
  const e = error as { code?: string; number?: number; cause?: { code?: string; number?: number } } | undefined;
  const code = e?.code ?? e?.cause?.code;
  const number = e?.number ?? e?.cause?.number;
  expect(code === '42501' || number === 229, `expected permission denied, got ${error === undefined ? 'success' : String(error)}`).to.equal(true);
}
