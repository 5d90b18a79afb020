/**
 * The command line against a running system on the embedded catalog: a master holding the
 * catalog's folder (and serving it on a loopback port), a worker, and every command family run as
 * a user would — tables, --json, numbered errors and exit codes. psql (or, where psql is not
 * installed, a PostgreSQL client library speaking the same protocol) calls a catalog procedure
 * through the master's endpoint.
 */

import { expect } from 'chai';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import { makeCerts, startMaster, type Certs, type MasterProcess } from '../support/master-process.ts';
import { waitFor } from '../support/wait.ts';

const BIN = join(PROJECT_ROOT, 'bin', 'scaleout.js');

interface Result {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

describe('the scaleout command line, against a running system on the embedded catalog', function () {
  this.timeout(120_000);
  let dir: string;
  let catalog: string;
  let certs: Certs;
  let master: MasterProcess | undefined;
  let worker: ReturnType<typeof import('node:child_process').spawn> | undefined;
  const workerId = '2f1c7a52-55f4-4c3e-9a3c-0d6b9a4e1f10';
  let workerThumbprint = '';

  const cli = (...args: string[]): Promise<Result> =>
    new Promise((resolve) => {
      execFile(process.execPath, [BIN, '--catalog', catalog, ...args], { cwd: dir, env: { ...process.env, SCALEOUT_CATALOG: '' }, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  const ok = async (...args: string[]): Promise<string> => {
    const r = await cli(...args);
    expect(r.code, `scaleout ${args.join(' ')}\n${r.stderr}`).to.equal(0);
    return r.stdout;
  };
  const json = async <T = Record<string, unknown>>(...args: string[]): Promise<T> => JSON.parse(await ok(...args, '--json')) as T;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scaleout-cli-'));
    catalog = `pglite:${join(dir, 'catalog')}`;
    certs = makeCerts();
  });

  after(async () => {
    worker?.kill('SIGKILL');
    await master?.kill9().catch(() => undefined);
    certs?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrate, cert and master: creates the catalog, certificates, and serves it', async () => {
    expect(await ok('migrate', 'up')).to.match(/Applied \d+ script/);
    const status = await json<Array<{ state: string }>>('migrate', 'status');
    expect(status.every((s) => s.state === 'applied')).to.equal(true);
    const certOut = await ok('cert', 'worker', '--cn', 'cli-worker', '--out', join(dir, 'certs'), '--name', 'worker');
    workerThumbprint = /thumbprint ([0-9A-F]{64})/.exec(certOut)![1]!;
    const masterCert = await ok('cert', 'master', '--cn', 'cli-master', '--san', 'localhost,127.0.0.1', '--out', join(dir, 'certs'));
    expect(masterCert).to.match(/master\.crt[\s\S]*master\.key[\s\S]*thumbprint [0-9A-F]{64}/);
    master = await startMaster(catalog, certs, { EmbeddedCatalogPort: 0, MasterHeartbeatIntervalInMs: 1000, LongPollMaxInMs: 5000 });
    expect(master.output()).to.match(/embedded catalog reachable at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres/);
  });

  it("healthcheck: exit 0 with the master's status while it serves, 52013 when nothing answers; the master logs JSON lines to stdout", async () => {
    const healthy = await cli('healthcheck', `https://127.0.0.1:${master!.port}/healthz`);
    expect(healthy.code, healthy.stderr).to.equal(0);
    expect(JSON.parse(healthy.stdout)).to.include({ status: 'ok', masterId: master!.masterId, catalog: 'reachable' });
    const closed = await cli('healthcheck', 'https://127.0.0.1:1/healthz', '--timeout', '2');
    expect(closed.code).to.equal(1);
    expect(closed.stderr).to.match(/^error 52013: https:\/\/127\.0\.0\.1:1\/healthz: .*ECONNREFUSED/m);
    expect((await cli('healthcheck', 'http://127.0.0.1:1/healthz')).stderr).to.match(/^error 52001: healthcheck: masters serve https only/m);
    // The service log: one JSON object per line, pino's, with our field names.
    const started = master!
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.message === 'master started');
    expect(started).to.include({ level: 'info', name: 'master', masterId: master!.masterId, port: master!.port });
    expect(String(started!.time)).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('agent: add, list, set, disable, enable, and a numbered error with exit code 1', async () => {
    expect(await ok('agent', 'add', workerId, '--thumbprint', workerThumbprint, '--name', 'cli-worker', '--tags', 'linux')).to.contain('added');
    const agents = await json<Array<Record<string, unknown>>>('agent', 'list');
    expect(agents.find((a) => a.WorkerAgentId === workerId)).to.include({ DisplayName: 'cli-worker', IsEnabled: false, Tags: 'linux' });
    expect(await ok('agent', 'list')).to.match(/WorkerAgentId\s+DisplayName[\s\S]*cli-worker/);
    await ok('agent', 'set', workerId, 'MaxTaskCount', '3');
    await ok('agent', 'enable', workerId);
    await ok('agent', 'disable', workerId);
    const bad = await cli('agent', 'enable', '00000000-0000-0000-0000-000000000009');
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/^error 51101: .*does not exist/m);
  });

  it('every error is numbered, with a hint where there is a fix: usage (52001), the catalog unreachable (52002), not found (51106), a bad name (51001)', async () => {
    const unknown = await cli('completion');
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/^error 52001: unknown command 'completion'/m);
    const notANumber = await cli('execution', 'show', 'abc');
    expect(notANumber.stderr).to.match(/^error 52001: executionId must be a positive whole number/m);
    const missing = await cli('execution', 'show', '9999');
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/^error 51106: The execution 9999 does not exist/m);
    const badName = await cli('folder', 'create', 'bad/name');
    expect(badName.stderr).to.match(/^error 51001: /m);
    const unreachable = await new Promise<Result>((resolve) =>
      execFile(process.execPath, [BIN, '--catalog', 'postgres://nobody@127.0.0.1:1/none', 'folder', 'list'], { cwd: dir }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
      ),
    );
    expect(unreachable.code).to.equal(1);
    expect(unreachable.stderr).to.match(/^error 52002: cannot reach the catalog: .*ECONNREFUSED/m);
    expect(unreachable.stderr).to.match(/^hint: check --catalog/m);
    for (const r of [unknown, notANumber, missing, badName, unreachable]) expect(r.stderr, 'no unnumbered error line').not.to.match(/^error: /m);
  });

  it('psql, through the endpoint the master serves, calls catalog.enable_worker_agent', async () => {
    const url = readFileSync(join(dir, 'catalog', 'scaleout.endpoint'), 'utf8').trim();
    const statement = `CALL catalog.enable_worker_agent('${workerId}')`;
    const psql = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-c', statement], { encoding: 'utf8' });
    if (psql.error) {
      // No psql on this machine: the same wire protocol through a client library.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(statement);
      await client.end();
    } else {
      expect(psql.status, psql.stderr).to.equal(0);
    }
    const agents = await json<Array<Record<string, unknown>>>('agent', 'list');
    expect(agents.find((a) => a.WorkerAgentId === workerId)).to.include({ IsEnabled: true });
  });

  it('folder and project: create, init, deploy, list', async () => {
    expect(await ok('folder', 'create', 'Finance')).to.contain('Folder Finance created');
    expect((await json<Array<{ name: string }>>('folder', 'list')).map((f) => f.name)).to.include('Finance');
    const again = await cli('folder', 'create', 'Finance');
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/^error 51\d{3}: /m);
    await ok('project', 'init', join(dir, 'hello'), '--name', 'hello');
    const deployed = await json<{ operation_id: number; content_hash: string }>('project', 'deploy', join(dir, 'hello'), '--folder', 'Finance');
    expect(deployed.content_hash).to.match(/^[0-9a-f]{64}$/);
    const projects = await json<Array<Record<string, unknown>>>('project', 'list', '--folder', 'Finance');
    expect(projects.map((p) => p.name)).to.deep.equal(['hello']);
  });

  it('worker and execution: create with parameters, start, wait, show, logs, list, stop refused once ended', async () => {
    const workerSettings = join(dir, 'WorkerSettings.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      workerSettings,
      JSON.stringify({
        AgentId: workerId,
        MasterEndpoint: `https://127.0.0.1:${master!.port}`,
        MasterHttpsCertThumbprint: certs.master.thumbprint,
        WorkerCertFile: join(dir, 'certs', 'worker.crt'),
        WorkerKeyFile: join(dir, 'certs', 'worker.key'),
        StateFolder: join(dir, 'worker'),
        TaskRequestMaxCPU: 100,
        TaskRequestMinMemory: 0,
        AgentHeartbeatInterval: '00:00:01',
      }),
    );
    const { spawn } = await import('node:child_process');
    worker = spawn(process.execPath, [BIN, 'worker', '--settings', workerSettings, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    worker.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const started = Date.now();
    while (!out.includes('registered') && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 50));
    expect(out).to.contain('registered');

    const created = await json<{ execution_id: number }>('execution', 'create', '--folder', 'Finance', '--project', 'hello', '--package', 'hello', '--param', 'Greeting=DBA');
    const id = String(created.execution_id);
    expect(await ok('execution', 'param', id, 'LOGGING_LEVEL', '3', '--object-type', '50')).to.contain('set');
    const badParam = await cli('execution', 'param', id, 'NoSuchParameter', 'x');
    expect(badParam.code).to.equal(1);
    expect(badParam.stderr).to.match(/^error 51108: /m);
    await ok('execution', 'start', id);
    const waited = await cli('execution', 'wait', id, '--timeout', '60');
    expect(waited.code, waited.stderr).to.equal(0);
    expect(waited.stdout).to.match(/succeeded/);
    // Not a terminal: progress comes as plain lines, not carriage returns.
    expect(waited.stderr).to.not.contain('\r');
    const shown = await json<Record<string, unknown>>('execution', 'show', id);
    expect(shown).to.include({ status_name: 'succeeded', package_name: 'hello' });
    expect(await ok('execution', 'logs', id)).to.contain('Hello, DBA!');
    expect(await ok('execution', 'logs', id, '--follow')).to.contain('Hello, DBA!');
    const listed = await json<Array<Record<string, unknown>>>('execution', 'list', '--folder', 'Finance');
    expect(listed.map((e) => String(e.execution_id))).to.include(id);
    const stop = await cli('execution', 'stop', id);
    expect(stop.code).to.equal(1);
    expect(stop.stderr).to.match(/^error 51210: /m);
    const failing = await json<{ execution_id: number }>('execution', 'create', '--folder', 'Finance', '--project', 'hello', '--package', 'hello', '--tags', 'gpu', '--start');
    const notDone = await cli('execution', 'wait', String(failing.execution_id), '--timeout', '1');
    expect(notDone.code).to.equal(4);
    await ok('execution', 'stop', String(failing.execution_id));
  });

  it('environment: create, variables (a sensitive one never shown), a reference, a parameter that takes a variable, and an execution against the environment', async () => {
    expect(await ok('environment', 'create', 'Finance/Prod', '--description', 'Production')).to.contain('Environment Finance/Prod created');
    expect(await ok('environment', 'var', 'set', 'Finance/Prod', 'Greeting', 'Production')).to.contain('Greeting (String) created');
    expect(await ok('environment', 'var', 'set', 'Finance/prod', 'greeting', 'Prod team')).to.contain('Greeting set');
    await ok('environment', 'var', 'set', 'Finance/Prod', 'Token', 'tok-s3cret', '--sensitive');
    const vars = await json<Array<Record<string, unknown>>>('environment', 'var', 'list', 'Finance/Prod');
    expect(vars.map((v) => [v.name, v.value])).to.deep.equal([['Greeting', 'Prod team'], ['Token', '********']]);
    expect(await ok('environment', 'var', 'list', 'Finance/Prod')).not.to.contain('tok-s3cret');
    const listed = await json<Array<Record<string, unknown>>>('environment', 'list', '--folder', 'finance');
    expect(listed.map((e) => [e.folder_name, e.name, e.variables])).to.deep.equal([['Finance', 'Prod', 2]]);

    const ref = await json<{ reference_id: number; reference_type: string }>('environment', 'reference', 'add', 'Finance/hello', 'Finance/Prod');
    expect(ref.reference_type).to.equal('R');
    expect((await json<Array<Record<string, unknown>>>('environment', 'reference', 'list', 'Finance/hello')).map((r) => r.environment)).to.deep.equal(['Finance/Prod']);
    expect(await ok('project', 'param', 'Finance/hello', 'Greeting', 'Greeting', '--variable')).to.contain('takes environment variable Greeting');

    const run = await cli('execution', 'create', '--folder', 'Finance', '--project', 'hello', '--package', 'hello', '--environment', 'Finance/Prod', '--start', '--wait', '--wait-timeout', '60', '--json');
    expect(run.code, run.stderr).to.equal(0);
    const [ended] = JSON.parse(run.stdout.slice(run.stdout.indexOf('['))) as Array<Record<string, unknown>>;
    expect(await ok('execution', 'logs', String(ended!.execution_id))).to.contain('Hello, Prod team!');
    const shown = await json<Record<string, unknown>>('execution', 'show', String(ended!.execution_id));
    expect(shown).to.include({ environment_folder_name: 'Finance', environment_name: 'Prod', reference_type: 'R' });

    // Refusals, numbered: no reference to that environment, a value that does not fit, a name that is not Folder/Name.
    const noRef = await cli('execution', 'create', '--folder', 'Finance', '--project', 'hello', '--package', 'hello', '--environment', 'Finance/Test');
    expect(noRef.code).to.equal(1);
    expect(noRef.stderr).to.match(/^error 51112: .*reference add Finance\/hello Finance\/Test/m);
    const badValue = await cli('environment', 'var', 'set', 'Finance/Prod', 'Retries', 'many', '--type', 'Int32');
    expect(badValue.stderr).to.match(/^error 51001: .*Int32/m);
    const badName = await cli('environment', 'create', 'Prod');
    expect(badName.stderr).to.match(/^error 52001: .*Folder\/Name/m);
  });

  it('execution create --from-file: many created and started in one call, rows taking the command\'s defaults and environments by name; bad files refused, nothing created', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = join(dir, 'runs.json');
    writeFileSync(file, JSON.stringify([
      { package_name: 'hello', environment: 'Finance/Prod' },
      { package_name: 'HELLO', priority: 5, environment: 'Finance/Prod' },
      { folder_name: 'finance', project_name: 'hello', package_name: 'hello', environment: 'Finance/Prod' },
    ]));
    const run = await cli('execution', 'create', '--folder', 'Finance', '--project', 'hello', '--from-file', file, '--retry', '1', '--wait', '--wait-timeout', '60', '--json');
    expect(run.code, run.stderr).to.equal(0);
    const ended = JSON.parse(run.stdout.slice(run.stdout.indexOf('['))) as Array<Record<string, unknown>>;
    expect(ended).to.have.length(3);
    expect(ended.map((e) => e.status_name)).to.deep.equal(['succeeded', 'succeeded', 'succeeded']);
    for (const e of ended) expect(await ok('execution', 'logs', String(e.execution_id))).to.contain('Hello, Prod team!');
    const second = await json<Record<string, unknown>>('execution', 'show', String(ended[1]!.execution_id));
    expect(second).to.include({ package_name: 'hello', priority: 5, environment_name: 'Prod' });

    // From standard input, as text.
    const fromStdin = await new Promise<Result>((resolve) => {
      const child = execFile(process.execPath, [BIN, '--catalog', catalog, 'execution', 'create', '--from-file', '-', '--tags', 'nowhere'], { cwd: dir, env: { ...process.env, SCALEOUT_CATALOG: '' }, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
      });
      child.stdin!.end(JSON.stringify([{ folder_name: 'Finance', project_name: 'hello', package_name: 'hello', environment: 'Finance/Prod' }]));
    });
    expect(fromStdin.code, fromStdin.stderr).to.equal(0);
    const queued = /created and started: (\d+)\./.exec(fromStdin.stdout);
    expect(queued, fromStdin.stdout).to.not.equal(null);
    await ok('execution', 'stop', queued![1]!);

    const before = (await json<unknown[]>('execution', 'list', '--folder', 'Finance')).length;
    writeFileSync(file, JSON.stringify([{ package_name: 'hello', environment: 'Finance/Prod' }, { package_name: 'hello', timeout_seconds: 0 }]));
    const badRow = await cli('execution', 'create', '--folder', 'Finance', '--project', 'hello', '--from-file', file);
    expect(badRow.stderr).to.match(/^error 51001: .*row 2 timeout_seconds/m);
    writeFileSync(file, '[{"package_name": ');
    expect((await cli('execution', 'create', '--from-file', file)).stderr).to.match(/^error 52001: .*not JSON/m);
    expect((await cli('execution', 'create', '--from-file', join(dir, 'absent.json'))).stderr).to.match(/^error 52006: /m);
    expect((await cli('execution', 'create', '--from-file', file, '--param', 'Greeting=x')).stderr).to.match(/^error 52001: .*--param/m);
    expect((await cli('execution', 'create', '--folder', 'Finance')).stderr).to.match(/^error 52001: .*--project, --package/m);
    expect((await json<unknown[]>('execution', 'list', '--folder', 'Finance')).length).to.equal(before);
  });

  it('permission: grant, deny, revoke and list, by name; numbered refusals', async () => {
    // A database role to grant to, made through the endpoint the master serves.
    const url = readFileSync(join(dir, 'catalog', 'scaleout.endpoint'), 'utf8').trim();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE ROLE finance_team');
    await client.end();

    expect(await ok('permission', 'grant', 'folder:Finance', 'finance_team', 'read_objects', 'EXECUTE_OBJECTS')).to.contain('READ_OBJECTS, EXECUTE_OBJECTS granted on folder Finance for finance_team');
    await ok('permission', 'deny', 'project:Finance/hello', 'finance_team', 'EXECUTE');
    const listed = await json<Array<Record<string, unknown>>>('permission', 'list', '--principal', 'finance_team');
    expect(listed.map((r) => [r.object, r.permission, r.state])).to.deep.equal([
      ['folder Finance', 'READ_OBJECTS', 'GRANT'],
      ['folder Finance', 'EXECUTE_OBJECTS', 'GRANT'],
      ['project Finance/hello', 'EXECUTE', 'DENY'],
    ]);
    await ok('permission', 'revoke', 'project:Finance/hello', 'finance_team', 'EXECUTE');
    expect((await json<Array<Record<string, unknown>>>('permission', 'list', 'project:Finance/hello')).filter((r) => r.principal === 'finance_team')).to.deep.equal([]);
    // The folder's creator (this DBA) manages its permissions, as in SSIS.
    expect((await json<Array<Record<string, unknown>>>('permission', 'list', 'folder:Finance')).map((r) => r.permission)).to.include('MANAGE_PERMISSIONS');

    const badObject = await cli('permission', 'grant', 'Finance', 'finance_team', 'READ');
    expect(badObject.stderr).to.match(/^error 52001: .*folder:Finance/m);
    const badPermission = await cli('permission', 'grant', 'folder:Finance', 'finance_team', 'EXECUTE');
    expect(badPermission.stderr).to.match(/^error 51001: .*for a folder/m);
    const nobody = await cli('permission', 'grant', 'project:Finance/hello', 'nobody_at_all', 'READ');
    expect(nobody.stderr).to.match(/^error 51116: .*nobody_at_all/m);
    const noProject = await cli('permission', 'grant', 'project:Finance/nope', 'finance_team', 'READ');
    expect(noProject.stderr).to.match(/^error 51104: /m);
  });

  it('catalog: properties, configure, update-master-address, update-logdb-info; doctor', async () => {
    const props = await json<{ catalog_properties: Array<Record<string, unknown>>; master_properties: Array<Record<string, unknown>> }>('catalog', 'properties');
    expect(props.catalog_properties.map((p) => p.property_name)).to.include('RETENTION_WINDOW');
    await ok('catalog', 'configure', 'RETENTION_WINDOW', '30');
    const after = await json<{ catalog_properties: Array<Record<string, unknown>> }>('catalog', 'properties');
    expect(after.catalog_properties.find((p) => p.property_name === 'RETENTION_WINDOW')?.property_value).to.equal('30');
    const bad = await cli('catalog', 'configure', 'RETENTION_WINDOW', '-4');
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/^error 51\d{3}: /m);
    await ok('catalog', 'update-master-address', `https://127.0.0.1:${master!.port}`);
    const masterProps = (await json<{ master_properties: Array<Record<string, unknown>> }>('catalog', 'properties')).master_properties;
    expect(masterProps.find((p) => p.property_name === 'MASTER_ADDRESS')?.property_value).to.equal(`https://127.0.0.1:${master!.port}`);
    const badAddress = await cli('catalog', 'update-master-address', 'ftp://nowhere');
    expect(badAddress.code).to.equal(1);
    expect(badAddress.stderr).to.match(/^error 51001: /m);
    await ok('catalog', 'update-logdb-info', 'logs.example.com', 'postgres://logwriter@logs.example.com/ssisdb');

    const doctor = await json<Array<{ level: string; check: string; detail: string }>>('doctor', '--worker-settings', join(dir, 'WorkerSettings.json'));
    const failures = doctor.filter((d) => d.level === 'fail');
    expect(failures, JSON.stringify(failures)).to.deep.equal([]);
    expect(doctor.map((d) => d.check)).to.include.members(['catalog', 'catalog schema', 'masters', 'master address', 'workers', 'worker certificate']);

    worker?.kill('SIGTERM');
    await new Promise((r) => worker!.once('exit', r));
    // Lines a worker could not deliver are reported by its heartbeat, and doctor shows them.
    const endpoint = readFileSync(join(dir, 'catalog', 'scaleout.endpoint'), 'utf8').trim();
    const client = new pg.Client({ connectionString: endpoint });
    await client.connect();
    try {
      await client.query('CALL internal.update_worker_agent_status("workeragentid" => $1, "certificatethumbprint" => $2, "loglinespending" => 0, "loglinesundeliverable" => 3)', [workerId, workerThumbprint]);
      // Stopped, the worker is no longer online once two heartbeat intervals (1 s) pass.
      await waitFor('the worker to be seen offline', async () => (await client.query('SELECT State FROM catalog.worker_agents WHERE WorkerAgentId = $1', [workerId])).rows[0]?.state !== 'online', 30_000);
    } finally {
      await client.end();
    }
    const report = await cli('doctor', '--json');
    expect(report.code, 'a failed check: exit code 1').to.equal(1);
    const findings = JSON.parse(report.stdout) as Array<{ level: string; check: string; detail: string; fix?: string }>;
    expect(findings.find((x) => x.check === 'workers')).to.include({ level: 'fail' });
    expect(findings.find((x) => x.check === 'execution logs')).to.include({ level: 'warn', detail: 'lines that could not be delivered: cli-worker 3' });
    const noCatalog = await new Promise<Result>((resolve) =>
      execFile(process.execPath, [BIN, '--catalog', 'postgres://nobody@127.0.0.1:1/none', 'doctor'], { cwd: dir }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
      ),
    );
    expect(noCatalog.code).to.equal(1);
    expect(noCatalog.stdout).to.match(/fail\s+catalog: cannot be used[\s\S]*fix: /);
    expect(noCatalog.stdout, 'never ok and fail of the same thing').not.to.match(/ok\s+catalog: reachable/);
    // A typo in an embedded catalog's path: refused with what to run, and no new catalog made there.
    const typo = join(dir, 'catalgo');
    const refusedTypo = await new Promise<Result>((resolve) =>
      execFile(process.execPath, [BIN, '--catalog', `pglite:${typo}`, 'folder', 'list'], { cwd: dir }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
      ),
    );
    expect(refusedTypo.code).to.equal(1);
    expect(refusedTypo.stderr).to.match(/holds no embedded catalog[\s\S]*migrate up/);
    expect(existsSync(typo), 'no catalog made at the typo').to.equal(false);
    // The catalog's protection key: in this machine's key folder; a rotation makes a new one current.
    const key = await json<{ currentKeyId: string; inKeyFolder: boolean }>('catalog', 'key', 'show');
    expect(key.currentKeyId).to.match(/^[0-9a-f]{16}$/);
    expect(key.inKeyFolder).to.equal(true);
    expect(await ok('catalog', 'key', 'rotate')).to.match(/Protection key [0-9a-f]{16} is current; \d+ value\(s\) re-encrypted/);
    const rotated = await json<{ currentKeyId: string; inKeyFolder: boolean }>('catalog', 'key', 'show');
    expect(rotated.currentKeyId).not.to.equal(key.currentKeyId);
    expect(rotated.inKeyFolder).to.equal(true);
    // A certificate that expires within 30 days is a warning, with the date and what to do.
    await ok('cert', 'worker', '--out', join(dir, 'soon'), '--name', 'soon', '--days', '10');
    // (doctor exits 1 here: the worker stopped above is a failed check.)
    const soonReport = await cli('doctor', '--master-cert', join(dir, 'soon', 'soon.crt'), '--master-key', join(dir, 'soon', 'soon.key'), '--json');
    const soon = JSON.parse(soonReport.stdout) as Array<{ level: string; check: string; detail: string; fix?: string }>;
    const expiring = soon.find((x) => x.check === 'master certificate file');
    expect(expiring).to.include({ level: 'warn' });
    expect(expiring!.detail).to.match(/expires on/);
    expect(expiring!.fix).to.match(/renew/);
  });
});
