/** The SQL Server database options a catalog needs, said before the first step runs. */

import { expect } from 'chai';
import { databaseOptionProblems } from '../../src/migrate/database-options.ts';

describe('SQL Server database options', () => {
  it('accept compatibility level 130 and above, with any collation', () => {
    expect(databaseOptionProblems({ name: 'SSISDB', compatibilityLevel: 150, collation: 'SQL_Latin1_General_CP1_CI_AS' })).to.deep.equal([]);
    expect(databaseOptionProblems({ name: 'SSISDB', compatibilityLevel: 130, collation: 'Latin1_General_100_CI_AS_SC_UTF8' })).to.deep.equal([]);
  });

  it('refuse a level under 130, saying what to run', () => {
    const problems = databaseOptionProblems({ name: 'SSISDB', compatibilityLevel: 120, collation: 'SQL_Latin1_General_CP1_CI_AS' });
    expect(problems).to.have.length(1);
    expect(problems[0]).to.match(/compatibility level 120.*ALTER DATABASE \[SSISDB\] SET COMPATIBILITY_LEVEL = 150/);
  });
});
