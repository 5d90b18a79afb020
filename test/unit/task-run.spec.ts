/**
 * A task whose project cannot be fetched: no master answering (or one answering 5xx) through the
 * fetch's retries is no fault of the package — the task goes back at no attempt, with a warning
 * in its log; a project that will never come (a 4xx) fails the attempt as before.
 */

import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLine } from '../../src/catalog/log-lines.ts';
import type { Logger } from '../../src/log/logger.ts';
import { AttemptStore } from '../../src/worker/attempt-store.ts';
import type { CompletionOutbox } from '../../src/worker/completion-outbox.ts';
import type { HostPool } from '../../src/worker/host-pool.ts';
import type { LeaseKeeper } from '../../src/worker/lease-keeper.ts';
import { LogShipper } from '../../src/worker/log-shipper.ts';
import { MasterError, MasterUnreachable, type MasterClient, type Task } from '../../src/worker/master-client.ts';
import type { ProcessGuard } from '../../src/worker/process-guard.ts';
import type { ProjectCache } from '../../src/worker/project-cache.ts';
import { loadWorkerSettings } from '../../src/worker/settings.ts';
import { TaskRun } from '../../src/worker/task-runner.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

describe('a task whose project cannot be fetched', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'scaleout-run-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function runWith(fetchError: Error): Promise<{ released: string[]; reported: Array<{ outcome: string; errorMessage?: string }>; lines: LogLine[] }> {
    const settings = loadWorkerSettings({ env: {}, overrides: { MasterEndpoint: 'https://m1:8391', MasterHttpsCertThumbprint: 'AB'.repeat(32), WorkerCertFile: 'w.crt', WorkerKeyFile: 'w.key', StateFolder: dir, TaskLogEnabled: false } });
    const released: string[] = [];
    const reported: Array<{ outcome: string; errorMessage?: string }> = [];
    const lines: LogLine[] = [];
    const store = new AttemptStore(settings.ExecutionLogCacheFolder);
    const shipper = new LogShipper({ store, maxLinesPerBatch: 100, retryTimeoutMs: 60_000, paceMs: 0, log: quiet });
    shipper.useSink({ append: async (_id, batch) => void lines.push(...batch), permanent: () => undefined });
    const client = {
      async releaseTasks(_agent: string, leases: Array<{ taskId: string }>) {
        released.push(...leases.map((l) => l.taskId));
        return leases.map((l) => ({ taskId: l.taskId, errorNumber: null }));
      },
    } as unknown as MasterClient;
    const task: Task = {
      taskId: '00000000-0000-0000-0000-0000000000f1', executionId: 41, leaseToken: '00000000-0000-0000-0000-0000000000f2', leaseExpiresAt: new Date().toISOString(),
      executedCount: 1, maxExecutedCount: 1, folderName: 'f', projectName: 'etl', packageName: 'load', packageKind: 'node', projectLsn: 3,
      contentHash: 'ab'.repeat(32), timeoutSeconds: null, parameters: [], streamId: '00000000-0000-0000-0000-0000000000f3',
    };
    const run = new TaskRun(task, {
      settings,
      client,
      cache: { acquire: async () => Promise.reject(fetchError) } as unknown as ProjectCache,
      shipper,
      log: quiet,
      hosts: {} as HostPool,
      guard: {} as ProcessGuard,
      keeper: { hold: () => ({ acknowledged: Promise.resolve(true), release() {} }) } as unknown as LeaseKeeper,
      store,
      outbox: { report: async (c: { outcome: string; errorMessage?: string }) => (reported.push(c), true) } as unknown as CompletionOutbox,
      stopping: () => false,
    });
    await run.done;
    store.close();
    return { released, reported, lines };
  }

  it('goes back at no attempt while no master can hand the project over, and says so in its log', async () => {
    const r = await runWith(new MasterUnreachable('No master answered (https://m1:8391): no answer in time'));
    expect(r.released).to.deep.equal(['00000000-0000-0000-0000-0000000000f1']);
    expect(r.reported).to.deep.equal([]);
    expect(r.lines.map((l) => l.type)).to.deep.equal([110]);
    expect(r.lines[0]!.message).to.match(/could not fetch project etl \(version 3\) now: No master answered.*given back at no attempt/);
    const busy = await runWith(new MasterError(503, 'catalog_unavailable', 'the catalog is unavailable'));
    expect(busy.released).to.have.length(1);
  });

  it('fails the attempt when the master says the project will not come', async () => {
    const r = await runWith(new MasterError(404, 'not_found', 'no project with this content hash'));
    expect(r.released).to.deep.equal([]);
    expect(r.reported.map((c) => c.outcome)).to.deep.equal(['failed']);
    expect(r.reported[0]!.errorMessage).to.match(/could not be fetched: no project with this content hash/);
  });
});
