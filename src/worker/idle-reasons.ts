/**
 * Why the worker takes no task now — its CPU or memory gate, every slot busy, or disabled in the
 * catalog — said in the log at most once a minute per reason, so that a wait always has a cause
 * an operator can read (and, where there is one, the command that ends it).
 */

import type { Logger } from '../log/logger.ts';

export type IdleReason = 'cpu' | 'memory' | 'slots' | 'disabled';

export class IdleReasons {
  private readonly saidAt = new Map<IdleReason, number>();

  constructor(
    private readonly log: Logger,
    private readonly everyMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The reason holds now: said unless it was said less than a minute ago. */
  note(reason: IdleReason, message: string, fields: Record<string, unknown> = {}, level: 'info' | 'warn' = 'info'): void {
    const at = this.now();
    const last = this.saidAt.get(reason);
    if (last !== undefined && at - last < this.everyMs) return;
    this.saidAt.set(reason, at);
    this.log[level](message, { reason, ...fields });
  }

  /** The reason no longer holds: it is said at once when it comes back. */
  clear(reason: IdleReason): void {
    this.saidAt.delete(reason);
  }
}
