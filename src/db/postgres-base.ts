/** What the PostgreSQL and PGlite adapters share: routine lookup, call, retries and error translation. */

import { withRetry } from './transient.ts';
import {
  ROUTINE_INFO_SQL,
  buildRoutineCall,
  isStaleRoutineError,
  resultFromRows,
  routineInfoFromRows,
  splitRoutineName,
  translatePgError,
  type RoutineInfo,
} from './postgres-routine.ts';
import type { CallOptions, ProcedureResult, Row } from './types.ts';

export abstract class PostgresFamilyDb {
  readonly dialect = 'postgres' as const;
  private readonly routines = new Map<string, Promise<RoutineInfo>>();

  protected abstract run(sql: string, params?: readonly unknown[]): Promise<Row[]>;

  async call(procedure: string, params: Readonly<Record<string, unknown>> = {}, options: CallOptions = {}): Promise<ProcedureResult> {
    const attempt = async (): Promise<ProcedureResult> => {
      const info = await this.routine(procedure);
      const call = buildRoutineCall(info, params);
      try {
        return resultFromRows(info, await this.run(call.text, call.values));
      } catch (error) {
        if (isStaleRoutineError(error)) this.routines.delete(routineKey(procedure));
        throw error;
      }
    };
    try {
      return await withRetry(attempt, { idempotent: options.idempotent ?? false });
    } catch (error) {
      throw translatePgError(error);
    }
  }

  async query(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      return await withRetry(() => this.run(sql, params), { idempotent: false });
    } catch (error) {
      throw translatePgError(error);
    }
  }

  /** Forgets cached routine signatures (after migrations re-applied objects). */
  forgetRoutines(): void {
    this.routines.clear();
  }

  private routine(procedure: string): Promise<RoutineInfo> {
    const key = routineKey(procedure);
    let info = this.routines.get(key);
    if (!info) {
      const { schema, name } = splitRoutineName(procedure);
      info = withRetry(() => this.run(ROUTINE_INFO_SQL, [schema, name]), { idempotent: true }).then((rows) =>
        routineInfoFromRows(procedure, rows),
      );
      info.catch(() => this.routines.delete(key));
      this.routines.set(key, info);
    }
    return info;
  }
}

function routineKey(procedure: string): string {
  const { schema, name } = splitRoutineName(procedure);
  return `${schema}.${name}`;
}
