/**
 * fill_virtual_interface_list on both dialects: which instances it rebuilds (and how: Nova's rows,
 * in cache order, tags kept, network_id NULL), which it leaves alone, which it can never rebuild,
 * --status writing nothing, --max-count counting rebuilt instances; and with Nova installed, the
 * rows Nova's own run writes on a copy of the same data, and Nova finding nothing left after cellctl.
 */
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import type { MigrationCounts } from '../../src/domain/online-migrations';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { runOnlineMigrations } from '../../src/services/online-migrations/online-migrations.service';
import { createNovaDatabase, insertCellMapping, networkInfo } from '../support/cell-fixtures';
import { describeEachDialect } from '../support/dialect-matrix';
import { copyDatabase, describeWithNova, novaManage, writeNovaConf } from '../support/nova-oracle';
import { dumpRows } from '../support/row-dump';

const FAKE = '00000000-0000-0000-0000-000000000000';
const MIGRATION = 'fill_virtual_interface_list';

/** A UUID whose last group says what it is (`u(0xa1)` -> ...0000000000a1). */
const u = (n: number): string => `5eed0000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const mac = (n: number): string => `fa:16:3e:00:00:${n.toString(16).padStart(2, '0')}`;

interface OldVif {
  uuid: string;
  address: string;
  tag?: string | null;
  network_id?: number | null;
  created_at: string;
}

interface InstanceSeed {
  uuid: string;
  /** undefined: no instance_info_caches row. */
  networkInfo?: string | null;
  cacheDeleted?: boolean;
  vifs?: OldVif[];
  deleted?: boolean;
  vmState?: string;
  hidden?: number | null;
  createdAt: string;
}

async function seedInstance(db: Kysely<CellDatabase>, seed: InstanceSeed): Promise<void> {
  const { insertId } = await db
    .insertInto('instances')
    .values({
      uuid: seed.uuid,
      project_id: seed.uuid === FAKE ? FAKE : 'project',
      user_id: seed.uuid === FAKE ? FAKE : 'user',
      vm_state: seed.vmState ?? 'active',
      power_state: 1,
      hidden: seed.hidden === undefined ? 0 : seed.hidden,
      cleaned: 0,
      locked: 0,
      shutdown_terminate: 0,
      disable_terminate: 0,
      created_at: seed.createdAt,
      deleted: 0,
    })
    .executeTakeFirstOrThrow();
  if (seed.deleted) await db.updateTable('instances').set({ deleted: Number(insertId) }).where('id', '=', Number(insertId)).execute();
  if (seed.networkInfo !== undefined) {
    const cache = await db
      .insertInto('instance_info_caches')
      .values({ instance_uuid: seed.uuid, network_info: seed.networkInfo, created_at: seed.createdAt, deleted: 0 })
      .executeTakeFirstOrThrow();
    if (seed.cacheDeleted) await db.updateTable('instance_info_caches').set({ deleted: Number(cache.insertId) }).where('id', '=', Number(cache.insertId)).execute();
  }
  for (const vif of seed.vifs ?? []) {
    await db
      .insertInto('virtual_interfaces')
      .values({ uuid: vif.uuid, address: vif.address, instance_uuid: seed.uuid, tag: vif.tag ?? null, network_id: vif.network_id ?? null, created_at: vif.created_at, deleted: 0 })
      .execute();
  }
}

const T = (s: number): string => `2020-01-01 00:00:${String(s).padStart(2, '0')}`;

/** The instances of every case, by name; `nova: false` where Nova's own run raises (so not in the Nova comparison). */
const CASES = {
  // Fewer VIFs in the database than in the cache: rebuilt in cache order, p2's tag kept.
  fewer: {
    uuid: u(0xa0),
    createdAt: T(1),
    networkInfo: networkInfo([u(0xa1), mac(0xa1)], [u(0xa2), mac(0xa2)], [u(0xa3), mac(0xa3)]),
    hidden: null,
    vifs: [{ uuid: u(0xa2), address: `${mac(0xa2)}/${u(0xa2)}`, tag: 'nic2', network_id: 7, created_at: T(2) }],
  },
  // The same VIFs in another order: rebuilt in the cache's order, each tag with its VIF.
  reordered: {
    uuid: u(0xb0),
    createdAt: T(3),
    networkInfo: networkInfo([u(0xb1), mac(0xb1)], [u(0xb2), mac(0xb2)]),
    vifs: [
      { uuid: u(0xb2), address: `${mac(0xb2)}/${u(0xb2)}`, tag: 'second', created_at: T(4) },
      { uuid: u(0xb1), address: `${mac(0xb1)}/${u(0xb1)}`, tag: 'first', network_id: 3, created_at: T(5) },
    ],
  },
  // Consistent: nothing to do.
  equal: {
    uuid: u(0xc0),
    createdAt: T(6),
    networkInfo: networkInfo([u(0xc1), mac(0xc1)]),
    vifs: [{ uuid: u(0xc1), address: `${mac(0xc1)}/${u(0xc1)}`, tag: 'kept', network_id: 5, created_at: T(7) }],
  },
  // More VIFs in the database than in the cache (an interface being attached?): never rebuilt.
  more: {
    uuid: u(0xd0),
    createdAt: T(8),
    networkInfo: networkInfo([u(0xd1), mac(0xd1)]),
    vifs: [
      { uuid: u(0xd1), address: `${mac(0xd1)}/${u(0xd1)}`, created_at: T(9) },
      { uuid: u(0xd2), address: `${mac(0xd2)}/${u(0xd2)}`, created_at: T(10) },
    ],
  },
  // Skipped as Nova skips them: soft-deleted, hidden, deleted instances; empty, NULL, missing, deleted caches.
  softDeleted: { uuid: u(0xe1), createdAt: T(11), vmState: 'soft-delete', networkInfo: networkInfo([u(0xe11), mac(0xe1)]) },
  hidden: { uuid: u(0xe2), createdAt: T(12), hidden: 1, networkInfo: networkInfo([u(0xe21), mac(0xe2)]) },
  deleted: { uuid: u(0xe3), createdAt: T(13), deleted: true, networkInfo: networkInfo([u(0xe31), mac(0xe3)]) },
  emptyCache: { uuid: u(0xe4), createdAt: T(14), networkInfo: '[]', vifs: [{ uuid: u(0xe41), address: `${mac(0xe4)}/${u(0xe41)}`, created_at: T(15) }] },
  nullCache: { uuid: u(0xe5), createdAt: T(16), networkInfo: null },
  noCache: { uuid: u(0xe6), createdAt: T(17) },
  deletedCache: { uuid: u(0xe7), createdAt: T(18), cacheDeleted: true, networkInfo: networkInfo([u(0xe71), mac(0xe7)]) },
} satisfies Record<string, InstanceSeed>;

/** Cases Nova's own run raises on (and leaves half-written): cellctl counts them as unmigratable. */
const NOVA_RAISES = {
  badJson: { uuid: u(0xf1), createdAt: T(20), networkInfo: '[{"id": "oops", ' },
  noAddress: { uuid: u(0xf2), createdAt: T(21), networkInfo: JSON.stringify([{ id: u(0xf21), type: 'ovs' }]) },
  // The new address of its VIF is live on the `equal` instance's VIF: nothing written for it.
  addressInUse: {
    uuid: u(0xf3),
    createdAt: T(22),
    networkInfo: networkInfo([u(0xc1), mac(0xc1)]),
    vifs: [{ uuid: u(0xf31), address: `${mac(0xf3)}/${u(0xf31)}`, tag: 'stays', created_at: T(23) }],
  },
  // Two instances whose caches list the same VIF: the first (by id) gets it, the second never can.
  claimsFirst: { uuid: u(0xf4), createdAt: T(24), networkInfo: networkInfo([u(0xf41), mac(0xf4)]) },
  claimsSecond: { uuid: u(0xf5), createdAt: T(25), networkInfo: networkInfo([u(0xf41), mac(0xf4)]) },
} satisfies Record<string, InstanceSeed>;

/** What Nova's fill_virtual_interface_list leaves when it last ran (its marker points at `equal`). */
async function seedNovaMarkerRows(db: Kysely<CellDatabase>): Promise<void> {
  await seedInstance(db, { uuid: FAKE, createdAt: T(30), deleted: true, networkInfo: null });
  await db.updateTable('instance_info_caches').set((eb) => ({ deleted: eb.ref('id') })).where('instance_uuid', '=', FAKE).execute();
  await db
    .insertInto('virtual_interfaces')
    .values({ uuid: FAKE, instance_uuid: FAKE, tag: CASES.equal.uuid, address: `ff:ff:ff:ff:ff:ff/${FAKE}`, created_at: T(30), deleted: 0 })
    .execute();
}

type VifShape = Pick<OldVif, 'uuid' | 'address'> & { tag: string | null; network_id: number | null };

/** The live VIFs of an instance as Nova lists them (created_at, id). */
async function liveVifs(db: Kysely<CellDatabase>, instanceUuid: string): Promise<VifShape[]> {
  return (await db
    .selectFrom('virtual_interfaces')
    .select(['uuid', 'address', 'tag', 'network_id'])
    .where('instance_uuid', '=', instanceUuid)
    .where('deleted', '=', 0)
    .orderBy('created_at')
    .orderBy('id')
    .execute()) as VifShape[];
}

/** The soft-deleted VIFs of an instance: [uuid, deleted == id, deleted_at set]. */
async function deletedVifs(db: Kysely<CellDatabase>, instanceUuid: string): Promise<Array<[string | null, boolean, boolean]>> {
  const rows = await db.selectFrom('virtual_interfaces').selectAll().where('instance_uuid', '=', instanceUuid).where('deleted', '!=', 0).orderBy('id').execute();
  return rows.map((r) => [r.uuid, r.deleted === r.id, r.deleted_at !== null]);
}

describeEachDialect('fill_virtual_interface_list', (env) => {
  const urls = { api: '', cell: '' };
  let dbs: DatabaseContext;
  let api: Kysely<ApiDatabase>;
  let cell: Kysely<CellDatabase>;

  const run = async (options: { status?: boolean; maxCount?: number } = {}, context = dbs): Promise<MigrationCounts> => {
    const result = await runOnlineMigrations(context, { migrations: [MIGRATION], setting: () => undefined, ...options });
    const row = result.results.find((r) => r.cell !== null);
    expect(row).toMatchObject({ migration: MIGRATION, status: 'ok' });
    return row!.counts;
  };

  beforeAll(async () => {
    urls.api = env.newUrl('api');
    urls.cell = env.newUrl('cell1');
    await createNovaDatabase(urls.api, 'api');
    await createNovaDatabase(urls.cell, 'cell');
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    api = (await dbs.api()).db;
    cell = (await dbs.cellDatabase({ uuid: 'cell1', name: 'cell1', databaseConnection: urls.cell })).db;
    await insertCellMapping(api, { name: 'cell1', databaseConnection: urls.cell });
  });

  beforeEach(async () => {
    for (const table of ['virtual_interfaces', 'instance_info_caches', 'instances'] as const) await cell.deleteFrom(table).execute();
  });

  afterAll(() => dbs.close());

  const seedAll = async (): Promise<void> => {
    for (const seed of [...Object.values(CASES), ...Object.values(NOVA_RAISES)]) await seedInstance(cell, seed);
    await seedNovaMarkerRows(cell);
  };

  it("rebuilds the VIF list of an instance from its cache as Nova does, and counts what it cannot rebuild", async () => {
    await seedAll();
    const before = await dumpRows(await dbs.cellDatabase({ uuid: 'cell1', name: 'cell1', databaseConnection: urls.cell }));
    const fakeRows = async () => ({
      instances: await cell.selectFrom('instances').selectAll().where('uuid', '=', FAKE).execute(),
      caches: await cell.selectFrom('instance_info_caches').selectAll().where('instance_uuid', '=', FAKE).execute(),
      vifs: await cell.selectFrom('virtual_interfaces').selectAll().where('instance_uuid', '=', FAKE).execute(),
    });
    const fakeBefore = await fakeRows();

    const counts = await run();
    expect(counts).toEqual({
      found: 8,
      migrated: 3,
      remaining: 0,
      unmigratable: { 'more-vifs-than-cache': 1, 'network-info-unreadable': 2, 'vif-address-in-use': 2 },
    });

    expect(await liveVifs(cell, CASES.fewer.uuid)).toEqual([
      { uuid: u(0xa1), address: `${mac(0xa1)}/${u(0xa1)}`, tag: null, network_id: null },
      { uuid: u(0xa2), address: `${mac(0xa2)}/${u(0xa2)}`, tag: 'nic2', network_id: null },
      { uuid: u(0xa3), address: `${mac(0xa3)}/${u(0xa3)}`, tag: null, network_id: null },
    ]);
    expect(await deletedVifs(cell, CASES.fewer.uuid)).toEqual([[u(0xa2), true, true]]);
    expect(await liveVifs(cell, CASES.reordered.uuid)).toEqual([
      { uuid: u(0xb1), address: `${mac(0xb1)}/${u(0xb1)}`, tag: 'first', network_id: null },
      { uuid: u(0xb2), address: `${mac(0xb2)}/${u(0xb2)}`, tag: 'second', network_id: null },
    ]);
    expect(await deletedVifs(cell, CASES.reordered.uuid)).toEqual([[u(0xb2), true, true], [u(0xb1), true, true]]);
    // New rows: created now, live, never updated.
    const fresh = await cell.selectFrom('virtual_interfaces').selectAll().where('instance_uuid', '=', CASES.fewer.uuid).where('deleted', '=', 0).execute();
    for (const row of fresh) expect(row).toMatchObject({ created_at: expect.any(String), updated_at: null, deleted_at: null, deleted: 0 });
    // The old row's updated_at is not bumped by the soft delete (oslo.db's soft_delete).
    expect(await cell.selectFrom('virtual_interfaces').select('updated_at').where('deleted', '!=', 0).where('instance_uuid', '=', CASES.fewer.uuid).execute()).toEqual([{ updated_at: null }]);

    // Left alone: consistent, unmigratable and skipped instances, and Nova's marker rows.
    const after = await dumpRows(await dbs.cellDatabase({ uuid: 'cell1', name: 'cell1', databaseConnection: urls.cell }));
    const changed = Object.keys(before).filter((t) => JSON.stringify(before[t]) !== JSON.stringify(after[t]));
    expect(changed).toEqual(['virtual_interfaces']);
    expect([await liveVifs(cell, NOVA_RAISES.claimsFirst.uuid), await liveVifs(cell, NOVA_RAISES.claimsSecond.uuid)]).toEqual([
      [{ uuid: u(0xf41), address: `${mac(0xf4)}/${u(0xf41)}`, tag: null, network_id: null }],
      [],
    ]);
    const rebuilt = new Set([CASES.fewer.uuid, CASES.reordered.uuid, NOVA_RAISES.claimsFirst.uuid]);
    const untouched = (rows: string[]) => rows.filter((r) => !rebuilt.has(JSON.parse(r).instance_uuid as string));
    expect(untouched(after.virtual_interfaces!)).toEqual(untouched(before.virtual_interfaces!));
    expect(await fakeRows()).toEqual(fakeBefore);
    expect(await liveVifs(cell, NOVA_RAISES.addressInUse.uuid)).toEqual([{ uuid: u(0xf31), address: `${mac(0xf3)}/${u(0xf31)}`, tag: 'stays', network_id: null }]);

    // A second run finds nothing more to rebuild; the unmigratable ones are counted again.
    expect(await run()).toEqual({ ...counts, found: 5, migrated: 0 });
  });

  it('--status counts what a run would rebuild and writes nothing', async () => {
    await seedAll();
    const handle = await dbs.cellDatabase({ uuid: 'cell1', name: 'cell1', databaseConnection: urls.cell });
    const before = [await dumpRows(handle), await dumpRows(await dbs.api())];
    expect(await run({ status: true })).toEqual({
      found: 8,
      migrated: 0,
      remaining: 3,
      unmigratable: { 'more-vifs-than-cache': 1, 'network-info-unreadable': 2, 'vif-address-in-use': 2 },
    });
    expect([await dumpRows(handle), await dumpRows(await dbs.api())]).toEqual(before);
  });

  it('--max-count counts instances rebuilt, across chunks, in id order', async () => {
    // 1,100 instances with one VIF in the cache and none in the database: more than one chunk.
    const n = 1100;
    const uuids = Array.from({ length: n }, (_, i) => u(0x100000 + i));
    for (let i = 0; i < n; i += 500) {
      const part = uuids.slice(i, i + 500);
      await cell.insertInto('instances').values(part.map((uuid) => ({ uuid, vm_state: 'active', hidden: 0, deleted: 0, created_at: T(1) }))).execute();
      await cell
        .insertInto('instance_info_caches')
        .values(part.map((uuid, j) => ({ instance_uuid: uuid, network_info: networkInfo([uuid, `fa:16:3e:${(i + j).toString(16).padStart(6, '0').replace(/(..)(..)(..)/, '$1:$2:$3')}`]), deleted: 0 })))
        .execute();
    }
    const live = async () => Number((await cell.selectFrom('virtual_interfaces').select((eb) => eb.fn.countAll<number>().as('n')).where('deleted', '=', 0).executeTakeFirstOrThrow()).n);

    expect(await run({ maxCount: 1050 })).toEqual({ found: n, migrated: 1050, remaining: 50, unmigratable: {} });
    expect(await live()).toBe(1050);
    // The first 1,050 by id were rebuilt.
    const done = await cell.selectFrom('virtual_interfaces').select('instance_uuid').where('deleted', '=', 0).execute();
    expect(new Set(done.map((r) => r.instance_uuid))).toEqual(new Set(uuids.slice(0, 1050)));

    expect(await run({ maxCount: 1000 })).toEqual({ found: 50, migrated: 50, remaining: 0, unmigratable: {} });
    expect(await live()).toBe(n);
    expect(await run()).toEqual({ found: 0, migrated: 0, remaining: 0, unmigratable: {} });
  });

  if (env.dialect === 'mysql') {
    describeWithNova()("with Nova's own run", () => {
      it('writes the VIF rows Nova writes on a copy of the same data, and leaves Nova nothing to rebuild', async () => {
        for (const seed of Object.values(CASES)) await seedInstance(cell, seed);
        // Nova's twin: a copy of the cell, mapped in an API database of its own.
        const twin = { api: env.newUrl('twin_api'), cell: env.newUrl('twin_cell') };
        await copyDatabase(urls.cell, twin.cell);
        await createNovaDatabase(twin.api, 'api');
        const twinDbs = createDatabaseContext({ apiDatabaseConnection: twin.api, cwd: env.dir });
        try {
          await insertCellMapping((await twinDbs.api()).db, { name: 'cell1', databaseConnection: twin.cell });
          const novaCell = (await twinDbs.cellDatabase({ uuid: 'twin', name: 'twin', databaseConnection: twin.cell })).db;

          expect(await run()).toMatchObject({ found: 3, migrated: 2, unmigratable: { 'more-vifs-than-cache': 1 } });
          const nova = novaManage(writeNovaConf(join(env.dir, 'nova-twin'), { api: twin.api, db: twin.cell }), ['db', 'online_data_migrations']);
          expect([nova.status, nova.stdout]).toEqual([0, expect.stringMatching(/\|\s*fill_virtual_interface_list\s*\|\s*\d+\s*\|\s*2\s*\|/)]);

          const shape = async (db: Kysely<CellDatabase>) => {
            const byInstance: Record<string, { live: VifShape[]; deleted: number[] }> = {};
            for (const seed of Object.values(CASES)) {
              const deleted = await db.selectFrom('virtual_interfaces').select('id').where('instance_uuid', '=', seed.uuid).where(sql<boolean>`deleted = id`).orderBy('id').execute();
              byInstance[seed.uuid] = { live: await liveVifs(db, seed.uuid), deleted: deleted.map((r) => r.id) };
            }
            return byInstance;
          };
          expect(await shape(cell)).toEqual(await shape(novaCell));

          // Nova's run after cellctl's, on cellctl's databases: nothing to rebuild.
          const after = novaManage(writeNovaConf(join(env.dir, 'nova-after'), { api: urls.api, db: urls.cell }), ['db', 'online_data_migrations']);
          expect([after.status, after.stdout]).toEqual([0, expect.stringMatching(/\|\s*fill_virtual_interface_list\s*\|\s*\d+\s*\|\s*0\s*\|/)]);
        } finally {
          await twinDbs.close();
        }
      });
    });
  }
});
