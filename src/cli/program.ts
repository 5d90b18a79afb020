/** The scaleout command line, every command registered: what main.ts runs and the help tests walk. */

import { Command } from 'commander';
import { registerCatalogCommands } from './catalog-commands.ts';
import { registerCertCommands } from './cert.ts';
import { registerDemoCommand } from './demo.ts';
import { registerDoctorCommand } from './doctor.ts';
import { registerEnvironmentCommands } from './environment-commands.ts';
import { registerHealthcheckCommand } from './healthcheck.ts';
import { registerPermissionCommands } from './permission-commands.ts';
import { registerManagerCommand } from './manager.ts';
import { registerMasterCommand } from './master.ts';
import { registerMigrateCommands } from './migrate.ts';
import { registerProjectCommands } from './project.ts';
import { registerServiceCommands } from './service-install.ts';
import { registerWorkerCommand } from './worker.ts';
import { CLI_ERRORS } from './cli-errors.ts';
import { applyExamples } from './examples.ts';
import { PRODUCT_VERSION } from '../version.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('scaleout')
    .version(PRODUCT_VERSION, '-V, --version', 'print the version')
    .description('Scale Out: a catalog, a master service and worker agents that run packages.')
    .option('--catalog <catalog>', 'the catalog: SQL Server connection string, postgres:// URL or pglite:PATH (env SCALEOUT_CATALOG)')
    .showHelpAfterError()
    .exitOverride()
    // Usage errors are numbered like every other error (before the subcommands copy this setting).
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, `error ${CLI_ERRORS.usage}: `)) });

  registerMigrateCommands(program);
  registerMasterCommand(program);
  registerCertCommands(program);
  registerWorkerCommand(program);
  registerProjectCommands(program);
  registerCatalogCommands(program);
  registerEnvironmentCommands(program);
  registerPermissionCommands(program);
  registerDemoCommand(program);
  registerDoctorCommand(program);
  registerManagerCommand(program);
  registerServiceCommands(program);
  registerHealthcheckCommand(program);
  applyExamples(program);
  return program;
}
