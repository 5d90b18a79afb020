/** Prometheus metrics of one master (GET /metrics). */

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'scaleout_master_' });
  return {
    registry,
    requests: new Counter({ name: 'scaleout_master_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [registry] }),
    claimCalls: new Counter({ name: 'scaleout_master_claim_calls_total', help: 'Task claims made in the catalog, by whether they found work (tasks) or not (empty)', labelNames: ['result'], registers: [registry] }),
    claimed: new Counter({ name: 'scaleout_master_tasks_claimed_total', help: 'Tasks handed to workers', registers: [registry] }),
    refused: new Counter({ name: 'scaleout_master_refused_total', help: 'Requests and connections refused before anything was read: no or an expired certificate, an untrusted one, another worker\'s, too many connections', labelNames: ['reason'], registers: [registry] }),
    abandoned: new Counter({ name: 'scaleout_master_requests_abandoned_total', help: 'Requests whose client went away before the answer (long polls given up)', labelNames: ['route'], registers: [registry] }),
    pollFailures: new Counter({ name: 'scaleout_master_dispatch_poll_failures_total', help: 'Shared polls for newly ready tasks (internal.count_newly_ready_tasks) that failed', registers: [registry] }),
    released: new Counter({ name: 'scaleout_master_tasks_released_total', help: 'Claimed tasks given back at no attempt because their worker was gone before the answer reached it', registers: [registry] }),
    dispatchLatency: new Histogram({
      name: 'scaleout_master_dispatch_latency_seconds',
      help: 'Time a task claim that got work waited in the long poll',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    sweepDuration: new Histogram({ name: 'scaleout_master_sweep_duration_seconds', help: 'Sweep run time', labelNames: ['sweep'], registers: [registry] }),
    workersOnline: new Gauge({ name: 'scaleout_master_workers_online', help: 'Worker agents online (catalog.worker_agents)', registers: [registry] }),
    longPolls: new Gauge({ name: 'scaleout_master_long_polls_waiting', help: 'Task claims waiting for work', registers: [registry] }),
    catalogUp: new Gauge({ name: 'scaleout_master_catalog_up', help: '1 when the last catalog call succeeded', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
