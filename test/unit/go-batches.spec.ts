import { expect } from 'chai';
import { lineOfPosition, splitGoBatches } from '../../src/migrate/scripts.ts';

describe('splitting T-SQL on GO, as sqlcmd does', () => {
  it('splits on lines holding only GO, in any case, with a repeat count or a trailing comment', () => {
    const batches = splitGoBatches('SELECT 1;\nGO\nSELECT 2;\n  go  -- done\nSELECT 3;\nGO 3\n');
    expect(batches.map((b) => [b.text.trim(), b.startLine, b.repeat])).to.deep.equal([
      ['SELECT 1;', 1, 1],
      ['SELECT 2;', 3, 1],
      ['SELECT 3;', 5, 3],
    ]);
  });

  it('does not split inside a string literal, a bracketed identifier or a block comment', () => {
    const text = "SELECT N'a\nGO\nb';\n/* x\nGO\n*/\nSELECT [c\nGO\nd];\nGO\nSELECT 2;";
    const batches = splitGoBatches(text);
    expect(batches).to.have.length(2);
    expect(batches[0]!.text).to.contain("N'a\nGO\nb'");
    expect(batches[1]!.startLine).to.equal(11);
  });

  it('keeps a last batch without GO and drops empty ones', () => {
    expect(splitGoBatches('GO\n\nGO\nSELECT 1;').map((b) => b.text)).to.deep.equal(['SELECT 1;']);
  });

  it('turns a character position into a line', () => {
    expect(lineOfPosition('a\nbc\nd', 4)).to.equal(2);
    expect(lineOfPosition('a\nbc\nd', 1)).to.equal(1);
  });
});
