/**
 * What a new operator reads first: `scaleout --version`, and every command's --help ending with an
 * example that uses the command itself.
 */

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { PROJECT_ROOT } from '../../src/migrate/scripts.ts';
import { buildProgram } from '../../src/cli/program.ts';
import { commandPath } from '../../src/cli/examples.ts';

const BIN = join(PROJECT_ROOT, 'bin', 'scaleout.js');

function helpOf(command: Command): string {
  let out = '';
  command.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  command.outputHelp();
  return out;
}

function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}

describe('the command line\'s help', () => {
  it('--version prints package.json\'s version', () => {
    const { version } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(execFileSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).trim()).to.equal(version);
    expect(execFileSync(process.execPath, [BIN, '-V'], { encoding: 'utf8' }).trim()).to.equal(version);
  });

  it('every command\'s --help ends with an example of that command', () => {
    const commands = everyCommand(buildProgram());
    expect(commands.length).to.be.at.least(60);
    const missing: string[] = [];
    for (const command of commands) {
      const path = commandPath(command);
      const help = helpOf(command);
      const examples = /\nExamples?:\n((?: {2}.*\n?)+)/.exec(help)?.[1] ?? '';
      // The example runs this very command (a group's example runs one of its commands).
      const uses = examples.split('\n').some((line) => path === '' && /(^|\s)scaleout\s/.test(line)) || examples.split('\n').some((line) => new RegExp(`(^|\\s)scaleout (.*\\s)?${path.replace(/ /g, '(\\s\\S+)*\\s')}(\\s|$)`).test(line));
      if (!uses) missing.push(path || '(scaleout)');
    }
    expect(missing, 'commands whose --help has no example of themselves').to.deep.equal([]);
  });

  it('a command\'s --help, as a process prints it, shows the example', () => {
    const help = execFileSync(process.execPath, [BIN, 'agent', 'add', '--help'], { encoding: 'utf8' });
    expect(help).to.match(/Usage: scaleout agent add \[options\] <workerAgentId>/);
    expect(help).to.match(/Example:\n {2}scaleout agent add [0-9a-f-]{36} --name worker1/);
  });
});
