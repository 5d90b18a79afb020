/**
 * Environments by name, as people write them ("Finance/Prod"): the CLI, the demo and the web
 * manager turn a folder/name pair into the ids the catalog's procedures and views use. Names
 * compare without regard to case, as the catalog compares them.
 */

import { CatalogError } from './errors.ts';
import { readView } from './views.ts';
import type { CatalogDb, Row } from '../db/types.ts';

export interface QualifiedName {
  readonly folder: string;
  readonly name: string;
}

/** "Folder/Name" → its parts, or undefined when it is not that (neither part may hold '/'). */
export function parseQualifiedName(text: string): QualifiedName | undefined {
  const parts = text.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { folder: parts[0], name: parts[1] };
}

const same = (a: unknown, b: string) => String(a).toLowerCase() === b.toLowerCase();

/** The folder row, or 51103 as the catalog says it. */
export async function findFolder(db: CatalogDb, folder: string): Promise<Row> {
  const row = (await readView(db, 'folders')).find((f) => same(f.name, folder));
  if (!row) throw new CatalogError(51103, `The folder '${folder}' does not exist.`);
  return row;
}

/** The project row of folder/name, or 51104. */
export async function findProject(db: CatalogDb, project: QualifiedName): Promise<{ folder: Row; project: Row }> {
  const folder = await findFolder(db, project.folder);
  const row = (await readView(db, 'projects', { where: { folder_id: folder.folder_id } })).find((p) => same(p.name, project.name));
  if (!row) throw new CatalogError(51104, `The project '${project.name}' does not exist in folder '${String(folder.name)}'.`);
  return { folder, project: row };
}

/** The environment row of folder/name, or 51110. */
export async function findEnvironment(db: CatalogDb, environment: QualifiedName): Promise<{ folder: Row; environment: Row }> {
  const folder = await findFolder(db, environment.folder);
  const row = (await readView(db, 'environments', { where: { folder_id: folder.folder_id } })).find((e) => same(e.name, environment.name));
  if (!row) throw new CatalogError(51110, `The environment '${environment.name}' does not exist in folder '${String(folder.name)}'.`);
  return { folder, environment: row };
}

/** A project's environment references, each with the folder its environment is in. */
export async function projectReferences(db: CatalogDb, project: QualifiedName): Promise<Row[]> {
  const { folder, project: row } = await findProject(db, project);
  const refs = await readView(db, 'environment_references', { where: { project_id: row.project_id }, orderBy: [{ column: 'reference_id' }] });
  return refs.map((r) => ({ ...r, environment: `${String(r.environment_folder_name ?? folder.name)}/${String(r.environment_name)}` }));
}

/**
 * The id of the project's reference to the environment folder/name (relative or absolute, the
 * first made when it has both), or 51112 with what to do.
 */
export async function referenceIdFor(db: CatalogDb, project: QualifiedName, environment: QualifiedName): Promise<number> {
  const wanted = `${environment.folder}/${environment.name}`;
  const ref = (await projectReferences(db, project)).find((r) => same(r.environment, wanted));
  if (!ref) {
    throw new CatalogError(51112, `The project '${project.name}' has no reference to environment ${wanted}: add one with scaleout environment reference add ${project.folder}/${project.name} ${wanted}.`);
  }
  return Number(ref.reference_id);
}
