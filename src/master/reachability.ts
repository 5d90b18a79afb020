/**
 * How long this master has reached the catalog without a break. The expired-task sweep passes it
 * to the catalog (@ReachableForMs), which expires a lease only once its worker has had one full
 * lease of reachable catalog to renew it: after a catalog outage, a failover, or a master (or
 * embedded catalog) restart, workers renew first and nothing is expired under them.
 *
 * A failed call starts the count again; so does a gap between successful calls longer than
 * maxGapMs (an outage no call happened to see: the master calls the catalog at least every sweep
 * tick, so a longer silence means calls could not complete).
 */
export class CatalogReachability {
  private since: number | undefined;
  private lastOk = 0;

  constructor(private readonly maxGapMs: number) {}

  ok(): void {
    const now = performance.now();
    if (this.since === undefined || now - this.lastOk > this.maxGapMs) this.since = now;
    this.lastOk = now;
  }

  failed(): void {
    this.since = undefined;
  }

  /** Milliseconds of unbroken reachability up to the last successful call; 0 when none since a failure. */
  reachableForMs(): number {
    return this.since === undefined ? 0 : Math.max(0, Math.round(this.lastOk - this.since));
  }
}
