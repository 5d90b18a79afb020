/**
 * How the services read their settings: a JSON settings file, then environment variables
 * (<prefix><KEY IN CAPITALS>), then command-line flags — later sources win — merged under their
 * canonical key names and validated together by one schema, so a bad value is reported with the
 * key that holds it.
 */

import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod/v3';

/** A service's default state folder: $XDG_STATE_HOME (or ~/.local/state)/scaleout/<service>. */
export function defaultStateFolder(service: string): string {
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'scaleout', service);
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

export interface SettingsSources {
  readonly file?: string;
  readonly overrides?: Record<string, unknown>;
  readonly env?: NodeJS.ProcessEnv;
}

export function loadSettings<S extends z.ZodType>(
  what: string,
  schema: S,
  sources: SettingsSources,
  options: { keys: readonly string[]; envPrefix: string; aliases?: Readonly<Record<string, string>>; extraEnv?: Record<string, unknown> },
): z.infer<S> {
  const env = sources.env ?? process.env;
  let fromFile: Record<string, unknown> = {};
  if (sources.file) {
    if (!existsSync(sources.file)) throw new SettingsError(`The settings file ${sources.file} does not exist.`);
    try {
      fromFile = JSON.parse(readFileSync(sources.file, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new SettingsError(`The settings file ${sources.file} is not valid JSON: ${(error as Error).message}`);
    }
  }
  const fromEnv: Record<string, unknown> = { ...options.extraEnv };
  for (const key of [...options.keys, ...Object.keys(options.aliases ?? {})]) {
    const value = env[`${options.envPrefix}${key.toUpperCase()}`];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const merged: Record<string, unknown> = {};
  for (const source of [fromFile, fromEnv, sources.overrides ?? {}]) {
    for (const [key, value] of Object.entries(source)) {
      if (value !== undefined) merged[options.aliases?.[key] ?? key] = value;
    }
  }
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => {
      const key = i.path.join('.') || (i.code === 'unrecognized_keys' ? (i as { keys?: string[] }).keys?.join(', ') : '') || '(settings)';
      return `${key}: ${i.message}`;
    });
    throw new SettingsError(`Invalid ${what} settings — ${problems.join('; ')}. Known keys: ${options.keys.join(', ')}.`);
  }
  return parsed.data;
}
