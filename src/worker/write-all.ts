/** Writes every byte of `bytes` at the descriptor's position: a write to a file may take fewer than asked. */

import { writeSync } from 'node:fs';

export function writeAll(fd: number, bytes: Buffer): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}
