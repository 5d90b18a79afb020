/**
 * Worker agents end to end: one real master, two real worker processes, the example packages of
 * test/fixtures/e2e-project, and the catalog procedures a DBA would call. Runs on the embedded
 * catalog (PGlite, held by the master and reached through the endpoint it serves), PostgreSQL, and
 * SQL Server when reachable.
 */

import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCatalog } from '../../src/db/open.ts';
import { migrateUp } from '../../src/migrate/runner.ts';
import type { CatalogDb } from '../../src/db/types.ts';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import { packProject } from '../../src/project/pack.ts';
import { INSTANCE_VARIABLE, processStartTicks } from '../../src/worker/process-guard.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { call, makeCerts, startMaster, type Certs, type MasterProcess } from '../support/master-process.ts';
import { waitFor } from '../support/wait.ts';
import { startWorker, type WorkerProcess } from '../support/worker-process.ts';

const FIXTURE = join(PROJECT_ROOT, 'test', 'fixtures', 'e2e-project');
const FOLDER = 'worker_tests';
const FAST_MASTER = { MasterHeartbeatIntervalInMs: 1000, SweepLeaseInMs: 3000, DealWithExpiredTasksIntervalInMs: 500, LongPollMaxInMs: 5000, StopGraceInMs: 2000 };

interface Run {
  readonly parameters?: Record<string, string | number | boolean>;
  readonly packageParameters?: Record<string, string | number | boolean>;
  readonly retry?: number;
  /** Only this worker agent may run it. */
  readonly worker?: string;
}

async function startExecution(db: CatalogDb, pkg: string, run: Run = {}): Promise<number> {
  const r = await db.call('catalog.create_execution', { folder_name: FOLDER, project_name: 'e2e', package_name: pkg, useanyworker: run.worker === undefined });
  const id = Number(r.output.execution_id);
  if (run.worker) await db.call('catalog.add_execution_worker', { execution_id: id, workeragent_id: run.worker });
  for (const [name, value] of Object.entries(run.parameters ?? {})) {
    await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 20, parameter_name: name, parameter_value: String(value) });
  }
  for (const [name, value] of Object.entries(run.packageParameters ?? {})) {
    await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 30, parameter_name: name, parameter_value: String(value) });
  }
  await db.call('catalog.start_execution', { execution_id: id, retry_count: run.retry ?? 0 });
  return id;
}

async function executionRow(db: CatalogDb, id: number): Promise<Record<string, unknown>> {
  const rows = await db.query(`SELECT * FROM catalog.executions WHERE execution_id = ${Number(id)}`);
  return rows[0]!;
}

/** Starts a package only workers with the tag may run, with package parameters. */
async function startTagged(db: CatalogDb, pkg: string, tag: string, parameters: Record<string, string | number | boolean>, retry = 0): Promise<number> {
  const r = await db.call('catalog.create_execution', { folder_name: FOLDER, project_name: 'e2e', package_name: pkg, required_tags: tag });
  const id = Number(r.output.execution_id);
  for (const [name, value] of Object.entries(parameters)) {
    await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 30, parameter_name: name, parameter_value: String(value) });
  }
  await db.call('catalog.start_execution', { execution_id: id, retry_count: retry });
  return id;
}

/** The last time (ms) a beat package wrote to its file; 0 before it did. */
function lastBeat(file: string): number {
  if (!existsSync(file)) return 0;
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const last = lines.at(-1) ?? '';
  // node beats write milliseconds; the shell writes nanoseconds (date +%s%N).
  return last.length > 15 ? Math.floor(Number(last) / 1e6) : Number(last);
}

/** Processes (other than the worker itself) carrying a worker agent's instance marker. */
function processesOf(agentId: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`SCALEOUT_WORKER_INSTANCE=${agentId}/`)) found.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

const ENDED = new Set([3, 4, 6, 7, 9]);

async function waitForEnd(db: CatalogDb, id: number, timeoutMs = 30_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await executionRow(db, id);
    if (ENDED.has(Number(row.status))) return row;
    if (Date.now() > deadline) throw new Error(`execution ${id} did not end in time (status ${row.status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function messages(db: CatalogDb, id: number): Promise<Array<{ type: number; message: string }>> {
  const rows = await db.query(`SELECT message_type, message FROM catalog.operation_messages WHERE operation_id = ${Number(id)} ORDER BY message_time, operation_message_id`);
  return rows.map((r) => ({ type: Number(r.message_type), message: String(r.message) }));
}

forEachBackend('worker agents, end to end', (backend) => {
  const catalog = useCatalog(backend);
  let certs: Certs;
  let master: MasterProcess | undefined;
  let w1: WorkerProcess;
  let w2: WorkerProcess;

  let db: CatalogDb;
  let catalogSpec: string;
  let embeddedDir: string | undefined;

  before(async function () {
    this.timeout(90_000);
    certs = makeCerts();
    if (backend.kind === 'pglite') {
      // The master holds the embedded catalog's folder; the test reaches it as any SQL client does,
      // through the PostgreSQL wire protocol the master serves it on.
      embeddedDir = mkdtempSync(join(tmpdir(), 'scaleout-embedded-'));
      catalogSpec = `pglite:${embeddedDir}`;
      const setup = await openCatalog(catalogSpec);
      await migrateUp(setup);
      await setup.close();
    } else {
      catalogSpec = catalog.database.spec!;
    }
    master = await startMaster(catalogSpec, certs, { ...FAST_MASTER, EmbeddedCatalogPort: 0 });
    db = embeddedDir ? await openCatalog(catalogSpec) : catalog.db;
    const packed = packProject(FIXTURE);
    await db.call('catalog.create_folder', { folder_name: FOLDER });
    await db.call('catalog.deploy_project', { folder_name: FOLDER, project_name: 'e2e', project_stream: packed.bytes, manifest: packed.manifestText });
    [w1, w2] = await Promise.all([startWorker(db, certs, [master.port], 'w1'), startWorker(db, certs, [master.port], 'w2')]);
  });

  after(async () => {
    await Promise.all([w1?.kill9(), w2?.kill9()].map((p) => p?.catch(() => undefined)));
    if (embeddedDir) await db?.close().catch(() => undefined);
    await master?.kill9().catch(() => undefined);
    certs?.cleanup();
    if (embeddedDir) rmSync(embeddedDir, { recursive: true, force: true });
  });

  /** Kills the master, runs fn while it is down, and starts it again on its port (also when fn fails). */
  async function restartMasterAfter(fn: () => Promise<void>): Promise<void> {
    const port = master!.port;
    await master!.kill9();
    try {
      await fn();
    } finally {
      master = await startMaster(catalogSpec, certs, { ...FAST_MASTER, PortNumber: port, EmbeddedCatalogPort: 0 });
      if (embeddedDir) {
        // The endpoint moved with the new master process.
        await db.close();
        db = await openCatalog(catalogSpec);
      }
    }
  }

  afterEach(function () {
    if (this.currentTest?.state === 'failed') {
      process.stderr.write(`--- master output\n${master?.output().slice(-4000)}\n--- w1\n${w1?.output().slice(-4000)}\n--- w2\n${w2?.output().slice(-4000)}\n`);
    }
  });

  it('runs a node package with its parameters, and every line it logs reaches catalog.operation_messages', async () => {
    const id = await startExecution(db, 'echo', { parameters: { Greeting: 'bonjour', Lines: 5, Secret: 'op3n-s3same' }, packageParameters: { Shout: true } });
    const row = await waitForEnd(db, id);
    expect(Number(row.status)).to.equal(7);
    const m = await messages(db, id);
    const texts = m.map((x) => x.message);
    // The sensitive value reached the package in clear, and is stored nowhere in clear.
    expect(texts).to.include(`secret sha256 ${createHash('sha256').update('op3n-s3same').digest('hex')}`);
    const stored = await db.query(`SELECT parameter_value FROM internal.execution_parameter_values WHERE execution_id = ${id} AND parameter_name = 'Secret'`);
    expect(String(stored[0]!.parameter_value)).to.match(/^enc:/);
    for (let i = 1; i <= 5; i++) expect(texts).to.include(`BONJOUR line ${i} of 5`);
    expect(texts).to.include('written to stdout');
    expect(m.find((x) => x.message === 'a warning')?.type).to.equal(110);
    expect(m.filter((x) => x.type === 30)).to.have.length(1); // pre-execute
    expect(m.filter((x) => x.type === 40)).to.have.length(1); // post-execute
    // In order: the lines of the package come between its pre- and post-execute messages.
    expect(texts.indexOf('BONJOUR line 1 of 5')).to.be.lessThan(texts.indexOf('BONJOUR line 5 of 5'));
    expect(m[0]!.type === 30 || texts.slice(0, 3).some((t) => t.includes('started'))).to.equal(true);
  });

  it('runs a package against an environment: a sensitive variable reaches the package in clear, and is stored nowhere in clear', async () => {
    const secret = 'v4ult-only-s3cret';
    const environment = `Vault_${Date.now()}`;
    await db.call('catalog.create_environment', { folder_name: FOLDER, environment_name: environment });
    await db.call('catalog.create_environment_variable', { folder_name: FOLDER, environment_name: environment, variable_name: 'VaultSecret', data_type: 'String', sensitive: 1, value: secret });
    await db.call('catalog.create_environment_variable', { folder_name: FOLDER, environment_name: environment, variable_name: 'Hello', data_type: 'String', sensitive: 0, value: 'from the vault' });
    const ref = await db.call('catalog.create_environment_reference', { folder_name: FOLDER, project_name: 'e2e', environment_name: environment, reference_type: 'R' });
    await db.call('catalog.set_object_parameter_value', { object_type: 20, folder_name: FOLDER, project_name: 'e2e', parameter_name: 'Secret', parameter_value: 'VaultSecret', value_type: 'R' });
    await db.call('catalog.set_object_parameter_value', { object_type: 20, folder_name: FOLDER, project_name: 'e2e', parameter_name: 'Greeting', parameter_value: 'Hello', value_type: 'R' });
    try {
      const r = await db.call('catalog.create_execution', { folder_name: FOLDER, project_name: 'e2e', package_name: 'echo', reference_id: Number(ref.output.reference_id) });
      const id = Number(r.output.execution_id);
      await db.call('catalog.start_execution', { execution_id: id });
      const row = await waitForEnd(db, id);
      expect(Number(row.status)).to.equal(7);
      const texts = (await messages(db, id)).map((x) => x.message);
      expect(texts).to.include(`secret sha256 ${createHash('sha256').update(secret).digest('hex')}`);
      expect(texts.some((t) => String(t).includes('from the vault'))).to.equal(true);
      const stored = JSON.stringify([
        ...(await db.query('SELECT * FROM internal.environment_variables')),
        ...(await db.query(`SELECT * FROM internal.execution_parameter_values WHERE execution_id = ${id}`)),
        ...(await db.query(`SELECT * FROM internal.operation_messages WHERE operation_id = ${id}`)),
      ]);
      expect(stored).not.to.contain(secret);
    } finally {
      // The other tests run the project with its defaults again (those of the fixture's manifest).
      for (const [name, value] of [['Secret', 'the default secret'], ['Greeting', 'hello']]) {
        await db.call('catalog.set_object_parameter_value', { object_type: 20, folder_name: FOLDER, project_name: 'e2e', parameter_name: name, parameter_value: value });
      }
    }
  });

  it('runs a command package with substituted arguments, no shell, stdout and stderr as messages', async () => {
    const id = await startExecution(db, 'shell', { parameters: { Greeting: 'hi; rm -rf /' }, packageParameters: { Count: 3 } });
    const row = await waitForEnd(db, id);
    expect(Number(row.status)).to.equal(7);
    const m = await messages(db, id);
    const texts = m.map((x) => x.message);
    expect(texts).to.include('hi; rm -rf / from the shell (3 of 3), project parameter Lines=3');
    expect(m.find((x) => x.message === 'a line on stderr')?.type).to.equal(110);
  });

  it('runs a package that allows it again in the same process, with its own environment, folder and output; never after a failure or a leftover timer', async () => {
    const runOn = async (packageParameters: Record<string, string | boolean>) => {
      const id = await startExecution(db, 'reused', { worker: w1.id, packageParameters });
      const row = await waitForEnd(db, id);
      const texts = (await messages(db, id)).map((m) => m.message);
      const seen = texts.find((t) => t.startsWith('pid='));
      const [, pid, runs, leftover, tag, cwd] = /^pid=(\d+) runs=(\d+) leftover=(\S+) tag=(\S*) cwd=(\w+)$/.exec(seen ?? '') ?? [];
      return { id, status: Number(row.status), texts, pid, runs: Number(runs), leftover, tag, cwd };
    };
    const a = await runOn({ Tag: 'first' });
    const b = await runOn({ Tag: 'second' });
    expect([a.status, b.status]).to.deep.equal([7, 7]);
    expect(b.pid, `the second run reused the first one's process: ${JSON.stringify([a.texts, b.texts])}`).to.equal(a.pid);
    expect(b.runs).to.equal(a.runs + 1);
    // The environment is put back between runs, and each run has its own parameters and folder.
    expect([a.leftover, b.leftover]).to.deep.equal(['none', 'none']);
    expect([a.tag, b.tag, a.cwd, b.cwd]).to.deep.equal(['first', 'second', 'true', 'true']);
    // Each run's stdout and stderr (even without a line end) are its own.
    expect(b.texts).to.include(`stdout of ${b.id}`).and.include(`stderr of ${b.id}, no line end`);
    expect(b.texts.join('\n')).not.to.contain(`of ${a.id}`);

    const leaking = await runOn({ LeaveTimer: true });
    expect(leaking.status).to.equal(7);
    expect(leaking.pid).to.equal(b.pid);
    const afterLeak = await runOn({});
    expect(afterLeak.pid, 'a run that left a timer running ends its process').to.not.equal(leaking.pid);
    const failing = await runOn({ Fail: true });
    expect(failing.status).to.equal(4);
    const afterFailure = await runOn({});
    expect(afterFailure.status).to.equal(7);
    expect(afterFailure.pid, 'a failed run ends its process').to.not.equal(failing.pid);
  });

  it('a busy worker reports outcomes with its next claim (tasks:exchange), and every execution ends once', async function () {
    this.timeout(120_000);
    const w3 = await startWorker(db, certs, [master!.port], 'w3', { MaxTaskCount: 2 });
    try {
      const exchanges = async () => {
        const text = (await call(master!.port, 'GET', '/metrics')).body.toString();
        return [...text.matchAll(/^scaleout_master_requests_total\{[^}]*route="exchange"[^}]*status="200"[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
      };
      const before = await exchanges();
      const ids = [];
      for (let i = 0; i < 8; i++) ids.push(await startExecution(db, 'echo', { worker: w3.id }));
      for (const id of ids) expect(Number((await waitForEnd(db, id)).status), `execution ${id}`).to.equal(7);
      const attempts = await db.query(`SELECT execution_id, count(*) AS n FROM catalog.execution_attempts WHERE execution_id IN (${ids.join(',')}) GROUP BY execution_id`);
      expect(attempts.map((a) => Number(a.n))).to.deep.equal(Array(8).fill(1));
      expect(await exchanges() - before, 'outcomes that waited went out with a claim').to.be.greaterThan(0);
    } finally {
      await w3.kill9();
    }
  });

  it('reports a crash with its exit code and the last lines of stderr, as failed', async () => {
    const id = await startExecution(db, 'crash');
    const row = await waitForEnd(db, id);
    expect(Number(row.status)).to.equal(4);
    const errors = (await messages(db, id)).filter((x) => x.type === 120).map((x) => x.message).join('\n');
    expect(errors).to.contain('exited with code 3');
    expect(errors).to.contain('about to crash');
  });

  it('retries a failed package on the other worker, which succeeds', async () => {
    const release = join(certs.dir, 'release-flaky');
    const id = await startExecution(db, 'flaky', { packageParameters: { FailOnWorker: 'w1', ReleaseFile: release }, retry: 5 });
    // Whoever took the first attempt, make sure w1 fails at least once: hold the attempt until both run.
    await waitFor('the first attempt to start', async () => (await messages(db, id)).some((x) => x.message.startsWith('attempt 1 on')));
    writeFileSync(release, '');
    const row = await waitForEnd(db, id);
    expect(Number(row.status)).to.equal(7);
    const texts = (await messages(db, id)).map((x) => x.message);
    expect(texts.filter((t) => t.startsWith('The package failed: Error: refusing to run on w1')).length).to.equal(Number(row.executed_count) - 1);
    expect(texts.some((t) => /^attempt \d+ on w2$/.test(t))).to.equal(true);
  });

  it('stops a package that runs past its timeout, and reports it failed with the reason', async () => {
    const started = Date.now();
    const id = await startExecution(db, 'sleep', { packageParameters: { Seconds: 60 } });
    const row = await waitForEnd(db, id);
    expect(Number(row.status)).to.equal(4);
    expect(Date.now() - started).to.be.lessThan(15_000);
    const errors = (await messages(db, id)).filter((x) => x.type === 120).map((x) => x.message);
    expect(errors.join('\n')).to.contain('exceeded its timeout of 2 seconds');
  });

  it('cancels a running package within one task heartbeat of catalog.stop_operation, even one that ignores its AbortSignal', async () => {
    for (const ignore of [false, true]) {
      const r = await db.call('catalog.create_execution', { folder_name: FOLDER, project_name: 'e2e', package_name: 'sleep', timeout_seconds: 600 });
      const id = Number(r.output.execution_id);
      await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 30, parameter_name: 'IgnoreStop', parameter_value: String(ignore) });
      await db.call('catalog.start_execution', { execution_id: id, retry_count: 2 });
      await waitFor('the package to run', async () => (await messages(db, id)).some((x) => x.message.startsWith('sleeping')));
      const stopAt = Date.now();
      await db.call('catalog.stop_operation', { operation_id: id });
      const row = await waitForEnd(db, id, 10_000);
      expect(Number(row.status)).to.equal(3);
      // One heartbeat (0.3 s) plus, for a package deaf to its signal, the 1 s grace before the kill.
      expect(Date.now() - stopAt).to.be.lessThan(ignore ? 5000 : 3000);
      expect(Number(row.executed_count)).to.equal(1);
    }
  });

  it('after kill -9 of a worker mid-task the attempt is retried elsewhere and succeeds once', async () => {
    const release = join(certs.dir, 'release-kill');
    const id = await startExecution(db, 'flaky', { packageParameters: { ReleaseFile: release }, retry: 2 });
    const first = await waitFor('the first attempt to start', async () => (await messages(db, id)).find((x) => x.message.startsWith('attempt 1 on'))?.message);
    const victim = first.endsWith('w1') ? w1 : w2;
    await victim.kill9();
    writeFileSync(release, '');
    const row = await waitForEnd(db, id, 30_000);
    expect(Number(row.status)).to.equal(7);
    expect(Number(row.executed_count)).to.equal(2);
    const texts = (await messages(db, id)).map((x) => x.message);
    expect(texts.filter((t) => t === 'done')).to.have.length(1);
    await victim.restart();
  });

  it('reconnects by itself after the master was down longer than a lease, and loses no log line meanwhile', async () => {
    const release = join(certs.dir, 'release-outage');
    const id = await startExecution(db, 'flaky', { packageParameters: { ReleaseFile: release }, retry: 0 });
    await waitFor('the attempt to start', async () => (await messages(db, id)).some((x) => x.message.startsWith('attempt 1 on')));
    await restartMasterAfter(async () => {
      // The package finishes while no master answers: its lines and its outcome wait at the worker,
      // for longer than the lease (3 s).
      writeFileSync(release, '');
      const downAt = Date.now();
      await waitFor('an outage longer than the lease', () => Date.now() - downAt > 4000, 10_000);
    });
    const row = await waitForEnd(db, id, 30_000);
    // Down 4 s with a 3 s lease: the package had ended, and the lease outlives the outage long enough
    // for the worker to report (the sweep gives it one lease of reachable catalog first).
    expect(Number(row.status)).to.equal(7);
    expect(Number(row.executed_count)).to.equal(1);
    const texts = (await messages(db, id)).map((x) => x.message);
    await waitFor('the last lines', async () => (await messages(db, id)).some((x) => x.message === 'done'), 15_000);
    const after = (await messages(db, id)).map((x) => x.message);
    expect(after.filter((t) => t === 'done')).to.have.length(1);
    expect(after.filter((t) => t.startsWith('attempt 1 on'))).to.have.length(1);
    expect(texts.length).to.be.greaterThan(0);
    // Both workers serve again.
    const next = await startExecution(db, 'echo');
    expect(Number((await waitForEnd(db, next)).status)).to.equal(7);
  });

  it('stops a package at once and reports nothing when its lease is no longer its own', async () => {
    const r = await db.call('catalog.create_execution', { folder_name: FOLDER, project_name: 'e2e', package_name: 'sleep', timeout_seconds: 600 });
    const id = Number(r.output.execution_id);
    await db.call('catalog.start_execution', { execution_id: id, retry_count: 0 });
    await waitFor('the package to run', async () => (await messages(db, id)).some((x) => x.message.startsWith('sleeping')));
    // The expired-task sweep, run as if the lease had long run out (the worker was cut off): the
    // attempt ends, and the worker's next renewal is refused.
    // (The sweep skips a task row a renewal holds locked at that instant: ask again until it ran.)
    const later = new Date(Date.now() + 3_600_000);
    await waitFor('the sweep to end the attempt', async () => {
      await db.call('internal.dealwith_expired_tasks', { now: later });
      return Number((await executionRow(db, id)).status) === 6;
    }, 10_000);
    await waitFor('a worker to drop the attempt', () => [w1, w2].some((w) => w.output().includes('task lease gone')), 10_000);
    const after = await messages(db, id);
    expect(after.filter((x) => x.type === 40)).to.have.length(0); // no post-execute: nothing was reported
    expect(Number((await executionRow(db, id)).status)).to.equal(6);
  });

  it('stops its packages before their leases run out when no master answers, by its own clock, and reports nothing', async () => {
    const w3 = await startWorker(db, certs, [master!.port], 'w3', {}, { tags: 'cutoff' });
    const beats = join(certs.dir, 'beats-cutoff');
    try {
      const id = await startTagged(db, 'beat', 'cutoff', { BeatFile: beats });
      await waitFor('the package to beat', () => lastBeat(beats) > 0);
      const killedAt = Date.now();
      await restartMasterAfter(async () => {
        await waitFor('w3 to stop the package', () => w3.output().includes('task lease gone'), 15_000);
        // The last renewal came before the master died; the lease (3 s) lasts at least that long.
        expect(lastBeat(beats) - killedAt, 'the package stopped before its lease could run out').to.be.lessThan(3000);
      });
      const row = await waitForEnd(db, id, 20_000);
      expect(Number(row.status)).to.equal(6); // nothing reported: the lease expired, and no attempt was left
      await waitFor('the reason in the catalog', async () => (await messages(db, id)).some((x) => x.message.includes('could not renew the task lease')), 15_000);
    } finally {
      await w3.kill9();
    }
  });

  it('stops a package when no master answers for HeartbeatErrorTolerance (shorter than the lease), and reports it failed once one does', async () => {
    const w4 = await startWorker(db, certs, [master!.port], 'w4', { HeartbeatErrorTolerance: '00:00:01', LeaseInterval: '00:00:30' }, { tags: 'tolerance' });
    const beats = join(certs.dir, 'beats-tolerance');
    try {
      const id = await startTagged(db, 'beat', 'tolerance', { BeatFile: beats });
      await waitFor('the package to beat', () => lastBeat(beats) > 0);
      const killedAt = Date.now();
      await restartMasterAfter(async () => {
        // One second without an accepted renewal, then the package is stopped: its AbortSignal, then
        // (it ignores it) a kill after the 1 s stop grace.
        await waitFor('the package to stop', async () => {
          const before = lastBeat(beats);
          await new Promise((r) => setTimeout(r, 300));
          return lastBeat(beats) === before;
        }, 15_000);
        expect(lastBeat(beats) - killedAt).to.be.lessThan(5000);
      });
      const row = await waitForEnd(db, id, 20_000);
      expect(Number(row.status)).to.equal(4); // the lease (30 s) outlived the outage: the outcome was recorded
      await waitFor('the reason in the catalog', async () => (await messages(db, id)).some((x) => x.message.includes('longer than HeartbeatErrorTolerance')), 15_000);
    } finally {
      await w4.kill9();
    }
  });

  it('no package outlives its worker: kill -9 ends node packages (even one busy in synchronous code) and commands with what they started, within a second', async () => {
    const w5 = await startWorker(db, certs, [master!.port], 'w5', { MaxTaskCount: 3, LeaseInterval: '00:01:00' }, { tags: 'guard' });
    // A process the worker started but had not told its sentinel of yet (it died in between): it
    // carries the worker's instance, as every package process does, in a process group of its own.
    const workerPid = w5.child.pid!;
    const stray = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, [INSTANCE_VARIABLE]: `${w5.id}/${workerPid}/${processStartTicks(workerPid)}` },
    });
    const strayEnded = new Promise<void>((resolve) => stray.once('exit', () => resolve()));
    try {
      const files = ['busy', 'idle', 'cmd'].map((n) => join(certs.dir, `beats-${n}`));
      const ids = [
        await startTagged(db, 'beat', 'guard', { BeatFile: files[0]!, Busy: true }, 1),
        await startTagged(db, 'beat', 'guard', { BeatFile: files[1]! }, 1),
        await startTagged(db, 'beat-cmd', 'guard', { BeatFile: files[2]! }, 1),
      ];
      await waitFor('every package to beat', () => [...files, `${files[2]}.child`].every((f) => lastBeat(f) > 0), 20_000);
      const killedAt = Date.now();
      await w5.kill9();
      await waitFor('every beat to stop', async () => {
        const before = [...files, `${files[2]}.child`].map(lastBeat);
        await new Promise((r) => setTimeout(r, 300));
        return [...files, `${files[2]}.child`].map(lastBeat).every((v, i) => v === before[i]);
      }, 10_000);
      for (const f of [...files, `${files[2]}.child`]) expect(lastBeat(f) - killedAt, `${f} stopped within a second`).to.be.lessThan(1000);
      await waitFor('the process the sentinel was not told of to end', () => stray.exitCode !== null || stray.signalCode !== null, 5_000);
      expect(stray.signalCode, 'ended by the sentinel').to.equal('SIGKILL');
      expect(processesOf(w5.id), 'no process of the dead worker is left').to.deep.equal([]);

      // Its next start reports the attempts abandoned at once (not after the 60 s lease): they run again.
      const restartedAt = Date.now();
      await w5.restart();
      for (const id of ids) {
        await waitFor(`execution ${id} to run again`, async () => Number((await executionRow(db, id)).executed_count) === 2, 20_000);
        expect((await messages(db, id)).some((m) => /Attempt 1 of 2 was ended when its worker w5 restarted/.test(m.message))).to.equal(true);
      }
      expect(Date.now() - restartedAt, 'retried well before the lease ran out').to.be.lessThan(20_000);
      for (const id of ids) await db.call('catalog.stop_operation', { operation_id: id });
      for (const id of ids) expect(Number((await waitForEnd(db, id)).status)).to.equal(3);
    } finally {
      await w5.kill9();
      if (stray.exitCode === null && stray.signalCode === null) stray.kill('SIGKILL');
      await strayEnded;
    }
  });

  it('every line a package wrote reaches the catalog exactly once, across a kill -9 of its worker', async () => {
    const w6 = await startWorker(db, certs, [master!.port], 'w6', {}, { tags: 'lines' });
    const release = join(certs.dir, 'release-lines');
    try {
      const id = await startTagged(db, 'numbered', 'lines', { Lines: 300, PauseAfter: 150, ReleaseFile: release }, 1);
      // Lines leave at most once a second while the package runs: most are on the worker's disk.
      await waitFor('the first lines in the catalog', async () => (await messages(db, id)).some((m) => m.message === 'attempt 1 n=0'), 15_000);
      await w6.kill9();
      writeFileSync(release, '');
      await w6.restart();
      const row = await waitForEnd(db, id, 30_000);
      expect(Number(row.status)).to.equal(7);
      const texts = (await messages(db, id)).map((m) => m.message).filter((t) => /^attempt \d n=\d+$/.test(t));
      const of = (attempt: number) => texts.filter((t) => t.startsWith(`attempt ${attempt} `)).map((t) => Number(t.split('n=')[1]));
      expect([...of(1)].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 150 }, (_, i) => i));
      expect([...of(2)].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 300 }, (_, i) => i));
    } finally {
      await w6.kill9();
    }
  });

  it('stores every line of a package whose output the catalog cannot store as it is: NUL, lone surrogates, overlong lines', async () => {
    const id = await startExecution(db, 'weird');
    expect(Number((await waitForEnd(db, id)).status)).to.equal(7);
    const texts = (await messages(db, id)).map((m) => m.message);
    expect(texts).to.include.members(['nul:\uFFFD:end', 'lone high:\uFFFD:end', 'lone low:\uFFFD:end', 'after the long one', 'the end']);
    const long = texts.find((t) => t.startsWith('long:'))!;
    expect(long).to.match(/ … \[line cut: 100005 characters in all\]$/);
    expect(texts.find((t) => t.startsWith('yyyy'))).to.match(/\[line cut: (300000 characters in all|longer than \d+ bytes)\]$/);
  });

  it('keeps the lease while a chatty package\'s lines are delivered after it ended: 100,000 lines with a 3 s lease, run once', async function () {
    this.timeout(120_000);
    const id = await startExecution(db, 'many', { packageParameters: { Count: 100_000 } });
    const row = await waitForEnd(db, id, 90_000);
    expect(Number(row.status)).to.equal(7);
    expect(Number(row.executed_count)).to.equal(1);
    const count = await db.query(`SELECT count(*) AS n FROM catalog.operation_messages WHERE operation_id = ${id} AND message LIKE 'line %'`);
    expect(Number(count[0]!.n)).to.equal(100_000);
  });

  it('runs a package whose timeout is longer than a timer can hold (24.8 days)', async () => {
    const r = await db.call('catalog.create_execution', { folder_name: FOLDER, project_name: 'e2e', package_name: 'echo', timeout_seconds: 3_000_000 });
    const id = Number(r.output.execution_id);
    await db.call('catalog.start_execution', { execution_id: id });
    expect(Number((await waitForEnd(db, id)).status)).to.equal(7);
  });

  it('delivers log lines kept on disk by a worker that crashed, at its next start, exactly once', async () => {
    // The batch is of an execution this worker ran: a worker's lines go only to its own attempts.
    const id = await startExecution(db, 'echo', { worker: w2.id });
    await waitForEnd(db, id);
    // A batch as a crashed worker leaves it in its ExecutionLogCacheFolder, and the same batch id again.
    const cache = join(w2.stateFolder, 'ELogCache');
    const batchId = '5b0f6f6e-2f55-4c55-9a55-6a8b7f0e9a01';
    const line = { time: new Date().toISOString(), type: 70, source: 30, message: 'left on disk by a crash', package: 'echo' };
    writeFileSync(join(cache, `000000000000001-000000-${id}-${batchId}.json`), JSON.stringify({ executionId: id, batchId, lines: [line] }));
    writeFileSync(join(cache, `000000000000001-000001-${id}-${batchId}.json`), JSON.stringify({ executionId: id, batchId, lines: [line] }));
    await w2.kill9();
    await w2.restart();
    await waitFor('the cache folder to empty', () => readdirSync(cache).filter((f) => f.endsWith('.json')).length === 0);
    const texts = (await messages(db, id)).map((x) => x.message);
    expect(texts.filter((t) => t === 'left on disk by a crash')).to.have.length(1);
  });

  it('writes execution logs straight to the log database once catalog.update_logdb_info names one', async () => {
    const logDb = embeddedDir ? readFileSync(join(embeddedDir, 'scaleout.endpoint'), 'utf8').trim() : catalogSpec;
    await db.call('catalog.update_logdb_info', { server_name: '127.0.0.1', connection_string: logDb });
    // The master hands the connection to enabled workers at their next heartbeat (1 s here).
    await waitFor('both workers to use the log database', () => [w1, w2].every((w) => w.output().includes('execution logs go straight to the catalog')), 15_000);
    const id = await startExecution(db, 'echo', { parameters: { Lines: 4 } });
    expect(Number((await waitForEnd(db, id)).status)).to.equal(7);
    const texts = (await messages(db, id)).map((x) => x.message);
    expect(texts.filter((t) => /^hello line \d of 4$/.test(t))).to.have.length(4);
  });

  it('says why it takes no task — a memory gate it cannot pass; disabled, with the command that enables it — once, not on every poll', async () => {
    const gated = await startWorker(db, certs, [master!.port], 'gated', { TaskRequestMinMemory: 100_000_000 });
    try {
      await waitFor('the memory gate said', () => /not claiming: \d+ MB of memory free, below TaskRequestMinMemory 100000000 MB/.test(gated.output()), 20_000);
      await db.call('catalog.disable_worker_agent', { WorkerAgentId: gated.id });
      const hint = `scaleout agent enable ${gated.id}`;
      await waitFor('the disabled worker says how to enable it', () => gated.output().includes(hint), 20_000);
      // Heartbeats every second and a poll every second: each reason is still said once a minute at most.
      await new Promise((r) => setTimeout(r, 3000));
      expect(gated.output().split('not claiming: ').length - 1, 'the memory gate, said once').to.equal(1);
      expect(gated.output().split(hint).length - 1, 'disabled, said once').to.equal(1);
    } finally {
      await gated.kill9();
    }
  });

  it('keeps a task folder with the task log, and exits 0 on SIGTERM', async () => {
    const tasks = readdirSync(join(w1.stateFolder, 'Tasks'));
    expect(tasks.length).to.be.greaterThan(0);
    const withLog = tasks.find((t) => existsSync(join(w1.stateFolder, 'Tasks', t, 'task.log')));
    expect(readFileSync(join(w1.stateFolder, 'Tasks', withLog!, 'task.log'), 'utf8')).to.match(/started on worker w1/);
    expect(await w1.stop()).to.equal(0);
  });
});
