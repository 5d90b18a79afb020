/**
 * The worker's outbox of attempt outcomes: gathered into one request, or taken by the claim loop
 * for tasks:exchange; retried until a master answers; never given up while a master may still
 * record it; left on disk when the worker stops.
 */

import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { Completion, CompletionResult } from '../../src/catalog/master-calls.ts';
import { memoryLogger } from '../../src/log/logger.ts';
import { CompletionOutbox } from '../../src/worker/completion-outbox.ts';
import { MasterError, MasterUnreachable } from '../../src/worker/master-client.ts';
import { waitFor } from '../support/wait.ts';

const outcome = (): Completion => ({ taskId: randomUUID(), leaseToken: randomUUID(), outcome: 'succeeded' });
const recorded = (c: Completion, errorNumber: number | null = null): CompletionResult => ({ taskId: c.taskId, executionStatus: errorNumber ? null : 7, willRetry: errorNumber ? null : false, errorNumber });

describe('the completion outbox', () => {
  let stopping = false;
  beforeEach(() => (stopping = false));

  it('sends the outcomes that finish together in one request, each answered', async () => {
    const requests: Completion[][] = [];
    const log = memoryLogger();
    const outbox = new CompletionOutbox(async (cs) => {
      requests.push([...cs]);
      return cs.map((c) => recorded(c));
    }, log, () => stopping);
    const answers = await Promise.all(Array.from({ length: 25 }, () => outbox.report(outcome(), {})));
    expect(answers).to.deep.equal(Array(25).fill(true));
    expect(requests).to.have.length(1);
    expect(requests[0]).to.have.length(25);
    expect(log.lines.filter((l) => l.message === 'task completed')).to.have.length(25);
  });

  it('lets the claim loop take them for tasks:exchange, waking it as each arrives; then nothing is sent alone', async () => {
    let sentAlone = 0;
    let woken = 0;
    const outbox = new CompletionOutbox(async (cs) => {
      sentAlone++;
      return cs.map((c) => recorded(c));
    }, memoryLogger(), () => stopping);
    outbox.onQueued = () => woken++;
    const a = outcome();
    const b = outcome();
    const answered = Promise.all([outbox.report(a, {}), outbox.report(b, {})]);
    expect(woken).to.equal(2);
    expect(outbox.waiting).to.equal(2);
    const batch = outbox.take();
    expect(batch.map((w) => w.completion.taskId)).to.deep.equal([a.taskId, b.taskId]);
    outbox.answered(batch, [recorded(b), recorded(a)]);
    expect(await answered).to.deep.equal([true, true]);
    await new Promise((r) => setTimeout(r, 20));
    expect(sentAlone).to.equal(0);
  });

  it('retries through an outage until a master answers; an outcome recorded before a lost answer comes back as 51302 and counts as answered', async function () {
    this.timeout(10_000);
    let calls = 0;
    const log = memoryLogger();
    const outbox = new CompletionOutbox(async (cs) => {
      calls++;
      if (calls === 1) throw new MasterUnreachable('no master answered');
      if (calls === 2) throw new MasterError(503, 'catalog_unavailable', 'the catalog is unreachable');
      return cs.map((c) => recorded(c, 51302));
    }, log, () => stopping);
    expect(await outbox.report(outcome(), { taskId: 'x' })).to.equal(true);
    expect(calls).to.equal(3);
    expect(log.lines.some((l) => l.message.startsWith('task outcomes not reported yet'))).to.equal(true);
    expect(log.lines.some((l) => l.level === 'warn' && l.message.includes('no longer this worker'))).to.equal(true);
  });

  it('a claim loop\'s failed exchange puts its outcomes back, and they go out again', async () => {
    const sent: string[] = [];
    const outbox = new CompletionOutbox(async (cs) => {
      sent.push(...cs.map((c) => c.taskId));
      return cs.map((c) => recorded(c));
    }, memoryLogger(), () => stopping);
    const c = outcome();
    const answered = outbox.report(c, {});
    const batch = outbox.take();
    outbox.failed(batch, new MasterUnreachable('reset'));
    expect(await answered).to.equal(true);
    expect(sent).to.deep.equal([c.taskId]);
  });

  it('a refusal that would answer the same again (4xx) is logged and given up, as a single report is', async () => {
    const log = memoryLogger();
    const outbox = new CompletionOutbox(async () => {
      throw new MasterError(400, 'invalid_request', 'bad body');
    }, log, () => stopping);
    expect(await outbox.report(outcome(), {})).to.equal(true);
    expect(log.lines.some((l) => l.level === 'error' && l.message === 'task outcome refused by the master')).to.equal(true);
  });

  it('when the worker stops, what no master answered stays unanswered (its record on disk reports it at the next start)', async () => {
    let calls = 0;
    const outbox = new CompletionOutbox(async () => {
      calls++;
      throw new MasterUnreachable('down');
    }, memoryLogger(), () => stopping);
    const pending = outbox.report(outcome(), {});
    await waitFor('the first attempt', async () => calls >= 1, 5_000);
    stopping = true;
    outbox.stop();
    expect(await pending).to.equal(false);
    // While stopping, one more outcome gets one try, and is left unanswered when it fails.
    expect(await outbox.report(outcome(), {})).to.equal(false);
  });
});
