/**
 * scaleout demo: the whole system on one machine with nothing but Node — the embedded catalog in
 * ./.scaleout/catalog, certificates, one master and two workers as child processes, the example
 * ETL project deployed, a handful of executions run and watched, a summary, and a clean shutdown
 * (also on Ctrl-C). Every step is what an operator would do by hand, done through the same
 * commands and catalog procedures.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCatalogSpec } from '../db/catalog-spec.ts';
import { openCatalog } from '../db/open.ts';
import type { CatalogDb, Row } from '../db/types.ts';
import { migrateUp } from '../migrate/runner.ts';
import { ensureProtectionKey } from '../catalog/protection.ts';
import { PROJECT_ROOT } from '../migrate/scripts.ts';
import { packProject } from '../project/pack.ts';
import { createSelfSignedCertificate } from '../tls/certificates.ts';
import { thumbprintOfPem } from '../tls/thumbprints.ts';
import { ENDED_STATUSES, EXECUTION_STATUS } from '../catalog/codes.ts';
import { readView } from '../catalog/views.ts';
import { CLI_ERRORS, CliError } from '../cli/cli-errors.ts';
import { acquireFolderLock, FolderInUseError, type FolderLock } from '../db/folder-lock.ts';

const BIN = join(PROJECT_ROOT, 'bin', 'scaleout.js');
/** Failed (4) and ended unexpectedly (6). */
const FAILED_STATUSES = new Set([4, 6]);
/** Waiting for a worker: before the first attempt, or between a failed attempt and its retry. */
const PENDING = 5;
const FOLDER = 'demo';

export interface DemoOptions {
  /** The catalog; the default embedded one unless given. */
  readonly catalog: string;
  /** Where certificates, settings, logs and results go. */
  readonly stateFolder: string;
  readonly keepRunning: boolean;
  readonly out: NodeJS.WriteStream;
}

interface PlannedExecution {
  readonly package: string;
  readonly parameters?: Record<string, string>;
  /** Created against this environment of the demo folder (its parameters take its variables). */
  readonly environment?: string;
  readonly retry?: number;
  readonly expect: number;
}

const PLAN: readonly PlannedExecution[] = [
  { package: 'sales_by_region', expect: 7 },
  { package: 'sales_by_region', parameters: { Region: 'North' }, expect: 7 },
  { package: 'sales_by_region', environment: 'Prod', expect: 7 },
  { package: 'clean_customers', expect: 7 },
  { package: 'publish', retry: 2, expect: 7 },
];
const REPORT: PlannedExecution = { package: 'report', expect: 7 };

/**
 * The example project's environments, as a DBA sets them up: sales_by_region's Region takes the
 * variable SalesRegion from the environment an execution is created with.
 */
const ENVIRONMENTS: ReadonlyArray<{ name: string; description: string; salesRegion: string }> = [
  { name: 'Dev', description: 'Development: one small region', salesRegion: 'North' },
  { name: 'Prod', description: 'Production: the region this team reports on', salesRegion: 'South' },
];

/** Environments Dev and Prod in the folder, referenced by the etl project, and Region mapped to SalesRegion. */
async function setUpEnvironments(db: CatalogDb, folder: string): Promise<Map<string, number>> {
  const [folderRow] = await readView(db, 'folders', { where: { name: folder } });
  const existing = new Set((await readView(db, 'environments', { where: { folder_id: folderRow!.folder_id } })).map((e) => String(e.name)));
  for (const env of ENVIRONMENTS) {
    if (!existing.has(env.name)) {
      await db.call('catalog.create_environment', { folder_name: folder, environment_name: env.name, environment_description: env.description });
      await db.call('catalog.create_environment_variable', { folder_name: folder, environment_name: env.name, variable_name: 'SalesRegion', data_type: 'String', sensitive: 0, value: env.salesRegion });
    }
  }
  const [project] = await readView(db, 'projects', { where: { folder_id: folderRow!.folder_id, name: 'etl' } });
  const references = new Map((await readView(db, 'environment_references', { where: { project_id: project!.project_id } })).map((r) => [String(r.environment_name), Number(r.reference_id)]));
  for (const env of ENVIRONMENTS) {
    if (!references.has(env.name)) {
      const r = await db.call('catalog.create_environment_reference', { folder_name: folder, project_name: 'etl', environment_name: env.name, reference_type: 'R' });
      references.set(env.name, Number(r.output.reference_id));
    }
  }
  await db.call('catalog.set_object_parameter_value', { object_type: 30, folder_name: folder, project_name: 'etl', object_name: 'sales_by_region', parameter_name: 'Region', parameter_value: 'SalesRegion', value_type: 'R' });
  return references;
}

interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  output: string;
}

export class Demo {
  private readonly children: Child[] = [];
  private db: CatalogDb | undefined;
  private lock: FolderLock | undefined;
  private stopping = false;

  constructor(private readonly options: DemoOptions) {}

  private say(text: string): void {
    this.options.out.write(`${text}\n`);
  }

  /** Runs the demo; resolves with true when every execution ended as expected. */
  async run(): Promise<boolean> {
    const started = Date.now();
    const o = this.options;
    const state = resolve(o.stateFolder);
    const output = join(state, 'output');
    mkdirSync(state, { recursive: true });
    // One demo per state folder: a second one would run the same worker ids and write the same logs.
    try {
      this.lock = acquireFolderLock(state, { file: 'demo.lock', inUse: (pid) => `Another demo (process ${pid}) runs with the state folder ${state}.` });
    } catch (error) {
      if (error instanceof FolderInUseError) {
        throw new CliError(CLI_ERRORS.alreadyRunning, error.message, 'stop it (Ctrl-C where it runs), or give this one a folder of its own: scaleout demo --state DIR');
      }
      throw error;
    }
    rmSync(output, { recursive: true, force: true });

    this.say(`1/6  catalog: ${o.catalog}`);
    const spec = parseCatalogSpec(o.catalog);
    {
      const db = await openCatalog(spec);
      try {
        const applied = await migrateUp(db);
        this.say(applied.length ? `     migrated (${applied.length} scripts)` : '     up to date');
        const said = await ensureProtectionKey(db);
        if (said) this.say(`     ${said}`);
      } finally {
        await db.close();
      }
    }

    this.say('2/6  certificates');
    const certs = join(state, 'certs');
    const master = this.certificate(certs, 'master', { commonName: 'localhost', altNames: ['127.0.0.1', 'localhost'], purpose: 'server' });
    const workers = ['demo-worker-1', 'demo-worker-2'].map((name) => ({ name, ...this.certificate(certs, name, { commonName: name, purpose: 'client' }) }));

    this.say('3/6  master');
    const m = await this.start('master', [
      '--catalog', o.catalog, 'master', '--port', '0', '--cert', master.certFile, '--key', master.keyFile, '--quiet',
      '--set', `LogFolder=${join(state, 'log')}`, '--set', 'ListenAddress=127.0.0.1', '--set', 'EmbeddedCatalogPort=0',
      '--set', 'MasterHeartbeatIntervalInMs=2000', '--set', 'DealWithExpiredTasksIntervalInMs=5000', '--set', 'LongPollMaxInMs=10000',
    ], /master \S+ listening on port (\d+)/);
    const port = Number(m.match[1]);
    const sqlUrl = /embedded catalog reachable at (\S+)/.exec(m.child.output)?.[1];
    this.say(`     https://127.0.0.1:${port}${sqlUrl ? `; SQL clients: psql ${sqlUrl}` : ''}`);

    // Through the master's endpoint when the catalog is embedded (the master holds its folder).
    this.db = await openCatalog(spec);
    const db = this.db;

    this.say('4/6  workers, folder and project');
    for (const w of workers) {
      const existing = await readView(db, 'worker_agents', { where: { WorkerAgentId: w.id } });
      if (existing.length === 0) await db.call('catalog.add_worker_agent', { WorkerAgentId: w.id, CertificateThumbprint: w.thumbprint, DisplayName: w.name, Description: 'started by scaleout demo', IsEnabled: 1 });
      else await db.call('catalog.enable_worker_agent', { WorkerAgentId: w.id });
    }
    const folders = await readView(db, 'folders', { where: { name: FOLDER } });
    if (folders.length === 0) await db.call('catalog.create_folder', { folder_name: FOLDER });
    const packed = packProject(join(PROJECT_ROOT, 'examples', 'etl'));
    await db.call('catalog.deploy_project', { folder_name: FOLDER, project_name: packed.manifest.name, project_stream: packed.bytes, manifest: packed.manifestText });
    this.say(`     deployed project ${packed.manifest.name} (${packed.files} files, sha256 ${packed.contentHash.slice(0, 12)}…) into folder ${FOLDER}`);
    const references = await setUpEnvironments(db, FOLDER);
    this.say(`     environments ${ENVIRONMENTS.map((e) => e.name).join(' and ')}: sales_by_region's Region takes their SalesRegion`);
    await Promise.all(
      workers.map((w) => {
        const folder = join(state, w.name);
        mkdirSync(folder, { recursive: true });
        const settings = join(folder, 'WorkerSettings.json');
        writeFileSync(
          settings,
          `${JSON.stringify(
            {
              DisplayName: w.name,
              AgentId: w.id,
              MasterEndpoint: `https://127.0.0.1:${port}`,
              MasterHttpsCertThumbprint: master.thumbprint,
              WorkerCertFile: w.certFile,
              WorkerKeyFile: w.keyFile,
              StateFolder: folder,
              AgentHeartbeatInterval: '00:00:05',
              TaskHeartbeatInterval: '00:00:01',
              LeaseInterval: '00:00:30',
              LongPollInterval: '00:00:10',
              TaskRequestMaxCPU: 100,
              TaskRequestMinMemory: 0,
              MaxTaskCount: 4,
            },
            null,
            2,
          )}\n`,
        );
        return this.start(w.name, ['worker', '--settings', settings, '--quiet', '--shutdown-grace', '10'], /worker \S+ registered/);
      }),
    );
    this.say(`     ${workers.map((w) => w.name).join(' and ')} online`);

    this.say('5/6  executions');
    const ids: Array<{ id: number; plan: PlannedExecution }> = [];
    const startOne = async (plan: PlannedExecution) => {
      const reference_id = plan.environment === undefined ? undefined : references.get(plan.environment);
      const r = await db.call('catalog.create_execution', { folder_name: FOLDER, project_name: 'etl', package_name: plan.package, runinscaleout: 1, reference_id });
      const id = Number(r.output.execution_id);
      await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 20, parameter_name: 'OutputFolder', parameter_value: output });
      for (const [name, value] of Object.entries(plan.parameters ?? {})) {
        await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 30, parameter_name: name, parameter_value: value });
      }
      await db.call('catalog.start_execution', { execution_id: id, retry_count: plan.retry ?? 0 });
      ids.push({ id, plan });
    };
    for (const plan of PLAN) await startOne(plan);
    await this.watch(ids.map((x) => x.id), 45_000);
    // The report lists what the others wrote: it runs once they are done.
    await startOne(REPORT);
    const rows = await this.watch(ids.map((x) => x.id), 30_000);

    this.say('6/6  summary');
    const agents = new Map((await readView(db, 'worker_agents')).map((a) => [String(a.WorkerAgentId).toLowerCase(), String(a.DisplayName ?? a.MachineName ?? '')]));
    const summary = rows.map((r) => {
      const plan = ids.find((x) => x.id === Number(r.execution_id))!.plan;
      const start = r.start_time ? new Date(r.start_time as string) : undefined;
      const end = r.end_time ? new Date(r.end_time as string) : undefined;
      return {
        execution: Number(r.execution_id),
        package: `${r.package_name}${plan.parameters ? ` (${Object.entries(plan.parameters).map(([k, v]) => `${k}=${v}`).join(', ')})` : ''}${plan.environment ? ` (environment ${plan.environment})` : ''}`,
        status: EXECUTION_STATUS[Number(r.status)] ?? String(r.status),
        worker: agents.get(String(r.worker_agent_id ?? '').toLowerCase()) ?? '',
        attempts: Number(r.executed_count),
        duration: start && end ? `${((end.getTime() - start.getTime()) / 1000).toFixed(1)} s` : '',
        ok: Number(r.status) === plan.expect,
      };
    });
    const widths = ['execution', 'package', 'status', 'worker', 'attempts', 'duration'].map((k) => Math.max(k.length, ...summary.map((s) => String(s[k as keyof typeof s]).length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
    this.say(`     ${line(['execution', 'package', 'status', 'worker', 'attempts', 'duration'])}`);
    for (const s of summary) this.say(`     ${line([String(s.execution), s.package, s.status, s.worker, String(s.attempts), s.duration])}`);
    const ok = summary.every((s) => s.ok);
    this.say(`\n${ok ? 'Every execution ended as expected' : 'Some executions did not end as expected'} (${((Date.now() - started) / 1000).toFixed(1)} s). Results are in ${output}.`);
    this.say('Where to look next:');
    const first = summary[0]?.execution;
    if (this.options.keepRunning) {
      // Scale Out Manager, on loopback, for those who would rather look than read.
      const manager = await this.start('manager', ['--catalog', o.catalog, 'manager', '--listen', '127.0.0.1:0'], /Scale Out Manager on (\S+)/);
      this.say(`${`  ${manager.match[1]}`.padEnd(43)}Scale Out Manager in a browser: workers, executions, projects`);
      this.say(`${`  npx scaleout execution logs ${first}`.padEnd(43)}the messages of one execution (catalog.operation_messages)`);
      this.say(`${'  npx scaleout agent list'.padEnd(43)}the workers (catalog.worker_agents)`);
      this.say('  npx scaleout execution create --folder demo --project etl --package clean_customers --start --json');
      if (sqlUrl) this.say(`  psql ${sqlUrl} -c "CALL catalog.disable_worker_agent('${workers[0]!.id}')"`);
      this.say(`  logs: ${join(state, 'log')} (master), ${join(state, workers[0]!.name, 'log')} (workers)`);
      this.say('The system keeps running; Ctrl-C stops it.');
    } else {
      this.say(`${'  npx scaleout demo --keep-running'.padEnd(43)}leave the system up and explore it with the CLI or psql`);
      this.say(`${`  npx scaleout execution logs ${first}`.padEnd(43)}afterwards: the catalog keeps every message`);
      this.say(`${'  docs/ and README.md'.padEnd(43)}the SQL Server path, concepts, the protocol`);
    }
    return ok;
  }

  /** Prints status changes (a live table on a terminal) until every execution ended or the time is up. */
  private async watch(ids: number[], timeoutMs: number): Promise<Row[]> {
    const db = this.db!;
    const deadline = Date.now() + timeoutMs;
    const seen = new Map<number, string>();
    const tty = this.options.out.isTTY;
    let drawn = 0;
    for (;;) {
      const rows = await readView(db, 'executions', { where: { execution_id: ids }, orderBy: [{ column: 'execution_id' }] });
      const failures = await this.lastErrors(rows.filter((r) => Number(r.executed_count) > 1 || FAILED_STATUSES.has(Number(r.status)) || (Number(r.status) === PENDING && Number(r.executed_count) > 0)).map((r) => Number(r.execution_id)));
      const lines = rows.map((r) => {
        const attempt = Number(r.executed_count);
        const status = Number(r.status);
        const failure = failures.get(Number(r.execution_id));
        const why = failure ? `: ${failure}` : '';
        // A failure is shown as one, and a retry as one: which attempt failed, and why.
        const note = FAILED_STATUSES.has(status)
          ? failure ? ` (${failure})` : ''
          : status === PENDING && attempt > 0 && failure
            ? ` (attempt ${attempt} failed${why}; retrying)`
            : attempt > 1 ? ` (attempt ${attempt}; attempt ${attempt - 1} failed${why})` : '';
        return `     ${String(r.execution_id).padStart(5)}  ${String(r.package_name).padEnd(16)} ${EXECUTION_STATUS[Number(r.status)] ?? r.status}${note}`;
      });
      if (tty) {
        if (drawn > 0) this.options.out.write(`\x1b[${drawn}A`);
        for (const l of lines) this.options.out.write(`\x1b[2K${l}\n`);
        drawn = lines.length;
      } else {
        rows.forEach((r, i) => {
          if (seen.get(Number(r.execution_id)) !== lines[i]) this.say(lines[i]!);
          seen.set(Number(r.execution_id), lines[i]!);
        });
      }
      if (rows.every((r) => ENDED_STATUSES.has(Number(r.status)))) return rows;
      if (Date.now() > deadline || this.stopping) {
        this.say('     (stopped waiting: not every execution ended in time)');
        return rows;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  /** The latest error message (SSIS message type 120) of each execution, shortened to a line. */
  private async lastErrors(ids: number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (ids.length === 0) return out;
    const rows = await readView(this.db!, 'operation_messages', { where: { operation_id: ids, message_type: 120 }, orderBy: [{ column: 'operation_message_id' }] });
    for (const r of rows) {
      const text = String(r.message ?? '').split('\n')[0]!.trim();
      out.set(Number(r.operation_id), text.length > 80 ? `${text.slice(0, 79)}…` : text);
    }
    return out;
  }

  /** Keeps or creates a certificate pair in the folder; the thumbprint comes from the certificate. */
  private certificate(folder: string, name: string, request: Parameters<typeof createSelfSignedCertificate>[0]) {
    mkdirSync(folder, { recursive: true });
    const certFile = join(folder, `${name}.crt`);
    const keyFile = join(folder, `${name}.key`);
    const idFile = join(folder, `${name}.id`);
    if (!existsSync(certFile) || !existsSync(keyFile)) {
      const c = createSelfSignedCertificate(request);
      writeFileSync(certFile, c.cert);
      writeFileSync(keyFile, c.key, { mode: 0o600 });
    }
    if (!existsSync(idFile)) writeFileSync(idFile, `${randomUUID()}\n`);
    return { certFile, keyFile, thumbprint: thumbprintOfPem(readFileSync(certFile, 'utf8')), id: readFileSync(idFile, 'utf8').trim() };
  }

  private async start(name: string, args: string[], ready: RegExp): Promise<{ child: Child; match: RegExpExecArray }> {
    // The IPC channel ties the child to this process: when the demo dies, however it dies, the
    // channel closes and the master or worker stops by itself (src/cli/service.ts).
    const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, SCALEOUT_CATALOG: '' } });
    const child: Child = { name, process: proc, output: '' };
    this.children.push(child);
    proc.stdout!.on('data', (d: Buffer) => (child.output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (child.output += d.toString()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const match = ready.exec(child.output);
      if (match) return { child, match };
      if (proc.exitCode !== null || Date.now() > deadline || this.stopping) {
        throw new CliError(CLI_ERRORS.serviceDidNotStart, `${name} did not start:\n${child.output.slice(-2000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Workers first (they finish or hand back their tasks), then the master; SIGKILL after 15 s. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.db?.close().catch(() => undefined);
    const stopAll = async (children: Child[]) => {
      await Promise.all(
        children.map(async (c) => {
          if (c.process.exitCode !== null || c.process.signalCode !== null) return;
          const exited = new Promise<void>((r) => c.process.once('exit', () => r()));
          c.process.kill('SIGTERM');
          const timer = setTimeout(() => c.process.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(timer);
        }),
      );
    };
    await stopAll(this.children.filter((c) => c.name !== 'master'));
    await stopAll(this.children.filter((c) => c.name === 'master'));
    this.lock?.release();
  }
}
