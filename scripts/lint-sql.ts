/**
 * The T-SQL gate: every file under sql/mssql/ and migrations/mssql/ must parse with
 * `sqlfluff parse --dialect tsql`. Prints file and line of each unparsable section and exits 1.
 * Lines are counted from the raw text of the segments before the unparsable one in sqlfluff's JSON
 * parse tree.
 */

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { PROJECT_ROOT } from '../src/migrate/scripts.ts';

const FOLDERS = ['sql/mssql', 'migrations/mssql'];

type Node = string | Node[] | { [type: string]: Node };

interface Finding {
  file: string;
  line: number;
  text: string;
}

function findUnparsable(tree: Node, file: string): Finding[] {
  const findings: Finding[] = [];
  let line = 1;
  const rawOf = (node: Node): string => {
    if (typeof node === 'string') return node;
    if (Array.isArray(node)) return node.map(rawOf).join('');
    return Object.values(node).map(rawOf).join('');
  };
  const walk = (node: Node): void => {
    if (typeof node === 'string') {
      line += node.split('\n').length - 1;
      return;
    }
    if (Array.isArray(node)) {
      node.forEach(walk);
      return;
    }
    for (const [type, child] of Object.entries(node)) {
      if (type === 'unparsable') {
        const raw = rawOf(child);
        findings.push({ file, line: line + (raw.length - raw.trimStart().length > 0 ? raw.slice(0, raw.length - raw.trimStart().length).split('\n').length - 1 : 0), text: raw.trim().split('\n')[0]!.slice(0, 80) });
        line += raw.split('\n').length - 1;
      } else {
        walk(child);
      }
    }
  };
  walk(tree);
  return findings;
}

function sqlfluffAvailable(): boolean {
  return spawnSync('sqlfluff', ['--version'], { encoding: 'utf8' }).status === 0;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(path));
    else if (entry.name.endsWith('.sql')) out.push(path);
  }
  return out.sort();
}

function parseOne(file: string): Promise<{ file: string; tree: Node }> {
  return new Promise((resolveParse, reject) => {
    const child = spawn('sqlfluff', ['parse', '--dialect', 'tsql', '--format', 'json', '--nofail', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const start = stdout.indexOf('[');
      if (start < 0) {
        reject(new Error(`sqlfluff printed no parse tree for ${file}: ${stderr.slice(0, 500)}`));
        return;
      }
      const parsed = JSON.parse(stdout.slice(start)) as Array<{ filepath: string; segments: Node }>;
      resolveParse({ file, tree: parsed[0]?.segments ?? [] });
    });
  });
}

/**
 * Parses every T-SQL file, as many at once as there are cores (sqlfluff is single-threaded and takes
 * tens of seconds on a long procedure). Files that parsed cleanly before, with the same content, are
 * remembered in node_modules/.cache and not parsed again.
 */
export async function lintTsql(root = PROJECT_ROOT): Promise<{ findings: Finding[]; files: number; parsed: number }> {
  const files = FOLDERS.flatMap((folder) => (existsSync(join(root, folder)) ? listFiles(join(root, folder)) : []));
  const cachePath = join(root, 'node_modules', '.cache', 'scaleout-lint-sql.json');
  let clean: Record<string, string> = {};
  try {
    clean = JSON.parse(readFileSync(cachePath, 'utf8')) as Record<string, string>;
  } catch {
    clean = {};
  }
  const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).update(process.env.SQLFLUFF_VERSION ?? '').digest('hex');
  const todo = files.filter((f) => clean[relative(root, f)] !== hashOf(f));
  const findings: Finding[] = [];
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(cpus().length, todo.length)) }, async () => {
    while (next < todo.length) {
      const file = todo[next++]!;
      const { tree } = await parseOne(file);
      const found = findUnparsable(tree, relative(root, file));
      findings.push(...found);
      if (found.length === 0) clean[relative(root, file)] = hashOf(file);
      else delete clean[relative(root, file)];
    }
  });
  await Promise.all(workers);
  mkdirSync(dirname(cachePath), { recursive: true });
  writeFileSync(cachePath, JSON.stringify(clean));
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { findings, files: files.length, parsed: todo.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!sqlfluffAvailable()) {
    console.log('lint:sql: sqlfluff is not installed (Debian package sqlfluff); the T-SQL gate did not run.');
    process.exit(process.env.CI ? 1 : 0);
  }
  const { findings, files, parsed } = await lintTsql();
  for (const f of findings) console.log(`${f.file}:${f.line}: unparsable T-SQL: ${f.text}`);
  console.log(
    `lint:sql: ${files} T-SQL file(s) checked with sqlfluff parse --dialect tsql (${parsed} parsed now, ${files - parsed} unchanged since they last parsed); ` +
      `${findings.length} unparsable section(s).`,
  );
  process.exit(findings.length === 0 ? 0 : 1);
}
