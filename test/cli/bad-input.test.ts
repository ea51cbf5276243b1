/**
 * What bad input gets (product.md): one line on stderr naming the problem, the documented exit
 * code, no stack trace, no password, nothing written.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mysqlUrlFor } from '../support/mysql-admin';
import { mysqlAvailable } from '../support/test-environment';
import { runCli, type CliResult } from '../support/cli-runner';

const SECRET = 'Sup3rSecretPw';

function expectOneMaskedLine(result: CliResult, code: number, pattern: RegExp): void {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toContain(SECRET);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cellctl-bad-input-'));
  const env: Record<string, string> = {};
  // The deployment's nova.conf is found in the home directory, as Nova's would be: no embedded
  // deployment, so no notice saying it is in use among the cases' output.
  const homeDir = join(dir, 'user');
  mkdirSync(homeDir);
  writeFileSync(join(homeDir, 'nova.conf'), `[api_database]\nconnection = sqlite:///${join(dir, 'nova_api.sqlite')}\n[database]\nconnection = sqlite:///${join(dir, 'nova.sqlite')}\n`);

  beforeAll(async () => expect((await runCli(['-q', 'api-db', 'sync'], { env, homeDir })).code).toBe(0));

  it('an unknown flag: 127', async () => {
    expectOneMaskedLine(await runCli(['api-db', 'sync', '--frobnicate'], { env, homeDir }), 127, /unknown option '--frobnicate'/);
  });

  it('a timeout that is not a number of seconds, or past what a timer can hold (24 days): 127', async () => {
    for (const [flag, value] of [['--connect-timeout', 'soon'], ['--connect-timeout', '3000000'], ['--lock-timeout', '99999999999']]) {
      expectOneMaskedLine(await runCli([flag, value, 'cell', 'list'], { env, homeDir }), 127, new RegExp(`${flag} must be a number of seconds`));
    }
    expectOneMaskedLine(await runCli(['db', 'version', '--all-cells', '--cell-timeout', '2147484'], { env, homeDir }), 127, /--cell-timeout must be/);
    expect((await runCli(['-q', '--connect-timeout', '2147483', '--lock-timeout', '2147483', 'cell', 'list'], { env, homeDir })).code).toBe(0);
  });

  it('a count past what a number holds exactly: 127', async () => {
    expectOneMaskedLine(await runCli(['map-instances', '--all-cells', '--max-count', '99999999999999999999'], { env, homeDir }), 127, /--max-count must be a positive integer/);
  });

  it('an unknown command: 127', async () => {
    expectOneMaskedLine(await runCli(['frobnicate'], { env, homeDir }), 127, /unknown command 'frobnicate'/);
  });

  it("an unknown subcommand: 127 in one line, commander's suggestion included", async () => {
    expectOneMaskedLine(await runCli(['cell', 'lst'], { env, homeDir }), 127, /^cellctl: error: unknown command 'lst' \(Did you mean list\?\)$/);
  });

  it('control and escape bytes from input are shown escaped, never sent raw to the terminal', async () => {
    const name = 'red\x1b[31m\nsecond\x07line';
    const result = await runCli(['cell', 'show', name], { env, homeDir });
    expectOneMaskedLine(result, 127, /no cell has the name or UUID 'red\\e\[31m\\nsecond\\x07line'/);
    expect(result.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    const flag = await runCli(['cell', 'list', '--x\x1b[2J'], { env, homeDir });
    expectOneMaskedLine(flag, 127, /unknown option '--x\\e\[2J'/);
  });

  it('an unknown output format: 127', async () => {
    expectOneMaskedLine(await runCli(['-f', 'xml', 'api-db', 'version'], { env, homeDir }), 127, /xml/);
  });

  it('a malformed URL: 127, masked', async () => {
    const result = await runCli(['--api-db', `mysql+pymysql://nova:${SECRET}@db:notaport/nova`, 'api-db', 'sync'], { env, homeDir });
    expectOneMaskedLine(result, 127, /port/i);
  });

  it('a malformed URL (issue 10): 127, masked, naming the flag, variable or file it came from', async () => {
    const malformed = `mysql+pymysql//nova:${SECRET}@127.0.0.1/nova_api`;
    expectOneMaskedLine(await runCli(['--api-db', malformed, 'cell', 'list'], { env, homeDir }), 127, /invalid database URL mysql\+pymysql\/\/nova:\*\*\*\*@127\.0\.0\.1\/nova_api from --api-db:/);
    const tooManySlashes = `mysql+pymysql:///nova:${SECRET}@127.0.0.1/nova`;
    expectOneMaskedLine(await runCli(['--db', tooManySlashes, 'db', 'version'], { env, homeDir }), 127, /invalid database URL mysql\+pymysql:\/\/\/nova:\*\*\*\*@127\.0\.0\.1\/nova from --db:/);
  });

  it('a value that is not a URL: 127, never quoted, naming the flag, variable or file it came from', async () => {
    const value = `not a url ${SECRET}`;
    const notShown = /^cellctl: error: invalid database URL \(not a URL; value not shown\) from (.*): expected dialect\+driver:\/\//;
    expectOneMaskedLine(await runCli(['--api-db', value, 'cell', 'list'], { env, homeDir }), 127, notShown);
    expect((await runCli(['--api-db', value, 'cell', 'list'], { env, homeDir })).stderr).toMatch(/ from --api-db: /);
    const fromEnv = await runCli(['cell', 'list'], { homeDir, env: { ...env, OS_API_DATABASE__CONNECTION: value } });
    expectOneMaskedLine(fromEnv, 127, notShown);
    expect(fromEnv.stderr).toMatch(/ from OS_API_DATABASE__CONNECTION: /);
    const conf = join(dir, 'not-a-url.conf');
    writeFileSync(conf, `[api_database]\nconnection = ${value}\n`);
    const fromFile = await runCli(['--config-file', conf, 'cell', 'list'], { env, homeDir });
    expectOneMaskedLine(fromFile, 127, notShown);
    expect(fromFile.stderr).toContain(` from ${conf} [api_database] connection: `);
  });

  it('a transport URL that is not a URL: 1, never quoted, naming the flag or file it came from', async () => {
    const value = `not a url ${SECRET}`;
    const notShown = /^cellctl: error: invalid transport URL \(not a URL; value not shown\) from (.*): No scheme specified$/;
    const fromFlag = await runCli(['cell', 'create', '--name', 'x', '--transport-url', value], { env, homeDir });
    expectOneMaskedLine(fromFlag, 1, notShown);
    expect(fromFlag.stderr).toContain(' from --transport-url: ');
    const conf = join(dir, 'transport-not-a-url.conf');
    writeFileSync(conf, `[DEFAULT]\ntransport_url = ${value}\n[api_database]\nconnection = sqlite:///${join(dir, 'home', 'nova_api.sqlite')}\n`);
    const fromFile = await runCli(['--config-file', conf, 'cell', 'create', '--name', 'x', '--database-connection', 'sqlite:///x.db'], { env, homeDir });
    expectOneMaskedLine(fromFile, 1, notShown);
    expect(fromFile.stderr).toContain(` from ${conf} [DEFAULT] transport_url: `);
  });

  it('an unsupported scheme: 127, naming it, masked', async () => {
    const result = await runCli(['--api-db', `postgresql://nova:${SECRET}@pg/nova`, 'api-db', 'sync'], { env, homeDir });
    expectOneMaskedLine(result, 127, /postgresql.*not supported|unsupported.*postgresql/i);
  });

  it('conflicting flags: 127', async () => {
    const result = await runCli(['--api-db', `sqlite:///${join(dir, 'a.sqlite')}`, 'db', 'sync', '--cell', 'x', '--all-cells'], { env, homeDir });
    expectOneMaskedLine(result, 127, /--cell and --all-cells/);
  });

  it('a missing --config-file: 127 naming the file', async () => {
    expectOneMaskedLine(await runCli(['--config-file', join(dir, 'nope.conf'), 'api-db', 'version'], { env, homeDir }), 127, /nope\.conf/);
  });

  it('no API database configured anywhere: 127', async () => {
    const conf = join(dir, 'empty.conf');
    writeFileSync(conf, '[DEFAULT]\n');
    expectOneMaskedLine(await runCli(['--config-file', conf, 'api-db', 'version'], { env, homeDir }), 127, /no API database configured/);
  });

  it('a SQLite database in a directory that does not exist: 255, nothing created', async () => {
    const missing = join(dir, 'no', 'such', 'dir', 'api.sqlite');
    expectOneMaskedLine(
      await runCli(['--api-db', `sqlite:///${missing}`, 'api-db', 'version'], { env, homeDir }),
      255,
      /does not exist yet, nor its directory: create the directory, then run `cellctl api-db sync`$/,
    );
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });

  (mysqlAvailable() ? describe : describe.skip)('on MySQL', () => {
    it('an unreachable server: 255, masked', async () => {
      const result = await runCli(['--api-db', `mysql+pymysql://nova:${SECRET}@127.0.0.1:1/nova`, 'api-db', 'version'], { env, homeDir });
      expectOneMaskedLine(result, 255, /cannot reach database mysql\+pymysql:\/\/nova:\*\*\*\*@127\.0\.0\.1:1\/nova: connection refused/);
    });

    it('a MySQL URL that names no database: 127, before connecting', async () => {
      for (const url of [`mysql+pymysql://nova:${SECRET}@127.0.0.1/`, `mysql+pymysql://nova:${SECRET}@127.0.0.1`, `mysql://nova:${SECRET}@127.0.0.1/?charset=utf8`]) {
        for (const argv of [['--db', url, 'db', 'version'], ['--db', url, 'db', 'sync', '--dry-run'], ['--api-db', url, 'api-db', 'version']]) {
          expectOneMaskedLine(await runCli(argv, { env, homeDir }), 127, /names no database/);
        }
      }
    });

    it('a wrong password: 255, masked', async () => {
      const url = mysqlUrlFor('cellctl_never_created').replace('://root@', `://root:${SECRET}@`);
      const result = await runCli(['--api-db', url, 'api-db', 'version'], { env, homeDir });
      expectOneMaskedLine(result, 255, /refused access/);
    });
  });
});
