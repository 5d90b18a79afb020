import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import { loadWorkerSettings, parseTimeSpan, SettingsError } from '../../src/worker/settings.ts';

const THUMB = 'AB'.repeat(32);

describe('worker settings', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'scaleout-ws-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const required = () => ({ MasterEndpoint: 'https://m1:8391, https://m2:8391', MasterHttpsCertThumbprint: THUMB, WorkerCertFile: 'w.crt', WorkerKeyFile: 'w.key', StateFolder: dir });

  it('has SSIS\'s defaults, and reads time spans as .NET writes them', () => {
    const s = loadWorkerSettings({ overrides: required(), env: {} });
    expect(s).to.include({ AgentHeartbeatInterval: 60_000, TaskHeartbeatInterval: 10_000, HeartbeatErrorTolerance: 600_000, TaskRequestMaxCPU: 70, TaskRequestMinMemory: 100, MaxTaskCount: 10, LeaseInterval: 60_000, TaskLogLevel: 126, TaskLogEnabled: true, ExecutionLogMaxBufferLogCount: 10_000, ExecutionLogMaxInMemoryBufferCount: 10, ExecutionLogRetryCount: 3, ExecutionLogRetryTimeout: 7 * 86_400_000 });
    expect(s.MasterEndpoint).to.deep.equal(['https://m1:8391', 'https://m2:8391']);
    expect(s.TasksRootFolder).to.equal(join(dir, 'Tasks'));
    expect(s.ExecutionLogCacheFolder).to.equal(join(dir, 'ELogCache'));
    expect(parseTimeSpan('7.00:00:00')).to.equal(7 * 86_400_000);
    expect(parseTimeSpan('00:00:00.250')).to.equal(250);
    expect(parseTimeSpan('01:02:03')).to.equal(3_723_000);
    expect(parseTimeSpan('00:61:00')).to.equal(undefined);
  });

  it('the sample examples/settings/WorkerSettings.json loads as written (its state folder moved here)', () => {
    const file = join(PROJECT_ROOT, 'examples', 'settings', 'WorkerSettings.json');
    const s = loadWorkerSettings({ file, env: {}, overrides: { StateFolder: dir } });
    expect(s).to.include({ DisplayName: 'worker1', MaxTaskCount: 10, TaskRequestMaxCPU: 70, LeaseInterval: 60_000 });
    expect(s.MasterEndpoint).to.deep.equal(['https://master1.example.com:8391']);
  });

  it('takes relative paths from the folder it starts in, once (packages run in folders of their own)', () => {
    const s = loadWorkerSettings({ overrides: { ...required(), StateFolder: 'state', WorkerCertFile: 'certs/w.crt', WorkerKeyFile: 'certs/w.key' }, env: {} });
    expect(s.StateFolder).to.equal(join(process.cwd(), 'state'));
    expect(s.TasksRootFolder).to.equal(join(process.cwd(), 'state', 'Tasks'));
    expect(s.WorkerCertFile).to.equal(join(process.cwd(), 'certs', 'w.crt'));
    rmSync(join(process.cwd(), 'state'), { recursive: true, force: true });
  });

  it('generates the AgentId once and keeps it', () => {
    const first = loadWorkerSettings({ overrides: required(), env: {} }).AgentId;
    expect(first).to.match(/^[0-9a-f-]{36}$/);
    expect(readFileSync(join(dir, 'agent-id'), 'utf8').trim()).to.equal(first);
    expect(loadWorkerSettings({ overrides: required(), env: {} }).AgentId).to.equal(first);
  });

  it('accepts SSIS\'s misspelt keys, and takes file < environment < flags', () => {
    const file = join(dir, 'WorkerSettings.json');
    writeFileSync(file, JSON.stringify({ ...required(), HeartbeatErrorTollerance: '00:05:00', LeaseInternval: '00:02:00', MaxTaskCount: 4, ExecutionLogMaxInMemoryBufferLogCount: 3 }));
    const s = loadWorkerSettings({ file, env: { SCALEOUT_WORKER_MAXTASKCOUNT: '6' }, overrides: { LeaseInterval: '00:00:30' } });
    expect(s).to.include({ HeartbeatErrorTolerance: 300_000, LeaseInterval: 30_000, MaxTaskCount: 6, ExecutionLogMaxInMemoryBufferCount: 3 });
  });

  it('names the bad key', () => {
    const bad = (overrides: Record<string, unknown>) => () => loadWorkerSettings({ overrides: { ...required(), ...overrides }, env: {} });
    expect(bad({ TaskHeartbeatInterval: 'often' })).to.throw(SettingsError, /TaskHeartbeatInterval: expected a time span/);
    expect(bad({ MasterEndpoint: 'http://m1:8391' })).to.throw(SettingsError, /MasterEndpoint\.0: a master URL starts with https/);
    expect(bad({ MasterHttpsCertThumbprint: 'abc' })).to.throw(SettingsError, /MasterHttpsCertThumbprint: a SHA-256 thumbprint/);
    expect(bad({ MaxTaskCuont: 3 })).to.throw(SettingsError, /MaxTaskCuont/);
    expect(() => loadWorkerSettings({ overrides: { StateFolder: dir }, env: {} })).to.throw(SettingsError, /MasterEndpoint/);
  });
});
