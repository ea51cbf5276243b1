/**
 * No password appears in any output, error or log line unless --show-secrets is given: every
 * cell, cell0, host and schema command of the suite runs with URLs carrying a known password,
 * in every output format and with --debug, and all of its output is searched for it. A matrix
 * then puts a marker password of every shape in every URL position, malformed URLs included.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeEachDialect, type TestDatabases } from '../support/dialect-matrix';
import { runCli, type CliResult } from '../support/cli-runner';
import { withAdmin } from '../support/mysql-admin';
import { runId } from '../support/test-environment';
import { parseDatabaseUrl } from '../../src/domain/database-url';
import { createDatabaseContext } from '../../src/services/database-context.service';
import { insertComputeNode } from '../support/cell-fixtures';

const SECRET = 'Kn0wnS3cretPw';

/** The two halves of every marker password: any form of it (raw, percent-encoded, JSON-escaped) holds both. */
const HEAD = 'Qx7hd';
const TAIL = 'Wv3tl';

/** A marker password as it is written in a URL's userinfo. */
interface Password {
  label: string;
  written: string;
}

// NOTE: a space ends a URL for any scan of free text: only masking the URL as a whole hides it.
const SPECIALS = ["'", '"', '<', '>', '\\', ';', '#', '@', ':', '/', '`', ' '];

/**
 * The plain marker, each special character raw (SQLAlchemy and cellctl's parser read a MySQL URL's
 * password up to its last '@'), and percent-encoded where URL syntax asks for it.
 */
const PASSWORDS: Password[] = [
  { label: 'plain', written: `${HEAD}${TAIL}` },
  ...SPECIALS.map((c) => ({ label: `raw ${c}`, written: `${HEAD}${c}${TAIL}` })),
  ...['@', '/', '#', ':'].map((c) => ({ label: `encoded ${c}`, written: `${HEAD}${encodeURIComponent(c)}${TAIL}` })),
];

/** True when `text` holds any part of a marker password. */
function leaks(text: string): boolean {
  return text.includes(HEAD) || text.includes(TAIL);
}

/** One fixture per dialect: an API database, a cell database, a configuration naming them. */
interface MatrixFixture {
  env: TestDatabases;
  api: string;
  local: string;
  conf: string;
  counter: number;
}

const fixtures = new Map<TestDatabases, Promise<MatrixFixture>>();

function matrixFixture(env: TestDatabases): Promise<MatrixFixture> {
  let fixture = fixtures.get(env);
  if (!fixture) {
    fixture = (async () => {
      const api = env.newUrl('mapi');
      const local = env.newUrl('mnova');
      const conf = join(env.dir, 'matrix.conf');
      writeFileSync(conf, `[api_database]\nconnection = ${api}\n[database]\nconnection = ${local}\n`);
      for (const argv of [['api-db', 'sync'], ['db', 'sync'], ['cell0', 'setup']]) {
        const result = await runCli(['-q', '--config-file', conf, ...argv], { cwd: env.dir });
        if (result.code !== 0) throw new Error(`fixture: ${argv.join(' ')}: ${result.stderr}`);
      }
      return { env, api, local, conf, counter: 0 };
    })();
    fixtures.set(env, fixture);
  }
  return fixture;
}

/** One command with the marker in one URL position. */
interface Case {
  position: string;
  argv: string[];
  /** Environment variables, and configuration lines (a file of its own, read after the fixture's). */
  env?: Record<string, string>;
  conf?: string;
  expected: number;
  /** The command prints the URL (with --show-secrets, unmasked). */
  printsUrl?: boolean;
  /** Runs before the command (state the position needs). */
  before?: () => Promise<void>;
}

interface Run extends CliResult {
  position: string;
  argv: string[];
  expected: number;
}

/** The run's command and exit code, then the output lines holding the marker (or, at a wrong exit code, the first lines). */
function describeRun(run: Run): string {
  const lines = `${run.stdout}${run.stderr}`.split('\n');
  const shown = run.code === run.expected ? lines.filter(leaks) : lines.slice(0, 3);
  return [`${run.position}: ${run.argv.join(' ')} -> ${run.code} (expected ${run.expected})`, ...shown].join('\n');
}

async function runCase(fixture: MatrixFixture, c: Case, extra: string[]): Promise<Run> {
  await c.before?.();
  const files = ['--config-file', fixture.conf];
  if (c.conf !== undefined) {
    const file = join(fixture.env.dir, `case-${fixture.counter++}.conf`);
    writeFileSync(file, c.conf);
    files.push('--config-file', file);
  }
  const argv = [...extra, ...files, ...c.argv];
  const result = await runCli(argv, { cwd: fixture.env.dir, env: c.env });
  return { ...result, position: c.position, argv, expected: c.expected };
}

/**
 * The commands of every URL position for one password: database URLs (flags, configuration,
 * environment), transport URLs (configuration, options) and the cell options, each also
 * malformed. On MySQL the database positions use an account that has the marker password, so
 * they connect and print their URL; on SQLite they name an unreachable MySQL server instead.
 */
async function positionCases(fixture: MatrixFixture, password: Password): Promise<Case[]> {
  const n = `${fixture.counter++}`;
  const pw = password.written;
  const mysql = fixture.env.dialect === 'mysql';
  const apiUrl = mysql ? await markerAccountUrl(fixture, fixture.api, pw) : `mysql+pymysql://nova:${pw}@127.0.0.1:1/nova_api`;
  const localUrl = mysql ? await markerAccountUrl(fixture, fixture.local, pw) : `mysql+pymysql://nova:${pw}@127.0.0.1:1/nova`;
  const dbExit = mysql ? 0 : 255;
  // NOTE: oslo.messaging (and so Nova) reads a raw '/' or '#' in a transport URL's password as the
  // end of the host list: such a URL is refused (exit 1), which puts the marker in an error path.
  const mqExit = /[/#]/.test(pw) ? 1 : 0;
  const cellUrl = (tag: string): string => `mysql+pymysql://nova:${pw}@127.0.0.1:1/cell_${tag}${n}?charset=utf8`;
  const mqUrl = (tag: string): string => `rabbit://nova:${pw}@mq-${tag}${n}:5672/`;
  const plainCellUrl = `mysql+pymysql://nova@127.0.0.1:1/plain_${n}`;
  const plainMqUrl = `rabbit://nova@mq-plain${n}:5672/`;
  const badMq = `rabbit//u:${pw}@10.1.2.3:5672/`;
  const notAUrl = `not a url ${pw}`;
  const dropCell1 = async (): Promise<void> => {
    const dbs = createDatabaseContext({ apiDatabaseConnection: fixture.api, cwd: fixture.env.dir });
    await (await dbs.api()).db.deleteFrom('cell_mappings').where('name', '=', 'cell1').execute();
    await dbs.close();
  };
  return [
    { position: '--api-db', argv: ['--api-db', apiUrl, 'api-db', 'version'], expected: dbExit, printsUrl: mysql },
    { position: '--db', argv: ['--db', localUrl, 'db', 'version'], expected: dbExit, printsUrl: mysql },
    { position: '[api_database] connection', argv: ['api-db', 'version'], conf: `[api_database]\nconnection = ${apiUrl}\n`, expected: dbExit, printsUrl: mysql },
    { position: '[database] connection', argv: ['db', 'version'], conf: `[database]\nconnection = ${localUrl}\n`, expected: dbExit, printsUrl: mysql },
    { position: 'OS_API_DATABASE__CONNECTION', argv: ['api-db', 'version'], env: { OS_API_DATABASE__CONNECTION: apiUrl }, expected: dbExit, printsUrl: mysql },
    {
      position: '[DEFAULT] transport_url',
      argv: ['-f', 'json', 'cell', 'create', '--name', `conf${n}`, '--database-connection', plainCellUrl],
      conf: `[DEFAULT]\ntransport_url = ${mqUrl('conf')}\n`,
      expected: mqExit,
      printsUrl: mqExit === 0,
    },
    {
      position: 'cell create --database-connection/--transport-url',
      argv: ['-f', 'json', 'cell', 'create', '--name', `c${n}`, '--database-connection', cellUrl('create'), '--transport-url', mqUrl('create')],
      expected: mqExit,
      printsUrl: mqExit === 0,
    },
    {
      position: 'cell update --database-connection/--transport-url',
      argv: ['-f', 'json', 'cell', 'update', `c${n}`, '--database-connection', cellUrl('update'), '--transport-url', mqUrl('update')],
      expected: mqExit,
      printsUrl: mqExit === 0,
    },
    {
      position: 'cell ensure (creating) --database-connection/--transport-url',
      argv: ['-f', 'json', 'cell', 'ensure', '--name', `e${n}`, '--database-connection', cellUrl('ensure'), '--transport-url', mqUrl('ensure')],
      expected: mqExit,
    },
    {
      position: 'cell ensure (updating) --database-connection/--transport-url',
      argv: ['-f', 'json', 'cell', 'ensure', '--name', `c${n}`, '--database-connection', cellUrl('ensure2'), '--transport-url', mqUrl('ensure2')],
      expected: mqExit,
      printsUrl: mqExit === 0,
    },
    {
      position: 'simple-cell-setup --transport-url',
      argv: ['-f', 'json', 'simple-cell-setup', '--transport-url', mqUrl('setup')],
      before: dropCell1,
      expected: mqExit,
    },
    { position: 'cell0 setup --database-connection', argv: ['cell0', 'setup', '--database-connection', cellUrl('cell0'), '--dry-run'], expected: 0 },
    // A URL where commander expects a command or a choice: its own error lines quote the value.
    { position: 'a URL as the command (--api-db forgotten)', argv: [apiUrl, 'cell', 'list'], expected: 127 },
    { position: 'a URL as an option value commander checks', argv: ['-f', cellUrl('format'), 'cell', 'list'], expected: 127 },
    // Malformed URLs: the reproducers of issue 10.
    { position: 'malformed --api-db (no ":")', argv: ['--api-db', `mysql+pymysql//nova:${pw}@127.0.0.1/nova_api`, 'cell', 'list'], expected: 127 },
    { position: 'malformed --db (one "/" too many)', argv: ['--db', `mysql+pymysql:///nova:${pw}@127.0.0.1/nova`, 'db', 'version'], expected: 127 },
    { position: 'not a URL: --api-db', argv: ['--api-db', notAUrl, 'cell', 'list'], expected: 127 },
    { position: 'not a URL: OS_API_DATABASE__CONNECTION', argv: ['cell', 'list'], env: { OS_API_DATABASE__CONNECTION: notAUrl }, expected: 127 },
    { position: 'not a URL: [api_database] connection', argv: ['cell', 'list'], conf: `[api_database]\nconnection = ${notAUrl}\n`, expected: 127 },
    { position: 'malformed [database] connection', argv: ['db', 'version'], conf: `[database]\nconnection = mysql+pymysql//nova:${pw}@127.0.0.1/nova\n`, expected: 127 },
    {
      position: 'malformed cell create --database-connection',
      argv: ['cell', 'create', '--name', `mdb${n}`, '--database-connection', `mysql+pymysql//nova:${pw}@127.0.0.1/x`, '--transport-url', plainMqUrl],
      expected: 127,
    },
    { position: 'malformed cell create --transport-url', argv: ['cell', 'create', '--name', `mmq${n}`, '--database-connection', plainCellUrl, '--transport-url', badMq], expected: 1 },
    { position: 'malformed cell ensure --transport-url', argv: ['cell', 'ensure', '--name', `mmq${n}`, '--transport-url', badMq], expected: 1 },
    { position: 'malformed cell update --transport-url', argv: ['cell', 'update', `c${n}`, '--transport-url', badMq], expected: 1 },
    { position: 'malformed simple-cell-setup --transport-url', argv: ['simple-cell-setup', '--transport-url', badMq], expected: 1 },
    { position: 'not a URL: cell create --transport-url', argv: ['cell', 'create', '--name', `mmq${n}`, '--transport-url', notAUrl], expected: 1 },
    {
      position: 'malformed [DEFAULT] transport_url',
      argv: ['cell', 'create', '--name', `mconf${n}`, '--database-connection', plainCellUrl],
      conf: `[DEFAULT]\ntransport_url = ${badMq}\n`,
      expected: 1,
    },
  ];
}

/**
 * A URL of the same MySQL database as `url` for an account whose password is `written` (as the
 * URL writes it; decoded for the server). One account per password, created on first use.
 */
async function markerAccountUrl(fixture: MatrixFixture, url: string, written: string): Promise<string> {
  const parsed = parseDatabaseUrl(url, fixture.env.dir);
  if (parsed.dialect !== 'mysql') throw new Error('a MySQL URL was expected');
  const password = decodeURIComponent(written);
  let account = accounts.get(password);
  if (!account) {
    const user = `ct${runId()}_m${accounts.size}`;
    account = user;
    accounts.set(password, user);
    await withAdmin(async (c) => {
      await c.query('CREATE OR REPLACE USER ?@? IDENTIFIED BY ?', [user, '%', password]);
      await c.query(`GRANT ALL ON \`ct${runId()}%\`.* TO ?@?`, [user, '%']);
    });
  }
  return `mysql+pymysql://${account}:${written}@${parsed.host ?? '127.0.0.1'}:${parsed.port}/${parsed.database ?? ''}?charset=utf8`;
}

const accounts = new Map<string, string>();

describeEachDialect('secrets', (env) => {
  it('never prints a password unless --show-secrets is given', async () => {
    const api = env.newUrl('api');
    const local = env.newUrl('nova');
    const conf = join(env.dir, 'secrets.conf');
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:${SECRET}@mq1:5672/\n[api_database]\nconnection = ${api}\n[database]\nconnection = ${local}\n`);
    const runs: Array<{ argv: string[]; result: CliResult }> = [];
    const cli = async (...argv: string[]): Promise<CliResult> => {
      const result = await runCli(['--config-file', conf, ...argv], { cwd: env.dir });
      runs.push({ argv, result });
      return result;
    };
    // A cell whose database URL carries the password and cannot be reached: errors must mask it.
    const unreachable = `mysql+pymysql://nova:${SECRET}@127.0.0.1:1/nova_x?charset=utf8`;

    await cli('api-db', 'sync');
    await cli('db', 'sync');
    await cli('--debug', 'cell0', 'setup');
    await cli('--debug', 'cell', 'create', '--name', 'cell1');
    await cli('cell', 'create', '--name', 'cell1', '--transport-url', `rabbit://nova:${SECRET}@mq2:5672/`);
    await cli('cell', 'create', '--name', 'broken', '--database-connection', unreachable, '--transport-url', `rabbit://nova:${SECRET}@mq3:5672/`);
    await cli('cell', 'create', '--name', 'bad', '--database-connection', `mysql+pymysql://nova:${SECRET}@db:notaport/x`);
    await cli('cell', 'create', '--name', 'bad2', '--transport-url', `mq:${SECRET}@nohost`);
    await cli('-f', 'json', 'cell', 'ensure', '--name', 'cell1', '--transport-url', `rabbit://nova:${SECRET}x@mq1:5672/`);
    await cli('cell', 'ensure', '--name', 'cell1');
    await cli('--debug', 'cell', 'update', 'cell1', '--transport-url', `rabbit://nova:${SECRET}@mq1:5672/`, '--dry-run');
    await cli('cell', 'update', 'broken', '--database-connection', local);
    for (const format of ['table', 'json', 'yaml', 'value', 'csv']) {
      await cli('-f', format, 'cell', 'list');
      await cli('-f', format, 'cell', 'show', 'cell1');
      await cli('-f', format, 'host', 'list');
      await cli('-f', format, 'db', 'version', '--all-cells');
    }
    const dbs = createDatabaseContext({ databaseConnection: local, cwd: env.dir });
    await insertComputeNode((await dbs.localCell()).db, { host: 'compute1' });
    await dbs.close();
    await cli('--debug', 'host', 'discover');
    await cli('host', 'discover', '--cell', 'broken');
    await cli('--debug', 'db', 'sync', '--all-cells');
    await cli('db', 'version', '--cell', 'broken');
    await cli('host', 'delete', '--cell', 'cell1', '--host', 'compute1', '--dry-run');
    await cli('cell', 'delete', 'broken', '--dry-run');
    await cli('--debug', 'simple-cell-setup');
    await cli('simple-cell-setup', '--transport-url', `rabbit://nova:${SECRET}@mq9:5672/`);
    await cli('--debug', 'api-db', 'version');

    // The runs did exercise errors and notices, and a password was there to leak.
    expect(runs.some(({ result }) => result.code === 255)).toBe(true);
    expect(runs.some(({ result }) => /\*\*\*\*/.test(result.stdout + result.stderr))).toBe(true);
    const leaked = runs.filter(({ result }) => (result.stdout + result.stderr).includes(SECRET)).map(({ argv }) => argv.join(' '));
    expect(leaked).toEqual([]);

    // ... and --show-secrets does show it, so the search above can fail.
    const shown = await runCli(['--config-file', conf, '--show-secrets', '-f', 'json', 'cell', 'list'], { cwd: env.dir });
    expect(shown.stdout).toContain(SECRET);
  });

  describe('every password shape in every URL position', () => {
    it.each(PASSWORDS.map((p) => [p.label, p] as const))('password %s', async (_label, password) => {
      const fixture = await matrixFixture(env);
      const runs: Run[] = [];
      for (const extra of [[], ['--debug']]) {
        for (const c of await positionCases(fixture, password)) runs.push(await runCase(fixture, c, extra));
      }
      // Each position ran, plain and with --debug, and did what it should (so nothing was skipped early).
      expect(runs.filter((r) => r.code !== r.expected).map(describeRun)).toEqual([]);
      expect(runs.filter((r) => leaks(r.stdout + r.stderr)).map(describeRun)).toEqual([]);

      // --show-secrets does show the password wherever a command prints the URL, so the search can fail.
      const printing = (await positionCases(fixture, password)).filter((c) => c.printsUrl);
      const shownAt: string[] = [];
      for (const c of printing) if (leaks((await runCase(fixture, c, ['--show-secrets'])).stdout)) shownAt.push(c.position);
      expect(shownAt).toEqual(printing.map((c) => c.position));
    });
  });
});

afterAll(async () => {
  if (accounts.size === 0) return;
  await withAdmin(async (c) => {
    for (const user of accounts.values()) await c.query('DROP USER IF EXISTS ?@?', [user, '%']);
  });
});
