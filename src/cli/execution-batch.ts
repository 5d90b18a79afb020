/**
 * scaleout execution create --from-file: many executions created and started by
 * catalog.start_executions, from a JSON array (a file, or - for standard input) of objects with the
 * procedure's keys, plus "environment": "Folder/Name" as --environment takes it. The command's
 * --folder, --project, --package, --environment, --priority, --tags and --timeout are the defaults
 * of every row that does not give its own. Each call takes up to 10,000 rows in one transaction; a
 * longer file is sent in calls of 10,000, and a refusal says which rows were started before it.
 */

import { readFileSync } from 'node:fs';
import { referenceIdFor } from '../catalog/environment-lookup.ts';
import { MAX_EXECUTIONS_PER_CALL, startExecutions, type ExecutionRequest } from '../catalog/start-executions.ts';
import type { CatalogDb } from '../db/types.ts';
import { CLI_ERRORS, CliError } from './cli-errors.ts';
import { qualified } from './environment-commands.ts';

export interface BatchDefaults {
  readonly folder?: string;
  readonly project?: string;
  readonly package?: string;
  readonly environment?: string;
  readonly priority?: string;
  readonly tags?: string;
  readonly timeout?: string;
}

type FileRow = Record<string, unknown>;

/** The rows of the file ('-': standard input), each a JSON object. */
export function readBatchFile(path: string): FileRow[] {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (e) {
    throw new CliError(CLI_ERRORS.file, `--from-file ${path}: ${(e as Error).message}`, 'give a JSON file of executions, or - to read them from standard input');
  }
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (e) {
    throw new CliError(CLI_ERRORS.usage, `--from-file ${path} is not JSON: ${(e as Error).message}`, 'it holds an array of objects like {"folder_name": "Finance", "project_name": "etl", "package_name": "load"}');
  }
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new CliError(CLI_ERRORS.usage, `--from-file ${path} holds no executions: it must be a JSON array of one object per execution.`);
  }
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new CliError(CLI_ERRORS.usage, `--from-file ${path}: row ${i + 1} is not a JSON object.`);
  });
  return rows as FileRow[];
}

const numberOrUndefined = (text: string | undefined) => (text === undefined ? undefined : Number(text));

/** The procedure's rows: the command's defaults under each row's own keys, environments found by name (once each). */
export async function executionRequests(db: CatalogDb, rows: readonly FileRow[], defaults: BatchDefaults): Promise<ExecutionRequest[]> {
  const references = new Map<string, Promise<number>>();
  const out: ExecutionRequest[] = [];
  for (const row of rows) {
    const { environment, ...rest } = row;
    const request = {
      folder_name: defaults.folder,
      project_name: defaults.project,
      package_name: defaults.package,
      priority: numberOrUndefined(defaults.priority),
      required_tags: defaults.tags,
      timeout_seconds: numberOrUndefined(defaults.timeout),
      ...rest,
    } as Record<string, unknown>;
    const named = environment ?? (rest.reference_id === undefined ? defaults.environment : undefined);
    if (named !== undefined && named !== null) {
      if (typeof named !== 'string') throw new CliError(CLI_ERRORS.usage, `environment ${JSON.stringify(named)} is not a name like Finance/Prod.`);
      const folder = String(request.folder_name);
      const project = String(request.project_name);
      const key = JSON.stringify([folder.toLowerCase(), project.toLowerCase(), named.toLowerCase()]);
      if (!references.has(key)) references.set(key, referenceIdFor(db, { folder, name: project }, qualified(named, 'environment')));
      request.reference_id = await references.get(key)!;
    }
    for (const [k, v] of Object.entries(request)) if (v === undefined) delete request[k];
    out.push(request as unknown as ExecutionRequest);
  }
  return out;
}

/** Starts every request, 10,000 per call; a refused call names the rows started before it. */
export async function startBatch(db: CatalogDb, requests: readonly ExecutionRequest[], retryCount: number): Promise<number[]> {
  const ids: number[] = [];
  for (let at = 0; at < requests.length; at += MAX_EXECUTIONS_PER_CALL) {
    try {
      ids.push(...(await startExecutions(db, requests.slice(at, at + MAX_EXECUTIONS_PER_CALL), { retryCount })));
    } catch (e) {
      if (at === 0) throw e;
      const end = Math.min(at + MAX_EXECUTIONS_PER_CALL, requests.length);
      const message = `${(e as Error).message} (That call sent rows ${at + 1} to ${end} of the file: its row numbers count from row ${at + 1}.) `
        + `Rows 1 to ${at} were started already (executions ${ids[0]} to ${ids.at(-1)}); rows ${at + 1} to ${requests.length} were not.`;
      throw Object.assign(e as Error, { message });
    }
  }
  return ids;
}
