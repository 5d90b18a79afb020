import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export default async function run(ctx) {
  ctx.log.info(`publishing, attempt ${ctx.attempt} of ${ctx.maxAttempts}, on ${ctx.workerName}`);
  if (ctx.parameters.FailFirstAttempt && ctx.attempt === 1) {
    // A transient failure: the retry (catalog.start_execution @retry_count) runs the package again.
    throw new Error('the publishing target is unavailable (simulated); a retry will succeed');
  }
  mkdirSync(ctx.parameters.OutputFolder, { recursive: true });
  const file = join(ctx.parameters.OutputFolder, 'published.txt');
  writeFileSync(file, `published by execution ${ctx.executionId} on attempt ${ctx.attempt}\n`);
  ctx.log.info(`rows written 1 to ${file}`);
}
