/**
 * Rules the T-SQL keeps so that a production SQL Server runs it as the suite's PostgreSQL twin
 * runs: no server is reachable here, so they are read from the files. Each rule names the file and
 * the line that breaks it; the "rule itself" cases prove each check can fail.
 */

import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import { stripComments } from '../support/parity.ts';

const OBJECTS = ['catalog', 'internal'].flatMap((d) =>
  readdirSync(join(PROJECT_ROOT, 'sql', 'mssql', d))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => ({ file: `sql/mssql/${d}/${f}`, text: readFileSync(join(PROJECT_ROOT, 'sql', 'mssql', d, f), 'utf8') })),
);

/** The parameter list of a procedure or function: between its CREATE line and AS / RETURNS. */
function parameterBlock(text: string): string {
  const m = /CREATE OR ALTER (PROCEDURE|FUNCTION)[^\n]*\n([\s\S]*?)^(AS|RETURNS)\b/m.exec(text);
  return m?.[2] ?? '';
}

/**
 * SQL Server cuts an argument to its parameter's declared length before the procedure sees it, so
 * a length check can only fire on a parameter declared wider than anything it may accept.
 */
export function narrowStringParameters(text: string): string[] {
  const out: string[] = [];
  for (const m of parameterBlock(text).matchAll(/^\s+(@\w+)\s+(n?varchar)\((\d+)\)/gm)) {
    const limit = m[2]!.toLowerCase() === 'nvarchar' ? 4000 : 8000;
    if (Number(m[3]) < limit) out.push(`${m[1]} ${m[2]}(${m[3]})`);
  }
  return out;
}

/** READPAST without a lock of its own is refused under READ_COMMITTED_SNAPSHOT (Msg 650). */
export function bareReadpast(text: string): string[] {
  return [...stripComments(text).matchAll(/WITH\s*\(([^)]*\bREADPAST\b[^)]*)\)/gi)]
    .map((m) => m[1]!)
    .filter((hints) => !/\b(UPDLOCK|XLOCK|READCOMMITTEDLOCK)\b/i.test(hints));
}

/** JSON_VALUE returns NULL past 4,000 characters: values that may be longer are read with OPENJSON. */
export function shortJsonReads(text: string): string[] {
  return [...stripComments(text).matchAll(/JSON_VALUE\([^,]+,\s*N?'\$\.(default|description|message|errorMessage)'\)/g)].map((m) => m[0]);
}

/**
 * A scalar function that reads no table — itself or through the functions it calls — is WITH
 * SCHEMABINDING: SQL Server otherwise assumes it may read data, and protects every statement that
 * calls it (spools, no parallel plan).
 */
export function unboundPureFunctions(objects: ReadonlyArray<{ file: string; text: string }>): string[] {
  const functions = objects
    .map((o) => ({ ...o, code: stripComments(o.text), name: /CREATE OR ALTER FUNCTION\s+(\S+)/.exec(stripComments(o.text))?.[1]?.replace(/[[\]]/g, '') }))
    .filter((f) => f.name !== undefined);
  const readsData = new Set(functions.filter((f) => /\bFROM\s+(internal|\[?catalog\]?)\./i.test(f.code)).map((f) => f.name!));
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of functions) {
      if (readsData.has(f.name!)) continue;
      if ([...readsData].some((name) => f.code.includes(`${name}(`))) {
        readsData.add(f.name!);
        changed = true;
      }
    }
  }
  return functions.filter((f) => !readsData.has(f.name!) && !/WITH SCHEMABINDING/i.test(f.code)).map((f) => f.file);
}

/** A procedure that does not say its isolation level runs at whatever the session was left at. */
export function missingIsolationLevel(text: string): boolean {
  return /CREATE OR ALTER PROCEDURE/.test(text) && !/SET TRANSACTION ISOLATION LEVEL (READ COMMITTED|REPEATABLE READ|SERIALIZABLE)/.test(stripComments(text));
}

describe('T-SQL rules for a production SQL Server', () => {
  it('every string parameter is declared wide enough that SQL Server cannot cut it before its check', () => {
    const problems = OBJECTS.flatMap((o) => narrowStringParameters(o.text).map((p) => `${o.file}: ${p}`));
    expect(problems).to.deep.equal([]);
  });

  it('every READPAST takes a lock of its own (UPDLOCK, XLOCK or READCOMMITTEDLOCK), so it runs with READ_COMMITTED_SNAPSHOT on', () => {
    const problems = OBJECTS.flatMap((o) => bareReadpast(o.text).map((h) => `${o.file}: WITH (${h})`));
    expect(problems).to.deep.equal([]);
  });

  it('no JSON value that may pass 4,000 characters is read with JSON_VALUE (it returns NULL there)', () => {
    const problems = OBJECTS.flatMap((o) => shortJsonReads(o.text).map((h) => `${o.file}: ${h}`));
    expect(problems).to.deep.equal([]);
  });

  it('every scalar function that reads no table is WITH SCHEMABINDING', () => {
    expect(unboundPureFunctions(OBJECTS)).to.deep.equal([]);
  });

  it('every procedure sets its isolation level', () => {
    expect(OBJECTS.filter((o) => missingIsolationLevel(o.text)).map((o) => o.file)).to.deep.equal([]);
  });

  describe('the rules themselves', () => {
    it('find a narrow parameter, a bare READPAST and a procedure without an isolation level', () => {
      const bad = 'CREATE OR ALTER PROCEDURE x.y\n    @name nvarchar(128) = NULL,\n    @code varchar(16) = NULL,\n    @ok nvarchar(max) = NULL\nAS\nBEGIN\n    SELECT 1 FROM t WITH (READPAST);\nEND;\n';
      expect(narrowStringParameters(bad)).to.deep.equal(['@name nvarchar(128)', '@code varchar(16)']);
      expect(bareReadpast(bad)).to.deep.equal(['READPAST']);
      expect(bareReadpast('SELECT 1 FROM t WITH (READPAST, UPDLOCK, ROWLOCK);')).to.deep.equal([]);
      expect(missingIsolationLevel(bad)).to.equal(true);
      const fn = (name: string, body: string) => ({ file: name, text: `CREATE OR ALTER FUNCTION internal.${name} (@a int)\nRETURNS int\nAS\nBEGIN\n    ${body}\nEND;` });
      expect(unboundPureFunctions([fn('pure', 'RETURN 1;'), fn('reads', 'RETURN (SELECT 1 FROM internal.t);'), fn('calls', 'RETURN internal.reads(1);')])).to.deep.equal(['pure']);
      expect(shortJsonReads("SELECT JSON_VALUE(a.value, N'$.default') FROM t;")).to.have.length(1);
      expect(missingIsolationLevel(`${bad}\nSET TRANSACTION ISOLATION LEVEL READ COMMITTED;`)).to.equal(false);
    });
  });
});
