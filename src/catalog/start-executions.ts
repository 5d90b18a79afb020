/**
 * catalog.start_executions from JavaScript: many executions created and started in one call. The
 * procedure takes a JSON array on PostgreSQL and a table-valued parameter on SQL Server (rows
 * numbered by request_number, which the adapter sends as a TVP); both answer the ids in the order
 * of the requests.
 */

import type { CatalogDb } from '../db/types.ts';

/** One execution to create and start: catalog.create_execution's parameters. */
export interface ExecutionRequest {
  readonly folder_name: string;
  readonly project_name: string;
  readonly package_name: string;
  readonly reference_id?: number | null;
  readonly use32bitruntime?: boolean | number | null;
  readonly useanyworker?: boolean | number | null;
  readonly priority?: number | null;
  readonly required_tags?: string | null;
  readonly timeout_seconds?: number | null;
}

/** The most one call takes (the procedure refuses more: one transaction stays bounded). */
export const MAX_EXECUTIONS_PER_CALL = 10_000;

export async function startExecutions(db: CatalogDb, requests: readonly ExecutionRequest[], options: { retryCount?: number } = {}): Promise<number[]> {
  const executions = db.dialect === 'mssql'
    ? requests.map((r, i) => ({ request_number: i + 1, ...r }))
    : requests;
  const r = await db.call('catalog.start_executions', { executions, retry_count: options.retryCount ?? 0 });
  return executionIds(r.output.execution_ids);
}

/** PostgreSQL answers a bigint[] (numbers or, from some drivers, text); SQL Server a JSON array. */
function executionIds(value: unknown): number[] {
  const list = typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  if (!Array.isArray(list)) throw new Error(`catalog.start_executions answered execution_ids ${String(value)}, not a list.`);
  return list.map((id) => Number(id));
}
