/**
 * docker-compose.yml is valid compose: SQL Server, a one-shot migration, one master, two workers —
 * checked by `docker compose config` (or docker-compose 1.29's) wherever one is installed.
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';

interface Service {
  healthcheck?: { disable?: boolean };
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
}

/** The compose command this machine has: Docker's plugin, or the older standalone docker-compose. */
const composeTool = (): { command: string; args: string[] } | undefined => {
  if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return { command: 'docker', args: ['compose'] };
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0) return { command: 'docker-compose', args: [] };
  return undefined;
};

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service>; volumes?: Record<string, unknown> };

  it('runs SQL Server 2022, a one-shot migrate, one master and two workers', () => {
    const services = compose.services;
    expect(services.sqlserver?.image).to.match(/^mcr\.microsoft\.com\/mssql\/server:2022/);
    expect(services.migrate?.command).to.deep.equal(['migrate', 'up']);
    const commands = Object.values(services).map((s) => s.command?.[0]);
    expect(commands.filter((c) => c === 'master')).to.have.length(1);
    // Workers enrol themselves on first start (certificate, catalog.add_worker_agent), then run `worker`.
    const workers = Object.values(services).filter((s) => s.entrypoint?.join(' ').includes('docker/worker-entrypoint.sh'));
    expect(workers).to.have.length(2);
    const script = readFileSync(join(PROJECT_ROOT, 'docker', 'worker-entrypoint.sh'), 'utf8');
    expect(script).to.match(/agent add/);
    expect(script).to.match(/exec node bin\/scaleout\.js worker/);
  });

  it('every service has an image or a build, and depends only on services that exist', () => {
    const names = new Set(Object.keys(compose.services));
    for (const [name, s] of Object.entries(compose.services)) {
      expect(Boolean(s.image) || Boolean(s.build), `${name} has an image or a build`).to.equal(true);
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      for (const d of deps) expect(names.has(d), `${name} depends on ${d}`).to.equal(true);
    }
  });

  it('docker-compose.yml: the master keeps the health check, the other roles turn it off; `compose config` accepts it where compose is installed', function () {
    const built = Object.entries(compose.services).filter(([, s]) => s.build === '.');
    expect(built.map(([n]) => n)).to.include.members(['migrate', 'certs', 'master', 'worker-1', 'worker-2']);
    for (const [name, service] of built) expect(service.healthcheck?.disable === true, name).to.equal(name !== 'master');
    const tool = composeTool();
    if (!tool) {
      process.stdout.write('      (neither `docker compose` nor docker-compose is installed: the compose file was read, not validated)\n');
      this.skip();
    }
    const r = spawnSync(tool!.command, [...tool!.args, '-f', join(PROJECT_ROOT, 'docker-compose.yml'), 'config', '-q'], { encoding: 'utf8', cwd: PROJECT_ROOT });
    expect(r.status, r.stderr).to.equal(0);
  });
});
