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
  /** The exit code, or the codes it may end with (a template whose rendering depends on the password). */
  expected: number | number[];
  /** The command prints the URL (with --show-secrets, unmasked). */
  printsUrl?: boolean;
  /** Runs before the command (state the position needs). */
  before?: () => Promise<void>;
}

interface Run extends CliResult {
  position: string;
  argv: string[];
  expected: number | number[];
}

function exitedAsExpected(run: Run): boolean {
  return Array.isArray(run.expected) ? run.expected.includes(run.code) : run.code === run.expected;
}

/** The run's command and exit code, then the output lines holding the marker (or, at a wrong exit code, the first lines). */
function describeRun(run: Run): string {
  const lines = `${run.stdout}${run.stderr}`.split('\n');
  const shown = exitedAsExpected(run) ? lines.filter(leaks) : lines.slice(0, 3);
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
    ...noAtCases(n, pw, plainCellUrl, plainMqUrl),
    ...templateCases(n, localUrl, mqUrl('tpl')),
  ];
}

/**
 * "user:password" with the '@' forgotten, in every URL position: the URL does not parse, and
 * nothing after its first ':' may be shown. Each position takes each shape over the passwords.
 * (A raw '@' in the password would make it a URL with credentials: other cases cover those.)
 */
function noAtCases(n: string, pw: string, plainCellUrl: string, plainMqUrl: string): Case[] {
  if (pw.includes('@')) return [];
  const dbShapes = [
    `mysql+pymysql://nova:${pw}:127.0.0.1/nova_api`,
    `mysql+pymysql://nova:${pw}`,
    `mysql+pymysql://nova:${pw}/nova`,
    `mysql+pymysql://nova:${pw}#127.0.0.1/nova`,
    `mysql+pymysql://nova:${pw}127.0.0.1/nova`,
    `mysql+pymysql//nova:${pw}/nova`,
  ];
  const mqShapes = [
    `rabbit://u:${pw}`,
    `rabbit://u:${pw}/vhost`,
    `rabbit://u:${pw}.controller/`,
    `rabbit://nova:${pw}:controller:5672/`,
    `rabbit://u:P1x@h1,u:${pw}:h2/`,
    `rabbit//u:${pw}:h/`,
  ];
  const offset = Number(n);
  const db = (i: number): string => dbShapes[(offset + i) % dbShapes.length] as string;
  const mq = (i: number): string => mqShapes[(offset + i) % mqShapes.length] as string;
  return [
    { position: 'no @: --api-db', argv: ['--api-db', db(0), 'cell', 'list'], expected: 127 },
    { position: 'no @: --db', argv: ['--db', db(1), 'db', 'version'], expected: 127 },
    { position: 'no @: [api_database] connection', argv: ['cell', 'list'], conf: `[api_database]\nconnection = ${db(2)}\n`, expected: 127 },
    { position: 'no @: [database] connection', argv: ['db', 'version'], conf: `[database]\nconnection = ${db(3)}\n`, expected: 127 },
    { position: 'no @: OS_API_DATABASE__CONNECTION', argv: ['cell', 'list'], env: { OS_API_DATABASE__CONNECTION: db(4) }, expected: 127 },
    { position: 'no @: OS_DATABASE__CONNECTION', argv: ['db', 'version'], env: { OS_DATABASE__CONNECTION: db(5) }, expected: 127 },
    {
      position: 'no @: cell create --database-connection',
      argv: ['cell', 'create', '--name', `na${n}`, '--database-connection', db(6), '--transport-url', plainMqUrl],
      expected: 127,
    },
    { position: 'no @: cell update --database-connection', argv: ['cell', 'update', `c${n}`, '--database-connection', db(7)], expected: 127 },
    { position: 'no @: cell0 setup --database-connection', argv: ['cell0', 'setup', '--database-connection', db(8), '--dry-run'], expected: 127 },
    { position: 'no @: cell create --transport-url', argv: ['cell', 'create', '--name', `nq${n}`, '--database-connection', plainCellUrl, '--transport-url', mq(0)], expected: 1 },
    { position: 'no @: cell update --transport-url', argv: ['cell', 'update', `c${n}`, '--transport-url', mq(1)], expected: 1 },
    { position: 'no @: cell ensure --transport-url', argv: ['cell', 'ensure', '--name', `nq${n}`, '--transport-url', mq(2)], expected: 1 },
    {
      position: 'no @: [DEFAULT] transport_url',
      argv: ['cell', 'create', '--name', `nc${n}`, '--database-connection', plainCellUrl],
      conf: `[DEFAULT]\ntransport_url = ${mq(3)}\n`,
      expected: 1,
    },
    { position: 'no @: OS_DEFAULT__TRANSPORT_URL', argv: ['simple-cell-setup'], env: { OS_DEFAULT__TRANSPORT_URL: mq(4) }, expected: 1 },
  ];
}

/**
 * Templates mistyped so that their rendering (with the configured URLs' passwords) does not
 * parse: the error names the template as typed, never what it rendered to. With some passwords
 * the rendering does parse, so those runs may also succeed or refuse otherwise.
 */
function templateCases(n: string, localUrl: string, localMqUrl: string): Case[] {
  const local = `[database]\nconnection = ${localUrl}\n`;
  return [
    {
      position: 'template: cell create --database-connection',
      argv: ['cell', 'create', '--name', `ta${n}`, '--database-connection', 'mysql+pymysql://{username}:{password}{hostname}/c2', '--transport-url', 'rabbit://a:b@x/'],
      conf: local,
      expected: [127, 0, 2],
    },
    {
      position: 'template: cell create --transport-url',
      argv: ['cell', 'create', '--name', `tq${n}`, '--database-connection', 'sqlite:////nonexistent/tq.db', '--transport-url', 'rabbit://{username}:{password}:5672/'],
      conf: `[DEFAULT]\ntransport_url = ${localMqUrl}\n`,
      expected: [1, 0, 2],
    },
    {
      position: 'template: cell update --database-connection',
      argv: ['cell', 'update', `c${n}`, '--database-connection', 'mysql+pymysql://{username}:{password}/c0'],
      conf: local,
      expected: [127, 0, 3],
    },
    {
      position: 'template: cell0 setup --database-connection',
      argv: ['cell0', 'setup', '--database-connection', 'mysql+pymysql://{username}:{password}/c0', '--dry-run'],
      conf: local,
      expected: [127, 0],
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

  it('never prints a password of a stored URL that does not parse (no @, or not a URL), in any listing or per-cell error', async () => {
    const api = env.newUrl('sapi');
    const local = env.newUrl('snova');
    const conf = join(env.dir, 'stored.conf');
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova@mq1:5672/\n[api_database]\nconnection = ${api}\n[database]\nconnection = ${local}\n`);
    const cli = (...argv: string[]): Promise<CliResult> => runCli(['--config-file', conf, ...argv], { cwd: env.dir });
    for (const argv of [['api-db', 'sync'], ['db', 'sync'], ['cell0', 'setup'], ['cell', 'create', '--name', 'cell1']]) {
      expect([argv.join(' '), (await cli('-q', ...argv)).code]).toEqual([argv.join(' '), 0]);
    }
    const dbs = createDatabaseContext({ apiDatabaseConnection: api, databaseConnection: local, cwd: env.dir });
    await insertComputeNode((await dbs.localCell()).db, { host: 'compute1' });
    const { db } = await dbs.api();
    await db
      .insertInto('cell_mappings')
      .values([
        { uuid: '44444444-4444-4444-4444-444444444444', name: 'nocolon', transport_url: `rabbit://u:${HEAD}${TAIL}:h/`, database_connection: `mysql+pymysql://nova:${HEAD}${TAIL}:127.0.0.1/nova`, disabled: 0 },
        { uuid: '55555555-5555-5555-5555-555555555555', name: 'notaurl', transport_url: `rabbit://u:${HEAD}.${TAIL}/`, database_connection: `not a url ${HEAD}${TAIL}`, disabled: 0 },
      ])
      .execute();
    await dbs.close();

    const runs: Run[] = [];
    const commands: Array<[string[], number]> = [
      [['cell', 'list'], 0],
      [['cell', 'show', 'nocolon'], 0],
      [['cell', 'show', 'notaurl'], 0],
      [['host', 'discover'], 255],
      [['map-instances', '--all-cells'], 255],
      [['db', 'version', '--all-cells'], 255],
      [['db', 'sync', '--all-cells', '--dry-run'], 255],
    ];
    for (const extra of [[], ['--debug']]) {
      for (const format of ['table', 'json', 'value']) {
        for (const [argv, expected] of commands) {
          const full = [...extra, '-f', format, ...argv];
          runs.push({ ...(await cli(...full)), position: 'stored', argv: full, expected });
        }
      }
    }
    expect(runs.filter((r) => !exitedAsExpected(r)).map(describeRun)).toEqual([]);
    expect(runs.filter((r) => leaks(r.stdout + r.stderr)).map(describeRun)).toEqual([]);
    // --show-secrets shows them, so the search above can fail.
    expect(leaks((await cli('--show-secrets', '-f', 'json', 'cell', 'list')).stdout)).toBe(true);
  });

  describe('every password shape in every URL position', () => {
    it.each(PASSWORDS.map((p) => [p.label, p] as const))('password %s', async (_label, password) => {
      const fixture = await matrixFixture(env);
      const runs: Run[] = [];
      for (const extra of [[], ['--debug']]) {
        for (const c of await positionCases(fixture, password)) runs.push(await runCase(fixture, c, extra));
      }
      // Each position ran, plain and with --debug, and did what it should (so nothing was skipped early).
      expect(runs.filter((r) => !exitedAsExpected(r)).map(describeRun)).toEqual([]);
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
