// Does a fixed amount of work and logs one line per unit of it, or only the work when Log is false:
// the difference in its own run time is what shipping the lines costs the package.
import { createHash } from 'node:crypto';

export default async function run(ctx) {
  const started = performance.now();
  let digest = 'seed';
  for (let i = 0; i < ctx.parameters.Lines; i++) {
    for (let k = 0; k < 20; k++) digest = createHash('sha256').update(digest).digest('hex');
    if (ctx.parameters.Log) ctx.log.info(`row ${i} processed, digest ${digest.slice(0, 16)}`);
  }
  ctx.log.info(`elapsed_ms=${(performance.now() - started).toFixed(1)}`);
}
