// Writes Lines numbered lines ("exec <id> attempt <n> n=<i>"), one every IntervalMs, and keeps a
// ledger of the attempt in <Ledger>/<execution>.<attempt>: when it started, each line it wrote
// (once the line has left the process), and when it ended. The benchmark reads the ledgers to find
// attempts that ran at the same time, ran twice, or lost lines. With Busy the package never yields
// to its event loop: lines go to stdout, and the pauses are synchronous.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

const pause = new Int32Array(new SharedArrayBuffer(4));

export default async function run(ctx) {
  const { Lines, IntervalMs, Busy, Ledger } = ctx.parameters;
  const ledger = join(Ledger, `${ctx.executionId}.${ctx.attempt}`);
  appendFileSync(ledger, `start ${Date.now()} ${ctx.workerName}\n`);
  for (let i = 0; i < Lines; i++) {
    const text = `exec ${ctx.executionId} attempt ${ctx.attempt} n=${i}`;
    if (Busy) {
      console.log(text); // written to the stdout file at once
    } else {
      ctx.log.info(text);
      await new Promise((r) => setImmediate(r)); // the host writes its lines on the next turn
    }
    appendFileSync(ledger, `beat ${i} ${Date.now()}\n`);
    if (Busy) Atomics.wait(pause, 0, 0, IntervalMs);
    else await new Promise((r) => setTimeout(r, IntervalMs));
  }
  appendFileSync(ledger, `end ${Date.now()}\n`);
}
