/**
 * Outcomes of finished attempts on their way to the catalog, sent together: the claim loop takes
 * what waits when it is about to claim and sends it in the same request (tasks:exchange: the
 * outcomes first, then the claim, so their slots are filled at once); whatever the loop does not
 * take within a few milliseconds — it is waiting on a long poll, or may not claim — goes in one
 * tasks:complete request. Either way the lease token makes a resend safe: an outcome recorded
 * before its answer was lost comes back as 51302 (the lease is no longer this worker's), as a single
 * report's 409 does. Until answered, each outcome is retried, as report-attempt.ts retries one; a
 * worker that stops first leaves it to its record on disk, which its next start reports.
 */

import type { Logger } from '../log/logger.ts';
import type { Completion, CompletionResult } from '../catalog/master-calls.ts';
import { MasterError } from './master-client.ts';

export interface Waiting {
  readonly completion: Completion;
  readonly what: Record<string, unknown>;
  readonly settle: (answered: boolean) => void;
}


export const MAX_COMPLETIONS_PER_REQUEST = 1000;
/** How long an outcome waits for the claim loop before it is sent on its own. */
const GATHER_MS = 2;

export class CompletionOutbox {
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending = false;
  private failures = 0;
  /** Called when an outcome is queued: the claim loop waits on it when its slots are full. */
  onQueued: (() => void) | undefined;

  constructor(
    private readonly sendAlone: (completions: readonly Completion[]) => Promise<CompletionResult[]>,
    private readonly log: Logger,
    private readonly stopping: () => boolean,
  ) {}

  /** Resolves true once the catalog answered for the outcome, false when the worker stops first. */
  report(completion: Completion, what: Record<string, unknown>): Promise<boolean> {
    return new Promise<boolean>((settle) => {
      this.queue.push({ completion: { ...completion, errorMessage: completion.errorMessage?.slice(0, 4000) }, what, settle });
      this.onQueued?.();
      this.schedule(GATHER_MS);
    });
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** The outcomes the claim loop sends with its claim; it must hand them to answered() or failed(). */
  take(): Waiting[] {
    return this.queue.splice(0, MAX_COMPLETIONS_PER_REQUEST);
  }

  /** The catalog's answers, one per completion, in order. */
  answered(batch: readonly Waiting[], answers: readonly CompletionResult[]): void {
    this.failures = 0;
    batch.forEach((w, i) => {
      const a = answers.find((x) => x.taskId === w.completion.taskId) ?? answers[i];
      if (a?.errorNumber === 51302) {
        this.log.warn('task outcome not recorded: the lease is no longer this worker\'s', { ...w.what, errorNumber: 51302 });
      } else if (a && a.errorNumber !== null) {
        this.log.error('task outcome refused by the catalog', { ...w.what, errorNumber: a.errorNumber });
      } else {
        this.log.info('task completed', { ...w.what, outcome: w.completion.outcome, executionStatus: a?.executionStatus, willRetry: a?.willRetry });
      }
      w.settle(true);
    });
  }

  /** The request carrying them failed: a 4xx answers the same again (given up, as a single report does); anything else is retried. */
  failed(batch: readonly Waiting[], error: unknown): void {
    if (error instanceof MasterError && !error.retryable) {
      for (const w of batch) {
        this.log.error('task outcome refused by the master', { ...w.what, error });
        w.settle(true);
      }
      return;
    }
    if (this.stopping()) {
      // Shutting down: no retries; the records stay on disk for the next start.
      for (const w of batch) w.settle(false);
      return;
    }
    this.failures++;
    if (this.failures === 1 || this.failures % 20 === 0) {
      this.log.warn('task outcomes not reported yet; retrying until a master answers', { tasks: batch.length, attempts: this.failures, error });
    }
    this.queue.unshift(...batch);
    this.schedule(Math.min(5000, 200 * 2 ** Math.min(this.failures - 1, 5)));
  }

  /** The worker stops: what is not answered stays on disk for its next start. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.queue.splice(0)) w.settle(false);
  }

  private schedule(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.sendWaiting();
    }, ms);
  }

  private async sendWaiting(): Promise<void> {
    if (this.sending || this.queue.length === 0) return;
    this.sending = true;
    const batch = this.take();
    try {
      this.answered(batch, await this.sendAlone(batch.map((w) => w.completion)));
    } catch (error) {
      this.failed(batch, error);
    } finally {
      this.sending = false;
      if (this.queue.length > 0) this.schedule(this.failures > 0 ? Math.min(5000, 200 * 2 ** Math.min(this.failures - 1, 5)) : GATHER_MS);
    }
  }
}
