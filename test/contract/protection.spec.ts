/**
 * Sensitive values at rest: parameter values and defaults marked sensitive, and the log database's
 * connection string, are stored encrypted on every backend; only a holder of the protection key
 * (the master) reads them; a refused sensitive value is not repeated in the message; a key
 * rotation re-encrypts every value under the new key, and the old key is no longer needed.
 */

import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogKeyState, ensureProtectionKey, generateProtectionKey, Keyring, protectedKeyId, rotateProtectionKey, saveProtectionKey } from '../../src/catalog/protection.ts';
import type { CatalogDb } from '../../src/db/types.ts';
import { migrateUp } from '../../src/migrate/runner.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { expectCatalogError } from '../support/catalog-helpers.ts';
import { TEST_KEY_FOLDER } from '../support/key-folder.ts';
import { claim, createExecution, deployedProject, enabledWorker, startedExecution } from '../support/queue-helpers.ts';

const SECRET = 'Pa55w0rd-for-the-vault';
const CONNECTION = 'Server=logs,1433;User Id=writer;Password=L0g-s3cret;';

/** Every row of the tables that hold values, as text: what a backup or db_datareader would show. */
async function tablesAsText(db: CatalogDb): Promise<string> {
  const rows = [
    ...(await db.query('SELECT * FROM internal.execution_parameter_values')),
    ...(await db.query('SELECT * FROM internal.object_parameters')),
    ...(await db.query('SELECT * FROM internal.logdb_connection')),
  ];
  return JSON.stringify(rows);
}

forEachBackend('sensitive values at rest', (backend) => {
  const catalog = useCatalog(backend);

  it('are stored encrypted — sensitive defaults, values and the log connection string — and read back in clear only with the key', async () => {
    const db = catalog.db;
    const where = await deployedProject(db); // ApiKey: sensitive, default 'k-123'
    const worker = await enabledWorker(db);
    const id = await createExecution(db, where);
    await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 20, parameter_name: 'InputFile', parameter_value: '/in.csv' });
    await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 20, parameter_name: 'ApiKey', parameter_value: SECRET });
    await db.call('catalog.update_logdb_info', { server_name: 'logs,1433', connection_string: CONNECTION });
    const stored = await tablesAsText(db);
    for (const clear of [SECRET, 'k-123', 'L0g-s3cret']) expect(stored, `${clear} in clear`).not.to.contain(clear);
    expect(stored).to.match(/enc:[0-9a-f]{16}:/);

    // The views mask sensitive values, as SSIS's do.
    const shown = JSON.stringify(await db.query("SELECT * FROM catalog.execution_parameter_values WHERE parameter_name = 'ApiKey'"));
    expect(shown).not.to.contain(SECRET);

    // The master's view: the claim hands the value over, the key reveals it.
    await db.call('catalog.start_execution', { execution_id: id });
    const [task] = await claim(db, worker, { max: 1, now: new Date(Date.now() + 60_000) });
    const apiKey = task!.parameters.find((p) => p.name === 'ApiKey')!;
    expect(apiKey.sensitive).to.equal(true);
    const keyring = new Keyring(TEST_KEY_FOLDER);
    expect(await keyring.reveal(apiKey.value)).to.equal(SECRET);
    const logdb = await db.call('internal.get_log_dbconnection');
    expect(await keyring.reveal(String(logdb.output.connection_string))).to.equal(CONNECTION);
  });

  it('a refused sensitive value is not repeated in the message, and one over 3900 characters is refused', async () => {
    const db = catalog.db;
    const where = await deployedProject(db);
    const id = await createExecution(db, where);
    // ApiKey is a String: every value fits; a too-long one does not.
    const long = `${SECRET}${'x'.repeat(3900)}`;
    const e = await expectCatalogError(db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 20, parameter_name: 'ApiKey', parameter_value: long }), 51001, /3900 characters/);
    expect(e.message).not.to.contain(SECRET);
  });

  it('a catalog without a protection key refuses to store a sensitive value (51404), and gets one at its migration', async function () {
    if (catalog.db.dialect === 'mssql') this.skip(); // the SQL Server catalog creates its own key in the migration
    const db = catalog.db;
    const folder = mkdtempSync(join(tmpdir(), 'scaleout-keys-'));
    try {
      const state = await catalogKeyState(db);
      expect(state.currentKeyId).to.match(/^[0-9a-f]{16}$/);
      // A key that cannot encrypt is refused before it is recorded.
      await expectCatalogError(db.call('catalog.set_protection_key', { PublicKey: 'not a key' }), 51001, /OpenPGP public key/);
      expect((await catalogKeyState(db)).currentKeyId).to.equal(state.currentKeyId);
      // ensureProtectionKey leaves a catalog that has a key alone.
      expect(await ensureProtectionKey(db, folder)).to.equal(undefined);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('rotation makes a new key current and re-encrypts every value under it; the old key is then not needed', async () => {
    const db = catalog.db;
    const where = await deployedProject(db);
    const id = await startedExecution(db, where);
    await db.call('catalog.update_logdb_info', { server_name: 'logs,1433', connection_string: CONNECTION });
    {
      const before = (await catalogKeyState(db)).currentKeyId!;
      const { keyId, reprotected } = await rotateProtectionKey(db, TEST_KEY_FOLDER);
      expect(keyId).not.to.equal(before);
      expect((await catalogKeyState(db)).currentKeyId).to.equal(keyId);
      expect(reprotected).to.be.greaterThan(0);
      const stored = await db.query(`SELECT parameter_value FROM internal.execution_parameter_values WHERE execution_id = ${id} AND parameter_name = 'ApiKey'`);
      const value = String(stored[0]!.parameter_value);
      if (db.dialect === 'postgres') {
        expect(protectedKeyId(value)).to.equal(keyId);
        // Nothing is left under any older key.
        expect((await db.call('internal.protected_values', { BatchSize: 100 })).rows).to.deep.equal([]);
        // Only the new key is needed to read every value.
        const onlyNew = mkdtempSync(join(tmpdir(), 'scaleout-keys-'));
        try {
          writeFileSync(join(onlyNew, `${keyId}.key`), readFileSync(join(TEST_KEY_FOLDER, `${keyId}.key`)));
          expect(await new Keyring(onlyNew).reveal(value)).to.equal('k-123');
          const logdb = await db.call('internal.get_log_dbconnection');
          expect(await new Keyring(onlyNew).reveal(String(logdb.output.connection_string))).to.equal(CONNECTION);
        } finally {
          rmSync(onlyNew, { recursive: true, force: true });
        }
      }
    }
  });
});

forEachBackend('sensitive values on a catalog with no protection key', (backend) => {
  const catalog = useCatalog(backend, { migrate: false });

  it('refuses to store one (51404) until a key is set, and stores it encrypted from then on', async function () {
    const db = catalog.db;
    await migrateUp(db);
    if (db.dialect === 'mssql') this.skip(); // SQL Server: the migration creates the catalog's key
    await db.call('catalog.enable_scaleout', {});
    // The connection string has no sensitive flag to hide behind: without a key it is refused.
    await expectCatalogError(db.call('catalog.update_logdb_info', { server_name: 'logs', connection_string: CONNECTION }), 51404, /@connection_string/);
    // So is a deployment whose manifest has a sensitive default.
    const refused = await deployedProject(db).catch((e: unknown) => e);
    expect((refused as { number?: number }).number).to.equal(51404);
    const pair = await generateProtectionKey();
    const folder = mkdtempSync(join(tmpdir(), 'scaleout-keys-'));
    try {
      saveProtectionKey(folder, pair);
      expect(await ensureProtectionKey(db, folder)).to.match(/protects sensitive values with the key in/);
      expect((await catalogKeyState(db)).currentKeyId).to.equal(pair.keyId);
      const deployed = await deployedProject(db);
      const id = await createExecution(db, deployed);
      const stored = await db.query(`SELECT parameter_value FROM internal.execution_parameter_values WHERE execution_id = ${id} AND parameter_name = 'ApiKey'`);
      expect(await new Keyring(folder).reveal(String(stored[0]!.parameter_value))).to.equal('k-123');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
