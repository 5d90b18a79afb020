/** What the service commands (master, worker) share: --set Key=Value flags, and stopping on a signal. */

import { CLI_ERRORS, CliError } from './cli-errors.ts';

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
export function stopOnSignals(stop: () => Promise<void>, onSignal?: (signal: string) => void): void {
  let stopping: Promise<void> | undefined;
  const handle = (signal: string) => {
    onSignal?.(signal);
    stopping ??= stop().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`error while stopping after ${signal}: ${(error as Error).message}\n`);
        process.exit(1);
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
