/**
 * The fault scenarios, each in a system of its own (harness.ts). Sizes are parameters: the benchmark
 * runs them large, the test suite small.
 */

import { call } from '../../test/support/master-process.ts';
import { FaultSystem, sleep, type ScenarioResult } from './harness.ts';

export interface Sizes {
  readonly executions: number;
  readonly workers: number;
  readonly maxTaskCount: number;
  readonly lines: number;
  readonly intervalMs: number;
  /** Worker kills at most (random workers, every 1 to 2.5 s while the run lasts). */
  readonly kills: number;
  readonly outageMs: number;
  readonly polls: number;
  readonly pollIdentities: number;
  /** How long a scenario may take before what is left counts as lost. */
  readonly limitMs: number;
}

export interface Outcome {
  readonly result: ScenarioResult;
  /** Figures of the scenario's own. */
  readonly extra: string[];
  /** Attempts burned by claims nobody received (the abandoned-polls scenario). */
  readonly burned?: number;
}

const RETRIES = 3;

async function run(
  name: string,
  system: FaultSystem,
  sizes: Sizes,
  faults: (ids: number[]) => Promise<string[] | void>,
  retry = RETRIES,
): Promise<Outcome> {
  try {
    const t0 = Date.now();
    const ids = await system.queue(sizes.executions, { lines: sizes.lines, intervalMs: sizes.intervalMs, retry });
    const extra = (await faults(ids)) ?? [];
    await system.waitEnded(ids, 1, Math.max(30_000, sizes.limitMs - (Date.now() - t0)));
    const result = await system.analyze(name, ids, retry + 1, t0);
    return { result, extra };
  } finally {
    await system.stop();
  }
}

/** Random kill -9 of workers (each restarted with the same id) while node and command packages run. */
export async function workerKills(sizes: Sizes): Promise<Outcome> {
  const system = await FaultSystem.start({ catalog: 'pg', masters: 1, workers: sizes.workers, maxTaskCount: sizes.maxTaskCount });
  return run('kill -9 of random workers (PostgreSQL)', system, sizes, async (ids) => {
    const chaos = system.chaos({ gapMs: [1000, 2500], downMs: [300, 1200], maxKills: sizes.kills });
    await system.waitEnded(ids, 0.95, sizes.limitMs);
    await chaos.stop();
  });
}

/** kill -9 of the master holding the sweep leases, with two masters serving the workers. */
export async function masterKill(sizes: Sizes): Promise<Outcome> {
  const system = await FaultSystem.start({ catalog: 'pg', masters: 2, workers: sizes.workers, maxTaskCount: sizes.maxTaskCount });
  return run('kill -9 of the sweep-holding master, two masters (PostgreSQL)', system, sizes, async (ids) => {
    await system.waitEnded(ids, 0.3, sizes.limitMs);
    await system.killSweepHolder();
  });
}

/** The catalog stopped as if it crashed, mid-run, for outageMs. */
export async function catalogOutage(sizes: Sizes): Promise<Outcome> {
  const system = await FaultSystem.start({ catalog: 'pg', masters: 1, workers: sizes.workers, maxTaskCount: sizes.maxTaskCount });
  return run(`catalog stopped for ${sizes.outageMs / 1000} s mid-run (PostgreSQL)`, system, sizes, async (ids) => {
    await system.waitEnded(ids, 0.3, sizes.limitMs);
    await system.catalogOutage(sizes.outageMs);
  });
}

/** The embedded catalog: its master (and so the catalog) killed and started again, and a few worker kills. */
export async function embeddedRestart(sizes: Sizes): Promise<Outcome> {
  const system = await FaultSystem.start({ catalog: 'embedded', masters: 1, workers: sizes.workers, maxTaskCount: sizes.maxTaskCount });
  return run('kill -9 of the master holding the embedded catalog, and of workers (PGlite)', system, sizes, async (ids) => {
    const chaos = system.chaos({ gapMs: [1500, 3000], downMs: [300, 1200], maxKills: Math.max(1, Math.floor(sizes.kills / 3)) });
    await system.waitEnded(ids, 0.3, sizes.limitMs);
    const m = await system.killSweepHolder();
    await sleep(1000);
    await system.restartMaster(m);
    await system.waitEnded(ids, 0.95, sizes.limitMs);
    await chaos.stop();
  });
}

/**
 * Long polls given up while the master claims for them: executions (without retries, so a burned
 * attempt shows) are queued while the polls come and go; one real worker runs them.
 */
export async function abandonedPolls(sizes: Sizes): Promise<Outcome> {
  const system = await FaultSystem.start({ catalog: 'pg', masters: 1, workers: 1, maxTaskCount: sizes.maxTaskCount });
  try {
    const t0 = Date.now();
    const durationMs = Math.min(60_000, sizes.limitMs / 3);
    const ids: number[] = [];
    const feeding = (async () => {
      // Work arrives while the polls wait, so claims are made for polls that are being given up.
      for (let i = 0; i < sizes.executions && Date.now() - t0 < durationMs; i++) {
        ids.push(...(await system.queue(1, { lines: sizes.lines, intervalMs: sizes.intervalMs, retry: 0 })));
        await sleep(durationMs / sizes.executions / 2);
      }
    })();
    const polls = await system.abandonPolls({ polls: sizes.polls, identities: sizes.pollIdentities, durationMs });
    await feeding;
    await system.waitEnded(ids, 1, Math.max(30_000, sizes.limitMs - (Date.now() - t0)));
    const rows = await system.db.query('SELECT count(*) AS n FROM catalog.executions WHERE execution_id = ANY($1::bigint[]) AND (status <> 7 OR executed_count <> 1)', [ids]);
    const burned = Number(rows[0]!.n);
    const metrics = (await call(system.masters[0]!.port, 'GET', '/metrics')).body.toString();
    const released = /^scaleout_master_tasks_released_total (\d+)/m.exec(metrics)?.[1] ?? '0';
    const result = await system.analyze(`${sizes.polls} long polls given up mid-claim (PostgreSQL)`, ids, 1, t0);
    const extra = [
      `long polls given up                 ${polls.abandoned} (answered with a task the agent then dropped, unacknowledged: ${polls.answeredWithTasks})`,
      `claims given back by the master     ${released}`,
      `executions not run exactly once     ${burned} of ${ids.length} (no retry: a burned attempt would end them)`,
    ];
    return { result, extra, burned };
  } finally {
    await system.stop();
  }
}

/**
 * Everything at once, small (the suite's fault test): random worker kills with two masters; the
 * sweep-holding master killed at a third of the run; the catalog stopped as if it crashed at two
 * thirds.
 */
export async function combined(sizes: Sizes): Promise<Outcome> {
  const system = await FaultSystem.start({ catalog: 'pg', masters: 2, workers: sizes.workers, maxTaskCount: sizes.maxTaskCount });
  return run('worker kills, the sweep holder killed, the catalog stopped (PostgreSQL)', system, sizes, async (ids) => {
    const chaos = system.chaos({ gapMs: [1000, 2500], downMs: [300, 1200], maxKills: sizes.kills });
    await system.waitEnded(ids, 0.3, sizes.limitMs);
    await system.killSweepHolder();
    await system.waitEnded(ids, 0.6, sizes.limitMs);
    await system.catalogOutage(sizes.outageMs);
    await system.waitEnded(ids, 0.95, sizes.limitMs);
    await chaos.stop();
  });
}
