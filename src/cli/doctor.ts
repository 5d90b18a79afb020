/**
 * scaleout doctor: checks a setup end to end and says what to fix — the catalog (reachable,
 * migrated, Scale Out enabled), certificates (readable, in date, key matching, trusted), the
 * masters (recorded, online, their address answering with the expected certificate) and the
 * workers (enabled ones online).
 */

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:tls';
import type { Command } from 'commander';
import type { CatalogDb, Row } from '../db/types.ts';
import { normalizeThumbprint } from '../tls/thumbprints.ts';
import { readView } from '../catalog/views.ts';
import { printJson } from './output.ts';
import { refuseMissingEmbeddedCatalog } from './migrate.ts';

type Level = 'ok' | 'warn' | 'fail';

interface Finding {
  readonly level: Level;
  readonly check: string;
  readonly detail: string;
  readonly fix?: string;
}

class Findings {
  readonly list: Finding[] = [];
  add(level: Level, check: string, detail: string, fix?: string): void {
    this.list.push({ level, check, detail, ...(fix ? { fix } : {}) });
  }
}

/** A certificate file: readable, in date, its key matching; returns its thumbprint. */
function checkCertificate(f: Findings, what: string, certFile: string | undefined, keyFile: string | undefined): string | undefined {
  if (!certFile) return undefined;
  if (!existsSync(certFile)) {
    f.add('fail', what, `${certFile} does not exist`, 'create it with scaleout cert, or fix the path in the settings');
    return undefined;
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(readFileSync(certFile));
  } catch (error) {
    f.add('fail', what, `${certFile} is not a PEM certificate: ${(error as Error).message}`, 'create it again with scaleout cert');
    return undefined;
  }
  const thumbprint = normalizeThumbprint(cert.fingerprint256);
  const now = Date.now();
  const to = new Date(cert.validTo).getTime();
  if (new Date(cert.validFrom).getTime() > now) f.add('fail', what, `${certFile} is not valid before ${cert.validFrom}`, 'check the clock, or create the certificate again');
  else if (to < now) f.add('fail', what, `${certFile} expired on ${cert.validTo}`, 'create a new certificate with scaleout cert and trust its thumbprint');
  else if (to - now < 30 * 86_400_000) f.add('warn', what, `${certFile} expires on ${cert.validTo}`, 'renew it before then');
  else f.add('ok', what, `${certFile}, thumbprint ${thumbprint}, valid until ${cert.validTo}`);
  if (keyFile) {
    try {
      if (!cert.checkPrivateKey(createPrivateKey(readFileSync(keyFile)))) f.add('fail', what, `${keyFile} is not the key of ${certFile}`, 'use the key created with this certificate');
    } catch (error) {
      f.add('fail', what, `${keyFile} cannot be read as a private key: ${(error as Error).message}`, 'use the key created with this certificate');
    }
  }
  return thumbprint;
}

/** The certificate a TLS server presents (thumbprint and end of validity), or the reason it cannot be reached. */
function presentedCertificate(address: string): Promise<{ thumbprint: string; validTo: string }> {
  const url = new URL(address);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 443), rejectUnauthorized: false, timeout: 5000, servername: url.hostname === '127.0.0.1' ? undefined : url.hostname }, () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      resolve({ thumbprint: normalizeThumbprint(peer.fingerprint256 ?? ''), validTo: peer.valid_to });
    });
    socket.once('timeout', () => socket.destroy(new Error('no answer within 5 s')));
    socket.once('error', reject);
  });
}

/** Reachable and migrated: then the master properties, which the later checks read too; else undefined. */
async function checkCatalog(f: Findings, db: CatalogDb): Promise<Row[] | undefined> {
  // Connections open lazily: say "reachable" only once a query came back (never ok, then fail).
  await db.query('SELECT 1 AS ok');
  f.add('ok', 'catalog', `reachable: ${db.description}`);
  const { migrationStatus } = await import('../migrate/runner.ts');
  const status = await migrationStatus(db);
  const pending = status.entries.filter((e) => e.state !== 'applied');
  if (pending.length > 0) {
    f.add('fail', 'catalog schema', `${pending.length} script(s) not applied (first: ${pending[0]!.script.name})`, 'run scaleout migrate up');
    return undefined;
  }
  if (status.unknownSteps.length > 0) f.add('warn', 'catalog schema', `${status.unknownSteps.length} step(s) applied by a newer version of Scale Out`, 'upgrade this installation');
  else f.add('ok', 'catalog schema', `up to date (${status.entries.length} scripts)`);
  const props = await readView(db, 'master_properties');
  const enabled = props.find((p) => p.property_name === 'IS_SCALEOUT_ENABLED')?.property_value;
  if (enabled !== undefined && !/^(true|1)$/i.test(String(enabled))) f.add('fail', 'Scale Out', 'disabled in this catalog: no worker gets a task', 'EXEC catalog.enable_scaleout');
  return props;
}

async function checkMasters(f: Findings, db: CatalogDb, props: readonly Row[], pinned: string | undefined): Promise<void> {
  const masters = await readView(db, 'masters');
  const online = masters.filter((m) => m.State === 'online');
  if (online.length === 0) {
    f.add('fail', 'masters', masters.length === 0 ? 'no master has ever started on this catalog' : `none online (${masters.map((m) => `${m.MachineName}: ${m.State}`).join(', ')})`, 'start one: scaleout master --cert ... --key ...');
  } else {
    f.add('ok', 'masters', `${online.length} online: ${online.map((m) => `${m.Address} (${m.HeldSweeps || 'no sweeps'})`).join(', ')}`);
  }
  const address = String(props.find((p) => p.property_name === 'MASTER_ADDRESS')?.property_value ?? '') || String(online[0]?.Address ?? '');
  if (!address) {
    f.add('warn', 'master address', 'MASTER_ADDRESS is not set', 'EXEC catalog.update_master_address with the https://host:port workers use');
    return;
  }
  try {
    const { thumbprint, validTo } = await presentedCertificate(address);
    const left = new Date(validTo).getTime() - Date.now();
    if (pinned && thumbprint !== pinned) f.add('fail', 'master address', `${address} presents certificate ${thumbprint}, not the pinned ${pinned}`, 'set MasterHttpsCertThumbprint in the worker settings to the master certificate\'s thumbprint');
    else if (left < 0) f.add('fail', 'master address', `${address} presents certificate ${thumbprint}, which expired on ${validTo}`, 'give the master a new certificate (scaleout cert) and pin its thumbprint on the workers');
    else if (left < 30 * 86_400_000) f.add('warn', 'master address', `${address} presents certificate ${thumbprint}, which expires on ${validTo}`, 'renew it before then, and pin the new thumbprint on the workers');
    else f.add('ok', 'master address', `${address} answers with certificate ${thumbprint}, valid until ${validTo}`);
  } catch (error) {
    f.add('fail', 'master address', `${address} cannot be reached: ${(error as Error).message}`, 'start the master, open its port in the firewall, or correct catalog.update_master_address');
  }
}

/** Execution log lines the workers could not deliver (kept on their disks), and lines still waiting, as their heartbeats report them. */
async function checkLogDelivery(f: Findings, db: CatalogDb, workers: readonly Row[]): Promise<void> {
  const counters = await readView(db, 'worker_agent_perfcounter');
  const name = (id: unknown) => {
    const w = workers.find((x) => String(x.WorkerAgentId).toLowerCase() === String(id).toLowerCase());
    return String(w?.DisplayName ?? w?.MachineName ?? id);
  };
  const of = (counter: string) => counters.filter((c) => c.PerfCounterName === counter && Number(c.PerfCounterValue) > 0);
  const undeliverable = of('LogLinesUndeliverable');
  const pending = of('LogLinesPending');
  if (undeliverable.length > 0) {
    f.add(
      'warn',
      'execution logs',
      `lines that could not be delivered: ${undeliverable.map((c) => `${name(c.WorkerAgentId)} ${Number(c.PerfCounterValue)}`).join(', ')}`,
      'they are kept on the worker: see <ExecutionLogCacheFolder>/failed (each entry names the attempt folder holding its lines, and why)',
    );
  }
  if (pending.length > 0) f.add('ok', 'execution logs', `lines waiting for delivery: ${pending.map((c) => `${name(c.WorkerAgentId)} ${Number(c.PerfCounterValue)}`).join(', ')}`);
  else if (undeliverable.length === 0) f.add('ok', 'execution logs', 'every worker has delivered its lines');
}

async function checkWorkers(f: Findings, db: CatalogDb, workerThumbprint: string | undefined, workerId: string | undefined): Promise<void> {
  const workers = await readView(db, 'worker_agents');
  const isEnabled = (w: Row) => w.IsEnabled === true || w.IsEnabled === 1;
  const enabled = workers.filter(isEnabled);
  const online = enabled.filter((w) => w.State === 'online');
  if (workers.length === 0) f.add('warn', 'workers', 'no worker agent is recorded', 'start a worker and run catalog.add_worker_agent (scaleout agent add)');
  else if (online.length === 0) f.add('fail', 'workers', `none of ${enabled.length} enabled worker(s) is online`, 'start the workers (scaleout worker) and check their log');
  else f.add(online.length === enabled.length ? 'ok' : 'warn', 'workers', `${online.length} of ${enabled.length} enabled online${enabled.length > online.length ? `; not online: ${enabled.filter((w) => w.State !== 'online').map((w) => w.DisplayName ?? w.WorkerAgentId).join(', ')}` : ''}`);
  const disabled = workers.filter((w) => !isEnabled(w));
  if (disabled.length > 0) f.add('warn', 'workers', `${disabled.length} disabled: ${disabled.map((w) => w.DisplayName ?? w.WorkerAgentId).join(', ')}`, 'scaleout agent enable <id> when they should take tasks');
  await checkLogDelivery(f, db, workers);
  if (workerThumbprint) {
    const mine = workers.find((w) => normalizeThumbprint(String(w.CertificateThumbprint ?? '')) === workerThumbprint);
    if (!mine) f.add('fail', 'worker certificate', `thumbprint ${workerThumbprint} is not trusted by the catalog`, `scaleout agent add ${workerId ?? '<AgentId>'} --thumbprint ${workerThumbprint}`);
    else if (workerId && String(mine.WorkerAgentId).toLowerCase() !== workerId.toLowerCase()) f.add('fail', 'worker certificate', `trusted for worker ${mine.WorkerAgentId}, but the settings say AgentId ${workerId}`, 'use the AgentId the certificate was trusted for');
    else f.add('ok', 'worker certificate', `trusted for worker ${mine.WorkerAgentId}`);
  }
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the setup end to end — catalog, certificates, masters, workers — and say what to fix')
    .option('--worker-settings <file>', 'a worker\'s settings file: check its certificates and master as that worker sees them')
    .option('--master-cert <file>', 'the master certificate to check')
    .option('--master-key <file>', 'its key')
    .option('--json', 'print JSON')
    .action(async (o: { workerSettings?: string; masterCert?: string; masterKey?: string; json?: boolean }) => {
      const f = new Findings();
      let pinned: string | undefined;
      let workerThumbprint: string | undefined;
      let workerId: string | undefined;
      if (o.workerSettings) {
        try {
          const { loadWorkerSettings } = await import('../worker/settings.ts');
          const s = loadWorkerSettings({ file: o.workerSettings });
          f.add('ok', 'worker settings', `${o.workerSettings}: AgentId ${s.AgentId}, master ${s.MasterEndpoint.join(', ')}`);
          pinned = s.MasterHttpsCertThumbprint;
          workerId = s.AgentId;
          workerThumbprint = checkCertificate(f, 'worker certificate file', s.WorkerCertFile, s.WorkerKeyFile);
        } catch (error) {
          f.add('fail', 'worker settings', (error as Error).message, 'correct the key it names');
        }
      }
      const masterThumbprint = checkCertificate(f, 'master certificate file', o.masterCert, o.masterKey);
      pinned ??= masterThumbprint;
      const { openCatalog } = await import('../db/open.ts');
      let db: CatalogDb | undefined;
      try {
        refuseMissingEmbeddedCatalog(program.opts<{ catalog?: string }>().catalog);
        db = await openCatalog(program.opts<{ catalog?: string }>().catalog, { connectTimeoutMs: 10_000 });
        const props = await checkCatalog(f, db);
        if (props) {
          await checkMasters(f, db, props, pinned);
          await checkWorkers(f, db, workerThumbprint, workerId);
        }
      } catch (error) {
        f.add('fail', 'catalog', `cannot be used: ${(error as Error).message}`, 'check --catalog / SCALEOUT_CATALOG, the server, the login and the network');
      } finally {
        await db?.close().catch(() => undefined);
      }
      if (o.json) printJson(f.list);
      else {
        for (const x of f.list) {
          process.stdout.write(`${x.level.padEnd(4)}  ${x.check}: ${x.detail}\n`);
          if (x.fix) process.stdout.write(`      fix: ${x.fix}\n`);
        }
        const fails = f.list.filter((x) => x.level === 'fail').length;
        process.stdout.write(fails === 0 ? 'No problem found.\n' : `${fails} problem(s) to fix.\n`);
      }
      if (f.list.some((x) => x.level === 'fail')) process.exitCode = 1;
    });
}
