/**
 * Every online data migration at once, judged by Nova: one deployment (the API database, cell0 and
 * two cells) holds candidates of all ten of Nova's migrations and of cellctl's instance-group
 * migration. One `cellctl online-data-migrations` run migrates it; Nova's own
 * `nova-manage db online_data_migrations`, run once per cell configuration as deployment tools run
 * it, migrates a copy. Every row of every database must then be the same on both sides (timestamps
 * aside, and Nova's own marker rows), and Nova, run over cellctl's databases, must find nothing to
 * complete. MariaDB only: on SQLite Nova's run needs a `default` security group in every cell first
 * (nova-details §1.7).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import { CELL0_UUID } from '../../src/domain/constants';
import { CELLCTL_ONLINE_MIGRATIONS, NOVA_ONLINE_MIGRATIONS } from '../../src/domain/online-migrations';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { createNovaDatabase, insertCellMapping, insertComputeNode, insertInstance, networkInfo } from '../support/cell-fixtures';
import { runCli } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';
import { apiGroups, insertLegacyGroup, liveLegacyRows } from '../support/instance-group-fixtures';
import { copyDatabase, describeWithNova, novaManageAsync, writeNovaConf } from '../support/nova-oracle';

/** Nova's fake instance and marker VIF (fill_virtual_interface_list) use this UUID everywhere. */
const FAKE = '00000000-0000-0000-0000-000000000000';
const GROUP_TABLES = ['instance_groups', 'instance_group_policy', 'instance_group_member'];
/** The settings migrate_empty_ratio and populate_missing_availability_zones read, for both runs. */
const SETTINGS = { default_availability_zone: 'zone-default', cpu_allocation_ratio: '4.0', ram_allocation_ratio: '0.0', initial_disk_allocation_ratio: '2.5' };
const CELLS = ['cell0', 'cell1', 'cell2'] as const;
type Urls = Record<'api' | (typeof CELLS)[number], string>;

/** One second of 2020 per call, so that Nova's VIF walk (ordered by created_at) sees a fixed order. */
let clock = 0;
const nextTime = (): string => new Date(Date.UTC(2020, 0, 1) + 1000 * clock++).toISOString().slice(0, 19).replace('T', ' ');

/** Candidates of the migrations that work on one cell's own rows (`k` keeps the cells' keys apart). */
async function seedCell(db: Kysely<CellDatabase>, k: number): Promise<string[]> {
  // migrate_quota_limits_to_api_db, migrate_quota_classes_to_api_db: limits only cells hold.
  await db
    .insertInto('quotas')
    .values([
      { project_id: `p${k}`, resource: 'cores', hard_limit: 20 + k, deleted: 0 },
      { project_id: `p${k}`, resource: 'ram', hard_limit: null, deleted: 0 },
    ])
    .execute();
  await db.insertInto('project_user_quotas').values({ user_id: 'u1', project_id: `p${k}`, resource: 'instances', hard_limit: 5, deleted: 0 }).execute();
  await db.insertInto('quota_classes').values({ class_name: `class${k}`, resource: 'cores', hard_limit: 40, deleted: 0 }).execute();

  // migration_migrate_to_uuid, populate_uuids, populate_dev_uuids: one of each deleted, one kept.
  const node = await insertComputeNode(db, { host: `c${k}-node`, cpu_allocation_ratio: 2, ram_allocation_ratio: 3, disk_allocation_ratio: 4 });
  for (let i = 0; i < 4; i++) {
    const uuid = i === 3 ? randomUUID() : null;
    const m = await db.insertInto('migrations').values({ uuid, deleted: 0, status: 'done' }).executeTakeFirstOrThrow();
    const b = await db.insertInto('block_device_mapping').values({ uuid, deleted: 0, device_name: `/dev/vd${i}` }).executeTakeFirstOrThrow();
    await db
      .insertInto('pci_devices')
      .values({ uuid, deleted: 0, compute_node_id: node, address: `0000:00:0${i}.0`, product_id: 'p', vendor_id: 'v', dev_type: 'type-PCI', label: 'l', status: 'available' })
      .execute();
    if (i === 2) {
      await sql`UPDATE migrations SET deleted = id WHERE id = ${Number(m.insertId)}`.execute(db);
      await sql`UPDATE block_device_mapping SET deleted = id WHERE id = ${Number(b.insertId)}`.execute(db);
    }
  }

  // migrate_empty_ratio: 0.0 and NULL ratios, a complete node, a deleted node left alone.
  await insertComputeNode(db, { host: `c${k}-a`, cpu_allocation_ratio: null, ram_allocation_ratio: 0, disk_allocation_ratio: 1 });
  await insertComputeNode(db, { host: `c${k}-b`, cpu_allocation_ratio: 0, ram_allocation_ratio: null, disk_allocation_ratio: null });
  await insertComputeNode(db, { host: `c${k}-c`, cpu_allocation_ratio: null, ram_allocation_ratio: null, disk_allocation_ratio: null, deleted: true });

  // populate_missing_availability_zones, fill_virtual_interface_list, and the instances the
  // mapping migrations read: each returned UUID gets a mapping with user_id and queued_for_delete NULL.
  const instance = (columns: Parameters<typeof insertInstance>[1]) => insertInstance(db, { user_id: `user-${clock}`, created_at: nextTime(), ...columns });
  const mapped = [
    await instance({ host: 'h1' }),
    await instance({ host: 'h9' }),
    await instance({ host: 'h1', deleted: true }),
    await instance({ host: null, vm_state: 'soft-delete' }),
    await instance({ host: 'h1', hidden: 1 }),
    await instance({ host: 'h2', availability_zone: 'kept' }),
  ];
  const vif = (n: number) => `5eed${k}000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const mac = (n: number) => `fa:16:3e:0${k}:00:${n.toString(16).padStart(2, '0')}`;
  // A cache with two VIFs and one VIF row: rebuilt. A consistent one: left as it is.
  for (const [n, rows] of [[0x10, [0x12]], [0x20, [0x21]]] as const) {
    const uuid = await instance({ host: 'h1', availability_zone: 'zone-1' });
    const cached = n === 0x10 ? [n + 1, n + 2] : [n + 1];
    await db.insertInto('instance_info_caches').values({ instance_uuid: uuid, network_info: networkInfo(...cached.map((c): [string, string] => [vif(c), mac(c)])), deleted: 0, created_at: nextTime() }).execute();
    for (const r of rows) await db.insertInto('virtual_interfaces').values({ uuid: vif(r), address: `${mac(r)}/${vif(r)}`, instance_uuid: uuid, tag: `tag-${r}`, network_id: 7, deleted: 0, created_at: nextTime() }).execute();
    mapped.push(uuid);
  }
  return mapped;
}

/** Fills the deployment at `urls` with every candidate; returns the legacy group's UUID and its member's. */
async function buildDeployment(urls: Urls, dir: string): Promise<{ groupUuid: string; archivedUuid: string }> {
  await createNovaDatabase(urls.api, 'api');
  for (const cell of CELLS) await createNovaDatabase(urls[cell], 'cell');
  const dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: dir });
  try {
    const api = (await dbs.api()).db;
    const cell = async (name: (typeof CELLS)[number]) => (await dbs.cellDatabase({ uuid: name, name, databaseConnection: urls[name] })).db;
    const cellIds: Record<string, number> = {};
    for (const name of CELLS) cellIds[name] = (await insertCellMapping(api, { name, uuid: name === 'cell0' ? CELL0_UUID : undefined, databaseConnection: urls[name] })).id;

    // The zone of host h1 (h2's instance has one already; h9 is in no aggregate).
    const { insertId } = await api.insertInto('aggregates').values({ name: 'a1', uuid: randomUUID() }).executeTakeFirstOrThrow();
    await api.insertInto('aggregate_metadata').values({ aggregate_id: Number(insertId), key: 'availability_zone', value: 'zone-1' }).execute();
    await api.insertInto('aggregate_hosts').values({ aggregate_id: Number(insertId), host: 'h1' }).execute();

    const mapping = (instance_uuid: string, cell: string | null, user_id: string | null = null) =>
      api.insertInto('instance_mappings').values({ instance_uuid, cell_id: cell === null ? null : cellIds[cell], project_id: 'project', user_id, queued_for_delete: null, created_at: nextTime() }).execute();
    // cell0: a buried instance and a BDM without a UUID.
    const cell0 = await cell('cell0');
    await mapping(await insertInstance(cell0, { vm_state: 'error', created_at: nextTime() }), 'cell0');
    await cell0.insertInto('block_device_mapping').values({ uuid: null, deleted: 0, device_name: '/dev/vda' }).execute();
    for (const [k, name] of (['cell1', 'cell2'] as const).entries()) {
      for (const uuid of await seedCell(await cell(name), k + 1)) await mapping(uuid, name);
    }
    // Mappings no run can fill: without a cell (a build in flight), of an archived instance;
    // and one whose user_id is set already.
    const cell1 = await cell('cell1');
    await mapping(randomUUID(), null);
    const archived = randomUUID();
    await cell1.insertInto('shadow_instances').values({ id: 9999, uuid: archived, project_id: 'project', user_id: 'gone', vm_state: 'deleted', deleted: 9999 }).execute();
    await mapping(archived, 'cell1');
    await mapping(await insertInstance(cell1, { created_at: nextTime() }), 'cell1', 'kept');

    // migrate_instance_groups_to_api_db (cellctl's own): a group left in a cell database.
    const group = await insertLegacyGroup(cell1, { name: 'legacy', policies: ['anti-affinity'], members: [archived] });
    return { groupUuid: group.uuid, archivedUuid: archived };
  } finally {
    await dbs.close();
  }
}

type Dump = Record<string, unknown[]>;

/**
 * Every row of every table of `url`, in a shape both runs must agree on: timestamps as "set or
 * not", UUIDs a run generated as 'generated', rows a run inserted without their id (sorted), the
 * deployment's URLs by name; without Nova's marker rows and the group tables (Nova 26 has no group
 * migration).
 */
async function dump(dbs: DatabaseContext, url: string, before: Dump | null, urlNames: Map<string, string>, kind: 'api' | 'cell'): Promise<Dump> {
  const handle = await dbs.cellDatabase({ uuid: url, name: url, databaseConnection: url });
  const db = handle.db as Kysely<any>;
  const result: Dump = {};
  for (const table of await handle.adapter.listTables(db)) {
    if (GROUP_TABLES.includes(table)) continue;
    const rows = (await db.selectFrom(table).selectAll().execute()) as Array<Record<string, unknown>>;
    const known = before ? new Set((before[table] ?? []).map((r) => (r as Record<string, unknown>).id)) : null;
    const knownUuids = before ? new Set((before[table] ?? []).map((r) => (r as Record<string, unknown>).uuid)) : null;
    const shaped = rows
      .filter((row) => kind === 'api' || !isNovaMarkerRow(table, row))
      .map((row) => {
        const out: Record<string, unknown> = {};
        const inserted = known !== null && 'id' in row && !known.has(row.id);
        for (const [column, value] of Object.entries(row)) {
          if (/_at$/.test(column)) out[column] = value === null ? null : 'set';
          else if (column === 'uuid' && value !== null && knownUuids !== null && !knownUuids.has(value)) out[column] = 'generated';
          else if (inserted && column === 'id') continue;
          else if (inserted && column === 'deleted' && value !== 0) out[column] = value === row.id ? 'id' : value;
          else if (typeof value === 'string' && urlNames.has(value)) out[column] = urlNames.get(value);
          else out[column] = typeof value === 'bigint' ? String(value) : value;
        }
        return out;
      });
    result[table] = shaped.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return result;
}

/**
 * The cell rows Nova's fill_virtual_interface_list creates for its marker (nova-details §1.6): its
 * fake instance and what hangs off it, and the `default` security group. (In the API database the
 * same UUID is cell0's.)
 */
function isNovaMarkerRow(table: string, row: Record<string, unknown>): boolean {
  if (row.uuid === FAKE || row.instance_uuid === FAKE) return true;
  return table === 'security_groups' && row.name === 'default' && row.project_id === null;
}

/** Nova's summary table: migration name -> [total needed, completed]. */
function novaSummary(stdout: string): Map<string, [number, number]> {
  const rows = [...stdout.matchAll(/^\|\s*([a-z_]+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|$/gm)];
  return new Map(rows.map((m): [string, [number, number]] => [m[1]!, [Number(m[2]), Number(m[3])]]));
}

describeWithNova()('online data migrations, all at once, beside Nova', () => {
  describeEachDialect('one deployment', (env) => {
    if (env.dialect !== 'mysql') {
      it.skip("runs on MariaDB only (Nova's run on SQLite needs a default security group in every cell)", () => undefined);
      return;
    }

    it("leaves every row as Nova's runs per cell configuration leave a copy, and Nova then completes nothing", async () => {
      const ours: Urls = { api: env.newUrl('api'), cell0: env.newUrl('cell0'), cell1: env.newUrl('cell1'), cell2: env.newUrl('cell2') };
      const nova: Urls = { api: env.newUrl('n_api'), cell0: env.newUrl('n_cell0'), cell1: env.newUrl('n_cell1'), cell2: env.newUrl('n_cell2') };
      const { groupUuid, archivedUuid } = await buildDeployment(ours, env.dir);
      const dbs = createDatabaseContext({ apiDatabaseConnection: ours.api, cwd: env.dir });
      try {
        // Nova's copy, its cell mappings pointing at its own copies of the cells.
        const urlNames = new Map<string, string>();
        for (const key of ['api', ...CELLS] as const) {
          await copyDatabase(ours[key], nova[key]);
          urlNames.set(ours[key], key).set(nova[key], key);
        }
        const novaApi = createDatabaseContext({ apiDatabaseConnection: nova.api, cwd: env.dir });
        try {
          for (const cell of CELLS) await (await novaApi.api()).db.updateTable('cell_mappings').set({ database_connection: nova[cell] }).where('name', '=', cell).execute();
        } finally {
          await novaApi.close();
        }
        const keys = ['api', ...CELLS] as const;
        const before = Object.fromEntries(await Promise.all(keys.map(async (key) => [key, await dump(dbs, ours[key], null, urlNames, key === 'api' ? 'api' : 'cell')] as const)));
        const confFor = (urls: Urls, cell: (typeof CELLS)[number], side: string) => writeNovaConf(join(env.dir, `${side}-${cell}`), { api: urls.api, db: urls[cell], defaults: SETTINGS });

        // cellctl: one run over every cell, then Nova over cellctl's databases. Nova on its copy:
        // once per cell configuration, cell0's first, as a deployment tool runs it. The two sides
        // touch different databases, so they run at the same time.
        const perCell = async (urls: Urls, side: string) => {
          const runs: Array<[string, number, string]> = [];
          for (const cell of CELLS) {
            const r = await novaManageAsync(confFor(urls, cell, side), ['db', 'online_data_migrations']);
            runs.push([cell, r.status, r.stdout]);
          }
          return runs;
        };
        const ourSide = async () => {
          const cellctl = await runCli(['--config-file', confFor(ours, 'cell1', 'cellctl'), '-q', '-f', 'json', 'online-data-migrations'], { cwd: env.dir });
          return { cellctl, novaAfter: cellctl.code === 0 ? await perCell(ours, 'after') : [] };
        };
        const [{ cellctl, novaAfter }, novaRuns] = await Promise.all([ourSide(), perCell(nova, 'nova')]);
        expect([cellctl.code, cellctl.stderr]).toEqual([0, '']);
        const summary = JSON.parse(cellctl.stdout) as Array<{ migration: string; completed: number; status: string }>;
        // Every migration had something to do: the comparison below covers each of them.
        expect(summary.map((s) => [s.migration, s.status, s.completed > 0]).sort()).toEqual([...NOVA_ONLINE_MIGRATIONS, ...CELLCTL_ONLINE_MIGRATIONS].map((m) => [m, 'ok', true]).sort());
        expect(novaRuns.map(([cell, status]) => [cell, status])).toEqual(CELLS.map((cell) => [cell, 0]));
        // After cellctl, Nova lists all ten of its migrations and completes none of them in any cell.
        expect(novaAfter.map(([cell, status, stdout]) => [cell, status, [...novaSummary(stdout)].map(([name, [, done]]) => [name, done])])).toEqual(
          CELLS.map((cell) => [cell, 0, NOVA_ONLINE_MIGRATIONS.map((m) => [m, 0]).sort()]),
        );

        // Every row alike (Nova's later runs over cellctl's databases included: they changed nothing).
        for (const key of keys) {
          const kind = key === 'api' ? 'api' : 'cell';
          const mine = await dump(dbs, ours[key], before[key]!, urlNames, kind);
          const theirs = await dump(dbs, nova[key], before[key]!, urlNames, kind);
          for (const table of Object.keys(mine)) expect([key, table, mine[table]]).toEqual([key, table, theirs[table]]);
          expect(Object.keys(mine)).toEqual(Object.keys(theirs));
        }

        // The group Nova 26 cannot migrate: in the API database, the cell copy soft-deleted.
        const api = (await dbs.api()).db as Kysely<ApiDatabase>;
        expect((await apiGroups(api)).map((g) => [g.uuid, g.name, g.policies, g.members])).toEqual([[groupUuid, 'legacy', [{ policy: 'anti-affinity', rules: null }], [archivedUuid]]]);
        const cell1 = (await dbs.cellDatabase({ uuid: 'cell1', name: 'cell1', databaseConnection: ours.cell1 })).db as Kysely<CellDatabase>;
        expect(await liveLegacyRows(cell1)).toEqual({ groups: 0, policies: 0, members: 0 });
      } finally {
        await dbs.close();
      }
    }, 300_000);
  });
});
