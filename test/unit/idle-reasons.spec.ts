/** The worker's idle reasons: each said at most once a minute, and at once again after it cleared. */

import { expect } from 'chai';
import type { Logger } from '../../src/log/logger.ts';
import { IdleReasons } from '../../src/worker/idle-reasons.ts';

describe('worker idle reasons', () => {
  it('says a reason once a minute while it holds, again at once after it cleared, each reason on its own', () => {
    let now = 0;
    const said: string[] = [];
    const log: Logger = { debug() {}, info: (m) => said.push(m), warn: (m) => said.push(`warn ${m}`), error() {} };
    const idle = new IdleReasons(log, 60_000, () => now);
    idle.note('cpu', 'cpu high');
    now += 1000;
    idle.note('cpu', 'cpu high');
    idle.note('disabled', 'disabled', {}, 'warn');
    now += 59_000;
    idle.note('cpu', 'cpu high');
    idle.clear('cpu');
    now += 1;
    idle.note('cpu', 'cpu high');
    expect(said).to.deep.equal(['cpu high', 'warn disabled', 'cpu high', 'cpu high']);
  });
});
