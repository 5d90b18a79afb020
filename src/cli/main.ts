/** The scaleout command line. Each command is a thin call of the catalog or of a service. */

import { CommanderError } from 'commander';
import { buildProgram } from './program.ts';
import { reportError } from './output.ts';

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    reportError(error);
    process.exitCode = 1;
  }
}
