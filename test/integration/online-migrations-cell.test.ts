/**
 * The cell online data migrations that read the configuration: populate_missing_availability_zones
 * (an instance's zone from the API database's aggregates) and migrate_empty_ratio (a compute
 * node's empty allocation ratios from the settings), on both dialects, and beside Nova's own run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { clearCellTables, createNovaDatabase, insertCellMapping, insertComputeNode, insertInstance } from '../support/cell-fixtures';
import { runCli } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';
import { copyDatabase, describeWithNova, novaManage } from '../support/nova-oracle';
import { dumpRows } from '../support/row-dump';

const AZ = 'populate_missing_availability_zones';
const RATIO = 'migrate_empty_ratio';
const FAKE_UUID = '00000000-0000-0000-0000-000000000000';

interface CellRow {
  cell: string | null;
  found: number;
  migrated: number;
  remaining: number;
  unmigratable: number;
  unmigratable_reasons: Record<string, number> | null;
}

/** The per-cell counts of `migration` in `cell` from `-f json` output. */
function countsOf(stdout: string, migration: string, cell = 'cell1'): Omit<CellRow, 'cell'> {
  const summary = (JSON.parse(stdout) as Array<{ migration: string; cells: CellRow[] }>).find((s) => s.migration === migration);
  const row = summary?.cells.find((c) => c.cell === cell);
  if (!row) throw new Error(`no ${migration} row for ${cell} in ${stdout}`);
  const { found, migrated, remaining, unmigratable, unmigratable_reasons } = row;
  return { found, migrated, remaining, unmigratable, unmigratable_reasons };
}

/** Adds an aggregate holding `hosts` (in that order), with an availability zone unless `az` is null; returns its id. */
async function addAggregate(api: Kysely<ApiDatabase>, name: string, az: string | null, hosts: string[]): Promise<number> {
  const id = Number((await api.insertInto('aggregates').values({ name, uuid: `uuid-${name}` }).executeTakeFirstOrThrow()).insertId);
  await api.insertInto('aggregate_metadata').values({ aggregate_id: id, key: az === null ? 'ssd' : 'availability_zone', value: az ?? 'true' }).execute();
  for (const host of hosts) await api.insertInto('aggregate_hosts').values({ aggregate_id: id, host }).execute();
  return id;
}

async function clearAggregates(api: Kysely<ApiDatabase>): Promise<void> {
  await api.deleteFrom('aggregate_hosts').execute();
  await api.deleteFrom('aggregate_metadata').execute();
  await api.deleteFrom('aggregates').execute();
}

async function zones(db: Kysely<CellDatabase>): Promise<Record<string, { az: string | null; updated: boolean }>> {
  const rows = await db.selectFrom('instances').select(['uuid', 'availability_zone', 'updated_at']).execute();
  return Object.fromEntries(rows.map((r) => [r.uuid, { az: r.availability_zone, updated: r.updated_at !== null }]));
}

async function ratios(db: Kysely<CellDatabase>): Promise<Record<number, [number | null, number | null, number | null, boolean]>> {
  const rows = await db.selectFrom('compute_nodes').select(['id', 'cpu_allocation_ratio', 'ram_allocation_ratio', 'disk_allocation_ratio', 'updated_at']).execute();
  return Object.fromEntries(rows.map((r) => [r.id, [r.cpu_allocation_ratio, r.ram_allocation_ratio, r.disk_allocation_ratio, r.updated_at !== null]]));
}

/**
 * An API database mapping one cell, `cell1` (cell0's schema costs time and holds nothing these
 * migrations read); returns a context on both.
 */
async function deployment(apiUrl: string, cellUrl: string, dir: string): Promise<DatabaseContext> {
  await createNovaDatabase(apiUrl, 'api', dir);
  await createNovaDatabase(cellUrl, 'cell', dir);
  const dbs = createDatabaseContext({ apiDatabaseConnection: apiUrl, databaseConnection: cellUrl, cwd: dir });
  await insertCellMapping((await dbs.api()).db, { name: 'cell1', databaseConnection: cellUrl });
  return dbs;
}

describeEachDialect('online data migrations: availability zones and allocation ratios', (env) => {
  let conf: string;
  let dbs: DatabaseContext;
  let api: Kysely<ApiDatabase>;
  let cell: Kysely<CellDatabase>;
  const cli = (argv: string[], settings: Record<string, string> = {}) => runCli(['--config-file', conf, ...argv], { cwd: env.dir, env: settings });
  const migrate = (argv: string[] = [], settings: Record<string, string> = {}) =>
    cli(['-f', 'json', 'online-data-migrations', '--migration', AZ, '--migration', RATIO, ...argv], settings);

  beforeAll(async () => {
    const apiUrl = env.newUrl('api');
    const local = env.newUrl('nova');
    conf = join(env.dir, 'nova.conf');
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\n[api_database]\nconnection = ${apiUrl}\n[database]\nconnection = ${local}\n`);
    dbs = await deployment(apiUrl, local, env.dir);
    api = (await dbs.api()).db;
    cell = (await dbs.localCell()).db;
  });
  afterAll(() => dbs?.close());
  beforeEach(async () => {
    await clearCellTables(cell);
    await clearAggregates(api);
  });

  describe(AZ, () => {
    it("gives an instance its host's aggregate zone, else the default 'nova'; leaves instances without host or with a zone alone", async () => {
      await addAggregate(api, 'a1', 'zone-1', ['h1']);
      await addAggregate(api, 'a2', null, ['h2']);
      const inZone = await insertInstance(cell, { host: 'h1' });
      const alsoInZone = await insertInstance(cell, { host: 'h1' });
      const notAZone = await insertInstance(cell, { host: 'h2' });
      const noAggregate = await insertInstance(cell, { host: 'h3' });
      const noHost = await insertInstance(cell, { host: null });
      const kept = await insertInstance(cell, { host: 'h1', availability_zone: 'kept' });

      const result = await migrate();
      expect(result.code).toBe(0);
      expect(countsOf(result.stdout, AZ)).toEqual({ found: 4, migrated: 4, remaining: 0, unmigratable: 0, unmigratable_reasons: {} });
      expect(await zones(cell)).toEqual({
        [inZone]: { az: 'zone-1', updated: true },
        [alsoInZone]: { az: 'zone-1', updated: true },
        [notAZone]: { az: 'nova', updated: true },
        [noAggregate]: { az: 'nova', updated: true },
        [noHost]: { az: null, updated: false },
        [kept]: { az: 'kept', updated: false },
      });
    });

    it('takes the configured default zone, and the lowest aggregate id of a host in two zones', async () => {
      // The host joins the later aggregate first, so neither the join rows' order nor the zone names' decide.
      const first = Number((await api.insertInto('aggregates').values({ name: 'first', uuid: 'uuid-first' }).executeTakeFirstOrThrow()).insertId);
      await addAggregate(api, 'second', 'zone-a', ['h1']);
      await api.insertInto('aggregate_metadata').values({ aggregate_id: first, key: 'availability_zone', value: 'zone-z' }).execute();
      await api.insertInto('aggregate_hosts').values({ aggregate_id: first, host: 'h1' }).execute();
      const twoZones = await insertInstance(cell, { host: 'h1' });
      const defaulted = await insertInstance(cell, { host: 'h9' });

      const result = await migrate([], { OS_DEFAULT__DEFAULT_AVAILABILITY_ZONE: 'zone-default' });
      expect(result.code).toBe(0);
      expect(await zones(cell)).toEqual({ [twoZones]: { az: 'zone-z', updated: true }, [defaulted]: { az: 'zone-default', updated: true } });
    });

    it('fills deleted and hidden instances too, as Nova does', async () => {
      await addAggregate(api, 'a1', 'zone-1', ['h1']);
      const deleted = await insertInstance(cell, { host: 'h1', deleted: true });
      const hidden = await insertInstance(cell, { host: 'h1', hidden: 1 });
      const softDeleted = await insertInstance(cell, { host: 'h2', vm_state: 'soft-delete' });
      const result = await migrate();
      expect(result.code).toBe(0);
      expect(countsOf(result.stdout, AZ)).toMatchObject({ found: 3, migrated: 3 });
      expect(await zones(cell)).toEqual({
        [deleted]: { az: 'zone-1', updated: true },
        [hidden]: { az: 'zone-1', updated: true },
        [softDeleted]: { az: 'nova', updated: true },
      });
    });

    it("compares host names as the API database does (case-insensitive on MySQL, exact on SQLite), as Nova's query", async () => {
      await addAggregate(api, 'a1', 'zone-1', ['h1']);
      const upper = await insertInstance(cell, { host: 'H1' });
      expect((await migrate()).code).toBe(0);
      expect((await zones(cell))[upper]?.az).toBe(env.dialect === 'mysql' ? 'zone-1' : 'nova');
    });

    it("counts an instance with an empty host once as unmigratable, never writes it, and never loops (Nova never ends)", async () => {
      await addAggregate(api, 'a1', 'zone-1', ['h1']);
      const empty = [await insertInstance(cell, { host: '' }), await insertInstance(cell, { host: '' }), await insertInstance(cell, { host: '' })];
      const migratable = await insertInstance(cell, { host: 'h1' });

      // The migratable row behind the unmigratable ones is reached even with a budget of one.
      const limited = await migrate(['--max-count', '1']);
      expect(limited.code).toBe(0);
      expect(countsOf(limited.stdout, AZ)).toEqual({ found: 4, migrated: 1, remaining: 0, unmigratable: 3, unmigratable_reasons: { 'empty-host': 3 } });

      const again = await migrate();
      expect(again.code).toBe(0);
      expect(countsOf(again.stdout, AZ)).toEqual({ found: 3, migrated: 0, remaining: 0, unmigratable: 3, unmigratable_reasons: { 'empty-host': 3 } });
      const after = await zones(cell);
      expect(after[migratable]).toEqual({ az: 'zone-1', updated: true });
      for (const uuid of empty) expect(after[uuid]).toEqual({ az: null, updated: false });
    });
  });

  describe(RATIO, () => {
    it('fills each NULL or 0.0 ratio of live compute nodes with the initial ratios, leaving the others and deleted nodes alone', async () => {
      const set = { cpu_allocation_ratio: 2, ram_allocation_ratio: 3, disk_allocation_ratio: 4 };
      const cpuNull = await insertComputeNode(cell, { host: 'c1', ...set, cpu_allocation_ratio: null });
      const cpuZero = await insertComputeNode(cell, { host: 'c2', ...set, cpu_allocation_ratio: 0 });
      const ramNull = await insertComputeNode(cell, { host: 'c3', ...set, ram_allocation_ratio: null });
      const ramZero = await insertComputeNode(cell, { host: 'c4', ...set, ram_allocation_ratio: 0 });
      const diskNull = await insertComputeNode(cell, { host: 'c5', ...set, disk_allocation_ratio: null });
      const diskZero = await insertComputeNode(cell, { host: 'c6', ...set, disk_allocation_ratio: 0 });
      const allEmpty = await insertComputeNode(cell, { host: 'c7', cpu_allocation_ratio: null, ram_allocation_ratio: 0, disk_allocation_ratio: null });
      const full = await insertComputeNode(cell, { host: 'c8', ...set });
      const deleted = await insertComputeNode(cell, { host: 'c9', cpu_allocation_ratio: null, ram_allocation_ratio: null, disk_allocation_ratio: null, deleted: true });

      const result = await migrate();
      expect(result.code).toBe(0);
      expect(countsOf(result.stdout, RATIO)).toEqual({ found: 7, migrated: 7, remaining: 0, unmigratable: 0, unmigratable_reasons: {} });
      expect(await ratios(cell)).toEqual({
        [cpuNull]: [16, 3, 4, true],
        [cpuZero]: [16, 3, 4, true],
        [ramNull]: [2, 1.5, 4, true],
        [ramZero]: [2, 1.5, 4, true],
        [diskNull]: [2, 3, 1, true],
        [diskZero]: [2, 3, 1, true],
        [allEmpty]: [16, 1.5, 1, true],
        [full]: [2, 3, 4, false],
        [deleted]: [null, null, null, false],
      });
    });

    it('takes a configured ratio, and the initial ratio (default or configured) where the ratio is unset or 0.0', async () => {
      const node = await insertComputeNode(cell, { host: 'c1', cpu_allocation_ratio: null, ram_allocation_ratio: null, disk_allocation_ratio: 0 });
      const result = await migrate([], {
        OS_DEFAULT__CPU_ALLOCATION_RATIO: '4.0',
        OS_DEFAULT__RAM_ALLOCATION_RATIO: '0.0',
        OS_DEFAULT__DISK_ALLOCATION_RATIO: '',
        OS_DEFAULT__INITIAL_DISK_ALLOCATION_RATIO: '2.5',
      });
      expect(result.code).toBe(0);
      expect((await ratios(cell))[node]).toEqual([4, 1.5, 2.5, true]);
    });

    it('refuses a malformed or negative ratio, or an initial ratio of 0, before anything runs: 127', async () => {
      await insertComputeNode(cell, { host: 'c1', cpu_allocation_ratio: null });
      await insertInstance(cell, { host: 'h1' });
      const before = await dumpRows(await dbs.localCell());
      for (const [option, value] of [
        ['CPU_ALLOCATION_RATIO', 'abc'],
        ['RAM_ALLOCATION_RATIO', '-1'],
        ['INITIAL_DISK_ALLOCATION_RATIO', '0'],
        ['INITIAL_CPU_ALLOCATION_RATIO', ''],
      ]) {
        const result = await migrate([], { [`OS_DEFAULT__${option}`]: value });
        expect(result.code).toBe(127);
        expect(result.stderr).toContain(option.toLowerCase());
        expect(result.stdout).toBe('');
      }
      expect(await dumpRows(await dbs.localCell())).toEqual(before);
      // The setting matters only to the migration that reads it.
      const other = await cli(['-f', 'json', 'online-data-migrations', '--migration', AZ], { OS_DEFAULT__CPU_ALLOCATION_RATIO: 'abc' });
      expect(other.code).toBe(0);
    });
  });

  describe('both', () => {
    it('--status counts what would be done and writes nothing', async () => {
      await addAggregate(api, 'a1', 'zone-1', ['h1']);
      await insertInstance(cell, { host: 'h1' });
      await insertInstance(cell, { host: '' });
      await insertComputeNode(cell, { host: 'c1', cpu_allocation_ratio: null });
      const before = [await dumpRows(await dbs.api()), await dumpRows(await dbs.localCell())];
      const status = await migrate(['--status']);
      expect(status.code).toBe(1);
      expect(countsOf(status.stdout, AZ)).toEqual({ found: 2, migrated: 0, remaining: 1, unmigratable: 1, unmigratable_reasons: { 'empty-host': 1 } });
      expect(countsOf(status.stdout, RATIO)).toEqual({ found: 1, migrated: 0, remaining: 1, unmigratable: 0, unmigratable_reasons: {} });
      expect([await dumpRows(await dbs.api()), await dumpRows(await dbs.localCell())]).toEqual(before);
    });

    it('--max-count is one budget over both migrations, in registry order', async () => {
      for (const host of ['h1', 'h2', 'h3']) await insertInstance(cell, { host });
      for (const host of ['c1', 'c2', 'c3']) await insertComputeNode(cell, { host, ram_allocation_ratio: 0 });
      const first = await migrate(['--max-count', '4']);
      expect(first.code).toBe(1);
      expect(countsOf(first.stdout, AZ)).toMatchObject({ found: 3, migrated: 3, remaining: 0 });
      expect(countsOf(first.stdout, RATIO)).toMatchObject({ found: 3, migrated: 1, remaining: 2 });
      const second = await migrate(['--max-count', '4']);
      expect(second.code).toBe(0);
      expect(countsOf(second.stdout, AZ)).toMatchObject({ found: 0, migrated: 0 });
      expect(countsOf(second.stdout, RATIO)).toMatchObject({ found: 2, migrated: 2, remaining: 0 });
      expect(Object.values(await ratios(cell)).map((r) => r[1])).toEqual([1.5, 1.5, 1.5]);
    });
  });
});

describeWithNova()('online data migrations: availability zones and allocation ratios beside Nova', () => {
  describeEachDialect('the same rows as Nova', (env) => {
    // NOTE: MariaDB only: on SQLite Nova's fill_virtual_interface_list needs a security group first.
    (env.dialect === 'mysql' ? it : it.skip)("writes what Nova's run writes on a copy, and Nova then finds nothing to do", async () => {
      const settings = 'default_availability_zone = zone-default\ncpu_allocation_ratio = 4.0\nram_allocation_ratio = 0.0\ninitial_disk_allocation_ratio = 2.5\n';
      const confFor = (name: string, apiUrl: string, cellUrl: string): string => {
        const file = join(env.dir, `${name}.conf`);
        writeFileSync(file, `[DEFAULT]\ntransport_url = rabbit://nova:pw@127.0.0.1:5672/\nstate_path = ${join(env.dir, 'state')}\n${settings}[api_database]\nconnection = ${apiUrl}\n[database]\nconnection = ${cellUrl}\n`);
        return file;
      };
      const ours = { api: env.newUrl('api'), cell: env.newUrl('cell1') };
      const novas = { api: env.newUrl('nova_api'), cell: env.newUrl('nova_cell1') };
      const oursConf = confFor('ours', ours.api, ours.cell);
      const cli = (...argv: string[]) => runCli(['--config-file', oursConf, ...argv], { cwd: env.dir });
      const dbs = await deployment(ours.api, ours.cell, env.dir);
      try {
        const api = (await dbs.api()).db;
        const cell = (await dbs.localCell()).db;
        await addAggregate(api, 'a1', 'zone-1', ['h1', 'h2']);
        await addAggregate(api, 'a2', null, ['h3']);
        for (const host of ['h1', 'h2', 'h3', 'h9', 'H1', 'h2 ']) await insertInstance(cell, { host });
        await insertInstance(cell, { host: 'h1', deleted: true });
        await insertInstance(cell, { host: 'h2', hidden: 1 });
        await insertInstance(cell, { host: null });
        await insertInstance(cell, { host: 'h1', availability_zone: 'kept' });
        const set = { cpu_allocation_ratio: 2, ram_allocation_ratio: 3, disk_allocation_ratio: 4 };
        await insertComputeNode(cell, { host: 'c1', ...set, cpu_allocation_ratio: null });
        await insertComputeNode(cell, { host: 'c2', ...set, ram_allocation_ratio: 0 });
        await insertComputeNode(cell, { host: 'c3', ...set, disk_allocation_ratio: null });
        await insertComputeNode(cell, { host: 'c4', cpu_allocation_ratio: 0, ram_allocation_ratio: null, disk_allocation_ratio: 0 });
        await insertComputeNode(cell, { host: 'c5', ...set });
        await insertComputeNode(cell, { host: 'c6', cpu_allocation_ratio: null, ram_allocation_ratio: null, disk_allocation_ratio: null, deleted: true });

        // Nova's copy maps its own copy of the cell (Nova writes into every mapped cell).
        await copyDatabase(ours.api, novas.api);
        await copyDatabase(ours.cell, novas.cell);
        const novaDbs = createDatabaseContext({ apiDatabaseConnection: novas.api, databaseConnection: novas.cell, cwd: env.dir });
        try {
          await (await novaDbs.api()).db.updateTable('cell_mappings').set({ database_connection: novas.cell }).where('name', '=', 'cell1').execute();

          const result = await cli('-f', 'json', 'online-data-migrations', '--migration', AZ, '--migration', RATIO);
          expect(result.code).toBe(0);
          const nova = novaManage(confFor('nova', novas.api, novas.cell), ['db', 'online_data_migrations']);
          expect(nova.status).toBe(0);

          const instances = (db: Kysely<CellDatabase>) =>
            db.selectFrom('instances').selectAll().where('uuid', '!=', FAKE_UUID).orderBy('uuid').execute().then((rows) => rows.map(withoutTimestamps));
          const nodes = (db: Kysely<CellDatabase>) => db.selectFrom('compute_nodes').selectAll().orderBy('id').execute().then((rows) => rows.map(withoutTimestamps));
          const novaCell = (await novaDbs.localCell()).db;
          expect(await instances(cell)).toEqual(await instances(novaCell));
          expect(await nodes(cell)).toEqual(await nodes(novaCell));
          // Both bumped updated_at on the same rows.
          const touched = async (db: Kysely<CellDatabase>) => [
            (await db.selectFrom('instances').select('uuid').where('updated_at', 'is not', null).where('uuid', '!=', FAKE_UUID).orderBy('uuid').execute()).map((r) => r.uuid),
            (await db.selectFrom('compute_nodes').select('id').where('updated_at', 'is not', null).orderBy('id').execute()).map((r) => r.id),
          ];
          expect(await touched(cell)).toEqual(await touched(novaCell));
          // MySQL's collation: a host differing in case or by trailing blanks is the aggregate's host.
          const zoneByHost = Object.fromEntries((await instances(cell)).filter((r) => r.deleted === 0 && !r.hidden && r.availability_zone !== 'kept').map((r) => [r.host, r.availability_zone]));
          expect(zoneByHost).toEqual({ h1: 'zone-1', h2: 'zone-1', h3: 'zone-default', h9: 'zone-default', H1: 'zone-1', 'h2 ': 'zone-1', null: null });

          // After cellctl's run, Nova finds nothing left for either migration.
          const after = novaManage(oursConf, ['db', 'online_data_migrations']);
          expect(after.status).toBe(0);
          for (const name of [AZ, RATIO]) expect(after.stdout).toMatch(new RegExp(`^\\|\\s*${name}\\s*\\|\\s*\\d+\\s*\\|\\s*0\\s*\\|$`, 'm'));
        } finally {
          await novaDbs.close();
        }
      } finally {
        await dbs.close();
      }
    }, 120_000);
  });
});

function withoutTimestamps<T extends { created_at: unknown; updated_at: unknown; deleted_at: unknown }>(row: T): Omit<T, 'created_at' | 'updated_at' | 'deleted_at'> {
  const { created_at: _c, updated_at: _u, deleted_at: _d, ...rest } = row;
  return rest;
}
