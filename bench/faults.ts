/**
 * What survives breaking things: every scenario starts its own system (a private PostgreSQL cluster
 * in a temporary folder on loopback, or the embedded catalog; real masters and workers), runs node
 * and command packages that write numbered lines, breaks it while they run, and checks each
 * execution against the packages' own ledgers (bench/faults/harness.ts):
 *
 *   1. kill -9 of random workers (each restarted with the same id) over 300 executions
 *   2. kill -9 of the master holding the sweep leases, with two masters up
 *   3. the catalog stopped for 15 s mid-run (pg_ctl -m immediate)
 *   4. the embedded catalog's master killed and started again, and worker kills
 *   5. 300 and 1,000 long polls given up while the master claims for them
 *
 * Targets: 0 lost, 0 ran on two workers at once, 0 log lines lost or duplicated, completed twice
 * only when a worker died between its package's end and its report, re-run ≤ lease + sweep
 * interval + 1 s after a kill when a slot is free, 0 attempts burned by claims nobody received.
 *
 *   npm run bench:faults            (about 8 minutes; every loop is bounded in count and time)
 */

import { formatResult } from './faults/harness.ts';
import { abandonedPolls, catalogOutage, embeddedRestart, masterKill, workerKills, type Sizes } from './faults/scenarios.ts';

const FULL: Sizes = {
  executions: 300,
  workers: 4,
  maxTaskCount: 4,
  lines: 10,
  intervalMs: 100,
  kills: 40,
  outageMs: 15_000,
  polls: 1000,
  pollIdentities: 20,
  limitMs: 240_000,
};

async function main(): Promise<void> {
  const scenarios = [
    () => workerKills(FULL),
    () => masterKill({ ...FULL, executions: 120, workers: 3 }),
    () => catalogOutage({ ...FULL, executions: 120, workers: 3, lines: 20, intervalMs: 150 }),
    () => embeddedRestart({ ...FULL, executions: 120, workers: 3 }),
    // 300 polls: the master claims for many of them as they are given up. 1,000: as many TLS
    // clients as 2 cores can take, most given up before their request is even read.
    () => abandonedPolls({ ...FULL, polls: 300, executions: 150, lines: 3, intervalMs: 20 }),
    () => abandonedPolls({ ...FULL, executions: 150, lines: 3, intervalMs: 20 }),
  ];
  let missed = 0;
  for (const scenario of scenarios) {
    const { result, extra, burned } = await scenario();
    process.stdout.write(`${formatResult(result, extra)}\n\n`);
    const zeros = result.lost + result.wrongEnd.length + result.concurrent + result.completedTwice.unexplained + result.linesLost + result.linesDuplicated + (burned ?? 0);
    if (zeros > 0) missed++;
  }
  process.stdout.write(missed === 0 ? 'Every target met.\n' : `${missed} scenario(s) missed a target.\n`);
}

await main();
