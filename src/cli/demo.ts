/** scaleout demo: the whole system on the embedded catalog, in one command. */

import type { Command } from 'commander';
import { DEFAULT_CATALOG } from '../db/catalog-spec.ts';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('create the embedded catalog, start a master and two workers, deploy the example ETL project, run executions, summarise, stop')
    .option('--keep-running', 'leave the system up to explore (Ctrl-C stops it)')
    .option('--state <dir>', 'where certificates, settings, logs and results go', '.scaleout/demo')
    .action(async (o: { keepRunning?: boolean; state: string }) => {
      const { Demo } = await import('../demo/demo.ts');
      const catalog = program.opts<{ catalog?: string }>().catalog || process.env.SCALEOUT_CATALOG || DEFAULT_CATALOG;
      const demo = new Demo({ catalog, stateFolder: o.state, keepRunning: Boolean(o.keepRunning), out: process.stdout });
      let interrupted = false;
      const onSignal = (signal: string) => {
        if (interrupted) return;
        interrupted = true;
        process.stdout.write(`\n${signal}: stopping the workers and the master...\n`);
        void demo.stop().then(() => process.exit(130));
      };
      process.on('SIGINT', () => onSignal('SIGINT'));
      process.on('SIGTERM', () => onSignal('SIGTERM'));
      // Output piped into a reader that stopped reading (| head): stop everything, quietly.
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE' || interrupted) return;
        interrupted = true;
        void demo.stop().then(() => process.exit(141));
      });
      let ok = false;
      try {
        ok = await demo.run();
        if (o.keepRunning && !interrupted) await new Promise(() => undefined);
      } finally {
        if (!interrupted) await demo.stop();
      }
      if (!ok) process.exitCode = 3;
    });
}
