/**
 * The database options a SQL Server catalog needs, checked before the first step: a
 * compatibility level of 130 or above (OPENJSON and STRING_SPLIT, which the procedures use).
 * READ_COMMITTED_SNAPSHOT may be on or off: every procedure sets its isolation level and takes its
 * own locks. A case-insensitive collation is what SSISDB uses and what docs/sql-server.md
 * supports (names compare without regard to case in both dialects); a case-sensitive one is not
 * refused, since a DBA may have reasons, but names then compare exactly there.
 */

import type { Session } from '../db/types.ts';

export interface DatabaseOptions {
  readonly name: string;
  readonly compatibilityLevel: number;
  readonly collation: string;
}

export const DATABASE_OPTIONS_SQL =
  'SELECT name, compatibility_level, collation_name FROM sys.databases WHERE database_id = DB_ID();';

/** What stops a migration, one sentence each with what to run; empty when the database will do. */
export function databaseOptionProblems(o: DatabaseOptions): string[] {
  const problems: string[] = [];
  if (o.compatibilityLevel < 130) {
    problems.push(
      `Database ${o.name} has compatibility level ${o.compatibilityLevel}; the catalog needs 130 (SQL Server 2016) or above for OPENJSON and STRING_SPLIT: ` +
        `ALTER DATABASE [${o.name}] SET COMPATIBILITY_LEVEL = 150;`,
    );
  }
  return problems;
}

export async function checkDatabaseOptions(session: Session): Promise<void> {
  const row = (await session.query(DATABASE_OPTIONS_SQL))[0];
  if (!row) return;
  const problems = databaseOptionProblems({ name: String(row.name), compatibilityLevel: Number(row.compatibility_level), collation: String(row.collation_name ?? '') });
  if (problems.length > 0) throw new Error(problems.join(' '));
}
