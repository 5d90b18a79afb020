/**
 * The services' log (master, worker, CLI): pino, JSON lines, written asynchronously — to stdout by
 * default (journald and container runtimes read it) and to size-rotated files in a log folder when
 * one is set (pino-roll: <name>.1.log, <name>.2.log, …; the oldest beyond LogMaxFiles are removed).
 *
 * Callers see only the small Logger interface below, so nothing outside this file knows pino.
 */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type DestinationStream, type StreamEntry } from 'pino';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** A service's logger: also flushes what is buffered, for the moment before the process exits. */
export interface ServiceLogger extends Logger {
  /** Writes what is buffered now (synchronously): call it before process.exit. */
  flush(): void;
  /** Flushes and closes the destinations (the process may go on: tests, tools). */
  close(): Promise<void>;
}

export interface LoggerOptions {
  /** Names the service in every line and the log files (master, worker). */
  name: string;
  level: LogLevel;
  /** JSON lines to stdout (the default for services); false: only the log folder, if any. */
  stdout: boolean;
  /** A folder for rotated files; empty or absent: none. */
  folder?: string;
  maxFileBytes?: number;
  maxFiles?: number;
}

/** Opens the destinations (creating the log folder) and returns the logger. */
export async function createLogger(options: LoggerOptions): Promise<ServiceLogger> {
  const sinks: Array<DestinationStream & { flushSync?: () => void; end?: () => void; once?: (event: string, listener: () => void) => void }> = [];
  if (options.stdout) sinks.push(pino.destination({ dest: 1, sync: false }));
  if (options.folder) {
    mkdirSync(options.folder, { recursive: true });
    // pino-roll (and the date library under it) only for services that write files.
    const { default: pinoRoll } = await import('pino-roll');
    sinks.push(
      await pinoRoll({
        file: join(options.folder, options.name),
        extension: '.log',
        // pino-roll reads a bare number as megabytes: say kilobytes.
        size: `${Math.max(4, Math.ceil((options.maxFileBytes ?? 10 * 1024 * 1024) / 1024))}k`,
        // pino-roll keeps `count` files besides the one it writes.
        limit: { count: Math.max(1, (options.maxFiles ?? 10) - 1), removeOtherLogFiles: true },
        mkdir: true,
      }),
    );
  }
  const flush = () => {
    for (const sink of sinks) {
      try {
        sink.flushSync?.();
      } catch {
        // Not ready yet (nothing written) or already closed: nothing to lose.
      }
    }
  };
  const close = async () => {
    flush();
    // stdout (fd 1) stays open for the rest of the process; files are closed.
    await Promise.all(
      sinks.slice(options.stdout ? 1 : 0).map(
        (sink) =>
          new Promise<void>((resolve) => {
            sink.once?.('close', resolve);
            sink.end?.();
          }),
      ),
    );
  };
  return wrap(
    sinks.length === 0
      ? pino({ level: 'silent' })
      : pino(
          {
            name: options.name,
            level: options.level,
            messageKey: 'message',
            timestamp: pino.stdTimeFunctions.isoTime,
            formatters: { level: (label) => ({ level: label }) },
            serializers: { error: serializeError },
          },
          sinks.length === 1 ? sinks[0]! : pino.multistream(sinks.map((stream): StreamEntry => ({ stream, level: options.level }))),
        ),
    flush,
    close,
  );
}

/** A logger for tests and tools that want the lines in memory. */
export function memoryLogger(): ServiceLogger & { lines: Array<{ level: LogLevel; message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: LogLevel; message: string; fields?: Record<string, unknown> }> = [];
  const at = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => void lines.push({ level, message, fields });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), flush: () => undefined, close: async () => undefined };
}

function wrap(logger: pino.Logger, flush: () => void, close: () => Promise<void>): ServiceLogger {
  const at = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (fields) logger[level](fields, message);
    else logger[level](message);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), flush, close };
}

/** An error's name, message and SQL error number; no stack (the services' errors are expected ones). */
function serializeError(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const number = (value as { number?: unknown }).number;
  const code = (value as { code?: unknown }).code;
  return { name: value.name, message: value.message, ...(number !== undefined ? { number } : {}), ...(code !== undefined ? { code } : {}) };
}
