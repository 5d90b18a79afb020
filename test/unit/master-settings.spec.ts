import { expect } from 'chai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsError, loadMasterSettings } from '../../src/master/settings.ts';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';

describe('master settings', () => {
  const required = { SSLCertFile: 'm.crt', SSLKeyFile: 'm.key' };

  it('has SSIS\'s defaults', () => {
    const s = loadMasterSettings({ overrides: required, env: {} });
    expect(s).to.include({
      PortNumber: 8391,
      CleanupCompletedJobsIntervalInMs: 43_200_000,
      DealWithExpiredTasksIntervalInMs: 300_000,
      MasterHeartbeatIntervalInMs: 30_000,
      SqlConnectionTimeoutInSecs: 15,
      SqlServerName: 'pglite:./.scaleout/catalog',
    });
  });

  it('the sample examples/settings/MasterSettings.json loads as written', () => {
    const s = loadMasterSettings({ file: join(PROJECT_ROOT, 'examples', 'settings', 'MasterSettings.json'), env: {} });
    expect(s).to.include({ PortNumber: 8391, SSLCertFile: '/etc/scaleout/master.crt', PublicAddress: 'https://master1.example.com:8391', CatalogKeyFolder: '/etc/scaleout/keys' });
    expect(s.SqlServerName).to.match(/^Server=sql1,1433;Database=SSISDB;/);
  });

  it('reads a file, then the environment, then flags — later wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scaleout-settings-'));
    const file = join(dir, 'MasterSettings.json');
    writeFileSync(file, JSON.stringify({ ...required, PortNumber: 9000, MasterHeartbeatIntervalInMs: 5000, SqlServerName: 'pglite:/a' }));
    const s = loadMasterSettings({
      file,
      env: { SCALEOUT_MASTER_PORTNUMBER: '9100', SCALEOUT_CATALOG: 'postgres://db/ssisdb' },
      overrides: { PortNumber: '9200' },
    });
    expect(s).to.include({ PortNumber: 9200, MasterHeartbeatIntervalInMs: 5000, SqlServerName: 'postgres://db/ssisdb' });
  });

  it('names the bad key', () => {
    expect(() => loadMasterSettings({ overrides: { ...required, PortNumber: 'eighty' }, env: {} })).to.throw(SettingsError, /PortNumber/);
    expect(() => loadMasterSettings({ overrides: { ...required, PortNumbr: 1 }, env: {} })).to.throw(SettingsError, /PortNumbr/);
    expect(() => loadMasterSettings({ overrides: {}, env: {} })).to.throw(SettingsError, /SSLCertFile/);
  });
});
