/**
 * `cellctl completion bash|zsh|fish` prints a completion script generated from the program. The
 * bash one is parsed by bash and run: sourced, COMP_WORDS/COMP_CWORD set as bash sets them on
 * <TAB>, the completion function called, COMPREPLY read back. zsh and fish check the syntax of
 * theirs when installed (skipped with one visible line otherwise).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CliContext } from '../../src/cli/cli-context';
import { buildProgram } from '../../src/cli/program';
import { runCli } from '../support/cli-runner';
import { itWhenInstalled } from '../support/installed-tools';
import { runDir } from '../support/test-environment';

const env = { CELLCTL_HOME: '/nonexistent-cellctl-home' };

function program(): Command {
  return buildProgram(new CliContext({ stdout: process.stdout, stderr: process.stderr, env: {}, cwd: '/', homeDir: '/' }));
}

async function script(shell: string): Promise<string> {
  const result = await runCli(['completion', shell], { env });
  expect([result.code, result.stderr]).toEqual([0, '']);
  const file = join(mkdtempSync(join(runDir(), 'completion-')), `cellctl.${shell}`);
  writeFileSync(file, result.stdout);
  return file;
}

describe('cellctl completion', () => {
  let bashScript: string;

  /** What bash offers for the command line `words` with the cursor in the last word (COMPREPLY, sorted). */
  function complete(...words: string[]): string[] {
    const run = spawnSync('bash', ['-c', 'source "$0" || exit 9; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _cellctl; printf "%s\\n" "${COMPREPLY[@]}"', bashScript, ...words], {
      encoding: 'utf8',
      cwd: join(bashScript, '..'),
    });
    expect([run.status, run.stderr]).toEqual([0, '']);
    return run.stdout.split('\n').filter(Boolean).sort();
  }

  beforeAll(async () => {
    bashScript = await script('bash');
  });

  it('prints a bash script that bash parses and registers for cellctl', () => {
    expect(spawnSync('bash', ['-n', bashScript]).status).toBe(0);
    const registered = spawnSync('bash', ['-c', 'source "$0" && complete -p cellctl', bashScript], { encoding: 'utf8' });
    expect(registered.stdout.trim()).toBe('complete -F _cellctl cellctl');
  });

  it('completes commands, subcommands, options and their values', () => {
    expect(complete('cellctl', 'ce')).toEqual(['cell', 'cell0']);
    expect(complete('cellctl', 'cell', '')).toEqual(['create', 'delete', 'ensure', 'help', 'list', 'show', 'update']);
    expect(complete('cellctl', 'cell', 'create', '--d')).toEqual(['--database-connection', '--db', '--debug', '--disabled', '--dry-run']);
    expect(complete('cellctl', 'map-instances', '--max')).toEqual(['--max-count', '--max-width']);
    // Option values: choices, and nothing after an option that takes any value.
    expect(complete('cellctl', '-f', '')).toEqual(['csv', 'json', 'table', 'value', 'yaml']);
    expect(complete('cellctl', 'cell', 'list', '--format', '=', 'y')).toEqual(['yaml']);
    expect(complete('cellctl', 'cell', 'create', '--name', '')).toEqual([]);
    expect(complete('cellctl', 'completion', '')).toEqual(['bash', 'fish', 'zsh']);
  });

  it('skips option values and global options on the way to the command', () => {
    expect(complete('cellctl', '--config-file', 'list', 'cell', 'l')).toEqual(['list']);
    expect(complete('cellctl', '-f', 'json', '--api-db=sqlite:///x', 'host', '')).toEqual(['delete', 'discover', 'help', 'list']);
    expect(complete('cellctl', 'cell', 'create', '--name', 'list', '--tr')).toEqual(['--transport-url']);
  });

  it('completes command names after help, at the top and in a group', () => {
    expect(complete('cellctl', 'help', 'cell', 'l')).toEqual(['list']);
    expect(complete('cellctl', 'cell', 'help', 'u')).toEqual(['update']);
    expect(complete('cellctl', 'help', 'cell0', '')).toEqual(['delete', 'help', 'list', 'purge', 'setup', 'show']);
    expect(complete('cellctl', 'instance', 'st')).toEqual(['stuck']);
  });

  it('completes files after --config-file and directories after --config-dir', () => {
    const dir = join(bashScript, '..');
    writeFileSync(join(dir, 'nova.conf'), '');
    expect(complete('cellctl', '--config-file', 'nova')).toEqual(['nova.conf']);
    expect(complete('cellctl', '--config-dir', 'nova')).toEqual([]);
  });

  it("offers every group's subcommands as the program has them", () => {
    const groups = program().commands.filter((c) => c.commands.length > 0);
    expect(groups.length).toBeGreaterThan(4);
    for (const group of groups) expect(complete('cellctl', group.name(), '')).toEqual(group.commands.map((c) => c.name()).sort());
  });

  it('refuses a shell it does not know: one line, 127', async () => {
    const result = await runCli(['completion', 'tcsh'], { env });
    expect(result.code).toBe(127);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^cellctl: error: command-argument value 'tcsh' is invalid for argument 'shell'\. Allowed choices are bash, zsh, fish\.\n$/);
  });

  itWhenInstalled('zsh', 'prints a zsh script that zsh parses and that completes commands and options', async () => {
    const file = await script('zsh');
    const parse = spawnSync('zsh', ['-n', file], { encoding: 'utf8' });
    expect([parse.status, parse.stderr]).toEqual([0, '']);
    // zsh's completion widgets only run inside the line editor: stand-ins print what the script hands them.
    const stubs = [
      'compdef() { }',
      '_describe() { local n=${@[-1]}; print -r -- "${(j: :)${(@)${(P)n}%%:*}}"; }',
      'compadd() { shift; print -r -- "$*"; }',
      '_files() { print -r -- "files $*"; }',
      'compset() { }',
    ].join('\n');
    const complete = (line: string): string => {
      const run = spawnSync('zsh', ['-c', `${stubs}\nsource "$0"\nwords=(\${=1}); [[ $1 == *' ' ]] && words+=(''); CURRENT=\${#words}; _cellctl`, file, line], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      return run.stdout.trim();
    };
    expect(complete('cellctl cell ')).toBe('create ensure list show update delete help');
    expect(complete('cellctl help cell l')).toBe('create ensure list show update delete help');
    expect(complete('cellctl --config-file a.conf host ')).toBe('discover list delete help');
    expect(complete('cellctl -f ')).toBe('table json yaml value csv');
    expect(complete('cellctl --config-dir ')).toBe('files -/');
    expect(complete('cellctl cell create --').split(' ')).toEqual(expect.arrayContaining(['--name', '--dry-run', '--config-file', '--format']));
  });

  itWhenInstalled('fish', 'prints a fish script that fish parses and that completes commands and options', async () => {
    const file = await script('fish');
    const parse = spawnSync('fish', ['--no-execute', file], { encoding: 'utf8' });
    expect([parse.status, parse.stderr]).toEqual([0, '']);
    const complete = (line: string): string[] => {
      const run = spawnSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', file, line], { encoding: 'utf8' });
      expect(run.stderr).toBe('');
      return run.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]).sort();
    };
    expect(complete('cellctl ce')).toEqual(['cell', 'cell0']);
    expect(complete('cellctl cell ')).toEqual(['create', 'delete', 'ensure', 'help', 'list', 'show', 'update']);
    expect(complete('cellctl cell create --d')).toEqual(['--database-connection', '--db', '--debug', '--disabled', '--dry-run']);
    expect(complete('cellctl help cell l')).toEqual(['list']);
    expect(complete('cellctl --config-file a.conf host ')).toEqual(['delete', 'discover', 'help', 'list']);
    expect(complete('cellctl -f ')).toEqual(['csv', 'json', 'table', 'value', 'yaml']);
  });
});
