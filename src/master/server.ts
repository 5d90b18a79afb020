/**
 * The master service: HTTPS with mutual TLS for workers, the long-poll dispatcher, the sweeps, and
 * /healthz and /metrics. It keeps nothing of its own: every state change is a catalog procedure
 * call, so any number of masters can serve one catalog.
 */

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { hostname, networkInterfaces } from 'node:os';
import { claimTasks, completeTasks, masterStopped, updateMasterSettings } from '../catalog/master-calls.ts';
import { parseCatalogSpec } from '../db/catalog-spec.ts';
import type { EmbeddedEndpoint } from '../db/pglite-endpoint.ts';
import { openCatalog } from '../db/open.ts';
import type { PgliteCatalogDb } from '../db/pglite.ts';
import type { CatalogDb } from '../db/types.ts';
import { thumbprintOfPem } from '../tls/thumbprints.ts';
import { handleApi } from './api.ts';
import { Dispatcher } from './dispatcher.ts';
import { BatchedClaims, BatchedCompletions } from './batched-calls.ts';
import { Identities } from './identities.ts';
import { catalogKeyState, defaultKeyFolder, ensureProtectionKey, Keyring } from '../catalog/protection.ts';
import { peerCertificate } from './peers.ts';
import type { Logger } from '../log/logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { CatalogReachability } from './reachability.ts';
import type { MasterSettings } from './settings.ts';
import { SweepScheduler } from './sweeps.ts';
import { PRODUCT_VERSION } from '../version.ts';

const VERSION = '0.1.0';

/**
 * TLS 1.2 suites with forward secrecy only (ephemeral ECDHE, AEAD ciphers); TLS 1.3's are all so.
 * A client that offers only RSA key exchange (AES128-SHA and the like) is refused at the handshake.
 */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
].join(':');

export class Master {
  readonly masterId = randomUUID();
  readonly log: Logger;
  readonly metrics: Metrics = createMetrics();
  private db!: CatalogDb;
  private server!: Server;
  private dispatcher!: Dispatcher;
  private sweeps!: SweepScheduler;
  private stopping = false;
  private catalogOk = false;
  private inFlight = 0;
  private gaugeTimer: NodeJS.Timeout | undefined;
  private readonly reachability: CatalogReachability;
  port = 0;

  constructor(
    readonly settings: MasterSettings,
    options: { log: Logger },
  ) {
    this.log = options.log;
    this.reachability = new CatalogReachability(2 * SweepScheduler.leaseTickMs(settings) + 1000);
  }

  private readonly onCatalogResult = (ok: boolean) => {
    if (ok !== this.catalogOk) this.log[ok ? 'info' : 'warn'](ok ? 'catalog reachable' : 'catalog unreachable');
    this.catalogOk = ok;
    if (ok) this.reachability.ok();
    else this.reachability.failed();
    this.metrics.catalogUp.set(ok ? 1 : 0);
  };

  /** With the embedded catalog: where SQL clients reach it. */
  embedded: EmbeddedEndpoint | undefined;

  async start(): Promise<void> {
    const s = this.settings;
    const cert = readFileSync(s.SSLCertFile, 'utf8');
    const key = readFileSync(s.SSLKeyFile, 'utf8');
    const thumbprint = thumbprintOfPem(cert);
    const spec = parseCatalogSpec(s.SqlServerName);
    this.db = await openCatalog(spec, { connectTimeoutMs: s.SqlConnectionTimeoutInSecs * 1000 });
    if (this.db.backend === 'pglite' && spec.backend === 'pglite' && s.EmbeddedCatalogPort >= 0) {
      const { serveEmbeddedCatalog } = await import('../db/pglite-endpoint.ts');
      this.embedded = await serveEmbeddedCatalog(this.db as PgliteCatalogDb, spec.dataDir, s.EmbeddedCatalogPort);
    }
    let keyring: Keyring;
    try {
      keyring = await this.openKeyring();
    } catch (error) {
      // Nothing may keep the process alive after a refusal to start.
      await this.embedded?.stop();
      await this.db.close();
      throw error;
    }
    this.dispatcher = new Dispatcher(this.db, s.DispatchPollIntervalInMs, this.log, () => this.metrics.pollFailures.inc());
    const identities = new Identities(this.db);
    const claims = new BatchedClaims((id, n, leaseMs) => claimTasks(this.db, id, n, leaseMs));
    const completions = new BatchedCompletions((id, list) => completeTasks(this.db, list, id));

    this.server = createServer(
      {
        cert,
        key,
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
        ciphers: TLS12_CIPHERS,
        honorCipherOrder: true,
        // How often Node looks for requests past their header and request timeouts.
        connectionsCheckingInterval: 1000,
      } as Parameters<typeof createServer>[0],
      (req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method === 'GET' && path === '/healthz') {
        const ok = this.catalogOk && !this.stopping;
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', masterId: this.masterId, catalog: this.catalogOk ? 'reachable' : 'unreachable', sweeps: this.sweeps?.heldSweeps() ?? [] }));
        return;
      }
      if (req.method === 'GET' && path === '/metrics') {
        void this.metrics.registry.metrics().then((text) => {
          res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
          res.end(text);
        });
        return;
      }
      this.inFlight++;
      res.on('close', () => this.inFlight--);
      void handleApi(
        { db: this.db, settings: s, dispatcher: this.dispatcher, log: this.log, metrics: this.metrics, shuttingDown: () => this.stopping, onCatalogResult: this.onCatalogResult, identities, keyring, claims, completions },
        req,
        res,
      );
    },
    );
    this.server.on('tlsClientError', (error) => {
      this.metrics.refused.inc({ reason: 'tls_handshake' });
      this.log.debug('TLS handshake failed', { error });
    });
    this.server.on('secureConnection', (socket) => {
      // The client certificate is read once per connection (peers.ts): it must not change under it.
      socket.disableRenegotiation();
      this.limitConnections(socket);
    });
    this.server.maxConnections = s.MaxConnections;
    this.server.on('drop', () => this.metrics.refused.inc({ reason: 'too_many_connections' }));
    // Between requests a connection may idle through a long poll; a request must come whole in time.
    this.server.keepAliveTimeout = s.LongPollMaxInMs + 5000;
    this.server.headersTimeout = s.RequestHeadersTimeoutInMs;
    this.server.requestTimeout = Math.max(s.RequestBodyTimeoutInMs, s.RequestHeadersTimeoutInMs + 1000);

    try {
      await new Promise<void>((resolve, reject) => {
        this.server.once('error', reject);
        this.server.listen(s.PortNumber, s.ListenAddress, () => resolve());
      });
    } catch (error) {
      // A port in use: nothing may keep the process alive after the refusal to start.
      await this.dispatcher.close();
      await this.embedded?.stop();
      await this.db.close();
      throw error;
    }
    this.port = (this.server.address() as AddressInfo).port;

    await this.announce(thumbprint);
    await this.dispatcher.start();
    this.sweeps = new SweepScheduler(this.db, this.masterId, s, this.log, this.metrics, this.onCatalogResult, this.reachability);
    this.sweeps.start();
    this.gaugeTimer = setInterval(() => void this.refreshGauges(), s.MasterHeartbeatIntervalInMs);
    this.gaugeTimer.unref();
    void this.refreshGauges();
    this.log.info('master started', { masterId: this.masterId, version: PRODUCT_VERSION, port: this.port, catalog: this.db.description, thumbprint, embeddedCatalog: this.embedded?.url });
  }

  /** Publishes this master in the catalog; retried until the catalog answers. */
  /**
   * The keys that decrypt sensitive values for the workers. A catalog without a protection key gets
   * one (from the key folder, or new); a master without the current key's file refuses to start,
   * since it could hand no sensitive value to any worker. A catalog not reachable or not migrated
   * yet is checked when a value is first needed.
   */
  private async openKeyring(): Promise<Keyring> {
    const folder = this.settings.CatalogKeyFolder || defaultKeyFolder();
    const keyring = new Keyring(folder);
    let state;
    try {
      const said = await ensureProtectionKey(this.db, folder);
      if (said) this.log.info(said);
      state = await catalogKeyState(this.db);
    } catch (error) {
      this.log.warn('the catalog\'s protection key was not checked', { error });
      return keyring;
    }
    if (state.currentKeyId && !state.keptByCatalog && !keyring.has(state.currentKeyId)) {
      throw new Error(
        `The catalog encrypts sensitive values with protection key ${state.currentKeyId}, and ${folder} has no ${state.currentKeyId}.key: ` +
          'copy that file from the machine where the catalog was migrated (or the key last rotated), or set CatalogKeyFolder to the folder that holds it.',
      );
    }
    return keyring;
  }

  private async announce(thumbprint: string): Promise<void> {
    const address = this.settings.PublicAddress || `https://${hostname()}:${this.port}`;
    for (let attempt = 1; ; attempt++) {
      try {
        await updateMasterSettings(this.db, {
          masterId: this.masterId,
          machineName: hostname(),
          machineIP: firstAddress(),
          port: this.port,
          thumbprint,
          heartbeatIntervalMs: this.settings.MasterHeartbeatIntervalInMs,
          address,
          processId: process.pid,
          version: VERSION,
        });
        this.onCatalogResult(true);
        return;
      } catch (error) {
        this.onCatalogResult(false);
        this.log.warn('cannot announce the master to the catalog yet', { attempt, error });
        if (this.stopping) return;
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * attempt)));
      }
    }
  }

  private readonly connectionsByCertificate = new Map<string, number>();

  /** At most MaxConnectionsPerCertificate connections from one certificate (or from clients without one). */
  private limitConnections(socket: TLSSocket): void {
    const key = peerCertificate(socket)?.thumbprint ?? 'none';
    const n = (this.connectionsByCertificate.get(key) ?? 0) + 1;
    if (n > this.settings.MaxConnectionsPerCertificate) {
      this.metrics.refused.inc({ reason: 'too_many_connections' });
      socket.destroy();
      return;
    }
    this.connectionsByCertificate.set(key, n);
    socket.once('close', () => {
      const left = (this.connectionsByCertificate.get(key) ?? 1) - 1;
      if (left <= 0) this.connectionsByCertificate.delete(key);
      else this.connectionsByCertificate.set(key, left);
    });
  }

  private async refreshGauges(): Promise<void> {
    try {
      const rows = await this.db.query(this.db.dialect === 'mssql' ? 'SELECT State AS state FROM [catalog].worker_agents;' : 'SELECT State AS state FROM catalog.worker_agents');
      this.metrics.workersOnline.set(rows.filter((r) => r.state === 'online').length);
    } catch {
      // The next heartbeat tries again; catalog health is reported by the calls themselves.
    }
  }

  /** Stops accepting, answers waiting long polls, lets in-flight requests finish, releases the sweep leases. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info('master stopping', { masterId: this.masterId });
    this.sweeps?.stop();
    if (this.gaugeTimer) clearInterval(this.gaugeTimer);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.dispatcher.close();
    const deadline = Date.now() + 10_000;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.server.closeAllConnections();
    await closed;
    try {
      await masterStopped(this.db, this.masterId);
    } catch (error) {
      this.log.warn('could not release the sweep leases; they expire by themselves', { error });
    }
    await this.embedded?.stop();
    await this.db.close();
    this.log.info('master stopped', { masterId: this.masterId });
  }
}

function firstAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') return a.address;
  }
  return '127.0.0.1';
}
