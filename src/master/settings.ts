/**
 * The master's settings: SSIS's MasterSettings keys and defaults, plus ours, from a JSON settings
 * file, then environment variables (SCALEOUT_MASTER_<KEY IN CAPITALS>, and SCALEOUT_CATALOG for
 * SqlServerName), then command-line flags — later sources win. Validated at start; a bad value is
 * reported with the key that holds it.
 */

import { z } from 'zod/v3';
import { LOG_LEVELS } from '../log/logger.ts';
import { DEFAULT_CATALOG } from '../db/catalog-spec.ts';
import { defaultStateFolder, loadSettings, SettingsError, type SettingsSources } from '../settings-sources.ts';

const ms = (min: number) => z.coerce.number().int().min(min).max(7 * 86_400_000);

export const masterSettingsSchema = z
  .object({
    PortNumber: z.coerce.number().int().min(0).max(65535).default(8391),
    /** The catalog (SSIS: the SQL Server holding SSISDB). */
    SqlServerName: z.string().min(1).default(DEFAULT_CATALOG),
    SqlConnectionTimeoutInSecs: z.coerce.number().int().min(1).max(600).default(15),
    CleanupCompletedJobsIntervalInMs: ms(1000).default(43_200_000),
    DealWithExpiredTasksIntervalInMs: ms(100).default(300_000),
    MasterHeartbeatIntervalInMs: ms(1000).default(30_000),
    /** In place of SSLCertThumbprint: the master's certificate and key, PEM files. */
    SSLCertFile: z.string().min(1),
    SSLKeyFile: z.string().min(1),
    // Ours.
    ListenAddress: z.string().min(1).default('0.0.0.0'),
    /** The https://host:port workers are told (MASTER_ADDRESS when set); the master's own when empty. */
    PublicAddress: z.string().default(''),
    CompletedJobsMinutesToKeep: z.coerce.number().int().min(0).max(525_600).default(60),
    RetentionIntervalInMs: ms(1000).default(86_400_000),
    /** How long one master holds a sweep's lease; another takes the sweep over within this after the holder dies. */
    SweepLeaseInMs: ms(1000).default(60_000),
    StopGraceInMs: ms(0).default(120_000),
    /** The longest a task claim waits for work before answering "nothing". */
    LongPollMaxInMs: ms(0).default(30_000),
    /** Connections at once, in all; and from one client certificate (or from clients without one). */
    MaxConnections: z.coerce.number().int().min(1).max(1_000_000).default(4096),
    MaxConnectionsPerCertificate: z.coerce.number().int().min(1).max(100_000).default(256),
    /** A client has this long to send a request's headers, and this long for the whole request. */
    RequestHeadersTimeoutInMs: ms(1000).default(10_000),
    RequestBodyTimeoutInMs: ms(1000).default(30_000),
    /** SQL Server has no LISTEN/NOTIFY: one shared poll per master wakes the waiting claims. */
    DispatchPollIntervalInMs: ms(10).default(200),
    /** With the embedded catalog: the loopback port SQL clients reach it on (PostgreSQL wire protocol); -1 for none. */
    EmbeddedCatalogPort: z.coerce.number().int().min(-1).max(65535).default(8392),
    /** Where the private halves of the catalog's protection keys are (PostgreSQL and PGlite); empty: SCALEOUT_KEY_FOLDER, else the state folder's keys. */
    CatalogKeyFolder: z.string().default(''),
    /** Where rotated log files go besides stdout; empty: stdout only (journald, containers). */
    LogFolder: z.string().default(''),
    LogLevel: z.enum(LOG_LEVELS).default('info'),
    LogMaxFileBytes: z.coerce.number().int().min(4096).default(10 * 1024 * 1024),
    LogMaxFiles: z.coerce.number().int().min(1).max(1000).default(10),
  })
  .strict();

export type MasterSettings = z.infer<typeof masterSettingsSchema>;
export const MASTER_SETTING_KEYS = Object.keys(masterSettingsSchema.shape) as Array<keyof MasterSettings>;

export { SettingsError };

/** Reads the settings file (JSON), the environment and the flags' overrides, and validates them together. */
export function loadMasterSettings(options: SettingsSources = {}): MasterSettings {
  const env = options.env ?? process.env;
  // SCALEOUT_CATALOG names the catalog for every command; SCALEOUT_MASTER_SQLSERVERNAME wins over it.
  const extraEnv = env.SCALEOUT_CATALOG ? { SqlServerName: env.SCALEOUT_CATALOG } : {};
  return loadSettings('master', masterSettingsSchema, options, { keys: MASTER_SETTING_KEYS, envPrefix: 'SCALEOUT_MASTER_', extraEnv });
}
