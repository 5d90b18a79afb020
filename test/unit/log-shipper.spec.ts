import { expect } from 'chai';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../src/master/log.ts';
import { LogShipper, type LogSink } from '../../src/worker/log-shipper.ts';
import type { LogLine } from '../../src/worker/master-client.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const line = (n: number): LogLine => ({ time: new Date().toISOString(), type: 70, message: `line ${n}` });

/** A catalog stand-in that stores each batch id once, and can be switched off. */
class FakeCatalog implements LogSink {
  up = true;
  readonly stored = new Map<string, string[]>();
  readonly order: string[] = [];
  calls = 0;
  async append(_executionId: number, batchId: string, lines: readonly LogLine[]): Promise<void> {
    this.calls++;
    if (!this.up) throw new Error('unreachable');
    if (!this.stored.has(batchId)) {
      this.stored.set(batchId, lines.map((l) => l.message));
      this.order.push(...lines.map((l) => l.message));
    }
  }
  isPermanent(): boolean {
    return false;
  }
}

const until = async (fn: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('shipping execution logs', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'scaleout-logs-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const shipper = (over: Partial<ConstructorParameters<typeof LogShipper>[0]> = {}) =>
    new LogShipper({ folder: dir, maxLinesPerBatch: 100, maxInMemoryBatches: 2, retryCount: 2, retryTimeoutMs: 60_000, lingerMs: 5, log: quiet, ...over });

  it('delivers every line in order, in batches of at most ExecutionLogMaxBufferLogCount', async () => {
    const sink = new FakeCatalog();
    const s = shipper();
    s.useSink(sink);
    for (let i = 0; i < 1050; i++) s.append(1, line(i));
    await s.flush(1); // delivered or on disk (batches beyond two in memory wait there)
    await until(() => sink.order.length === 1050);
    expect(sink.order).to.deep.equal(Array.from({ length: 1050 }, (_, i) => `line ${i}`));
    expect(Math.max(...[...sink.stored.values()].map((b) => b.length))).to.equal(100);
  });

  it('keeps no more than ExecutionLogMaxInMemoryBufferCount batches in memory while the catalog is away, and loses none', async () => {
    const sink = new FakeCatalog();
    sink.up = false;
    const s = shipper();
    s.useSink(sink);
    for (let i = 0; i < 1000; i++) s.append(1, line(i));
    await s.flush(1); // durable: on disk, since it could not be delivered
    expect(readdirSync(dir).filter((f) => f.endsWith('.json')).length).to.be.greaterThanOrEqual(8);
    sink.up = true;
    await until(() => sink.order.length === 1000);
    expect(sink.order).to.deep.equal(Array.from({ length: 1000 }, (_, i) => `line ${i}`));
    await until(() => readdirSync(dir).filter((f) => f.endsWith('.json')).length === 0);
    await s.close(1000);
  });

  it('a new shipper delivers what an earlier one left on disk, each batch once, before anything new', async () => {
    const down = new FakeCatalog();
    down.up = false;
    const first = shipper();
    first.useSink(down);
    for (let i = 0; i < 250; i++) first.append(7, line(i));
    await first.close(50); // a stop while the catalog is away: everything goes to disk
    const sink = new FakeCatalog();
    const second = shipper();
    expect(second.recover()).to.equal(3);
    second.append(7, line(250));
    second.useSink(sink);
    await until(() => sink.order.length === 251);
    expect(sink.order).to.deep.equal(Array.from({ length: 251 }, (_, i) => `line ${i}`));
    await second.close(1000);
  });

  it('while a package runs, sends its batches at most once per pace interval; the rest at once when it ends', async () => {
    const sink = new FakeCatalog();
    const s = shipper({ maxInMemoryBatches: 10, paceMs: 400 });
    s.useSink(sink);
    s.begin(3);
    for (let i = 0; i < 500; i++) s.append(3, line(i));
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.stored.size).to.equal(1); // the first batch leaves at once: lines show up live
    await new Promise((r) => setTimeout(r, 400));
    expect(sink.stored.size).to.equal(2);
    s.end(3);
    await s.flush(3);
    expect(sink.order).to.deep.equal(Array.from({ length: 500 }, (_, i) => `line ${i}`));
  });

  it('sets aside, in the failed folder, a batch the catalog refuses for good', async () => {
    const sink = new FakeCatalog();
    const refusing: LogSink = { append: async () => Promise.reject(new Error('no such execution')), isPermanent: () => true };
    const s = shipper();
    s.useSink(refusing);
    s.append(9, line(1));
    await s.flush(9);
    expect(readdirSync(join(dir, 'failed'))).to.have.length(1);
    s.useSink(sink);
    s.append(10, line(2));
    await s.flush(10);
    expect(sink.order).to.deep.equal(['line 2']);
  });
});
