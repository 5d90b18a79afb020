/**
 * The manager's pages, rendered on the server: plain HTML that works without JavaScript, with
 * live regions (data-live) that a small script refreshes. Every action is a form that POSTs to a
 * route calling one catalog procedure.
 */

import { Html, html } from './html.ts';
import type { Row } from '../db/types.ts';

export interface PageChrome {
  readonly title: string;
  readonly current: 'overview' | 'workers' | 'executions' | 'projects' | 'catalog';
  readonly catalog: string;
  readonly error?: { number: number; message: string };
  readonly notice?: string;
}

export function layout(chrome: PageChrome, body: Html): Html {
  const link = (href: string, name: PageChrome['current'], label: string) =>
    html`<a href="${href}"${chrome.current === name ? new Html(' aria-current="page"') : ''}>${label}</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${chrome.title} — Scale Out Manager</title>
<link rel="stylesheet" href="/assets/manager.css">
<script src="/assets/manager.js" defer></script>
</head>
<body>
<header><strong>Scale Out Manager</strong>
<nav aria-label="Pages">${link('/', 'overview', 'Overview')}${link('/workers', 'workers', 'Workers')}${link('/executions', 'executions', 'Executions')}${link('/projects', 'projects', 'Projects')}${link('/catalog', 'catalog', 'Catalog')}</nav>
<span class="muted">${chrome.catalog}</span></header>
<main>
<h1>${chrome.title}</h1>
${chrome.error ? html`<p class="error" role="alert">error ${chrome.error.number}: ${chrome.error.message}</p>` : ''}
${chrome.notice ? html`<p class="notice" role="status">${chrome.notice}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

export interface OverviewData {
  readonly oldestPending?: Row;
  readonly endedLastMinute: number;
  /** Executions pending (5), running (2) and stopping (8) now, by status code. */
  readonly queueNow: Map<string, number>;
  readonly masters: Row[];
  readonly workers: Row[];
  readonly executionsByStatus: Map<string, number>;
  readonly statusNames: Readonly<Record<number, string>>;
}

export function overviewCards(d: OverviewData): Html {
  const online = d.masters.filter((m) => m.State === 'online');
  const enabled = d.workers.filter((w) => w.IsEnabled === true || w.IsEnabled === 1);
  const workersOnline = enabled.filter((w) => w.State === 'online');
  return html`<div class="cards">
<div class="card"><b>${online.length}</b>masters online</div>
<div class="card"><b>${workersOnline.length} / ${enabled.length}</b>enabled workers online</div>
<div class="card"><b>${d.queueNow.get('5') ?? 0} / ${d.queueNow.get('2') ?? 0} / ${d.queueNow.get('8') ?? 0}</b>waiting / running / stopping now</div>
<div class="card"><b>${(d.endedLastMinute / 60).toFixed(2)}</b>executions ended per second (last minute)</div>
<div class="card"><b>${d.oldestPending ? waited(d.oldestPending.created_time) : '—'}</b>oldest waiting execution${d.oldestPending ? html` (<a href="/executions/${d.oldestPending.execution_id}">${d.oldestPending.execution_id}</a>)` : ''}</div>
</div>
${barChart('Executions by status, last 24 hours', Object.entries(d.statusNames).map(([code, name]) => ({ label: name, value: d.executionsByStatus.get(code) ?? 0 })))}
<h2>Masters</h2>
<div class="table"><table>
<thead><tr><th scope="col">Machine</th><th scope="col">Address</th><th scope="col">State</th><th scope="col">Sweeps held</th><th scope="col">Last heartbeat</th></tr></thead>
<tbody>${d.masters.map((m) => html`<tr><td>${m.MachineName}</td><td>${m.Address}</td><td>${m.State}</td><td>${m.HeldSweeps ?? ''}</td><td>${time(m.LastHeartbeatTime)}</td></tr>`)}</tbody>
</table></div>`;
}

export function workerRows(workers: Row[], counters: Row[], token: string): Html {
  if (workers.length === 0) return html`<tr><td colspan="8" class="muted">No worker agent yet: add one with its certificate.</td></tr>`;
  const counter = (id: unknown, name: string) =>
    counters.find((c) => String(c.WorkerAgentId).toLowerCase() === String(id).toLowerCase() && c.PerfCounterName === name)?.PerfCounterValue;
  return html`${workers.map((w) => {
    const enabled = w.IsEnabled === true || w.IsEnabled === 1;
    const id = String(w.WorkerAgentId).toLowerCase();
    const name = String(w.DisplayName ?? w.MachineName ?? id);
    return html`<tr data-worker="${id}">
<th scope="row">${name}<br><code class="muted">${id}</code></th>
<td>${w.State}<br><span class="muted">${time(w.LastOnlineTime)}</span></td>
<td>${enabled ? 'enabled' : 'disabled'}</td>
<td>${w.RunningTaskCount} / ${w.MaxTaskCount}</td>
<td>${counter(id, 'CpuPercent') ?? ''}${counter(id, 'CpuPercent') === undefined ? '' : ' %'}<br><span class="muted">${counter(id, 'AvailableMemoryMB') ?? ''}${counter(id, 'AvailableMemoryMB') === undefined ? '' : ' MB free'}</span></td>
<td>${w.Tags ?? ''}</td>
<td><code>${w.CertificateThumbprint ?? ''}</code>${certificateLeft(counter(id, 'CertificateDaysLeft'))}</td>
<td><form class="inline" method="post" action="/workers/${id}/${enabled ? 'disable' : 'enable'}">
<input type="hidden" name="_token" value="${token}">
<button type="submit" aria-label="${enabled ? 'Disable' : 'Enable'} ${name}">${enabled ? 'Disable' : 'Enable'}</button></form>
<a href="/workers/${id}/edit" aria-label="Edit ${name}">Edit</a></td>
</tr>`;
  })}`;
}

export function workersPage(rows: Html): Html {
  return html`<p><a href="/workers/add">Add a worker from its certificate</a></p>
<div class="table"><table>
<thead><tr><th scope="col">Worker</th><th scope="col">State, last seen</th><th scope="col">Enabled</th><th scope="col">Tasks</th><th scope="col">CPU, memory</th><th scope="col">Tags</th><th scope="col">Certificate</th><th scope="col">Action</th></tr></thead>
<tbody data-live="/workers/rows">${rows}</tbody>
</table></div>`;
}

export function addWorkerForm(token: string, values: { id?: string; name?: string; certificate?: string; thumbprint?: string } = {}): Html {
  return html`<form method="post" action="/workers/add">
<input type="hidden" name="_token" value="${token}">
<label for="certificate">The worker's certificate (PEM): paste it, or choose its file</label>
<input type="file" id="certificate-file" accept=".crt,.pem,.cer" data-fills="certificate" aria-label="Certificate file">
<textarea id="certificate" name="certificate" required>${values.certificate ?? ''}</textarea>
<label for="id">Worker agent id (its AgentId)</label>
<input type="text" id="id" name="id" value="${values.id ?? ''}" required>
<label for="name">Display name</label>
<input type="text" id="name" name="name" value="${values.name ?? ''}">
${values.thumbprint
    ? html`<p>Thumbprint: <code id="thumbprint">${values.thumbprint}</code> — trust this certificate?</p>
<input type="hidden" name="thumbprint" value="${values.thumbprint}">
<p><button type="submit" name="confirm" value="yes">Trust and enable</button></p>`
    : html`<p><button type="submit">Show its thumbprint</button></p>`}
</form>`;
}

/** The days a worker's certificate had left at its last heartbeat (the master read them off it). */
function certificateLeft(days: unknown): Html {
  if (days === undefined || days === null) return html``;
  const d = Number(days);
  return html`<br><span class="${d < 30 ? 'error-text' : 'muted'}">certificate expires in ${Math.floor(d)} days</span>`;
}

function waited(created: unknown): string {
  const ms = Date.now() - new Date(String(created instanceof Date ? created.toISOString() : created)).getTime();
  if (!Number.isFinite(ms)) return '?';
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : s < 7200 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`;
}

function time(value: unknown): string {
  if (value === null || value === undefined) return 'never';
  const d = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(d.getTime()) ? String(value) : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export interface ExecutionFilters {
  readonly folder?: string;
  readonly project?: string;
  readonly package?: string;
  readonly status?: number;
  readonly worker?: string;
  /** created on or after this day (YYYY-MM-DD, UTC) */
  readonly from?: string;
  /** created before the end of this day */
  readonly to?: string;
  readonly page: number;
}

/** The query string of a filtered, paged list (empty filters left out). */
export function filterQuery(f: ExecutionFilters, page = f.page): string {
  const q = new URLSearchParams();
  if (f.folder) q.set('folder', f.folder);
  if (f.project) q.set('project', f.project);
  if (f.package) q.set('package', f.package);
  if (f.status !== undefined) q.set('status', String(f.status));
  if (f.worker) q.set('worker', f.worker);
  if (f.from) q.set('from', f.from);
  if (f.to) q.set('to', f.to);
  if (page > 0) q.set('page', String(page));
  const text = q.toString();
  return text ? `?${text}` : '';
}

export function executionRows(rows: Row[], statusNames: Readonly<Record<number, string>>): Html {
  if (rows.length === 0) return html`<tr><td colspan="7" class="muted">No execution matches.</td></tr>`;
  return html`${rows.map((r) => html`<tr data-execution="${r.execution_id}">
<th scope="row"><a href="/executions/${r.execution_id}">${r.execution_id}</a></th>
<td>${r.folder_name} / ${r.project_name}</td><td>${r.package_name}</td>
<td>${statusNames[Number(r.status)] ?? r.status}</td><td>${r.executed_count ?? 0}</td>
<td>${r.machine_name ?? ''}</td><td>${time(r.start_time)}</td></tr>`)}`;
}

export function executionsPage(f: ExecutionFilters, rows: Html, more: boolean, statusNames: Readonly<Record<number, string>>): Html {
  return html`<form method="get" action="/executions" class="filters">
<label for="folder">Folder</label><input type="text" id="folder" name="folder" value="${f.folder ?? ''}">
<label for="project">Project</label><input type="text" id="project" name="project" value="${f.project ?? ''}">
<label for="package">Package</label><input type="text" id="package" name="package" value="${f.package ?? ''}">
<label for="worker">Worker id</label><input type="text" id="worker" name="worker" value="${f.worker ?? ''}">
<label for="from">Created from</label><input type="date" id="from" name="from" value="${f.from ?? ''}">
<label for="to">to</label><input type="date" id="to" name="to" value="${f.to ?? ''}">
<label for="status">Status</label><select id="status" name="status"><option value="">any</option>${Object.entries(statusNames).map(([code, name]) => html`<option value="${code}"${String(f.status) === code ? new Html(' selected') : ''}>${name}</option>`)}</select>
<p><button type="submit">Filter</button></p></form>
<div class="table"><table>
<thead><tr><th scope="col">Execution</th><th scope="col">Folder / project</th><th scope="col">Package</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Machine</th><th scope="col">Started</th></tr></thead>
<tbody data-live="/executions/rows${filterQuery(f)}">${rows}</tbody>
</table></div>
<p>${f.page > 0 ? html`<a href="/executions${filterQuery(f, f.page - 1)}" rel="prev">Newer</a> ` : ''}${more ? html`<a href="/executions${filterQuery(f, f.page + 1)}" rel="next">Older</a>` : ''}</p>`;
}

export function messageRows(messages: Row[], messageTypes: Readonly<Record<number, string>>): Html {
  if (messages.length === 0) return html`<tr><td colspan="3" class="muted">No message yet.</td></tr>`;
  return html`${messages.map((m) => html`<tr><td>${time(m.message_time)}</td><td>${messageTypes[Number(m.message_type)] ?? m.message_type}</td><td><code>${m.message}</code></td></tr>`)}`;
}

/** An execution's status, package, attempts, worker and times: refreshed live on its page. */
export function executionSummary(e: Row, statusNames: Readonly<Record<number, string>>): Html {
  return html`<dl class="cards">
<div class="card"><dt>Status</dt><dd id="status"><b>${statusNames[Number(e.status)] ?? e.status}</b></dd></div>
<div class="card"><dt>Package</dt><dd>${e.folder_name} / ${e.project_name} / ${e.package_name}</dd></div>
${e.environment_name ? html`<div class="card"><dt>Environment</dt><dd>${e.environment_folder_name} / ${e.environment_name}</dd></div>` : ''}
<div class="card"><dt>Attempts</dt><dd>${e.executed_count ?? 0} of ${e.max_executed_count ?? '?'}</dd></div>
<div class="card"><dt>Worker</dt><dd>${e.machine_name ?? ''} <code class="muted">${e.worker_agent_id ?? ''}</code></dd></div>
<div class="card"><dt>Started, ended</dt><dd>${time(e.start_time)}<br>${e.end_time ? time(e.end_time) : ''}</dd></div>
</dl>`;
}

export function attemptRows(attempts: Row[]): Html {
  if (attempts.length === 0) return html`<tr><td colspan="5" class="muted">No worker has claimed it yet.</td></tr>`;
  return html`${attempts.map((a) => html`<tr><th scope="row">${a.attempt}</th><td>${a.worker_display_name ?? ''} <code class="muted">${String(a.worker_agent_id ?? '').toLowerCase()}</code></td><td>${time(a.claimed_time)}</td><td>${a.ended_time ? time(a.ended_time) : a.lease_expires_at ? html`running; lease until ${time(a.lease_expires_at)}` : ''}</td><td>${a.outcome ?? ''}</td></tr>`)}`;
}

export function executionPage(e: Row, parameters: Row[], messages: Html, token: string, statusNames: Readonly<Record<number, string>>, ended: boolean, type: number | undefined, messageTypes: Readonly<Record<number, string>>, history: Row[] = [], attempts: Html = html``): Html {
  const id = String(e.execution_id);
  const durations = [...history].reverse().flatMap((h) => {
    const ms = new Date(String(h.end_time instanceof Date ? h.end_time.toISOString() : h.end_time)).getTime() - new Date(String(h.start_time instanceof Date ? h.start_time.toISOString() : h.start_time)).getTime();
    return Number.isFinite(ms) && ms >= 0 ? [{ label: String(h.execution_id), value: Math.round(ms / 100) / 10, note: statusNames[Number(h.status)] ?? '' }] : [];
  });
  return html`<div data-live="/executions/${id}/summary">${executionSummary(e, statusNames)}</div>
${barChart(`Duration in seconds of the last ${durations.length} ended runs of ${String(e.package_name)}`, durations, ' s')}
${ended ? '' : html`<form method="post" action="/executions/${id}/stop"><input type="hidden" name="_token" value="${token}"><button type="submit">Stop execution ${id}</button></form>`}
<h2>Attempts</h2>
<div class="table"><table><thead><tr><th scope="col">Attempt</th><th scope="col">Worker</th><th scope="col">Claimed</th><th scope="col">Ended, or lease</th><th scope="col">Outcome</th></tr></thead>
<tbody data-live="/executions/${id}/attempts">${attempts}</tbody></table></div>
<h2>Parameter values</h2>
<div class="table"><table><thead><tr><th scope="col">Object</th><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Value</th></tr></thead>
<tbody>${parameters.map((p) => html`<tr><td>${({ 20: 'project', 30: 'package', 50: 'system' } as Record<number, string>)[Number(p.object_type)] ?? p.object_type}</td><td>${p.parameter_name}</td><td>${p.parameter_data_type}</td><td>${p.sensitive === true || p.sensitive === 1 ? html`<span class="muted">(sensitive)</span>` : p.parameter_value ?? ''}</td></tr>`)}</tbody></table></div>
<h2>Messages</h2>
<form method="get" action="/executions/${id}"><label for="type">Type</label><select id="type" name="type"><option value="">all</option>${Object.entries(messageTypes).map(([code, name]) => html`<option value="${code}"${String(type) === code ? new Html(' selected') : ''}>${name}</option>`)}</select> <button type="submit">Show</button></form>
<div class="table"><table><thead><tr><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Message</th></tr></thead>
<tbody data-live="/executions/${id}/messages${type === undefined ? '' : `?type=${type}`}">${messages}</tbody></table></div>`;
}

export function projectsPage(folders: Row[], projects: Row[]): Html {
  if (folders.length === 0) return html`<p class="muted">No folder yet: create one with <code>scaleout folder create NAME</code> or <code>catalog.create_folder</code>, then deploy a project into it.</p>`;
  return html`${folders.map((f) => {
    const mine = projects.filter((p) => String(p.folder_id) === String(f.folder_id));
    return html`<h2>${f.name}</h2>
${mine.length === 0 ? html`<p class="muted">No project deployed in this folder.</p>` : html`<div class="table"><table>
<thead><tr><th scope="col">Project</th><th scope="col">Version (LSN)</th><th scope="col">Deployed</th><th scope="col">By</th></tr></thead>
<tbody>${mine.map((p) => html`<tr><th scope="row"><a href="/projects/${p.project_id}">${p.name}</a></th><td>${p.object_version_lsn}</td><td>${time(p.last_deployed_time)}</td><td>${p.deployed_by_name ?? ''}</td></tr>`)}</tbody>
</table></div>`}`;
  })}`;
}

/** One form per entry-point package: its project's and its own parameters, prefilled with their defaults. */
export function projectPage(project: Row, folder: string, packages: Row[], parameters: Row[], token: string, versions: Row[] = [], references: Row[] = []): Html {
  const environmentOf = (r: Row) => `${String(r.environment_folder_name ?? folder)} / ${String(r.environment_name)}`;
  const field = (p: Row) => {
    const id = `p${p.object_type}-${String(p.object_name)}-${String(p.parameter_name)}`.replace(/[^A-Za-z0-9_-]/g, '_');
    const sensitive = p.sensitive === true || p.sensitive === 1;
    const variable = p.value_type === 'R' ? `, from environment variable ${String(p.referenced_variable_name)} when an environment is chosen; a changed value wins` : '';
    return html`<label for="${id}">${p.parameter_name} <span class="muted">(${p.data_type}${sensitive ? ', sensitive: empty keeps its default' : ''}${variable})</span></label>
<input type="${sensitive ? 'password' : 'text'}" id="${id}" name="p${p.object_type}:${p.parameter_name}" value="${sensitive ? '' : p.default_value ?? ''}" autocomplete="off">`;
  };
  const projectParameters = parameters.filter((p) => Number(p.object_type) === 20);
  return html`<p>Folder ${folder}; version ${project.object_version_lsn}, deployed ${time(project.last_deployed_time)}.</p>
${versions.length > 0 ? html`<details><summary>${versions.length} deployed version(s)</summary><div class="table"><table><thead><tr><th scope="col">Version (LSN)</th><th scope="col">Deployed</th><th scope="col">By</th><th scope="col">Content hash</th></tr></thead>
<tbody>${versions.map((v) => html`<tr><th scope="row">${v.object_version_lsn}${String(v.object_version_lsn) === String(project.object_version_lsn) ? ' (current)' : ''}</th><td>${time(v.created_time)}</td><td>${v.created_by ?? ''}</td><td><code>${String(v.content_hash ?? '').slice(0, 16)}</code></td></tr>`)}</tbody></table></div></details>` : ''}
${references.length > 0 ? html`<h2>Environments</h2><p>Runs may take parameter values from ${references.map((r, i) => html`${i > 0 ? ', ' : ''}<b>${environmentOf(r)}</b> <span class="muted">(${r.reference_type === 'A' ? 'absolute' : 'relative'}, reference ${r.reference_id})</span>`)}.</p>` : ''}
${packages.map((k) => {
    const entry = k.entry_point === true || k.entry_point === 1;
    const own = parameters.filter((p) => Number(p.object_type) === 30 && p.object_name === k.name);
    return html`<section aria-labelledby="pkg-${k.package_id}"><h2 id="pkg-${k.package_id}">${k.name} <span class="muted">${k.kind ?? ''}</span></h2>
${k.description ? html`<p>${k.description}</p>` : ''}
${entry ? html`<form method="post" action="/projects/${project.project_id}/run">
<input type="hidden" name="_token" value="${token}"><input type="hidden" name="package" value="${k.name}">
${references.length > 0 ? html`<label for="reference-${k.package_id}">Environment</label><select id="reference-${k.package_id}" name="reference"><option value="">none</option>${references.map((r) => html`<option value="${r.reference_id}">${environmentOf(r)}</option>`)}</select>` : ''}
${[...projectParameters, ...own].map(field)}
<label for="worker-${k.package_id}">Only this worker (id; empty: any worker)</label><input type="text" id="worker-${k.package_id}" name="worker">
<label for="tags-${k.package_id}">Required tags (comma-separated)</label><input type="text" id="tags-${k.package_id}" name="tags">
<label for="retry-${k.package_id}">Attempts after a failure</label><input type="text" id="retry-${k.package_id}" name="retry" value="0" inputmode="numeric">
<label for="timeout-${k.package_id}">Timeout in seconds (empty: the package's own${k.timeout_seconds ? `, ${String(k.timeout_seconds)} s` : ''})</label><input type="text" id="timeout-${k.package_id}" name="timeout" inputmode="numeric">
<label for="runs-${k.package_id}">Runs <span class="muted">(more than 1: started together, with the values as deployed or the environment's)</span></label><input type="text" id="runs-${k.package_id}" name="runs" value="1" inputmode="numeric">
<p><button type="submit">Run ${k.name}</button></p></form>` : html`<p class="muted">Not an entry point: other packages run it.</p>`}
</section>`;
  })}`;
}

export function editWorkerPage(w: Row, token: string): Html {
  const id = String(w.WorkerAgentId).toLowerCase();
  return html`<form method="post" action="/workers/${id}/edit">
<input type="hidden" name="_token" value="${token}">
<label for="DisplayName">Display name</label><input type="text" id="DisplayName" name="DisplayName" value="${w.DisplayName ?? ''}">
<label for="Description">Description</label><input type="text" id="Description" name="Description" value="${w.Description ?? ''}">
<label for="Tags">Tags (comma-separated)</label><input type="text" id="Tags" name="Tags" value="${w.Tags ?? ''}">
<label for="MaxTaskCount">Most tasks at once</label><input type="text" id="MaxTaskCount" name="MaxTaskCount" value="${w.MaxTaskCount ?? ''}" inputmode="numeric">
<p><button type="submit">Save</button></p></form>
<h2>Delete</h2>
<form method="post" action="/workers/${id}/delete">
<input type="hidden" name="_token" value="${token}">
<p><label><input type="checkbox" name="force" value="1"> Also when it runs tasks (they end as if their leases expired, and are retried while attempts remain)</label></p>
<p><button type="submit">Delete this worker</button></p></form>`;
}

export const CONFIGURABLE = ['DEFAULT_EXECUTION_MODE', 'MAX_PROJECT_VERSIONS', 'VERSION_CLEANUP_ENABLED', 'OPERATION_CLEANUP_ENABLED', 'RETENTION_WINDOW', 'SERVER_LOGGING_LEVEL'] as const;

export function catalogPage(catalogProperties: Row[], masterProperties: Row[], token: string): Html {
  const table = (rows: Row[]) => html`<div class="table"><table><thead><tr><th scope="col">Property</th><th scope="col">Value</th></tr></thead>
<tbody>${rows.map((r) => html`<tr><th scope="row">${r.property_name}</th><td>${r.property_value ?? ''}</td></tr>`)}</tbody></table></div>`;
  return html`<h2>Catalog properties</h2>${table(catalogProperties)}
<form method="post" action="/catalog/configure"><input type="hidden" name="_token" value="${token}">
<label for="property">Property</label><select id="property" name="property">${CONFIGURABLE.map((p) => html`<option>${p}</option>`)}</select>
<label for="value">Value</label><input type="text" id="value" name="value" required>
<p><button type="submit">Configure (catalog.configure_catalog)</button></p></form>
<h2>Master properties</h2>${table(masterProperties)}
<form method="post" action="/catalog/master-address"><input type="hidden" name="_token" value="${token}">
<label for="address">Master address the workers use</label><input type="text" id="address" name="address" placeholder="https://master1.example.com:8391" required>
<p><button type="submit">Update (catalog.update_master_address)</button></p></form>
<h2>Execution log database</h2>
<form method="post" action="/catalog/logdb"><input type="hidden" name="_token" value="${token}">
<label for="server">Server name</label><input type="text" id="server" name="server" required>
<label for="connection">Connection string (stored encrypted; never shown again)</label><input type="password" id="connection" name="connection" autocomplete="off" required>
<p><button type="submit">Update (catalog.update_logdb_info)</button></p></form>`;
}

/** A bar chart as inline SVG (no script): one bar per value, its label under it, its value as text. */
export function barChart(title: string, bars: ReadonlyArray<{ label: string; value: number; note?: string }>, unit = ''): Html {
  if (bars.length === 0) return html``;
  const width = 640;
  const height = 160;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const step = width / bars.length;
  const bar = Math.max(2, step * 0.7);
  return html`<figure><svg role="img" aria-label="${title}" viewBox="0 0 ${width} ${height + 30}" width="100%" style="max-width:${width}px">
<title>${title}</title>
${bars.map((b, i) => {
    const h = Math.round((b.value / max) * height);
    const x = Math.round(i * step + (step - bar) / 2);
    return html`<g><rect x="${x}" y="${height - h}" width="${Math.round(bar)}" height="${h}" fill="#0b5cad"><title>${b.label}: ${b.value}${unit}${b.note ? ` (${b.note})` : ''}</title></rect>
${bars.length <= 12 ? html`<text x="${x + Math.round(bar / 2)}" y="${height + 14}" font-size="11" text-anchor="middle">${b.label}</text><text x="${x + Math.round(bar / 2)}" y="${Math.max(12, height - h - 3)}" font-size="11" text-anchor="middle">${b.value}</text>` : ''}</g>`;
  })}
</svg><figcaption class="muted">${title}</figcaption></figure>`;
}
