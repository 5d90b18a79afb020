/** scaleout service install master|worker: a systemd unit for this installation, its user, and (with --now) started. */

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { unitText, type ServiceRole } from '../deploy/systemd-unit.ts';
import { PROJECT_ROOT } from '../migrate/scripts.ts';
import { CLI_ERRORS, CliError } from './cli-errors.ts';

interface InstallOptions {
  settings?: string;
  user: string;
  createUser: boolean;
  unitDir: string;
  shutdownGrace: string;
  print?: boolean;
  now?: boolean;
}

function userExists(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function run(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  } catch (error) {
    throw new CliError(CLI_ERRORS.systemCommand, `${command} ${args.join(' ')} failed: ${(error as Error).message.split('\n')[0]}`);
  }
}

export function registerServiceCommands(program: Command): void {
  const service = program.command('service').description('install the master or a worker as a Linux service (systemd)');
  service
    .command('install <role>')
    .description('write a systemd unit (scaleout-master or scaleout-worker) that runs this installation as a dedicated user, restarted on failure')
    .option('--settings <file>', 'the settings file the service reads (MasterSettings or WorkerSettings keys); required')
    .option('--user <name>', 'the account it runs as', 'scaleout')
    .option('--no-create-user', 'fail when the account does not exist rather than create it (useradd --system)')
    .option('--unit-dir <dir>', 'where the unit goes', '/etc/systemd/system')
    .option('--shutdown-grace <seconds>', 'worker: how long packages may go on after a stop', '30')
    .option('--print', 'print the unit and change nothing')
    .option('--now', 'then systemctl daemon-reload and enable --now the unit')
    .action((role: string, o: InstallOptions) => {
      if (role !== 'master' && role !== 'worker') throw new CliError(CLI_ERRORS.usage, `service install: the role is master or worker, not "${role}".`);
      if (!o.settings) throw new CliError(CLI_ERRORS.usage, 'service install: --settings <file> is required (the service reads nothing else).');
      const settingsFile = resolve(o.settings);
      if (!existsSync(settingsFile)) throw new CliError(CLI_ERRORS.file, `service install: ${settingsFile} does not exist: write the settings first (examples/settings has samples).`);
      try {
        JSON.parse(readFileSync(settingsFile, 'utf8'));
      } catch (error) {
        throw new CliError(CLI_ERRORS.settings, `service install: ${settingsFile} is not JSON: ${(error as Error).message}`);
      }
      const grace = Number(o.shutdownGrace);
      if (!Number.isInteger(grace) || grace < 0 || grace > 86_400) throw new CliError(CLI_ERRORS.usage, 'service install: --shutdown-grace is whole seconds, 0 to 86400.');
      if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(o.user)) throw new CliError(CLI_ERRORS.usage, `service install: "${o.user}" is not a valid account name.`);
      const unit = unitText({
        role: role as ServiceRole,
        settingsFile,
        user: o.user,
        node: process.execPath,
        bin: join(PROJECT_ROOT, 'bin', 'scaleout.js'),
        docs: join(PROJECT_ROOT, 'docs', 'install-linux.md'),
        shutdownGraceSeconds: grace,
      });
      if (o.print) {
        process.stdout.write(unit);
        return;
      }
      if (!userExists(o.user)) {
        if (!o.createUser) throw new CliError(CLI_ERRORS.usage, `service install: the account ${o.user} does not exist (create it, or drop --no-create-user).`);
        run('useradd', ['--system', '--user-group', '--home-dir', '/var/lib/scaleout', '--no-create-home', '--shell', '/usr/sbin/nologin', o.user]);
        process.stdout.write(`Created the system account ${o.user}.\n`);
      }
      const unitDir = isAbsolute(o.unitDir) ? o.unitDir : resolve(o.unitDir);
      mkdirSync(unitDir, { recursive: true });
      const name = `scaleout-${role}.service`;
      const path = join(unitDir, name);
      writeFileSync(path, unit, { mode: 0o644 });
      process.stdout.write(`Wrote ${path}.\n`);
      if (o.now) {
        run('systemctl', ['daemon-reload']);
        run('systemctl', ['enable', '--now', name]);
        process.stdout.write(`Started ${name}: journalctl -u scaleout-${role} -f\n`);
      } else {
        process.stdout.write(`Next: systemctl daemon-reload && systemctl enable --now ${name}\n`);
      }
      process.stdout.write(`${o.user} must be able to read ${settingsFile} and the certificate and key files it names.\n`);
    });
}
