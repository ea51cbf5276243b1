import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import mysql from 'mysql2/promise';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import { CELL0_UUID } from '../../src/domain/constants';
import { parseDatabaseUrl } from '../../src/domain/database-url';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import {
  clearApiMappings,
  clearCellTables,
  createNovaDatabase,
  insertCellMapping,
  insertComputeNode,
  insertComputeService,
  insertInstance,
} from '../support/cell-fixtures';
import { runCellctlProcess, runCli } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';
import { adminOptions } from '../support/mysql-admin';
import { describeWithNova, novaManage, novaManageOk, writeNovaConf } from '../support/nova-oracle';

const CELL1_UUID = '11111111-1111-4111-8111-111111111111';
const CELL2_UUID = '22222222-2222-4222-8222-222222222222';
/** The one scheduler-cache note every command that changes cells or host mappings prints. */
const SIGHUP_NOTE_LINE = 'note: running nova-scheduler (and nova-api) processes cache cells and host mappings: restart them or send them SIGHUP to see this change\n';
const SIGHUP_NOTE = /running nova-scheduler \(and nova-api\) processes cache cells and host mappings: restart them or send them SIGHUP/;

describeEachDialect('host commands', (env) => {
  const urls = { api: '', cell0: '', cell1: '', cell2: '' };
  let conf: string;
  let dbs: DatabaseContext;
  let api: Kysely<ApiDatabase>;
  let cell0: Kysely<CellDatabase>;
  let cell1: Kysely<CellDatabase>;
  let cell2: Kysely<CellDatabase>;
  let ids: { cell1: number; cell2: number };
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });

  beforeAll(async () => {
    urls.api = env.newUrl('api');
    urls.cell0 = env.newUrl('cell0');
    urls.cell1 = env.newUrl('cell1');
    urls.cell2 = env.newUrl('cell2');
    await createNovaDatabase(urls.api, 'api');
    for (const url of [urls.cell0, urls.cell1, urls.cell2]) await createNovaDatabase(url, 'cell');
    conf = join(env.dir, 'cellctl.conf');
    writeFileSync(conf, `[api_database]\nconnection = ${urls.api}\n[database]\nconnection = ${urls.cell1}\n`);
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    api = (await dbs.api()).db;
    cell0 = (await dbs.cellDatabase({ uuid: 'cell0', name: 'cell0', databaseConnection: urls.cell0 })).db;
    cell1 = (await dbs.cellDatabase({ uuid: 'cell1', name: 'cell1', databaseConnection: urls.cell1 })).db;
    cell2 = (await dbs.cellDatabase({ uuid: 'cell2', name: 'cell2', databaseConnection: urls.cell2 })).db;
  });
  afterAll(() => dbs.close());

  beforeEach(async () => {
    await clearApiMappings(api);
    for (const db of [cell0, cell1, cell2]) await clearCellTables(db);
    await insertCellMapping(api, { name: 'cell0', uuid: CELL0_UUID, databaseConnection: urls.cell0 });
    ids = {
      cell1: (await insertCellMapping(api, { name: 'cell1', uuid: CELL1_UUID, databaseConnection: urls.cell1 })).id,
      cell2: (await insertCellMapping(api, { name: 'cell2', uuid: CELL2_UUID, databaseConnection: urls.cell2, disabled: true })).id,
    };
  });

  const hostMappings = async (): Promise<Array<[string, number]>> =>
    (await api.selectFrom('host_mappings').select(['host', 'cell_id']).orderBy('host').execute()).map((r) => [r.host, r.cell_id]);
  const mappedFlags = async (db: Kysely<CellDatabase>): Promise<Array<number | null>> =>
    (await db.selectFrom('compute_nodes').select('mapped').orderBy('id').execute()).map((r) => r.mapped);
  const mapHost = (host: string, cellId: number) => api.insertInto('host_mappings').values({ host, cell_id: cellId }).execute();

  describe('host discover', () => {
    it('maps every cell but cell0 (the disabled one included), lists the new hosts, and --strict is 1 once nothing is new', async () => {
      await insertComputeNode(cell1, { host: 'b' });
      await insertComputeNode(cell1, { host: 'a' });
      await insertComputeNode(cell2, { host: 'c' });
      await insertComputeNode(cell0, { host: 'z' });

      const json = await cli('-f', 'json', 'host', 'discover');
      expect(json.code).toBe(0);
      expect(await hostMappings()).toEqual([
        ['a', ids.cell1],
        ['b', ids.cell1],
        ['c', ids.cell2],
      ]);
      expect(await mappedFlags(cell1)).toEqual([1, 1]);
      expect(await mappedFlags(cell0)).toEqual([0]);
      expect(JSON.parse(json.stdout)).toEqual([
        { host: 'a', cell_name: 'cell1', cell_uuid: CELL1_UUID, status: 'ok', error: null },
        { host: 'b', cell_name: 'cell1', cell_uuid: CELL1_UUID, status: 'ok', error: null },
        { host: 'c', cell_name: 'cell2', cell_uuid: CELL2_UUID, status: 'ok', error: null },
      ]);
      expect(json.stderr).toMatch(/mapped 3 new hosts \(2 cells scanned; 3 compute nodes marked mapped\)/);
      expect(json.stderr).toMatch(SIGHUP_NOTE);

      const strict = await cli('-f', 'value', 'host', 'discover', '--strict');
      expect(strict).toMatchObject({ code: 1, stdout: '' });
      expect(strict.stderr).toMatch(/mapped 0 new hosts/);
      expect(strict.stderr).not.toMatch(SIGHUP_NOTE);
      expect((await cli('host', 'discover')).code).toBe(0);

      await insertComputeNode(cell2, { host: 'd' });
      const value = await cli('-f', 'value', 'host', 'discover', '--strict', '--cell', 'cell2');
      expect(value).toMatchObject({ code: 0, stdout: `cell2 ${CELL2_UUID} d ok \n` });
    });

    it('prints a table by default, and -c selects columns', async () => {
      await insertComputeNode(cell1, { host: 'h1' });
      const table = await cli('host', 'discover', '--dry-run');
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/\| Cell Name +\| Cell UUID +\| Host +\| Status +\| Error +\|/);
      expect(table.stdout).toMatch(new RegExp(`\\| cell1 +\\| ${CELL1_UUID} \\| h1 +\\| ok +\\|`));
      expect((await cli('-f', 'value', '-c', 'host', 'host', 'discover')).stdout).toBe('h1\n');
    });

    it('warns about a host already mapped to another cell and leaves it, its node unmapped', async () => {
      await mapHost('shared', ids.cell1);
      await insertComputeNode(cell2, { host: 'shared' });
      const result = await cli('-f', 'json', 'host', 'discover');
      expect(result.code).toBe(0);
      expect(await hostMappings()).toEqual([['shared', ids.cell1]]);
      expect(await mappedFlags(cell2)).toEqual([0]);
      expect(JSON.parse(result.stdout)).toEqual([]);
      expect(result.stderr).toMatch(
        new RegExp(`cellctl: warning: host shared of cell cell2 \\(${CELL2_UUID}\\) is already mapped to cell cell1 \\(${CELL1_UUID}\\); left as it is`),
      );
    });

    it('--by-service maps nova-compute service hosts and leaves compute_nodes.mapped alone', async () => {
      await insertComputeService(cell2, 'ironic-a', { disabled: 1 });
      await insertComputeService(cell2, 'sched', { binary: 'nova-scheduler', topic: 'scheduler' });
      await insertComputeNode(cell2, { host: 'ironic-a' });
      const result = await cli('-f', 'value', '-c', 'host', 'host', 'discover', '--by-service');
      expect(result).toMatchObject({ code: 0, stdout: 'ironic-a\n' });
      expect(await hostMappings()).toEqual([['ironic-a', ids.cell2]]);
      expect(await mappedFlags(cell2)).toEqual([0]);
    });

    it('--dry-run lists the hosts it would map and writes nothing', async () => {
      await insertComputeNode(cell1, { host: 'new-1' });
      await insertComputeService(cell1, 'new-1');
      const result = await cli('-f', 'json', 'host', 'discover', '--dry-run', '--strict');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual([{ host: 'new-1', cell_name: 'cell1', cell_uuid: CELL1_UUID, status: 'ok', error: null }]);
      expect(result.stderr).toMatch(/dry run: would map 1 new host .*nothing written/);
      expect(result.stderr).not.toMatch(SIGHUP_NOTE);
      expect(await hostMappings()).toEqual([]);
      expect(await mappedFlags(cell1)).toEqual([0]);
      expect((await cli('host', 'discover', '--dry-run', '--by-service')).code).toBe(0);
      expect(await hostMappings()).toEqual([]);
    });

    it.each([
      [['--cell', 'cell0'], /cell0 never has hosts/],
      [['--cell', CELL0_UUID], /cell0 never has hosts/],
      [['--cell', 'cell9'], /no cell has the name or UUID 'cell9'/],
      [['--timeout', '5'], /--timeout needs --wait-for/],
      [['--wait-for', 'a', '--timeout', 'soon'], /invalid --timeout 'soon'/],
      [['--wait-for', 'a', '--timeout', '-1'], /invalid --timeout '-1'/],
      [['--wait-for', ' , '], /--wait-for needs at least one host name/],
      [['--wait-for', 'a', '--dry-run'], /cannot be combined with --dry-run/],
      [['--bogus'], /unknown option '--bogus'/],
    ])('refuses %j with 127 and maps nothing', async (args, message) => {
      await insertComputeNode(cell1, { host: 'h' });
      const result = await cli('host', 'discover', ...args);
      expect(result.code).toBe(127);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stdout).toBe('');
      expect(await hostMappings()).toEqual([]);
    });

    it('--wait-for keeps discovering until the named hosts are mapped', async () => {
      await insertComputeNode(cell1, { host: 'first' });
      const pending = cli('-f', 'value', '-c', 'host', 'host', 'discover', '--wait-for', 'first,late', '--timeout', '30');
      await new Promise((r) => setTimeout(r, 300));
      await insertComputeNode(cell2, { host: 'late' });
      const result = await pending;
      expect(result).toMatchObject({ code: 0, stdout: 'first\nlate\n' });
      expect(result.stderr).toMatch(/waiting up to 30 s for hosts to be mapped: late/);
      expect(await hostMappings()).toEqual([
        ['first', ids.cell1],
        ['late', ids.cell2],
      ]);
    });

    it('--wait-for gives up at the timeout with 1, naming the missing hosts, after mapping the others', async () => {
      await insertComputeNode(cell1, { host: 'present' });
      await mapHost('premapped', ids.cell2);
      const result = await cli('-f', 'value', '-c', 'host', 'host', 'discover', '--wait-for', 'present,premapped', '--wait-for', 'ghost', '--timeout', '0.5');
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('present\n');
      expect(result.stderr).toMatch(/cellctl: error: timed out after 0.5 s: not mapped to any cell: ghost\n/);
      expect((await hostMappings()).map(([h]) => h)).toEqual(['premapped', 'present']);
    });

    it('reports a cell whose database does not exist in one error line naming db sync --cell, maps the others, and exits 255', async () => {
      const missing = env.dialect === 'sqlite' ? `sqlite:///${join(env.dir, 'missing', 'dir', 'x.sqlite')}` : env.newUrl('never_created');
      await insertCellMapping(api, { name: 'down', databaseConnection: missing });
      await insertComputeNode(cell1, { host: 'up-1' });
      await insertComputeNode(cell2, { host: 'up-2' });
      const result = await cli('-f', 'json', 'host', 'discover', '--strict');
      expect(result.code).toBe(255);
      expect(await hostMappings()).toEqual([
        ['up-1', ids.cell1],
        ['up-2', ids.cell2],
      ]);
      const rows = JSON.parse(result.stdout) as Array<{ host: string | null; cell_name: string; status: string; error: string | null }>;
      expect(rows.map((r) => [r.host, r.status])).toEqual([
        ['up-1', 'ok'],
        ['up-2', 'ok'],
        [null, 'failed'],
      ]);
      const fix =
        env.dialect === 'sqlite' ? 'does not exist yet, nor its directory: create the directory, then run `cellctl db sync --cell down`' : 'does not exist yet: create it with `cellctl db sync --cell down`';
      expect(rows[2]).toMatchObject({ cell_name: 'down', error: expect.stringMatching(/^cell database \S+ /) });
      expect(rows[2].error?.endsWith(fix)).toBe(true);
      const errors = result.stderr.split('\n').filter((l) => l.startsWith('cellctl: error:'));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/cellctl: error: cell down \(.*\): cell database \S+ does not exist yet/);
      expect(errors[0].endsWith(fix)).toBe(true);
      // The cells that failed are counted as failed, not as 'scanned' less them.
      expect(result.stderr).toMatch(/\nmapped 2 new hosts \(1 of 3 cells failed; 2 compute nodes marked mapped\)\n/);
    });

    it('parallel runs as separate processes never fail on each other: each host mapped once, reported once', async () => {
      const hosts = Array.from({ length: 80 }, (_, i) => `race-${String(i).padStart(2, '0')}`);
      for (const [i, host] of hosts.entries()) await insertComputeNode(i % 2 ? cell1 : cell2, { host });
      // Hold the host mappings table while the processes start, so that they all meet there and
      // then insert the same hosts at the same time: the collision that makes Nova exit 2.
      const release = await lockHostMappings(env.dialect, urls.api);
      const runs = Promise.all(
        Array.from({ length: 4 }, () => runCellctlProcess(['--config-file', conf, '-f', 'json', 'host', 'discover'], { cwd: env.dir })),
      );
      await new Promise((r) => setTimeout(r, 2500));
      await release();
      for (const run of await runs) expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0, stderr: expect.not.stringMatching(/error/) });
      const reported = (await runs).flatMap((r) => (JSON.parse(r.stdout) as Array<{ host: string }>).map((row) => row.host)).sort();
      expect(reported).toEqual(hosts);
      expect((await hostMappings()).map(([h]) => h)).toEqual(hosts);
      expect([...(await mappedFlags(cell1)), ...(await mappedFlags(cell2))].every((m) => m === 1)).toBe(true);
    });
  });

  describe('host list', () => {
    it('lists host mappings sorted by host, in every format, of all cells or one', async () => {
      await mapHost('b-host', ids.cell2);
      await mapHost('a-host', ids.cell1);
      const json = await cli('-f', 'json', 'host', 'list');
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual([
        { cell_name: 'cell1', cell_uuid: CELL1_UUID, host: 'a-host' },
        { cell_name: 'cell2', cell_uuid: CELL2_UUID, host: 'b-host' },
      ]);
      expect((await cli('-f', 'value', 'host', 'list')).stdout).toBe(`cell1 ${CELL1_UUID} a-host\ncell2 ${CELL2_UUID} b-host\n`);
      expect((await cli('-f', 'csv', 'host', 'list', '--cell', 'cell2')).stdout).toBe(`"cell_name","cell_uuid","host"\n"cell2","${CELL2_UUID}","b-host"\n`);
      expect((await cli('-f', 'yaml', 'host', 'list', '--cell', CELL1_UUID)).stdout).toMatch(/- cell_name: cell1\n {2}cell_uuid: 1111.*\n {2}host: a-host\n/);
      const table = await cli('host', 'list');
      expect(table.stdout).toMatch(/\| Cell Name \| Cell UUID +\| Host +\|/);
      expect((await cli('-f', 'json', 'host', 'list', '--cell', 'cell0')).stdout).toBe('[]\n');
      expect((await cli('host', 'list', '--cell', 'nope')).code).toBe(127);
    });

    it('orders its columns as host discover does (discover adds status and error after them)', async () => {
      await insertComputeNode(cell1, { host: 'h1' });
      const discovered = await cli('-f', 'csv', 'host', 'discover');
      const listed = await cli('-f', 'csv', 'host', 'list');
      expect(listed.stdout.split('\n')[0]).toBe('"cell_name","cell_uuid","host"');
      expect(discovered.stdout.split('\n')[0]).toBe('"cell_name","cell_uuid","host","status","error"');
      expect(discovered.stdout.split('\n')[1]).toBe(`${listed.stdout.split('\n')[1]},"ok",`);
    });

    it('prints the same scheduler-cache note as the cell commands, word for word', async () => {
      await insertComputeNode(cell1, { host: 'h1' });
      const discovered = await cli('host', 'discover');
      const created = await cli('cell', 'create', '--name', 'cell3', '--database-connection', env.newUrl('cell3'), '--transport-url', 'rabbit://nova:pw@mq3/');
      expect(created.code).toBe(0);
      for (const run of [discovered, created]) expect(run.stderr.split('\n').filter((line) => line.includes('SIGHUP')).map((line) => `${line}\n`)).toEqual([SIGHUP_NOTE_LINE]);
    });
  });

  describe('host delete', () => {
    it('deletes the mapping and marks the host nodes unmapped (0); --dry-run writes nothing', async () => {
      await mapHost('h', ids.cell1);
      await insertComputeNode(cell1, { host: 'h', mapped: 1 });
      await insertInstance(cell1, { host: 'h', deleted: true });

      const dry = await cli('host', 'delete', '--cell', 'cell1', '--host', 'h', '--dry-run');
      expect(dry).toMatchObject({ code: 0, stdout: '' });
      expect(dry.stderr).toMatch(/dry run: would delete the host mapping of h \(cell cell1 .*\) and mark its 1 compute node unmapped; nothing written/);
      expect(await hostMappings()).toEqual([['h', ids.cell1]]);
      expect(await mappedFlags(cell1)).toEqual([1]);

      const done = await cli('host', 'delete', '--cell', CELL1_UUID, '--host', 'h');
      expect(done).toMatchObject({ code: 0, stdout: '' });
      expect(await hostMappings()).toEqual([]);
      expect(await mappedFlags(cell1)).toEqual([0]);
      expect(done.stderr).toMatch(/deleted the host mapping of h/);
      expect(done.stderr).toMatch(SIGHUP_NOTE);
    });

    it('exits 2 for an unmapped host, 3 for a host of another cell, 4 for a host with live instances, changing nothing', async () => {
      const notMapped = await cli('host', 'delete', '--cell', 'cell1', '--host', 'nobody');
      expect(notMapped.code).toBe(2);
      expect(notMapped.stderr).toBe('cellctl: error: host nobody is not mapped to any cell\n');

      await mapHost('h2', ids.cell2);
      const elsewhere = await cli('host', 'delete', '--cell', 'cell1', '--host', 'h2');
      expect(elsewhere.code).toBe(3);
      expect(elsewhere.stderr).toMatch(/host h2 is not in cell cell1 .*: it is mapped to cell cell2 \(2222/);

      await mapHost('busy', ids.cell1);
      await insertComputeNode(cell1, { host: 'busy', mapped: 1 });
      await insertInstance(cell1, { host: 'busy' });
      const busy = await cli('host', 'delete', '--cell', 'cell1', '--host', 'busy');
      expect(busy.code).toBe(4);
      expect(busy.stderr).toMatch(/there is 1 live instance on host busy in cell cell1/);
      expect(await hostMappings()).toEqual([
        ['busy', ids.cell1],
        ['h2', ids.cell2],
      ]);
      expect(await mappedFlags(cell1)).toEqual([1]);
    });

    it('is 127 without --host, or for an unknown cell', async () => {
      expect((await cli('host', 'delete', '--cell', 'cell1')).code).toBe(127);
      const unknown = await cli('host', 'delete', '--cell', 'cell9', '--host', 'h');
      expect(unknown.code).toBe(127);
      expect(unknown.stderr).toMatch(/no cell has the name or UUID 'cell9'/);
    });
  });

  describe('empty or blank values', () => {
    it('host delete refuses an empty or blank --host: 127, one line naming the flag, nothing changed', async () => {
      await mapHost('h1', ids.cell1);
      for (const host of ['', ' ', '\t']) {
        const result = await cli('host', 'delete', '--cell', 'cell1', '--host', host);
        expect({ host, code: result.code }).toEqual({ host, code: 127 });
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(/^cellctl: error: .*--host must name a host, not '(|\s|\\t)'\n$/);
      }
      expect(await hostMappings()).toEqual([['h1', ids.cell1]]);
    });

    it.each([
      [['host', 'delete', '--cell', '', '--host', 'h1']],
      [['host', 'list', '--cell', '']],
      [['host', 'discover', '--cell', ' ']],
      [['db', 'version', '--cell', '']],
      [['db', 'sync', '--cell', '']],
      [['map-instances', '--cell', '']],
      [['online-data-migrations', '--cell', '']],
    ])('%j: an empty or blank --cell is 127 in one line naming the flag', async (argv) => {
      await mapHost('h1', ids.cell1);
      const result = await cli(...argv);
      expect(result.code).toBe(127);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^cellctl: error: .*--cell must name a cell \(its name or UUID\), not '\s*'\n$/);
      expect(await hostMappings()).toEqual([['h1', ids.cell1]]);
    });

    it.each([[['cell', 'show', '']], [['cell', 'update', ' ', '--disable']], [['cell', 'delete', '']]])('%j: an empty or blank cell argument is 127 in one line', async (argv) => {
      const result = await cli(...argv);
      expect(result.code).toBe(127);
      expect(result.stderr).toMatch(/^cellctl: error: .*<cell> must name a cell \(its name or UUID\), not '\s*'\n$/);
    });
  });

  describeWithNova()("against Nova's nova-manage", () => {
    const novaHosts = (stdout: string): string[][] =>
      stdout
        .split('\n')
        .filter((l) => l.startsWith('|'))
        .slice(1)
        .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));

    it('Nova lists the hosts cellctl discovered; cellctl lists the hosts Nova discovered and then finds nothing new', async () => {
      const novaConf = writeNovaConf(join(env.dir, 'nova'), { api: urls.api });
      await insertComputeNode(cell1, { host: 'by-cellctl-1' });
      await insertComputeNode(cell2, { host: 'by-cellctl-2' });
      expect((await cli('host', 'discover')).code).toBe(0);

      await insertComputeNode(cell1, { host: 'by-nova' });
      const discovered = novaManage(novaConf, ['cell_v2', 'discover_hosts', '--strict']);
      expect(discovered.status).toBe(0);
      expect(await mappedFlags(cell1)).toEqual([1, 1]);

      const novaList = novaManageOk(novaConf, ['cell_v2', 'list_hosts']);
      expect(novaHosts(novaList.stdout)).toEqual([
        ['cell1', CELL1_UUID, 'by-cellctl-1'],
        ['cell2', CELL2_UUID, 'by-cellctl-2'],
        ['cell1', CELL1_UUID, 'by-nova'],
      ]);
      const ours = await cli('-f', 'value', 'host', 'list');
      expect(ours.stdout).toBe(`cell1 ${CELL1_UUID} by-cellctl-1\ncell2 ${CELL2_UUID} by-cellctl-2\ncell1 ${CELL1_UUID} by-nova\n`);
      const again = await cli('-f', 'json', 'host', 'discover', '--strict');
      expect(again).toMatchObject({ code: 1, stdout: '[]\n' });
    });
  });
});

/**
 * Takes a write lock on the API database's host_mappings (SQLite: the whole database, readers
 * still allowed; MySQL: LOCK TABLES) from outside cellctl; returns the function that releases it.
 */
async function lockHostMappings(dialect: string, apiUrl: string): Promise<() => Promise<void>> {
  const url = parseDatabaseUrl(apiUrl, '/');
  if (dialect === 'sqlite' && url.dialect === 'sqlite') {
    const db = new BetterSqlite3(url.path);
    db.exec('BEGIN IMMEDIATE');
    return async () => {
      db.exec('COMMIT');
      db.close();
    };
  }
  if (url.dialect !== 'mysql') throw new Error(`unexpected URL ${apiUrl}`);
  const connection = await mysql.createConnection({ ...adminOptions(), database: url.database });
  await connection.query('LOCK TABLES host_mappings WRITE');
  return async () => {
    await connection.query('UNLOCK TABLES');
    await connection.end();
  };
}
