/**
 * A simulated worker agent for the benchmarks: its own client certificate and keep-alive TLS
 * connection to a master, and JSON requests over it; and the certificates a benchmark's master
 * and agents use (a temporary folder, removed by cleanup).
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '../src/tls/certificates.ts';
import type { Certs } from '../test/support/master-process.ts';

export interface SimAgent {
  readonly id: string;
  readonly agent: Agent;
}

export function benchCerts(): Certs {
  const dir = mkdtempSync(join(tmpdir(), 'scaleout-bench-'));
  const masterCert = createSelfSignedCertificate({ commonName: 'localhost', altNames: ['127.0.0.1'], purpose: 'server' });
  writeFileSync(join(dir, 'master.crt'), masterCert.cert);
  writeFileSync(join(dir, 'master.key'), masterCert.key);
  return {
    dir,
    master: { ...masterCert, certFile: join(dir, 'master.crt'), keyFile: join(dir, 'master.key') },
    worker: () => createSelfSignedCertificate({ commonName: 'w', purpose: 'client', modulusLength: 1024 }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A keep-alive HTTPS agent presenting a new client certificate; its thumbprint is for catalog.add_worker_agent. */
export function simulatedAgent(certs: Certs, id: string, maxSockets = 16): SimAgent & { thumbprint: string } {
  const cert = certs.worker(`w-${id}`);
  return { id, thumbprint: cert.thumbprint, agent: new Agent({ keepAlive: true, cert: cert.cert, key: cert.key, rejectUnauthorized: false, maxSockets }) };
}

export function post(port: number, a: SimAgent, path: string, body: unknown, signal?: AbortSignal): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path, agent: a.agent, signal, headers: { 'content-type': 'application/json', 'content-length': payload.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
