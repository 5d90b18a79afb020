/**
 * SSISDB's environments on every backend: environments and their variables, references from a
 * project, parameters that take a variable (value_type 'R'), and executions created against an
 * environment — which get the variables' values when they start, a sensitive one encrypted all
 * the way to the master's claim. Every refusal has its number and changes nothing.
 */

import { expect } from 'chai';
import { Keyring, rotateProtectionKey } from '../../src/catalog/protection.ts';
import type { CatalogDb, Row } from '../../src/db/types.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { expectCatalogError, snapshot, truthy, view } from '../support/catalog-helpers.ts';
import { TEST_KEY_FOLDER } from '../support/key-folder.ts';
import { claim, createExecution, createFolder, deploy, deployedProject, enabledWorker, execution, sampleManifest } from '../support/queue-helpers.ts';

const SECRET = 'Pr0d-api-key-never-shown';
const ENVIRONMENT_TABLES = [
  'internal.environments',
  'internal.environment_variables',
  'internal.environment_references',
  'internal.object_parameters',
  'internal.executions',
  'internal.execution_parameter_values',
];

async function createEnvironment(db: CatalogDb, folder: string, name: string, variables: Array<[string, string, boolean, unknown]>): Promise<void> {
  await db.call('catalog.create_environment', { folder_name: folder, environment_name: name, environment_description: `${name} settings` });
  for (const [variable, type, sensitive, value] of variables) {
    await db.call('catalog.create_environment_variable', {
      folder_name: folder, environment_name: name, variable_name: variable, data_type: type, sensitive: sensitive ? 1 : 0, value,
    });
  }
}

async function reference(db: CatalogDb, where: { folder: string; project: string }, environment: string, type: 'R' | 'A' = 'R', environmentFolder?: string): Promise<number> {
  const r = await db.call('catalog.create_environment_reference', {
    folder_name: where.folder, project_name: where.project, environment_name: environment, reference_type: type,
    environment_folder_name: environmentFolder ?? null,
  });
  return Number(r.output.reference_id);
}

async function referTo(db: CatalogDb, where: { folder: string; project: string }, parameter: string, variable: string, objectType = 20, objectName?: string): Promise<void> {
  await db.call('catalog.set_object_parameter_value', {
    object_type: objectType, folder_name: where.folder, project_name: where.project, parameter_name: parameter,
    parameter_value: variable, object_name: objectName ?? null, value_type: 'R',
  });
}

async function parameterValues(db: CatalogDb, id: number): Promise<Record<string, Row>> {
  const rows = await view(db, 'catalog.execution_parameter_values', `execution_id = ${id}`);
  return Object.fromEntries(rows.map((r) => [String(r.parameter_name), r]));
}

/** The sample project whose InputFile, Region, ApiKey and load's BatchSize take Prod's variables. */
async function projectOnProd(db: CatalogDb): Promise<{ where: { folder: string; project: string }; referenceId: number }> {
  const where = await deployedProject(db);
  await createEnvironment(db, where.folder, 'Prod', [
    ['SalesFile', 'String', false, '/prod/sales.csv'],
    ['Region', 'String', false, 'apac'],
    ['ApiKey', 'String', true, SECRET],
    ['Batch', 'Int32', false, 2000],
  ]);
  await referTo(db, where, 'InputFile', 'SalesFile');
  await referTo(db, where, 'Region', 'Region');
  await referTo(db, where, 'ApiKey', 'ApiKey');
  await referTo(db, where, 'BatchSize', 'Batch', 30, 'load');
  return { where, referenceId: await reference(db, where, 'Prod') };
}

forEachBackend('environments', (backend) => {
  const catalog = useCatalog(backend);

  it('an execution against an environment gets its variables; a sensitive one stays encrypted until the master reveals it', async () => {
    const db = catalog.db;
    const { where, referenceId } = await projectOnProd(db);
    const worker = await enabledWorker(db);

    const id = await createExecution(db, where, { reference_id: referenceId });
    const created = await execution(db, id);
    expect(created.reference_id === null ? null : Number(created.reference_id)).to.equal(referenceId);
    expect(created.reference_type).to.equal('R');
    expect(created.environment_folder_name).to.equal(where.folder);
    expect(created.environment_name).to.equal('Prod');
    const values = await parameterValues(db, id);
    expect(values.InputFile!.parameter_value).to.equal('/prod/sales.csv');
    expect(values.Region!.parameter_value).to.equal('apac');
    expect(String(values.BatchSize!.parameter_value)).to.equal('2000');
    expect(values.ApiKey!.parameter_value, 'a sensitive value is never shown').to.equal(null);
    expect(truthy(values.ApiKey!.value_set)).to.equal(true);

    // The tables hold the secret only encrypted: in the variable and in the execution's copy.
    const stored = JSON.stringify([
      ...(await db.query('SELECT * FROM internal.environment_variables')),
      ...(await db.query('SELECT * FROM internal.execution_parameter_values')),
    ]);
    expect(stored).not.to.contain(SECRET);
    const shown = JSON.stringify(await view(db, 'catalog.environment_variables'));
    expect(shown).not.to.contain(SECRET);
    expect(shown).to.contain('/prod/sales.csv');

    await db.call('catalog.start_execution', { execution_id: id });
    const [task] = await claim(db, worker, { now: new Date(Date.now() + 60_000) });
    const given = Object.fromEntries(task!.parameters.map((p) => [p.name, p]));
    expect(given.InputFile!.value).to.equal('/prod/sales.csv');
    expect(given.ApiKey!.sensitive).to.equal(true);
    expect(given.ApiKey!.value).not.to.equal(SECRET);
    expect(await new Keyring(TEST_KEY_FOLDER).reveal(given.ApiKey!.value)).to.equal(SECRET);
  });

  it('takes the values the variables have when the execution starts; a value set on the execution wins', async () => {
    const db = catalog.db;
    const { where, referenceId } = await projectOnProd(db);
    const id = await createExecution(db, where, { reference_id: referenceId });
    await db.call('catalog.set_environment_variable_value', { folder_name: where.folder, environment_name: 'prod', variable_name: 'salesfile', value: '/prod/sales-v2.csv' });
    await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 20, parameter_name: 'Region', parameter_value: 'emea-override' });
    await db.call('catalog.start_execution', { execution_id: id });
    const values = await parameterValues(db, id);
    expect(values.InputFile!.parameter_value).to.equal('/prod/sales-v2.csv');
    expect(values.Region!.parameter_value).to.equal('emea-override');
  });

  it('without a reference, a referenced parameter takes its design default, or stays unset and blocks the start when required', async () => {
    const db = catalog.db;
    const { where } = await projectOnProd(db);
    const id = await createExecution(db, where);
    const values = await parameterValues(db, id);
    expect(values.Region!.parameter_value).to.equal('emea');
    expect(truthy(values.InputFile!.value_set)).to.equal(false);
    await expectCatalogError(db.call('catalog.start_execution', { execution_id: id }), 51209, /InputFile/);
  });

  it('refuses what cannot resolve, each with its number, and changes nothing', async () => {
    const db = catalog.db;
    const { where, referenceId } = await projectOnProd(db);
    const other = await createFolder(db);
    await deploy(db, other, sampleManifest('other'));
    await createEnvironment(db, other, 'Prod', [['SalesFile', 'String', false, '/other.csv']]);
    const foreign = await reference(db, { folder: other, project: 'other' }, 'Prod');

    let before = await snapshot(db, ENVIRONMENT_TABLES);
    await expectCatalogError(createExecution(db, where, { reference_id: foreign }), 51112, /for project 'etl'/);
    await expectCatalogError(createExecution(db, where, { reference_id: 999999 }), 51112);
    expect(await snapshot(db, ENVIRONMENT_TABLES)).to.deep.equal(before);

    // A variable of another type than its parameter (BatchSize is Int32).
    await db.call('catalog.delete_environment_variable', { folder_name: where.folder, environment_name: 'Prod', variable_name: 'Batch' });
    await db.call('catalog.create_environment_variable', { folder_name: where.folder, environment_name: 'Prod', variable_name: 'Batch', data_type: 'String', sensitive: 0, value: 'lots' });
    before = await snapshot(db, ENVIRONMENT_TABLES);
    await expectCatalogError(createExecution(db, where, { reference_id: referenceId }), 51217, /BatchSize.*Int32.*String/);
    expect(await snapshot(db, ENVIRONMENT_TABLES)).to.deep.equal(before);
    await db.call('catalog.delete_environment_variable', { folder_name: where.folder, environment_name: 'Prod', variable_name: 'Batch' });

    // A variable the environment does not have.
    before = await snapshot(db, ENVIRONMENT_TABLES);
    await expectCatalogError(createExecution(db, where, { reference_id: referenceId }), 51218, /BatchSize.*Batch/);
    expect(await snapshot(db, ENVIRONMENT_TABLES)).to.deep.equal(before);
    await db.call('catalog.create_environment_variable', { folder_name: where.folder, environment_name: 'Prod', variable_name: 'Batch', data_type: 'Int32', sensitive: 0, value: 10 });

    // A sensitive variable for a parameter that is not sensitive.
    await db.call('catalog.delete_environment_variable', { folder_name: where.folder, environment_name: 'Prod', variable_name: 'Region' });
    await db.call('catalog.create_environment_variable', { folder_name: where.folder, environment_name: 'Prod', variable_name: 'Region', data_type: 'String', sensitive: 1, value: 'secret-region' });
    before = await snapshot(db, ENVIRONMENT_TABLES);
    const e = await expectCatalogError(createExecution(db, where, { reference_id: referenceId }), 51219, /Region/);
    expect(e.message).not.to.contain('secret-region');
    expect(await snapshot(db, ENVIRONMENT_TABLES)).to.deep.equal(before);
    await db.call('catalog.delete_environment_variable', { folder_name: where.folder, environment_name: 'Prod', variable_name: 'Region' });
    await db.call('catalog.create_environment_variable', { folder_name: where.folder, environment_name: 'Prod', variable_name: 'Region', data_type: 'String', sensitive: 0, value: 'apac' });

    // Created, then the variable goes: the start is refused and the execution stays created.
    const id = await createExecution(db, where, { reference_id: referenceId });
    await db.call('catalog.delete_environment_variable', { folder_name: where.folder, environment_name: 'Prod', variable_name: 'SalesFile' });
    await expectCatalogError(db.call('catalog.start_execution', { execution_id: id }), 51218, /InputFile.*SalesFile/);
    expect(Number((await execution(db, id)).status)).to.equal(1);

    // Created, then the environment is deleted: 51113.
    const id2 = await createExecution(db, { folder: other, project: 'other' }, { reference_id: foreign });
    await db.call('catalog.delete_environment', { folder_name: other, environment_name: 'Prod' });
    expect(await view(db, 'catalog.environment_references', `reference_id = ${foreign}`)).to.deep.equal([]);
    await expectCatalogError(db.call('catalog.start_execution', { execution_id: id2 }), 51113, /Prod/);
  });

  it('manages environments and variables with SSIS\'s rules: names without regard to case, types, values that fit', async () => {
    const db = catalog.db;
    const folder = await createFolder(db);
    await createEnvironment(db, folder, 'Dev', [['Flag', 'Boolean', false, 'true'], ['When', 'DateTime', false, '2026-12-01T10:00:00Z']]);
    let before = await snapshot(db, ENVIRONMENT_TABLES);
    await expectCatalogError(db.call('catalog.create_environment', { folder_name: folder, environment_name: 'DEV' }), 51214);
    await expectCatalogError(db.call('catalog.create_environment', { folder_name: folder, environment_name: 'bad/name' }), 51001, /@environment_name/);
    await expectCatalogError(db.call('catalog.create_environment', { folder_name: 'no such folder', environment_name: 'X' }), 51103);
    await expectCatalogError(db.call('catalog.create_environment_variable', { folder_name: folder, environment_name: 'Dev', variable_name: 'flag', data_type: 'String', sensitive: 0, value: 'x' }), 51215);
    await expectCatalogError(db.call('catalog.create_environment_variable', { folder_name: folder, environment_name: 'Dev', variable_name: 'Obj', data_type: 'Object', sensitive: 0, value: 'x' }), 51001, /@data_type/);
    await expectCatalogError(db.call('catalog.create_environment_variable', { folder_name: folder, environment_name: 'Dev', variable_name: 'N', data_type: 'Int16', sensitive: 0, value: 40000 }), 51001, /Int16/);
    const hidden = await expectCatalogError(db.call('catalog.create_environment_variable', { folder_name: folder, environment_name: 'Dev', variable_name: 'P', data_type: 'Int32', sensitive: 1, value: 'hunter2' }), 51001);
    expect(hidden.message).not.to.contain('hunter2');
    await expectCatalogError(db.call('catalog.create_environment_variable', { folder_name: folder, environment_name: 'Dev', variable_name: 'S', data_type: 'String', sensitive: null, value: 'x' }), 51000, /@sensitive/);
    await expectCatalogError(db.call('catalog.set_environment_variable_value', { folder_name: folder, environment_name: 'Dev', variable_name: 'Nope', value: 'x' }), 51111);
    await expectCatalogError(db.call('catalog.set_environment_variable_value', { folder_name: folder, environment_name: 'Dev', variable_name: 'Flag', value: 'maybe' }), 51001, /Boolean/);
    await expectCatalogError(db.call('catalog.set_environment_variable_property', { folder_name: folder, environment_name: 'Dev', variable_name: 'Flag', property_name: 'Colour', property_value: 'x' }), 51001, /Description/);
    expect(await snapshot(db, ENVIRONMENT_TABLES)).to.deep.equal(before);

    await db.call('catalog.set_environment_variable_property', { folder_name: folder, environment_name: 'dev', variable_name: 'FLAG', property_name: 'Description', property_value: 'Turns it on' });
    const [env] = await view(db, 'catalog.environments', `name = 'Dev'`);
    expect(env!.description).to.equal('Dev settings');
    const vars = await view(db, 'catalog.environment_variables', `environment_id = ${Number(env!.environment_id)}`);
    const flag = vars.find((v) => v.name === 'Flag')!;
    expect(flag.type).to.equal('Boolean');
    expect(String(flag.value)).to.equal('1');
    expect(flag.description).to.equal('Turns it on');

    // Rename and delete.
    await db.call('catalog.rename_environment', { folder_name: folder, environment_name: 'dev', new_environment_name: 'Development' });
    expect((await view(db, 'catalog.environments', `environment_id = ${Number(env!.environment_id)}`))[0]!.name).to.equal('Development');
    await db.call('catalog.create_environment', { folder_name: folder, environment_name: 'Test' });
    before = await snapshot(db, ENVIRONMENT_TABLES);
    await expectCatalogError(db.call('catalog.rename_environment', { folder_name: folder, environment_name: 'Test', new_environment_name: 'DEVELOPMENT' }), 51214);
    await expectCatalogError(db.call('catalog.delete_environment', { folder_name: folder, environment_name: 'Dev' }), 51110);
    expect(await snapshot(db, ENVIRONMENT_TABLES)).to.deep.equal(before);
    await db.call('catalog.delete_environment', { folder_name: folder, environment_name: 'Development' });
    expect(await view(db, 'catalog.environment_variables', `environment_id = ${Number(env!.environment_id)}`)).to.deep.equal([]);
  });

  it('references: relative and absolute; renaming or moving the environment carries absolute ones along, a relative one is lost by a move', async () => {
    const db = catalog.db;
    const { where } = await projectOnProd(db);
    const shared = await createFolder(db);
    await createEnvironment(db, shared, 'Shared', [
      ['SalesFile', 'String', false, '/shared/sales.csv'], ['Region', 'String', false, 'amer'], ['ApiKey', 'String', false, 'plain-key'], ['Batch', 'Int32', false, 5],
    ]);
    const absolute = await reference(db, where, 'shared', 'A', shared.toUpperCase());
    let before = await snapshot(db, ENVIRONMENT_TABLES);
    await expectCatalogError(reference(db, where, 'Shared', 'A', shared), 51216);
    await expectCatalogError(reference(db, where, 'Shared', 'X' as 'A', shared), 51001, /@reference_type/);
    await expectCatalogError(reference(db, where, 'Shared', 'A'), 51000, /@environment_folder_name/);
    await expectCatalogError(reference(db, where, 'Nowhere'), 51110);
    await expectCatalogError(db.call('catalog.delete_environment_reference', { reference_id: 999999 }), 51112);
    expect(await snapshot(db, ENVIRONMENT_TABLES)).to.deep.equal(before);

    const [row] = await view(db, 'catalog.environment_references', `reference_id = ${absolute}`);
    expect(row!.reference_type).to.equal('A');
    expect(row!.environment_folder_name).to.equal(shared);
    expect(row!.environment_name).to.equal('Shared');

    // A plain variable into a sensitive parameter is stored encrypted.
    const id = await createExecution(db, where, { reference_id: absolute });
    expect((await parameterValues(db, id)).ApiKey!.parameter_value).to.equal(null);
    expect(JSON.stringify(await db.query('SELECT * FROM internal.execution_parameter_values'))).not.to.contain('plain-key');
    expect((await parameterValues(db, id)).InputFile!.parameter_value).to.equal('/shared/sales.csv');

    await db.call('catalog.rename_environment', { folder_name: shared, environment_name: 'Shared', new_environment_name: 'Common' });
    const target = await createFolder(db);
    await db.call('catalog.move_environment', { source_folder: shared, environment_name: 'Common', destination_folder: target });
    const [moved] = await view(db, 'catalog.environment_references', `reference_id = ${absolute}`);
    expect(moved!.environment_folder_name).to.equal(target);
    expect(moved!.environment_name).to.equal('Common');
    const id2 = await createExecution(db, where, { reference_id: absolute });
    expect((await execution(db, id2)).environment_folder_name).to.equal(target);

    // The relative reference's environment moves away: executions through it are refused.
    const relative = Number((await view(db, 'catalog.environment_references', `reference_type = 'R'`)).find((r) => Number(r.project_id) === Number(row!.project_id))!.reference_id);
    await db.call('catalog.move_environment', { source_folder: where.folder, environment_name: 'Prod', destination_folder: target });
    await expectCatalogError(createExecution(db, where, { reference_id: relative }), 51113, /Prod/);
  });

  it('a parameter\'s server value (literal or variable) survives a new deployment; bad calls are refused', async () => {
    const db = catalog.db;
    const { where } = await projectOnProd(db);
    await db.call('catalog.set_object_parameter_value', { object_type: 20, folder_name: where.folder, project_name: where.project, parameter_name: 'Region', parameter_value: 'nordics' });
    const before = await snapshot(db, ENVIRONMENT_TABLES);
    await expectCatalogError(db.call('catalog.set_object_parameter_value', { object_type: 20, folder_name: where.folder, project_name: where.project, parameter_name: 'Nope', parameter_value: 'x' }), 51114);
    await expectCatalogError(db.call('catalog.set_object_parameter_value', { object_type: 30, folder_name: where.folder, project_name: where.project, parameter_name: 'BatchSize', parameter_value: 5 }), 51000, /@object_name/);
    await expectCatalogError(db.call('catalog.set_object_parameter_value', { object_type: 30, folder_name: where.folder, project_name: where.project, parameter_name: 'BatchSize', parameter_value: 'many', object_name: 'load' }), 51001, /Int32/);
    await expectCatalogError(db.call('catalog.set_object_parameter_value', { object_type: 20, folder_name: where.folder, project_name: where.project, parameter_name: 'Region', parameter_value: null }), 51000, /@parameter_value/);
    await expectCatalogError(db.call('catalog.set_object_parameter_value', { object_type: 20, folder_name: where.folder, project_name: where.project, parameter_name: 'Region', parameter_value: 'x', value_type: 'Q' }), 51001, /@value_type/);
    expect(await snapshot(db, ENVIRONMENT_TABLES)).to.deep.equal(before);

    await deploy(db, where.folder);
    const params = await view(db, 'catalog.object_parameters');
    const current = params.filter((p) => p.object_name === where.project || p.object_name === 'load');
    const byName = Object.fromEntries(current.map((p) => [String(p.parameter_name), p]));
    expect(byName.Region!.value_type).to.equal('V');
    expect(byName.Region!.default_value).to.equal('nordics');
    expect(byName.InputFile!.value_type).to.equal('R');
    expect(byName.InputFile!.referenced_variable_name).to.equal('SalesFile');
    expect(byName.BatchSize!.referenced_variable_name).to.equal('Batch');

    // Cleared: the design default again, and no variable.
    await db.call('catalog.clear_object_parameter_value', { folder_name: where.folder, project_name: where.project, object_type: 30, object_name: 'load', parameter_name: 'BatchSize' });
    await db.call('catalog.clear_object_parameter_value', { folder_name: where.folder, project_name: where.project, object_type: 20, parameter_name: 'region' });
    await expectCatalogError(db.call('catalog.clear_object_parameter_value', { folder_name: where.folder, project_name: where.project, object_type: 20, parameter_name: 'Nope' }), 51114);
    const cleared = Object.fromEntries((await view(db, 'catalog.object_parameters')).filter((p) => p.object_name === where.project || p.object_name === 'load').map((p) => [String(p.parameter_name), p]));
    expect(cleared.BatchSize!.value_type).to.equal('V');
    expect(cleared.BatchSize!.referenced_variable_name).to.equal(null);
    expect(String(cleared.BatchSize!.default_value)).to.equal('500');
    expect(cleared.Region!.default_value).to.equal('emea');
    expect(cleared.InputFile!.value_type).to.equal('R');
  });

  it('a key rotation re-encrypts sensitive variable values too', async () => {
    const db = catalog.db;
    await projectOnProd(db);
    const { keyId } = await rotateProtectionKey(db, TEST_KEY_FOLDER);
    const [row] = await db.query("SELECT value FROM internal.environment_variables WHERE name = 'ApiKey'");
    expect(String(row!.value)).to.match(new RegExp(`^enc:${keyId}:`));
    // PostgreSQL's values open with the masters' key folder (SQL Server's with its own key).
    if (db.dialect === 'postgres') expect(await new Keyring(TEST_KEY_FOLDER).reveal(String(row!.value))).to.equal(SECRET);
  });
});
