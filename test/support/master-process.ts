/** Real master processes for the master's tests, an HTTPS client holding a worker certificate, and a TCP proxy to cut the catalog. */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import { createSelfSignedCertificate, type CertificateFiles } from '../../src/tls/certificates.ts';

export interface Certs {
  readonly dir: string;
  readonly master: CertificateFiles & { certFile: string; keyFile: string };
  worker(name: string): CertificateFiles;
  cleanup(): void;
}

export function makeCerts(): Certs {
  const dir = mkdtempSync(join(tmpdir(), 'scaleout-certs-'));
  const master = createSelfSignedCertificate({ commonName: 'localhost', altNames: ['127.0.0.1'], purpose: 'server' });
  writeFileSync(join(dir, 'master.crt'), master.cert);
  writeFileSync(join(dir, 'master.key'), master.key);
  return {
    dir,
    master: { ...master, certFile: join(dir, 'master.crt'), keyFile: join(dir, 'master.key') },
    worker: (name) => createSelfSignedCertificate({ commonName: name, purpose: 'client' }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface MasterProcess {
  readonly child: ChildProcess;
  readonly port: number;
  readonly masterId: string;
  /** Milliseconds from the spawn to the "listening" line. */
  readonly readyMs: number;
  readonly output: () => string;
  /** SIGTERM and wait; resolves with the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

export async function startMaster(catalog: string, certs: Certs, settings: Record<string, string | number> = {}): Promise<MasterProcess> {
  const args = [
    join(PROJECT_ROOT, 'bin', 'scaleout.js'),
    '--catalog', catalog,
    'master',
    '--port', '0',
    '--cert', certs.master.certFile,
    '--key', certs.master.keyFile,
    '--set', `LogFolder=${join(certs.dir, 'log')}`,
    '--set', 'ListenAddress=127.0.0.1',
    ...Object.entries(settings).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
  ];
  const spawned = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SCALEOUT_CATALOG: '' } });
  let output = '';
  let readyMs = 0;
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
    if (!readyMs && / listening on port /.test(output)) readyMs = performance.now() - spawned;
  });
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = Date.now();
  for (;;) {
    const m = /master ([0-9a-f-]{36}) listening on port (\d+)/.exec(output);
    if (m) {
      return {
        child,
        port: Number(m[2]),
        masterId: m[1]!,
        readyMs,
        output: () => output,
        stop: async () => {
          child.kill('SIGTERM');
          return exited;
        },
        kill9: async () => {
          child.kill('SIGKILL');
          await exited;
        },
      };
    }
    if (child.exitCode !== null || Date.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`the master did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Response {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: Record<string, unknown>;
  readonly body: Buffer;
}

/** One HTTPS request to a master, as a worker holding `cert` (or none). */
export function call(port: number, method: 'GET' | 'POST', path: string, options: { cert?: CertificateFiles; body?: unknown; rawBody?: Buffer } = {}): Promise<Response> {
  return startCall(port, method, path, options).response;
}

/** A request that can be given up before its answer (the client closes the connection). */
export function startCall(port: number, method: 'GET' | 'POST', path: string, options: { cert?: CertificateFiles; body?: unknown; rawBody?: Buffer } = {}): { response: Promise<Response>; abort(): void } {
  let abort!: () => void;
  const response = new Promise<Response>((resolve, reject) => {
    const payload = options.rawBody ?? (options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body)));
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        rejectUnauthorized: false,
        cert: options.cert?.cert,
        key: options.cert?.key,
        agent: false,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          let json: Record<string, unknown> = {};
          if (String(res.headers['content-type']).includes('json')) json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json, body });
        });
      },
    );
    req.on('error', reject);
    abort = () => req.destroy(new Error('given up by the client'));
    if (payload) req.write(payload);
    req.end();
  });
  return { response, abort };
}

/** A TCP proxy in front of PostgreSQL that a test can cut and restore, to play a catalog outage. */
export class TcpProxy {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(port = 0): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
