/** Opens the catalog named by a --catalog / SCALEOUT_CATALOG text on the right backend. */

import { describeCatalogSpec, parseCatalogSpec, type CatalogSpec } from './catalog-spec.ts';
import { MssqlCatalogDb } from './mssql.ts';
import { PgCatalogDb } from './pg.ts';
import { PgliteCatalogDb } from './pglite.ts';
import type { CatalogDb } from './types.ts';

export interface OpenOptions {
  /** SqlConnectionTimeoutInSecs, in milliseconds. */
  readonly connectTimeoutMs?: number;
  readonly poolSize?: number;
}

export async function openCatalog(spec: string | CatalogSpec | undefined, options: OpenOptions = {}): Promise<CatalogDb> {
  const parsed = typeof spec === 'object' ? spec : parseCatalogSpec(spec ?? process.env.SCALEOUT_CATALOG);
  const description = describeCatalogSpec(parsed);
  switch (parsed.backend) {
    case 'pglite':
      return PgliteCatalogDb.open(parsed.dataDir, description);
    case 'pg':
      return new PgCatalogDb({ hostUrls: parsed.hostUrls, readWrite: parsed.readWrite, description, ...options });
    case 'mssql':
      return new MssqlCatalogDb(parsed.connectionString, description, options);
  }
}
