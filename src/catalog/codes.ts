/** SSIS's codes the catalog's views answer with, named as SSIS names them. */

/** catalog.executions.status */
export const EXECUTION_STATUS: Readonly<Record<number, string>> = {
  1: 'created',
  2: 'running',
  3: 'canceled',
  4: 'failed',
  5: 'pending',
  6: 'ended unexpectedly',
  7: 'succeeded',
  8: 'stopping',
  9: 'completed',
};

/** Statuses an execution does not leave: canceled, failed, ended unexpectedly, succeeded, completed. */
export const ENDED_STATUSES: ReadonlySet<number> = new Set([3, 4, 6, 7, 9]);

/** catalog.operation_messages.message_type */
export const MESSAGE_TYPE: Readonly<Record<number, string>> = { 120: 'error', 110: 'warning', 70: 'info', 60: 'progress', 30: 'start', 40: 'end', 50: 'status', 130: 'task failed', 140: 'diagnostic', 10: 'validate', 20: 'validated' };
