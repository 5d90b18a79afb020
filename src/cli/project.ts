/**
 * scaleout project init|pack|deploy|list|param: the project folder (scaleout.project.json), its
 * deployment, and its parameters' server values (a literal, or an environment variable).
 */

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { MANIFEST_FILE } from '../project/manifest.ts';
import { packProject } from '../project/pack.ts';
import { withCatalog } from './migrate.ts';
import { printJson, printTable } from './output.ts';
import { CLI_ERRORS, CliError } from './cli-errors.ts';
import { qualified } from './environment-commands.ts';

const EXAMPLE_PACKAGE = `// A node package: the worker calls run(ctx) in a child process of its own.
// ctx.parameters  resolved parameter values by name (package over project)
// ctx.log         info / warn / error / verbose: each line becomes a catalog message
// ctx.progress    (percent, message)
// ctx.signal      an AbortSignal, fired when a DBA stops the execution
// ctx.workFolder  a scratch folder for this attempt
export default async function run(ctx) {
  ctx.log.info(\`Hello, \${ctx.parameters.Greeting}!\`);
  ctx.progress(100, 'done');
}
`;

export function registerProjectCommands(program: Command): void {
  const project = program.command('project').description('create, pack and deploy projects (folders with a scaleout.project.json)');

  project
    .command('init [dir]')
    .description('create a project folder with a manifest and one example node package')
    .option('--name <name>', 'project name (default: the folder name)')
    .action((dir: string | undefined, options: { name?: string }) => {
      const root = resolve(dir ?? '.');
      const manifestPath = join(root, MANIFEST_FILE);
      if (existsSync(manifestPath)) throw new CliError(CLI_ERRORS.file, `${manifestPath} exists already; nothing was changed.`, 'init creates a new project; edit the existing manifest instead');
      mkdirSync(join(root, 'packages'), { recursive: true });
      const manifest = {
        name: options.name ?? basename(root),
        description: '',
        parameters: [{ name: 'Greeting', type: 'String', default: 'world' }],
        packages: [{ name: 'hello', kind: 'node', module: 'packages/hello.mjs', timeoutSeconds: 600 }],
      };
      writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
      writeFileSync(join(root, 'packages', 'hello.mjs'), EXAMPLE_PACKAGE, { flag: 'wx' });
      process.stdout.write(`Created ${manifestPath} and packages/hello.mjs.\nNext: scaleout project deploy ${dir ?? '.'} --folder <catalog folder>\n`);
    });

  project
    .command('pack [dir]')
    .description('check the manifest and write the packed project (zip) with its content hash')
    .option('--out <file>', 'where to write it (default: <name>.scaleout.zip)')
    .action((dir: string | undefined, options: { out?: string }) => {
      const packed = packProject(dir ?? '.');
      const out = options.out ?? `${packed.manifest.name}.scaleout.zip`;
      writeFileSync(out, packed.bytes);
      process.stdout.write(`Packed ${packed.files} file(s) into ${out} (${packed.bytes.length} bytes, sha256 ${packed.contentHash}).\n`);
    });

  project
    .command('deploy [dir]')
    .description('pack the folder and deploy it into a catalog folder (catalog.deploy_project)')
    .requiredOption('--folder <folder>', 'the catalog folder')
    .option('--json', 'print JSON')
    .action(async (dir: string | undefined, options: { folder: string; json?: boolean }) => {
      const packed = packProject(dir ?? '.');
      await withCatalog(program, async (db) => {
        const r = await db.call('catalog.deploy_project', {
          folder_name: options.folder,
          project_name: packed.manifest.name,
          project_stream: packed.bytes,
          manifest: packed.manifestText,
        });
        const result = { folder: options.folder, project: packed.manifest.name, operation_id: Number(r.output.operation_id), content_hash: packed.contentHash, bytes: packed.bytes.length };
        if (options.json) printJson(result);
        else process.stdout.write(`Deployed ${result.project} into ${result.folder} (operation ${result.operation_id}, ${result.bytes} bytes, sha256 ${result.content_hash}).\n`);
      });
    });

  project
    .command('param <Folder/Project> <name> <value>')
    .description('catalog.set_object_parameter_value: the value executions of the project start with, or (--variable) the environment variable it takes')
    .option('--package <name>', 'a parameter of this package (object type 30) rather than of the project')
    .option('--variable', '<value> names an environment variable (value type R), taken from the environment an execution is created with')
    .addHelpText('after', '\nExample:\n  scaleout project param Finance/etl Region emea\n  scaleout project param Finance/etl InputFile SalesFile --variable\n  scaleout project param Finance/etl BatchSize Batch --package load --variable')
    .action((projectName: string, name: string, value: string, options: { package?: string; variable?: boolean }) =>
      withCatalog(program, async (db) => {
        const p = qualified(projectName, 'the project');
        await db.call('catalog.set_object_parameter_value', {
          object_type: options.package ? 30 : 20,
          folder_name: p.folder,
          project_name: p.name,
          parameter_name: name,
          parameter_value: value,
          object_name: options.package ?? null,
          value_type: options.variable ? 'R' : 'V',
        });
        process.stdout.write(`${p.folder}/${p.name}: ${options.package ? `${options.package}.` : ''}${name} ${options.variable ? `takes environment variable ${value}` : 'set'}.\n`);
      }),
    );

  project
    .command('list')
    .description('the deployed projects (catalog.projects)')
    .option('--folder <folder>', 'only this folder')
    .option('--json', 'print JSON')
    .action(async (options: { folder?: string; json?: boolean }) => {
      await withCatalog(program, async (db) => {
        const { readView } = await import('../catalog/views.ts');
        const folders = new Map((await readView(db, 'folders')).map((f) => [String(f.folder_id), String(f.name)]));
        const rows = (await readView(db, 'projects', { orderBy: [{ column: 'name' }] }))
          .map((p) => ({ folder_name: folders.get(String(p.folder_id)) ?? '', ...p }))
          .filter((r) => !options.folder || r.folder_name === options.folder);
        if (options.json) printJson(rows);
        else printTable(rows);
      });
    });
}
