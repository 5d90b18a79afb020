/**
 * Arguments checked against a procedure's declared parameter types before they are sent, on every
 * backend alike: a value the database could not convert (a word for a bigint, 21 digits, a time of
 * month 13, a NUL character, bytes for a number) is refused with catalog error 51001 naming the
 * parameter, instead of the driver's or the server's own unnumbered error (22P02, 22003, EPARAM…).
 * A DBA calling a procedure in psql or SSMS gets the server's own conversion error, as for any
 * procedure; everything Scale Out calls goes through here.
 */

import { CatalogError, invalidArgumentText } from '../catalog/errors.ts';

export type ArgumentFamily = 'int16' | 'int32' | 'int64' | 'bool' | 'uuid' | 'time' | 'float' | 'string' | 'bytes' | 'variant' | 'json' | 'other';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER_TEXT = /^\s*[-+]?\d{1,20}\s*$/;
/** ISO 8601 date-times as JavaScript and both databases read them. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?\s*(Z|[+-]\d{2}(:?\d{2})?)?$/i;

const INTEGER_RANGES: Record<'int16' | 'int32' | 'int64', readonly [bigint, bigint]> = {
  int16: [-32768n, 32767n],
  int32: [-2147483648n, 2147483647n],
  int64: [-9223372036854775808n, 9223372036854775807n],
};

const EXPECTED: Record<ArgumentFamily, string> = {
  int16: 'a whole number from -32768 to 32767',
  int32: 'a whole number from -2147483648 to 2147483647',
  int64: 'a whole number from -9223372036854775808 to 9223372036854775807',
  bool: 'a bit: 0, 1, true or false',
  uuid: 'a GUID like 6f1c1a52-2d8e-4d8c-9d1b-3c1f4b6e7a90',
  time: 'a date and time (ISO 8601, like 2026-12-01T08:30:00Z)',
  float: 'a finite number',
  string: 'text without NUL characters',
  bytes: 'binary data',
  variant: 'a string, a number or a bit, without NUL characters',
  json: 'JSON text (an array or an object) without NUL characters',
  other: 'a value of the declared type',
};

/** The family of a PostgreSQL type name (format_type) or a SQL Server type name (TYPE_NAME). */
export function familyOf(typeName: string): ArgumentFamily {
  const t = typeName.toLowerCase().replace(/\(.*\)$/, '').trim();
  switch (t) {
    case 'smallint': return 'int16';
    case 'integer': case 'int': return 'int32';
    case 'bigint': return 'int64';
    case 'boolean': case 'bit': return 'bool';
    case 'uuid': case 'uniqueidentifier': return 'uuid';
    case 'timestamp with time zone': case 'timestamp without time zone': case 'datetimeoffset': case 'datetime2': case 'datetime': return 'time';
    case 'double precision': case 'real': case 'float': case 'numeric': case 'decimal': return 'float';
    case 'text': case 'character varying': case 'varchar': case 'nvarchar': case 'sysname': case 'nchar': case 'char': case 'character': return 'string';
    case 'bytea': case 'varbinary': return 'bytes';
    case 'sql_variant': case 'anycompatible': return 'variant';
    case 'jsonb': case 'json': return 'json';
    default: return 'other';
  }
}

function isValid(family: ArgumentFamily, value: unknown): boolean {
  switch (family) {
    case 'int16': case 'int32': case 'int64': {
      let n: bigint;
      if (typeof value === 'bigint') n = value;
      else if (typeof value === 'number') {
        if (!Number.isSafeInteger(value)) return false;
        n = BigInt(value);
      } else if (typeof value === 'string' && INTEGER_TEXT.test(value)) n = BigInt(value.trim());
      else return false;
      const [low, high] = INTEGER_RANGES[family];
      return n >= low && n <= high;
    }
    case 'bool':
      if (typeof value === 'boolean') return true;
      if (typeof value === 'number') return value === 0 || value === 1;
      return typeof value === 'string' && /^\s*(0|1|true|false)\s*$/i.test(value);
    case 'uuid':
      return typeof value === 'string' && UUID.test(value.trim());
    case 'time':
      if (value instanceof Date) return !Number.isNaN(value.getTime());
      return typeof value === 'string' && isIsoTime(value);
    case 'float':
      if (typeof value === 'number') return Number.isFinite(value);
      return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
    case 'string':
      return (typeof value === 'string' && !value.includes('\u0000')) || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint';
    case 'variant':
      return (typeof value === 'string' && !value.includes('\u0000')) || (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean';
    case 'bytes':
      return Buffer.isBuffer(value) || value instanceof Uint8Array;
    case 'json':
      // Objects and arrays are sent as their JSON text; text must be JSON itself (PostgreSQL's
      // cast would fail with 22P02), and PostgreSQL's jsonb holds no NUL character.
      if (typeof value === 'string') {
        if (value.includes('\u0000')) return false;
        try {
          JSON.parse(value);
          return true;
        } catch {
          return false;
        }
      }
      return typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value) && !JSON.stringify(value).includes('\\u0000');
    case 'other':
      return true;
  }
}

/** An ISO 8601 date and time both databases read as the same instant (no month 13, no 31 February). */
export function isIsoTime(text: string): boolean {
  const t = text.trim();
  return ISO_TIME.test(t) && !Number.isNaN(Date.parse(t.replace(' ', 'T'))) && validCalendar(t);
}

/** Date.parse rolls 2024-02-31 over to March; the databases refuse it. */
function validCalendar(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/.exec(text);
  if (!m) return false;
  const [year, month, day, hour = '0', minute = '0', second = '0'] = m.slice(1).map((s) => s ?? '0');
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth && Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 59;
}

/**
 * Throws catalog error 51001 for the first argument its parameter's type cannot take; NULL is always
 * passed on. The parameter is named as its dialect does: @name in T-SQL, name in PostgreSQL.
 */
export function checkArgument(parameter: string, typeName: string, value: unknown, prefix: '@' | '' = '@'): void {
  if (value === null || value === undefined) return;
  const family = familyOf(typeName);
  if (isValid(family, value)) return;
  throw new CatalogError(51001, invalidArgumentText(`${prefix}${parameter.replace(/^@/, '')}`, value, EXPECTED[family]));
}
