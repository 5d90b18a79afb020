/**
 * PGlite's data folder may be open in one process only: a second process would corrupt it.
 * A lock file holding the owner's pid guards it; a lock left by a dead process is taken over.
 * The demo guards its state folder the same way, with a lock file and a message of its own.
 */

import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface FolderLock {
  release(): void;
}

export class FolderInUseError extends Error {
  override readonly name = 'FolderInUseError';
}

export interface FolderLockOptions {
  /** The lock file's name in the folder. */
  readonly file?: string;
  /** What a refusal says, given the pid that holds the folder. */
  readonly inUse?: (owner: number) => string;
}

export function acquireFolderLock(dir: string, options: FolderLockOptions = {}): FolderLock {
  const path = join(dir, options.file ?? 'scaleout.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
        process.removeListener('exit', release);
      };
      process.on('exit', release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new FolderInUseError(
          options.inUse?.(owner) ??
            `The embedded catalog in ${dir} is open in process ${owner}. Stop it, or reach the catalog through ` +
              `the process that holds it.`,
        );
      }
      if (owner === process.pid) {
        throw new FolderInUseError(`The embedded catalog in ${dir} is already open in this process.`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new FolderInUseError(`Could not lock the embedded catalog in ${dir}.`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
