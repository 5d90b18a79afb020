/**
 * The fault benchmark's scenarios, small (bench/faults/*): kill -9 of workers and of the master
 * holding the sweeps, the catalog stopped as if it crashed, the embedded catalog's master killed
 * and started again, long polls given up mid-claim. Whatever breaks, these stay zero: executions
 * lost or in a wrong end state, attempts that ran at the same time, runs completed twice for any
 * reason but a worker that died between its package's end and its report, log lines lost or
 * duplicated, attempts burned by claims nobody received. (`npm run bench:faults` runs them large.)
 */

import { expect } from 'chai';
import { existsSync, readdirSync } from 'node:fs';
import { formatResult, type ScenarioResult } from '../../bench/faults/harness.ts';
import { abandonedPolls, combined, embeddedRestart, type Sizes } from '../../bench/faults/scenarios.ts';

const SMALL: Sizes = { executions: 40, workers: 3, maxTaskCount: 4, lines: 8, intervalMs: 100, kills: 6, outageMs: 6000, polls: 30, pollIdentities: 3, limitMs: 60_000 };

function expectZeros(r: ScenarioResult, extra: string[] = []): void {
  const report = formatResult(r, extra);
  expect({
    lost: r.lost,
    wrongEnd: r.wrongEnd,
    concurrent: r.concurrent,
    completedTwiceUnexplained: r.completedTwice.unexplained,
    linesLost: r.linesLost,
    linesDuplicated: r.linesDuplicated,
  }, report).to.deep.equal({ lost: 0, wrongEnd: [], concurrent: 0, completedTwiceUnexplained: 0, linesLost: 0, linesDuplicated: 0 });
  expect(r.linesWritten, report).to.be.greaterThan(0);
}

const hasServer = existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));

describe('faults: nothing lost, nothing run twice at once, every line once', function () {
  this.timeout(150_000);

  it('under kill -9 of workers and of the sweep-holding master, and a catalog stopped as if it crashed (PostgreSQL)', async function () {
    if (!hasServer) {
      if (process.env.CI === 'true') throw new Error('PostgreSQL server binaries are missing (apt-get install postgresql); .ci/run installs them.');
      this.skip();
    }
    const { result } = await combined(SMALL);
    expectZeros(result);
    expect(result.kills, 'workers were killed').to.be.greaterThan(0);
  });

  it('under kill -9 of the master that holds the embedded catalog, and of workers (PGlite)', async () => {
    const { result } = await embeddedRestart({ ...SMALL, executions: 30 });
    expectZeros(result);
  });

  it('when long polls are given up while the master claims for them, no attempt is burned (PostgreSQL)', async function () {
    if (!hasServer) {
      if (process.env.CI === 'true') throw new Error('PostgreSQL server binaries are missing (apt-get install postgresql); .ci/run installs them.');
      this.skip();
    }
    const { result, extra, burned } = await abandonedPolls({ ...SMALL, executions: 30, lines: 3, intervalMs: 20, limitMs: 30_000 });
    expectZeros(result, extra);
    expect(burned, formatResult(result, extra)).to.equal(0);
  });
});
