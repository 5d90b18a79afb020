/**
 * One claim in flight per worker. Claims of one worker serialize in the catalog anyway (its worker
 * row stays locked to the end of the claim's transaction, for the MaxTaskCount check), so a
 * worker's requests that come while its claim runs wait here instead, and go together in the next
 * call: their MaxTasks added up (at most 1,000, the catalog's limit), the tasks shared out in the
 * order the requests came. Fifty slots polling in five loops made five claims that each waited for
 * the others' locks and commits; now they make one or two.
 *
 * A request whose client went away while it waited is dropped before the call (nothing is claimed
 * for it); one that goes away after is the caller's to give back, as for a claim of its own.
 */

import type { ClaimedTask } from '../catalog/master-calls.ts';

export type ClaimCall = (workerAgentId: string, maxTasks: number, leaseMs: number) => Promise<ClaimedTask[]>;

interface Waiter {
  readonly maxTasks: number;
  readonly signal: AbortSignal | undefined;
  resolve(tasks: ClaimedTask[]): void;
  reject(error: unknown): void;
}

/** The requests of one worker (and lease length) waiting for the claim in flight to end. */
interface Lane {
  waiting: Waiter[];
}

export const MAX_TASKS_PER_CLAIM = 1000;

export class ClaimCoalescer {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly call: ClaimCall) {}

  claim(workerAgentId: string, maxTasks: number, leaseMs: number, signal?: AbortSignal): Promise<ClaimedTask[]> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { maxTasks, signal, resolve, reject };
      const key = `${workerAgentId.toLowerCase()}\u0000${leaseMs}`;
      const lane = this.lanes.get(key);
      if (lane) {
        lane.waiting.push(waiter);
        return;
      }
      const fresh: Lane = { waiting: [] };
      this.lanes.set(key, fresh);
      this.run(key, fresh, workerAgentId, leaseMs, [waiter]);
    });
  }

  /** Claims for `batch` in one call, then for whoever waited meanwhile, until no one waits. */
  private run(key: string, lane: Lane, workerAgentId: string, leaseMs: number, batch: Waiter[]): void {
    const total = batch.reduce((n, w) => n + w.maxTasks, 0);
    this.call(workerAgentId, total, leaseMs).then(
      (tasks) => {
        let next = 0;
        for (const w of batch) {
          w.resolve(tasks.slice(next, next + w.maxTasks));
          next += w.maxTasks;
        }
      },
      (error: unknown) => {
        for (const w of batch) w.reject(error);
      },
    ).finally(() => {
      const following = this.takeBatch(lane);
      if (following.length === 0) {
        this.lanes.delete(key);
        return;
      }
      this.run(key, lane, workerAgentId, leaseMs, following);
    });
  }

  /** The waiting requests that still want tasks, in arrival order, up to the catalog's limit per call. */
  private takeBatch(lane: Lane): Waiter[] {
    const batch: Waiter[] = [];
    let total = 0;
    while (lane.waiting.length > 0) {
      const w = lane.waiting[0]!;
      if (w.signal?.aborted) {
        lane.waiting.shift();
        w.resolve([]);
        continue;
      }
      if (batch.length > 0 && total + w.maxTasks > MAX_TASKS_PER_CLAIM) break;
      lane.waiting.shift();
      batch.push(w);
      total += w.maxTasks;
    }
    return batch;
  }
}
