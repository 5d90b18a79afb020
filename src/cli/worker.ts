/** scaleout worker: runs a worker agent in the foreground until SIGTERM or Ctrl-C. */

import type { Command } from 'commander';
import { WorkerAgent } from '../worker/agent.ts';
import { loadWorkerSettings } from '../worker/settings.ts';
import { applySetFlags, collect, openServiceLog, stopOnSignals } from './service.ts';

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('run a worker agent: register with a master, claim tasks and run their packages, until SIGTERM or Ctrl-C')
    .option('--settings <file>', 'settings file (JSON with WorkerSettings keys)', process.env.SCALEOUT_WORKER_SETTINGS)
    .option('--master <urls>', 'MasterEndpoint: one or more https://host:port, comma separated')
    .option('--master-thumbprint <sha256>', 'MasterHttpsCertThumbprint: the master certificate to trust')
    .option('--cert <file>', 'WorkerCertFile: this worker\'s client certificate (PEM)')
    .option('--key <file>', 'WorkerKeyFile: its private key (PEM)')
    .option('--set <Key=Value>', 'any setting, repeatable', collect, [])
    .option('--shutdown-grace <seconds>', 'how long running packages may go on after SIGTERM', '30')
    .option('--quiet', 'do not write the service log to stdout (LogFolder still gets it)')
    .action(async (options: { settings?: string; master?: string; masterThumbprint?: string; cert?: string; key?: string; set: string[]; shutdownGrace: string; quiet?: boolean }) => {
      const overrides: Record<string, unknown> = {
        MasterEndpoint: options.master,
        MasterHttpsCertThumbprint: options.masterThumbprint,
        WorkerCertFile: options.cert,
        WorkerKeyFile: options.key,
      };
      applySetFlags(options.set, overrides);
      const settings = loadWorkerSettings({ file: options.settings, overrides });
      const log = await openServiceLog('worker', settings, options.quiet);
      const agent = new WorkerAgent({ settings, log, shutdownGraceMs: Number(options.shutdownGrace) * 1000 });
      stopOnSignals(async () => {
        log.info('stopping the agent', { runningTasks: agent.runningTaskCount });
        await agent.stop();
      }, log);
      process.stdout.write(`worker ${settings.AgentId} starting, master ${settings.MasterEndpoint.join(', ')}\n`);
      await agent.start();
      process.stdout.write(`worker ${settings.AgentId} registered\n`);
      await new Promise(() => undefined);
    });
}
