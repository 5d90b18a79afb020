/**
 * The SQL Server adapter's requests, built without a server: every value it sends must pass the
 * driver's own check for the type it is sent as (tedious refuses before sending: EPARAM), and
 * sql_variant keeps the value's own type.
 */

import { expect } from 'chai';
import sql from 'mssql';
import { TYPES } from 'tedious';
import { declaredParameter, requestInputs, type DeclaredParameter, type RequestInput } from '../../src/db/mssql-inputs.ts';
import { CatalogError } from '../../src/catalog/errors.ts';

/** The tedious type a request input is sent as, found by its declaration name. */
function tediousType(input: RequestInput): { name: string; validate(value: unknown, collation?: unknown): unknown } {
  const t = typeof input.type === 'function' ? (input.type as () => sql.ISqlType)() : input.type;
  const declaration = (t as unknown as { type: { declaration: string } }).type.declaration;
  const entry = Object.entries(TYPES).find(([name]) => name.toLowerCase() === declaration.toLowerCase());
  if (!entry) throw new Error(`no tedious type for ${declaration}`);
  return { name: entry[0], validate: (entry[1] as { validate(v: unknown, c?: unknown): unknown }).validate.bind(entry[1]) };
}

function param(name: string, typeName: string, maxLength = 0, isOutput = false) {
  return declaredParameter({ name: `@${name}`, type_name: typeName, max_length: maxLength, precision: 0, scale: 7, is_output: isOutput });
}

describe('SQL Server requests', () => {
  const declared = [
    param('variant_number', 'sql_variant', 8016),
    param('variant_big', 'sql_variant', 8016),
    param('variant_real', 'sql_variant', 8016),
    param('variant_bit', 'sql_variant', 8016),
    param('variant_text', 'sql_variant', 8016),
    param('text_from_number', 'nvarchar', 8000),
    param('text_from_bit', 'nvarchar', -1),
    param('when', 'datetimeoffset', 10),
    param('when_text', 'datetimeoffset', 10),
    param('id', 'uniqueidentifier', 16),
    param('flag', 'bit', 1),
    param('flag_text', 'bit', 1),
    param('count', 'int', 4),
    param('count_text', 'int', 4),
    param('big', 'bigint', 8),
    param('big_text', 'bigint', 8),
    param('bytes', 'varbinary', -1),
    param('bytes_array', 'varbinary', -1),
    param('out_text', 'nvarchar', -1, true),
    param('out_id', 'bigint', 8, true),
  ];
  const given = new Map<string, unknown>([
    ['variant_number', 42],
    ['variant_big', 9_000_000_000],
    ['variant_real', 1.5],
    ['variant_bit', true],
    ['variant_text', 'Finance'],
    ['text_from_number', 42],
    ['text_from_bit', false],
    ['when', new Date('2026-12-01T08:30:00Z')],
    ['when_text', '2026-12-01T08:30:00Z'],
    ['id', '6F1C1A52-2D8E-4D8C-9D1B-3C1F4B6E7A90'],
    ['flag', 1],
    ['flag_text', 'true'],
    ['count', 7],
    ['count_text', '7'],
    ['big', 9_000_000_000],
    ['big_text', '9000000000'],
    ['bytes', Buffer.from('zip')],
    ['bytes_array', new Uint8Array([1, 2, 3])],
  ]);

  it('sends every value as a value its type accepts (no EPARAM), outputs included as NULL', () => {
    const inputs = requestInputs(declared, given);
    expect(inputs.map((i) => i.name)).to.deep.equal(declared.map((p) => p.name));
    for (const input of inputs) {
      const type = tediousType(input);
      expect(() => type.validate(input.value, { codepage: 'CP1252' }), `@${input.name} as ${type.name}`).not.to.throw();
    }
    expect(inputs.filter((i) => i.output).map((i) => [i.name, i.value])).to.deep.equal([['out_text', null], ['out_id', null]]);
  });

  it('sends sql_variant with the value\'s own type, strings as text, ISO text as a date, 0/1 and true as bits', () => {
    const byName = new Map(requestInputs(declared, given).map((i) => [i.name, i]));
    const typeOf = (name: string) => tediousType(byName.get(name)!).name;
    expect(['variant_number', 'variant_big', 'variant_real', 'variant_bit', 'variant_text'].map(typeOf)).to.deep.equal(['Int', 'BigInt', 'Float', 'Bit', 'NVarChar']);
    expect(byName.get('text_from_number')!.value).to.equal('42');
    expect(byName.get('text_from_bit')!.value).to.equal('false');
    expect((byName.get('when_text')!.value as Date).toISOString()).to.equal('2026-12-01T08:30:00.000Z');
    expect(byName.get('flag')!.value).to.equal(true);
    expect(byName.get('flag_text')!.value).to.equal(true);
    expect(byName.get('count_text')!.value).to.equal(7);
    expect(Buffer.isBuffer(byName.get('bytes_array')!.value)).to.equal(true);
  });

  it('the check itself fails for what tedious refuses: a number sent as nvarchar', () => {
    const input: RequestInput = { name: 'x', type: sql.NVarChar(4000), value: 42, output: false };
    expect(() => tediousType(input).validate(input.value, { codepage: 'CP1252' })).to.throw(/Invalid string/);
  });

  describe('a table-valued parameter (catalog.start_executions: @executions catalog.execution_requests)', () => {
    const columns = [
      param('request_number', 'int', 4), param('folder_name', 'nvarchar', 256), param('project_name', 'nvarchar', 256),
      param('package_name', 'nvarchar', 520), param('reference_id', 'bigint', 8), param('use32bitruntime', 'bit', 1),
      param('useanyworker', 'bit', 1), param('priority', 'int', 4), param('required_tags', 'nvarchar', 8000), param('timeout_seconds', 'int', 4),
    ];
    const executions: DeclaredParameter = { ...param('executions', 'execution_requests', -1), tableType: { name: '[catalog].[execution_requests]', columns } };
    const send = (rows: unknown) => requestInputs([executions, param('retry_count', 'int', 4)], new Map<string, unknown>([['executions', rows], ['retry_count', 1]]));
    const refused = (rows: unknown, text: RegExp) => {
      let caught: unknown;
      try { send(rows); } catch (e) { caught = e; }
      expect(caught, 'refused').to.be.instanceOf(CatalogError);
      expect((caught as CatalogError).number).to.equal(51001);
      expect((caught as Error).message).to.match(text);
    };

    it('sends the rows as a table of the type, every cell as its column\'s type accepts, absent keys as NULL', () => {
      const [input] = send([
        { request_number: 1, folder_name: 'Finance', project_name: 'etl', package_name: 'load', priority: '5', useanyworker: 'true' },
        { Request_Number: 2, folder_name: 'Finance', project_name: 'etl', package_name: 'load', reference_id: 9_000_000_000, timeout_seconds: 30 },
      ]);
      expect(input!.type).to.equal(sql.TVP);
      const table = input!.value as sql.Table;
      expect(table.path).to.equal('[catalog].[execution_requests]');
      expect(table.columns.map((c) => c.name)).to.deep.equal(columns.map((c) => c.name));
      expect(table.rows).to.have.length(2);
      expect(table.rows[0]).to.deep.equal([1, 'Finance', 'etl', 'load', null, null, true, 5, null, null]);
      expect(table.rows[1]).to.deep.equal([2, 'Finance', 'etl', 'load', 9_000_000_000, null, null, null, null, 30]);
      table.rows.forEach((row) => row.forEach((value, i) => {
        const type = tediousType({ name: columns[i]!.name, type: table.columns[i] as unknown as sql.ISqlType, value, output: false });
        expect(() => type.validate(value, { codepage: 'CP1252' }), `${columns[i]!.name} = ${String(value)}`).not.to.throw();
      }));
    });

    it('refuses, with 51001 naming the row, what the type cannot hold — before anything is sent', () => {
      refused('not a list', /a list of rows/);
      refused([{ request_number: 1 }, 7], /row 2 is not an object/);
      refused([{ request_number: 1, pacakge_name: 'x' }], /row 1 has the key "pacakge_name"/);
      refused([{ request_number: 1, priority: 'high' }], /row 1, priority/);
      refused([{ request_number: 1, folder_name: 'f'.repeat(129) }], /row 1's folder_name is longer than 128/);
    });
  });
});
