/**
 * scaleout service install: systemd units an operator installs on each machine — a dedicated
 * account, a restart policy, a descriptor limit, the settings file — checked by systemd's own
 * verifier where it is installed, and refusals that write nothing.
 */

import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';

const BIN = join(PROJECT_ROOT, 'bin', 'scaleout.js');
const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

describe('scaleout service install', () => {
  let dir: string;
  let settings: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'scaleout-units-'));
    settings = join(dir, 'WorkerSettings.json');
    writeFileSync(settings, JSON.stringify({ MasterEndpoint: 'https://master1:8391' }));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const scaleout = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

  it('writes a unit that runs this installation as the account, restarts it, raises the descriptor limit and names the settings file', () => {
    const units = join(dir, 'units');
    const r = scaleout('service', 'install', 'worker', '--settings', settings, '--user', 'root', '--unit-dir', units, '--shutdown-grace', '45');
    expect(r.status, r.stderr).to.equal(0);
    const unit = readFileSync(join(units, 'scaleout-worker.service'), 'utf8');
    expect(unit).to.include(`ExecStart=${process.execPath} ${BIN} worker --settings ${settings} --shutdown-grace 45\n`);
    for (const line of ['User=root', 'Restart=always', 'LimitNOFILE=65536', 'KillMode=mixed', 'TimeoutStopSec=75', 'StateDirectory=scaleout', 'Environment=XDG_STATE_HOME=/var/lib', 'WantedBy=multi-user.target']) {
      expect(unit).to.include(`\n${line}\n`);
    }
    expect(r.stdout).to.match(/Next: systemctl daemon-reload && systemctl enable --now scaleout-worker\.service/);
    if (has('systemd-analyze')) {
      const verified = spawnSync('systemd-analyze', ['verify', join(units, 'scaleout-worker.service')], { encoding: 'utf8' });
      expect(verified.status, verified.stderr).to.equal(0);
      expect(verified.stderr).not.to.match(/Unknown|Invalid|Failed/i);
    }
  });

  it('--print shows the master\'s unit and writes nothing', () => {
    const r = scaleout('service', 'install', 'master', '--settings', settings, '--unit-dir', join(dir, 'none'), '--print');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^ExecStart=\S+ \S+bin\/scaleout\.js master --settings \S+WorkerSettings\.json$/m);
    expect(r.stdout).to.include('\nUser=scaleout\n');
    expect(existsSync(join(dir, 'none'))).to.equal(false);
  });

  it('refuses, numbered and writing nothing: a role it does not know, no settings, a settings file that is missing or not JSON, an account that does not exist with --no-create-user', () => {
    const units = join(dir, 'units');
    const cases: Array<[string[], RegExp]> = [
      [['service', 'install', 'database', '--settings', settings], /^error 52001: service install: the role is master or worker/m],
      [['service', 'install', 'worker'], /^error 52001: service install: --settings <file> is required/m],
      [['service', 'install', 'worker', '--settings', join(dir, 'nope.json')], /^error 52006: .*nope\.json does not exist/m],
      [['service', 'install', 'worker', '--settings', BIN], /^error 52004: .*is not JSON/m],
      [['service', 'install', 'worker', '--settings', settings, '--user', 'no_such_account_7f3a', '--no-create-user'], /^error 52001: service install: the account no_such_account_7f3a does not exist/m],
      [['service', 'install', 'worker', '--settings', settings, '--user', 'Robert"; rm -rf /'], /^error 52001: .*is not a valid account name/m],
      [['service', 'install', 'worker', '--settings', settings, '--shutdown-grace', '-1'], /^error 52001: .*--shutdown-grace/m],
    ];
    for (const [args, expected] of cases) {
      const r = scaleout(...args, '--unit-dir', units);
      expect(r.status, args.join(' ')).to.equal(1);
      expect(r.stderr, args.join(' ')).to.match(expected);
    }
    expect(existsSync(units)).to.equal(false);
  });

  it('creates the dedicated system account when it is missing (as root)', function () {
    if (process.getuid?.() !== 0 || !has('useradd') || !has('userdel')) this.skip();
    const account = `so_test_${process.pid % 100000}`;
    try {
      const r = scaleout('service', 'install', 'master', '--settings', settings, '--user', account, '--unit-dir', join(dir, 'units'));
      expect(r.status, r.stderr).to.equal(0);
      expect(r.stdout).to.include(`Created the system account ${account}.`);
      const entry = execFileSync('getent', ['passwd', account], { encoding: 'utf8' });
      expect(entry).to.match(/:\/var\/lib\/scaleout:\/usr\/sbin\/nologin\n$/);
      expect(Number(entry.split(':')[2])).to.be.below(1000, 'a system account');
      expect(readFileSync(join(dir, 'units', 'scaleout-master.service'), 'utf8')).to.include(`\nUser=${account}\n`);
    } finally {
      spawnSync('userdel', [account]);
    }
  });
});
