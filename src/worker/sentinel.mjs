// The worker's sentinel: a small process of its own (plain JavaScript, no package code ever runs
// here, so nothing can block it) that watches the worker through its IPC channel. The worker tells
// it the process group of every package process it starts. When the channel closes — the worker
// exited, crashed or was killed with SIGKILL — the sentinel kills every group it was told of, and
// every process that carries the worker's instance marker, and exits: no package outlives its
// worker by more than a moment.
//
// The marker covers what the worker started but had not told of yet: a worker killed after a
// package process started (spawn returns once it runs its program) and before its message reached
// this process left that package running to its end, with nobody watching.
//
// It lives in a session of its own, so a terminal's Ctrl-C or a SIGTERM meant for the worker does
// not reach it; it ignores SIGTERM and SIGINT and goes only with its worker.

import { readdirSync, readFileSync } from 'node:fs';

const groups = new Set();
const parent = process.ppid;
// The worker's instance (SCALEOUT_WORKER_INSTANCE): every package process it starts carries it, as
// this process does.
const marker = process.env.SCALEOUT_WORKER_INSTANCE ? `\0SCALEOUT_WORKER_INSTANCE=${process.env.SCALEOUT_WORKER_INSTANCE}\0` : undefined;
// A process the worker forked just before it died carries the marker once it has started its
// program: the processes are looked for again after this long.
const LOOK_AGAIN_MS = 250;
let ending = false;

function kill(pid, group) {
  try {
    process.kill(group ? -pid : pid, 'SIGKILL');
  } catch {
    // Gone already (or, for a group, not a group's leader).
  }
}

/** Kills every process (but this one) whose environment carries the worker's instance, with its group. Linux: /proc. */
function endMarked() {
  if (!marker) return;
  let pids;
  try {
    pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return;
  }
  for (const pid of pids) {
    let environ;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue; // gone, or another user's
    }
    if (!`\0${environ}`.includes(marker)) continue;
    kill(Number(pid), true);
    kill(Number(pid), false);
  }
}

function endAll() {
  if (ending) return;
  ending = true;
  for (const pgid of groups) kill(pgid, true);
  endMarked();
  setTimeout(() => {
    endMarked();
    process.exit(0);
  }, LOOK_AGAIN_MS);
}

process.on('message', (m) => {
  if (m?.t === 'watch') groups.add(m.pgid);
  else if (m?.t === 'unwatch') groups.delete(m.pgid);
});
process.on('disconnect', endAll);
process.on('SIGTERM', () => undefined);
process.on('SIGINT', () => undefined);
// Should the channel's end go unnoticed, a new parent (the worker died) says the same.
setInterval(() => {
  if (process.ppid !== parent) endAll();
}, 250);
process.send?.({ t: 'ready' });
