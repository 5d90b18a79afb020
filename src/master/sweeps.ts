/**
 * The master's periodic work. The master heartbeat runs on every master; each sweep (expired tasks,
 * completed-job cleanup, retention) runs only on the master holding that sweep's lease in the
 * catalog. Every master asks for every lease a few times per lease period, so when the holder dies
 * another master takes the sweep over soon after the lease expires.
 *
 * A sweep runs at its own interval (DealWithExpiredTasksIntervalInMs, ...), checked at least that
 * often; the expired-task sweep is fenced by its lease's epoch in the catalog, and tells the catalog
 * how long this master has reached it without a break (see reachability.ts).
 */

import { CatalogError } from '../catalog/errors.ts';
import { acquireSweepLease, masterHeartbeat, runBatchedSweep } from '../catalog/master-calls.ts';
import type { CatalogDb } from '../db/types.ts';
import type { Logger } from '../log/logger.ts';
import type { Metrics } from './metrics.ts';
import type { CatalogReachability } from './reachability.ts';
import type { MasterSettings } from './settings.ts';

interface Sweep {
  readonly name: string;
  readonly intervalMs: number;
  run(epoch: number): Promise<number>;
}

/** Tasks the expired-task sweep ends per transaction: each batch holds its rows briefly. */
const EXPIRED_TASKS_BATCH = 100;

export class SweepScheduler {
  private timers: NodeJS.Timeout[] = [];
  private held = new Map<string, number>();
  private nextRunAt = new Map<string, number>();
  private running = new Set<string>();
  private stopped = false;
  readonly sweeps: Sweep[];

  constructor(
    private readonly db: CatalogDb,
    private readonly masterId: string,
    private readonly settings: MasterSettings,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly onCatalogResult: (ok: boolean) => void,
    reachability: CatalogReachability,
  ) {
    this.sweeps = [
      {
        name: 'expired_tasks',
        intervalMs: settings.DealWithExpiredTasksIntervalInMs,
        run: (epoch) =>
          runBatchedSweep(
            db,
            'internal.dealwith_expired_tasks',
            () => ({ StopGraceMs: settings.StopGraceInMs, ReachableForMs: reachability.reachableForMs(), MasterId: masterId, Epoch: epoch }),
            EXPIRED_TASKS_BATCH,
          ),
      },
      {
        name: 'cleanup_completed_jobs',
        intervalMs: settings.CleanupCompletedJobsIntervalInMs,
        run: (epoch) => runBatchedSweep(db, 'internal.cleanup_completed_jobs', { minutesToKeep: settings.CompletedJobsMinutesToKeep, MasterId: masterId, Epoch: epoch }),
      },
      {
        name: 'retention',
        intervalMs: settings.RetentionIntervalInMs,
        run: (epoch) => runBatchedSweep(db, 'internal.cleanup_server_retention_window', { MasterId: masterId, Epoch: epoch }),
      },
    ];
  }

  /** How often each sweep's lease is asked for (and so the longest silence between this master's catalog calls). */
  static leaseTickMs(settings: MasterSettings): number {
    return Math.max(250, Math.floor(settings.SweepLeaseInMs / 4));
  }

  /** Sweeps whose lease this master holds now (for /healthz and tests). */
  heldSweeps(): string[] {
    return [...this.held.keys()].sort();
  }

  start(): void {
    const heartbeat = async () => {
      try {
        await masterHeartbeat(this.db, this.masterId);
        this.onCatalogResult(true);
      } catch (error) {
        this.onCatalogResult(false);
        this.log.warn('master heartbeat failed', { error });
      }
    };
    this.every(this.settings.MasterHeartbeatIntervalInMs, heartbeat);
    const leaseTick = SweepScheduler.leaseTickMs(this.settings);
    // A sweep due more often than the lease is renewed is checked at its own interval.
    for (const sweep of this.sweeps) this.every(Math.max(100, Math.min(leaseTick, sweep.intervalMs)), () => this.tick(sweep), true);
  }

  private every(intervalMs: number, fn: () => Promise<void>, runNow = false): void {
    const timer = setInterval(() => void fn(), intervalMs);
    timer.unref();
    this.timers.push(timer);
    if (runNow) void fn();
  }

  private async tick(sweep: Sweep): Promise<void> {
    if (this.stopped || this.running.has(sweep.name)) return;
    this.running.add(sweep.name);
    try {
      const lease = await acquireSweepLease(this.db, sweep.name, this.masterId, this.settings.SweepLeaseInMs);
      this.onCatalogResult(true);
      if (!lease.acquired) {
        if (this.held.delete(sweep.name)) this.log.warn('sweep lease lost to another master', { sweep: sweep.name, holder: lease.holderId });
        return;
      }
      if (!this.held.has(sweep.name)) this.log.info('sweep lease acquired', { sweep: sweep.name, epoch: lease.epoch });
      this.held.set(sweep.name, lease.epoch);
      const due = this.nextRunAt.get(sweep.name) ?? 0;
      if (Date.now() < due || this.stopped) return;
      const started = performance.now();
      const processed = await sweep.run(lease.epoch);
      this.onCatalogResult(true);
      const seconds = (performance.now() - started) / 1000;
      this.metrics.sweepDuration.observe({ sweep: sweep.name }, seconds);
      this.nextRunAt.set(sweep.name, Date.now() + sweep.intervalMs);
      if (processed > 0) this.log.info('sweep ran', { sweep: sweep.name, processed, seconds });
    } catch (error) {
      // A refusal by the catalog (51301: the lease moved on) says the catalog is there.
      if (error instanceof CatalogError) {
        if (error.number === 51301) this.held.delete(sweep.name);
        this.onCatalogResult(true);
      } else this.onCatalogResult(false);
      this.log.warn('sweep failed', { sweep: sweep.name, error });
    } finally {
      this.running.delete(sweep.name);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
