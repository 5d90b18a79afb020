/**
 * Worker agents, on every backend: adding and trusting, registration on first contact, heartbeats,
 * enable/disable, properties, deletion, the view's derived state, and the races between them.
 */

import { expect } from 'chai';
import type { CatalogDb } from '../../src/db/types.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import {
  ANY_WORKER,
  WORKER_TABLES,
  expectCatalogError,
  minutesFrom,
  newId,
  newThumbprint,
  snapshot,
  truthy,
  view,
  workerRow,
} from '../support/catalog-helpers.ts';

async function register(db: CatalogDb, id: string, thumbprint: string, extra: Record<string, unknown> = {}): Promise<boolean> {
  const r = await db.call('internal.register_worker_agent', {
    WorkerAgentId: id,
    CertificateThumbprint: thumbprint,
    MachineName: 'worker-host',
    UserAccount: 'scaleout',
    ...extra,
  });
  return truthy(r.output.isenabled);
}

async function heartbeat(db: CatalogDb, id: string, thumbprint: string, extra: Record<string, unknown> = {}): Promise<boolean> {
  const r = await db.call('internal.update_worker_agent_status', { WorkerAgentId: id, CertificateThumbprint: thumbprint, ...extra });
  return truthy(r.output.isenabled);
}

forEachBackend('worker agents', (backend) => {
  const catalog = useCatalog(backend);

  describe('catalog.add_worker_agent', () => {
    it('records a worker ahead of its first connection, disabled and offline, trusting its certificate', async () => {
      const db = catalog.db;
      const id = newId();
      const thumbprint = newThumbprint(40);
      await db.call('catalog.add_worker_agent', {
        WorkerAgentId: id,
        CertificateThumbprint: thumbprint.toLowerCase().replace(/(..)(?!$)/g, '$1:'),
        DisplayName: 'etl-01',
        Description: 'first worker',
        Tags: 'linux,ssd',
      });
      const row = await workerRow(db, id);
      expect(row).to.include({ DisplayName: 'etl-01', Description: 'first worker', Tags: 'linux,ssd', CertificateThumbprint: thumbprint, MaxTaskCount: 10, RunningTaskCount: 0, State: 'offline' });
      expect(truthy(row!.IsEnabled)).to.equal(false);
      expect(row!.LastOnlineTime).to.equal(null);
    });

    it('shows SSIS columns first, in SSIS order, then ours', async () => {
      const rows = await view(catalog.db, 'catalog.worker_agents');
      const columns = rows.length > 0 ? Object.keys(rows[0]!) : [];
      expect(columns).to.deep.equal([
        'WorkerAgentId', 'IsEnabled', 'DisplayName', 'Description', 'MachineName', 'Tags', 'UserAccount', 'LastOnlineTime',
        'CertificateThumbprint', 'MaxTaskCount', 'RunningTaskCount', 'HeartbeatIntervalMs', 'State',
      ]);
    });

    it("answers SSIS's queries as written, unquoted and in any letter case (catalog.worker_agents, masters, worker_agent_perfcounter)", async () => {
      const db = catalog.db;
      const id = newId();
      await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: newThumbprint(), IsEnabled: 1, DisplayName: 'unquoted' });
      const rows = await db.query(
        db.dialect === 'mssql'
          ? "SELECT WorkerAgentId, DisplayName, MachineName, IsEnabled, State FROM catalog.worker_agents WHERE DisplayName = N'unquoted'"
          : "SELECT WorkerAgentId, DisplayName, MachineName, IsEnabled, State FROM catalog.worker_agents WHERE DisplayName = 'unquoted'",
      );
      expect(rows).to.have.length(1);
      expect(String(Object.values(rows[0]!)[0]).toLowerCase()).to.equal(id);
      const shouted = await db.query('SELECT WORKERAGENTID, workeragentid AS again, MaxTaskCount FROM catalog.worker_agents');
      expect(shouted.length).to.be.greaterThan(0);
      await db.query('SELECT MasterId, MachineName, Address, State, HeldSweeps FROM catalog.masters');
      await db.query('SELECT WorkerAgentId, PerfCounterName, PerfCounterValue, TimeStamp FROM catalog.worker_agent_perfcounter');
    });

    it('can add a worker enabled', async () => {
      const id = newId();
      await catalog.db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: newThumbprint(), IsEnabled: 1 });
      expect(truthy((await workerRow(catalog.db, id))!.IsEnabled)).to.equal(true);
    });

    it('reports every bad argument at once (51000 first) and changes nothing', async () => {
      const db = catalog.db;
      const before = await snapshot(db, WORKER_TABLES);
      const e = await expectCatalogError(db.call('catalog.add_worker_agent', { MaxTaskCount: 0 }), 51000);
      expect(e.message).to.match(/@?WorkerAgentId\b/).and.to.match(/@?CertificateThumbprint\b/).and.to.match(/@?MaxTaskCount\b/);
      await expectCatalogError(db.call('catalog.add_worker_agent', { WorkerAgentId: ANY_WORKER, CertificateThumbprint: newThumbprint() }), 51001, /reserved/);
      await expectCatalogError(db.call('catalog.add_worker_agent', { WorkerAgentId: newId(), CertificateThumbprint: 'XYZ' }), 51001, /hexadecimal/);
      await expectCatalogError(db.call('catalog.add_worker_agent', { WorkerAgentId: newId(), CertificateThumbprint: newThumbprint().slice(1) }), 51001);
      expect(await snapshot(db, WORKER_TABLES)).to.deep.equal(before);
    });

    it('refuses an existing id (51201) and a certificate trusted for another worker (51202)', async () => {
      const db = catalog.db;
      const id = newId();
      const thumbprint = newThumbprint();
      await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: thumbprint });
      const before = await snapshot(db, WORKER_TABLES);
      await expectCatalogError(db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: newThumbprint() }), 51201, new RegExp(id));
      await expectCatalogError(db.call('catalog.add_worker_agent', { WorkerAgentId: newId(), CertificateThumbprint: thumbprint }), 51202, new RegExp(thumbprint));
      expect(await snapshot(db, WORKER_TABLES)).to.deep.equal(before);
    });
  });

  describe('registration on first contact', () => {
    it('records a worker whose trusted certificate has no worker yet, disabled, as SSIS does', async () => {
      const db = catalog.db;
      const id = newId();
      const thumbprint = newThumbprint();
      await db.call('catalog.trust_worker_certificate', { CertificateThumbprint: thumbprint, Description: 'etl-02 cert' });
      const now = new Date();
      const enabled = await register(db, id, thumbprint, {
        DisplayName: 'etl-02', HeartbeatIntervalMs: 30000, MaxTaskCount: 4, OSVersion: 'Linux 6.1', ProcessorCount: 8, TotalMemoryMB: 16384.4, AgentVersion: '0.1.0', now,
      });
      expect(enabled).to.equal(false);
      const row = await workerRow(db, id);
      expect(row).to.include({ DisplayName: 'etl-02', MachineName: 'worker-host', UserAccount: 'scaleout', CertificateThumbprint: thumbprint, HeartbeatIntervalMs: 30000, State: 'online' });
      expect((row!.LastOnlineTime as Date).getTime()).to.equal(now.getTime());
      const props = await db.query(
        db.dialect === 'mssql'
          ? 'SELECT property_name, property_value FROM internal.machine_properties WHERE worker_agent_id = @p1 ORDER BY property_name'
          : 'SELECT property_name, property_value FROM internal.machine_properties WHERE worker_agent_id = $1 ORDER BY property_name',
        [id],
      );
      expect(props).to.deep.equal([
        { property_name: 'AgentVersion', property_value: '0.1.0' },
        { property_name: 'MaxTaskCount', property_value: '4' },
        { property_name: 'OSVersion', property_value: 'Linux 6.1' },
        { property_name: 'ProcessorCount', property_value: '8' },
        { property_name: 'TotalMemoryMB', property_value: '16384' },
      ]);
    });

    it('updates a worker added ahead of time, keeping what the DBA set', async () => {
      const db = catalog.db;
      const id = newId();
      const thumbprint = newThumbprint();
      await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: thumbprint, DisplayName: 'named by the DBA' });
      await db.call('catalog.enable_worker_agent', { WorkerAgentId: id });
      expect(await register(db, id, thumbprint, { DisplayName: 'from the worker config' })).to.equal(true);
      expect(await workerRow(db, id)).to.include({ DisplayName: 'named by the DBA', MachineName: 'worker-host' });
    });

    it('refuses an untrusted certificate (51401) and records it nowhere', async () => {
      const db = catalog.db;
      const before = await snapshot(db, WORKER_TABLES);
      const thumbprint = newThumbprint();
      await expectCatalogError(register(db, newId(), thumbprint), 51401, new RegExp(thumbprint));
      expect(await snapshot(db, WORKER_TABLES)).to.deep.equal(before);
    });

    it('refuses a known worker presenting another certificate (51402) and a certificate bound to another worker (51202)', async () => {
      const db = catalog.db;
      const a = newId();
      const b = newId();
      const ta = newThumbprint();
      const tb = newThumbprint();
      await db.call('catalog.add_worker_agent', { WorkerAgentId: a, CertificateThumbprint: ta });
      await db.call('catalog.add_worker_agent', { WorkerAgentId: b, CertificateThumbprint: tb });
      const spare = newThumbprint();
      await db.call('catalog.trust_worker_certificate', { CertificateThumbprint: spare });
      const before = await snapshot(db, WORKER_TABLES);
      await expectCatalogError(register(db, a, spare), 51402, new RegExp(ta));
      await expectCatalogError(register(db, newId(), ta), 51202, new RegExp(a));
      expect(await snapshot(db, WORKER_TABLES)).to.deep.equal(before);
    });

    it('refuses bad arguments (51000, 51001) and changes nothing', async () => {
      const db = catalog.db;
      const before = await snapshot(db, WORKER_TABLES);
      await expectCatalogError(db.call('internal.register_worker_agent', { CertificateThumbprint: newThumbprint(), MachineName: 'x' }), 51000, /@WorkerAgentId/);
      await expectCatalogError(register(db, ANY_WORKER, newThumbprint()), 51001, /reserved/);
      await expectCatalogError(register(db, newId(), newThumbprint(), { HeartbeatIntervalMs: 10 }), 51001, /@HeartbeatIntervalMs/);
      await expectCatalogError(register(db, newId(), newThumbprint(), { MachineName: null }), 51000, /@MachineName/);
      expect(await snapshot(db, WORKER_TABLES)).to.deep.equal(before);
    });
  });

  describe('heartbeats', () => {
    it('record the last online time and the latest counters, and return whether the worker is enabled', async () => {
      const db = catalog.db;
      const id = newId();
      const thumbprint = newThumbprint();
      await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: thumbprint });
      await register(db, id, thumbprint);
      const t1 = new Date(Date.now() - 1000);
      expect(await heartbeat(db, id, thumbprint, { CpuPercent: 12.5, AvailableMemoryMB: 2048, RunningTaskCount: 1, now: t1 })).to.equal(false);
      await db.call('catalog.enable_worker_agent', { WorkerAgentId: id });
      const t2 = new Date();
      expect(await heartbeat(db, id, thumbprint, { CpuPercent: 50, RunningTaskCount: 3, LogLinesPending: 40, LogLinesUndeliverable: 2, CertificateDaysLeft: 12.5, now: t2 })).to.equal(true);

      const counters = (await view(db, 'catalog.worker_agent_perfcounter')).filter((r) => String(r.WorkerAgentId).toLowerCase() === id);
      const byName = Object.fromEntries(counters.map((r) => [r.PerfCounterName, r.PerfCounterValue]));
      expect(byName).to.deep.equal({ CpuPercent: 50, AvailableMemoryMB: 2048, RunningTaskCount: 3, LogLinesPending: 40, LogLinesUndeliverable: 2, CertificateDaysLeft: 12.5 });
      const row = await workerRow(db, id);
      expect((row!.LastOnlineTime as Date).getTime()).to.equal(t2.getTime());
    });

    it('refuse an unknown worker (51101), a certificate that is not the worker\'s (51402), and bad counters (51001)', async () => {
      const db = catalog.db;
      const id = newId();
      const thumbprint = newThumbprint();
      await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: thumbprint });
      const before = await snapshot(db, WORKER_TABLES);
      await expectCatalogError(heartbeat(db, newId(), thumbprint), 51101);
      await expectCatalogError(heartbeat(db, id, newThumbprint()), 51402);
      await expectCatalogError(heartbeat(db, id, thumbprint, { CpuPercent: 101 }), 51001, /@CpuPercent/);
      await expectCatalogError(heartbeat(db, id, thumbprint, { RunningTaskCount: -1 }), 51001, /@RunningTaskCount/);
      await expectCatalogError(heartbeat(db, id, thumbprint, { LogLinesPending: -1, LogLinesUndeliverable: -2 }), 51001, /@LogLinesPending.*@LogLinesUndeliverable/);
      await expectCatalogError(heartbeat(db, id, thumbprint, { CertificateDaysLeft: 40000 }), 51001, /@CertificateDaysLeft/);
      expect(await snapshot(db, WORKER_TABLES)).to.deep.equal(before);
    });

    it('drive the state: online within 2 heartbeat intervals, stale within 5, offline after', async () => {
      const db = catalog.db;
      const id = newId();
      const thumbprint = newThumbprint();
      await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: thumbprint });
      await register(db, id, thumbprint, { HeartbeatIntervalMs: 60000 });
      const now = new Date();
      await heartbeat(db, id, thumbprint, { now: minutesFrom(now, -1) });
      expect((await workerRow(db, id))!.State).to.equal('online');
      await heartbeat(db, id, thumbprint, { now: minutesFrom(now, -3) });
      expect((await workerRow(db, id))!.State).to.equal('stale');
      await heartbeat(db, id, thumbprint, { now: minutesFrom(now, -6) });
      expect((await workerRow(db, id))!.State).to.equal('offline');
    });
  });

  describe('enable, disable and properties', () => {
    it('enable and disable a worker; unknown (51101), NULL (51000) and reserved (51001) ids are refused', async () => {
      const db = catalog.db;
      const id = newId();
      await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: newThumbprint() });
      await db.call('catalog.enable_worker_agent', { WorkerAgentId: id });
      expect(truthy((await workerRow(db, id))!.IsEnabled)).to.equal(true);
      await db.call('catalog.disable_worker_agent', { WorkerAgentId: id });
      expect(truthy((await workerRow(db, id))!.IsEnabled)).to.equal(false);
      const before = await snapshot(db, WORKER_TABLES);
      for (const proc of ['catalog.enable_worker_agent', 'catalog.disable_worker_agent']) {
        await expectCatalogError(db.call(proc, { WorkerAgentId: newId() }), 51101);
        await expectCatalogError(db.call(proc, {}), 51000, /@WorkerAgentId/);
        await expectCatalogError(db.call(proc, { WorkerAgentId: ANY_WORKER }), 51001);
      }
      expect(await snapshot(db, WORKER_TABLES)).to.deep.equal(before);
    });

    it('set DisplayName, Description, Tags and MaxTaskCount, with names in any case', async () => {
      const db = catalog.db;
      const id = newId();
      await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: newThumbprint(), Tags: 'a' });
      const set = (name: string, value: unknown) => db.call('catalog.set_worker_agent_property', { WorkerAgentId: id, PropertyName: name, PropertyValue: value });
      await set('DisplayName', 'renamed');
      await set('description', 'edited');
      await set('TAGS', ' gpu,linux ');
      await set('MaxTaskCount', '25');
      expect(await workerRow(db, id)).to.include({ DisplayName: 'renamed', Description: 'edited', Tags: 'gpu,linux', MaxTaskCount: 25 });
      await set('Tags', '');
      expect((await workerRow(db, id))!.Tags).to.equal(null);
    });

    it('refuse an unknown property, a bad value and an unknown worker, changing nothing', async () => {
      const db = catalog.db;
      const id = newId();
      await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: newThumbprint() });
      const before = await snapshot(db, WORKER_TABLES);
      const set = (name: unknown, value: unknown, worker = id) => db.call('catalog.set_worker_agent_property', { WorkerAgentId: worker, PropertyName: name, PropertyValue: value });
      await expectCatalogError(set('Color', 'blue'), 51001, /DisplayName, Description, Tags, MaxTaskCount/);
      await expectCatalogError(set('MaxTaskCount', '0'), 51001, /1 to 1000/);
      await expectCatalogError(set('MaxTaskCount', 'ten'), 51001);
      await expectCatalogError(set('DisplayName', 'x'.repeat(257)), 51001, /256/);
      await expectCatalogError(set(null, 'x'), 51000, /@PropertyName/);
      await expectCatalogError(set('Description', 'x', newId()), 51101);
      expect(await snapshot(db, WORKER_TABLES)).to.deep.equal(before);
    });
  });

  describe('catalog.delete_worker_agent', () => {
    it('deletes an idle worker with its certificate trust, and refuses an unknown one (51101)', async () => {
      const db = catalog.db;
      const id = newId();
      await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: newThumbprint() });
      const thumbprint = (await workerRow(db, id))!.CertificateThumbprint as string;
      await db.call('catalog.delete_worker_agent', { WorkerAgentId: id });
      expect(await workerRow(db, id)).to.equal(undefined);
      await expectCatalogError(db.call('catalog.delete_worker_agent', { WorkerAgentId: id }), 51101);
      await expectCatalogError(register(db, id, thumbprint), 51401);
    });
  });

  describe('races', () => {
    it('an enable or disable racing heartbeats always stands; every heartbeat succeeds', async function () {
      const db = catalog.db;
      const id = newId();
      const thumbprint = newThumbprint();
      await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: thumbprint });
      await register(db, id, thumbprint);
      const others: CatalogDb[] = backend.kind === 'pglite' ? [db, db] : [await catalog.database.open(), await catalog.database.open()];
      try {
        const beats = Array.from({ length: 30 }, (_, i) => heartbeat(others[i % 2]!, id, thumbprint, { CpuPercent: i }));
        const toggles = (async () => {
          for (let i = 0; i < 10; i++) {
            await db.call(i % 2 === 0 ? 'catalog.enable_worker_agent' : 'catalog.disable_worker_agent', { WorkerAgentId: id });
          }
          await db.call('catalog.enable_worker_agent', { WorkerAgentId: id });
        })();
        await Promise.all([...beats, toggles]);
        expect(truthy((await workerRow(db, id))!.IsEnabled)).to.equal(true);
        expect(await heartbeat(db, id, thumbprint)).to.equal(true);
      } finally {
        if (backend.kind !== 'pglite') await Promise.all(others.map((o) => o.close()));
      }
    });

    it('a new worker registering through two masters at once is recorded once', async () => {
      const db = catalog.db;
      const id = newId();
      const thumbprint = newThumbprint();
      await db.call('catalog.trust_worker_certificate', { CertificateThumbprint: thumbprint });
      const conns: CatalogDb[] = backend.kind === 'pglite' ? [db, db, db] : await Promise.all([1, 2, 3].map(() => catalog.database.open()));
      try {
        const results = await Promise.all(conns.map((c) => register(c, id, thumbprint)));
        expect(results).to.deep.equal([false, false, false]);
        const rows = (await view(db, 'catalog.worker_agents')).filter((r) => String(r.WorkerAgentId).toLowerCase() === id);
        expect(rows).to.have.length(1);
        expect(rows[0]!.CertificateThumbprint).to.equal(thumbprint);
      } finally {
        if (backend.kind !== 'pglite') await Promise.all(conns.map((c) => c.close()));
      }
    });
  });
});
