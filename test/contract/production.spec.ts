/**
 * What a production server meets that a quick test does not: a worker with a long machine name,
 * an execution whose task was archived, a DBA who mistypes a property, and long values. Runs on
 * every backend the suite reaches; the T-SQL-only rules (isolation, READPAST, parameter widths)
 * are checked statically in test/static/tsql-rules.spec.ts.
 */

import { expect } from 'chai';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { expectCatalogError } from '../support/catalog-helpers.ts';
import { claim, complete, deployedProject, enabledWorker, execution, startedExecution } from '../support/queue-helpers.ts';

forEachBackend('the catalog as a production server runs it', (backend) => {
  const catalog = useCatalog(backend);

  it('a worker whose machine name is longer than an operation keeps (200 characters) claims and runs its tasks', async () => {
    const db = catalog.db;
    const where = await deployedProject(db);
    const longName = `host-${'x'.repeat(195)}`;
    const worker = await enabledWorker(db);
    await db.call('internal.update_worker_agent_status', { WorkerAgentId: worker, CertificateThumbprint: (await db.query(db.dialect === 'mssql' ? 'SELECT thumbprint FROM internal.worker_certificates WHERE worker_agent_id = @p1' : 'SELECT thumbprint FROM internal.worker_certificates WHERE worker_agent_id = $1', [worker]))[0]!.thumbprint, MachineName: longName });
    const id = await startedExecution(db, where);
    const [task] = await claim(db, worker, { max: 1 });
    expect(task?.execution_id).to.equal(id);
    const running = await execution(db, id);
    expect(String(running.machine_name)).to.equal(longName.slice(0, 128));
  });

  it('an execution keeps its max_executed_count once cleanup_completed_jobs archived its task', async () => {
    const db = catalog.db;
    const where = await deployedProject(db);
    const worker = await enabledWorker(db);
    const id = await startedExecution(db, where, { retry: 2 });
    const [task] = await claim(db, worker, { max: 1 });
    await complete(db, task!, 'succeeded');
    expect(Number((await execution(db, id)).max_executed_count)).to.equal(3);
    const later = new Date(Date.now() + 2 * 3600_000);
    for (let i = 0; i < 20; i++) {
      const r = await db.call('internal.cleanup_completed_jobs', { MinutesToKeep: 1, BatchSize: 1000, now: later });
      if (Number(r.output.processed) < 1000) break;
    }
    const archived = await db.query(db.dialect === 'mssql' ? 'SELECT count(*) AS n FROM internal.tasks WHERE execution_id = @p1' : 'SELECT count(*) AS n FROM internal.tasks WHERE execution_id = $1', [id]);
    expect(Number(archived[0]!.n), 'the task was archived').to.equal(0);
    expect(Number((await execution(db, id)).max_executed_count)).to.equal(3);
  });

  it('configure_catalog names an unknown property as such (51001 on @property_name), and a bad value as a bad value', async () => {
    const db = catalog.db;
    await expectCatalogError(db.call('catalog.configure_catalog', { property_name: 'RETENTION_WINDOWS', property_value: '30' }), 51001, /'RETENTION_WINDOWS' for @property_name is not accepted: a property that can be set/);
    await expectCatalogError(db.call('catalog.configure_catalog', { property_name: 'RETENTION_WINDOW', property_value: 'soon' }), 51001, /'soon' for @property_value/);
  });
});
