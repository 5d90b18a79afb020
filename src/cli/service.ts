/** What the service commands (master, worker) share: --set Key=Value flags, and stopping on a signal. */

import { createLogger, type LogLevel, type ServiceLogger } from '../log/logger.ts';
import { CLI_ERRORS, CliError } from './cli-errors.ts';

/** A service's log from its settings: stdout unless --quiet, rotated files when LogFolder is set. */
export function openServiceLog(
  name: 'master' | 'worker',
  settings: { LogFolder: string; LogLevel: LogLevel; LogMaxFileBytes: number; LogMaxFiles: number },
  quiet: boolean | undefined,
): Promise<ServiceLogger> {
  return createLogger({ name, level: settings.LogLevel, stdout: !quiet, folder: settings.LogFolder, maxFileBytes: settings.LogMaxFileBytes, maxFiles: settings.LogMaxFiles });
}

/** Commander's collector for a repeatable option. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** "Name=Value" as [Name, Value]; what names the flag in the error. */
export function keyValue(pair: string, what = pair): [string, string] {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new CliError(CLI_ERRORS.usage, `${what}: give Name=Value.`);
  return [pair.slice(0, eq), pair.slice(eq + 1)];
}

/** Adds each --set Key=Value to the overrides. */
export function applySetFlags(pairs: readonly string[], overrides: Record<string, unknown>): Record<string, unknown> {
  for (const pair of pairs) {
    const [key, value] = keyValue(pair, `--set ${pair}`);
    overrides[key] = value;
  }
  return overrides;
}

/** The services run in the foreground: SIGTERM or Ctrl-C stops them once, then the process exits (0, or 1 if stopping failed). */
export function stopOnSignals(stop: () => Promise<void>, log?: ServiceLogger): void {
  let stopping: Promise<void> | undefined;
  const exit = (code: number) => {
    log?.flush();
    process.exit(code);
  };
  const handle = (signal: string) => {
    log?.info('stopping', { signal });
    stopping ??= stop().then(
      () => {
        log?.info('stopped');
        exit(0);
      },
      (error) => {
        log?.error('stopping failed', { signal, error });
        process.stderr.write(`error while stopping after ${signal}: ${(error as Error).message}\n`);
        exit(1);
      },
    );
  };
  process.on('SIGTERM', () => handle('SIGTERM'));
  process.on('SIGINT', () => handle('SIGINT'));
  // Started by a parent through an IPC channel (scaleout demo): when the parent is gone, however it
  // went, the channel closes, and this service stops as on SIGTERM instead of living on unowned.
  if (process.channel) {
    process.channel.unref();
    process.once('disconnect', () => handle('the parent process ended'));
  }
}
