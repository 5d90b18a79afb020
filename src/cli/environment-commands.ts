/**
 * SSISDB's environments from a shell, each command a thin call of the catalog procedure (or a read
 * of its view), failing with the same numbered error EXEC would:
 *
 *   scaleout environment create|list|delete
 *   scaleout environment var set|list|delete
 *   scaleout environment reference add|list|delete
 *   scaleout project param <Folder/Project> <Name> <Value> [--variable]   (in project.ts)
 *
 * Environments and projects are named Folder/Name.
 */

import type { Command } from 'commander';
import { findEnvironment, parseQualifiedName, projectReferences, type QualifiedName } from '../catalog/environment-lookup.ts';
import { readView } from '../catalog/views.ts';
import type { CatalogDb, Row } from '../db/types.ts';
import { CLI_ERRORS, CliError } from './cli-errors.ts';
import { withCatalog } from './migrate.ts';
import { printJson, printTable } from './output.ts';

/** "Folder/Name" from the command line, or a usage error (52001) naming the argument. */
export function qualified(text: string, what: string): QualifiedName {
  const q = parseQualifiedName(text);
  if (!q) throw new CliError(CLI_ERRORS.usage, `${what} must be written Folder/Name, not "${text}".`);
  return q;
}

const TYPES = 'Boolean, Byte, DateTime, Decimal, Double, Int16, Int32, Int64, SByte, Single, String, UInt32, UInt64';

export function registerEnvironmentCommands(program: Command): void {
  const run = <T>(fn: (db: CatalogDb) => Promise<T>) => withCatalog(program, fn);
  const environment = program
    .command('environment')
    .description('environments: named sets of variables (Dev, Prod) that projects take parameter values from')
    .addHelpText('after', `
Example:
  scaleout environment create Finance/Prod --description "Production settings"
  scaleout environment var set Finance/Prod SalesFile /srv/prod/sales.csv
  scaleout environment var set Finance/Prod ApiKey s3cret --sensitive
  scaleout environment reference add Finance/etl Finance/Prod
  scaleout project param Finance/etl InputFile SalesFile --variable
  scaleout execution create --folder Finance --project etl --package load --environment Finance/Prod --start --wait`);

  environment
    .command('create <Folder/Name>')
    .description('catalog.create_environment')
    .option('--description <text>', 'what the environment is for')
    .addHelpText('after', '\nExample:\n  scaleout environment create Finance/Prod --description "Production settings"')
    .action((name: string, o: { description?: string }) =>
      run(async (db) => {
        const q = qualified(name, 'the environment');
        await db.call('catalog.create_environment', { folder_name: q.folder, environment_name: q.name, environment_description: o.description });
        process.stdout.write(`Environment ${q.folder}/${q.name} created.\n`);
      }),
    );

  environment
    .command('list')
    .description('catalog.environments, with each one\'s folder and number of variables')
    .option('--folder <name>', 'only this folder')
    .option('--json', 'print JSON')
    .action((o: { folder?: string; json?: boolean }) =>
      run(async (db) => {
        const folders = new Map((await readView(db, 'folders')).map((f) => [String(f.folder_id), String(f.name)]));
        const variables = await readView(db, 'environment_variables');
        const rows = (await readView(db, 'environments', { orderBy: [{ column: 'name' }] }))
          .map((e): Row => ({
            folder_name: folders.get(String(e.folder_id)) ?? '',
            ...e,
            variables: variables.filter((v) => String(v.environment_id) === String(e.environment_id)).length,
          }))
          .filter((r) => !o.folder || String(r.folder_name).toLowerCase() === o.folder.toLowerCase())
          .sort((a, b) => String(a.folder_name).localeCompare(String(b.folder_name)) || String(a.name).localeCompare(String(b.name)));
        if (o.json) printJson(rows);
        else if (rows.length === 0) process.stdout.write('(none)\n');
        else printTable(rows, ['environment_id', 'folder_name', 'name', 'description', 'variables', 'created_by_name', 'created_time']);
      }),
    );

  environment
    .command('delete <Folder/Name>')
    .description('catalog.delete_environment (its variables, and the references that name it, go with it)')
    .action((name: string) =>
      run(async (db) => {
        const q = qualified(name, 'the environment');
        await db.call('catalog.delete_environment', { folder_name: q.folder, environment_name: q.name });
        process.stdout.write(`Environment ${q.folder}/${q.name} deleted.\n`);
      }),
    );

  const variable = environment.command('var').description('the variables of an environment');
  variable
    .command('set <Folder/Name> <variable> <value>')
    .description('catalog.create_environment_variable for a new variable, catalog.set_environment_variable_value for one it has')
    .option('--type <type>', `for a new variable: ${TYPES}`, 'String')
    .option('--sensitive', 'for a new variable: stored encrypted, never shown, given only to sensitive parameters')
    .option('--description <text>', 'for a new variable: what it is')
    .addHelpText('after', '\nExample:\n  scaleout environment var set Finance/Prod BatchSize 5000 --type Int32\n  scaleout environment var set Finance/Prod ApiKey s3cret --sensitive')
    .action((name: string, variableName: string, value: string, o: { type: string; sensitive?: boolean; description?: string }) =>
      run(async (db) => {
        const q = qualified(name, 'the environment');
        const { environment: env } = await findEnvironment(db, q);
        const existing = (await readView(db, 'environment_variables', { where: { environment_id: env.environment_id } }))
          .find((v) => String(v.name).toLowerCase() === variableName.toLowerCase());
        if (existing) {
          await db.call('catalog.set_environment_variable_value', { folder_name: q.folder, environment_name: q.name, variable_name: variableName, value });
          process.stdout.write(`${q.folder}/${q.name}: ${String(existing.name)} set.\n`);
        } else {
          await db.call('catalog.create_environment_variable', {
            folder_name: q.folder, environment_name: q.name, variable_name: variableName, data_type: o.type, sensitive: o.sensitive ? 1 : 0, value, description: o.description,
          });
          process.stdout.write(`${q.folder}/${q.name}: ${variableName} (${o.type}${o.sensitive ? ', sensitive' : ''}) created.\n`);
        }
      }),
    );
  variable
    .command('list <Folder/Name>')
    .description('catalog.environment_variables of one environment (sensitive values are never shown)')
    .option('--json', 'print JSON')
    .action((name: string, o: { json?: boolean }) =>
      run(async (db) => {
        const { environment: env } = await findEnvironment(db, qualified(name, 'the environment'));
        const rows = (await readView(db, 'environment_variables', { where: { environment_id: env.environment_id }, orderBy: [{ column: 'name' }] }))
          .map((v) => (v.sensitive === true || Number(v.sensitive) === 1 ? { ...v, value: '********' } : v));
        if (o.json) printJson(rows);
        else if (rows.length === 0) process.stdout.write('(none)\n');
        else printTable(rows, ['name', 'type', 'sensitive', 'value', 'description']);
      }),
    );
  variable
    .command('delete <Folder/Name> <variable>')
    .description('catalog.delete_environment_variable')
    .action((name: string, variableName: string) =>
      run(async (db) => {
        const q = qualified(name, 'the environment');
        await db.call('catalog.delete_environment_variable', { folder_name: q.folder, environment_name: q.name, variable_name: variableName });
        process.stdout.write(`${q.folder}/${q.name}: ${variableName} deleted.\n`);
      }),
    );

  const reference = environment.command('reference').description('which environments a project may take values from');
  reference
    .command('add <Folder/Project> <Folder/Environment>')
    .description('catalog.create_environment_reference: relative when the environment is in the project\'s folder, absolute otherwise')
    .option('--absolute', 'an absolute reference even in the project\'s own folder')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  scaleout environment reference add Finance/etl Finance/Prod\n  scaleout environment reference add Finance/etl Shared/Common')
    .action((projectName: string, environmentName: string, o: { absolute?: boolean; json?: boolean }) =>
      run(async (db) => {
        const p = qualified(projectName, 'the project');
        const e = qualified(environmentName, 'the environment');
        const relative = !o.absolute && p.folder.toLowerCase() === e.folder.toLowerCase();
        const r = await db.call('catalog.create_environment_reference', {
          folder_name: p.folder, project_name: p.name, environment_name: e.name, reference_type: relative ? 'R' : 'A', environment_folder_name: relative ? null : e.folder,
        });
        const id = Number(r.output.reference_id);
        if (o.json) printJson({ reference_id: id, reference_type: relative ? 'R' : 'A' });
        else process.stdout.write(`Project ${p.folder}/${p.name} references ${e.folder}/${e.name} (${relative ? 'relative' : 'absolute'}; reference_id ${id}).\n`);
      }),
    );
  reference
    .command('list <Folder/Project>')
    .description('catalog.environment_references of one project')
    .option('--json', 'print JSON')
    .action((projectName: string, o: { json?: boolean }) =>
      run(async (db) => {
        const rows = await projectReferences(db, qualified(projectName, 'the project'));
        if (o.json) printJson(rows);
        else if (rows.length === 0) process.stdout.write('(none)\n');
        else printTable(rows, ['reference_id', 'reference_type', 'environment']);
      }),
    );
  reference
    .command('delete <referenceId>')
    .description('catalog.delete_environment_reference')
    .action((id: string) =>
      run(async (db) => {
        const n = Number(id);
        if (!Number.isSafeInteger(n) || n <= 0) throw new CliError(CLI_ERRORS.usage, `referenceId must be a positive whole number, not "${id}".`);
        await db.call('catalog.delete_environment_reference', { reference_id: n });
        process.stdout.write(`Environment reference ${n} deleted.\n`);
      }),
    );
}
