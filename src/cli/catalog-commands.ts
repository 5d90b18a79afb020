/**
 * The catalog tasks a DBA does in SSMS, from a shell: each command is a thin call of the catalog
 * procedure (or a read of its view), so it behaves — and fails, with the same numbered error —
 * exactly as EXEC would.
 *
 *   scaleout agent list|add|enable|disable|set|trust|delete
 *   scaleout folder create|list
 *   scaleout execution create|param|start|stop|show|list|logs|wait (create --environment Folder/Name)
 *   scaleout catalog properties|configure|update-master-address|update-logdb-info
 */

import type { Command } from 'commander';
import { CatalogError } from '../catalog/errors.ts';
import { ENDED_STATUSES, EXECUTION_STATUS, MESSAGE_TYPE } from '../catalog/codes.ts';
import { readView } from '../catalog/views.ts';
import { referenceIdFor } from '../catalog/environment-lookup.ts';
import { CLI_ERRORS, CliError, formatError } from './cli-errors.ts';
import { qualified } from './environment-commands.ts';
import type { CatalogDb, Row } from '../db/types.ts';
import { withCatalog } from './migrate.ts';
import { printJson, printTable } from './output.ts';
import { Progress } from './progress.ts';
import { executionRequests, readBatchFile, startBatch, type BatchDefaults } from './execution-batch.ts';
import { collect, keyValue } from './service.ts';


function output(rows: readonly Row[], json: boolean | undefined, columns?: readonly string[]): void {
  if (json) printJson(rows);
  else if (rows.length === 0) process.stdout.write('(none)\n');
  else printTable(rows, columns);
}

/**
 * Waits until the executions end, then prints them: exit code 0 when all succeeded, 3 when one did
 * not, 4 (with error 52011) when the timeout passed first.
 */
/** "9,000 succeeded, 1,000 pending": many executions' progress on one line. */
function countsByStatus(rows: readonly Row[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(String(r.status_name), (counts.get(String(r.status_name)) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n.toLocaleString('en-US')} ${status}`).join(', ');
}

async function waitForExecutions(db: CatalogDb, wanted: number[], timeoutSeconds: string | undefined, json: boolean | undefined): Promise<void> {
  const deadline = timeoutSeconds ? Date.now() + Number(timeoutSeconds) * 1000 : Infinity;
  const progress = new Progress();
  let rows: Row[] = [];
  for (;;) {
    rows = (await readView(db, 'executions', { where: { execution_id: wanted }, orderBy: [{ column: 'execution_id' }] })).map(withStatusName);
    const missing = wanted.filter((w) => !rows.some((r) => Number(r.execution_id) === w));
    if (missing.length > 0) throw executionNotFound(missing.join(', '));
    const open = rows.filter((r) => !ENDED_STATUSES.has(Number(r.status)));
    progress.update(rows.length <= 20 ? rows.map((r) => `${r.execution_id} ${r.status_name}`).join(', ') : countsByStatus(rows));
    if (open.length === 0) break;
    if (Date.now() > deadline) {
      progress.done();
      process.stderr.write(formatError(new CliError(CLI_ERRORS.timedOut, `still not ended after ${timeoutSeconds} s: ${open.map((r) => `${r.execution_id} (${r.status_name})`).join(', ')}`, 'a pending execution waits for a worker that may run it: scaleout agent list, scaleout doctor')));
      process.exitCode = 4;
      return;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  progress.done();
  output(rows, json, ['execution_id', 'package_name', 'status_name', 'executed_count', 'machine_name', 'start_time', 'end_time']);
  if (rows.some((r) => Number(r.status) !== 7)) process.exitCode = 3;
}

/** execution create --from-file: every row created and started by catalog.start_executions. */
async function createFromFile(
  db: CatalogDb,
  file: string,
  o: BatchDefaults & { worker: string[]; param: string[]; packageParam: string[]; retry: string; wait?: boolean; waitTimeout?: string; json?: boolean },
): Promise<void> {
  if (o.worker.length > 0 || o.param.length > 0 || o.packageParam.length > 0) {
    throw new CliError(CLI_ERRORS.usage, '--from-file starts each execution as it creates it: --worker, --param and --package-param cannot apply.',
      'give parameters server defaults (scaleout project param) or take them from an environment ("environment" in a row, or --environment)');
  }
  const requests = await executionRequests(db, readBatchFile(file), o);
  const ids = await startBatch(db, requests, Number(o.retry));
  if (o.wait) {
    if (!o.json) process.stdout.write(`${ids.length} executions created and started (${ids[0]} to ${ids.at(-1)}); waiting for their end.\n`);
    await waitForExecutions(db, ids, o.waitTimeout, o.json);
    return;
  }
  if (o.json) printJson(ids.map((execution_id, i) => ({ row: i + 1, execution_id, started: true })));
  else process.stdout.write(`${ids.length} execution${ids.length === 1 ? '' : 's'} created and started: ${ids.join(', ')}.\n`);
}

/** What the catalog says of an execution that is not there (51106), for reads as for changes. */
function executionNotFound(id: number | string): CatalogError {
  return new CatalogError(51106, `The execution ${id} does not exist.`);
}

function positiveId(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n <= 0) throw new CliError(CLI_ERRORS.usage, `${what} must be a positive whole number, not "${text}".`);
  return n;
}

function withStatusName(row: Row): Row {
  return { ...row, status_name: EXECUTION_STATUS[Number(row.status)] ?? String(row.status) };
}

export function registerCatalogCommands(program: Command): void {
  const run = <T>(fn: (db: CatalogDb) => Promise<T>) => withCatalog(program, fn);

  // ---- agent
  const agent = program.command('agent').description('worker agents (catalog.worker_agents and the procedures that change them)');
  agent
    .command('list')
    .description('every worker agent, its state and running tasks')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) =>
      run(async (db) => output(await readView(db, 'worker_agents', { orderBy: [{ column: 'DisplayName' }] }), o.json, ['WorkerAgentId', 'DisplayName', 'MachineName', 'IsEnabled', 'State', 'RunningTaskCount', 'MaxTaskCount', 'Tags', 'LastOnlineTime'])),
    );
  agent
    .command('add <workerAgentId>')
    .description('catalog.add_worker_agent: record a worker and trust its certificate')
    .requiredOption('--thumbprint <sha256>', 'the worker certificate\'s thumbprint (scaleout cert worker prints it)')
    .option('--name <displayName>', 'display name')
    .option('--description <text>', 'description')
    .option('--tags <list>', 'comma-separated tags executions may require')
    .option('--max-tasks <n>', 'MaxTaskCount')
    .option('--enable', 'enable it at once')
    .action((id: string, o: { thumbprint: string; name?: string; description?: string; tags?: string; maxTasks?: string; enable?: boolean }) =>
      run(async (db) => {
        await db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: o.thumbprint, DisplayName: o.name, Description: o.description, Tags: o.tags, MaxTaskCount: o.maxTasks === undefined ? undefined : Number(o.maxTasks), IsEnabled: o.enable ? 1 : 0 });
        process.stdout.write(`Worker agent ${id} added${o.enable ? ' and enabled' : ' (disabled: scaleout agent enable to let it take tasks)'}.\n`);
      }),
    );
  for (const [verb, proc, done] of [
    ['enable', 'catalog.enable_worker_agent', 'enabled'],
    ['disable', 'catalog.disable_worker_agent', 'disabled (its running tasks finish)'],
    ['delete', 'catalog.delete_worker_agent', 'deleted'],
  ] as const) {
    agent
      .command(`${verb} <workerAgentId>`)
      .description(proc)
      .action((id: string) =>
        run(async (db) => {
          await db.call(proc, { WorkerAgentId: id });
          process.stdout.write(`Worker agent ${id} ${done}.\n`);
        }),
      );
  }
  agent
    .command('set <workerAgentId> <property> <value>')
    .description('catalog.set_worker_agent_property: DisplayName, Description, Tags or MaxTaskCount')
    .action((id: string, property: string, value: string) =>
      run(async (db) => {
        await db.call('catalog.set_worker_agent_property', { WorkerAgentId: id, PropertyName: property, PropertyValue: value });
        process.stdout.write(`Worker agent ${id}: ${property} set.\n`);
      }),
    );
  agent
    .command('trust <thumbprint>')
    .description('catalog.trust_worker_certificate: let a worker with this certificate register by itself (recorded disabled)')
    .option('--description <text>', 'why it is trusted')
    .action((thumbprint: string, o: { description?: string }) =>
      run(async (db) => {
        await db.call('catalog.trust_worker_certificate', { CertificateThumbprint: thumbprint, Description: o.description });
        process.stdout.write(`Certificate ${thumbprint} trusted.\n`);
      }),
    );

  // ---- folder
  const folder = program.command('folder').description('catalog folders');
  folder
    .command('create <name>')
    .description('catalog.create_folder')
    .action((name: string) =>
      run(async (db) => {
        const r = await db.call('catalog.create_folder', { folder_name: name });
        process.stdout.write(`Folder ${name} created (folder_id ${r.output.folder_id}).\n`);
      }),
    );
  folder
    .command('list')
    .description('catalog.folders')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => run(async (db) => output(await readView(db, 'folders', { orderBy: [{ column: 'name' }] }), o.json)));

  // ---- execution
  const execution = program.command('execution').description('executions: create, set parameters, start, stop, watch');
  execution
    .command('create')
    .description('catalog.create_execution (runs in Scale Out); with --start also start it; with --from-file create and start many (catalog.start_executions)')
    .option('--folder <name>', 'catalog folder')
    .option('--project <name>', 'project')
    .option('--package <name>', 'package')
    .option('--from-file <file>', 'create and start every execution of a JSON array (- for standard input) in one call per 10,000: objects with catalog.start_executions\'s keys (folder_name, project_name, package_name, reference_id, priority, required_tags, timeout_seconds, use32bitruntime, useanyworker) or "environment": "Folder/Name"; --folder, --project, --package, --environment, --priority, --tags and --timeout are the defaults of rows that lack them')
    .option('--environment <Folder/Name>', 'take referenced parameters from this environment (the project\'s reference to it)')
    .option('--priority <n>', 'higher runs first')
    .option('--tags <list>', 'only workers with every one of these tags')
    .option('--timeout <seconds>', 'stop the package after this long (default: the package\'s own)')
    .option('--worker <workerAgentId>', 'only this worker (catalog.add_execution_worker), repeatable', collect, [])
    .option('--param <Name=Value>', 'a project parameter value, repeatable', collect, [])
    .option('--package-param <Name=Value>', 'a package parameter value, repeatable', collect, [])
    .option('--start', 'start it (catalog.start_execution)')
    .option('--retry <n>', 'with --start: attempts after a failure', '0')
    .option('--wait', 'with --start: wait until it ends, as execution wait does (exit 0 succeeded, 3 not, 4 timed out)')
    .option('--wait-timeout <seconds>', 'with --wait: give up after this long')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  scaleout execution create --folder Finance --project etl --package clean_customers --param OutputFolder=/srv/out --start --wait\n  scaleout execution create --folder Finance --project etl --from-file nightly-runs.json --retry 2')
    .action(
      (o: { folder?: string; project?: string; package?: string; fromFile?: string; environment?: string; priority?: string; tags?: string; timeout?: string; worker: string[]; param: string[]; packageParam: string[]; start?: boolean; retry: string; wait?: boolean; waitTimeout?: string; json?: boolean }) =>
        run(async (db) => {
          if (o.fromFile !== undefined) {
            await createFromFile(db, o.fromFile, o);
            return;
          }
          const missing = (['folder', 'project', 'package'] as const).filter((k) => o[k] === undefined);
          if (missing.length > 0) throw new CliError(CLI_ERRORS.usage, `execution create needs ${missing.map((k) => `--${k}`).join(', ')} (or --from-file).`);
          if (o.wait && !o.start) throw new CliError(CLI_ERRORS.usage, '--wait needs --start: an execution that is not started does not end.');
          const referenceId = o.environment === undefined
            ? undefined
            : await referenceIdFor(db, { folder: o.folder!, name: o.project! }, qualified(o.environment, '--environment'));
          const r = await db.call('catalog.create_execution', {
            folder_name: o.folder,
            project_name: o.project,
            package_name: o.package,
            reference_id: referenceId,
            runinscaleout: 1,
            useanyworker: o.worker.length === 0 ? 1 : 0,
            priority: o.priority === undefined ? undefined : Number(o.priority),
            required_tags: o.tags,
            timeout_seconds: o.timeout === undefined ? undefined : Number(o.timeout),
          });
          const id = Number(r.output.execution_id);
          for (const w of o.worker) await db.call('catalog.add_execution_worker', { execution_id: id, workeragent_id: w });
          for (const [name, value] of o.param.map((p) => keyValue(p, `--param ${p}`))) await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 20, parameter_name: name, parameter_value: value });
          for (const [name, value] of o.packageParam.map((p) => keyValue(p, `--package-param ${p}`))) await db.call('catalog.set_execution_parameter_value', { execution_id: id, object_type: 30, parameter_name: name, parameter_value: value });
          if (o.start) await db.call('catalog.start_execution', { execution_id: id, retry_count: Number(o.retry) });
          if (o.wait) {
            if (!o.json) process.stdout.write(`Execution ${id} created and started; waiting for its end.\n`);
            await waitForExecutions(db, [id], o.waitTimeout, o.json);
            return;
          }
          if (o.json) printJson({ execution_id: id, started: Boolean(o.start) });
          else process.stdout.write(`Execution ${id} created${o.start ? ' and started' : ''}.\n`);
        }),
    );
  execution
    .command('param <executionId> <name> <value>')
    .description('catalog.set_execution_parameter_value')
    .option('--object-type <n>', '20 project parameter, 30 package parameter, 50 system (LOGGING_LEVEL, ...)', '20')
    .action((id: string, name: string, value: string, o: { objectType: string }) =>
      run(async (db) => {
        await db.call('catalog.set_execution_parameter_value', { execution_id: positiveId(id, 'executionId'), object_type: Number(o.objectType), parameter_name: name, parameter_value: value });
        process.stdout.write(`Execution ${id}: ${name} set.\n`);
      }),
    );
  execution
    .command('start <executionId>')
    .description('catalog.start_execution')
    .option('--retry <n>', 'attempts after a failure', '0')
    .action((id: string, o: { retry: string }) =>
      run(async (db) => {
        await db.call('catalog.start_execution', { execution_id: positiveId(id, 'executionId'), retry_count: Number(o.retry) });
        process.stdout.write(`Execution ${id} started.\n`);
      }),
    );
  execution
    .command('stop <executionId>')
    .description('catalog.stop_operation')
    .action((id: string) =>
      run(async (db) => {
        await db.call('catalog.stop_operation', { operation_id: positiveId(id, 'executionId') });
        process.stdout.write(`Execution ${id}: stop requested.\n`);
      }),
    );
  execution
    .command('show <executionId>')
    .description('one execution (catalog.executions) and its parameter values')
    .option('--json', 'print JSON')
    .action((id: string, o: { json?: boolean }) =>
      run(async (db) => {
        const n = positiveId(id, 'executionId');
        const [row] = await readView(db, 'executions', { where: { execution_id: n } });
        if (!row) throw executionNotFound(n);
        const params = await readView(db, 'execution_parameter_values', { where: { execution_id: n }, orderBy: [{ column: 'object_type' }, { column: 'parameter_name' }] });
        if (o.json) {
          printJson({ ...withStatusName(row), parameters: params });
          return;
        }
        const e: Row = withStatusName(row);
        if (e.environment_name) e.environment = `${String(e.environment_folder_name)}/${String(e.environment_name)}`;
        for (const key of ['execution_id', 'folder_name', 'project_name', 'package_name', 'environment', 'status_name', 'executed_count', 'max_executed_count', 'worker_agent_id', 'machine_name', 'start_time', 'end_time', 'priority', 'timeout_seconds']) {
          if (key in e) process.stdout.write(`${key.padEnd(20)}${formatValue(e[key])}\n`);
        }
        process.stdout.write('\n');
        printTable(params.map((p) => ({ object_type: p.object_type, parameter_name: p.parameter_name, value: p.sensitive ? '(sensitive)' : p.parameter_value })));
      }),
    );
  execution
    .command('list')
    .description('the latest executions (catalog.executions)')
    .option('--folder <name>', 'only this folder')
    .option('--status <name>', 'only this status (running, failed, ...)')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print JSON')
    .action((o: { folder?: string; status?: string; limit: string; json?: boolean }) =>
      run(async (db) => {
        // Filtered by the catalog, so that --limit counts matching executions only.
        let status: number | undefined;
        if (o.status) {
          const code = Object.entries(EXECUTION_STATUS).find(([, name]) => name === o.status)?.[0];
          if (!code) throw new CliError(CLI_ERRORS.usage, `--status must be one of: ${Object.values(EXECUTION_STATUS).join(', ')}.`);
          status = Number(code);
        }
        const rows = (
          await readView(db, 'executions', { where: { folder_name: o.folder || undefined, status }, orderBy: [{ column: 'execution_id', desc: true }], limit: positiveId(o.limit, '--limit') })
        ).map(withStatusName);
        output(rows, o.json, ['execution_id', 'folder_name', 'project_name', 'package_name', 'status_name', 'executed_count', 'machine_name', 'start_time', 'end_time']);
      }),
    );
  execution
    .command('logs <executionId>')
    .description('the execution\'s messages (catalog.operation_messages); --follow until it ends')
    .option('--follow', 'keep printing new messages until the execution ends')
    .option('--json', 'print JSON lines')
    .action((id: string, o: { follow?: boolean; json?: boolean }) =>
      run(async (db) => {
        const n = positiveId(id, 'executionId');
        let last = 0;
        for (;;) {
          const [row] = await readView(db, 'executions', { where: { execution_id: n } });
          if (!row) throw executionNotFound(n);
          const ended = ENDED_STATUSES.has(Number(row.status));
          const rows = await readView(db, 'operation_messages', { where: { operation_id: n }, range: { operation_message_id: { from: last + 1 } }, orderBy: [{ column: 'operation_message_id' }], limit: 10_000 });
          for (const m of rows) {
            last = Math.max(last, Number(m.operation_message_id));
            if (o.json) process.stdout.write(`${JSON.stringify(m)}\n`);
            else process.stdout.write(`${formatValue(m.message_time)}  ${(MESSAGE_TYPE[Number(m.message_type)] ?? String(m.message_type)).padEnd(8)}  ${m.message}\n`);
          }
          if (!o.follow || (ended && rows.length === 0)) return;
          if (rows.length < 10_000) await new Promise((r) => setTimeout(r, 500));
        }
      }),
    );
  execution
    .command('wait <executionId...>')
    .description('wait until the executions end; exit 0 if all succeeded, 3 if any did not')
    .option('--timeout <seconds>', 'give up after this long (exit 4)')
    .option('--json', 'print JSON')
    .action((ids: string[], o: { timeout?: string; json?: boolean }) =>
      run((db) => waitForExecutions(db, ids.map((i) => positiveId(i, 'executionId')), o.timeout, o.json)),
    );

  // ---- catalog
  const cat = program.command('catalog').description('catalog-wide settings');
  cat
    .command('properties')
    .description('catalog.catalog_properties and catalog.master_properties')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) =>
      run(async (db) => {
        const catalogProps = await readView(db, 'catalog_properties', { orderBy: [{ column: 'property_name' }] });
        const masterProps = await readView(db, 'master_properties', { orderBy: [{ column: 'property_name' }] });
        if (o.json) {
          printJson({ catalog_properties: catalogProps, master_properties: masterProps });
          return;
        }
        printTable(catalogProps);
        process.stdout.write('\n');
        printTable(masterProps);
      }),
    );
  cat
    .command('configure <property> <value>')
    .description('catalog.configure_catalog (RETENTION_WINDOW, MAX_PROJECT_VERSIONS, ...)')
    .action((property: string, value: string) =>
      run(async (db) => {
        await db.call('catalog.configure_catalog', { property_name: property, property_value: value });
        process.stdout.write(`${property} set to ${value}.\n`);
      }),
    );
  cat
    .command('update-master-address <address>')
    .description('catalog.update_master_address: the https://host:port workers are told')
    .action((address: string) =>
      run(async (db) => {
        await db.call('catalog.update_master_address', { MasterAddress: address });
        process.stdout.write(`Master address set to ${address}.\n`);
      }),
    );
  cat
    .command('update-logdb-info <serverName> <connectionString>')
    .description('catalog.update_logdb_info: where workers write execution logs directly')
    .action((server: string, connection: string) =>
      run(async (db) => {
        await db.call('catalog.update_logdb_info', { server_name: server, connection_string: connection });
        process.stdout.write(`Log database set to ${server}; workers pick it up at their next heartbeat.\n`);
      }),
    );

  // ---- catalog key: the protection key of sensitive values (src/catalog/protection.ts)
  const key = cat.command('key').description('the protection key that encrypts sensitive values at rest');
  const keyFolderOption = '--key-folder <folder>';
  const keyFolderHelp = 'where the private halves are kept (default: SCALEOUT_KEY_FOLDER, else ~/.local/state/scaleout/keys)';
  key
    .command('show')
    .description('the current key, and whether this machine\'s key folder holds it')
    .option(keyFolderOption, keyFolderHelp)
    .option('--json', 'print JSON')
    .action((o: { keyFolder?: string; json?: boolean }) =>
      run(async (db) => {
        const { catalogKeyState, defaultKeyFolder, Keyring } = await import('../catalog/protection.ts');
        const folder = o.keyFolder ?? defaultKeyFolder();
        const state = await catalogKeyState(db);
        const here = state.currentKeyId !== undefined && (state.keptByCatalog || new Keyring(folder).has(state.currentKeyId));
        const report = { currentKeyId: state.currentKeyId ?? null, keptByCatalog: state.keptByCatalog, keyFolder: state.keptByCatalog ? null : folder, inKeyFolder: here };
        if (o.json) return printJson(report);
        if (!state.currentKeyId) process.stdout.write('The catalog has no protection key: run scaleout migrate up.\n');
        else if (state.keptByCatalog) process.stdout.write(`Protection key ${state.currentKeyId}: a symmetric key in the catalog, under its database master key.\n`);
        else process.stdout.write(`Protection key ${state.currentKeyId}: ${here ? `its private half is in ${folder}` : `its private half is NOT in ${folder}; a master here could not decrypt sensitive values`}.\n`);
      }),
    );
  key
    .command('rotate')
    .description('make a new key current and re-encrypt every sensitive value with it (copy the new key file to every master first)')
    .option(keyFolderOption, keyFolderHelp)
    .action((o: { keyFolder?: string }) =>
      run(async (db) => {
        const { defaultKeyFolder, rotateProtectionKey } = await import('../catalog/protection.ts');
        const folder = o.keyFolder ?? defaultKeyFolder();
        const { keyId, reprotected } = await rotateProtectionKey(db, folder);
        process.stdout.write(`Protection key ${keyId} is current; ${reprotected} value(s) re-encrypted with it.\n`);
        if (db.dialect !== 'mssql') {
          process.stdout.write(`Its private half is ${folder}/${keyId}.key: copy it to every master's key folder. Older key files are no longer needed by this catalog.\n`);
        }
      }),
    );
}

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}
