/**
 * Wakes long-polling task claims when work may be there. On PostgreSQL and PGlite,
 * catalog.start_execution NOTIFYs 'scaleout_tasks'; on SQL Server (no LISTEN/NOTIFY) one shared
 * poll per master (internal.count_newly_ready_tasks) stands in for it, instead of each worker
 * polling the catalog.
 *
 * A notification wakes ONE waiting claim, not all of them (1,000 idle workers must not all hit the
 * catalog for one new task). The woken claim hands the wake-up on — a baton — when it filled its
 * batch (there may be more), or when it found nothing and the work may be for another worker only
 * (a "targeted" task: chosen workers, required tags, a retry avoiding the worker it failed on): the
 * next waiter in line tries, up to once per waiter that was waiting when the notification came.
 * For an "open" task, which any worker may run, a claim that finds nothing ends the chain: someone
 * already has it. (Without that, each task for any worker cost one futile claim per idle worker.)
 */

import type { CatalogDb } from '../db/types.ts';
import type { Logger } from '../log/logger.ts';

/** While the shared poll keeps failing, it says so at most this often. */
const POLL_FAILURE_LOG_EVERY_MS = 60_000;

interface Waiter {
  wake(baton: Baton): void;
  /** The worker agent whose claim waits, when known. */
  readonly worker?: string;
}

/** A wake-up that may be handed on to the next waiter, a bounded number of times. */
export interface Baton {
  hops: number;
  /** The work is for any worker: a claim that finds nothing need not hand the wake-up on. */
  open: boolean;
}

export class Dispatcher {
  private waiters = new Set<Waiter>();
  private stopListening: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private failingSince: number | undefined;
  private failureLoggedAt = 0;

  constructor(
    private readonly db: CatalogDb,
    private readonly pollIntervalMs: number,
    private readonly log?: Logger,
    private readonly onPollFailure?: () => void,
  ) {}

  get waiting(): number {
    return this.waiters.size;
  }

  async start(): Promise<void> {
    if (this.db.listen) this.stopListening = await this.db.listen('scaleout_tasks', (payload) => this.notify(String(payload ?? '').startsWith('open ')));
    // Also one shared poll per master: on SQL Server it stands in for notifications; everywhere it
    // catches tasks whose retry delay ran out (no NOTIFY marks the end of a backoff).
    this.timer = setInterval(() => void this.poll(), this.pollIntervalMs);
    this.timer.unref();
  }

  private since: Date | undefined;
  private polling = false;

  /** Asks the catalog whether tasks became ready since the last poll, while claims wait. */
  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    if (this.waiters.size === 0) {
      this.since = undefined;
      return;
    }
    this.polling = true;
    try {
      // With LISTEN/NOTIFY every other readiness is heard (on the embedded catalog, also a start
      // made by a client of its endpoint: the endpoint hands it on); SQL Server has none.
      const delayedOnly = this.db.capabilities.listenNotify;
      const r = await this.db.call('internal.count_newly_ready_tasks', { Since: this.since ?? new Date(0), DelayedOnly: delayedOnly }, { idempotent: true });
      this.since = r.output.readat as Date;
      // The count does not say for which workers: every waiter may need to look.
      if (Number(r.output.newlyready) > 0) this.notify(false);
      if (this.failingSince !== undefined) {
        this.log?.info('dispatch poll works again', { failedForMs: Date.now() - this.failingSince });
        this.failingSince = undefined;
      }
    } catch (error) {
      // The next tick asks again; meanwhile tasks reach waiting workers only at their long polls'
      // deadlines, so a poll that keeps failing (an unreachable catalog, or a procedure the server
      // refuses) is said, and counted, not swallowed.
      this.onPollFailure?.();
      const now = Date.now();
      this.failingSince ??= now;
      if (now - this.failureLoggedAt >= POLL_FAILURE_LOG_EVERY_MS) {
        this.failureLoggedAt = now;
        this.log?.warn('dispatch poll failed: new tasks reach waiting workers only at their long polls\' deadlines until it works again', {
          error: (error as Error).message,
          failingForMs: now - this.failingSince,
        });
      }
    } finally {
      this.polling = false;
    }
  }

  /**
   * A promise for the next wake-up, taken BEFORE the claim it guards, so that a notification that
   * arrives while the claim runs is not missed. Resolves with the baton, or undefined on timeout
   * or when the dispatcher closes.
   */
  nextWake(timeoutMs: number, worker?: string): { promise: Promise<Baton | undefined>; cancel: () => Baton | undefined } {
    let done!: (baton: Baton | undefined) => void;
    let received: Baton | undefined;
    const promise = new Promise<Baton | undefined>((resolve) => (done = resolve));
    const waiter: Waiter = { wake: (baton) => finish(baton), worker };
    const timer = setTimeout(() => finish(undefined), Math.max(0, timeoutMs));
    let finished = false;
    const finish = (baton: Baton | undefined) => {
      if (finished) return;
      finished = true;
      received = baton;
      clearTimeout(timer);
      this.waiters.delete(waiter);
      done(this.closed ? undefined : baton);
    };
    if (this.closed) finish(undefined);
    else this.waiters.add(waiter);
    // cancel() gives back a wake-up that arrived before it, so that the caller can hand it on.
    return {
      promise,
      cancel: () => {
        finish(undefined);
        return received;
      },
    };
  }

  /** New work may be there: wake the longest-waiting claim, with enough hops to try every waiter. */
  notify(open = false): void {
    this.passOn({ hops: this.waiters.size, open });
  }

  /** Hands a wake-up to the next waiter in line, if it has hops left. */
  passOn(baton: Baton): void {
    if (baton.hops <= 0) return;
    const next = this.waiters.values().next();
    if (next.done) return;
    next.value.wake({ hops: baton.hops - 1, open: baton.open });
  }

  /**
   * A worker's tasks ended (reported or given back): its waiting claims look again. A claim finds
   * nothing while the worker holds as many tasks as the catalog's MaxTaskCount for it allows —
   * fewer, maybe, than the worker's own setting asks for — and no notification says that its
   * tasks ended; without this it would wait out its long poll (30 s) with its slots free.
   */
  slotsFreed(worker: string): void {
    for (const w of [...this.waiters]) if (w.worker === worker) w.wake({ hops: 0, open: false });
  }

  /** Wakes every waiter (shutdown). */
  wakeAll(): void {
    for (const w of [...this.waiters]) w.wake({ hops: 0, open: false });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.wakeAll();
    await this.stopListening?.();
  }
}
