/**
 * Simulated agents that give up their long polls (bench/faults/harness.ts, abandonPolls): run in a
 * process of their own, so that a thousand TLS clients do not starve the harness. Reads its
 * configuration (JSON) from the file named by its argument, prints one JSON line of counts.
 */

import { readFileSync } from 'node:fs';
import { startCall } from '../../test/support/master-process.ts';
import type { CertificateFiles } from '../../src/tls/certificates.ts';

interface Config {
  readonly ports: number[];
  readonly agents: Array<{ id: string; cert: CertificateFiles }>;
  readonly polls: number;
  readonly durationMs: number;
  readonly leaseMs: number;
}

const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Config;
const sleep = (ms: number) => new Promise<'abandon'>((r) => setTimeout(() => r('abandon'), ms));
let abandoned = 0;
let answeredWithTasks = 0;
const until = Date.now() + config.durationMs;
await Promise.all(
  Array.from({ length: config.polls }, async (_, i) => {
    const agent = config.agents[i % config.agents.length]!;
    while (Date.now() < until) {
      const port = config.ports[Math.floor(Math.random() * config.ports.length)]!;
      const poll = startCall(port, 'POST', `/api/v1/agents/${agent.id}/tasks:claim`, { cert: agent.cert, body: { waitMs: 3000, maxTasks: 1, leaseMs: config.leaseMs } });
      const outcome = await Promise.race([poll.response.then((r) => r, () => undefined), sleep(Math.random() * 2500)]);
      if (outcome === 'abandon') {
        poll.abort();
        abandoned++;
        await poll.response.catch(() => undefined);
      } else if (outcome && ((outcome.json.tasks as unknown[] | undefined) ?? []).length > 0) answeredWithTasks++;
    }
  }),
);
process.stdout.write(`${JSON.stringify({ abandoned, answeredWithTasks })}\n`);
