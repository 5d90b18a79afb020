/**
 * The worker's write-ahead log path, piece by piece: the journal, the collector that reads a
 * package's output files into it, the shipper that delivers it exactly once, the lease keeper's
 * own clock, and timers longer than Node's.
 */

import { expect } from 'chai';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLine } from '../../src/catalog/log-lines.ts';
import type { Logger } from '../../src/log/logger.ts';
import { AttemptStore, JOURNAL_FILE, readRecord, RECORD_FILE, writeRecord, type AttemptRecord, type OutputSource } from '../../src/worker/attempt-store.ts';
import { Journal, readJournal } from '../../src/worker/journal.ts';
import { LeaseKeeper, leaseMarginMs } from '../../src/worker/lease-keeper.ts';
import { LogShipper, MAX_IN_FLIGHT, type LogSink, type PermanentFailure } from '../../src/worker/log-shipper.ts';
import { setLongTimeout } from '../../src/worker/long-timeout.ts';
import { MasterError, type MasterClient } from '../../src/worker/master-client.ts';
import { MAX_RAW_BYTES, OutputCollector } from '../../src/worker/output-collector.ts';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const line = (n: number) => ({ time: '2030-01-01T00:00:00.000Z', type: 70, message: `line ${n}` });

const until = async (fn: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** A catalog stand-in that stores each (stream, seq) once, as internal.append_execution_messages does. */
class FakeCatalog implements LogSink {
  up = true;
  calls = 0;
  readonly stored: string[] = [];
  private readonly high = new Map<string, number>();
  refuse: ((lines: readonly LogLine[]) => PermanentFailure | undefined) | undefined;
  async append(_executionId: number, lines: readonly LogLine[]): Promise<void> {
    this.calls++;
    if (!this.up) throw new Error('unreachable');
    const refusal = this.refuse?.(lines);
    if (refusal) throw Object.assign(new Error(`refused: ${refusal}`), { refusal });
    for (const l of lines) {
      const last = this.high.get(l.stream!) ?? -1;
      if (l.seq! > last) {
        this.stored.push(l.message);
        this.high.set(l.stream!, l.seq!);
      }
    }
  }
  permanent(error: unknown): PermanentFailure | undefined {
    return (error as { refusal?: PermanentFailure }).refusal;
  }
}

describe('the worker\'s write-ahead log', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'scaleout-journal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('journal', () => {
    it('numbers messages in the order written, keeps the last checkpoint, and reads from a cursor', () => {
      const file = join(dir, JOURNAL_FILE);
      const j = Journal.open(file);
      j.append([line(0), line(1)], { out: { offset: 10 } });
      j.append([line(2)]);
      j.append([], { out: { offset: 20, skipping: true } });
      expect(j.messageCount).to.equal(3);
      j.close();
      const again = Journal.open(file);
      expect(again.messageCount).to.equal(3);
      expect(again.checkpoint).to.deep.equal({ out: { offset: 20, skipping: true } });
      const first = readJournal(file, { offset: 0, seq: 0 }, 2, 1 << 20);
      expect(first.lines.map((l) => [l.seq, l.message])).to.deep.equal([[0, 'line 0'], [1, 'line 1']]);
      const rest = readJournal(file, first.next, 10, 1 << 20);
      expect(rest.lines.map((l) => [l.seq, l.message])).to.deep.equal([[2, 'line 2']]);
      expect(rest.next.offset, 'past the last checkpoint too').to.equal(again.end.offset);
      again.close();
    });

    it('cuts off a last line that was never finished', () => {
      const file = join(dir, JOURNAL_FILE);
      const j = Journal.open(file);
      j.append([line(0)]);
      j.close();
      appendFileSync(file, '{"time":"2030-01-01T00:00:00.000Z","type":70,"mess');
      const again = Journal.open(file);
      expect(again.messageCount).to.equal(1);
      again.append([line(1)]);
      again.close();
      expect(readJournal(file, { offset: 0, seq: 0 }, 10, 1 << 20).lines.map((l) => l.message)).to.deep.equal(['line 0', 'line 1']);
    });
  });

  describe('attempt store', () => {
    const record = (folder: string, state: AttemptRecord['state']): AttemptRecord => ({
      version: 1, taskId: '00000000-0000-0000-0000-0000000000aa', executionId: 7, attempt: 1, maxAttempts: 2,
      leaseToken: 'x', leaseMs: 60000, streamId: '10000000-0000-0000-0000-0000000000aa', packageName: 'p', loggingLevel: 1, folder, state,
    });

    it('keeps the last record written whole: a write cut short leaves the one before it', () => {
      const folder = join(dir, 'record');
      mkdirSync(folder, { recursive: true });
      expect(readRecord(folder)).to.equal(undefined);
      writeRecord(record(folder, 'claimed'));
      writeRecord({ ...record(folder, 'started'), sources: [] });
      expect(readRecord(folder)?.state).to.equal('started');
      // A full disk: the next record's line got only partly written.
      appendFileSync(join(folder, RECORD_FILE), `\n${JSON.stringify(record(folder, 'ended'))}`.slice(0, 40));
      expect(readRecord(folder)?.state).to.equal('started');
      writeRecord(record(folder, 'reported'));
      expect(readRecord(folder)?.state).to.equal('reported');
    });

    it('reads what an earlier version of the worker left: a record rewritten whole, pending entries as files holding the path', () => {
      const folder = join(dir, 'legacy');
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'attempt.json'), JSON.stringify(record(folder, 'ended')));
      expect(readRecord(folder)?.state).to.equal('ended');
      mkdirSync(join(dir, 'legacy-cache', 'pending'), { recursive: true });
      writeFileSync(join(dir, 'legacy-cache', 'pending', 'x.1'), folder);
      writeFileSync(join(dir, 'legacy-cache', 'pending', 'x.2.tmp'), folder);
      const store = new AttemptStore(join(dir, 'legacy-cache'));
      expect(store.pendingFolders()).to.deep.equal([folder]);
      expect(readdirSync(join(dir, 'legacy-cache', 'pending')), 'taken in, then removed').to.deep.equal([]);
      store.removePending({ taskId: 'x', attempt: 1 });
      expect(store.pendingFolders()).to.deep.equal([]);
      store.close();
    });

    it('keeps the pending attempts across a crash, a line cut short included, and drops those whose folder is gone', () => {
      const cache = join(dir, 'pending-cache');
      const folders = ['a', 'b', 'c'].map((n) => join(dir, `pending-${n}`));
      for (const f of folders) mkdirSync(f, { recursive: true });
      const first = new AttemptStore(cache);
      folders.forEach((f, i) => first.addPending({ ...record(f, 'claimed'), taskId: `t${i}` }));
      first.addPending({ ...record(folders[0]!, 'claimed'), taskId: 't0' }); // claimed again after it was given back
      first.removePending({ taskId: 't1', attempt: 1 });
      // Killed while writing its next line (a full disk): the line is cut short.
      appendFileSync(join(cache, 'pending.log'), `\n+t9.1\t${join(dir, 'pend')}`.slice(0, 6));
      const second = new AttemptStore(cache);
      expect(second.pendingFolders().sort()).to.deep.equal([folders[0], folders[2]].sort());
      rmSync(folders[2]!, { recursive: true });
      expect(second.pendingFolders()).to.deep.equal([folders[0]]);
      // Entries come and go for a long time: the file is written whole again now and then.
      for (let i = 0; i < 3000; i++) {
        second.addPending({ ...record(folders[1]!, 'claimed'), taskId: `n${i}` });
        second.removePending({ taskId: `n${i}`, attempt: 1 });
      }
      expect(readFileSync(join(cache, 'pending.log'), 'utf8').split('\n').length).to.be.lessThan(4100);
      second.close();
      expect(new AttemptStore(cache).pendingFolders()).to.deep.equal([folders[0]]);
    });
  });

  describe('output collector', () => {
    const base = { package: 'p', sourceName: 'p', source: 30 };
    const text = (key: string, file: string, type = 70): OutputSource => ({ key, file, start: 0, format: 'text', type });

    it('journals complete lines as they come, a last line without its end once the output is over, each once', () => {
      const out = join(dir, 'stdout.log');
      const journal = Journal.open(join(dir, JOURNAL_FILE));
      const c = new OutputCollector({ journal, sources: [text('out', out)], base, keep: () => true });
      writeFileSync(out, 'one\r\ntwo\nthr');
      c.collect(false);
      expect(journal.messageCount).to.equal(2);
      appendFileSync(out, 'ee\nfour');
      c.collect(false);
      c.finish();
      const lines = readJournal(journal.file, { offset: 0, seq: 0 }, 100, 1 << 20).lines;
      expect(lines.map((l) => [l.message, l.type, l.package])).to.deep.equal([['one', 70, 'p'], ['two', 70, 'p'], ['three', 70, 'p'], ['four', 70, 'p']]);
      journal.close();
    });

    it('goes on after a crash from the journal\'s checkpoint: nothing read twice, nothing skipped', () => {
      const out = join(dir, 'stdout.log');
      const err = join(dir, 'stderr.log');
      writeFileSync(out, 'a1\na2\n');
      writeFileSync(err, 'b1\n');
      const journal = Journal.open(join(dir, JOURNAL_FILE));
      new OutputCollector({ journal, sources: [text('out', out), text('err', err, 110)], base, keep: () => true }).collect(false);
      journal.close();
      // The worker died; the package wrote more before it was ended.
      appendFileSync(out, 'a3\n');
      appendFileSync(err, 'b2');
      const reopened = Journal.open(join(dir, JOURNAL_FILE));
      new OutputCollector({ journal: reopened, sources: [text('out', out), text('err', err, 110)], base, keep: () => true, recovering: true }).finish();
      const lines = readJournal(reopened.file, { offset: 0, seq: 0 }, 100, 1 << 20).lines.map((l) => l.message);
      expect([...lines].sort()).to.deep.equal(['a1', 'a2', 'a3', 'b1', 'b2']);
      reopened.close();
    });

    it('cuts an overlong line with a marker and skips its rest; reads ctx.log lines; keeps only what the logging level keeps; stops at a reused host\'s end', () => {
      const out = join(dir, 'stdout.log');
      const pkg = join(dir, 'package.jsonl');
      // One line longer than a read (cut as it comes, its rest skipped), one within a read (cut whole).
      const huge = 'z'.repeat(1536 * 1024);
      writeFileSync(out, `${huge}\n${'w'.repeat(MAX_RAW_BYTES)}\nafter\nnext run\n`);
      writeFileSync(pkg, `${JSON.stringify({ t: Date.parse('2030-01-01T00:00:00Z'), y: 110, m: 'careful\u0000', e: null })}\n${JSON.stringify({ t: 1, y: 140, m: 'verbose' })}\n{"t":1,"y":70,"m":"torn`);
      const journal = Journal.open(join(dir, JOURNAL_FILE));
      const c = new OutputCollector({
        journal,
        sources: [text('out', out), { key: 'pkg', file: pkg, start: 0, format: 'jsonl', type: 70 }],
        base,
        keep: (type) => type !== 140,
      });
      c.finish({ out: huge.length + 1 + MAX_RAW_BYTES + 1 + 'after\n'.length });
      const lines = readJournal(journal.file, { offset: 0, seq: 0 }, 100, 1 << 20).lines;
      expect(lines.map((l) => l.message.slice(-44))).to.deep.equal([
        `zzzzzzzzz … [line cut: longer than ${MAX_RAW_BYTES} bytes]`.slice(-44),
        `wwwwwwwwwwww … [line cut: ${MAX_RAW_BYTES} characters in all]`.slice(-44),
        'after',
        'careful\uFFFD',
      ]);
      expect(lines[3]).to.include({ type: 110, time: '2030-01-01T00:00:00.000Z', event: 'OnWarning' });
      journal.close();
    });
  });

  describe('log shipper', () => {
    let store: AttemptStore;
    let n = 0;
    beforeEach(() => {
      store = new AttemptStore(join(dir, 'cache'));
    });

    function attempt(): { record: AttemptRecord; journal: Journal } {
      const folder = join(dir, `task-${++n}`);
      mkdirSync(folder, { recursive: true });
      const record: AttemptRecord = {
        version: 1, taskId: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`, executionId: n, attempt: 1, maxAttempts: 1,
        leaseToken: 'x', leaseMs: 60000, streamId: `10000000-0000-0000-0000-${String(n).padStart(12, '0')}`, packageName: 'p', loggingLevel: 1, folder, state: 'started',
      };
      store.addPending(record);
      return { record, journal: Journal.open(join(folder, JOURNAL_FILE)) };
    }

    const shipper = (over: Partial<ConstructorParameters<typeof LogShipper>[0]> = {}) => new LogShipper({ store, maxLinesPerBatch: 100, retryTimeoutMs: 60_000, paceMs: 0, log: quiet, ...over });

    it('delivers every line in order, in batches of at most ExecutionLogMaxBufferLogCount, and forgets the attempt once reported', async () => {
      const sink = new FakeCatalog();
      const s = shipper();
      s.useSink(sink);
      const a = attempt();
      s.track(a.record, a.journal, false);
      a.journal.append(Array.from({ length: 1050 }, (_, i) => line(i)));
      s.touch(a.record);
      await s.flush(a.record);
      expect(sink.stored).to.deep.equal(Array.from({ length: 1050 }, (_, i) => `line ${i}`));
      expect(sink.calls).to.equal(11);
      expect(s.pendingLines).to.equal(0);
      s.reported(a.record);
      expect(store.pendingFolders()).to.deep.equal([]);
    });

    it('loses nothing while the catalog is away, and a shipper started after a crash sends each line once', async () => {
      const sink = new FakeCatalog();
      const a = attempt();
      const first = shipper();
      first.useSink(sink);
      first.track(a.record, a.journal, false);
      a.journal.append(Array.from({ length: 250 }, (_, i) => line(i)));
      first.touch(a.record);
      await until(() => sink.stored.length === 250);
      sink.up = false;
      a.journal.append(Array.from({ length: 250 }, (_, i) => line(250 + i)));
      first.touch(a.record);
      await until(() => sink.calls > 4);
      expect(first.pendingLines).to.equal(250);
      await first.close(0); // the worker dies with lines undelivered
      a.journal.close();

      sink.up = true;
      const second = shipper();
      second.useSink(sink);
      const reopened = Journal.open(join(a.record.folder, JOURNAL_FILE));
      second.track(a.record, reopened, false);
      await second.flush(a.record);
      expect(sink.stored).to.deep.equal(Array.from({ length: 500 }, (_, i) => `line ${i}`));
      reopened.close();
    });

    it('sends what the body limit refuses in smaller batches, stores a placeholder for a line refused alone, and counts the lines of a deleted execution as undeliverable', async () => {
      const sink = new FakeCatalog();
      const s = shipper();
      s.useSink(sink);
      const big = attempt();
      sink.refuse = (lines) => (lines.length > 10 ? 'too_large' : lines.some((l) => l.message === 'line 13') ? 'invalid' : undefined);
      s.track(big.record, big.journal, false);
      big.journal.append(Array.from({ length: 40 }, (_, i) => line(i)));
      s.touch(big.record);
      await s.flush(big.record);
      expect(sink.stored).to.have.length(40);
      expect(sink.stored[13]).to.match(/^\[This line could not be stored: refused: invalid/);
      expect(sink.stored.filter((m) => /^line \d+$/.test(m))).to.have.length(39);

      const gone = attempt();
      sink.refuse = () => 'gone';
      s.track(gone.record, gone.journal, false);
      gone.journal.append([line(0), line(1), line(2)]);
      s.touch(gone.record);
      await s.flush(gone.record);
      expect(s.undeliverableLines).to.equal(3);
      expect(store.failedLines()).to.equal(3);
      expect(readdirSync(join(dir, 'cache', 'failed'))).to.have.length(1);
      expect(existsSync(join(gone.record.folder, JOURNAL_FILE)), 'the lines stay where they are').to.equal(true);
      expect(readFileSync(join(gone.record.folder, JOURNAL_FILE), 'utf8')).to.contain('line 2');
    });

    it('sends batches of several attempts at once, up to MAX_IN_FLIGHT, each attempt\'s in order and one at a time', async () => {
      let now = 0;
      let most = 0;
      let overlapped = 0;
      const sending = new Set<string>();
      const stored = new Map<string, string[]>();
      const sink: LogSink = {
        async append(_executionId, lines) {
          const stream = lines[0]!.stream!;
          if (sending.has(stream)) overlapped++;
          sending.add(stream);
          most = Math.max(most, ++now);
          await new Promise((r) => setTimeout(r, 15));
          stored.set(stream, [...(stored.get(stream) ?? []), ...lines.map((l) => l.message)]);
          sending.delete(stream);
          now--;
        },
        permanent: () => undefined,
      };
      const s = shipper({ maxLinesPerBatch: 10 });
      s.useSink(sink);
      const attempts = Array.from({ length: 20 }, () => attempt());
      for (const a of attempts) {
        s.track(a.record, a.journal, false);
        a.journal.append(Array.from({ length: 25 }, (_, i) => line(i)));
        s.touch(a.record);
      }
      await Promise.all(attempts.map((a) => s.flush(a.record)));
      expect(overlapped, 'one batch of an attempt at a time').to.equal(0);
      expect(most).to.be.greaterThan(1);
      expect(most).to.be.at.most(MAX_IN_FLIGHT);
      for (const a of attempts) expect(stored.get(a.record.streamId)).to.deep.equal(Array.from({ length: 25 }, (_, i) => `line ${i}`));
    });

    it('gives up on lines it could not deliver for ExecutionLogRetryTimeout, and says so', async () => {
      const sink = new FakeCatalog();
      sink.up = false;
      const s = shipper({ retryTimeoutMs: 50 });
      s.useSink(sink);
      const a = attempt();
      s.track(a.record, a.journal, false);
      a.journal.append([line(0)]);
      s.touch(a.record);
      await s.flush(a.record);
      expect(s.undeliverableLines).to.equal(1);
    });
  });

  describe('lease keeper', () => {
    /** A master that answers renewals as told, and counts them. */
    function fakeClient(answer: () => Array<{ errorNumber: number | null; isCancelled?: boolean }> | Error) {
      const calls: number[] = [];
      const client = {
        async renewLeases(_agent: string, leases: Array<{ taskId: string }>) {
          calls.push(leases.length);
          const a = answer();
          if (a instanceof Error) throw a;
          return leases.map((l, i) => ({ taskId: l.taskId, isCancelled: a[i]?.isCancelled ?? false, errorNumber: a[i]?.errorNumber ?? null }));
        },
      } as unknown as MasterClient;
      return { client, calls };
    }

    it('acknowledges claims together, reports a stop request, and drops a lease the catalog refuses (51302)', async () => {
      let answer: Array<{ errorNumber: number | null; isCancelled?: boolean }> = [{ errorNumber: null }, { errorNumber: null }];
      const { client, calls } = fakeClient(() => answer);
      const keeper = new LeaseKeeper({ client, agentId: 'a', leaseMs: 60_000, heartbeatMs: 50, toleranceMs: 600_000, log: quiet });
      keeper.start();
      const events: string[] = [];
      const on = (name: string) => ({ onCancel: () => events.push(`${name} cancel`), onLost: (r: string) => events.push(`${name} ${r}`), onUnreachable: () => events.push(`${name} unreachable`) });
      try {
        const one = keeper.hold('t1', 'k1', on('t1'));
        const two = keeper.hold('t2', 'k2', on('t2'));
        expect([await one.acknowledged, await two.acknowledged]).to.deep.equal([true, true]);
        expect(calls[0], 'both in one request').to.equal(2);
        answer = [{ errorNumber: null, isCancelled: true }, { errorNumber: 51302 }];
        await until(() => events.length >= 2);
        expect(events).to.deep.equal(['t1 cancel', 't2 lease_lost']);
        expect(keeper.size).to.equal(1);
        one.release();
        expect(keeper.size).to.equal(0);
      } finally {
        keeper.stop();
      }
    });

    it('acknowledges a new claim alone, with only the leases half a heartbeat past their last renewal beside it', async () => {
      const sent: string[][] = [];
      const client = {
        async renewLeases(_agent: string, leases: Array<{ taskId: string }>) {
          sent.push(leases.map((l) => l.taskId));
          return leases.map((l) => ({ taskId: l.taskId, isCancelled: false, errorNumber: null }));
        },
      } as unknown as MasterClient;
      // Not started: no periodic renewal interleaves; acknowledgements go all the same.
      const heartbeatMs = 3000;
      const keeper = new LeaseKeeper({ client, agentId: 'a', leaseMs: 60_000, heartbeatMs, toleranceMs: 600_000, log: quiet });
      const events = { onCancel: () => undefined, onLost: () => undefined, onUnreachable: () => undefined };
      try {
        expect(await keeper.hold('t1', 'k1', events).acknowledged).to.equal(true);
        const firstAck = Date.now();
        expect(await keeper.hold('t2', 'k2', events).acknowledged).to.equal(true);
        expect(sent).to.deep.equal([['t1'], ['t2']]);
        await until(() => Date.now() - firstAck > heartbeatMs / 2 + 50, 10_000);
        expect(await keeper.hold('t3', 'k3', events).acknowledged).to.equal(true);
        expect(sent[2]!.sort(), 't1 is due: it goes along').to.include.members(['t1', 't3']);
        expect(keeper.size).to.equal(3);
      } finally {
        keeper.stop();
      }
    });

    it('tells a run its lease ran out by the worker\'s own clock (lease less the margin) when no renewal is accepted, and keeps trying', async () => {
      let down = false;
      const { client } = fakeClient(() => (down ? new MasterError(503, 'catalog_unavailable', 'down') : [{ errorNumber: null }]));
      const leaseMs = 1200;
      const keeper = new LeaseKeeper({ client, agentId: 'a', leaseMs, heartbeatMs: 50, toleranceMs: 300, log: quiet });
      keeper.start();
      const events: Array<[string, number]> = [];
      try {
        const handle = keeper.hold('t1', 'k1', { onCancel: () => undefined, onLost: (r) => events.push([r, Date.now()]), onUnreachable: () => events.push(['unreachable', Date.now()]) });
        expect(await handle.acknowledged).to.equal(true);
        down = true;
        const downAt = Date.now();
        await until(() => events.some(([e]) => e === 'lease_expired'), 5000);
        const expiredAt = events.find(([e]) => e === 'lease_expired')![1];
        expect(expiredAt - downAt).to.be.lessThan(leaseMs - leaseMarginMs(leaseMs) + 200);
        expect(events.map(([e]) => e)).to.deep.equal(['unreachable', 'lease_expired']);
        expect(keeper.size, 'still renewed: the catalog may have kept it through an outage').to.equal(1);
        handle.release();
      } finally {
        keeper.stop();
      }
    });
  });

  it('a timer of any length: longer than 2^31 - 1 ms does not fire at once', async () => {
    let fired = 0;
    const long = setLongTimeout(() => fired++, 3_000_000 * 1000);
    const short = setLongTimeout(() => fired++, 5);
    await new Promise((r) => setTimeout(r, 50));
    expect(fired).to.equal(1);
    long.clear();
    short.clear();
  });
});
