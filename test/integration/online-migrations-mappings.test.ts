/**
 * Nova's two instance-mapping migrations, populate_queued_for_delete and populate_user_id, through
 * the CLI on both dialects: what each class of mapping becomes, the accounting, --max-count over
 * both migrations and two cells, --status, the starvation case of issue 11; and with Nova
 * installed, the same rows as Nova's own run and nothing left for Nova afterwards.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ApiDatabase, InstanceMappingsRow } from '../../src/db/api/api-tables.generated';
import { setMappingUserIds, setQueuedForDelete } from '../../src/db/api/instance-mapping.repository';
import type { CellDatabase, NewInstancesRow } from '../../src/db/cell/cell-tables.generated';
import { inTransaction } from '../../src/db/unit-of-work';
import { CELL0_UUID } from '../../src/domain/constants';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { clearCellTables, createNovaDatabase, insertCellMapping } from '../support/cell-fixtures';
import { runCli } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';
import { describeWithNova, novaManageAsync, writeNovaConf } from '../support/nova-oracle';
import { dumpRows } from '../support/row-dump';

const FAKE_PROJECT = '00000000-0000-0000-0000-000000000000';
const QFD = 'populate_queued_for_delete';
const USER = 'populate_user_id';

interface CellRow {
  migration: string;
  cell: string | null;
  status: string;
  found: number;
  migrated: number;
  remaining: number;
  unmigratable: number;
  unmigratable_reasons: Record<string, number> | null;
}
interface SummaryRow {
  migration: string;
  total_needed: number;
  completed: number;
  remaining: number;
  unmigratable: number;
  cells: CellRow[];
}

/** An instance row: `deleted: 'id'` marks it deleted the way Nova does (deleted = id). */
type InstanceFixture = Partial<Omit<NewInstancesRow, 'deleted'>> & { deleted?: 'id' | number };

/** Inserts an instance; returns its UUID. */
async function addInstance(db: Kysely<CellDatabase>, instance: InstanceFixture = {}): Promise<string> {
  const { deleted, ...columns } = instance;
  const uuid = instance.uuid ?? randomUUID();
  const result = await db
    .insertInto('instances')
    .values({ vm_state: 'active', project_id: 'project', user_id: 'user', ...columns, uuid, deleted: typeof deleted === 'number' ? deleted : 0 })
    .executeTakeFirstOrThrow();
  if (deleted === 'id') {
    const id = Number(result.insertId);
    await db.updateTable('instances').set({ deleted: id }).where('id', '=', id).execute();
  }
  return uuid;
}

/** Inserts an archived instance: a row in shadow_instances only; returns its UUID. */
let archivedIds = 90_000;
async function addArchivedInstance(db: Kysely<CellDatabase>, user = 'archived-user'): Promise<string> {
  const uuid = randomUUID();
  await db.insertInto('shadow_instances').values({ id: (archivedIds += 1), uuid, project_id: 'project', user_id: user, vm_state: 'deleted', deleted: 1 }).execute();
  return uuid;
}

/** Inserts an instance mapping (both columns the migrations fill NULL unless given); returns its id. */
async function addMapping(
  api: Kysely<ApiDatabase>,
  uuid: string,
  cellId: number | null,
  columns: { project_id?: string; user_id?: string | null; queued_for_delete?: number | null } = {},
): Promise<number> {
  const result = await api
    .insertInto('instance_mappings')
    .values({ instance_uuid: uuid, cell_id: cellId, project_id: 'project', user_id: null, queued_for_delete: null, created_at: '2020-01-01 00:00:00', ...columns })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

const byMigration = (stdout: string): Map<string, SummaryRow> => new Map((JSON.parse(stdout) as SummaryRow[]).map((s) => [s.migration, s]));
const cellOf = (summary: SummaryRow | undefined, cell: string | null): CellRow | undefined => summary?.cells.find((c) => c.cell === cell);
/** A per-cell row's reasons, `{reason: n}` (JSON gives them as an object). */
const reasons = (row: CellRow | undefined): Record<string, number> => row?.unmigratable_reasons ?? {};

describeEachDialect('online data migrations of instance mappings', (env) => {
  const urls = { api: '', cell0: '', cell1: '', cell2: '' };
  let conf: string;
  let dbs: DatabaseContext;
  let api: Kysely<ApiDatabase>;
  let cells: { cell0: Kysely<CellDatabase>; cell1: Kysely<CellDatabase>; cell2: Kysely<CellDatabase> };
  let ids: { cell0: number; cell1: number; cell2: number };
  const cli = (...argv: string[]) => runCli(['--config-file', conf, '-q', ...argv], { cwd: env.dir });

  beforeAll(async () => {
    urls.api = env.newUrl('api');
    urls.cell0 = env.newUrl('cell0');
    urls.cell1 = env.newUrl('cell1');
    urls.cell2 = env.newUrl('cell2');
    await createNovaDatabase(urls.api, 'api');
    for (const url of [urls.cell0, urls.cell1, urls.cell2]) await createNovaDatabase(url, 'cell');
    conf = join(env.dir, 'nova.conf');
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\n[api_database]\nconnection = ${urls.api}\n[database]\nconnection = ${urls.cell1}\n`);
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    api = (await dbs.api()).db;
    ids = {
      cell0: (await insertCellMapping(api, { name: 'cell0', uuid: CELL0_UUID, databaseConnection: urls.cell0 })).id,
      cell1: (await insertCellMapping(api, { name: 'cell1', databaseConnection: urls.cell1 })).id,
      cell2: (await insertCellMapping(api, { name: 'cell2', databaseConnection: urls.cell2 })).id,
    };
    cells = {
      cell0: (await dbs.cellDatabase({ uuid: 'c0', name: 'cell0', databaseConnection: urls.cell0 })).db,
      cell1: (await dbs.cellDatabase({ uuid: 'c1', name: 'cell1', databaseConnection: urls.cell1 })).db,
      cell2: (await dbs.cellDatabase({ uuid: 'c2', name: 'cell2', databaseConnection: urls.cell2 })).db,
    };
  });
  afterAll(() => dbs.close());

  beforeEach(async () => {
    await api.deleteFrom('instance_mappings').execute();
    for (const db of Object.values(cells)) {
      await clearCellTables(db);
      await db.deleteFrom('shadow_instances').execute();
    }
  });

  const mapping = (id: number): Promise<InstanceMappingsRow> => api.selectFrom('instance_mappings').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const allMappings = (): Promise<InstanceMappingsRow[]> => api.selectFrom('instance_mappings').selectAll().orderBy('id').execute();

  it("populate_queued_for_delete: Nova's predicate (deleted = id or soft-delete; hidden, archived and missing false), every cell, cell0 included", async () => {
    const c1 = cells.cell1;
    const m = {
      live: await addMapping(api, await addInstance(c1), ids.cell1),
      deleted: await addMapping(api, await addInstance(c1, { deleted: 'id' }), ids.cell1),
      deletedNotId: await addMapping(api, await addInstance(c1, { id: 7, deleted: 1 }), ids.cell1),
      softDeleted: await addMapping(api, await addInstance(c1, { vm_state: 'soft-delete' }), ids.cell1),
      nullHidden: await addMapping(api, await addInstance(c1, { hidden: null, deleted: 'id' }), ids.cell1),
      hiddenDeleted: await addMapping(api, await addInstance(c1, { hidden: 1, deleted: 'id' }), ids.cell1),
      hiddenSoft: await addMapping(api, await addInstance(c1, { hidden: 1, vm_state: 'soft-delete' }), ids.cell1),
      archived: await addMapping(api, await addArchivedInstance(c1), ids.cell1),
      missing: await addMapping(api, randomUUID(), ids.cell1),
      alreadySet: await addMapping(api, await addInstance(c1, { deleted: 'id' }), ids.cell1, { queued_for_delete: 0 }),
      cell0: await addMapping(api, await addInstance(cells.cell0, { deleted: 'id' }), ids.cell0),
      noCell: await addMapping(api, randomUUID(), null),
    };

    const result = await cli('-f', 'json', 'online-data-migrations', '--migration', QFD);
    expect(result.code).toBe(0);
    const expected: Record<keyof typeof m, number | null> = {
      live: 0,
      deleted: 1,
      deletedNotId: 0,
      softDeleted: 1,
      nullHidden: 1,
      hiddenDeleted: 0,
      hiddenSoft: 0,
      archived: 0,
      missing: 0,
      alreadySet: 0,
      cell0: 1,
      noCell: null,
    };
    for (const [key, id] of Object.entries(m) as Array<[keyof typeof m, number]>) {
      const row = await mapping(id);
      expect([key, row.queued_for_delete]).toEqual([key, expected[key]]);
      expect([key, row.user_id]).toEqual([key, null]);
      expect([key, row.updated_at === null]).toEqual([key, key === 'alreadySet' || key === 'noCell']);
    }

    const summary = byMigration(result.stdout).get(QFD);
    expect(summary).toMatchObject({ total_needed: 11, completed: 10, remaining: 0, unmigratable: 1 });
    expect(cellOf(summary, 'cell1')).toMatchObject({ status: 'ok', found: 9, migrated: 9, remaining: 0, unmigratable: 0 });
    expect(cellOf(summary, 'cell0')).toMatchObject({ status: 'ok', found: 1, migrated: 1, remaining: 0, unmigratable: 0 });
    expect(cellOf(summary, 'cell2')).toMatchObject({ status: 'ok', found: 0, migrated: 0 });
    expect(cellOf(summary, null)).toMatchObject({ status: 'ok', found: 1, migrated: 0, remaining: 0, unmigratable: 1 });
    expect(reasons(cellOf(summary, null))).toEqual({ 'no-cell': 1 });
  });

  it('populate_user_id: copied from live, deleted and soft-deleted instances; each unmigratable class counted once and left alone', async () => {
    const c1 = cells.cell1;
    const set = { queued_for_delete: 0 };
    const m = {
      live: await addMapping(api, await addInstance(c1, { user_id: 'u-live' }), ids.cell1, set),
      deleted: await addMapping(api, await addInstance(c1, { user_id: 'u-deleted', deleted: 'id' }), ids.cell1, set),
      softDeleted: await addMapping(api, await addInstance(c1, { user_id: 'u-soft', vm_state: 'soft-delete' }), ids.cell1, set),
      marker: await addMapping(api, await addInstance(c1, { user_id: FAKE_PROJECT, project_id: FAKE_PROJECT }), ids.cell1, { ...set, project_id: FAKE_PROJECT }),
      hidden: await addMapping(api, await addInstance(c1, { user_id: 'u-hidden', hidden: 1 }), ids.cell1, set),
      archived: await addMapping(api, await addArchivedInstance(c1), ids.cell1, set),
      missing: await addMapping(api, randomUUID(), ids.cell1, set),
      userNull: await addMapping(api, await addInstance(c1, { user_id: null }), ids.cell1, set),
      cell2: await addMapping(api, await addInstance(cells.cell2, { user_id: 'u-cell2' }), ids.cell2, set),
      alreadySet: await addMapping(api, await addInstance(cells.cell2, { user_id: 'u-other' }), ids.cell2, { ...set, user_id: 'u-kept' }),
      noCell: await addMapping(api, randomUUID(), null, set),
      noCellMarker: await addMapping(api, randomUUID(), null, { ...set, project_id: FAKE_PROJECT }),
    };

    const result = await cli('-f', 'json', 'online-data-migrations', '--migration', USER);
    expect(result.code).toBe(0);
    const expected: Record<keyof typeof m, string | null> = {
      live: 'u-live',
      deleted: 'u-deleted',
      softDeleted: 'u-soft',
      marker: null,
      hidden: null,
      archived: null,
      missing: null,
      userNull: null,
      cell2: 'u-cell2',
      alreadySet: 'u-kept',
      noCell: null,
      noCellMarker: null,
    };
    for (const [key, id] of Object.entries(m) as Array<[keyof typeof m, number]>) {
      const row = await mapping(id);
      expect([key, row.user_id]).toEqual([key, expected[key]]);
      expect([key, row.queued_for_delete]).toEqual([key, 0]);
      expect([key, row.updated_at !== null]).toEqual([key, ['live', 'deleted', 'softDeleted', 'cell2'].includes(key)]);
    }

    const summary = byMigration(result.stdout).get(USER);
    expect(summary).toMatchObject({ total_needed: 11, completed: 4, remaining: 0, unmigratable: 7 });
    const cell1 = cellOf(summary, 'cell1');
    expect(cell1).toMatchObject({ status: 'ok', found: 8, migrated: 3, remaining: 0, unmigratable: 5 });
    expect(reasons(cell1)).toEqual({ 'nova-vif-marker': 1, 'hidden-instance': 1, archived: 1, 'instance-missing': 1, 'instance-user-id-null': 1 });
    expect(cellOf(summary, 'cell2')).toMatchObject({ found: 1, migrated: 1, remaining: 0, unmigratable: 0 });
    expect(reasons(cellOf(summary, null))).toEqual({ 'no-cell': 1, 'nova-vif-marker': 1 });

    // A second run finds only what can never be migrated, and writes nothing.
    const before = await allMappings();
    const again = await cli('-f', 'json', 'online-data-migrations', '--migration', USER);
    expect(again.code).toBe(0);
    expect(byMigration(again.stdout).get(USER)).toMatchObject({ total_needed: 7, completed: 0, remaining: 0, unmigratable: 7 });
    expect(await allMappings()).toEqual(before);
  });

  it('never starves a migratable mapping behind 60 unmigratable ones with lower ids: --max-count 1 migrates it and exits 0', async () => {
    const c1 = cells.cell1;
    const set = { queued_for_delete: 0 };
    for (let i = 0; i < 15; i += 1) {
      await addMapping(api, randomUUID(), null, set);
      await addMapping(api, randomUUID(), ids.cell1, set);
      await addMapping(api, await addInstance(c1, { user_id: null }), ids.cell1, set);
      await addMapping(api, await addInstance(c1, { hidden: 1 }), ids.cell1, set);
    }
    const migratable = await addMapping(api, await addInstance(c1, { user_id: 'u-last' }), ids.cell1, set);

    const result = await cli('-f', 'json', 'online-data-migrations', '--max-count', '1');
    expect(result.code).toBe(0);
    expect((await mapping(migratable)).user_id).toBe('u-last');
    expect(byMigration(result.stdout).get(USER)).toMatchObject({ total_needed: 61, completed: 1, remaining: 0, unmigratable: 60 });
    expect(byMigration(result.stdout).get(QFD)).toMatchObject({ total_needed: 0, completed: 0 });

    const again = await cli('-f', 'json', 'online-data-migrations');
    expect(again.code).toBe(0);
    expect(byMigration(again.stdout).get(USER)).toMatchObject({ total_needed: 60, completed: 0, remaining: 0, unmigratable: 60 });
  });

  it('spends --max-count over both migrations and two cells: exactly N per run, exit 1 while rows remain, then 0', async () => {
    const expectedUser = new Map<number, string>();
    for (const [cell, db] of [[ids.cell1, cells.cell1], [ids.cell2, cells.cell2]] as const) {
      for (let i = 0; i < 4; i += 1) {
        const user = `u-${cell}-${i}`;
        expectedUser.set(await addMapping(api, await addInstance(db, { user_id: user, deleted: i % 2 ? 'id' : 0 }), cell), user);
      }
    }
    const codes: number[] = [];
    const completed: number[] = [];
    for (let run = 0; run < 6; run += 1) {
      const result = await cli('-f', 'json', 'online-data-migrations', '--max-count', '5');
      codes.push(result.code);
      const summaries = byMigration(result.stdout);
      completed.push((summaries.get(QFD)?.completed ?? 0) + (summaries.get(USER)?.completed ?? 0));
      if (result.code !== 1) break;
    }
    expect(codes).toEqual([1, 1, 1, 0]);
    expect(completed).toEqual([5, 5, 5, 1]);
    for (const row of await allMappings()) {
      expect(row.user_id).toBe(expectedUser.get(row.id));
      expect(row.queued_for_delete).toBe(Number(row.user_id?.endsWith('-1') || row.user_id?.endsWith('-3')));
    }
  });

  it('--status counts what a run then migrates, writes nothing, and exits 1 while something is migratable; a re-run after completion finds nothing', async () => {
    await addMapping(api, await addInstance(cells.cell1, { user_id: 'a' }), ids.cell1);
    await addMapping(api, await addInstance(cells.cell1, { user_id: 'b', deleted: 'id' }), ids.cell1, { user_id: 'b' });
    await addMapping(api, await addInstance(cells.cell2, { user_id: null }), ids.cell2);
    await addMapping(api, randomUUID(), null);
    await addMapping(api, await addInstance(cells.cell0, { user_id: 'c', vm_state: 'soft-delete' }), ids.cell0, { queued_for_delete: 1 });

    const handles = [await dbs.api(), ...(await Promise.all([urls.cell0, urls.cell1, urls.cell2].map((u, i) => dbs.cellDatabase({ uuid: `c${i}`, name: null, databaseConnection: u }))))];
    const dump = async () => Promise.all(handles.map((h) => dumpRows(h)));
    const before = await dump();
    const status = await cli('-f', 'json', 'online-data-migrations', '--status');
    expect(status.code).toBe(1);
    expect(await dump()).toEqual(before);
    const counted = byMigration(status.stdout);
    expect(counted.get(QFD)).toMatchObject({ total_needed: 4, completed: 0, remaining: 3, unmigratable: 1 });
    expect(counted.get(USER)).toMatchObject({ total_needed: 4, completed: 0, remaining: 2, unmigratable: 2 });
    expect(cellOf(counted.get(USER), 'cell0')).toMatchObject({ found: 1, migrated: 0, remaining: 1 });

    const run = await cli('-f', 'json', 'online-data-migrations');
    expect(run.code).toBe(0);
    const done = byMigration(run.stdout);
    expect(done.get(QFD)).toMatchObject({ total_needed: 4, completed: 3, remaining: 0, unmigratable: 1 });
    expect(done.get(USER)).toMatchObject({ total_needed: 4, completed: 2, remaining: 0, unmigratable: 2 });

    const after = await dump();
    const rerun = await cli('-f', 'json', 'online-data-migrations', '--status');
    expect(rerun.code).toBe(0);
    expect(byMigration(rerun.stdout).get(QFD)).toMatchObject({ remaining: 0, completed: 0, unmigratable: 1 });
    expect(byMigration(rerun.stdout).get(USER)).toMatchObject({ remaining: 0, completed: 0, unmigratable: 2 });
    const rerunForReal = await cli('-f', 'json', 'online-data-migrations');
    expect(rerunForReal.code).toBe(0);
    expect(byMigration(rerunForReal.stdout).get(USER)).toMatchObject({ completed: 0, remaining: 0 });
    expect(await dump()).toEqual(after);
  });

  it('keeps a value another run set between the read and the write (guarded writes count only what they set)', async () => {
    const a = await addMapping(api, randomUUID(), ids.cell1);
    const b = await addMapping(api, randomUUID(), ids.cell1, { queued_for_delete: 1, user_id: 'set-meanwhile' });
    const handle = await dbs.api();
    const now = '2026-01-02 03:04:05';
    expect(await inTransaction(handle, (tx) => setQueuedForDelete(tx, [a, b], 0, now))).toBe(1);
    expect(await inTransaction(handle, (tx) => setMappingUserIds(tx, handle.adapter, [[a, 'u-a', now], [b, 'u-b', now]]))).toBe(1);
    expect(await mapping(a)).toMatchObject({ queued_for_delete: 0, user_id: 'u-a', updated_at: now });
    expect(await mapping(b)).toMatchObject({ queued_for_delete: 1, user_id: 'set-meanwhile', updated_at: null });
  });

  it('both migrations in one run share a walk and give each the counts and rows of its own run', async () => {
    const c1 = cells.cell1;
    const both = { user_id: null, queued_for_delete: null };
    const rows = [
      await addMapping(api, await addInstance(c1, { user_id: 'u-live' }), ids.cell1, both),
      await addMapping(api, await addInstance(c1, { user_id: 'u-deleted', deleted: 'id' }), ids.cell1, both),
      await addMapping(api, await addInstance(c1, { user_id: 'u-soft', vm_state: 'soft-delete' }), ids.cell1, { queued_for_delete: 0 }),
      await addMapping(api, await addInstance(c1, { user_id: 'u-hidden', hidden: 1, deleted: 'id' }), ids.cell1, both),
      await addMapping(api, await addInstance(c1, { user_id: FAKE_PROJECT, project_id: FAKE_PROJECT }), ids.cell1, { ...both, project_id: FAKE_PROJECT }),
      await addMapping(api, await addArchivedInstance(c1), ids.cell1, both),
      await addMapping(api, randomUUID(), ids.cell1, { user_id: 'u-kept' }),
      await addMapping(api, await addInstance(cells.cell2, { user_id: null, vm_state: 'soft-delete' }), ids.cell2, both),
    ];
    // Each migration's own walk, counting only (--status with one --migration never shares a walk).
    const counted = async (name: string) => byMigration((await cli('-f', 'json', 'online-data-migrations', '--status', '--migration', name)).stdout).get(name) as SummaryRow;
    const alone: Record<string, SummaryRow> = { [QFD]: await counted(QFD), [USER]: await counted(USER) };
    const together = await cli('-f', 'json', 'online-data-migrations', '--migration', USER, '--migration', QFD);
    expect(together.code).toBe(0);
    for (const name of [QFD, USER]) {
      const ran = byMigration(together.stdout).get(name)!;
      expect([name, ran.total_needed, ran.completed, ran.unmigratable]).toEqual([name, alone[name].total_needed, alone[name].remaining, alone[name].unmigratable]);
      for (const cell of ['cell1', 'cell2', null]) expect([name, cell, reasons(cellOf(ran, cell))]).toEqual([name, cell, reasons(cellOf(alone[name], cell))]);
    }
    const values = await Promise.all(rows.map(async (id) => mapping(id).then((r) => [r.queued_for_delete, r.user_id])));
    expect(values).toEqual([[0, 'u-live'], [1, 'u-deleted'], [0, 'u-soft'], [0, null], [0, null], [0, null], [0, 'u-kept'], [1, null]]);
  });

  it('walks more than one chunk of mappings in key order, each row exactly once', async () => {
    const count = 10_050;
    const rows: NewInstancesRow[] = [];
    for (let i = 0; i < count; i += 1) rows.push({ uuid: randomUUID(), user_id: `u${i}`, project_id: 'p', vm_state: i % 3 ? 'active' : 'soft-delete', deleted: 0 });
    for (let i = 0; i < count; i += 500) await cells.cell1.insertInto('instances').values(rows.slice(i, i + 500)).execute();
    const mappings = rows.map((r) => ({ instance_uuid: r.uuid as string, cell_id: ids.cell1, project_id: 'p', user_id: null, queued_for_delete: null }));
    for (let i = 0; i < count; i += 500) await api.insertInto('instance_mappings').values(mappings.slice(i, i + 500)).execute();

    const first = await cli('-f', 'json', 'online-data-migrations', '--migration', QFD, '--migration', USER, '--max-count', '15000');
    expect(first.code).toBe(1);
    const summaries = byMigration(first.stdout);
    expect(summaries.get(QFD)).toMatchObject({ total_needed: count, completed: count, remaining: 0 });
    expect(summaries.get(USER)).toMatchObject({ total_needed: count, completed: 15_000 - count, remaining: 2 * count - 15_000 });
    const rest = await cli('-f', 'json', 'online-data-migrations', '--migration', USER);
    expect(rest.code).toBe(0);
    expect(byMigration(rest.stdout).get(USER)).toMatchObject({ completed: 2 * count - 15_000, remaining: 0 });
    const byUuid = new Map(rows.map((r, i) => [r.uuid, i]));
    for (const row of await allMappings()) {
      const i = byUuid.get(row.instance_uuid) as number;
      if (row.user_id !== `u${i}` || row.queued_for_delete !== (i % 3 ? 0 : 1)) throw new Error(`mapping ${row.id} wrong: ${JSON.stringify(row)}`);
    }
  });
});

describeWithNova()('online data migrations of instance mappings beside Nova', () => {
  describeEachDialect('Nova', (env) => {
    if (env.dialect !== 'mysql') {
      it.skip('runs on MariaDB only (Nova on SQLite needs default security groups in every cell)', () => undefined);
      return;
    }

    /** Builds API + cell0 + cell1 with one fixed set of rows; returns the URLs. */
    async function buildDeployment(label: string, fixture: Fixture): Promise<{ api: string; cell0: string; cell1: string }> {
      const urls = { api: env.newUrl(`${label}_api`), cell0: env.newUrl(`${label}_c0`), cell1: env.newUrl(`${label}_c1`) };
      await createNovaDatabase(urls.api, 'api');
      await createNovaDatabase(urls.cell0, 'cell');
      await createNovaDatabase(urls.cell1, 'cell');
      const dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
      try {
        const api = (await dbs.api()).db;
        const cell0Id = (await insertCellMapping(api, { name: 'cell0', uuid: CELL0_UUID, databaseConnection: urls.cell0 })).id;
        const cell1Id = (await insertCellMapping(api, { name: 'cell1', uuid: 'aaaaaaaa-1111-4111-8111-111111111111', databaseConnection: urls.cell1 })).id;
        const cell0 = (await dbs.cellDatabase({ uuid: 'c0', name: 'cell0', databaseConnection: urls.cell0 })).db;
        const cell1 = (await dbs.cellDatabase({ uuid: 'c1', name: 'cell1', databaseConnection: urls.cell1 })).db;
        for (const i of fixture.instances) {
          const { cell, deleted, ...columns } = i;
          const db = cell === 0 ? cell0 : cell1;
          if (cell === 'shadow') await cell1.insertInto('shadow_instances').values({ ...columns, deleted: 1 }).execute();
          else await db.insertInto('instances').values({ ...columns, deleted: deleted === 'id' ? (columns.id as number) : (deleted ?? 0) }).execute();
        }
        for (const mp of fixture.mappings) {
          const { cell, ...columns } = mp;
          await api.insertInto('instance_mappings').values({ ...columns, cell_id: cell === null ? null : cell === 0 ? cell0Id : cell1Id, created_at: '2020-01-01 00:00:00' }).execute();
        }
      } finally {
        await dbs.close();
      }
      return urls;
    }

    type Fixture = {
      instances: Array<Partial<Omit<NewInstancesRow, 'deleted'>> & { id: number; uuid: string; cell: 0 | 1 | 'shadow'; deleted?: 'id' | number }>;
      mappings: Array<{ instance_uuid: string; cell: 0 | 1 | null; project_id: string; user_id: string | null; queued_for_delete: number | null }>;
    };

    function fixture(): Fixture {
      const instances: Fixture['instances'] = [];
      const mappings: Fixture['mappings'] = [];
      const add = (cell: 0 | 1 | 'shadow' | 'none', instance: Partial<Omit<NewInstancesRow, 'deleted'>> & { deleted?: 'id' | number }, mapped: Partial<Fixture['mappings'][number]> = {}) => {
        const uuid = randomUUID();
        if (cell !== 'none') instances.push({ id: 100 + instances.length, uuid, cell, project_id: 'p', user_id: `u-${instances.length}`, vm_state: 'active', ...instance });
        mappings.push({ instance_uuid: uuid, cell: cell === 'shadow' ? 1 : cell === 'none' ? 1 : cell, project_id: 'p', user_id: null, queued_for_delete: null, ...mapped });
      };
      add(1, {});
      add(1, { deleted: 'id' });
      add(1, { deleted: 1 });
      add(1, { vm_state: 'soft-delete' });
      add(1, { hidden: 1 });
      add(1, { hidden: 1, deleted: 'id' });
      add(1, { hidden: 0, vm_state: 'soft-delete' });
      add('shadow', {});
      add('none', {});
      add(1, { project_id: FAKE_PROJECT, user_id: FAKE_PROJECT }, { project_id: FAKE_PROJECT });
      add(1, { deleted: 'id' }, { queued_for_delete: 0 });
      add(1, {}, { user_id: 'kept' });
      add(0, { deleted: 'id', vm_state: 'error' });
      add('none', {}, { cell: null });
      return { instances, mappings };
    }

    it("leaves the same instance_mappings as Nova's own run on a copy, and Nova then finds nothing to complete", async () => {
      const rows = fixture();
      const [ours, nova] = await Promise.all([buildDeployment('ours', rows), buildDeployment('nova', rows)]);
      const confFor = (urls: { api: string }, db: string, name: string) => writeNovaConf(join(env.dir, name), { api: urls.api, db });

      const cellctlConf = join(env.dir, 'cellctl.conf');
      writeFileSync(cellctlConf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\n[api_database]\nconnection = ${ours.api}\n[database]\nconnection = ${ours.cell1}\n`);
      const result = await runCli(['--config-file', cellctlConf, '-q', '-f', 'json', 'online-data-migrations'], { cwd: env.dir });
      expect(result.code).toBe(0);
      const read = async (url: string) => {
        const dbs = createDatabaseContext({ apiDatabaseConnection: url, cwd: env.dir });
        try {
          return (await (await dbs.api()).db.selectFrom('instance_mappings').select(['id', 'instance_uuid', 'cell_id', 'project_id', 'user_id', 'queued_for_delete']).orderBy('id').execute());
        } finally {
          await dbs.close();
        }
      };
      const mine = await read(ours.api);

      // Nova's run on its copy, and Nova after cellctl on ours, overlap (different databases);
      // each runs once per cell configuration, cell0's first, as a deployment tool would.
      const perCell = async (urls: { api: string; cell0: string; cell1: string }, name: string) => {
        const results = [];
        for (const [i, db] of [urls.cell0, urls.cell1].entries()) results.push(await novaManageAsync(confFor(urls, db, `${name}-${i}`), ['db', 'online_data_migrations']));
        return results;
      };
      const [novaRuns, afterUs] = await Promise.all([perCell(nova, 'nova'), perCell(ours, 'ours')]);
      for (const r of novaRuns) expect([r.status, r.stdout]).toEqual([0, expect.stringMatching(/populate_user_id/)]);

      expect(mine).toEqual(await read(nova.api));
      // The fixture holds candidates of both kinds, and some Nova leaves alone.
      expect(mine.filter((m) => m.queued_for_delete === 1).length).toBeGreaterThan(2);
      expect(mine.filter((m) => m.user_id === null).length).toBeGreaterThan(2);

      for (const r of afterUs) {
        expect(r.status).toBe(0);
        const completed = [...r.stdout.matchAll(/^\|\s*([a-z_]+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|$/gm)].map((x) => [x[1], Number(x[3])]);
        expect(completed.filter(([name]) => name === QFD || name === USER)).toEqual([[QFD, 0], [USER, 0]]);
        expect(completed.filter(([, n]) => n !== 0)).toEqual([]);
      }
      expect(await read(ours.api)).toEqual(mine);
    });
  });
});
