/**
 * The master's claims and completions, one catalog call in flight per worker (./coalescer.ts):
 * claims of one worker and lease length go together, their MaxTasks added up (at most 1,000, the
 * catalog's limit) and the tasks shared out in the order the requests came; completions of one
 * worker go together, each request answered with the results of its own.
 */

import type { ClaimedTask, Completion, CompletionResult } from '../catalog/master-calls.ts';
import { Coalescer, shareOut } from './coalescer.ts';

export const MAX_PER_CALL = 1000;

export interface ClaimRequest {
  readonly workerAgentId: string;
  readonly maxTasks: number;
  readonly leaseMs: number;
}

export type ClaimCall = (workerAgentId: string, maxTasks: number, leaseMs: number) => Promise<ClaimedTask[]>;
export type CompleteCall = (workerAgentId: string, completions: readonly Completion[]) => Promise<CompletionResult[]>;

export class BatchedClaims {
  private readonly coalescer: Coalescer<ClaimRequest, ClaimedTask[]>;

  constructor(claim: ClaimCall) {
    this.coalescer = new Coalescer({
      call: async (_key, batch) => {
        const sizes = batch.map((r) => r.maxTasks);
        const tasks = await claim(batch[0]!.workerAgentId, sizes.reduce((a, b) => a + b, 0), batch[0]!.leaseMs);
        return shareOut(tasks, sizes);
      },
      size: (r) => r.maxTasks,
      maxSize: MAX_PER_CALL,
      whenGone: () => [],
    });
  }

  /** Tasks for one request; none claimed if its client goes away (`signal`) before its call. */
  claim(request: ClaimRequest, signal?: AbortSignal): Promise<ClaimedTask[]> {
    return this.coalescer.submit(`${request.workerAgentId.toLowerCase()}/${request.leaseMs}`, request, signal);
  }
}

export class BatchedCompletions {
  private readonly coalescer: Coalescer<{ readonly workerAgentId: string; readonly completions: readonly Completion[] }, CompletionResult[]>;

  constructor(complete: CompleteCall) {
    this.coalescer = new Coalescer({
      call: async (_key, batch) => {
        const results = await complete(batch[0]!.workerAgentId, batch.flatMap((r) => r.completions));
        return shareOut(results, batch.map((r) => r.completions.length));
      },
      size: (r) => r.completions.length,
      maxSize: MAX_PER_CALL,
      // Not used: completions are reported whether or not their client is still there.
      whenGone: () => [],
    });
  }

  /** The catalog's result for each completion, in order. Reported even if the client has gone. */
  complete(workerAgentId: string, completions: readonly Completion[]): Promise<CompletionResult[]> {
    return this.coalescer.submit(workerAgentId.toLowerCase(), { workerAgentId, completions });
  }
}
