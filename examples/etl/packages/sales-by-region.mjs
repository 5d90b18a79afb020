import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsv, toCsv } from './csv.mjs';

export default async function run(ctx) {
  const { OutputFolder, Region } = ctx.parameters;
  const rows = readCsv(join(ctx.projectFolder, 'data', 'sales.csv'));
  ctx.log.info(`read ${rows.length} order rows`);
  const totals = new Map();
  let rejected = 0;
  for (const [i, row] of rows.entries()) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const quantity = Number(row.quantity);
    const price = Number(row.unit_price);
    if (!Number.isInteger(quantity) || quantity <= 0 || !Number.isFinite(price)) {
      rejected++;
      ctx.log.warn(`order ${row.order_id} rejected: quantity "${row.quantity}", unit price "${row.unit_price}"`);
      continue;
    }
    if (Region && row.region !== Region) continue;
    const t = totals.get(row.region) ?? { region: row.region, orders: 0, units: 0, revenue: 0 };
    t.orders++;
    t.units += quantity;
    t.revenue += quantity * price;
    totals.set(row.region, t);
    if ((i + 1) % 100 === 0) ctx.progress(((i + 1) / rows.length) * 100, `${i + 1} rows`);
  }
  const result = [...totals.values()].sort((a, b) => a.region.localeCompare(b.region)).map((t) => ({ ...t, revenue: t.revenue.toFixed(2) }));
  mkdirSync(OutputFolder, { recursive: true });
  const file = join(OutputFolder, `sales_by_region${Region ? `_${Region.toLowerCase()}` : ''}.csv`);
  writeFileSync(file, toCsv(result, ['region', 'orders', 'units', 'revenue']));
  ctx.log.info(`rows read ${rows.length}, rejected ${rejected}, written ${result.length} to ${file}`);
}
