/**
 * The fault harness behind `npm run bench:faults` and the short fault test in `npm test`. It starts
 * a whole system — its own catalog (a private PostgreSQL cluster, or the embedded catalog held by
 * the master), real master and worker processes — runs packages that write numbered lines and keep
 * a ledger of each attempt (bench/faults/project), breaks things while they run (kill -9 of workers
 * and masters, a catalog stopped as if it crashed, long polls given up mid-claim), and then checks
 * every execution against the ledgers:
 *
 *   lost               executions that never ended
 *   wrong end state    ended other than succeeded, or "ended unexpectedly" with attempts left
 *   ran concurrently   two attempts of one execution alive at the same time
 *   completed twice    more than one attempt ran to its end (and why: its worker died between
 *                      the package's end and its report, or unexplained)
 *   lines lost / dup.  a line an attempt wrote (its ledger says so) missing from the catalog, or
 *                      stored more than once
 *   re-run delay       from the kill of an attempt's worker to the next attempt's start
 *
 * Every loop is bounded in count and time.
 */

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCatalog } from '../../src/db/open.ts';
import type { CatalogDb } from '../../src/db/types.ts';
import { migrateUp } from '../../src/migrate/runner.ts';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import { packProject } from '../../src/project/pack.ts';
import { call, makeCerts, startMaster, type Certs, type MasterProcess } from '../../test/support/master-process.ts';
import { startWorker, type WorkerProcess } from '../../test/support/worker-process.ts';
import { PrivateCluster } from './cluster.ts';

export const LEASE_MS = 4000;
const SWEEP_MS = 1000;
/** The re-run target after a kill, when a slot is free: lease + sweep interval + 1 s. */
export const RERUN_TARGET_MS = LEASE_MS + SWEEP_MS + 1000;

const MASTER_SETTINGS = {
  MasterHeartbeatIntervalInMs: 1000,
  SweepLeaseInMs: 2000,
  DealWithExpiredTasksIntervalInMs: SWEEP_MS,
  LongPollMaxInMs: 5000,
  StopGraceInMs: 5000,
};

const WORKER_SETTINGS = {
  LeaseInterval: '00:00:04',
  TaskHeartbeatInterval: '00:00:01',
  AgentHeartbeatInterval: '00:00:01',
  LongPollInterval: '00:00:05',
  StopGraceInterval: '00:00:01',
  TaskRequestMaxCPU: 100,
  TaskRequestMinMemory: 0,
  TaskLogEnabled: false,
};

const ENDED = new Set([3, 4, 6, 7, 9]);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const between = (min: number, max: number) => min + Math.random() * (max - min);

export interface CompletedTwice {
  readonly total: number;
  /** Its first finished attempt's worker died between the package's end and its report. */
  readonly diedBeforeReport: number;
  /** No master answered, and the worker's clock ran the lease out just as the package ended. */
  readonly leaseRanOutAtEnd: number;
  readonly unexplained: number;
}

export interface ScenarioResult {
  readonly name: string;
  readonly executions: number;
  readonly attempts: number;
  readonly kills: number;
  readonly lost: number;
  readonly wrongEnd: string[];
  readonly concurrent: number;
  readonly completedTwice: CompletedTwice;
  readonly linesWritten: number;
  readonly linesLost: number;
  readonly linesDuplicated: number;
  /** From the kill of an attempt's worker until its task was back in the queue (the catalog's message). */
  readonly requeueDelaysMs: number[];
  /** From the kill until the next attempt started: the above, plus the wait for a free slot. */
  readonly rerunDelaysMs: number[];
  readonly seconds: number;
  readonly notes: string[];
}

interface Kill {
  readonly worker: string;
  readonly at: number;
}

interface LedgerAttempt {
  readonly execution: number;
  readonly attempt: number;
  readonly worker: string;
  readonly start: number;
  readonly beats: Map<number, number>;
  readonly end: number | undefined;
  /** The last sign of life: its end, or its last line. */
  readonly last: number;
}

export interface SystemOptions {
  readonly catalog: 'pg' | 'embedded';
  readonly masters: number;
  readonly workers: number;
  readonly maxTaskCount: number;
}

/** A running system: catalog, masters, workers, and the ledger folder its packages write to. */
export class FaultSystem {
  readonly kills: Kill[] = [];
  readonly notes: string[] = [];
  private readonly started = Date.now();

  private constructor(
    readonly options: SystemOptions,
    readonly certs: Certs,
    readonly ledger: string,
    readonly catalogSpec: string,
    public db: CatalogDb,
    readonly masters: MasterProcess[],
    readonly workers: WorkerProcess[],
    readonly cluster: PrivateCluster | undefined,
    private readonly embeddedDir: string | undefined,
  ) {}

  static async start(options: SystemOptions): Promise<FaultSystem> {
    const certs = makeCerts();
    const ledger = mkdtempSync(join(tmpdir(), 'scaleout-faults-ledger-'));
    let cluster: PrivateCluster | undefined;
    let embeddedDir: string | undefined;
    let catalogSpec: string;
    if (options.catalog === 'pg') {
      cluster = await PrivateCluster.create();
      catalogSpec = cluster.url;
    } else {
      embeddedDir = mkdtempSync(join(tmpdir(), 'scaleout-faults-embedded-'));
      catalogSpec = `pglite:${embeddedDir}`;
    }
    const setup = await openCatalog(catalogSpec);
    await migrateUp(setup);
    const packed = packProject(join(PROJECT_ROOT, 'bench', 'faults', 'project'));
    await setup.call('catalog.create_folder', { folder_name: 'faults' });
    await setup.call('catalog.deploy_project', { folder_name: 'faults', project_name: 'faults', project_stream: packed.bytes, manifest: packed.manifestText });
    if (embeddedDir) await setup.close();
    const masters: MasterProcess[] = [];
    for (let i = 0; i < options.masters; i++) masters.push(await startMaster(catalogSpec, certs, { ...MASTER_SETTINGS, EmbeddedCatalogPort: embeddedDir ? 0 : -1 }));
    const db = embeddedDir ? await openCatalog(catalogSpec) : setup;
    const ports = masters.map((m) => m.port);
    const workers = await Promise.all(
      Array.from({ length: options.workers }, (_, i) => startWorker(db, certs, ports, `fw${i + 1}`, { ...WORKER_SETTINGS, MaxTaskCount: options.maxTaskCount })),
    );
    return new FaultSystem(options, certs, ledger, catalogSpec, db, masters, workers, cluster, embeddedDir);
  }

  /** Queues executions: node packages (every fourth one busy in synchronous code) and commands in turn. */
  async queue(count: number, options: { lines: number; intervalMs: number; retry: number }): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < count; i++) {
      const command = i % 2 === 1;
      const r = await this.db.call('catalog.create_execution', { folder_name: 'faults', project_name: 'faults', package_name: command ? 'lines-cmd' : 'lines' });
      const id = Number(r.output.execution_id);
      const params: Record<string, string> = command
        ? { Lines: String(options.lines), IntervalSeconds: (options.intervalMs / 1000).toFixed(3), Ledger: this.ledger }
        : { Lines: String(options.lines), IntervalMs: String(options.intervalMs), Busy: String(i % 4 === 2), Ledger: this.ledger };
      for (const [name, value] of Object.entries(params)) {
        await this.db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 30, parameter_name: name, parameter_value: value });
      }
      await this.db.call('catalog.start_execution', { execution_id: id, retry_count: options.retry });
      ids.push(id);
    }
    return ids;
  }

  /** How many of the executions have ended (a catalog that is away counts as none). */
  async endedCount(ids: readonly number[]): Promise<number> {
    try {
      const rows = await this.db.query('SELECT count(*) AS n FROM internal.operations WHERE operation_id = ANY($1::bigint[]) AND status IN (3, 4, 6, 7, 9)', [ids]);
      return Number(rows[0]!.n);
    } catch {
      return 0;
    }
  }

  async waitEnded(ids: readonly number[], fraction: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.endedCount(ids)) >= Math.ceil(ids.length * fraction)) return true;
      await sleep(200);
    }
    return false;
  }

  /**
   * Kills a random running worker with kill -9 every gapMs, and starts each again (same id and state
   * folder) downMs later, in the background, until told to stop or maxKills is reached.
   */
  chaos(options: { gapMs: [number, number]; downMs: [number, number]; maxKills: number }): { stop(): Promise<void> } {
    let stopped = false;
    const down = new Set<WorkerProcess>();
    const restarts: Array<Promise<void>> = [];
    const loop = (async () => {
      for (let n = 0; n < options.maxKills && !stopped; n++) {
        await sleep(between(...options.gapMs));
        const up = this.workers.filter((w) => !down.has(w));
        if (stopped || up.length === 0) continue;
        const w = up[Math.floor(Math.random() * up.length)]!;
        down.add(w);
        await w.kill9();
        this.kills.push({ worker: w.name, at: Date.now() });
        restarts.push(
          sleep(between(...options.downMs))
            .then(() => w.restart())
            .finally(() => down.delete(w)),
        );
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        await loop;
        await Promise.all(restarts);
      },
    };
  }

  /** Kills the master holding the sweep leases (or the only one) with kill -9; returns it. */
  async killSweepHolder(): Promise<MasterProcess> {
    let holder = this.masters[0]!;
    for (const m of this.masters) {
      const h = await call(m.port, 'GET', '/healthz').catch(() => undefined);
      if (((h?.json.sweeps as string[] | undefined) ?? []).length > 0) holder = m;
    }
    await holder.kill9();
    this.notes.push(`killed the sweep-holding master ${holder.masterId.slice(0, 8)} at ${this.elapsed()} s`);
    return holder;
  }

  /** Starts a killed master again on its port (with the embedded catalog: the catalog comes back with it). */
  async restartMaster(m: MasterProcess): Promise<void> {
    const next = await startMaster(this.catalogSpec, this.certs, { ...MASTER_SETTINGS, PortNumber: m.port, EmbeddedCatalogPort: this.embeddedDir ? 0 : -1 });
    this.masters[this.masters.indexOf(m)] = next;
    if (this.embeddedDir) {
      await this.db.close().catch(() => undefined);
      this.db = await openCatalog(this.catalogSpec);
    }
    this.notes.push(`master started again at ${this.elapsed()} s`);
  }

  /** Stops the catalog as a crash would, for downMs, and starts it again. */
  async catalogOutage(downMs: number): Promise<void> {
    await this.cluster!.stop();
    const from = this.elapsed();
    await sleep(downMs);
    await this.cluster!.start();
    this.notes.push(`catalog stopped (pg_ctl -m immediate) from ${from} s to ${this.elapsed()} s`);
  }

  /**
   * Claims given up while the master makes them: `polls` concurrent long polls of simulated agents
   * (sharing `identities` worker ids, in a process of their own: ghosts.ts), each given up after 0
   * to 2.5 s of its 3 s wait, again and again for durationMs. A claim answered before the agent gave
   * up is dropped without an acknowledgement.
   */
  async abandonPolls(options: { polls: number; identities: number; durationMs: number }): Promise<{ abandoned: number; answeredWithTasks: number }> {
    const agents: Array<{ id: string; cert: ReturnType<Certs['worker']> }> = [];
    for (let i = 0; i < options.identities; i++) {
      const id = randomUUID();
      const cert = this.certs.worker(`ghost-${i}`);
      await this.db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: cert.thumbprint, IsEnabled: 1, MaxTaskCount: 1000 });
      await call(this.masters[0]!.port, 'POST', `/api/v1/agents/${id}/register`, { cert, body: { machineName: `ghost-${i}`, maxTaskCount: 1000 } });
      agents.push({ id, cert });
    }
    // The agents run in a process of their own: a thousand TLS clients would starve this one.
    const configFile = join(this.certs.dir, 'ghosts.json');
    writeFileSync(configFile, JSON.stringify({ ports: this.masters.map((m) => m.port), agents, polls: options.polls, durationMs: options.durationMs, leaseMs: LEASE_MS }));
    const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'faults', 'ghosts.ts'), configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`the simulated agents failed (exit code ${code})`);
    return JSON.parse(out.trim().split('\n').at(-1)!) as { abandoned: number; answeredWithTasks: number };
  }

  elapsed(): string {
    return ((Date.now() - this.started) / 1000).toFixed(1);
  }

  /** Checks every execution against the ledgers (see the header). */
  async analyze(name: string, ids: readonly number[], maxAttempts: number, startedAt: number): Promise<ScenarioResult> {
    const rows = await this.db.query('SELECT execution_id, status, executed_count FROM catalog.executions WHERE execution_id = ANY($1::bigint[])', [ids]);
    const messages = await this.db.query("SELECT operation_id, message FROM catalog.operation_messages WHERE operation_id = ANY($1::bigint[]) AND message LIKE 'exec %'", [ids]);
    const ledger = readLedger(this.ledger);
    const requeued = new Map<string, number>();
    const retries = await this.db.query(
      "SELECT operation_id, message_time, message FROM catalog.operation_messages WHERE operation_id = ANY($1::bigint[]) AND (message LIKE 'Attempt % lost its worker %' OR message LIKE 'Attempt % was ended when its worker %')",
      [ids],
    );
    for (const m of retries) {
      const n = /^Attempt (\d+) of/.exec(String(m.message))?.[1];
      if (n) requeued.set(`${m.operation_id}.${n}`, (m.message_time as Date).getTime());
    }
    const stored = new Map<string, number[]>();
    for (const m of messages) {
      const match = /^exec (\d+) attempt (\d+) n=(\d+)$/.exec(String(m.message));
      if (!match) continue;
      const key = `${match[1]}.${match[2]}`;
      stored.set(key, [...(stored.get(key) ?? []), Number(match[3])]);
    }
    let lost = 0;
    const wrongEnd: string[] = [];
    let concurrent = 0;
    let twice = 0;
    let diedBeforeReport = 0;
    let leaseRanOutAtEnd = 0;
    let linesWritten = 0;
    let linesLost = 0;
    let linesDuplicated = 0;
    const rerun: number[] = [];
    const requeue: number[] = [];
    for (const row of rows) {
      const id = Number(row.execution_id);
      const status = Number(row.status);
      const attempts = ledger.filter((a) => a.execution === id).sort((a, b) => a.start - b.start);
      if (!ENDED.has(status)) lost++;
      else if (status === 7 ? !attempts.some((a) => a.end !== undefined) : !(status === 6 && Number(row.executed_count) >= maxAttempts)) {
        wrongEnd.push(`${id}: status ${status}, ${row.executed_count} of ${maxAttempts} attempts, ${attempts.length} started`);
      }
      for (let i = 0; i < attempts.length; i++) {
        for (let j = i + 1; j < attempts.length; j++) if (attempts[j]!.start < attempts[i]!.last) concurrent++;
      }
      const finished = attempts.filter((a) => a.end !== undefined);
      if (finished.length > 1) {
        twice++;
        const first = finished[0]!;
        // The sentinel ends a dead worker's packages within moments: one may write its end just after.
        const died = this.kills.some((k) => k.worker === first.worker && k.at >= first.end! - 1000 && k.at <= first.end! + LEASE_MS + 2000);
        const leaseLost = !died && (await this.db.query("SELECT 1 FROM catalog.operation_messages WHERE operation_id = $1 AND message LIKE '%could not renew the task lease%'", [id])).length > 0;
        if (died) diedBeforeReport++;
        else if (leaseLost) leaseRanOutAtEnd++;
        // An unexplained one is always shown (it is what the next session has to go on).
        if (process.env.SCALEOUT_FAULTS_DEBUG || (!died && !leaseLost)) {
          const log = await this.db.query('SELECT message_time, message FROM catalog.operation_messages WHERE operation_id = $1 AND message NOT LIKE $2 ORDER BY operation_message_id', [id, 'exec %']);
          const [pkg] = await this.db.query('SELECT package_name FROM catalog.executions WHERE execution_id = $1', [id]);
          process.stderr.write(`completed twice${died || leaseLost ? '' : ' (unexplained)'}: ${id} (${String(pkg?.package_name)}) ${JSON.stringify(finished.map((f) => ({ w: f.worker, a: f.attempt, s: f.start, e: f.end })))} kills ${JSON.stringify(this.kills)}\n${log.map((l) => `  ${(l.message_time as Date).toISOString()} ${l.message}`).join('\n')}\n`);
        }
      }
      for (const a of attempts) {
        const written = [...a.beats.keys()];
        linesWritten += written.length;
        const got = stored.get(`${a.execution}.${a.attempt}`) ?? [];
        const seen = new Set(got);
        linesLost += written.filter((n) => !seen.has(n)).length;
        linesDuplicated += got.length - seen.size;
        if (a.end === undefined) {
          const kill = this.kills.find((k) => k.worker === a.worker && k.at >= a.start && k.at <= a.last + 1500);
          const next = attempts.find((b) => b.start > a.start);
          if (kill && next) rerun.push(next.start - kill.at);
          const back = requeued.get(`${a.execution}.${a.attempt}`);
          if (kill && back !== undefined) requeue.push(back - kill.at);
        }
      }
    }
    return {
      name,
      executions: ids.length,
      attempts: ledger.filter((a) => ids.includes(a.execution)).length,
      kills: this.kills.length,
      lost,
      wrongEnd,
      concurrent,
      completedTwice: { total: twice, diedBeforeReport, leaseRanOutAtEnd, unexplained: twice - diedBeforeReport - leaseRanOutAtEnd },
      linesWritten,
      linesLost,
      linesDuplicated,
      requeueDelaysMs: requeue.sort((a, b) => a - b),
      rerunDelaysMs: rerun.sort((a, b) => a - b),
      seconds: Math.round((Date.now() - startedAt) / 100) / 10,
      notes: this.notes,
    };
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.kill9().catch(() => undefined)));
    await Promise.all(this.masters.map((m) => m.kill9().catch(() => undefined)));
    await this.db.close().catch(() => undefined);
    await this.cluster?.destroy();
    this.certs.cleanup();
    rmSync(this.ledger, { recursive: true, force: true });
    if (this.embeddedDir) rmSync(this.embeddedDir, { recursive: true, force: true });
  }
}

function readLedger(folder: string): LedgerAttempt[] {
  const out: LedgerAttempt[] = [];
  for (const name of readdirSync(folder)) {
    const m = /^(\d+)\.(\d+)$/.exec(name);
    if (!m) continue;
    let worker = '';
    let start = 0;
    let end: number | undefined;
    const beats = new Map<number, number>();
    for (const line of readFileSync(join(folder, name), 'utf8').split('\n')) {
      const [kind, a, b] = line.trim().split(' ');
      if (kind === 'start') {
        start = Number(a);
        worker = b ?? '';
      } else if (kind === 'beat') beats.set(Number(a), Number(b));
      else if (kind === 'end') end = Number(a);
    }
    const last = Math.max(start, end ?? 0, ...beats.values());
    out.push({ execution: Number(m[1]), attempt: Number(m[2]), worker, start, beats, end, last });
  }
  return out;
}

/** One line per figure, as the benchmark prints it. */
export function formatResult(r: ScenarioResult, extra: string[] = []): string {
  const delays = (list: readonly number[], target: boolean) => {
    if (list.length === 0) return 'no attempt was killed mid-run';
    const p50 = list[Math.floor(0.5 * list.length)]!;
    const above = target ? ` (target ≤ ${RERUN_TARGET_MS / 1000} s: ${list.filter((d) => d > RERUN_TARGET_MS).length} above)` : '';
    return `p50 ${(p50 / 1000).toFixed(1)} s, max ${(list.at(-1)! / 1000).toFixed(1)} s over ${list.length}${above}`;
  };
  return [
    `## ${r.name} — ${r.executions} executions, ${r.attempts} attempts, ${r.kills} worker kills, ${r.seconds} s`,
    ...r.notes.map((n) => `   ${n}`),
    `   executions lost                     ${r.lost}`,
    `   wrong end state                     ${r.wrongEnd.length}${r.wrongEnd.length ? ` (${r.wrongEnd.slice(0, 3).join('; ')})` : ''}`,
    `   ran on two workers at the same time ${r.concurrent}`,
    `   completed twice                     ${r.completedTwice.total} (worker died between the package's end and its report: ${r.completedTwice.diedBeforeReport}; lease ran out by the worker's clock as the package ended: ${r.completedTwice.leaseRanOutAtEnd}; unexplained: ${r.completedTwice.unexplained})`,
    `   log lines lost / duplicated         ${r.linesLost} / ${r.linesDuplicated} of ${r.linesWritten} written`,
    `   back in the queue after a kill      ${delays(r.requeueDelaysMs, true)}`,
    `   next attempt started after a kill   ${delays(r.rerunDelaysMs, false)} (includes waiting for a free slot)`,
    ...extra.map((e) => `   ${e}`),
  ].join('\n');
}
