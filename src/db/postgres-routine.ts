/**
 * Calling a catalog routine by name on PostgreSQL and PGlite, the way T-SQL calls a procedure:
 * named parameters in, OUTPUT parameters and result sets out.
 *
 * PL/pgSQL mirrors a T-SQL procedure as a PROCEDURE with INOUT parameters when it only returns
 * output parameters, and as a FUNCTION ... RETURNS TABLE when it returns rows. The routine's
 * signature is read once from pg_proc and cached.
 */

import { CatalogError, numberFromSqlState, messageWithoutNumber } from '../catalog/errors.ts';
import { checkArgument } from './arguments.ts';
import type { ProcedureResult, Row } from './types.ts';

interface RoutineArg {
  readonly name: string;
  readonly type: string;
  readonly mode: 'in' | 'out' | 'inout' | 'table' | 'variadic';
  readonly hasDefault: boolean;
}

export interface RoutineInfo {
  readonly schema: string;
  readonly name: string;
  readonly kind: 'function' | 'procedure';
  readonly args: readonly RoutineArg[];
}

export const ROUTINE_INFO_SQL = `
SELECT p.prokind::text AS kind,
       p.pronargdefaults AS ndefaults,
       COALESCE(p.proargnames, ARRAY[]::text[]) AS names,
       COALESCE(p.proargmodes::text[], ARRAY[]::text[]) AS modes,
       ARRAY(SELECT pg_catalog.format_type(u.t, NULL)
               FROM unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY AS u(t, i)
              ORDER BY u.i) AS types
  FROM pg_catalog.pg_proc AS p
  JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
 WHERE n.nspname = $1 AND p.proname = $2`;

const MODES: Record<string, RoutineArg['mode']> = { i: 'in', o: 'out', b: 'inout', t: 'table', v: 'variadic' };

export function splitRoutineName(procedure: string): { schema: string; name: string } {
  const parts = procedure.replace(/[[\]"]/g, '').split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new Error(`Procedure name "${procedure}" must be schema-qualified, like catalog.start_execution.`);
  }
  return { schema: parts[0].toLowerCase(), name: parts[1].toLowerCase() };
}

export function routineInfoFromRows(procedure: string, rows: Row[]): RoutineInfo {
  const { schema, name } = splitRoutineName(procedure);
  if (rows.length === 0) throw new Error(`The catalog has no routine ${schema}.${name}. Has it been migrated (scaleout migrate up)?`);
  if (rows.length > 1) throw new Error(`The catalog has ${rows.length} overloads of ${schema}.${name}; catalog routines are never overloaded.`);
  const r = rows[0]!;
  const types = asArray(r.types);
  const names = asArray(r.names);
  const modes = asArray(r.modes);
  const kind = r.kind === 'p' ? 'procedure' : 'function';
  const args = types.map((type, i) => ({
    name: (names[i] ?? '').toLowerCase(),
    type,
    mode: MODES[modes[i] ?? 'i'] ?? 'in',
    hasDefault: false,
  }));
  // pronargdefaults counts the trailing input arguments (proargtypes order) that have defaults.
  const inputs = args.filter((a) => a.mode === 'in' || a.mode === 'inout' || a.mode === 'variadic' || (kind === 'procedure' && a.mode === 'out'));
  const ndefaults = Number(r.ndefaults ?? 0);
  const withDefaults = new Set(inputs.slice(inputs.length - ndefaults));
  return {
    schema,
    name,
    kind,
    args: args.map((a) => (withDefaults.has(a) ? { ...a, hasDefault: true } : a)),
  };
}

function asArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') {
    // An unparsed array literal: {a,b,"c d"}
    const inner = value.replace(/^\{|\}$/g, '');
    if (inner === '') return [];
    return inner.split(',').map((s) => s.replace(/^"|"$/g, ''));
  }
  return [];
}

export interface RoutineCall {
  readonly text: string;
  readonly values: unknown[];
}

/** Builds the CALL or SELECT for a routine with the caller's named parameters. */
export function buildRoutineCall(info: RoutineInfo, params: Readonly<Record<string, unknown>>): RoutineCall {
  const given = new Map<string, unknown>();
  // The caller's spelling (WorkerAgentId), for messages: pg_proc keeps names in lower case.
  const spelled = new Map<string, string>();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const name = key.replace(/^@/, '');
    given.set(name.toLowerCase(), value);
    spelled.set(name.toLowerCase(), name);
  }
  const known = new Set(info.args.filter((a) => a.mode !== 'table').map((a) => a.name));
  for (const key of given.keys()) {
    if (!known.has(key)) {
      throw new Error(
        `${info.schema}.${info.name} has no parameter ${spelled.get(key) ?? key}; its parameters are ${[...known].join(', ') || 'none'}.`,
      );
    }
  }
  const values: unknown[] = [];
  const parts: string[] = [];
  for (const arg of info.args) {
    if (arg.mode === 'table') continue;
    if (info.kind === 'function' && arg.mode === 'out') continue;
    const isOutput = arg.mode === 'out' || arg.mode === 'inout';
    if (given.has(arg.name)) {
      checkArgument(spelled.get(arg.name) ?? arg.name, arg.type, given.get(arg.name), '');
      values.push(toPgValue(given.get(arg.name)));
      parts.push(`${quoteIdent(arg.name)} => $${values.length}::${castType(arg.type)}`);
    } else if (isOutput || !arg.hasDefault) {
      parts.push(`${quoteIdent(arg.name)} => NULL::${castType(arg.type)}`);
    }
  }
  const target = `${quoteIdent(info.schema)}.${quoteIdent(info.name)}(${parts.join(', ')})`;
  return { text: info.kind === 'procedure' ? `CALL ${target}` : `SELECT * FROM ${target}`, values };
}

export function resultFromRows(info: RoutineInfo, rows: Row[]): ProcedureResult {
  if (info.kind === 'procedure') {
    const output: Row = {};
    for (const [k, v] of Object.entries(rows[0] ?? {})) output[k.toLowerCase()] = v;
    return { output, recordsets: [], rows: [] };
  }
  return { output: {}, recordsets: [rows], rows };
}

function toPgValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value;
  if (value instanceof Date || Buffer.isBuffer(value) || value instanceof Uint8Array) return value;
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** The type a value is sent as: SSIS's bit and sql_variant parameters are anycompatible, and read as text. */
function castType(type: string): string {
  return type === 'anycompatible' || type === 'anyelement' ? 'text' : type;
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** Turns a PostgreSQL error raised by a catalog routine into a CatalogError; other errors pass through. */
export function translatePgError(error: unknown): unknown {
  if (!error || typeof error !== 'object') return error;
  const e = error as { code?: string; message?: string };
  const number = numberFromSqlState(e.code, e.message ?? '');
  if (number === undefined) return error;
  return new CatalogError(number, messageWithoutNumber(e.message ?? ''), { cause: error });
}

/** A routine that vanished or changed signature (re-applied by a migration): forget and look it up again. */
export function isStaleRoutineError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '42883' || code === '42P13' || code === '0A000';
}
