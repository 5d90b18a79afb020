/** Both dialects define the same objects, parameters and error numbers; every number is in the one error table. */

import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { catalogErrors } from '../../src/catalog/errors.ts';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import { errorNumbers, parityProblems, pgParameters, stripComments, tsqlParameters } from '../support/parity.ts';
import { readdirSync } from 'node:fs';

function allSqlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...allSqlFiles(p));
    else if (e.name.endsWith('.sql')) out.push(p);
  }
  return out;
}

describe('dialect parity', () => {
  it('sql/mssql and sql/postgres define the same objects, parameters and error numbers; steps are in lockstep', () => {
    expect(parityProblems(PROJECT_ROOT)).to.deep.equal([]);
  });

  it('every error number raised in sql/ is in the catalog error table and documented in docs/errors.md', () => {
    const docs = readFileSync(join(PROJECT_ROOT, 'docs', 'errors.md'), 'utf8');
    const missing: string[] = [];
    for (const file of [...allSqlFiles(join(PROJECT_ROOT, 'sql')), ...allSqlFiles(join(PROJECT_ROOT, 'migrations'))]) {
      for (const n of errorNumbers(readFileSync(file, 'utf8'))) {
        if (!catalogErrors.has(n)) missing.push(`${n} (${file.slice(PROJECT_ROOT.length + 1)}) is not in src/catalog/errors.ts`);
      }
    }
    for (const n of catalogErrors.keys()) if (!docs.includes(String(n))) missing.push(`${n} is not documented in docs/errors.md`);
    expect(missing).to.deep.equal([]);
  });

  describe('the parity check itself', () => {
    let root: string;
    const write = (rel: string, text: string) => {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    };
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'scaleout-parity-'));
      write('sql/mssql/manifest.txt', 'catalog/a.sql\ncatalog/b.sql\n');
      write('sql/postgres/manifest.txt', 'catalog/a.sql\n');
      write('sql/mssql/catalog/a.sql', 'CREATE OR ALTER PROCEDURE [catalog].a\n    @x int = NULL,\n    @Y bigint = NULL OUTPUT\nAS\nBEGIN\n  THROW 51100, N\'no\', 1;\nEND;\n');
      write('sql/postgres/catalog/a.sql', "CREATE OR REPLACE PROCEDURE catalog.a(x int DEFAULT NULL, INOUT z bigint DEFAULT NULL)\nLANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'SO101', MESSAGE = '51101: no'; END $$;\n");
      write('sql/mssql/catalog/b.sql', 'CREATE OR ALTER VIEW [catalog].b AS SELECT 1 AS one;\n');
      write('migrations/mssql/0001_a.sql', '');
      write('migrations/postgres/0001_a.sql', '');
      write('migrations/postgres/0002_b.sql', '');
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('names a missing twin, different parameters, different error numbers and steps out of lockstep', () => {
      expect(parityProblems(root)).to.deep.equal([
        'catalog/b.sql: T-SQL object has no PL/pgSQL twin in sql/postgres/',
        'catalog/a.sql: parameters differ — T-SQL (@x, @y) vs PL/pgSQL (x, z)',
        'catalog/a.sql: error numbers differ — T-SQL [51100] vs PL/pgSQL [51101]',
        'migrations/postgres/0002_b.sql has no twin in migrations/mssql/',
      ]);
    });

    it('reads parameters of both dialects and ignores numbers in comments', () => {
      expect(tsqlParameters('CREATE OR ALTER PROCEDURE internal.p @a uniqueidentifier, @b_c nvarchar(10) = N\'x\' AS\nBEGIN SELECT 1; END')).to.deep.equal(['a', 'b_c']);
      expect(pgParameters('CREATE OR REPLACE FUNCTION internal.f(a uuid, b numeric(10, 2) DEFAULT 1) RETURNS TABLE (c int) AS $$ $$')).to.deep.equal(['a', 'b']);
      expect([...errorNumbers(stripComments('-- 51999\n/* 51998 */ THROW 51001, N\'x\', 1;'))]).to.deep.equal([51001]);
    });
  });
});
