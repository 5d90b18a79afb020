/**
 * Holds the leases of every attempt a worker has: renews them all in one request every
 * TaskHeartbeatInterval (tasks:renew), and tells each attempt what happened to its lease — a stop
 * was requested, the lease was taken over, or it ran out by the worker's own clock. The first
 * renewal of a claim is its acknowledgement: no package starts before it (a claim never
 * acknowledged costs no attempt, so one that kills its worker must be acknowledged first).
 * Acknowledgements go at once, with only the leases half a heartbeat or more past their last
 * renewal beside them: a busy worker acknowledges a claim per few packages, and renewing every
 * lease it holds each time made the catalog update ten task rows per package at ten slots.
 *
 * The worker's clock and the catalog's are never compared. The catalog extends a lease to its own
 * time of the renewal plus LeaseInterval, and it received the renewal after the worker sent it; so
 * on the worker's monotonic clock the lease lasts at least LeaseInterval from the moment the
 * renewal was sent. The worker counts it as lasting LeaseInterval less a margin (a quarter of it,
 * between 0.5 s and 10 s), and stops the package when that runs out without an accepted renewal.
 * What this assumes is only that the two clocks advance at the same rate within that margin over
 * one lease — not that they agree on the time.
 */

import type { Logger } from '../log/logger.ts';
import { MasterError, type MasterClient } from './master-client.ts';

/** How much sooner than the catalog the worker considers a lease gone. */
export function leaseMarginMs(leaseMs: number): number {
  return Math.min(10_000, Math.max(500, Math.floor(leaseMs / 4)));
}

export type LeaseLoss = 'lease_lost' | 'lease_expired';

export interface LeaseEvents {
  /** A DBA stopped the execution (catalog.stop_operation). */
  onCancel(): void;
  /**
   * The lease is gone: taken over (the catalog refused it: no longer renewed), or run out by the
   * worker's clock (still renewed until released, in case the catalog kept it through an outage).
   */
  onLost(reason: LeaseLoss): void;
  /** No renewal was accepted for HeartbeatErrorTolerance. */
  onUnreachable(): void;
}

export interface LeaseHandle {
  /** True once the first renewal was accepted; false when the lease was lost before that. */
  readonly acknowledged: Promise<boolean>;
  /** Stop renewing (the outcome is recorded, or there is nothing left to hold it for). */
  release(): void;
}

interface Held {
  readonly taskId: string;
  readonly leaseToken: string;
  readonly events: LeaseEvents;
  /** Monotonic time until which the lease is this worker's, by its own clock. */
  validUntil: number;
  lastAccepted: number;
  acknowledged: boolean;
  resolveAck: (ok: boolean) => void;
  unreachableTold: boolean;
  expiredTold: boolean;
}

export interface LeaseKeeperOptions {
  readonly client: MasterClient;
  readonly agentId: string;
  readonly leaseMs: number;
  readonly heartbeatMs: number;
  readonly toleranceMs: number;
  readonly log: Logger;
}

export class LeaseKeeper {
  private readonly held = new Map<string, Held>();
  private timer: NodeJS.Timeout | undefined;
  private watch: NodeJS.Timeout | undefined;
  private inFlight = false;
  /** What to renew once the request in flight is answered: acknowledgements, or every lease. */
  private again: 'due' | 'all' | undefined;
  private soon: NodeJS.Immediate | undefined;
  private readonly margin: number;

  constructor(private readonly options: LeaseKeeperOptions) {
    this.margin = leaseMarginMs(options.leaseMs);
  }

  start(): void {
    this.timer = setInterval(() => void this.renew('all'), this.options.heartbeatMs);
    this.watch = setInterval(() => this.checkDeadlines(), Math.min(100, this.options.heartbeatMs));
  }

  stop(): void {
    clearInterval(this.timer);
    clearInterval(this.watch);
    if (this.soon) clearImmediate(this.soon);
    for (const h of this.held.values()) h.resolveAck(false);
    this.held.clear();
  }

  /** Leases held now. */
  get size(): number {
    return this.held.size;
  }

  /**
   * Starts holding a lease. A claim just received is acknowledged at once (leases held together
   * go in one request); `acknowledged` skips that for a lease the worker acknowledged before.
   */
  hold(taskId: string, leaseToken: string, events: LeaseEvents, options: { acknowledged?: boolean } = {}): LeaseHandle {
    let resolveAck!: (ok: boolean) => void;
    const acknowledged = new Promise<boolean>((r) => (resolveAck = r));
    const now = performance.now();
    const h: Held = {
      taskId,
      leaseToken,
      events,
      validUntil: now + this.options.leaseMs - this.margin,
      lastAccepted: now,
      acknowledged: options.acknowledged === true,
      resolveAck,
      unreachableTold: false,
      expiredTold: false,
    };
    if (h.acknowledged) resolveAck(true);
    this.held.set(taskId, h);
    if (!h.acknowledged) this.soon ??= setImmediate(() => {
      this.soon = undefined;
      void this.renew('due');
    });
    return {
      acknowledged,
      release: () => {
        if (this.held.get(taskId) === h) this.held.delete(taskId);
        resolveAck(false);
      },
    };
  }

  /**
   * One request renewing every lease held ('all'), or the claims not acknowledged yet and the
   * leases half a heartbeat past their last renewal ('due'); a renewal asked for while one runs
   * follows it.
   */
  private async renew(scope: 'due' | 'all'): Promise<void> {
    if (this.inFlight) {
      if (this.again !== 'all') this.again = scope;
      return;
    }
    const since = performance.now() - this.options.heartbeatMs / 2;
    const leases = [...this.held.values()].filter((h) => scope === 'all' || !h.acknowledged || h.lastAccepted <= since);
    if (leases.length === 0) return;
    this.inFlight = true;
    const sentAt = performance.now();
    try {
      const results = await this.options.client.renewLeases(
        this.options.agentId,
        leases.map((h) => ({ taskId: h.taskId, leaseToken: h.leaseToken })),
        this.options.leaseMs,
      );
      results.forEach((r, i) => {
        const h = leases[i]!;
        if (this.held.get(h.taskId) !== h) return; // released meanwhile
        if (r.errorNumber !== null) {
          this.lose(h, 'lease_lost');
          return;
        }
        h.validUntil = sentAt + this.options.leaseMs - this.margin;
        h.lastAccepted = sentAt;
        h.unreachableTold = false;
        h.expiredTold = false;
        if (!h.acknowledged) {
          h.acknowledged = true;
          h.resolveAck(true);
        }
        if (r.isCancelled) h.events.onCancel();
      });
    } catch (error) {
      // A 4xx other than a refused certificate is a bug on one side: log it; the deadlines act
      // as for a master that does not answer.
      if (error instanceof MasterError && error.status < 500 && error.status !== 403) this.options.log.error('task lease renewal refused', { error });
      else this.options.log.warn('task lease renewal failed', { error, leases: leases.length });
    } finally {
      this.inFlight = false;
      const again = this.again;
      this.again = undefined;
      if (again) void this.renew(again);
    }
  }

  private checkDeadlines(): void {
    const now = performance.now();
    for (const h of [...this.held.values()]) {
      if (now > h.validUntil) {
        if (h.expiredTold) continue;
        h.expiredTold = true;
        h.resolveAck(false);
        h.events.onLost('lease_expired');
      } else if (!h.unreachableTold && now - h.lastAccepted > this.options.toleranceMs) {
        h.unreachableTold = true;
        h.events.onUnreachable();
      }
    }
  }

  private lose(h: Held, reason: LeaseLoss): void {
    this.held.delete(h.taskId);
    h.resolveAck(false);
    h.events.onLost(reason);
  }
}
