/**
 * The client certificate of a TLS connection, read once per connection: a keep-alive connection
 * carries many requests, and reading the peer certificate builds a large object each time. Its
 * renegotiation is disabled (server.ts), so it cannot change under a connection.
 */

import type { TLSSocket } from 'node:tls';
import { thumbprintOfDer } from '../tls/thumbprints.ts';

export interface PeerCertificate {
  readonly thumbprint: string;
  /** Validity, in milliseconds since the epoch. */
  readonly validFrom: number;
  readonly validTo: number;
}

const peers = new WeakMap<TLSSocket, PeerCertificate | null>();

export function peerCertificate(socket: TLSSocket): PeerCertificate | null {
  let p = peers.get(socket);
  if (p === undefined) {
    const c = socket.getPeerCertificate?.();
    p = c?.raw ? { thumbprint: thumbprintOfDer(c.raw), validFrom: Date.parse(c.valid_from), validTo: Date.parse(c.valid_to) } : null;
    peers.set(socket, p);
  }
  return p;
}
