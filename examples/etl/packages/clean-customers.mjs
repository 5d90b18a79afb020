import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv, toCsv } from './csv.mjs';

export default async function run(ctx) {
  const rows = readCsv(join(ctx.projectFolder, 'data', 'customers.csv'));
  ctx.log.info(`read ${rows.length} customer rows`);
  const byEmail = new Map();
  for (const row of rows) {
    const email = row.email.toLowerCase();
    if (!byEmail.has(email)) byEmail.set(email, { ...row, email });
  }
  const clean = [...byEmail.values()];
  mkdirSync(ctx.parameters.OutputFolder, { recursive: true });
  const file = join(ctx.parameters.OutputFolder, 'customers_clean.csv');
  writeFileSync(file, toCsv(clean, ['customer_id', 'name', 'email', 'country']));
  ctx.log.info(`rows read ${rows.length}, duplicates removed ${rows.length - clean.length}, written ${clean.length} to ${file}`);
}
