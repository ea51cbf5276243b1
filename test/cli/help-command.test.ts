/**
 * Help is data asked for: `help [command...]` prints the named command's help on stdout and exits
 * 0, like `<command> --help`. An unknown name, or a group run without its subcommand, is a usage
 * error: one stderr line, 127.
 */
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
    [['instance'], "cellctl: error: 'instance' needs a subcommand (verify); see cellctl instance --help"],
    [[], 'cellctl: error: cellctl needs a command (api-db, db, cell, '],
  ])('cellctl %j without its subcommand: one line on stderr, 127', async (argv, start) => {
    const result = await runCli(argv, { env });
    expect(result.code).toBe(127);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr.startsWith(start)).toBe(true);
  });
});
