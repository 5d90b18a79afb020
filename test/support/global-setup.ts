/**
 * Finds each catalog backend once per test run and hands it to the specs in environment variables:
 *   PGlite      always (in memory, one instance per spec file)
 *   PostgreSQL  when SCALEOUT_TEST_PG_URL is set (each spec file gets its own database)
 *   SQL Server  when SCALEOUT_TEST_MSSQL_URL is set, or testcontainers finds a container runtime and
 *               starts mcr.microsoft.com/mssql/server:2022-latest
 * A backend that is not there is skipped with one printed line saying why.
 */

import './key-folder.ts';
import { probeBackends, type BackendProbe } from './backends.ts';
import { ensureFreshBuild } from './fresh-build.ts';

let stopContainer: (() => Promise<void>) | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  ensureFreshBuild();
  const probes: BackendProbe[] = await probeBackends();
  for (const p of probes) {
    if (p.stop) stopContainer = p.stop;
    if (!p.available) process.stdout.write(`[backend] ${p.name}: skipped — ${p.reason}\n`);
    else process.stdout.write(`[backend] ${p.name}: ${p.reason}\n`);
  }
  const broken = probes.filter((p) => p.mustWork && !p.available);
  if (broken.length > 0) {
    throw new Error(`Backend(s) configured but unreachable: ${broken.map((b) => `${b.name} (${b.reason})`).join('; ')}`);
  }
}

export async function mochaGlobalTeardown(): Promise<void> {
  await stopContainer?.();
}
