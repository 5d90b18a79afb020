/**
 * catalog.start_executions on every backend: many executions created and started in one call,
 * exactly as create_execution + start_execution would make them, and every refusal numbered, named
 * by its row and changing nothing.
 */

import { expect } from 'chai';
import type { CatalogDb } from '../../src/db/types.ts';
import { startExecutions, type ExecutionRequest } from '../../src/catalog/start-executions.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { expectCatalogError, snapshot, view } from '../support/catalog-helpers.ts';
import { claim, deployedProject, emptyQueue, enabledWorker, execution, startedExecution } from '../support/queue-helpers.ts';

const EXECUTION_TABLES = ['internal.operations', 'internal.executions', 'internal.execution_parameter_values', 'internal.execution_workers', 'internal.tasks'];
const future = (s = 0) => new Date(Date.now() + 3_600_000 + s * 1000);

/** The sample project with InputFile given a server default, so that its packages may start without values. */
async function startableProject(db: CatalogDb): Promise<{ folder: string; project: string }> {
  const where = await deployedProject(db);
  await db.call('catalog.set_object_parameter_value', {
    object_type: 20, folder_name: where.folder, project_name: where.project, parameter_name: 'InputFile', parameter_value: '/data/batch.csv',
  });
  return where;
}

async function parameters(db: CatalogDb, id: number): Promise<Record<string, unknown>> {
  const rows = await view(db, 'catalog.execution_parameter_values', `execution_id = ${id}`);
  return Object.fromEntries(rows.map((r) => [`${r.object_type}:${r.parameter_name}`, r.parameter_value]));
}

forEachBackend('starting executions in a batch', (backend) => {
  const catalog = useCatalog(backend);
  let where: { folder: string; project: string };
  const row = (extra: Partial<ExecutionRequest> = {}): ExecutionRequest => ({ folder_name: where.folder, project_name: where.project, package_name: 'load', ...extra });

  before(async () => {
    where = await startableProject(catalog.db);
  });
  afterEach(() => emptyQueue(catalog.db, future));

  it('creates and starts every execution in one call, as create_execution and start_execution make one, ids in the order of the rows', async () => {
    const db = catalog.db;
    const single = await startedExecution(db, where, { retry: 2 });
    const ids = await startExecutions(db, [
      row({ priority: 1 }),
      // Names are found without regard to case and kept as the catalog spells them.
      { folder_name: where.folder.toUpperCase(), project_name: 'ETL', package_name: 'LOAD', priority: 9, required_tags: ' SSD , linux', timeout_seconds: 30 },
      row({ use32bitruntime: 1, useanyworker: true }),
    ], { retryCount: 2 });
    expect(ids).to.have.length(3);
    expect(new Set(ids).size).to.equal(3);

    const first = await execution(db, ids[0]!);
    const model = await execution(db, single);
    const same = ['folder_name', 'project_name', 'package_name', 'status', 'operation_type', 'object_type', 'max_executed_count', 'use32bitruntime', 'machine_name', 'executed_as_name'];
    for (const column of same) expect(first[column], column).to.deep.equal(model[column]);
    expect(first).to.include({ status: 5, max_executed_count: 3, priority: 1, timeout_seconds: 600 });
    expect(await execution(db, ids[1]!)).to.include({ folder_name: where.folder, project_name: 'etl', package_name: 'load', priority: 9, required_tags: ',linux,ssd,', timeout_seconds: 30 });
    expect(Boolean(Number((await execution(db, ids[2]!)).use32bitruntime) || (await execution(db, ids[2]!)).use32bitruntime === true)).to.equal(true);

    // The same parameter values as an execution created and started one at a time.
    const expected = await parameters(db, single);
    expected['20:InputFile'] = '/data/batch.csv';
    for (const id of ids) expect(await parameters(db, id)).to.deep.equal(expected);

    // Queued: a worker claims them by priority, the untagged ones only.
    const worker = await enabledWorker(db);
    const claimed = await claim(db, worker, { max: 10, now: future() });
    expect(claimed.map((t) => t.execution_id)).to.include.members([ids[0]!, ids[2]!]).and.not.include(ids[1]!);
  });

  it('a row may name an environment reference: its referenced parameters take the variables', async () => {
    const db = catalog.db;
    await db.call('catalog.create_environment', { folder_name: where.folder, environment_name: 'Batch' });
    await db.call('catalog.create_environment_variable', { folder_name: where.folder, environment_name: 'Batch', variable_name: 'Region', data_type: 'String', sensitive: 0, value: 'apac' });
    await db.call('catalog.set_object_parameter_value', { object_type: 20, folder_name: where.folder, project_name: where.project, parameter_name: 'Region', parameter_value: 'Region', value_type: 'R' });
    try {
      const r = await db.call('catalog.create_environment_reference', { folder_name: where.folder, project_name: where.project, environment_name: 'Batch', reference_type: 'R' });
      const referenceId = Number(r.output.reference_id);
      const [withEnvironment, without] = await startExecutions(db, [row({ reference_id: referenceId }), row()]);
      expect((await parameters(db, withEnvironment!))['20:Region']).to.equal('apac');
      expect((await execution(db, withEnvironment!)).status).to.equal(5);
      expect((await parameters(db, without!))['20:Region']).to.equal('emea');
    } finally {
      await db.call('catalog.set_object_parameter_value', { object_type: 20, folder_name: where.folder, project_name: where.project, parameter_name: 'Region', parameter_value: 'nordics' });
    }
  });

  it('refuses a bad batch with a numbered error naming the row, and creates nothing', async () => {
    const db = catalog.db;
    const other = await deployedProject(db); // InputFile required, without a value
    const before = await snapshot(db, EXECUTION_TABLES);
    await expectCatalogError(startExecutions(db, []), 51001, /executions/);
    await expectCatalogError(startExecutions(db, Array.from({ length: 10_001 }, () => row())), 51001, /10,000/);
    await expectCatalogError(startExecutions(db, [row(), row({ project_name: undefined as unknown as string })]), 51001, /row 2 needs project_name/);
    await expectCatalogError(startExecutions(db, [row(), row(), row({ timeout_seconds: 0 })]), 51001, /row 3 timeout_seconds/);
    await expectCatalogError(startExecutions(db, [row(), row({ reference_id: -4 })]), 51001, /row 2 reference_id/);
    await expectCatalogError(startExecutions(db, [row({ pacakge: 'x' } as Partial<ExecutionRequest>)]), 51001, /pacakge/);
    await expectCatalogError(startExecutions(db, [row()], { retryCount: -1 }), 51001, /retry_count/);
    await expectCatalogError(startExecutions(db, [row(), row({ folder_name: 'nowhere' })]), 51103, /nowhere/);
    await expectCatalogError(startExecutions(db, [row(), row({ project_name: 'nothing' })]), 51104, /nothing/);
    await expectCatalogError(startExecutions(db, [row(), row({ package_name: 'nope' })]), 51105, /nope/);
    await expectCatalogError(startExecutions(db, [row(), row({ package_name: 'helper' })]), 51205, /helper/);
    await expectCatalogError(startExecutions(db, [row(), row({ reference_id: 987654 })]), 51112, /987654.*row 2/);
    await expectCatalogError(startExecutions(db, [row(), row(), { folder_name: other.folder, project_name: 'etl', package_name: 'load' }]), 51209, /in row 3.*InputFile/);
    await db.call('catalog.disable_scaleout');
    try {
      await expectCatalogError(startExecutions(db, [row()]), 51213);
    } finally {
      await db.call('catalog.enable_scaleout');
    }
    expect(await snapshot(db, EXECUTION_TABLES)).to.deep.equal(before);
  });

  it('takes 10,000 executions in one call, their ids ascending in the order of the rows', async function () {
    this.timeout(180_000);
    const db = catalog.db;
    const ids = await startExecutions(db, Array.from({ length: 10_000 }, (_, i) => row({ priority: i % 7 })));
    expect(new Set(ids).size).to.equal(10_000);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!), 'ids ascend').to.equal(true);
    const priorities = await db.query(
      db.dialect === 'mssql'
        ? 'SELECT execution_id, priority FROM internal.executions WHERE execution_id BETWEEN @p1 AND @p2'
        : 'SELECT execution_id, priority FROM internal.executions WHERE execution_id BETWEEN $1 AND $2',
      [ids[0], ids.at(-1)],
    );
    const byId = new Map(priorities.map((p) => [Number(p.execution_id), Number(p.priority)]));
    expect(ids.filter((id, i) => byId.get(id) !== i % 7), 'each id is its own row\'s execution').to.deep.equal([]);
    const queued = await db.query(
      db.dialect === 'mssql'
        ? 'SELECT COUNT(*) AS n FROM internal.tasks WHERE execution_id BETWEEN @p1 AND @p2 AND status = 1'
        : 'SELECT count(*)::int AS n FROM internal.tasks WHERE execution_id BETWEEN $1 AND $2 AND status = 1',
      [Math.min(...ids), Math.max(...ids)],
    );
    expect(Number(queued[0]!.n)).to.equal(10_000);
  });
});
