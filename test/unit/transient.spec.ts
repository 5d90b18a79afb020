import { expect } from 'chai';
import { transientKind, withRetry } from '../../src/db/transient.ts';

const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 };

describe('transient errors', () => {
  it('knows what the server rolled back, what broke the connection, and what is neither', () => {
    expect(transientKind({ number: 1205 })).to.equal('rolledBack');
    expect(transientKind({ code: '40P01' })).to.equal('rolledBack');
    expect(transientKind({ code: '40001' })).to.equal('rolledBack');
    expect(transientKind({ code: 'ECONNREFUSED' })).to.equal('rolledBack');
    expect(transientKind({ number: 40613 })).to.equal('connection');
    expect(transientKind({ number: 976 })).to.equal('connection');
    expect(transientKind({ code: 'ECONNRESET' })).to.equal('connection');
    expect(transientKind({ code: '57P01' })).to.equal('connection');
    expect(transientKind({ number: 51101 })).to.equal(undefined);
    expect(transientKind({ code: '23505' })).to.equal(undefined);
  });

  it('repeats a deadlocked call, and a call cut off by a lost connection only when it is idempotent', async () => {
    let calls = 0;
    const deadlockedTwice = () => (++calls <= 2 ? Promise.reject(Object.assign(new Error('deadlock'), { code: '40P01' })) : Promise.resolve('done'));
    expect(await withRetry(deadlockedTwice, { idempotent: false, policy: fast })).to.equal('done');
    expect(calls).to.equal(3);

    calls = 0;
    const reset = () => (++calls === 1 ? Promise.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' })) : Promise.resolve('done'));
    await withRetry(reset, { idempotent: false, policy: fast }).then(
      () => expect.fail('a non-idempotent call must not be repeated after a lost connection'),
      (e: Error) => expect(e.message).to.equal('reset'),
    );
    calls = 0;
    expect(await withRetry(reset, { idempotent: true, policy: fast })).to.equal('done');
  });

  it('gives up after the last attempt and never repeats other errors', async () => {
    let calls = 0;
    const always = () => {
      calls++;
      return Promise.reject(Object.assign(new Error('deadlock'), { number: 1205 }));
    };
    await withRetry(always, { idempotent: true, policy: fast }).catch(() => undefined);
    expect(calls).to.equal(4);
    calls = 0;
    const bad = () => {
      calls++;
      return Promise.reject(Object.assign(new Error('51000: null'), { code: 'SO000' }));
    };
    await withRetry(bad, { idempotent: true, policy: fast }).catch(() => undefined);
    expect(calls).to.equal(1);
  });
});
