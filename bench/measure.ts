/** What the benchmarks read off the machine: CPU time per process (from /proc), resident memory, percentiles. */

import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds of a process: itself, and its children that ended (utime, stime, cutime, cstime). */
export function processCpu(pid: number): { self: number; children: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').map(Number);
  return { self: (f[11]! + f[12]!) / 100, children: (f[13]! + f[14]!) / 100 };
}

/**
 * CPU seconds of every PostgreSQL process: those alive now, and through the postmaster's count of
 * its ended children, the backends that exited meanwhile (a client that disconnected takes its
 * backend's CPU with it otherwise).
 */
export function postgresCpu(): number {
  let sum = 0;
  const postgres = new Set<number>();
  const parents = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      postgres.add(Number(pid));
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parents.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      sum += processCpu(Number(pid)).self;
    } catch {
      // Ended meanwhile.
    }
  }
  for (const [pid, parent] of parents) {
    if (postgres.has(parent)) continue;
    try {
      sum += processCpu(pid).children;
    } catch {
      // Ended meanwhile.
    }
  }
  return sum;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
export function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + f[4]!;
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
