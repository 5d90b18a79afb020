import { expect } from 'chai';
import { CatalogSpecError, DEFAULT_CATALOG, describeCatalogSpec, parseCatalogSpec } from '../../src/db/catalog-spec.ts';

describe('naming a catalog', () => {
  it('defaults to the embedded catalog in ./.scaleout/catalog', () => {
    expect(DEFAULT_CATALOG).to.equal('pglite:./.scaleout/catalog');
    expect(parseCatalogSpec(undefined)).to.deep.equal({ backend: 'pglite', dataDir: './.scaleout/catalog' });
    expect(parseCatalogSpec('pglite:memory:')).to.deep.equal({ backend: 'pglite', dataDir: undefined });
  });

  it('reads a SQL Server connection string and hides its password', () => {
    const cs = 'Server=sql1,1433;Database=SSISDB;User Id=sa;Password=p;w;Encrypt=true;TrustServerCertificate=true';
    const spec = parseCatalogSpec(cs);
    expect(spec.backend).to.equal('mssql');
    expect(describeCatalogSpec(spec)).to.equal('SQL Server (Server=sql1,1433;Database=SSISDB;User Id=sa;Password=***;w;Encrypt=true;TrustServerCertificate=true)');
    expect(parseCatalogSpec('Data Source=ag-listener,1433;Initial Catalog=SSISDB;Integrated Security=true').backend).to.equal('mssql');
  });

  it('splits a multi-host PostgreSQL URL into one URL per host and keeps the other options', () => {
    const spec = parseCatalogSpec('postgres://u:secret@h1:5432,h2:5433/ssisdb?target_session_attrs=read-write&sslmode=require');
    expect(spec).to.deep.include({
      backend: 'pg',
      readWrite: true,
      hostUrls: ['postgres://u:secret@h1:5432/ssisdb?sslmode=require', 'postgres://u:secret@h2:5433/ssisdb?sslmode=require'],
    });
    expect(describeCatalogSpec(spec)).to.equal('PostgreSQL (postgres://u:***@h1:5432,h2:5433/ssisdb?target_session_attrs=read-write&sslmode=require)');
  });

  it('refuses what it does not understand, without echoing a password', () => {
    expect(() => parseCatalogSpec('mysql://u:pw@x/db')).to.throw(CatalogSpecError, /not understood/);
    expect(() => parseCatalogSpec('postgres://u:pw@h/db?target_session_attrs=standby')).to.throw(CatalogSpecError, /not supported/);
  });
});
