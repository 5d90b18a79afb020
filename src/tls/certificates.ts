/**
 * Certificates for the master (server) and workers (clients), created here so that no other tool
 * is needed: RSA keys from Node's crypto, X.509 certificates from node-forge, self-signed, SHA-256.
 * A thumbprint is the SHA-256 of the certificate's DER bytes, upper-case hex (64 digits), which is
 * what the catalog stores (catalog.add_worker_agent) and what workers pin (MasterHttpsCertThumbprint).
 */

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { normalizeThumbprint, thumbprintOfDer, thumbprintOfPem } from './thumbprints.ts';

export interface CertificateFiles {
  /** PEM certificate. */
  readonly cert: string;
  /** PEM private key (PKCS#8). */
  readonly key: string;
  /** SHA-256 thumbprint, upper-case hex. */
  readonly thumbprint: string;
}

export interface CertificateRequest {
  readonly commonName: string;
  /** DNS names and IP addresses the certificate is valid for (a server's host names). */
  readonly altNames?: readonly string[];
  readonly days?: number;
  readonly purpose: 'server' | 'client';
  /** RSA key size; 2048 unless a benchmark needs many certificates quickly. */
  readonly modulusLength?: number;
  /** Valid from (default: five minutes ago, for clocks a little behind). */
  readonly notBefore?: Date;
}

export function createSelfSignedCertificate(request: CertificateRequest): CertificateFiles {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: request.modulusLength ?? 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  const from = request.notBefore ?? new Date(Date.now() - 5 * 60_000);
  cert.validity.notBefore = from;
  cert.validity.notAfter = new Date(from.getTime() + 5 * 60_000 + (request.days ?? 825) * 86_400_000);
  const subject = [{ name: 'commonName', value: request.commonName }, { name: 'organizationName', value: 'Scale Out' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const altNames = [...new Set([request.commonName, ...(request.altNames ?? [])])].map((n) =>
    isIP(n) ? { type: 7, ip: n } : { type: 2, value: n },
  );
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: request.purpose === 'server', clientAuth: request.purpose === 'client' },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  const pem = forge.pki.certificateToPem(cert);
  return { cert: pem, key: privateKey, thumbprint: thumbprintOfPem(pem) };
}

export { normalizeThumbprint, thumbprintOfDer, thumbprintOfPem };
