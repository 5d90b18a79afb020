// Does a fixed amount of work with one line of text per unit of it. Mode "log" logs each line;
// "compose" builds the same line and discards it; "none" only works. "log" against "compose" is
// what shipping the lines costs the package; against "none", that plus composing them.
import { createHash } from 'node:crypto';

export default async function run(ctx) {
  const { Lines: lines, Mode: mode } = ctx.parameters;
  const started = performance.now();
  let digest = 'seed';
  let composed = 0;
  for (let i = 0; i < lines; i++) {
    for (let k = 0; k < 20; k++) digest = createHash('sha256').update(digest).digest('hex');
    if (mode === 'log') ctx.log.info(`row ${i} processed, digest ${digest.slice(0, 16)}`);
    else if (mode === 'compose') composed += `row ${i} processed, digest ${digest.slice(0, 16)}`.length;
  }
  ctx.log.info(`elapsed_ms=${(performance.now() - started).toFixed(1)} composed=${composed}`);
}
