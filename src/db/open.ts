/** Opens the catalog named by a --catalog / SCALEOUT_CATALOG text on the right backend. */

import { describeCatalogSpec, parseCatalogSpec, type CatalogSpec } from './catalog-spec.ts';
import type { CatalogDb } from './types.ts';

// Each driver is loaded only when its backend is used: a worker or a CLI call pays for one.

export interface OpenOptions {
  /** SqlConnectionTimeoutInSecs, in milliseconds. */
  readonly connectTimeoutMs?: number;
  readonly poolSize?: number;
}

export async function openCatalog(spec: string | CatalogSpec | undefined, options: OpenOptions = {}): Promise<CatalogDb> {
  const parsed = typeof spec === 'object' ? spec : parseCatalogSpec(spec ?? process.env.SCALEOUT_CATALOG);
  const description = describeCatalogSpec(parsed);
  switch (parsed.backend) {
    case 'pglite': {
      const { PgliteCatalogDb } = await import('./pglite.ts');
      const { FolderInUseError } = await import('./folder-lock.ts');
      try {
        return await PgliteCatalogDb.open(parsed.dataDir, description);
      } catch (error) {
        // Held by a running master: go through the endpoint it serves the catalog on.
        const { embeddedEndpointOf } = await import('./pglite-endpoint.ts');
        const url = error instanceof FolderInUseError && parsed.dataDir ? embeddedEndpointOf(parsed.dataDir) : undefined;
        if (!url) throw error;
        const { PgCatalogDb } = await import('./pg.ts');
        return new PgCatalogDb({ hostUrls: [url], readWrite: false, description: `${description}, through ${url}`, ...options, poolSize: Math.min(options.poolSize ?? 4, 4) });
      }
    }
    case 'pg': {
      const { PgCatalogDb } = await import('./pg.ts');
      return new PgCatalogDb({ hostUrls: parsed.hostUrls, readWrite: parsed.readWrite, description, ...options });
    }
    case 'mssql': {
      const { MssqlCatalogDb } = await import('./mssql.ts');
      return new MssqlCatalogDb(parsed.connectionString, description, options);
    }
  }
}
