/**
 * Hostile values for every argument of every procedure a worker, a master or a DBA calls: each is
 * refused with a numbered error that names the parameter and shows at most 100 characters of the
 * value, or taken as the procedure may take it — never an unnumbered error from the driver or the
 * server, never a 1 MB value stored. (npm run bench:security runs the larger set of values.)
 */

import { expect } from 'chai';
import { CONTRACT_VALUES, probeCatalog, tally } from '../../bench/security/catalog-probe.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';

forEachBackend('hostile input', (backend) => {
  const catalog = useCatalog(backend);

  it('every catalog procedure refuses a hostile argument with a numbered error, or takes it as it may', async function () {
    this.timeout(300_000);
    await catalog.db.call('catalog.enable_scaleout', {});
    const results = await probeCatalog(catalog.db, CONTRACT_VALUES);
    const wrong = results.filter((r) => r.outcome === 'crashed' || r.outcome === 'accepted wrongly');
    expect(wrong.map((r) => `${r.procedure} @${r.parameter} = ${r.value}: ${r.outcome} ${r.detail}`)).to.deep.equal([]);
    const counts = tally(results);
    // Most hostile values must be refused: a probe that reached nothing would pass the line above.
    expect(counts.refused).to.be.greaterThan(results.length / 2);
  });
});
