/**
 * Masters and master properties, on every backend: start-up announcement, heartbeat, sweep leases
 * (acquire, renew, release, expiry, fencing, simultaneous acquisition), master address, logging
 * connection, Scale Out on and off, and the error table itself.
 */

import { expect } from 'chai';
import { catalogErrors } from '../../src/catalog/errors.ts';
import type { CatalogDb } from '../../src/db/types.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { MASTER_TABLES, expectCatalogError, masterProperty, newId, snapshot, truthy, view } from '../support/catalog-helpers.ts';
import { Keyring } from '../../src/catalog/protection.ts';
import { TEST_KEY_FOLDER } from '../support/key-folder.ts';

async function announce(db: CatalogDb, masterId: string, now?: Date): Promise<void> {
  await db.call('internal.update_master_settings', {
    MasterId: masterId,
    MachineName: 'master-host',
    MachineIP: '10.0.0.5',
    MasterServicePort: '8391',
    SSLCertThumbprint: 'AB'.repeat(32),
    MasterHeartbeatIntervalInMs: '30000',
    Address: 'https://master-host:8391',
    ProcessId: 4242,
    Version: '0.1.0',
    now,
  });
}

interface Lease {
  acquired: boolean;
  epoch: number;
  expiresAt: Date;
  holderId: string;
}

async function acquire(db: CatalogDb, sweep: string, masterId: string, now: Date, leaseMs = 60000): Promise<Lease> {
  const r = await db.call('internal.acquire_sweep_lease', { SweepName: sweep, MasterId: masterId, LeaseMs: leaseMs, now });
  return { acquired: truthy(r.output.acquired), epoch: Number(r.output.epoch), expiresAt: r.output.expiresat as Date, holderId: String(r.output.holderid) };
}

async function masterRow(db: CatalogDb, id: string) {
  return (await view(db, 'catalog.masters')).find((r) => String(r.MasterId).toLowerCase() === id);
}

forEachBackend('masters and master properties', (backend) => {
  const catalog = useCatalog(backend);

  it('catalog.master_properties has every SSIS property and never the logging connection string', async () => {
    const names = (await view(catalog.db, 'catalog.master_properties')).map((r) => r.property_name).sort();
    expect(names).to.deep.equal([
      'CLUSTER_LOGDB_SERVER', 'IS_SCALEOUT_ENABLED', 'LAST_ONLINE_TIME', 'MACHINE_IP', 'MACHINE_NAME', 'MASTER_ADDRESS',
      'MASTER_HEARTBEAT_INTERVALINMS', 'MASTER_SERVICE_PORT', 'SSLCERT_THUMBPRINT',
    ]);
  });

  it('the error table in the catalog matches src/catalog/errors.ts', async () => {
    const rows = await catalog.db.query('SELECT number, symbol FROM internal.error_messages');
    const inCatalog = rows.map((r) => `${r.number} ${r.symbol}`).sort();
    const inCode = [...catalogErrors.values()].map((e) => `${e.number} ${e.symbol}`).sort();
    expect(inCatalog).to.deep.equal(inCode);
  });

  describe('a master announcing itself and heartbeating', () => {
    it('publishes its properties and appears in catalog.masters, online', async () => {
      const db = catalog.db;
      const id = newId();
      const now = new Date();
      await announce(db, id, now);
      expect(await masterProperty(db, 'MACHINE_NAME')).to.equal('master-host');
      expect(await masterProperty(db, 'MACHINE_IP')).to.equal('10.0.0.5');
      expect(await masterProperty(db, 'MASTER_SERVICE_PORT')).to.equal('8391');
      expect(await masterProperty(db, 'SSLCERT_THUMBPRINT')).to.equal('AB'.repeat(32));
      expect(await masterProperty(db, 'MASTER_HEARTBEAT_INTERVALINMS')).to.equal('30000');
      expect(new Date(String(await masterProperty(db, 'LAST_ONLINE_TIME'))).getTime()).to.be.closeTo(now.getTime(), 1);
      const row = await masterRow(db, id);
      expect(row).to.include({ MachineName: 'master-host', Address: 'https://master-host:8391', ProcessId: 4242, Version: '0.1.0', State: 'online', StoppedTime: null });
    });

    it('heartbeats move LAST_ONLINE_TIME and its own row; an unknown master is refused (51102)', async () => {
      const db = catalog.db;
      const id = newId();
      await announce(db, id, new Date(Date.now() - 200_000));
      expect((await masterRow(db, id))!.State).to.equal('offline');
      const beat = new Date();
      await db.call('internal.master_heartbeat', { MasterId: id, now: beat });
      expect(((await masterRow(db, id))!.LastHeartbeatTime as Date).getTime()).to.equal(beat.getTime());
      expect((await masterRow(db, id))!.State).to.equal('online');
      expect(new Date(String(await masterProperty(db, 'LAST_ONLINE_TIME'))).getTime()).to.be.closeTo(beat.getTime(), 1);

      const before = await snapshot(db, MASTER_TABLES);
      await expectCatalogError(db.call('internal.master_heartbeat', { MasterId: newId() }), 51102);
      await expectCatalogError(db.call('internal.master_heartbeat', {}), 51000, /@MasterId/);
      expect(await snapshot(db, MASTER_TABLES)).to.deep.equal(before);
    });

    it('refuses bad settings at once (51000 first, every problem named) and changes nothing', async () => {
      const db = catalog.db;
      const before = await snapshot(db, MASTER_TABLES);
      const e = await expectCatalogError(
        db.call('internal.update_master_settings', { MasterId: newId(), MasterServicePort: '99999', MasterHeartbeatIntervalInMs: 'soon', SSLCertThumbprint: 'x' }),
        51000,
      );
      expect(e.message).to.match(/@?MachineName\b/).and.match(/@?MasterServicePort\b/).and.match(/@?MasterHeartbeatIntervalInMs\b/);
      expect(await snapshot(db, MASTER_TABLES)).to.deep.equal(before);
    });
  });

  describe('sweep leases', () => {
    it('go to one master; renewals keep the epoch; an expired lease moves to another master with a higher epoch', async () => {
      const db = catalog.db;
      const sweep = `expired_tasks_${newId()}`;
      const a = newId();
      const b = newId();
      const t0 = new Date('2030-01-01T00:00:00Z');

      const first = await acquire(db, sweep, a, t0);
      expect(first).to.deep.include({ acquired: true, epoch: 1, holderId: a });
      expect(first.expiresAt.getTime()).to.equal(t0.getTime() + 60000);

      const contender = await acquire(db, sweep, b, new Date(t0.getTime() + 1000));
      expect(contender).to.deep.include({ acquired: false, epoch: 1, holderId: a });

      const again = await acquire(db, sweep, a, new Date(t0.getTime() + 30000));
      expect(again).to.deep.include({ acquired: true, epoch: 1, holderId: a });

      const renewed = await db.call('internal.renew_sweep_lease', { SweepName: sweep, MasterId: a, Epoch: 1, LeaseMs: 60000, now: new Date(t0.getTime() + 40000) });
      expect((renewed.output.expiresat as Date).getTime()).to.equal(t0.getTime() + 100000);

      // a stops renewing: after the expiry b takes over.
      const takeover = await acquire(db, sweep, b, new Date(t0.getTime() + 100000));
      expect(takeover).to.deep.include({ acquired: true, epoch: 2, holderId: b });
    });

    it('refuse a stale holder\'s renewal (51301) and ignore its release', async () => {
      const db = catalog.db;
      const sweep = `cleanup_${newId()}`;
      const a = newId();
      const b = newId();
      const t0 = new Date('2030-01-01T00:00:00Z');
      await acquire(db, sweep, a, t0, 5000);
      await acquire(db, sweep, b, new Date(t0.getTime() + 6000), 5000);
      const before = await snapshot(db, MASTER_TABLES);
      await expectCatalogError(
        db.call('internal.renew_sweep_lease', { SweepName: sweep, MasterId: a, Epoch: 1, LeaseMs: 5000, now: new Date(t0.getTime() + 7000) }),
        51301,
        new RegExp(sweep),
      );
      const released = await db.call('internal.release_sweep_lease', { SweepName: sweep, MasterId: a, Epoch: 1 });
      expect(truthy(released.output.released)).to.equal(false);
      expect(await snapshot(db, MASTER_TABLES)).to.deep.equal(before);

      const byHolder = await db.call('internal.release_sweep_lease', { SweepName: sweep, MasterId: b, Epoch: 2 });
      expect(truthy(byHolder.output.released)).to.equal(true);
      expect(await acquire(db, sweep, a, new Date(t0.getTime() + 8000), 5000)).to.deep.include({ acquired: true, epoch: 3, holderId: a });
    });

    it('refuse bad arguments (51000, 51001)', async () => {
      const db = catalog.db;
      await expectCatalogError(db.call('internal.acquire_sweep_lease', { MasterId: newId(), LeaseMs: 1000 }), 51000, /@SweepName/);
      await expectCatalogError(db.call('internal.acquire_sweep_lease', { SweepName: ' ', MasterId: newId(), LeaseMs: 1000 }), 51001, /@SweepName/);
      await expectCatalogError(db.call('internal.acquire_sweep_lease', { SweepName: 's', MasterId: newId(), LeaseMs: 10 }), 51001, /@LeaseMs/);
      await expectCatalogError(db.call('internal.renew_sweep_lease', { SweepName: 's', MasterId: newId(), LeaseMs: 1000 }), 51000, /@Epoch/);
    });

    it('asked for by eight masters at the same instant, go to exactly one', async () => {
      const db = catalog.db;
      const sweep = `retention_${newId()}`;
      const masters = Array.from({ length: 8 }, () => newId());
      const conns: CatalogDb[] = backend.kind === 'pglite' ? masters.map(() => db) : await Promise.all(masters.map(() => catalog.database.open()));
      try {
        const now = new Date();
        const results = await Promise.all(masters.map((m, i) => acquire(conns[i]!, sweep, m, now)));
        const winners = results.filter((r) => r.acquired);
        expect(winners).to.have.length(1);
        expect(new Set(results.map((r) => r.holderId))).to.deep.equal(new Set([winners[0]!.holderId]));
        expect(results.every((r) => r.epoch === 1)).to.equal(true);
      } finally {
        if (backend.kind !== 'pglite') await Promise.all(conns.map((c) => c.close()));
      }
    });

    it('show in catalog.masters while held, and are all released when the master stops', async () => {
      const db = catalog.db;
      const id = newId();
      await announce(db, id);
      const s1 = `b_sweep_${newId()}`;
      const s2 = `a_sweep_${newId()}`;
      await acquire(db, s1, id, new Date());
      await acquire(db, s2, id, new Date());
      expect((await masterRow(db, id))!.HeldSweeps).to.equal([s2, s1].join(','));

      await db.call('internal.master_stopped', { MasterId: id });
      const row = await masterRow(db, id);
      expect(row!.State).to.equal('stopped');
      expect(row!.HeldSweeps).to.equal(null);
      expect(await acquire(db, s1, newId(), new Date())).to.deep.include({ acquired: true, epoch: 2 });
    });
  });

  describe('catalog.update_master_address', () => {
    it('accepts https://host:port URLs', async () => {
      const db = catalog.db;
      for (const address of ['https://scaleout-master:8391', 'https://10.0.0.1:8391/', 'HTTPS://master.example.com:443', 'https://[::1]:8391']) {
        await db.call('catalog.update_master_address', { MasterAddress: address });
        expect(await masterProperty(db, 'MASTER_ADDRESS')).to.equal(address);
      }
    });

    it('refuses anything else (51001) and NULL (51000), changing nothing', async () => {
      const db = catalog.db;
      const before = await snapshot(db, MASTER_TABLES);
      for (const address of ['http://master:8391', 'https://master', 'https://master:0', 'https://master:70000', 'https://master:8391/path', 'https://user@master:8391', 'https://:8391', '', 'master:8391']) {
        await expectCatalogError(db.call('catalog.update_master_address', { MasterAddress: address }), 51001, /https URL with a host and a port/);
      }
      await expectCatalogError(db.call('catalog.update_master_address', {}), 51000, /@MasterAddress/);
      expect(await snapshot(db, MASTER_TABLES)).to.deep.equal(before);
    });
  });

  describe('catalog.update_logdb_info', () => {
    it('shows the server, keeps the connection string out of every view, and gives it back to the master', async () => {
      const db = catalog.db;
      const secret = 'Server=sql1,1433;Database=SSISDB;User Id=logwriter;Password=S3cret!;';
      await db.call('catalog.update_logdb_info', { server_name: 'sql1,1433', connection_string: secret });
      await db.call('catalog.update_logdb_info', { server_name: 'sql2,1433', connection_string: `${secret}Encrypt=true;` });
      expect(await masterProperty(db, 'CLUSTER_LOGDB_SERVER')).to.equal('sql2,1433');
      for (const name of ['catalog.master_properties', 'catalog.catalog_properties', 'catalog.worker_agents', 'catalog.masters']) {
        expect(JSON.stringify(await view(db, name))).not.to.contain('S3cret!');
      }
      const r = await db.call('internal.get_log_dbconnection');
      expect(r.output.server_name).to.equal('sql2,1433');
      // Stored encrypted, like a sensitive parameter; the master decrypts it for enabled workers.
      if (db.dialect === 'postgres') expect(String(r.output.connection_string)).to.match(/^enc:/);
      expect(await new Keyring(TEST_KEY_FOLDER).reveal(String(r.output.connection_string))).to.equal(`${secret}Encrypt=true;`);
    });

    it('refuses NULL (51000) and empty (51001) values, changing nothing', async () => {
      const db = catalog.db;
      const before = await snapshot(db, MASTER_TABLES);
      const e = await expectCatalogError(db.call('catalog.update_logdb_info', {}), 51000);
      expect(e.message).to.match(/@?server_name\b/).and.match(/@?connection_string\b/);
      await expectCatalogError(db.call('catalog.update_logdb_info', { server_name: ' ', connection_string: 'x' }), 51001, /@server_name/);
      expect(await snapshot(db, MASTER_TABLES)).to.deep.equal(before);
    });
  });

  it('catalog.enable_scaleout and catalog.disable_scaleout set IS_SCALEOUT_ENABLED, also in catalog.catalog_properties', async () => {
    const db = catalog.db;
    const fromCatalogProperties = async () => (await view(db, 'catalog.catalog_properties')).find((r) => r.property_name === 'IS_SCALEOUT_ENABLED')?.property_value;
    expect(await fromCatalogProperties()).to.equal('TRUE');
    await db.call('catalog.disable_scaleout');
    expect(await masterProperty(db, 'IS_SCALEOUT_ENABLED')).to.equal('');
    expect(await fromCatalogProperties()).to.equal('');
    await db.call('catalog.enable_scaleout');
    expect(await masterProperty(db, 'IS_SCALEOUT_ENABLED')).to.equal('TRUE');
  });
});
