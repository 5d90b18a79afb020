/**
 * systemd units for the master and the worker, as `scaleout service install` writes them: a
 * dedicated user, a restart policy, a file-descriptor limit, the settings file, state and log
 * folders systemd creates for that user, and a stop that lets the service end its own work.
 */

export type ServiceRole = 'master' | 'worker';

export interface UnitOptions {
  readonly role: ServiceRole;
  /** Absolute path of the settings file the service reads (MasterSettings / WorkerSettings keys). */
  readonly settingsFile: string;
  readonly user: string;
  /** Absolute paths: the node binary and the installed bin/scaleout.js. */
  readonly node: string;
  readonly bin: string;
  /** Where to read the installation guide. */
  readonly docs: string;
  /** The worker's --shutdown-grace: how long packages may go on after a stop. */
  readonly shutdownGraceSeconds?: number;
}

const DESCRIPTION: Record<ServiceRole, string> = {
  master: 'Scale Out master (HTTPS for worker agents, dispatch, sweeps)',
  worker: 'Scale Out worker agent (runs packages the master hands it)',
};

/** systemd's quoting for one argument of ExecStart= (double quotes, backslash escapes). */
export function quoteArgument(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$/g, '$$$$').replace(/%/g, '%%')}"`;
}

export function unitText(o: UnitOptions): string {
  const grace = o.shutdownGraceSeconds ?? 30;
  const args = [o.node, o.bin, o.role, '--settings', o.settingsFile, ...(o.role === 'worker' ? ['--shutdown-grace', String(grace)] : [])];
  return `# Written by scaleout service install ${o.role}. Settings: ${o.settingsFile}
[Unit]
Description=${DESCRIPTION[o.role]}
Documentation=file://${o.docs}
Wants=network-online.target
After=network-online.target

[Service]
Type=simple
User=${o.user}
# State (worker id, project cache, task folders; the master's key folder) under /var/lib/scaleout,
# rotated files under /var/log/scaleout when LogFolder names it; both made for ${o.user} by systemd.
StateDirectory=scaleout
LogsDirectory=scaleout
Environment=XDG_STATE_HOME=/var/lib
Environment=NODE_ENV=production
WorkingDirectory=/var/lib/scaleout
ExecStart=${args.map(quoteArgument).join(' ')}
# The log is JSON lines on stdout: journalctl -u scaleout-${o.role} -o cat
SyslogIdentifier=scaleout-${o.role}
Restart=always
RestartSec=5
# SIGTERM to the service alone: it ends its own work (a worker lets packages run --shutdown-grace
# seconds, then stops them); whatever is left when the timeout passes is killed.
KillMode=mixed
TimeoutStopSec=${o.role === 'worker' ? grace + 30 : 30}
LimitNOFILE=65536
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full

[Install]
WantedBy=multi-user.target
`;
}
