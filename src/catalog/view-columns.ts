/**
 * SSIS's mixed-case view columns (catalog.worker_agents, catalog.masters,
 * catalog.worker_agent_perfcounter; every other view is snake_case). SQL Server keeps their
 * spelling; on PostgreSQL the views name them unquoted, so that SSIS's queries run as written in
 * any letter case (`SELECT WorkerAgentId FROM catalog.worker_agents`), and PostgreSQL folds them to
 * lower case. Rows the CLI and the master read get SSIS's spelling back, so that both dialects
 * answer with the same names.
 */

import type { Row } from '../db/types.ts';

export const MIXED_CASE_VIEWS: Readonly<Record<string, readonly string[]>> = {
  worker_agents: [
    'WorkerAgentId', 'IsEnabled', 'DisplayName', 'Description', 'MachineName', 'Tags', 'UserAccount', 'LastOnlineTime',
    'CertificateThumbprint', 'MaxTaskCount', 'RunningTaskCount', 'HeartbeatIntervalMs', 'State',
  ],
  masters: ['MasterId', 'MachineName', 'MachineIP', 'Address', 'ProcessId', 'Version', 'StartedTime', 'LastHeartbeatTime', 'StoppedTime', 'State', 'HeldSweeps'],
  worker_agent_perfcounter: ['WorkerAgentId', 'PerfCounterName', 'PerfCounterValue', 'TimeStamp'],
};

const FOLDED = new Map(
  Object.entries(MIXED_CASE_VIEWS).map(([view, columns]) => [view, new Map(columns.map((c) => [c.toLowerCase(), c]))]),
);

/** Rows of a catalog view (named without its schema) with SSIS's spelling of its columns. */
export function withSsisColumnNames(view: string, rows: Row[]): Row[] {
  const names = FOLDED.get(view.replace(/^\[?catalog\]?\./i, '').toLowerCase());
  if (!names) return rows;
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [names.get(key) ?? key, value])));
}
