/**
 * The container image and the compose file, checked without a Docker engine (none runs here): the
 * Dockerfile's stages, user, health check and init read as Docker would; every path it copies exists
 * and .dockerignore lets it through (docker-compose.yml: compose.spec.ts).
 */

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** Dockerfile instructions, continuation lines joined and comments dropped, split by stage. */
function stages(text: string): Instruction[][] {
  const joined = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const result: Instruction[][] = [];
  for (const line of joined) {
    const [, keyword, args] = /^(\S+)\s+(.*)$/.exec(line)!;
    if (keyword!.toUpperCase() === 'FROM') result.push([]);
    result.at(-1)!.push({ keyword: keyword!.toUpperCase(), args: args! });
  }
  return result;
}

describe('the container image (Dockerfile)', () => {
  const dockerfile = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
  const all = stages(dockerfile);
  const final = all.at(-1)!;
  const finalOf = (keyword: string) => final.filter((i) => i.keyword === keyword);

  it('builds in stages: the image holds compiled code and production dependencies only', () => {
    expect(all.length).to.be.at.least(2);
    const copies = finalOf('COPY').map((i) => i.args);
    expect(copies.some((c) => /^--from=\S+ \S*dist /.test(c)), 'dist/ from the build stage').to.equal(true);
    expect(copies.some((c) => /^--from=\S+ \S*node_modules /.test(c)), 'node_modules from a stage').to.equal(true);
    expect(copies.filter((c) => /(^|\s)(\.\/)?src(\/|\s)/.test(c)), 'no sources in the image').to.deep.equal([]);
    const dependencies = all.find((s) => s.some((i) => i.keyword === 'COPY' && i.args.includes('node_modules')) === false && s.some((i) => /npm ci .*--omit=dev/.test(i.args)));
    expect(dependencies, 'a stage installs the production dependencies only (npm ci --omit=dev)').to.not.equal(undefined);
    expect(finalOf('RUN').filter((i) => /npm (ci|install)/.test(i.args)), 'no npm install in the image stage').to.deep.equal([]);
  });

  it('runs as an unprivileged user, under an init, with a health check on the master\'s /healthz', () => {
    const user = finalOf('USER').at(-1)?.args;
    expect(user).to.match(/^[a-z_][a-z0-9_-]*$/);
    expect(user).to.not.be.oneOf(['root', '0']);
    expect(finalOf('RUN').some((i) => new RegExp(`useradd [^&]*--system[^&]* ${user}(\\s|$)`).test(i.args)), 'the user is created as a system account').to.equal(true);
    const health = finalOf('HEALTHCHECK').at(-1)?.args ?? '';
    expect(health).to.match(/CMD \["node", "\/opt\/scaleout\/bin\/scaleout\.js", "healthcheck"/);
    const entry = JSON.parse(finalOf('ENTRYPOINT').at(-1)!.args) as string[];
    expect(entry.slice(0, 2)).to.deep.equal(['/usr/bin/tini', '--']);
    expect(entry.slice(2)).to.deep.equal(['node', '/opt/scaleout/bin/scaleout.js']);
    // The healthcheck command exists in this version of the command line.
    const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'scaleout.js'), 'healthcheck', '--help'], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
  });

  it('copies only paths that exist and that .dockerignore lets through', () => {
    const ignored = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    const sources = all
      .flat()
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from='))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    expect(sources.length).to.be.at.least(8);
    for (const source of sources) {
      expect(existsSync(join(PROJECT_ROOT, source)), `${source} exists`).to.equal(true);
      const top = source.replace(/^\.\//, '').split('/')[0]!;
      expect(ignored, `${source} is not in .dockerignore`).to.not.include(top);
    }
  });

});
