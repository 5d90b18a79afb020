// The worker's sentinel: a small process of its own (plain JavaScript, no package code ever runs
// here, so nothing can block it) that watches the worker through its IPC channel. The worker tells
// it the process group of every package process it starts. When the channel closes — the worker
// exited, crashed or was killed with SIGKILL — the sentinel kills every group it was told of and
// exits: no package outlives its worker by more than a moment.
//
// It lives in a session of its own, so a terminal's Ctrl-C or a SIGTERM meant for the worker does
// not reach it; it ignores SIGTERM and SIGINT and goes only with its worker.

const groups = new Set();
const parent = process.ppid;

function endAll() {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // The group is gone already.
    }
  }
  process.exit(0);
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
