/** scaleout cert master|worker: creates certificates and prints their thumbprints. */

import type { Command } from 'commander';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

function write(dir: string, name: string, files: { cert: string; key: string; thumbprint: string }): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.crt`), files.cert);
  writeFileSync(join(dir, `${name}.key`), files.key, { mode: 0o600 });
  process.stdout.write(`${join(dir, `${name}.crt`)}\n${join(dir, `${name}.key`)}\nthumbprint ${files.thumbprint}\n`);
}

export function registerCertCommands(program: Command): void {
  const cert = program.command('cert').description('create master and worker certificates (self-signed, SHA-256) and print their thumbprints');
  cert
    .command('master')
    .description('the master (server) certificate: its CN and the host names workers use in MasterEndpoint')
    .option('--cn <name>', 'common name', hostname())
    .option('--san <names>', 'more DNS names or IP addresses, comma-separated', 'localhost,127.0.0.1')
    .option('--out <dir>', 'folder for master.crt and master.key', '.scaleout/certs')
    .option('--days <n>', 'validity in days', '825')
    .action(async (o: { cn: string; san: string; out: string; days: string }) => {
      const { createSelfSignedCertificate } = await import('../tls/certificates.ts');
      write(o.out, 'master', createSelfSignedCertificate({ commonName: o.cn, altNames: o.san.split(',').map((s) => s.trim()).filter(Boolean), days: Number(o.days), purpose: 'server' }));
    });
  cert
    .command('worker')
    .description('a worker (client) certificate; trust it with catalog.add_worker_agent or catalog.trust_worker_certificate')
    .option('--cn <name>', 'common name', hostname())
    .option('--out <dir>', 'folder for <name>.crt and <name>.key', '.scaleout/certs')
    .option('--name <file>', 'file name without extension', 'worker')
    .option('--days <n>', 'validity in days', '825')
    .action(async (o: { cn: string; out: string; name: string; days: string }) => {
      const { createSelfSignedCertificate } = await import('../tls/certificates.ts');
      write(o.out, o.name, createSelfSignedCertificate({ commonName: o.cn, days: Number(o.days), purpose: 'client' }));
    });
  cert
    .command('thumbprint <file>')
    .description('print the thumbprint of a certificate file (PEM), as the catalog and WorkerSettings.json use it')
    .addHelpText('after', '\nExample:\n  scaleout agent add <id> --thumbprint "$(scaleout cert thumbprint certs/worker1.crt)" --enable')
    .action(async (file: string) => {
      const { thumbprintOfPem } = await import('../tls/thumbprints.ts');
      process.stdout.write(`${thumbprintOfPem(readFileSync(file, 'utf8'))}\n`);
    });
}
