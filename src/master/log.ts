/**
 * The service log: one JSON object per line (time, level, message, fields), written to
 * <LogFolder>/master.log and rotated by size (master.log.1 ... master.log.N, oldest dropped), so
 * the folder never grows without bound. Also echoed to stderr when asked.
 */

import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createRotatingLogger(options: {
  folder: string;
  name: string;
  level: LogLevel;
  maxFileBytes: number;
  maxFiles: number;
  echo?: boolean;
}): Logger {
  mkdirSync(options.folder, { recursive: true });
  const path = join(options.folder, `${options.name}.log`);
  let size = existsSync(path) ? statSync(path).size : 0;
  const rotate = () => {
    rmSync(`${path}.${options.maxFiles}`, { force: true });
    for (let i = options.maxFiles - 1; i >= 1; i--) {
      if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    }
    if (existsSync(path)) renameSync(path, `${path}.1`);
    size = 0;
  };
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < LEVELS[options.level]) return;
    const line = `${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }, errorReplacer)}\n`;
    if (size + line.length > options.maxFileBytes && size > 0) rotate();
    try {
      appendFileSync(path, line);
      size += Buffer.byteLength(line);
    } catch {
      // A full disk must not stop the service; the echo below still shows the line.
    }
    if (options.echo) process.stderr.write(line);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, ...('number' in value ? { number: (value as { number: unknown }).number } : {}) };
  return value;
}
