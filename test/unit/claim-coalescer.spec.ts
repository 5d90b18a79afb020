import { strict as assert } from 'node:assert';
import type { ClaimedTask } from '../../src/catalog/master-calls.ts';
import { ClaimCoalescer, MAX_TASKS_PER_CLAIM } from '../../src/master/claim-coalescer.ts';

interface Call {
  readonly workerAgentId: string;
  readonly maxTasks: number;
  readonly leaseMs: number;
  resolve(tasks: ClaimedTask[]): void;
  reject(error: unknown): void;
}

/** A catalog whose claims end when the test says so. */
function fakeCatalog() {
  const calls: Call[] = [];
  const call = (workerAgentId: string, maxTasks: number, leaseMs: number) =>
    new Promise<ClaimedTask[]>((resolve, reject) => calls.push({ workerAgentId, maxTasks, leaseMs, resolve, reject }));
  return { calls, coalescer: new ClaimCoalescer(call) };
}

const tasks = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ taskId: `t${from + i}` }) as ClaimedTask);
const ids = (ts: ClaimedTask[]) => ts.map((t) => t.taskId);
const settle = () => new Promise((r) => setImmediate(r));

describe('master: one claim in flight per worker', () => {
  it('sends the requests that came while a claim ran in one call, and shares its tasks out in order', async () => {
    const { calls, coalescer } = fakeCatalog();
    const first = coalescer.claim('w1', 10, 60_000);
    const second = coalescer.claim('w1', 10, 60_000);
    const third = coalescer.claim('W1', 5, 60_000);
    assert.equal(calls.length, 1, 'the later requests wait for the claim in flight');
    assert.equal(calls[0]!.maxTasks, 10);
    calls[0]!.resolve(tasks(10));
    assert.deepEqual(ids(await first), ids(tasks(10)));
    await settle();
    assert.equal(calls.length, 2);
    assert.equal(calls[1]!.maxTasks, 15, 'both waiting requests in one call');
    calls[1]!.resolve(tasks(12, 100));
    assert.deepEqual(ids(await second), ids(tasks(10, 100)));
    assert.deepEqual(ids(await third), ids(tasks(2, 110)), 'the later request gets what is left');
    await settle();
    assert.equal(calls.length, 2, 'no call once nobody waits');
  });

  it('claims for different workers, or different lease lengths, at the same time', async () => {
    const { calls, coalescer } = fakeCatalog();
    const a = coalescer.claim('w1', 1, 60_000);
    const b = coalescer.claim('w2', 1, 60_000);
    const c = coalescer.claim('w1', 1, 30_000);
    assert.deepEqual(calls.map((x) => [x.workerAgentId, x.leaseMs]), [['w1', 60_000], ['w2', 60_000], ['w1', 30_000]]);
    for (const x of calls) x.resolve([]);
    assert.deepEqual([await a, await b, await c], [[], [], []]);
  });

  it('claims nothing for a request whose client went away while it waited', async () => {
    const { calls, coalescer } = fakeCatalog();
    const first = coalescer.claim('w1', 3, 60_000);
    const gone = new AbortController();
    const abandoned = coalescer.claim('w1', 7, 60_000, gone.signal);
    const kept = coalescer.claim('w1', 2, 60_000);
    gone.abort();
    calls[0]!.resolve(tasks(3));
    await first;
    assert.deepEqual(await abandoned, []);
    await settle();
    assert.equal(calls[1]!.maxTasks, 2, 'only the request still waiting is claimed for');
    calls[1]!.resolve(tasks(2, 50));
    assert.deepEqual(ids(await kept), ids(tasks(2, 50)));
  });

  it('gives every request of a failed call its error, and the next requests a call of their own', async () => {
    const { calls, coalescer } = fakeCatalog();
    const first = coalescer.claim('w1', 1, 60_000);
    const second = coalescer.claim('w1', 1, 60_000);
    const third = coalescer.claim('w1', 1, 60_000);
    calls[0]!.resolve([]);
    await first;
    await settle();
    calls[1]!.reject(new Error('catalog unreachable'));
    await assert.rejects(second, /catalog unreachable/);
    await assert.rejects(third, /catalog unreachable/);
    const later = coalescer.claim('w1', 4, 60_000);
    assert.equal(calls.length, 3);
    assert.equal(calls[2]!.maxTasks, 4);
    calls[2]!.resolve(tasks(1));
    assert.equal((await later).length, 1);
  });

  it('never asks the catalog for more than it allows in one call', async () => {
    const { calls, coalescer } = fakeCatalog();
    const first = coalescer.claim('w1', 1, 60_000);
    const waiting = [coalescer.claim('w1', 600, 60_000), coalescer.claim('w1', 400, 60_000), coalescer.claim('w1', 1, 60_000)];
    calls[0]!.resolve([]);
    await first;
    await settle();
    assert.equal(calls[1]!.maxTasks, MAX_TASKS_PER_CLAIM, '600 + 400 in one call; the third waits for the next');
    calls[1]!.resolve([]);
    await settle();
    assert.equal(calls[2]!.maxTasks, 1);
    calls[2]!.resolve(tasks(1));
    assert.deepEqual((await Promise.all(waiting)).map((t) => t.length), [0, 0, 1]);
  });
});
