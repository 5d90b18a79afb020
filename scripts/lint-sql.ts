/**
 * The T-SQL gate: every file under sql/mssql/ and migrations/mssql/ must parse with
 * `sqlfluff parse --dialect tsql`. Prints file and line of each unparsable section and exits 1.
 * Lines are counted from the raw text of the segments before the unparsable one in sqlfluff's JSON
 * parse tree.
 */

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, homedir, tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
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

/**
 * Parses a group of files in one sqlfluff process: most of a short file's time is Python starting
 * and importing the dialect, so one process per file spent more in starting than in parsing.
 * sqlfluff takes one path: the files are copied into a folder of their own (flat, numbered names).
 */
function parseGroup(files: readonly string[]): Promise<Map<string, Node>> {
  const dir = mkdtempSync(join(tmpdir(), 'scaleout-lint-sql-'));
  const original = new Map<string, string>();
  files.forEach((file, i) => {
    const name = `${String(i).padStart(4, '0')}.sql`;
    copyFileSync(file, join(dir, name));
    original.set(name, file);
  });
  return new Promise((resolveParse, reject) => {
    const child = spawn('sqlfluff', ['parse', '--dialect', 'tsql', '--format', 'json', '--nofail', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      rmSync(dir, { recursive: true, force: true });
      const start = stdout.indexOf('[');
      if (start < 0) {
        reject(new Error(`sqlfluff printed no parse tree for ${files.join(', ')}: ${stderr.slice(0, 500)}`));
        return;
      }
      const parsed = JSON.parse(stdout.slice(start)) as Array<{ filepath: string; segments: Node }>;
      const trees = new Map<string, Node>();
      for (const p of parsed) {
        const file = original.get(basename(p.filepath));
        if (file) trees.set(file, p.segments ?? []);
      }
      for (const file of files) if (!trees.has(file)) reject(new Error(`sqlfluff printed no parse tree for ${file}: ${stderr.slice(0, 500)}`));
      resolveParse(trees);
    });
  });
}

/**
 * Parses every T-SQL file, in as many sqlfluff processes as there are cores (each takes a share of
 * the files, balanced by size: sqlfluff is single-threaded and takes tens of seconds on a long
 * procedure). Files that parsed cleanly before, with the same content and sqlfluff version, are
 * remembered in the user's cache folder and not parsed again. Each process prints when it is done.
 */
export async function lintTsql(root = PROJECT_ROOT, progress: (text: string) => void = () => undefined): Promise<{ findings: Finding[]; files: number; parsed: number }> {
  const files = FOLDERS.flatMap((folder) => (existsSync(join(root, folder)) ? listFiles(join(root, folder)) : []));
  // A memo of files that parsed cleanly, by content and sqlfluff version, in the user's cache folder:
  // it outlives `npm ci` and a fresh clone on the same machine, and a changed file is always parsed.
  const cachePath = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'scaleout', 'lint-sql.json');
  const version = spawnSync('sqlfluff', ['--version'], { encoding: 'utf8' }).stdout.trim();
  let clean: Record<string, string> = {};
  try {
    clean = JSON.parse(readFileSync(cachePath, 'utf8')) as Record<string, string>;
  } catch {
    clean = {};
  }
  const hashOf = (file: string) => createHash('sha256').update(readFileSync(file)).update(version).digest('hex');
  const todo = files.filter((f) => clean[relative(root, f)] !== hashOf(f));
  // Largest first, each to the lightest group.
  const groups: Array<{ files: string[]; bytes: number }> = Array.from({ length: Math.max(1, Math.min(cpus().length, todo.length)) }, () => ({ files: [], bytes: 0 }));
  for (const file of [...todo].sort((a, b) => statSync(b).size - statSync(a).size)) {
    const lightest = groups.reduce((m, g) => (g.bytes < m.bytes ? g : m));
    lightest.files.push(file);
    lightest.bytes += statSync(file).size;
  }
  const findings: Finding[] = [];
  let done = 0;
  await Promise.all(
    groups.filter((g) => g.files.length > 0).map(async (g) => {
      const trees = await parseGroup(g.files);
      for (const [file, tree] of trees) {
        const found = findUnparsable(tree, relative(root, file));
        findings.push(...found);
        if (found.length === 0) clean[relative(root, file)] = hashOf(file);
        else delete clean[relative(root, file)];
      }
      done += g.files.length;
      progress(`lint:sql: ${done} of ${todo.length} file(s) parsed`);
    }),
  );
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
  const { findings, files, parsed } = await lintTsql(undefined, (text) => console.log(text));
  for (const f of findings) console.log(`${f.file}:${f.line}: unparsable T-SQL: ${f.text}`);
  console.log(
    `lint:sql: ${files} T-SQL file(s) checked with sqlfluff parse --dialect tsql (${parsed} parsed now, ${files - parsed} unchanged since they last parsed); ` +
      `${findings.length} unparsable section(s).`,
  );
  process.exit(findings.length === 0 ? 0 : 1);
}
