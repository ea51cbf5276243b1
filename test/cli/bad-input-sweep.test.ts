/**
 * A sweep of bad input through the CLI on a populated deployment (cell0, an enabled cell with a
 * host, instances and mappings, a disabled cell), on both dialects: flags, values, URLs, names,
 * configuration files and the environment. Each case must end with its documented exit code, at
 * most one line on stderr, no stack trace, no password, and no change to any row of any database.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { insertComputeNode, insertInstance } from '../support/cell-fixtures';
import { runCli } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';
import { dumpRows } from '../support/row-dump';

const SECRET = 'Sweep5ecretPw';

/** One bad input: the arguments (with `{conf}` for the deployment's file), the exit code it must get. */
interface Case {
  label: string;
  argv: string[];
  code: number;
  /** Environment variables of the run (the deployment's file is still named unless `noConfig`). */
  env?: Record<string, string>;
  /** Run without --config-file (the embedded default, or what `env` says). */
  noConfig?: boolean;
  /** Only on this dialect (cases about a server's collation, character sets or TLS files). */
  only?: 'sqlite' | 'mysql';
}

describeEachDialect('a sweep of bad input', (env) => {
  const urls = { api: '', cell1: '', cell2: '' };
  let conf: string;
  let dbs: DatabaseContext;
  const cli = (argv: string[], options: { env?: Record<string, string>; noConfig?: boolean } = {}) =>
    runCli(options.noConfig ? argv : ['--config-file', conf, ...argv], { cwd: env.dir, env: options.env ?? { CELLCTL_HOME: join(env.dir, 'home') } });

  beforeAll(async () => {
    urls.api = env.newUrl('api');
    urls.cell1 = env.newUrl('cell1');
    urls.cell2 = env.newUrl('cell2');
    conf = join(env.dir, 'nova.conf');
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:${SECRET}@mq1/\n[api_database]\nconnection = ${urls.api}\n[database]\nconnection = ${urls.cell1}\n`);
    const setup = async (...argv: string[]) => expect([argv.join(' '), (await cli(['-q', ...argv])).code]).toEqual([argv.join(' '), 0]);
    await setup('api-db', 'sync');
    await setup('simple-cell-setup');
    await setup('cell', 'create', '--name', 'cell2', '--database-connection', urls.cell2, '--transport-url', `rabbit://nova:${SECRET}@mq2/`, '--disabled');
    await setup('db', 'sync', '--all-cells');
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, databaseConnection: urls.cell1, cwd: env.dir });
    const cell1 = (await dbs.localCell()).db;
    await insertComputeNode(cell1, { host: 'host1' });
    await insertInstance(cell1, { host: 'host1' });
    await setup('host', 'discover');
    await setup('map-instances', '--all-cells');

    mkdirSync(join(env.dir, 'a-directory'), { recursive: true });
    const file = (name: string, text: string) => writeFileSync(join(env.dir, name), text);
    file('no-section.conf', 'connection = sqlite:////x.db\n');
    file('continuation.conf', '[database]\n  continued\n');
    file('garbage.conf', '[api_database\nconnection\n');
    file('no-api.conf', `[database]\nconnection = ${urls.cell1}\n`);
    file('not-a-url.conf', `[api_database]\nconnection = not a url ${SECRET}\n`);
    file('no-colon.conf', `[api_database]\nconnection = mysql+pymysql//nova:${SECRET}@127.0.0.1/nova_api\n`);
    file('bad-cell-url.conf', `[api_database]\nconnection = ${urls.api}\n[database]\nconnection = mysql+pymysql:///nova:${SECRET}@127.0.0.1/nova\n`);
    file('template.conf', `[api_database]\nconnection = ${urls.api}\n[database]\nconnection = mysql+pymysql://nova:${SECRET}@127.0.0.1:1/nova\n`);
    file('bad-transport.conf', `[DEFAULT]\ntransport_url = rabbit//nova:${SECRET}@mq/\n[api_database]\nconnection = ${urls.api}\n[database]\nconnection = ${urls.cell1}\n`);
  });

  afterAll(() => dbs.close());

  async function dumpAll(): Promise<unknown> {
    const handles = [await dbs.api(), await dbs.localCell(), ...(await Promise.all([urls.cell2].map((u) => dbs.cellDatabase({ uuid: u, name: u, databaseConnection: u }))))];
    const cell0 = (await (await dbs.api()).db.selectFrom('cell_mappings').select('database_connection').where('name', '=', 'cell0').executeTakeFirstOrThrow()).database_connection!;
    handles.push(await dbs.cellDatabase({ uuid: 'cell0', name: 'cell0', databaseConnection: cell0 }));
    return Promise.all(handles.map((h) => dumpRows(h)));
  }

  /** `url` with its query replaced by `query`. */
  const withQuery = (url: string, query: string) => `${url.split('?')[0]}?${query}`;
  const mysqlUrl = (u: string) => `mysql+pymysql://nova:${SECRET}@127.0.0.1/${u}`;
  const cellUrl = (name: string) => (env.dialect === 'sqlite' ? `sqlite:///${join(env.dir, `${name}.sqlite`)}` : env.newUrl(name));
  const create = (name: string, extra: string[] = []) => ['cell', 'create', '--name', name, '--database-connection', cellUrl('fresh'), '--transport-url', 'rabbit://nova@mq9/', ...extra];
  const cases = (): Case[] => [
    // Flags and commands.
    { label: 'unknown global flag', argv: ['--frobnicate', 'cell', 'list'], code: 127 },
    { label: 'unknown command flag', argv: ['cell', 'list', '--frobnicate'], code: 127 },
    { label: 'unknown command', argv: ['frobnicate'], code: 127 },
    { label: 'unknown subcommand', argv: ['cell', 'frobnicate'], code: 127 },
    { label: 'misspelt subcommand', argv: ['cell', 'lst'], code: 127 },
    { label: 'unknown format', argv: ['-f', 'xml', 'cell', 'list'], code: 127 },
    { label: 'empty format', argv: ['-f', '', 'cell', 'list'], code: 127 },
    { label: 'unknown column', argv: ['-c', 'nosuchcolumn', 'cell', 'list'], code: 127 },
    { label: 'connect timeout: a word', argv: ['--connect-timeout', 'soon', 'cell', 'list'], code: 127 },
    { label: 'connect timeout: negative', argv: ['--connect-timeout', '-1', 'cell', 'list'], code: 127 },
    { label: 'connect timeout: zero', argv: ['--connect-timeout', '0', 'cell', 'list'], code: 127 },
    { label: 'connect timeout: past a timer', argv: ['--connect-timeout', '3000000', 'cell', 'list'], code: 127 },
    { label: 'connect timeout: empty', argv: ['--connect-timeout', '', 'cell', 'list'], code: 127 },
    { label: 'connect timeout: NaN', argv: ['--connect-timeout', 'NaN', 'cell', 'list'], code: 127 },
    { label: 'lock timeout: a word', argv: ['--lock-timeout', 'abc', 'cell', 'list'], code: 127 },
    { label: 'lock timeout: huge', argv: ['--lock-timeout', '99999999999', 'cell', 'list'], code: 127 },
    { label: 'lock timeout: infinite', argv: ['--lock-timeout', '1e400', 'cell', 'list'], code: 127 },
    { label: 'missing argument', argv: ['cell', 'show'], code: 127 },
    { label: 'excess argument', argv: ['cell', 'show', 'cell1', 'cell2'], code: 127 },
    { label: 'flag without its value', argv: ['cell', 'create', '--name'], code: 127 },
    // Cells named or looked up.
    { label: 'unknown cell', argv: ['cell', 'show', 'nosuchcell'], code: 127 },
    { label: 'empty cell name', argv: ['cell', 'show', ''], code: 127 },
    { label: 'cell name with escape bytes', argv: ['cell', 'show', 'x\x1b[2J'], code: 127 },
    { label: 'unknown UUID', argv: ['cell', 'show', '3b1f6a3c-5d0e-4c1e-9d2f-000000000000'], code: 127 },
    { label: 'update: unknown cell', argv: ['cell', 'update', 'nosuchcell', '--name', 'x'], code: 127 },
    { label: 'update: --enable with --disable', argv: ['cell', 'update', 'cell1', '--enable', '--disable'], code: 127 },
    { label: 'update: empty name', argv: ['cell', 'update', 'cell1', '--name', ''], code: 127 },
    { label: 'update: blank name', argv: ['cell', 'update', 'cell1', '--name', '   '], code: 127 },
    { label: 'update: two-line name', argv: ['cell', 'update', 'cell1', '--name', 'a\nb'], code: 127 },
    { label: 'update: name past the column', argv: ['cell', 'update', 'cell1', '--name', 'x'.repeat(256)], code: 127 },
    { label: "update: another cell's name", argv: ['cell', 'update', 'cell1', '--name', 'cell2'], code: 3 },
    { label: "update: another cell's name in capitals", argv: ['cell', 'update', 'cell1', '--name', 'CELL2'], code: 3 },
    { label: "update: another cell's name with a trailing blank", argv: ['cell', 'update', 'cell1', '--name', 'cell2 '], code: 3 },
    { label: 'update: disable cell0', argv: ['cell', 'update', 'cell0', '--disable'], code: 5 },
    { label: 'update: transport URL without ://', argv: ['cell', 'update', 'cell1', '--transport-url', `rabbit//u:${SECRET}@h/`], code: 1 },
    { label: 'update: database URL without :', argv: ['cell', 'update', 'cell1', '--database-connection', `mysql+pymysql//u:${SECRET}@h/x`], code: 127 },
    { label: 'update: unsupported scheme', argv: ['cell', 'update', 'cell1', '--database-connection', `postgresql://u:${SECRET}@h/x`], code: 127 },
    { label: "update: another cell's database", argv: ['cell', 'update', 'cell1', '--database-connection', urls.cell2], code: 3 },
    { label: 'create: empty name', argv: create(''), code: 127 },
    { label: 'create: blank name', argv: create('   '), code: 127 },
    { label: 'create: two-line name', argv: create('a\nb'), code: 127 },
    { label: 'create: tab in the name', argv: create('a\tb'), code: 127 },
    { label: 'create: escape in the name', argv: create('a\x1b[31mb'), code: 127 },
    { label: 'create: name past the column', argv: create('x'.repeat(256)), code: 127 },
    { label: 'create: 4-byte characters (utf8mb3 column)', argv: create('cell-\u{1F600}'), code: 127, only: 'mysql' },
    { label: 'create: existing name', argv: create('cell1'), code: 2 },
    { label: 'create: existing name in capitals', argv: create('CELL1'), code: 2 },
    { label: 'create: existing name with a trailing blank', argv: create('cell1 '), code: 2 },
    { label: 'create: the name cell0', argv: create('cell0'), code: 2 },
    { label: 'create: transport URL without ://', argv: ['cell', 'create', '--name', 'c9', '--database-connection', cellUrl('c9'), '--transport-url', `rabbit//u:${SECRET}@h/`], code: 1 },
    { label: 'create: transport URL not a URL', argv: ['cell', 'create', '--name', 'c9', '--database-connection', cellUrl('c9'), '--transport-url', `not a url ${SECRET}`], code: 1 },
    { label: 'create: database URL with one / too many', argv: ['cell', 'create', '--name', 'c9', '--transport-url', 'rabbit://nova@mq9/', '--database-connection', `mysql+pymysql:///nova:${SECRET}@h/nova`], code: 127 },
    { label: 'create: database URL without :', argv: ['cell', 'create', '--name', 'c9', '--transport-url', 'rabbit://nova@mq9/', '--database-connection', `mysql+pymysql//nova:${SECRET}@h/nova`], code: 127 },
    { label: 'create: oracle', argv: ['cell', 'create', '--name', 'c9', '--transport-url', 'rabbit://nova@mq9/', '--database-connection', `oracle://u:${SECRET}@h/x`], code: 127 },
    { label: 'create: in-memory SQLite', argv: ['cell', 'create', '--name', 'c9', '--transport-url', 'rabbit://nova@mq9/', '--database-connection', 'sqlite://'], code: 127 },
    { label: 'create: port out of range', argv: ['cell', 'create', '--name', 'c9', '--transport-url', 'rabbit://nova@mq9/', '--database-connection', `mysql+pymysql://u:${SECRET}@h:99999/x`], code: 127 },
    { label: 'create: port not a number', argv: ['cell', 'create', '--name', 'c9', '--transport-url', 'rabbit://nova@mq9/', '--database-connection', `mysql+pymysql://u:${SECRET}@h:port/x`], code: 127 },
    { label: 'create: unknown charset', argv: ['cell', 'create', '--name', 'c9', '--transport-url', 'rabbit://nova@mq9/', '--database-connection', `${mysqlUrl('x')}?charset=nonsense`], code: 127 },
    { label: 'create: no database name', argv: ['cell', 'create', '--name', 'c9', '--transport-url', 'rabbit://nova@mq9/', '--database-connection', mysqlUrl('')], code: 127 },
    { label: "create: cell1's database", argv: ['cell', 'create', '--name', 'c9', '--database-connection', urls.cell1, '--transport-url', 'rabbit://x@mq9/'], code: 2 },
    { label: "create: cell2's transport URL", argv: ['cell', 'create', '--name', 'c9', '--database-connection', cellUrl('c9'), '--transport-url', `rabbit://nova:${SECRET}@mq2/`], code: 2 },
    { label: 'ensure: empty name', argv: ['cell', 'ensure', '--name', ''], code: 127 },
    { label: 'ensure: control character in the name', argv: ['cell', 'ensure', '--name', 'a\x07'], code: 127 },
    { label: 'ensure: enable cell0', argv: ['cell', 'ensure', '--name', 'cell0', '--enabled'], code: 5 },
    { label: 'ensure: --enabled with --disabled', argv: ['cell', 'ensure', '--name', 'cell1', '--enabled', '--disabled'], code: 127 },
    { label: 'ensure: transport URL without ://', argv: ['cell', 'ensure', '--name', 'c9', '--database-connection', cellUrl('c9'), '--transport-url', `rabbit//u:${SECRET}@h/`], code: 1 },
    { label: "ensure: cell2's database for cell1", argv: ['cell', 'ensure', '--name', 'cell1', '--database-connection', urls.cell2], code: 2 },
    { label: 'delete: no cell', argv: ['cell', 'delete'], code: 127 },
    { label: 'delete: unknown cell', argv: ['cell', 'delete', 'nosuchcell'], code: 127 },
    { label: 'delete: a cell with hosts', argv: ['cell', 'delete', 'cell1'], code: 2 },
    { label: 'delete: a cell with live instances, forced', argv: ['cell', 'delete', 'cell1', '--force'], code: 3 },
    { label: 'cell0 setup: not a URL', argv: ['cell0', 'setup', '--database-connection', 'nonsense'], code: 127 },
    { label: 'cell0 setup: URL without :', argv: ['cell0', 'setup', '--database-connection', `mysql+pymysql//u:${SECRET}@h/x_cell0`], code: 127 },
    { label: 'simple-cell-setup: transport URL without ://', argv: ['simple-cell-setup', '--transport-url', `rabbit//u:${SECRET}@h/`], code: 1 },
    { label: 'simple-cell-setup: transport URL not a URL', argv: ['simple-cell-setup', '--transport-url', `not a url ${SECRET}`], code: 1 },
    // Hosts and instances.
    { label: 'discover: cell0', argv: ['host', 'discover', '--cell', 'cell0'], code: 127 },
    { label: 'discover: unknown cell', argv: ['host', 'discover', '--cell', 'nosuchcell'], code: 127 },
    { label: 'discover: --timeout alone', argv: ['host', 'discover', '--timeout', '5'], code: 127 },
    { label: 'discover: empty --wait-for', argv: ['host', 'discover', '--wait-for', ''], code: 127 },
    { label: 'discover: --wait-for of commas', argv: ['host', 'discover', '--wait-for', ',,'], code: 127 },
    { label: 'discover: --wait-for with --dry-run', argv: ['host', 'discover', '--wait-for', 'h', '--dry-run'], code: 127 },
    { label: 'discover: --timeout a word', argv: ['host', 'discover', '--wait-for', 'h', '--timeout', 'soon'], code: 127 },
    { label: 'discover: --timeout negative', argv: ['host', 'discover', '--wait-for', 'h', '--timeout', '-5'], code: 127 },
    { label: 'host delete: no --host', argv: ['host', 'delete', '--cell', 'cell1'], code: 127 },
    { label: 'host delete: unknown cell', argv: ['host', 'delete', '--cell', 'nosuchcell', '--host', 'host1'], code: 127 },
    { label: 'host delete: unmapped host', argv: ['host', 'delete', '--cell', 'cell1', '--host', 'nosuchhost'], code: 2 },
    { label: 'host delete: host of another cell', argv: ['host', 'delete', '--cell', 'cell2', '--host', 'host1'], code: 3 },
    { label: 'host delete: host with live instances', argv: ['host', 'delete', '--cell', 'cell1', '--host', 'host1'], code: 4 },
    { label: 'host list: unknown cell', argv: ['host', 'list', '--cell', 'nosuchcell'], code: 127 },
    { label: 'map-instances: no cell named', argv: ['map-instances'], code: 127 },
    { label: 'map-instances: --cell with --all-cells', argv: ['map-instances', '--cell', 'cell1', '--all-cells'], code: 127 },
    { label: 'map-instances: unknown cell', argv: ['map-instances', '--cell', 'nosuchcell'], code: 127 },
    { label: 'map-instances: --max-count 0', argv: ['map-instances', '--all-cells', '--max-count', '0'], code: 127 },
    { label: 'map-instances: --max-count negative', argv: ['map-instances', '--all-cells', '--max-count', '-1'], code: 127 },
    { label: 'map-instances: --max-count a word', argv: ['map-instances', '--all-cells', '--max-count', 'abc'], code: 127 },
    { label: 'map-instances: --max-count a fraction', argv: ['map-instances', '--all-cells', '--max-count', '1.5'], code: 127 },
    { label: 'map-instances: --max-count past integers', argv: ['map-instances', '--all-cells', '--max-count', '99999999999999999999'], code: 127 },
    { label: 'instance verify: no UUID', argv: ['instance', 'verify'], code: 127 },
    { label: 'db version: --cell-timeout 0', argv: ['db', 'version', '--all-cells', '--cell-timeout', '0'], code: 127 },
    { label: 'db version: --cell-timeout a word', argv: ['db', 'version', '--all-cells', '--cell-timeout', 'abc'], code: 127 },
    { label: 'db version: --cell-timeout past a timer', argv: ['db', 'version', '--all-cells', '--cell-timeout', '2147484'], code: 127 },
    { label: 'db version: unknown cell', argv: ['db', 'version', '--cell', 'nosuchcell'], code: 127 },
    { label: 'db sync: --cell with --all-cells', argv: ['db', 'sync', '--cell', 'cell1', '--all-cells'], code: 127 },
    { label: 'db sync: unknown cell', argv: ['db', 'sync', '--cell', 'nosuchcell'], code: 127 },
    { label: 'api-db sync: a cell flag', argv: ['api-db', 'sync', '--cell', 'cell1'], code: 127 },
    // Database URLs from flags.
    { label: '--api-db without :', argv: ['--api-db', `mysql+pymysql//nova:${SECRET}@127.0.0.1/nova_api`, 'cell', 'list'], code: 127 },
    { label: '--api-db not a URL', argv: ['--api-db', `not a url ${SECRET}`, 'cell', 'list'], code: 127 },
    { label: '--api-db postgresql', argv: ['--api-db', `postgresql://u:${SECRET}@h/x`, 'cell', 'list'], code: 127 },
    { label: '--api-db port a word', argv: ['--api-db', `mysql+pymysql://u:${SECRET}@h:port/x`, 'cell', 'list'], code: 127 },
    { label: '--api-db in-memory', argv: ['--api-db', 'sqlite://', 'cell', 'list'], code: 127 },
    { label: '--api-db no database name', argv: ['--api-db', mysqlUrl(''), 'cell', 'list'], code: 127 },
    { label: '--api-db unknown charset', argv: ['--api-db', withQuery(urls.api, 'charset=nonsense'), 'cell', 'list'], code: 127, only: 'mysql' },
    { label: '--api-db missing TLS CA file', argv: ['--api-db', withQuery(urls.api, 'ssl_ca=/nonexistent/ca.pem'), 'cell', 'list'], code: 127, only: 'mysql' },
    { label: '--api-db missing TLS key file', argv: ['--api-db', withQuery(urls.api, 'ssl_cert=/nonexistent/c.pem&ssl_key=/nonexistent/k.pem'), 'cell', 'list'], code: 127, only: 'mysql' },
    { label: '--db with one / too many', argv: ['--db', `mysql+pymysql:///nova:${SECRET}@127.0.0.1/nova`, 'db', 'version'], code: 127 },
    { label: '--db not a URL', argv: ['--db', `not a url ${SECRET}`, 'db', 'sync'], code: 127 },
    // Configuration files and directories.
    { label: 'missing --config-file', argv: ['--config-file', join(env.dir, 'nope.conf'), 'cell', 'list'], code: 127, noConfig: true },
    { label: '--config-file a directory', argv: ['--config-file', join(env.dir, 'a-directory'), 'cell', 'list'], code: 127, noConfig: true },
    { label: 'missing --config-dir', argv: ['--config-dir', join(env.dir, 'nope.d'), 'cell', 'list'], code: 127, noConfig: true },
    { label: '--config-dir a file', argv: ['--config-dir', conf, 'cell', 'list'], code: 127, noConfig: true },
    { label: 'configuration: a value outside a section', argv: ['--config-file', join(env.dir, 'no-section.conf'), 'cell', 'list'], code: 127, noConfig: true },
    { label: 'configuration: a continuation line first', argv: ['--config-file', join(env.dir, 'continuation.conf'), 'cell', 'list'], code: 127, noConfig: true },
    { label: 'configuration: an unclosed section', argv: ['--config-file', join(env.dir, 'garbage.conf'), 'cell', 'list'], code: 127, noConfig: true },
    { label: 'configuration: no API database', argv: ['--config-file', join(env.dir, 'no-api.conf'), 'cell', 'list'], code: 127, noConfig: true },
    { label: 'configuration: API database not a URL', argv: ['--config-file', join(env.dir, 'not-a-url.conf'), 'cell', 'list'], code: 127, noConfig: true },
    { label: 'configuration: API database without :', argv: ['--config-file', join(env.dir, 'no-colon.conf'), 'cell', 'list'], code: 127, noConfig: true },
    { label: 'configuration: cell database with one / too many', argv: ['--config-file', join(env.dir, 'bad-cell-url.conf'), 'db', 'version'], code: 127, noConfig: true },
    { label: 'configuration: transport URL without ://', argv: ['--config-file', join(env.dir, 'bad-transport.conf'), 'simple-cell-setup'], code: 1, noConfig: true },
    // "user:password" with the '@' forgotten, and templates whose rendering has no '@' (the password shown neither way).
    { label: 'create: database URL without @', argv: ['cell', 'create', '--name', 'c9', '--transport-url', 'rabbit://nova@mq9/', '--database-connection', `mysql+pymysql://nova:${SECRET}:127.0.0.1/nova`], code: 127 },
    { label: 'create: transport URL without @', argv: ['cell', 'create', '--name', 'c9', '--database-connection', cellUrl('c9'), '--transport-url', `rabbit://nova:${SECRET}:controller:5672/`], code: 1 },
    { label: 'update: transport URL without @', argv: ['cell', 'update', 'cell1', '--transport-url', `rabbit://u:${SECRET}.controller/`], code: 1 },
    { label: '--api-db without @', argv: ['--api-db', `mysql+pymysql://nova:${SECRET}`, 'cell', 'list'], code: 127 },
    { label: '--api-db without : and @', argv: ['--api-db', `mysql+pymysql//nova:${SECRET}/nova_api`, 'cell', 'list'], code: 127 },
    { label: 'create: transport URL without : and @', argv: ['cell', 'create', '--name', 'c9', '--database-connection', cellUrl('c9'), '--transport-url', `rabbit//u:${SECRET}:h/`], code: 1 },
    { label: '--db without @', argv: ['--db', `mysql+pymysql://nova:${SECRET}/nova`, 'db', 'version'], code: 127 },
    { label: 'OS_API_DATABASE__CONNECTION without @', argv: ['cell', 'list'], code: 127, env: { OS_API_DATABASE__CONNECTION: `mysql+pymysql://nova:${SECRET}#127.0.0.1/nova_api` } },
    { label: 'create: transport template rendered without @', argv: ['cell', 'create', '--name', 'c9', '--database-connection', cellUrl('c9'), '--transport-url', 'rabbit://{username}:{password}:5672/'], code: 1 },
    {
      label: 'create: database template rendered without @',
      argv: ['--config-file', join(env.dir, 'template.conf'), 'cell', 'create', '--name', 'c9', '--transport-url', 'rabbit://nova@mq9/', '--database-connection', 'mysql+pymysql://{username}:{password}{hostname}/c2'],
      code: 127,
      noConfig: true,
    },
    {
      label: 'update: database template rendered without @',
      argv: ['--config-file', join(env.dir, 'template.conf'), 'cell', 'update', 'cell1', '--database-connection', 'mysql+pymysql://{username}:{password}/c1'],
      code: 127,
      noConfig: true,
    },
    { label: 'cell0 setup: template rendered without @', argv: ['--config-file', join(env.dir, 'template.conf'), 'cell0', 'setup', '--database-connection', 'mysql+pymysql://{username}:{password}/c0'], code: 127, noConfig: true },
    // The environment.
    { label: 'OS_API_DATABASE__CONNECTION not a URL', argv: ['cell', 'list'], code: 127, env: { OS_API_DATABASE__CONNECTION: `not a url ${SECRET}` } },
    { label: 'OS_DATABASE__CONNECTION with one / too many', argv: ['db', 'version'], code: 127, env: { OS_DATABASE__CONNECTION: `mysql+pymysql:///x:${SECRET}@h/y` } },
    { label: 'OS_DEFAULT__TRANSPORT_URL without ://', argv: ['simple-cell-setup'], code: 1, env: { OS_DEFAULT__TRANSPORT_URL: `rabbit//u:${SECRET}@h/` } },
    { label: "CELLCTL_HOME with '?'", argv: ['cell', 'list'], code: 127, env: { CELLCTL_HOME: join(env.dir, 'what?') }, noConfig: true },
    { label: 'CELLCTL_HOME under /proc', argv: ['-q', 'cell', 'list'], code: 255, env: { CELLCTL_HOME: '/proc/cellctl-sweep' }, noConfig: true },
  ];

  it('names a mistyped template as typed and the flag it came from, never its rendering', async () => {
    const template = join(env.dir, 'template.conf');
    const create = await cli(['--config-file', template, 'cell', 'create', '--name', 'c9', '--transport-url', 'rabbit://nova@mq9/', '--database-connection', 'mysql+pymysql://{username}:{password}{hostname}/c2'], { noConfig: true });
    expect([create.code, create.stderr]).toEqual([
      127,
      `cellctl: error: invalid database URL mysql+pymysql://{username}:{password}{hostname}/c2 from --database-connection (a template, rendered with the values of ${template} [database] connection): the text after ":" is not a port (credentials need user:password@host)\n`,
    ]);
    const transport = await cli(['cell', 'create', '--name', 'c9', '--database-connection', cellUrl('c9'), '--transport-url', 'rabbit://{username}:{password}:5672/']);
    expect(transport.code).toBe(1);
    expect(transport.stderr).toMatch(/^cellctl: error: invalid transport URL rabbit:\/\/\{username\}:\{password\}:5672\/ from --transport-url: invalid literal for int\(\) with base 10: '\*\*\*\*'/);
  });

  it('gives every case its documented exit code, one stderr line at most, no trace, no password, and no row changed', async () => {
    const all = cases().filter((c) => !c.only || c.only === env.dialect);
    expect(all.length).toBeGreaterThanOrEqual(100);
    expect(new Set(all.map((c) => c.label)).size).toBe(all.length);
    const before = await dumpAll();
    const wrong: string[] = [];
    for (const c of all) {
      const result = await cli(c.argv, { env: c.env ? { CELLCTL_HOME: join(env.dir, 'home'), ...c.env } : undefined, noConfig: c.noConfig });
      const lines = result.stderr.split('\n').filter((l) => l !== '');
      const problems = [
        result.code !== c.code && `exit ${result.code}, not ${c.code}`,
        lines.length > 1 && `${lines.length} stderr lines`,
        /\n\s+at /.test(result.stdout + result.stderr) && 'a stack trace',
        /unexpected error/.test(result.stderr) && 'an unexpected error',
        (result.stdout + result.stderr).includes(SECRET) && 'the password',
      ].filter(Boolean);
      if (problems.length) wrong.push(`${c.label}: ${problems.join(', ')}: ${result.stderr.trim()}`);
      const after = await dumpAll();
      if (JSON.stringify(after) !== JSON.stringify(before)) {
        wrong.push(`${c.label}: changed rows`);
        break;
      }
    }
    expect(wrong).toEqual([]);
  });
});
