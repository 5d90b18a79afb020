/** The command line's error numbers, from the errors Node and the drivers really raise. */

import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import pg from 'pg';
import { CatalogError } from '../../src/catalog/errors.ts';
import { CLI_ERRORS, CliError, describeError, formatError } from '../../src/cli/cli-errors.ts';
import { SettingsError } from '../../src/settings-sources.ts';

async function caught(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('command line errors', () => {
  it('a port in use is 52005 with a hint of --port', async () => {
    const first = createServer();
    await new Promise<void>((r) => first.listen(0, '127.0.0.1', r));
    const port = (first.address() as { port: number }).port;
    const second = createServer();
    try {
      const error = await caught(() => new Promise<void>((resolve, reject) => {
        second.once('error', reject);
        second.listen(port, '127.0.0.1', resolve);
      }));
      const d = describeError(error);
      expect(d.number).to.equal(CLI_ERRORS.portInUse);
      expect(d.hint).to.match(/--port/);
    } finally {
      first.close();
      second.close();
    }
  });

  it('a refused connection is 52002, a missing file 52006, a settings problem 52004, the catalog\'s own errors keep their number', async () => {
    const client = new pg.Client({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 5000 });
    const refused = await caught(() => client.connect());
    expect(describeError(refused)).to.include({ number: CLI_ERRORS.catalogUnreachable });
    expect(describeError(await caught(() => readFileSync('/no/such/file.crt')))).to.include({ number: CLI_ERRORS.file });
    expect(describeError(new SettingsError('MaxTaskCount must be from 1 to 1000'))).to.include({ number: CLI_ERRORS.settings });
    expect(describeError(new CatalogError(51103, 'There is no folder Finance.'))).to.deep.equal({ number: 51103, message: 'There is no folder Finance.' });
    expect(formatError(new CliError(CLI_ERRORS.usage, 'give Name=Value.', 'like --set PortNumber=8391'))).to.equal('error 52001: give Name=Value.\nhint: like --set PortNumber=8391\n');
    expect(describeError(new Error('something nobody expected')).number).to.equal(CLI_ERRORS.unexpected);
  });
});
