/**
 * The worker's settings: SSIS's WorkerSettings keys and defaults (time spans as .NET writes them,
 * "d.hh:mm:ss"), from a JSON settings file, then environment variables (SCALEOUT_WORKER_<KEY IN
 * CAPITALS>), then command-line flags — later sources win. SSIS's misspelt keys are accepted too.
 * Validated at start; a bad value is reported with the key that holds it.
 */

import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod/v3';
import { LOG_LEVELS } from '../log/logger.ts';
import { defaultStateFolder, loadSettings, SettingsError, type SettingsSources } from '../settings-sources.ts';

export { SettingsError };

/** Keys as older SSIS documentation and installers spell them, and the key each one means. */
export const MISSPELT_KEYS: Readonly<Record<string, string>> = {
  HeartbeatErrorTollerance: 'HeartbeatErrorTolerance',
  LeaseInternval: 'LeaseInterval',
  ExecutionLogMaxInMemoryBufferLogCount: 'ExecutionLogMaxInMemoryBufferCount',
};

/**
 * A .NET TimeSpan ("00:01:00", "7.00:00:00", "00:00:00.500") or a number of milliseconds, as
 * milliseconds.
 */
export function parseTimeSpan(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(text);
  if (!m) return undefined;
  const [, days, hours, minutes, secs, fraction] = m;
  if (Number(minutes) > 59 || Number(secs) > 59 || Number(hours) > 23) return undefined;
  const fractionMs = fraction ? Number(`0.${fraction}`) * 1000 : 0;
  return ((Number(days ?? 0) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(secs) * 1000 + Math.round(fractionMs);
}

const timeSpan = (minMs: number, maxMs: number) =>
  z.preprocess(
    (v) => parseTimeSpan(v) ?? v,
    z.number({ invalid_type_error: 'expected a time span such as 00:01:00 (or milliseconds)' }).int().min(minMs, `at least ${minMs} ms`).max(maxMs, `at most ${maxMs} ms`),
  );

const flag = z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
const stateRoot = defaultStateFolder('worker');

export const workerSettingsSchema = z
  .object({
    DisplayName: z.string().max(256).default(hostname()),
    Description: z.string().max(4000).default(''),
    /** One or more master URLs (https://host:port), comma separated or an array, tried in turn. */
    MasterEndpoint: z.preprocess(
      (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
      z.array(z.string().url().refine((u) => u.startsWith('https://'), 'a master URL starts with https://')).min(1, 'name at least one master URL'),
    ),
    /** The master certificate's SHA-256 thumbprint: the worker talks to no other. */
    MasterHttpsCertThumbprint: z.preprocess(
      (v) => (typeof v === 'string' ? v.replace(/[:\s]/g, '').toUpperCase() : v),
      z.string().regex(/^[0-9A-F]{64}$/, 'a SHA-256 thumbprint: 64 hexadecimal digits'),
    ),
    /** In place of WorkerHttpsCertThumbprint, StoreLocation and StoreName: the client certificate and key, PEM files. */
    WorkerCertFile: z.string().min(1),
    WorkerKeyFile: z.string().min(1),
    AgentHeartbeatInterval: timeSpan(100, 86_400_000).default(60_000),
    TaskHeartbeatInterval: timeSpan(100, 3_600_000).default(10_000),
    HeartbeatErrorTolerance: timeSpan(100, 7 * 86_400_000).default(600_000),
    TaskRequestMaxCPU: z.coerce.number().min(0).max(100).default(70),
    TaskRequestMinMemory: z.coerce.number().min(0).default(100),
    MaxTaskCount: z.coerce.number().int().min(1).max(1000).default(10),
    LeaseInterval: timeSpan(1000, 86_400_000).default(60_000),
    TasksRootFolder: z.string().default(''),
    TaskLogLevel: z.coerce.number().int().min(0).max(0x7f).default(126),
    TaskLogEnabled: flag.default(true),
    ExecutionLogCacheFolder: z.string().default(''),
    ExecutionLogMaxBufferLogCount: z.coerce.number().int().min(1).max(10_000).default(10_000),
    ExecutionLogMaxInMemoryBufferCount: z.coerce.number().int().min(1).max(1000).default(10),
    ExecutionLogRetryCount: z.coerce.number().int().min(0).max(1_000_000).default(3),
    ExecutionLogRetryTimeout: timeSpan(0, 365 * 86_400_000).default(7 * 86_400_000),
    /** The worker's WorkerAgentId; generated at first start and kept in StateFolder. */
    AgentId: z.string().uuid().optional(),
    // Ours.
    /** Where the worker keeps its id, project cache and (by default) task folders and log cache. */
    StateFolder: z.string().min(1).default(stateRoot),
    /** Bytes of unpacked projects kept in the cache; the least recently used go first. */
    ProjectCacheMaxBytes: z.coerce.number().int().min(1024 * 1024).default(1024 * 1024 * 1024),
    /** How long a stopped package may take to end after its AbortSignal fires before it is killed. */
    StopGraceInterval: timeSpan(0, 3_600_000).default(10_000),
    /** The longest a claim waits at the master for work. */
    LongPollInterval: timeSpan(0, 300_000).default(30_000),
    /** Task folders of finished tasks are kept this long for troubleshooting. */
    TaskFolderRetention: timeSpan(0, 365 * 86_400_000).default(86_400_000),
    /** The agent's own log: JSON lines to stdout, and to rotated files in LogFolder when one is set. */
    LogFolder: z.string().default(''),
    LogLevel: z.enum(LOG_LEVELS).default('info'),
    LogMaxFileBytes: z.coerce.number().int().min(4096).default(10 * 1024 * 1024),
    LogMaxFiles: z.coerce.number().int().min(1).max(1000).default(10),
  })
  .strict();

type Parsed = z.infer<typeof workerSettingsSchema>;
export type WorkerSettings = Omit<Parsed, 'AgentId'> & { readonly AgentId: string };
export const WORKER_SETTING_KEYS = Object.keys(workerSettingsSchema.shape);

/** Reads the settings file (JSON), the environment and the flags' overrides, and validates them together. */
export function loadWorkerSettings(options: SettingsSources = {}): WorkerSettings {
  const s = loadSettings('worker', workerSettingsSchema, options, { keys: WORKER_SETTING_KEYS, envPrefix: 'SCALEOUT_WORKER_', aliases: MISSPELT_KEYS });
  // Relative paths are taken from the folder the worker starts in, once: packages run in folders
  // of their own, where a relative path would point elsewhere.
  const stateFolder = resolve(s.StateFolder);
  return {
    ...s,
    StateFolder: stateFolder,
    WorkerCertFile: resolve(s.WorkerCertFile),
    WorkerKeyFile: resolve(s.WorkerKeyFile),
    AgentId: (s.AgentId ?? keptAgentId(stateFolder)).toLowerCase(),
    TasksRootFolder: s.TasksRootFolder ? resolve(s.TasksRootFolder) : join(stateFolder, 'Tasks'),
    ExecutionLogCacheFolder: s.ExecutionLogCacheFolder ? resolve(s.ExecutionLogCacheFolder) : join(stateFolder, 'ELogCache'),
    LogFolder: s.LogFolder ? resolve(s.LogFolder) : '',
  };
}

/** The id generated at the first start, read back at every later one. */
function keptAgentId(stateFolder: string): string {
  const file = join(stateFolder, 'agent-id');
  if (existsSync(file)) {
    const id = readFileSync(file, 'utf8').trim();
    if (z.string().uuid().safeParse(id).success) return id;
    throw new SettingsError(`AgentId: ${file} does not hold a worker id (a UUID); delete it to generate a new one.`);
  }
  const id = randomUUID();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${id}\n`, { flag: 'wx' });
  return id;
}
