/** scaleout manager: Scale Out Manager on the web (src/manager/server.ts), until SIGTERM or Ctrl-C. */

import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { CLI_ERRORS, CliError } from './cli-errors.ts';
import { refuseMissingEmbeddedCatalog } from './migrate.ts';
import { createLogger } from '../log/logger.ts';
import { stopOnSignals } from './service.ts';

export function registerManagerCommand(program: Command): void {
  program
    .command('manager')
    .description('serve Scale Out Manager in a browser: workers, masters and executions, live')
    .option('--listen <host:port>', 'where to listen (loopback by default; beyond it only with --credentials-file)', '127.0.0.1:8393')
    .option('--credentials-file <file>', 'a file holding user:password, asked for by the browser (HTTP basic authentication)')
    .option('--quiet', 'do not write the log (JSON lines: requests that failed) to stdout')
    .addHelpText('after', '\nExample:\n  scaleout manager --listen 127.0.0.1:8393      then open http://127.0.0.1:8393/')
    .action(async (o: { listen: string; credentialsFile?: string; quiet?: boolean }) => {
      const m = /^(.*):(\d{1,5})$/.exec(o.listen);
      if (!m || Number(m[2]) > 65535) throw new CliError(CLI_ERRORS.usage, `--listen must be host:port, not "${o.listen}".`);
      const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
      const credentials = o.credentialsFile ? readFileSync(o.credentialsFile, 'utf8').trim() : undefined;
      if (credentials !== undefined && !/^[^:\s]+:\S+$/.test(credentials)) throw new CliError(CLI_ERRORS.settings, `${o.credentialsFile} must hold user:password on one line.`);
      const { isLoopback, startManager } = await import('../manager/server.ts');
      if (!isLoopback(host) && !credentials) {
        throw new CliError(CLI_ERRORS.usage, `The manager listens beyond loopback (${host}) only with credentials.`, 'give --credentials-file with user:password, and put TLS (a reverse proxy) or an SSH tunnel in front');
      }
      const catalog = program.opts<{ catalog?: string }>().catalog;
      refuseMissingEmbeddedCatalog(catalog);
      const { openCatalog } = await import('../db/open.ts');
      const db = await openCatalog(catalog);
      const log = await createLogger({ name: 'manager', level: 'info', stdout: !o.quiet });
      let manager;
      try {
        manager = await startManager({ db, host, port: Number(m[2]), log, ...(credentials ? { credentials } : {}) });
      } catch (error) {
        await db.close();
        throw error;
      }
      stopOnSignals(async () => {
        await manager.close();
        await db.close();
      }, log);
      process.stdout.write(`Scale Out Manager on ${manager.url} (catalog: ${db.description})\n`);
      await new Promise(() => undefined);
    });
}
