/**
 * The typed inputs of a SQL Server procedure call, from the parameters sys.parameters declares and
 * the values a caller gives. tedious checks each value against its type before anything is sent
 * (a number for an nvarchar is "Invalid string", EPARAM), so values are brought to the declared
 * type here: numbers and bits as text for string parameters, ISO text as dates, 0/1 and 'true' as
 * bits. sql_variant, which tedious cannot send as such, is sent with the type the value has
 * (int, bigint, float, bit, datetimeoffset or nvarchar), and SQL Server stores that base type.
 */

import sql from 'mssql';
import type { Row } from './types.ts';
import { CatalogError, invalidArgumentText } from '../catalog/errors.ts';
import { checkArgument } from './arguments.ts';

export interface DeclaredParameter {
  readonly name: string; // without '@'
  readonly key: string; // lower-case, for matching
  readonly typeName: string;
  readonly maxLength: number;
  readonly precision: number;
  readonly scale: number;
  readonly isOutput: boolean;
  /** A table-valued parameter: its type's schema-qualified name and columns, in order. */
  readonly tableType?: { readonly name: string; readonly columns: readonly DeclaredParameter[] };
}

export type SqlType = sql.ISqlType | (() => sql.ISqlType);

export interface RequestInput {
  readonly name: string;
  readonly type: SqlType;
  readonly value: unknown;
  readonly output: boolean;
}

export function declaredParameter(row: Row): DeclaredParameter {
  const name = String(row.name).replace(/^@/, '');
  return {
    name,
    key: name.toLowerCase(),
    typeName: String(row.type_name).toLowerCase(),
    maxLength: Number(row.max_length),
    precision: Number(row.precision),
    scale: Number(row.scale),
    isOutput: Boolean(row.is_output),
  };
}

/** The type a declared parameter is sent with (sql_variant: see variantType). */
export function declaredType(p: DeclaredParameter): SqlType {
  const max = p.maxLength;
  const length = max === -1 ? sql.MAX : max;
  switch (p.typeName) {
    case 'bigint': return sql.BigInt;
    case 'int': return sql.Int;
    case 'smallint': return sql.SmallInt;
    case 'tinyint': return sql.TinyInt;
    case 'bit': return sql.Bit;
    case 'uniqueidentifier': return sql.UniqueIdentifier;
    case 'nvarchar': return sql.NVarChar(max === -1 ? sql.MAX : max / 2);
    case 'nchar': return sql.NChar(max / 2);
    case 'varchar': return sql.VarChar(length);
    case 'char': return sql.Char(max);
    case 'varbinary': return sql.VarBinary(length);
    case 'datetimeoffset': return sql.DateTimeOffset(p.scale);
    case 'datetime2': return sql.DateTime2(p.scale);
    case 'datetime': return sql.DateTime;
    case 'date': return sql.Date;
    case 'float': return sql.Float;
    case 'real': return sql.Real;
    case 'decimal':
    case 'numeric': return sql.Decimal(p.precision, p.scale);
    case 'sql_variant': return sql.NVarChar(4000);
    case 'sysname': return sql.NVarChar(128);
    default:
      throw new Error(`Parameter @${p.name} has type ${p.typeName}, which the SQL Server adapter cannot send.`);
  }
}

/** sql_variant: the value's own type, so that SQL Server keeps it (SQL_VARIANT_PROPERTY BaseType). */
function variantType(value: unknown): SqlType {
  if (typeof value === 'boolean') return sql.Bit;
  if (typeof value === 'bigint') return sql.BigInt;
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) <= 2147483647) return sql.Int;
    if (Number.isSafeInteger(value)) return sql.BigInt;
    return sql.Float;
  }
  if (value instanceof Date) return sql.DateTimeOffset(7);
  return sql.NVarChar(4000);
}

const STRING_TYPES = new Set(['nvarchar', 'nchar', 'varchar', 'char', 'sysname']);
const INTEGER_TYPES = new Set(['int', 'smallint', 'tinyint']);
const TIME_TYPES = new Set(['datetimeoffset', 'datetime2', 'datetime', 'date']);

/** A value as tedious accepts it for the declared type (the value was checked by checkArgument first). */
export function valueFor(typeName: string, value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (STRING_TYPES.has(typeName)) return typeof value === 'string' ? value : typeof value === 'object' && !(value instanceof Date) ? JSON.stringify(value) : value instanceof Date ? value.toISOString() : String(value);
  if (typeName === 'bit') {
    if (typeof value === 'string') return /^\s*(1|true)\s*$/i.test(value);
    return Boolean(value);
  }
  if (INTEGER_TYPES.has(typeName) && typeof value === 'string') return Number(value.trim());
  if (typeName === 'bigint' && typeof value === 'bigint') return value.toString();
  if (typeName === 'float' || typeName === 'real') return typeof value === 'string' ? Number(value) : value;
  if (TIME_TYPES.has(typeName) && typeof value === 'string') return new Date(value.trim().replace(' ', 'T'));
  if (typeName === 'varbinary' && value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value);
  if (typeName === 'uniqueidentifier' && typeof value === 'string') return value.trim();
  return value;
}

/**
 * A table-valued parameter from an array of objects keyed by column name (any case): a key the
 * type does not have, or a value its column cannot take, is refused with 51001 naming the row,
 * before anything is sent.
 */
export function tableValue(p: DeclaredParameter, rows: unknown): sql.Table {
  const type = p.tableType!;
  if (!Array.isArray(rows)) throw new CatalogError(51001, invalidArgumentText(`@${p.name}`, String(rows), `a list of rows of ${type.name}`));
  const table = new sql.Table(type.name);
  for (const c of type.columns) table.columns.add(c.name, declaredType(c), { nullable: true });
  const byKey = new Map(type.columns.map((c, i) => [c.key, i]));
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new CatalogError(51001, invalidArgumentText(`@${p.name}`, JSON.stringify(row) ?? String(row), `row ${i + 1} is not an object`));
    }
    const values: unknown[] = type.columns.map(() => null);
    for (const [key, value] of Object.entries(row)) {
      if (value === undefined) continue;
      const at = byKey.get(key.toLowerCase());
      if (at === undefined) {
        throw new CatalogError(51001, invalidArgumentText(`@${p.name}`, JSON.stringify(row), `row ${i + 1} has the key "${key}", which ${type.name} has no column for`));
      }
      const column = type.columns[at]!;
      checkArgument(`${p.name} (row ${i + 1}, ${column.name})`, column.typeName, value);
      const characters = column.typeName.startsWith('n') ? column.maxLength / 2 : column.maxLength;
      if (typeof value === 'string' && STRING_TYPES.has(column.typeName) && column.maxLength > 0 && value.length > characters) {
        throw new CatalogError(51001, invalidArgumentText(`@${p.name}`, value, `row ${i + 1}'s ${column.name} is longer than ${characters} characters`));
      }
      values[at] = valueFor(column.typeName, value);
    }
    table.rows.add(...(values as Array<string | number | boolean | Date | Buffer | null>));
  });
  return table;
}

/** Every input and output of a call: outputs always (NULL when not given), inputs when given. */
export function requestInputs(declared: readonly DeclaredParameter[], given: ReadonlyMap<string, unknown>): RequestInput[] {
  const out: RequestInput[] = [];
  for (const p of declared) {
    if (!p.isOutput && !given.has(p.key)) continue;
    const raw = given.get(p.key) ?? null;
    if (p.tableType) {
      out.push({ name: p.name, type: sql.TVP, value: tableValue(p, raw), output: false });
    } else if (p.typeName === 'sql_variant') {
      out.push({ name: p.name, type: variantType(raw), value: raw instanceof Date || typeof raw !== 'object' ? raw : JSON.stringify(raw), output: p.isOutput });
    } else {
      out.push({ name: p.name, type: declaredType(p), value: valueFor(p.typeName, raw), output: p.isOutput });
    }
  }
  return out;
}
