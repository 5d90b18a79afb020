/** Certificate thumbprints (SHA-256), without loading an X.509 library: what the master and the worker need at run time. */

import { createHash, X509Certificate } from 'node:crypto';

/** SHA-256 thumbprint (upper-case hex) of a PEM certificate. */
export function thumbprintOfPem(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex').toUpperCase();
}

/** SHA-256 thumbprint of a peer certificate's DER bytes, as a TLS socket gives it. */
export function thumbprintOfDer(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase();
}

/** Thumbprints are compared without colons, spaces or case, as Windows and OpenSSL print them differently. */
export function normalizeThumbprint(text: string): string {
  return text.replace(/[:\s-]/g, '').toUpperCase();
}
