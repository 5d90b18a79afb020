/**
 * SSISDB's object permissions by name, for people: the object types and permission types of
 * catalog.grant_permission and its views, and objects written as the CLI takes them
 * ("project:Finance/etl").
 */

import { findEnvironment, findFolder, findProject, parseQualifiedName } from './environment-lookup.ts';
import type { CatalogDb } from '../db/types.ts';

export const OBJECT_TYPES = { folder: 1, project: 2, environment: 3, operation: 4 } as const;
export type ObjectKind = keyof typeof OBJECT_TYPES;

export const PERMISSION_TYPES: Readonly<Record<string, number>> = {
  READ: 1,
  MODIFY: 2,
  EXECUTE: 3,
  MANAGE_PERMISSIONS: 4,
  CREATE_OBJECTS: 100,
  READ_OBJECTS: 101,
  MODIFY_OBJECTS: 102,
  EXECUTE_OBJECTS: 103,
  MANAGE_OBJECT_PERMISSIONS: 104,
};

export function permissionName(type: number): string {
  return Object.entries(PERMISSION_TYPES).find(([, n]) => n === type)?.[0] ?? String(type);
}

/** A permission by name (any letter case) or number, or undefined. */
export function permissionType(text: string): number | undefined {
  const byName = PERMISSION_TYPES[text.toUpperCase()];
  if (byName !== undefined) return byName;
  return /^\d{1,3}$/.test(text) && Object.values(PERMISSION_TYPES).includes(Number(text)) ? Number(text) : undefined;
}

export interface Securable {
  readonly objectType: number;
  readonly objectId: number;
  readonly label: string;
}

/**
 * "folder:Finance", "project:Finance/etl", "environment:Finance/Prod", "execution:42" or
 * "operation:42" → the catalog's object type and id; undefined when the text is not of that form
 * (a missing object is the catalog's own error: 51103, 51104, 51110).
 */
export async function findSecurable(db: CatalogDb, text: string): Promise<Securable | undefined> {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const kind = text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  if (kind === 'folder' && rest) {
    const f = await findFolder(db, rest);
    return { objectType: 1, objectId: Number(f.folder_id), label: `folder ${String(f.name)}` };
  }
  if (kind === 'project' || kind === 'environment') {
    const q = parseQualifiedName(rest);
    if (!q) return undefined;
    if (kind === 'project') {
      const { project } = await findProject(db, q);
      return { objectType: 2, objectId: Number(project.project_id), label: `project ${q.folder}/${String(project.name)}` };
    }
    const { environment } = await findEnvironment(db, q);
    return { objectType: 3, objectId: Number(environment.environment_id), label: `environment ${q.folder}/${String(environment.name)}` };
  }
  if ((kind === 'execution' || kind === 'operation') && /^\d{1,18}$/.test(rest)) {
    return { objectType: 4, objectId: Number(rest), label: `operation ${rest}` };
  }
  return undefined;
}
