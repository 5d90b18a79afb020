/**
 * Scale Out Manager in a real browser (Debian's Chromium driven by playwright-core): the pages
 * open, a worker is added from its certificate (thumbprint shown before trusting), disabled and
 * enabled, the workers table follows the catalog without a reload, and a refused action shows its
 * numbered error.
 */

import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import { forEachBackend, useCatalog } from '../support/backends.ts';
import { makeCerts, startMaster, type Certs } from '../support/master-process.ts';
import { startWorker } from '../support/worker-process.ts';
import { packProject } from '../../src/project/pack.ts';
import { deployedProject, startedExecution } from '../support/queue-helpers.ts';
import { waitFor } from '../support/wait.ts';

const CHROMIUM = '/usr/bin/chromium';

forEachBackend('Scale Out Manager in Chromium', (backend) => {
  const catalog = useCatalog(backend, { only: ['pg'] });
  let manager: ChildProcess | undefined;
  let url = '';
  let browser: Browser | undefined;
  let page: Page;
  let certs: Certs;

  before(async function () {
    if (backend.kind !== 'pg') this.skip(); // the manager holds its own connection to a catalog server
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
      this.skip();
    }
    this.timeout(60_000);
    certs = makeCerts();
    manager = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'scaleout.js'), '--catalog', catalog.database.spec!, 'manager', '--listen', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    manager.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    manager.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    url = (await waitFor('the manager to listen', () => /Scale Out Manager on (http:\/\/\S+)/.exec(out)?.[1], 30_000)).replace(/\/$/, '');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    page = await browser.newPage();
  });

  after(async () => {
    await browser?.close();
    manager?.kill('SIGTERM');
    certs?.cleanup();
  });

  it('opens the overview and the workers page', async () => {
    await page.goto(`${url}/`);
    expect(await page.textContent('h1')).to.equal('Overview');
    expect(await page.textContent('body')).to.contain('masters online').and.contain('waiting / running / stopping now');
    expect(await page.locator('svg[role=img]').getAttribute('aria-label')).to.equal('Executions by status, last 24 hours');
    await page.click('nav >> text=Workers');
    expect(await page.textContent('h1')).to.equal('Workers');
  });

  it('adds a worker from its certificate, showing the thumbprint before trusting it; disables and enables it', async () => {
    const cert = certs.worker('browser-worker');
    const id = randomUUID();
    await page.goto(`${url}/workers/add`);
    // Chosen as a file, as an operator uploads the worker's .crt.
    await page.setInputFiles('#certificate-file', { name: 'browser-worker.crt', mimeType: 'application/x-x509-ca-cert', buffer: Buffer.from(cert.cert) });
    await waitFor('the file read into the form', async () => (await page.inputValue('#certificate')).includes('BEGIN CERTIFICATE'), 5000);
    await page.fill('#id', id);
    await page.fill('#name', 'browser-worker');
    await page.click('text=Show its thumbprint');
    expect((await page.textContent('#thumbprint'))?.trim()).to.equal(cert.thumbprint);
    const before = await catalog.db.query(catalog.db.dialect === 'mssql' ? 'SELECT COUNT(*) AS n FROM internal.worker_agents' : 'SELECT count(*) AS n FROM internal.worker_agents');
    expect(Number(before[0]!.n), 'nothing is trusted before the confirmation').to.equal(0);
    await page.click('text=Trust and enable');
    expect(await page.textContent('[role=status]')).to.contain('browser-worker trusted and enabled');
    const row = page.locator(`tr[data-worker="${id}"]`);
    expect(await row.textContent()).to.contain('enabled');
    await page.click('button[aria-label="Disable browser-worker"]');
    expect(await page.locator(`tr[data-worker="${id}"]`).textContent()).to.contain('disabled');
    await page.click('button[aria-label="Enable browser-worker"]');
    expect(await page.locator(`tr[data-worker="${id}"] td:nth-child(3)`).textContent()).to.equal('enabled');
  });

  it('lists executions filtered on the server, shows one with its parameter values, and stops it', async () => {
    const where = await deployedProject(catalog.db);
    const id = await startedExecution(catalog.db, where);
    await page.goto(`${url}/`);
    await page.click('nav >> text=Executions');
    await page.fill('#folder', where.folder);
    await page.click('text=Filter');
    expect(page.url()).to.contain(`folder=${where.folder}`);
    const row = page.locator(`tr[data-execution="${id}"]`);
    expect(await row.textContent()).to.contain('pending');
    expect(await page.locator('tbody tr').count(), 'only the folder\'s execution').to.equal(1);
    await row.locator('a').click();
    expect(await page.textContent('h1')).to.equal(`Execution ${id}`);
    expect(await page.textContent('#status')).to.contain('pending');
    expect(await page.textContent('body')).to.contain('/data/sales.csv');
    const apiKey = await page.locator('tr', { hasText: 'ApiKey' }).textContent();
    expect(apiKey, 'a sensitive value is never shown').to.contain('(sensitive)').and.not.contain('k-123');
    await page.click(`text=Stop execution ${id}`);
    expect(await page.textContent('[role=status]')).to.contain('stop requested');
    expect(await page.textContent('#status')).to.contain('canceled');
    expect(await page.locator(`text=Stop execution ${id}`).count(), 'no stop for an ended execution').to.equal(0);
    await page.goto(`${url}/executions/999999`);
    expect(await page.textContent('[role=alert]')).to.match(/^error 51106: /);
  });

  it('runs a package from Projects with a parameter value; its page follows it to succeeded with its messages; a running one is stopped', async function () {
    this.timeout(120_000);
    const master = await startMaster(catalog.database.spec!, certs, { MasterHeartbeatIntervalInMs: 1000, LongPollMaxInMs: 5000 });
    await catalog.db.call('catalog.update_master_address', { MasterAddress: `https://127.0.0.1:${master.port}` });
    const worker = await startWorker(catalog.db, certs, [master.port], 'manager-run');
    const output = mkdtempSync(join(tmpdir(), 'scaleout-manager-out-'));
    try {
      await catalog.db.call('catalog.create_folder', { folder_name: 'Finance' });
      const packed = packProject(join(PROJECT_ROOT, 'examples', 'etl'));
      await catalog.db.call('catalog.deploy_project', { folder_name: 'Finance', project_name: packed.manifest.name, project_stream: packed.bytes, manifest: packed.manifestText });
      await page.goto(`${url}/`);
      await page.click('nav >> text=Projects');
      await page.click('a:text-is("etl")');
      expect(await page.textContent('h1')).to.equal('Project etl');
      expect(await page.textContent('details summary')).to.equal('1 deployed version(s)');
      const form = page.locator('form', { has: page.locator('button', { hasText: 'Run clean_customers' }) });
      await form.locator('input[name="p20:OutputFolder"]').fill(output);
      await form.locator('button').click();
      expect(await page.textContent('[role=status]')).to.match(/Execution \d+ started/);
      const firstRun = /\/executions\/(\d+)/.exec(page.url())![1]!;
      // No reload: the page's live parts follow the execution to its end.
      await waitFor('succeeded on the page', async () => (await page.textContent('#status'))?.includes('succeeded'), 60_000);
      await waitFor('its messages on the page', async () => (await page.textContent('tbody[data-live$="/messages"]'))?.includes('customers_clean.csv'), 20_000);
      expect(existsSync(join(output, 'customers_clean.csv')), 'the parameter value reached the package').to.equal(true);
      // Against an environment: OutputFolder takes Prod's variable, chosen on the form.
      const prodOutput = mkdtempSync(join(tmpdir(), 'scaleout-manager-prod-'));
      try {
        await catalog.db.call('catalog.create_environment', { folder_name: 'Finance', environment_name: 'Prod' });
        await catalog.db.call('catalog.create_environment_variable', { folder_name: 'Finance', environment_name: 'Prod', variable_name: 'Out', data_type: 'String', sensitive: 0, value: prodOutput });
        await catalog.db.call('catalog.create_environment_reference', { folder_name: 'Finance', project_name: 'etl', environment_name: 'Prod', reference_type: 'R' });
        await catalog.db.call('catalog.set_object_parameter_value', { object_type: 20, folder_name: 'Finance', project_name: 'etl', parameter_name: 'OutputFolder', parameter_value: 'Out', value_type: 'R' });
        await page.goBack();
        await page.reload();
        expect(await page.textContent('main')).to.contain('Finance / Prod');
        const prodForm = page.locator('form', { has: page.locator('button', { hasText: 'Run clean_customers' }) });
        expect(await prodForm.textContent()).to.contain('from environment variable Out');
        await prodForm.locator('select[name="reference"]').selectOption({ label: 'Finance / Prod' });
        await prodForm.locator('button').click();
        await waitFor('succeeded against Prod', async () => (await page.textContent('#status'))?.includes('succeeded'), 60_000);
        expect(await page.textContent('main')).to.contain('Finance / Prod');
        expect(existsSync(join(prodOutput, 'customers_clean.csv')), 'the environment\'s value reached the package').to.equal(true);
        // Several runs at once (catalog.start_executions): refused with a changed value, started together without.
        await page.goBack();
        await page.reload();
        const batchForm = page.locator('form', { has: page.locator('button', { hasText: 'Run clean_customers' }) });
        await batchForm.locator('select[name="reference"]').selectOption({ label: 'Finance / Prod' });
        await batchForm.locator('input[name="p20:OutputFolder"]').fill(output);
        await batchForm.locator('input[name="runs"]').fill('2');
        await batchForm.locator('button').click();
        expect(await page.textContent('[role=alert]')).to.match(/^error 51001: .*OutputFolder/);
        const againForm = page.locator('form', { has: page.locator('button', { hasText: 'Run clean_customers' }) });
        await againForm.locator('select[name="reference"]').selectOption({ label: 'Finance / Prod' });
        await againForm.locator('input[name="runs"]').fill('2');
        await againForm.locator('button').click();
        expect(await page.textContent('[role=status]')).to.match(/^2 executions started \(\d+ to \d+\)\.$/);
        await waitFor('both runs succeeded on the list', async () => (await page.locator('tbody tr[data-execution]:has-text("succeeded")').count()) === 4, 60_000);
      } finally {
        rmSync(prodOutput, { recursive: true, force: true });
      }
      // A running execution is stopped from its page: the worker ends the package at its next heartbeat.
      const e2e = packProject(join(PROJECT_ROOT, 'test', 'fixtures', 'e2e-project'));
      await catalog.db.call('catalog.deploy_project', { folder_name: 'Finance', project_name: e2e.manifest.name, project_stream: e2e.bytes, manifest: e2e.manifestText });
      await page.goto(`${url}/projects`);
      await page.click('a:text-is("e2e")');
      await page.waitForURL(/\/projects\/\d+$/);
      const sleepForm = page.locator('form', { has: page.locator('button', { hasText: 'Run sleep' }) });
      await sleepForm.locator('input[name="p30:Seconds"]').fill('60');
      await sleepForm.locator('input[name="timeout"]').fill('120');
      await sleepForm.locator('button').click();
      await waitFor('the sleep package running', async () => (await page.textContent('#status'))?.includes('running'), 60_000);
      await page.click('button:has-text("Stop execution")');
      expect(await page.textContent('[role=status]')).to.contain('stop requested');
      await waitFor('canceled on the page', async () => (await page.textContent('#status'))?.includes('canceled'), 30_000);
      const stoppedUrl = page.url().replace(/\?.*$/, '');
      const executionUrl = stoppedUrl.replace(/\/\d+$/, `/${firstRun}`);
      // The master read the worker certificate's end of validity at its heartbeat.
      await page.goto(`${url}/workers`);
      await waitFor('the certificate expiry on the workers page', async () => /certificate expires in \d+ days/.test((await page.locator(`tr[data-worker="${worker.id}"]`).textContent()) ?? ''), 15_000);
      await page.goto(executionUrl);
      expect(await page.textContent('figcaption')).to.contain('Duration in seconds of the last 4 ended runs of clean_customers') // the first run, the one against Prod and the two started together;
      const attempt = await page.locator('tbody[data-live$="/attempts"] tr').first().textContent();
      expect(attempt).to.contain('manager-run').and.contain('succeeded');
      // The execution list filters by the worker that ran it, and by day.
      const today = new Date().toISOString().slice(0, 10);
      await page.goto(`${url}/executions?worker=${worker.id}&from=${today}&to=${today}`);
      expect(await page.locator('tbody tr[data-execution]').count(), 'the four runs and the stopped one').to.equal(5);
      await page.goto(`${url}/executions?worker=${randomUUID()}`);
      expect(await page.locator('tbody tr[data-execution]').count()).to.equal(0);
    } finally {
      await worker.kill9();
      await master.kill9();
      rmSync(output, { recursive: true, force: true });
    }
  });

  it('sets catalog properties and the master address; a bad value is refused with its number', async () => {
    await page.goto(`${url}/`);
    await page.click('nav >> text=Catalog');
    await page.selectOption('#property', 'RETENTION_WINDOW');
    await page.fill('#value', 'soon');
    await page.click('text=Configure (catalog.configure_catalog)');
    expect(await page.textContent('[role=alert]')).to.match(/^error 51001: The value 'soon' for @?property_value/);
    await page.selectOption('#property', 'RETENTION_WINDOW');
    await page.fill('#value', '30');
    await page.click('text=Configure (catalog.configure_catalog)');
    expect(await page.textContent('[role=status]')).to.contain('Catalog property set');
    expect(await page.locator('tr', { hasText: 'RETENTION_WINDOW' }).first().textContent()).to.contain('30');
    await page.fill('#address', 'https://master9.example.com:8391');
    await page.click('text=Update (catalog.update_master_address)');
    expect(await page.textContent('body')).to.contain('https://master9.example.com:8391');
  });

  it('edits a worker\'s properties and deletes it', async () => {
    const id = randomUUID();
    const cert = certs.worker('to-edit');
    await catalog.db.call('catalog.add_worker_agent', { WorkerAgentId: id, CertificateThumbprint: cert.thumbprint, DisplayName: 'to-edit', IsEnabled: 0 });
    await page.goto(`${url}/workers`);
    await page.click('a[aria-label="Edit to-edit"]');
    await page.fill('#DisplayName', 'edited');
    await page.fill('#Tags', 'linux,gpu');
    await page.fill('#MaxTaskCount', '0');
    await page.click('text=Save');
    expect(await page.textContent('[role=alert]')).to.match(/^error 51001: /);
    await page.fill('#MaxTaskCount', '4');
    await page.click('text=Save');
    const row = await page.locator(`tr[data-worker="${id}"]`).textContent();
    expect(row).to.contain('edited').and.contain('linux,gpu').and.contain('0 / 4');
    await page.click('a[aria-label="Edit edited"]');
    await page.click('text=Delete this worker');
    expect(await page.textContent('[role=status]')).to.contain('deleted');
    expect(await page.locator(`tr[data-worker="${id}"]`).count()).to.equal(0);
  });

  it('follows the catalog without a reload, and shows a refused action\'s numbered error', async () => {
    // The worker the browser added (and left enabled) above.
    const id = String((await catalog.db.query("SELECT worker_agent_id AS id FROM internal.worker_agents WHERE display_name = 'browser-worker'"))[0]!.id).toLowerCase();
    await page.goto(`${url}/workers`);
    await catalog.db.call('catalog.set_worker_agent_property', { WorkerAgentId: id, PropertyName: 'DisplayName', PropertyValue: 'renamed-in-sql' });
    await waitFor('the table to show the new name', async () => (await page.locator(`tr[data-worker="${id}"]`).textContent())?.includes('renamed-in-sql'), 15_000);
    // Deleted by someone else while the page shows it: the action is refused with the catalog's number.
    await catalog.db.call('catalog.delete_worker_agent', { WorkerAgentId: id });
    await page.evaluate(() => {
      // Stop the live refresh from removing the stale row before the click.
      for (const el of document.querySelectorAll('[data-live]')) el.removeAttribute('data-live');
    });
    await page.click('button[aria-label="Disable renamed-in-sql"]');
    expect(await page.textContent('[role=alert]')).to.match(/^error 51101: /);
  });
});

describe('scaleout manager, who may reach it', function () {
  this.timeout(60_000);
  const BIN = join(PROJECT_ROOT, 'bin', 'scaleout.js');

  it('refuses to listen beyond loopback without credentials (52001), binding nothing', async () => {
    const r = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(process.execPath, [BIN, '--catalog', 'postgres://nobody@127.0.0.1:1/none', 'manager', '--listen', '0.0.0.0:0'], (error, _stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stderr: String(stderr) }),
      ),
    );
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/^error 52001: The manager listens beyond loopback \(0\.0\.0\.0\) only with credentials/m);
    expect(r.stderr).to.match(/^hint: give --credentials-file/m);
  });

  it('with credentials, asks every request for them (401), and answers the one that gives them', async function () {
    if (!process.env.SCALEOUT_TEST_PG_URL) this.skip();
    const dir = mkdtempSync(join(tmpdir(), 'scaleout-manager-'));
    const file = join(dir, 'manager.credentials');
    writeFileSync(file, 'admin:s3cret-pass\n', { mode: 0o600 });
    // The manager answers before any catalog query on /assets: no migrated catalog is needed.
    const child = spawn(process.execPath, [BIN, '--catalog', process.env.SCALEOUT_TEST_PG_URL, 'manager', '--listen', '127.0.0.1:0', '--credentials-file', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      const url = await waitFor('the manager to listen', () => /Scale Out Manager on (http:\/\/\S+)/.exec(out)?.[1], 30_000);
      expect((await fetch(`${url}assets/manager.css`)).status).to.equal(401);
      expect((await fetch(`${url}assets/manager.css`, { headers: { authorization: `Basic ${Buffer.from('admin:wrong').toString('base64')}` } })).status).to.equal(401);
      const ok = await fetch(`${url}assets/manager.css`, { headers: { authorization: `Basic ${Buffer.from('admin:s3cret-pass').toString('base64')}` } });
      expect(ok.status).to.equal(200);
    } finally {
      child.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
