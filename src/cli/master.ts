/** scaleout master: runs the master service in the foreground (systemd, containers, Windows services alike). */

import type { Command } from 'commander';
import { loadMasterSettings } from '../master/settings.ts';
import { applySetFlags, collect, openServiceLog, stopOnSignals } from './service.ts';

export function registerMasterCommand(program: Command): void {
  program
    .command('master')
    .description('run the master service (HTTPS for workers, dispatch, sweeps) until SIGTERM or Ctrl-C')
    .option('--settings <file>', 'settings file (JSON with MasterSettings keys)', process.env.SCALEOUT_MASTER_SETTINGS)
    .option('--port <port>', 'PortNumber (8391)')
    .option('--cert <file>', 'SSLCertFile: the master certificate (PEM)')
    .option('--key <file>', 'SSLKeyFile: its private key (PEM)')
    .option('--set <Key=Value>', 'any setting, repeatable', collect, [])
    .option('--quiet', 'do not write the service log to stdout (LogFolder still gets it)')
    .action(async (options: { settings?: string; port?: string; cert?: string; key?: string; set: string[]; quiet?: boolean }) => {
      const overrides: Record<string, unknown> = {
        PortNumber: options.port,
        SSLCertFile: options.cert,
        SSLKeyFile: options.key,
        SqlServerName: program.opts<{ catalog?: string }>().catalog,
      };
      applySetFlags(options.set, overrides);
      const settings = loadMasterSettings({ file: options.settings, overrides });
      const { Master } = await import('../master/server.ts');
      const log = await openServiceLog('master', settings, options.quiet);
      const master = new Master(settings, { log });
      stopOnSignals(() => master.stop(), log);
      await master.start();
      // One write: whoever waits for the first line finds the second with it.
      process.stdout.write(
        `master ${master.masterId} listening on port ${master.port}\n${master.embedded ? `embedded catalog reachable at ${master.embedded.url} (loopback only)\n` : ''}`,
      );
      await new Promise(() => undefined);
    });
}
