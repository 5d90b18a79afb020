/**
 * scaleout healthcheck [url]: asks a master's /healthz (the container image's HEALTHCHECK, a load
 * balancer's probe, a shell). Exit 0 when it answers 200 — the catalog reachable, not stopping.
 * The master's certificate is not checked here: the probe asks for liveness, not for trust.
 */

import { request } from 'node:https';
import type { Command } from 'commander';
import { CLI_ERRORS, CliError } from './cli-errors.ts';

function get(url: URL, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk.slice(0, 4096)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export function registerHealthcheckCommand(program: Command): void {
  program
    .command('healthcheck [url]')
    .description("ask a master's /healthz; exit 0 when it is serving (the catalog reachable), 1 otherwise")
    .option('--timeout <seconds>', 'give up after this long', '5')
    .action(async (target: string | undefined, o: { timeout: string }) => {
      let url: URL;
      try {
        url = new URL(target ?? `https://127.0.0.1:${process.env.SCALEOUT_MASTER_PORTNUMBER ?? 8391}/healthz`);
      } catch {
        throw new CliError(CLI_ERRORS.usage, `healthcheck: "${target}" is not a URL (https://host:port/healthz).`);
      }
      if (url.protocol !== 'https:') throw new CliError(CLI_ERRORS.usage, 'healthcheck: masters serve https only.');
      const seconds = Number(o.timeout);
      if (!(seconds > 0 && seconds <= 300)) throw new CliError(CLI_ERRORS.usage, 'healthcheck: --timeout is 0 to 300 seconds.');
      let answer: { status: number; body: string };
      try {
        answer = await get(url, seconds * 1000);
      } catch (error) {
        throw new CliError(CLI_ERRORS.unhealthy, `${url.href}: ${(error as Error).message}`, 'is the master running, and listening on that address?');
      }
      if (answer.status !== 200) throw new CliError(CLI_ERRORS.unhealthy, `${url.href} answered ${answer.status}: ${answer.body.trim()}`);
      process.stdout.write(`${answer.body.trim()}\n`);
    });
}
