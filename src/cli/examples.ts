/**
 * One example (or a few) for each command's --help, by command path. Commands whose registration
 * already carries an example (addHelpText) are not repeated here; the help test checks that every
 * command ends up with one.
 */

import type { Command } from 'commander';

const ID = '6f1c1a52-2d8e-4d8c-9d1b-3c1f4b6e7a90';

export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  '': ['npx scaleout demo', `scaleout --catalog 'Server=sql1;Database=SSISDB;User Id=scaleout;Password=…' migrate up`, 'scaleout execution list --status failed'],
  migrate: ['scaleout migrate up', 'scaleout migrate status --json'],
  'migrate up': ["SCALEOUT_CATALOG='Server=sql1,1433;Database=SSISDB;User Id=scaleout;Password=…;Encrypt=true' scaleout migrate up", 'scaleout --catalog postgres://scaleout@db1/ssisdb migrate up --key-folder /etc/scaleout/keys'],
  'migrate status': ['scaleout migrate status', 'scaleout migrate status --json'],
  master: ['scaleout master --cert certs/master.crt --key certs/master.key', 'scaleout master --settings /etc/scaleout/master.json --set LogFolder=/var/log/scaleout'],
  cert: ['scaleout cert master --cn master1.corp --san master1,10.0.0.5 --out certs', 'scaleout cert worker --name worker1 --out certs'],
  'cert master': ['scaleout cert master --cn master1.corp --san master1,master1.corp,10.0.0.5 --out /etc/scaleout/certs'],
  'cert worker': ['scaleout cert worker --name worker1 --cn worker1.corp --out /etc/scaleout/certs'],
  worker: ['scaleout worker --settings /etc/scaleout/WorkerSettings.json', 'scaleout worker --master https://master1:8391 --master-thumbprint <sha256> --cert certs/worker1.crt --key certs/worker1.key'],
  project: ['scaleout project init etl', 'scaleout project deploy etl --folder Finance'],
  'project init': ['scaleout project init etl --name etl'],
  'project pack': ['scaleout project pack etl --out etl.scaleout.zip'],
  'project deploy': ['scaleout project deploy examples/etl --folder Finance'],
  'project list': ['scaleout project list --folder Finance'],
  agent: ['scaleout agent list', `scaleout agent add ${ID} --name worker1 --enable --thumbprint <sha256>`],
  'agent list': ['scaleout agent list', 'scaleout agent list --json'],
  'agent add': [`scaleout agent add ${ID} --name worker1 --tags etl,eu --max-tasks 8 --enable --thumbprint "$(scaleout cert thumbprint certs/worker1.crt)"`],
  'agent enable': [`scaleout agent enable ${ID}`],
  'agent disable': [`scaleout agent disable ${ID}`],
  'agent delete': [`scaleout agent delete ${ID}`],
  'agent set': [`scaleout agent set ${ID} MaxTaskCount 4`, `scaleout agent set ${ID} Tags etl,eu`],
  'agent trust': ['scaleout agent trust "$(scaleout cert thumbprint certs/worker7.crt)" --description "worker7, rack 3"'],
  folder: ['scaleout folder create Finance', 'scaleout folder list'],
  'folder create': ['scaleout folder create Finance'],
  'folder list': ['scaleout folder list --json'],
  execution: ['scaleout execution create --folder Finance --project etl --package load --start --wait', 'scaleout execution logs 42 --follow'],
  'execution param': ['scaleout execution param 42 Region emea', 'scaleout execution param 42 BatchSize 500 --object-type 30', 'scaleout execution param 42 LOGGING_LEVEL 3 --object-type 50'],
  'execution start': ['scaleout execution start 42 --retry 2'],
  'execution stop': ['scaleout execution stop 42'],
  'execution show': ['scaleout execution show 42', 'scaleout execution show 42 --json'],
  'execution list': ['scaleout execution list --folder Finance --status failed --limit 20'],
  'execution logs': ['scaleout execution logs 42', 'scaleout execution logs 42 --follow'],
  'execution wait': ['scaleout execution wait 42 43 --timeout 3600 && echo all succeeded'],
  catalog: ['scaleout catalog properties', 'scaleout catalog configure RETENTION_WINDOW 30'],
  'catalog properties': ['scaleout catalog properties --json'],
  'catalog configure': ['scaleout catalog configure RETENTION_WINDOW 30', 'scaleout catalog configure MAX_PROJECT_VERSIONS 5'],
  'catalog update-master-address': ['scaleout catalog update-master-address https://master1.corp:8391'],
  'catalog update-logdb-info': ["scaleout catalog update-logdb-info sql1 'Server=sql1;Database=SSISDB;User Id=scaleout_logwriter;Password=…'"],
  'catalog key': ['scaleout catalog key show', 'scaleout catalog key rotate --key-folder /etc/scaleout/keys'],
  'catalog key show': ['scaleout catalog key show --key-folder /etc/scaleout/keys'],
  'catalog key rotate': ['scaleout catalog key rotate --key-folder /etc/scaleout/keys'],
  'environment list': ['scaleout environment list --folder Finance'],
  'environment delete': ['scaleout environment delete Finance/Test'],
  'environment var': ['scaleout environment var set Finance/Prod BatchSize 5000 --type Int32', 'scaleout environment var list Finance/Prod'],
  'environment var list': ['scaleout environment var list Finance/Prod --json'],
  'environment var delete': ['scaleout environment var delete Finance/Prod BatchSize'],
  'environment reference': ['scaleout environment reference add Finance/etl Finance/Prod', 'scaleout environment reference list Finance/etl'],
  'environment reference list': ['scaleout environment reference list Finance/etl --json'],
  'environment reference delete': ['scaleout environment reference delete 3'],
  'permission grant': ['scaleout permission grant folder:Finance finance_team READ_OBJECTS EXECUTE_OBJECTS'],
  'permission deny': ['scaleout permission deny project:Finance/audit finance_team READ'],
  'permission revoke': ['scaleout permission revoke folder:Finance finance_team EXECUTE_OBJECTS'],
  'permission list': ['scaleout permission list project:Finance/etl', 'scaleout permission list --principal alice --json'],
  demo: ['npx scaleout demo', 'npx scaleout demo --keep-running'],
  doctor: ['scaleout doctor --worker-settings /etc/scaleout/WorkerSettings.json', 'scaleout doctor --master-cert certs/master.crt --master-key certs/master.key --json'],
  service: ['sudo scaleout service install master --settings /etc/scaleout/master.json', 'sudo scaleout service install worker --settings /etc/scaleout/WorkerSettings.json --now'],
  'service install': [
    'sudo scaleout service install master --settings /etc/scaleout/master.json --now',
    'sudo scaleout service install worker --settings /etc/scaleout/WorkerSettings.json --user scaleout',
    'scaleout service install worker --settings /etc/scaleout/WorkerSettings.json --print',
  ],
  healthcheck: ['scaleout healthcheck', 'scaleout healthcheck https://master1.corp:8391/healthz'],
};

/** The command's path under the program: "execution create", "" for the program itself. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Adds the table's examples to every command they name. */
export function applyExamples(program: Command): void {
  const visit = (command: Command) => {
    const lines = EXAMPLES[commandPath(command)];
    if (lines) command.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  ${l}`).join('\n')}`);
    for (const sub of command.commands) visit(sub);
  };
  visit(program);
}
