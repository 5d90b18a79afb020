/**
 * Tells the catalog how an attempt ended — its outcome, or that it never ran (the task goes back
 * at no attempt) — retried with the attempt's lease token until a master answers. The token makes
 * it safe to send again: a report that was recorded before its answer was lost is refused the
 * second time (409, lease lost), as is a report for a lease that moved on. A worker that stops
 * before the answer leaves the record on disk; its next start reports it.
 */

import type { Logger } from '../log/logger.ts';
import type { AttemptRecord } from './attempt-store.ts';
import { MasterError, type MasterClient } from './master-client.ts';

export interface ReportDeps {
  readonly client: MasterClient;
  readonly agentId: string;
  readonly log: Logger;
  /** The worker is shutting down: stop trying (the record stays for the next start). */
  readonly stopping: () => boolean;
}

/** Resolves true once the catalog answered (or there is nothing to say), false when stopped first. */
export async function reportAttempt(record: AttemptRecord, deps: ReportDeps): Promise<boolean> {
  const report = record.report;
  if (!report || report.kind === 'none') return true;
  const what = { taskId: record.taskId, executionId: record.executionId, attempt: record.attempt };
  for (let attempt = 0; ; attempt++) {
    try {
      if (report.kind === 'complete') {
        const r = await deps.client.complete(record.taskId, record.leaseToken, report.outcome, report.reason);
        deps.log.info('task completed', { ...what, outcome: report.outcome, executionStatus: r.executionStatus, willRetry: r.willRetry });
      } else {
        const [r] = await deps.client.releaseTasks(deps.agentId, [{ taskId: record.taskId, leaseToken: record.leaseToken }]);
        if (r?.errorNumber === null) deps.log.info('task given back unstarted; its attempt is not counted', what);
        else deps.log.info('task not given back: its lease had moved on already', what);
      }
      return true;
    } catch (error) {
      if (error instanceof MasterError && !error.retryable) {
        if (error.status === 409) deps.log.warn('task outcome not recorded: the lease is no longer this worker\'s', { ...what, error });
        else deps.log.error('task outcome refused by the master', { ...what, error });
        return true;
      }
      if (deps.stopping()) return false;
      if (attempt === 0 || attempt % 20 === 0) deps.log.warn('task outcome not reported yet; retrying until a master answers', { ...what, attempts: attempt + 1, error });
      await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** Math.min(attempt, 5))));
    }
  }
}
