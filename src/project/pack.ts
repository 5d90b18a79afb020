/**
 * Packing a project folder into the bytes the catalog stores (a zip, like SSIS's .ispac) and
 * unpacking them on a worker. Packing is deterministic — entries sorted, timestamps fixed — so the
 * same files always give the same content hash.
 */

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { MANIFEST_FILE, parseManifest, type Manifest } from './manifest.ts';

const FIXED_TIME = new Date('2000-01-01T00:00:00Z');

export interface PackedProject {
  readonly manifest: Manifest;
  readonly manifestText: string;
  readonly bytes: Buffer;
  readonly contentHash: string;
  readonly files: number;
}

/** Every file under `folder`, except dot-files and dot-folders (.git, .scaleout, ...). */
function listFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  walk(folder);
  return out;
}

/** Reads and checks the manifest, checks that each node package's module is in the folder, and zips the folder. */
export function packProject(folder: string): PackedProject {
  const root = resolve(folder);
  const manifestPath = join(root, MANIFEST_FILE);
  let manifestText: string;
  try {
    manifestText = readFileSync(manifestPath, 'utf8');
  } catch {
    throw new Error(`${root} has no ${MANIFEST_FILE}; run "scaleout project init" there first.`);
  }
  const manifest = parseManifest(manifestText, manifestPath);
  for (const p of manifest.packages) {
    if (p.kind !== 'node') continue;
    const module = resolve(root, p.module);
    if (!module.startsWith(root + sep) || !statSync(module, { throwIfNoEntry: false })?.isFile()) {
      throw new Error(`${MANIFEST_FILE}: package ${p.name} names module ${p.module}, which is not a file inside the project folder.`);
    }
  }
  const entries: Zippable = {};
  const files = listFiles(root);
  for (const file of files) {
    entries[relative(root, file).split(sep).join('/')] = [readFileSync(file), { mtime: FIXED_TIME }];
  }
  const bytes = Buffer.from(zipSync(entries, { level: 6 }));
  return { manifest, manifestText, bytes, contentHash: sha256(bytes), files: files.length };
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes a packed project's files under `target`, refusing any entry that would land outside it. */
export function unpackProject(bytes: Uint8Array, target: string): void {
  const root = resolve(target);
  const entries = unzipSync(bytes);
  for (const [name, data] of Object.entries(entries)) {
    if (name.endsWith('/')) continue;
    const path = resolve(root, name);
    if (!path.startsWith(root + sep)) throw new Error(`The project holds an entry outside its folder: ${name}`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  }
}
