import { strict as assert } from 'node:assert';
import type { ClaimedTask, Completion, CompletionResult } from '../../src/catalog/master-calls.ts';
import { BatchedClaims, BatchedCompletions, MAX_PER_CALL } from '../../src/master/batched-calls.ts';

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
  return { calls, batched: new BatchedClaims(call) };
}

const tasks = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ taskId: `t${from + i}` }) as ClaimedTask);
const ids = (ts: ClaimedTask[]) => ts.map((t) => t.taskId);
const settle = () => new Promise((r) => setImmediate(r));

describe('master: one claim and one completion call in flight per worker', () => {
  it('sends the requests that came while a claim ran in one call, and shares its tasks out in order', async () => {
    const { calls, batched } = fakeCatalog();
    const first = batched.claim({ workerAgentId: 'w1', maxTasks: 10, leaseMs: 60_000 });
    const second = batched.claim({ workerAgentId: 'w1', maxTasks: 10, leaseMs: 60_000 });
    const third = batched.claim({ workerAgentId: 'W1', maxTasks: 5, leaseMs: 60_000 });
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
    const { calls, batched } = fakeCatalog();
    const a = batched.claim({ workerAgentId: 'w1', maxTasks: 1, leaseMs: 60_000 });
    const b = batched.claim({ workerAgentId: 'w2', maxTasks: 1, leaseMs: 60_000 });
    const c = batched.claim({ workerAgentId: 'w1', maxTasks: 1, leaseMs: 30_000 });
    assert.deepEqual(calls.map((x) => [x.workerAgentId, x.leaseMs]), [['w1', 60_000], ['w2', 60_000], ['w1', 30_000]]);
    for (const x of calls) x.resolve([]);
    assert.deepEqual([await a, await b, await c], [[], [], []]);
  });

  it('claims nothing for a request whose client went away while it waited', async () => {
    const { calls, batched } = fakeCatalog();
    const first = batched.claim({ workerAgentId: 'w1', maxTasks: 3, leaseMs: 60_000 });
    const gone = new AbortController();
    const abandoned = batched.claim({ workerAgentId: 'w1', maxTasks: 7, leaseMs: 60_000 }, gone.signal);
    const kept = batched.claim({ workerAgentId: 'w1', maxTasks: 2, leaseMs: 60_000 });
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
    const { calls, batched } = fakeCatalog();
    const first = batched.claim({ workerAgentId: 'w1', maxTasks: 1, leaseMs: 60_000 });
    const second = batched.claim({ workerAgentId: 'w1', maxTasks: 1, leaseMs: 60_000 });
    const third = batched.claim({ workerAgentId: 'w1', maxTasks: 1, leaseMs: 60_000 });
    calls[0]!.resolve([]);
    await first;
    await settle();
    calls[1]!.reject(new Error('catalog unreachable'));
    await assert.rejects(second, /catalog unreachable/);
    await assert.rejects(third, /catalog unreachable/);
    const later = batched.claim({ workerAgentId: 'w1', maxTasks: 4, leaseMs: 60_000 });
    assert.equal(calls.length, 3);
    assert.equal(calls[2]!.maxTasks, 4);
    calls[2]!.resolve(tasks(1));
    assert.equal((await later).length, 1);
  });

  it('never asks the catalog for more than it allows in one call', async () => {
    const { calls, batched } = fakeCatalog();
    const first = batched.claim({ workerAgentId: 'w1', maxTasks: 1, leaseMs: 60_000 });
    const waiting = [batched.claim({ workerAgentId: 'w1', maxTasks: 600, leaseMs: 60_000 }), batched.claim({ workerAgentId: 'w1', maxTasks: 400, leaseMs: 60_000 }), batched.claim({ workerAgentId: 'w1', maxTasks: 1, leaseMs: 60_000 })];
    calls[0]!.resolve([]);
    await first;
    await settle();
    assert.equal(calls[1]!.maxTasks, MAX_PER_CALL, '600 + 400 in one call; the third waits for the next');
    calls[1]!.resolve([]);
    await settle();
    assert.equal(calls[2]!.maxTasks, 1);
    calls[2]!.resolve(tasks(1));
    assert.deepEqual((await Promise.all(waiting)).map((t) => t.length), [0, 0, 1]);
  });

  it('reports the completions that came while a call ran in one call, each request getting its own results', async () => {
    const calls: Array<{ workerAgentId: string; completions: readonly Completion[]; resolve(r: CompletionResult[]): void }> = [];
    const batched = new BatchedCompletions((workerAgentId, completions) => new Promise((resolve) => calls.push({ workerAgentId, completions, resolve })));
    const done = (taskId: string): Completion => ({ taskId, leaseToken: 'l', outcome: 'succeeded' });
    const result = (c: Completion): CompletionResult => ({ taskId: c.taskId, executionStatus: 7, willRetry: false, errorNumber: null });
    const first = batched.complete('w1', [done('a')]);
    const second = batched.complete('w1', [done('b'), done('c')]);
    const third = batched.complete('w1', [done('d')]);
    const other = batched.complete('w2', [done('e')]);
    assert.deepEqual(calls.map((c) => c.completions.map((x) => x.taskId)), [['a'], ['e']]);
    calls[0]!.resolve(calls[0]!.completions.map(result));
    calls[1]!.resolve(calls[1]!.completions.map(result));
    assert.deepEqual((await first).map((r) => r.taskId), ['a']);
    assert.deepEqual((await other).map((r) => r.taskId), ['e']);
    await settle();
    assert.deepEqual(calls[2]!.completions.map((x) => x.taskId), ['b', 'c', 'd'], 'the waiting completions in one call, in order');
    calls[2]!.resolve(calls[2]!.completions.map(result));
    assert.deepEqual((await second).map((r) => r.taskId), ['b', 'c']);
    assert.deepEqual((await third).map((r) => r.taskId), ['d']);
  });
});
