/**
 * Projects a worker has fetched, unpacked under <StateFolder>/Projects/<content hash>. Bytes are
 * fetched from the master once per hash and checked against it before they are unpacked; a folder
 * is complete only once its marker file is written, so a crash mid-unpack leaves nothing that is
 * used. The cache is bounded: the least recently used projects no running task holds are removed.
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifest, type Manifest } from '../project/manifest.ts';
import { sha256, unpackProject } from '../project/pack.ts';

const MARKER = '.scaleout-complete';

export interface CachedProject {
  readonly folder: string;
  readonly manifest: Manifest;
  release(): void;
}

export class ProjectCache {
  private readonly inUse = new Map<string, number>();
  private readonly pending = new Map<string, Promise<void>>();
  /** Manifests already read and checked, by hash: a project's files never change under its hash. */
  private readonly manifests = new Map<string, Manifest>();

  constructor(
    private readonly root: string,
    private readonly maxBytes: number,
    private readonly fetch: (hash: string) => Promise<Buffer>,
  ) {
    mkdirSync(root, { recursive: true });
    // Leftovers of an unpack a crash interrupted.
    for (const name of readdirSync(root)) {
      if (!existsSync(join(root, name, MARKER))) rmSync(join(root, name), { recursive: true, force: true });
    }
  }

  /** The unpacked project with this hash, fetched if need be; call release() when the task ends. */
  async acquire(contentHash: string): Promise<CachedProject> {
    const hash = contentHash.toLowerCase();
    this.inUse.set(hash, (this.inUse.get(hash) ?? 0) + 1);
    try {
      const folder = join(this.root, hash);
      if (!existsSync(join(folder, MARKER))) {
        let loading = this.pending.get(hash);
        if (!loading) {
          loading = this.load(hash, folder).finally(() => this.pending.delete(hash));
          this.pending.set(hash, loading);
        }
        await loading;
      }
      const now = new Date();
      utimesSync(join(folder, MARKER), now, now);
      let manifest = this.manifests.get(hash);
      if (!manifest) {
        manifest = parseManifest(readFileSync(join(folder, 'scaleout.project.json'), 'utf8'));
        this.manifests.set(hash, manifest);
      }
      let released = false;
      return {
        folder,
        manifest,
        release: () => {
          if (released) return;
          released = true;
          this.unuse(hash);
        },
      };
    } catch (error) {
      this.unuse(hash);
      throw error;
    }
  }

  private unuse(hash: string): void {
    const n = (this.inUse.get(hash) ?? 1) - 1;
    if (n <= 0) this.inUse.delete(hash);
    else this.inUse.set(hash, n);
  }

  private async load(hash: string, folder: string): Promise<void> {
    const bytes = await this.fetch(hash);
    const actual = sha256(bytes);
    if (actual !== hash) throw new Error(`The project fetched for hash ${hash} has hash ${actual}; it was not used.`);
    const staging = `${folder}.partial-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    unpackProject(bytes, staging);
    writeFileSync(join(staging, MARKER), `${bytes.length}\n`);
    rmSync(folder, { recursive: true, force: true });
    renameSync(staging, folder);
    this.evict(hash);
  }

  /** Removes least recently used projects, never one in use, until the cache fits its bound. */
  private evict(keep: string): void {
    const entries = readdirSync(this.root)
      .filter((name) => existsSync(join(this.root, name, MARKER)))
      .map((name) => {
        const marker = join(this.root, name, MARKER);
        return { name, bytes: Number(readFileSync(marker, 'utf8')) || 0, used: statSync(marker).mtimeMs };
      })
      .sort((a, b) => a.used - b.used);
    // The packed size stands for the unpacked one: cheap to know, and proportional.
    let total = entries.reduce((sum, e) => sum + e.bytes, 0);
    for (const e of entries) {
      if (total <= this.maxBytes) break;
      if (e.name === keep || this.inUse.has(e.name)) continue;
      rmSync(join(this.root, e.name), { recursive: true, force: true });
      this.manifests.delete(e.name);
      total -= e.bytes;
    }
  }
}
