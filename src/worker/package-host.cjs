// The child process a node package runs in (plain CommonJS: it starts in tens of milliseconds,
// without a TypeScript loader, and without the ES module loader's start-up for itself — a
// package's module is still imported as ES module or CommonJS alike). The worker sends a "start" message over IPC; the host imports the
// package's module, calls its default export with the context, writes the lines the package logs
// to the run's log file (JSON lines, which the worker reads into the attempt's journal), and
// reports the outcome. Its stdout and stderr are files too, never pipes: whatever the package
// writes is on disk the moment it writes it, even if the worker dies that instant. A crash or a
// kill ends this process (and its process group) alone.
//
// Normally the process ends with its run. A package whose manifest allows it (reuseProcess) may be
// run again here by its next tasks: the host then says, with the outcome, whether it is fit for
// that — a successful run that left nothing running behind (no timer, socket, child process or
// file operation pending) — and otherwise ends as usual. Between runs the environment is put back
// as the host started, and the folder, AbortSignal and log file are the new task's.
'use strict';
const { closeSync, openSync, writeSync } = require('node:fs');
const { pathToFileURL } = require('node:url');

// SSIS message types: 120 Error, 110 Warning, 70 Information, 60 Progress, 140 Diagnostic.
const TYPES = { error: 120, warn: 110, info: 70, progress: 60, verbose: 140 };
// Lines wait as text and leave in small writes (one per event-loop turn, or every FLUSH_LINES).
const FLUSH_LINES = 500;
// What a host idle between runs holds: its IPC channel.
const IDLE_RESOURCES = new Set(['PipeWrap', 'CloseReq']);

const startEnv = { ...process.env };

let pending = '';
let pendingCount = 0;
let flushScheduled; // the Immediate of a pending flush
let logFd;
let aborter = new AbortController();
let running = false;

function flush() {
  clearImmediate(flushScheduled);
  flushScheduled = undefined;
  if (pendingCount === 0 || logFd === undefined) return;
  const bytes = Buffer.from(pending, 'utf8');
  pending = '';
  pendingCount = 0;
  let written = 0;
  while (written < bytes.length) written += writeSync(logFd, bytes, written, bytes.length - written);
}

function log(type, message, event) {
  pending += `${JSON.stringify({ t: Date.now(), y: type, m: typeof message === 'string' ? message : String(message), e: event ?? null })}\n`;
  pendingCount++;
  if (pendingCount >= FLUSH_LINES) flush();
  else flushScheduled ??= setImmediate(flush);
}

let reuse = false;

function finish(ok, error) {
  running = false;
  flush();
  if (logFd !== undefined) closeSync(logFd);
  logFd = undefined;
  const reusable = ok && reuse && leftIdle();
  process.send({ t: 'done', ok, error, reusable }, () => {
    if (!reusable) process.exit(ok ? 0 : 1);
  });
}

/** Whether the run left nothing behind that would keep working during the next one. */
function leftIdle() {
  return process.getActiveResourcesInfo().every((r) => IDLE_RESOURCES.has(r));
}

/** The environment as the host started, plus the task's own variables. */
function setEnvironment(env) {
  for (const key of Object.keys(process.env)) if (!(key in startEnv)) delete process.env[key];
  Object.assign(process.env, startEnv, env);
}

process.on('message', async (m) => {
  if (m.t === 'abort') {
    aborter.abort(new Error(m.reason ?? 'The execution was stopped.'));
    return;
  }
  if (m.t !== 'start' || running) return;
  running = true;
  reuse = m.reuse === true;
  aborter = new AbortController();
  // Started ahead of its task, or reused: the task brings the folder, environment and log file.
  setEnvironment(m.env ?? {});
  if (m.cwd) process.chdir(m.cwd);
  logFd = openSync(m.logFile, 'a');
  let run;
  try {
    const module = await import(pathToFileURL(m.module).href);
    run = module.default;
    if (typeof run !== 'function') throw new Error(`${m.module} has no default export function run(ctx).`);
  } catch (error) {
    finish(false, `The package module could not be loaded: ${error?.stack ?? error}`);
    return;
  }
  const ctx = Object.freeze({
    ...m.context,
    signal: aborter.signal,
    log: Object.freeze({
      info: (message) => log(TYPES.info, message),
      warn: (message) => log(TYPES.warn, message),
      error: (message) => log(TYPES.error, message),
      verbose: (message) => log(TYPES.verbose, message),
    }),
    progress: (percent, message) => log(TYPES.progress, `${Math.max(0, Math.min(100, Math.round(Number(percent) || 0)))}% ${message ?? ''}`.trim(), 'OnProgress'),
  });
  try {
    await run(ctx);
    finish(true);
  } catch (error) {
    finish(false, error?.stack ?? String(error));
  }
});

// Between runs of a reused host, an error belongs to no task: the process ends (the worker sees it
// die and starts another for the next task).
process.on('uncaughtException', (error) => (running ? finish(false, `Uncaught: ${error?.stack ?? error}`) : process.exit(1)));
process.on('unhandledRejection', (error) => (running ? finish(false, `Unhandled rejection: ${error?.stack ?? error}`) : process.exit(1)));
process.on('disconnect', () => process.exit(1));
