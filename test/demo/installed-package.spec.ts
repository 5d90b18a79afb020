/**
 * The product as an operator gets it without a clone: `npm pack` makes the package, and in an empty
 * folder `npm install ./scaleout-<version>.tgz && npx scaleout demo` runs the whole system — the
 * compiled JavaScript, the SQL, the migrations and the example project all inside the package, and
 * neither TypeScript nor tsx installed with it.
 */

import { expect } from 'chai';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, SCALEOUT_CATALOG: '', npm_config_update_notifier: 'false' }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
  });
}

describe('the npm package', function () {
  this.timeout(300_000);
  let dir: string;
  let tarball: string;
  const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'scaleout-package-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('npm pack: the compiled code, SQL, migrations and example project, no TypeScript sources or tests', () => {
    // dist/ is fresh (the test run rebuilt it if not): pack what is there, as prepare would build it.
    const listing = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: PROJECT_ROOT, encoding: 'utf8' })) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(dir, listing[0]!.filename);
    expect(listing[0]!.filename).to.equal(`scaleout-${version}.tgz`);
    const files = listing[0]!.files.map((f) => f.path);
    for (const needed of ['bin/scaleout.js', 'dist/cli/main.js', 'dist/worker/package-host.cjs', 'dist/worker/sentinel.mjs', 'dist/manager/assets/manager.css', 'examples/etl/scaleout.project.json', 'README.md', 'package.json']) {
      expect(files, needed).to.include(needed);
    }
    expect(files.some((f) => f.startsWith('sql/mssql/') && f.endsWith('.sql'))).to.equal(true);
    expect(files.some((f) => f.startsWith('migrations/postgres/'))).to.equal(true);
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('bench/') || /\.ts$/.test(f))).to.deep.equal([]);
  });

  it('installs in an empty folder, and `npx scaleout demo` runs the whole system from it', async () => {
    const app = join(dir, 'app');
    execFileSync('mkdir', ['-p', app]);
    const install = await run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app, 240_000);
    expect(install.code, install.stderr).to.equal(0);
    const installed = join(app, 'node_modules');
    expect(existsSync(join(installed, 'scaleout', 'dist', 'cli', 'main.js'))).to.equal(true);
    expect(existsSync(join(installed, 'tsx')), 'tsx is a development dependency').to.equal(false);
    expect(existsSync(join(installed, 'typescript')), 'typescript is a development dependency').to.equal(false);

    expect((await run('npx', ['--no-install', 'scaleout', '--version'], app, 30_000)).stdout.trim()).to.equal(version);
    const demo = await run('npx', ['--no-install', 'scaleout', 'demo'], app, 150_000);
    expect(demo.code, `${demo.stdout}\n${demo.stderr}`).to.equal(0);
    expect(demo.stdout).to.contain('Every execution ended as expected');
    // Its files went where it was run, none into the package or the clone.
    expect(readdirSync(join(app, '.scaleout', 'demo', 'output'))).to.include('sales_by_region.csv');
    expect(existsSync(join(installed, 'scaleout', '.scaleout'))).to.equal(false);
  });
});
