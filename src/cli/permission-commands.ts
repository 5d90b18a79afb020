/**
 * SSISDB's object permissions from a shell — catalog.grant_permission, deny_permission,
 * revoke_permission and catalog.explicit_object_permissions:
 *
 *   scaleout permission grant|deny|revoke <object> <principal> <permission...>
 *   scaleout permission list [object] [--principal name]
 *
 * Objects: folder:Finance, project:Finance/etl, environment:Finance/Prod, execution:42.
 */

import type { Command } from 'commander';
import { findSecurable, permissionName, permissionType, PERMISSION_TYPES, type Securable } from '../catalog/permissions.ts';
import { readView } from '../catalog/views.ts';
import type { CatalogDb, Row } from '../db/types.ts';
import { CLI_ERRORS, CliError } from './cli-errors.ts';
import { withCatalog } from './migrate.ts';
import { printJson, printTable } from './output.ts';

const OBJECT_HELP = 'folder:Finance, project:Finance/etl, environment:Finance/Prod or execution:42';

async function securable(db: CatalogDb, text: string): Promise<Securable> {
  const s = await findSecurable(db, text);
  if (!s) throw new CliError(CLI_ERRORS.usage, `the object must be one of ${OBJECT_HELP}, not "${text}".`);
  return s;
}

function permissions(texts: readonly string[]): number[] {
  return texts.map((t) => {
    const n = permissionType(t);
    if (n === undefined) throw new CliError(CLI_ERRORS.usage, `"${t}" is not a permission: ${Object.keys(PERMISSION_TYPES).join(', ')}.`);
    return n;
  });
}

export function registerPermissionCommands(program: Command): void {
  const run = <T>(fn: (db: CatalogDb) => Promise<T>) => withCatalog(program, fn);
  const permission = program
    .command('permission')
    .description('who may read, change, run and manage folders, projects, environments and executions')
    .addHelpText('after', `
Permissions: READ, MODIFY, EXECUTE (projects), MANAGE_PERMISSIONS; on a folder also CREATE_OBJECTS,
READ_OBJECTS, MODIFY_OBJECTS, EXECUTE_OBJECTS, MANAGE_OBJECT_PERMISSIONS (for everything in it).

Example:
  scaleout permission grant folder:Finance finance_team READ_OBJECTS EXECUTE_OBJECTS
  scaleout permission grant project:HR/payroll alice READ EXECUTE
  scaleout permission deny project:Finance/audit finance_team READ
  scaleout permission list project:Finance/etl`);

  for (const [verb, procedure, done] of [
    ['grant', 'catalog.grant_permission', 'granted'],
    ['deny', 'catalog.deny_permission', 'denied'],
    ['revoke', 'catalog.revoke_permission', 'revoked'],
  ] as const) {
    permission
      .command(`${verb} <object> <principal> <permission...>`)
      .description(`${procedure} (a database user or role; ${OBJECT_HELP})`)
      .action((object: string, principal: string, names: string[]) =>
        run(async (db) => {
          const target = await securable(db, object);
          for (const type of permissions(names)) {
            await db.call(procedure, { object_type: target.objectType, object_id: target.objectId, principal_name: principal, permission_type: type });
          }
          process.stdout.write(`${names.map((n) => n.toUpperCase()).join(', ')} ${done} on ${target.label} for ${principal}.\n`);
        }),
      );
  }

  permission
    .command('list [object]')
    .description('catalog.explicit_object_permissions: what was granted and denied (on one object, or everywhere the caller may see)')
    .option('--principal <name>', 'only this database user or role')
    .option('--json', 'print JSON')
    .action((object: string | undefined, o: { principal?: string; json?: boolean }) =>
      run(async (db) => {
        const target = object === undefined ? undefined : await securable(db, object);
        const names = await objectNames(db);
        const rows = (await readView(db, 'explicit_object_permissions', {
          where: target ? { object_type: target.objectType, object_id: target.objectId } : {},
          orderBy: [{ column: 'object_type' }, { column: 'object_id' }, { column: 'principal_name' }, { column: 'permission_type' }],
        }))
          .filter((r) => !o.principal || String(r.principal_name).toLowerCase() === o.principal.toLowerCase())
          .map((r): Row => ({
            object: names.get(`${Number(r.object_type)}:${Number(r.object_id)}`) ?? `${['', 'folder', 'project', 'environment', 'operation'][Number(r.object_type)] ?? r.object_type} ${r.object_id}`,
            principal: r.principal_name,
            permission: permissionName(Number(r.permission_type)),
            state: r.is_deny === true || Number(r.is_deny) === 1 ? 'DENY' : 'GRANT',
            grantor: r.grantor_name,
            ...r,
          }));
        if (o.json) printJson(rows);
        else if (rows.length === 0) process.stdout.write('(none)\n');
        else printTable(rows, ['object', 'principal', 'permission', 'state', 'grantor']);
      }),
    );
}

/** "type:id" → a readable name, for the objects the caller may see. */
async function objectNames(db: CatalogDb): Promise<Map<string, string>> {
  const [folders, projects, environments] = await Promise.all([readView(db, 'folders'), readView(db, 'projects'), readView(db, 'environments')]);
  const folderName = new Map(folders.map((f) => [String(f.folder_id), String(f.name)]));
  const names = new Map<string, string>();
  for (const f of folders) names.set(`1:${Number(f.folder_id)}`, `folder ${String(f.name)}`);
  for (const p of projects) names.set(`2:${Number(p.project_id)}`, `project ${folderName.get(String(p.folder_id)) ?? '?'}/${String(p.name)}`);
  for (const e of environments) names.set(`3:${Number(e.environment_id)}`, `environment ${folderName.get(String(e.folder_id)) ?? '?'}/${String(e.name)}`);
  return names;
}
