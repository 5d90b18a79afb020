/**
 * Who each client certificate is, as the catalog says (internal.identify_worker_agent), remembered
 * for at most IDENTITY_TTL_MS: a certificate the catalog stops trusting — its worker deleted, or
 * given another certificate — is refused by every master within five seconds. Refusals are
 * remembered as long, so a flood of requests from a stranger's certificate costs the catalog one
 * call every few seconds, and no request body of it is read.
 */

import { CatalogError } from '../catalog/errors.ts';
import { identifyWorkerAgent } from '../catalog/master-calls.ts';
import type { CatalogDb } from '../db/types.ts';

export const IDENTITY_TTL_MS = 4000;

export type Identity =
  /** workerAgentId null: trusted ahead of its worker's first registration. */
  | { readonly trusted: true; readonly workerAgentId: string | null; readonly isEnabled: boolean }
  | { readonly trusted: false; readonly refusal: CatalogError };

interface Entry {
  readonly identity: Promise<Identity>;
  readonly at: number;
}

export class Identities {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly db: CatalogDb) {}

  /** The certificate's identity, from the catalog at most IDENTITY_TTL_MS ago. */
  lookup(thumbprint: string): Promise<Identity> {
    const now = performance.now();
    const hit = this.entries.get(thumbprint);
    if (hit && now - hit.at < IDENTITY_TTL_MS) return hit.identity;
    const identity = identifyWorkerAgent(this.db, thumbprint).then(
      (r): Identity => ({ trusted: true, workerAgentId: r.workerAgentId, isEnabled: r.isEnabled }),
      (error: unknown): Identity => {
        // Only the catalog's refusal is remembered; an unreachable catalog is asked again next time.
        if (error instanceof CatalogError) return { trusted: false, refusal: error };
        this.entries.delete(thumbprint);
        throw error;
      },
    );
    this.entries.set(thumbprint, { identity, at: now });
    if (this.entries.size > 10_000) this.prune(now);
    return identity;
  }

  /** Forgets what is known of a certificate (a registration just changed it). */
  forget(thumbprint: string): void {
    this.entries.delete(thumbprint);
  }

  private prune(now: number): void {
    for (const [key, e] of this.entries) if (now - e.at >= IDENTITY_TTL_MS) this.entries.delete(key);
  }
}
