/** Real worker processes for the end-to-end tests: certificates trusted in the catalog, settings for fast heartbeats. */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { CatalogDb } from '../../src/db/types.ts';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import type { Certs } from './master-process.ts';

export interface WorkerProcess {
  readonly id: string;
  readonly name: string;
  readonly stateFolder: string;
  child: ChildProcess;
  /** Milliseconds from the last (re)start's spawn to "registered" (with a master). */
  readonly readyMs: number;
  output(): string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
  /** Starts it again (same id, settings and state folder) after a stop or a kill. */
  restart(): Promise<void>;
}

export const FAST_WORKER = {
  AgentHeartbeatInterval: '00:00:01',
  TaskHeartbeatInterval: '00:00:00.300',
  LeaseInterval: '00:00:03',
  HeartbeatErrorTolerance: '00:00:20',
  LongPollInterval: '00:00:05',
  StopGraceInterval: '00:00:01',
  TaskRequestMaxCPU: 100,
  TaskRequestMinMemory: 0,
};

/** Adds a worker to the catalog (trusted, enabled) and starts its process against the masters' ports. */
export async function startWorker(
  db: CatalogDb,
  certs: Certs,
  masterPorts: readonly number[],
  name: string,
  settings: Record<string, string | number | boolean> = {},
  options: { tags?: string } = {},
): Promise<WorkerProcess> {
  const id = randomUUID();
  const cert = certs.worker(name);
  await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: cert.thumbprint, IsEnabled: 1, DisplayName: name, Tags: options.tags });
  const stateFolder = join(certs.dir, `worker-${name}`);
  mkdirSync(stateFolder, { recursive: true });
  writeFileSync(join(stateFolder, 'worker.crt'), cert.cert);
  writeFileSync(join(stateFolder, 'worker.key'), cert.key);
  const settingsFile = join(stateFolder, 'WorkerSettings.json');
  writeFileSync(
    settingsFile,
    JSON.stringify({
      DisplayName: name,
      AgentId: id,
      MasterEndpoint: masterPorts.map((p) => `https://127.0.0.1:${p}`),
      MasterHttpsCertThumbprint: certs.master.thumbprint,
      WorkerCertFile: join(stateFolder, 'worker.crt'),
      WorkerKeyFile: join(stateFolder, 'worker.key'),
      StateFolder: stateFolder,
      ...FAST_WORKER,
      ...settings,
    }),
  );
  let output = '';
  let readyMs = 0;
  const launch = async (): Promise<ChildProcess> => {
    const spawned = performance.now();
    readyMs = 0;
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'scaleout.js'), 'worker', '--settings', settingsFile, '--shutdown-grace', '5'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const mark = output.length;
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (!readyMs && output.slice(mark).includes(`worker ${id} registered`)) readyMs = performance.now() - spawned;
    });
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const started = Date.now();
    while (!output.slice(mark).includes(`worker ${id} registered`)) {
      if (child.exitCode !== null || Date.now() - started > 30_000) {
        child.kill('SIGKILL');
        throw new Error(`worker ${name} did not start:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return child;
  };
  const worker: WorkerProcess = {
    id,
    name,
    stateFolder,
    child: await launch(),
    get readyMs() {
      return readyMs;
    },
    output: () => output,
    stop: async () => {
      if (worker.child.exitCode !== null) return worker.child.exitCode;
      const exited = new Promise<number | null>((r) => worker.child.once('exit', (code) => r(code)));
      worker.child.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
      const exited = new Promise<void>((r) => worker.child.once('exit', () => r()));
      worker.child.kill('SIGKILL');
      await exited;
    },
    restart: async () => {
      worker.child = await launch();
    },
  };
  return worker;
}
