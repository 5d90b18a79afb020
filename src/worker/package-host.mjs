// The child process a node package runs in (plain JavaScript: it starts in tens of milliseconds,
// without a TypeScript loader). The worker sends one "start" message over IPC; the host imports
// the package's module, calls its default export with the context, and reports log lines in
// batches and the outcome. A crash or a kill ends this process alone.
import { pathToFileURL } from 'node:url';

// SSIS message types: 120 Error, 110 Warning, 70 Information, 60 Progress, 140 Diagnostic.
const TYPES = { error: 120, warn: 110, info: 70, progress: 60, verbose: 140 };
// Lines wait in parallel arrays (no object per line) and leave in small batches, so they die young
// and cost the package little garbage collection.
const FLUSH_LINES = 500;

let types = [];
let times = [];
let texts = [];
let events = [];
let flushScheduled = false;

function flush(callback) {
  flushScheduled = false;
  if (texts.length === 0) {
    callback?.();
    return;
  }
  const batch = { t: 'logs', types, times, texts, events };
  types = [];
  times = [];
  texts = [];
  events = [];
  process.send(batch, callback);
}

function log(type, message, event) {
  types.push(type);
  times.push(Date.now());
  texts.push(typeof message === 'string' ? message : String(message));
  events.push(event ?? null);
  if (texts.length >= FLUSH_LINES) flush();
  else if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

function finish(ok, error) {
  flush(() => {
    process.send({ t: 'done', ok, error }, () => process.exit(ok ? 0 : 1));
  });
}

const aborter = new AbortController();

process.on('message', async (m) => {
  if (m.t === 'abort') {
    aborter.abort(new Error(m.reason ?? 'The execution was stopped.'));
    return;
  }
  if (m.t !== 'start') return;
  // Started ahead of its task: the task brings the folder and environment it runs in.
  if (m.cwd) process.chdir(m.cwd);
  if (m.env) Object.assign(process.env, m.env);
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

process.on('uncaughtException', (error) => finish(false, `Uncaught: ${error?.stack ?? error}`));
process.on('unhandledRejection', (error) => finish(false, `Unhandled rejection: ${error?.stack ?? error}`));
process.on('disconnect', () => process.exit(1));
