/**
 * One way to name a catalog everywhere (flag --catalog, env SCALEOUT_CATALOG):
 *   - a SQL Server connection string: Server=host,1433;Database=SSISDB;User Id=...;Password=...
 *   - a PostgreSQL URL, multi-host allowed: postgres://u:p@h1:5432,h2:5432/db?target_session_attrs=read-write
 *   - pglite:PATH for the embedded catalog in a data folder (pglite:memory: for a throwaway one)
 */

export const DEFAULT_CATALOG = 'pglite:./.scaleout/catalog';

export type CatalogSpec =
  | { readonly backend: 'mssql'; readonly connectionString: string }
  | { readonly backend: 'pg'; readonly hostUrls: readonly string[]; readonly readWrite: boolean; readonly url: string }
  | { readonly backend: 'pglite'; readonly dataDir: string | undefined };

export class CatalogSpecError extends Error {
  override readonly name = 'CatalogSpecError';
}

const MSSQL_SERVER_KEY = /(^|;)\s*(server|data source|address|addr|network address)\s*=/i;

export function parseCatalogSpec(text: string | undefined): CatalogSpec {
  const spec = (text ?? '').trim() || DEFAULT_CATALOG;
  if (spec.startsWith('pglite:')) {
    const dir = spec.slice('pglite:'.length);
    if (dir === '' || dir === 'memory:' || dir === 'memory') return { backend: 'pglite', dataDir: undefined };
    return { backend: 'pglite', dataDir: dir };
  }
  if (/^postgres(ql)?:\/\//i.test(spec)) return parsePostgresUrl(spec);
  if (MSSQL_SERVER_KEY.test(spec)) return { backend: 'mssql', connectionString: spec };
  throw new CatalogSpecError(
    `The catalog "${describeCatalogSpecText(spec)}" is not understood. Give a SQL Server connection string ` +
      `(Server=host,1433;Database=SSISDB;...), a postgres:// URL, or pglite:PATH.`,
  );
}

/**
 * Splits a libpq-style multi-host URL into one single-host URL per host (node-postgres takes one host),
 * keeping user, password, database and every query option except target_session_attrs.
 */
function parsePostgresUrl(url: string): CatalogSpec {
  const m = /^(postgres(?:ql)?):\/\/(?:([^@/]*)@)?([^/?#]*)(\/[^?#]*)?(\?[^#]*)?$/i.exec(url);
  if (!m) throw new CatalogSpecError(`The PostgreSQL URL "${redactUrl(url)}" is malformed.`);
  const [, scheme, userinfo, hostlist, path, query] = m;
  const params = new URLSearchParams((query ?? '').slice(1));
  const attrs = params.get('target_session_attrs') ?? 'any';
  if (!['any', 'read-write', 'primary'].includes(attrs)) {
    throw new CatalogSpecError(`target_session_attrs=${attrs} is not supported; use read-write or any.`);
  }
  params.delete('target_session_attrs');
  const rest = params.toString();
  const hosts = (hostlist ?? '').split(',').filter((h) => h.length > 0);
  if (hosts.length === 0) hosts.push('localhost');
  const hostUrls = hosts.map(
    (h) => `${scheme}://${userinfo ? `${userinfo}@` : ''}${h}${path ?? ''}${rest ? `?${rest}` : ''}`,
  );
  return { backend: 'pg', hostUrls, readWrite: attrs !== 'any', url };
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

function redactConnectionString(cs: string): string {
  return cs.replace(/((?:^|;)\s*(?:password|pwd)\s*=)\s*('[^']*'|"[^"]*"|\{[^}]*\}|[^;]*)/gi, '$1***');
}

function describeCatalogSpecText(text: string): string {
  return redactConnectionString(redactUrl(text));
}

/** The catalog's location for logs and messages, with any password hidden. */
export function describeCatalogSpec(spec: CatalogSpec): string {
  switch (spec.backend) {
    case 'mssql':
      return `SQL Server (${redactConnectionString(spec.connectionString)})`;
    case 'pg':
      return `PostgreSQL (${redactUrl(spec.url)})`;
    case 'pglite':
      return spec.dataDir ? `embedded PGlite (${spec.dataDir})` : 'embedded PGlite (in memory)';
  }
}
