/**
 * Help is data asked for: `help [command...]` prints the named command's help on stdout and exits
 * 0, like `<command> --help`. An unknown name, or a group run without its subcommand, is a usage
 * error: one stderr line, 127.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOVA_API_REVISION, NOVA_CELL_REVISION, NOVA_CHECKED_VERSION, NOVA_RELEASE } from '../../src/domain/constants';
import { runCli } from '../support/cli-runner';

const env = { CELLCTL_HOME: '/nonexistent-cellctl-home' };

describe('help', () => {
  it.each([
    [['help'], ['--help']],
    [['help', 'cell'], ['cell', '--help']],
    [['cell', 'help'], ['cell', '--help']],
    [['help', 'cell', 'create'], ['cell', 'create', '--help']],
    [['cell', 'help', 'create'], ['cell', 'create', '--help']],
    [['help', 'db', 'sync'], ['db', 'sync', '--help']],
    [['help', 'cell', 'list'], ['cell', 'list', '--help']],
    [['-q', 'help', 'cell', 'list'], ['cell', 'list', '--help']],
    [['help', 'help'], ['help', '--help']],
  ])('cellctl %j prints what %j prints, on stdout, and exits 0', async (argv, same) => {
    const result = await runCli(argv, { env });
    const expected = await runCli(same, { env });
    expect(result.code).toBe(0);
    expect(expected.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(expected.stdout);
    expect(result.stdout).toMatch(/^Usage: cellctl /);
  });

  it.each([
    [['help', 'nosuch'], "cellctl: error: unknown command 'nosuch'"],
    [['help', 'cell', 'nosuch'], "cellctl: error: unknown command 'cell nosuch'"],
    [['cell', 'help', 'nosuch'], "cellctl: error: unknown command 'cell nosuch'"],
  ])('cellctl %j: one line on stderr, 127', async (argv, line) => {
    const result = await runCli(argv, { env });
    expect(result.code).toBe(127);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`${line}\n`);
  });

  it.each([
    [['cell'], "cellctl: error: 'cell' needs a subcommand (create, ensure, list, show, update, delete); see cellctl cell --help"],
    [['instance'], "cellctl: error: 'instance' needs a subcommand (verify, boot, list, show, stuck); see cellctl instance --help"],
    [[], 'cellctl: error: cellctl needs a command (api-db, db, cell, '],
  ])('cellctl %j without its subcommand: one line on stderr, 127', async (argv, start) => {
    const result = await runCli(argv, { env });
    expect(result.code).toBe(127);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr.startsWith(start)).toBe(true);
  });

  it.each([[['cell', 'list', '--help']], [['help', 'map-instances']], [['db', 'sync', '--help']]])('cellctl %j lists the global options as well as its own', async (argv) => {
    const result = await runCli(argv, { env });
    expect(result.code).toBe(0);
    const [own, global] = result.stdout.split('\nGlobal Options:\n');
    expect(own).toMatch(/\nOptions:\n(.*\n)* {2}-h, --help {2}/);
    for (const flag of ['-f, --format <format>', '-c, --column <column>', '-q, --quiet', '--config-file <file>', '--config-dir <dir>', '--api-db <url>', '--debug', '--show-secrets']) {
      expect(global).toContain(`  ${flag}  `);
    }
  });

  it('shows no empty default and no stray code in the program help', async () => {
    const result = await runCli(['--help'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('(default: [])');
    expect(result.stdout).toContain('-c, --column <column>');
    const codes = result.stdout.slice(result.stdout.indexOf('Exit codes:')).split('\n').slice(1).filter(Boolean).map((line) => line.trim().split(/\s+/)[0]);
    expect(codes).toEqual(['0', '1-9', '127', '141', '255']);
  });

  it.each([[['--version']], [['-V']], [['cell', 'list', '--version']]])("cellctl %j prints cellctl's version, the Nova release and both schema revisions, exit 0", async (argv) => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(argv, { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      `cellctl ${version}\nNova ${NOVA_RELEASE}, checked against Nova ${NOVA_CHECKED_VERSION}\nschema revisions: API ${NOVA_API_REVISION}, cell ${NOVA_CELL_REVISION}\n`,
    );
  });

  it('names the release and revisions the schema definitions were read off', () => {
    const [api, cell] = ['api', 'cell'].map((kind) => JSON.parse(readFileSync(join(__dirname, '..', '..', 'schemas', `nova-${kind}.schema.json`), 'utf8')) as { revision: string; source: string });
    expect([api.revision, cell.revision]).toEqual([NOVA_API_REVISION, NOVA_CELL_REVISION]);
    expect(api.source).toMatch(new RegExp(`^Nova ${NOVA_CHECKED_VERSION.replace(/\./g, '\\.')} `));
    expect(NOVA_CHECKED_VERSION.split('.')[0]).toBe(NOVA_RELEASE.split(' ')[0]);
  });
});
