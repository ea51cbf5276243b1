/**
 * online-data-migrations killed with SIGKILL part-way, as real processes, then run again: the end
 * state equals one uninterrupted run on an identical copy of the deployment (nothing lost, nothing
 * doubled). The deployment has candidates of the migrations that write across databases (quota
 * rows and legacy instance groups copied into the API database, then soft-deleted in the cells;
 * instance mappings given queued_for_delete and user_id from the cells' instances) in two cells,
 * large enough that each kill lands while the run is working.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import type { AnyDatabaseHandle } from '../../src/db/connection';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { insertInstances } from '../support/cell-fixtures';
import { runCellctlProcess, runCli, type CliResult } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';
import { copyDatabase } from '../support/nova-oracle';

/** Instances (each with a mapping whose user_id and queued_for_delete are NULL) per cell. */
const INSTANCES = { cell1: 16_000, cell2: 14_000 };
/** Legacy instance groups per cell (the migration moves 500 per chunk). */
const GROUPS = 800;
/** Cell quota rows per cell (the quota migrations move 1,000 per chunk). */
const QUOTAS = 1_500;
const CREATED = '2020-01-02 03:04:05';

type CellName = 'cell0' | 'cell1' | 'cell2';
type Urls = Record<'api' | CellName, string>;

/** Multi-row inserts of at most 500 rows. */
async function insertAll<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await insert(rows.slice(i, i + 500));
}

/** A cell's candidates: instances and their unpopulated mappings, quota rows, legacy groups with a policy and two members. */
async function seedCell(api: Kysely<ApiDatabase>, cell: Kysely<CellDatabase>, cellId: number, tag: string, instances: number): Promise<void> {
  const uuids = await insertInstances(cell, instances, { deletedEvery: 10, softDeleteEvery: 50, hiddenEvery: 997 });
  const rows = await cell.selectFrom('instances').select(['uuid', 'project_id']).orderBy('id').execute();
  await insertAll(rows, (chunk) =>
    api
      .insertInto('instance_mappings')
      .values(chunk.map((r) => ({ instance_uuid: r.uuid, cell_id: cellId, project_id: r.project_id as string, user_id: null, queued_for_delete: null, created_at: CREATED })))
      .execute(),
  );
  const stamps = { created_at: CREATED, deleted: 0 };
  const resources = ['instances', 'cores', 'ram', 'floating_ips', 'key_pairs'];
  const quota = (k: number) => ({ project: `${tag}-project-${Math.floor(k / resources.length)}`, resource: resources[k % resources.length] as string });
  await insertAll(Array.from({ length: QUOTAS }, (_, k) => k), (chunk) =>
    cell.insertInto('quotas').values(chunk.map((k) => ({ project_id: quota(k).project, resource: quota(k).resource, hard_limit: k, ...stamps }))).execute(),
  );
  await insertAll(Array.from({ length: QUOTAS / 2 }, (_, k) => k), (chunk) =>
    cell
      .insertInto('project_user_quotas')
      .values(chunk.map((k) => ({ project_id: quota(k).project, user_id: `user-${k % 7}`, resource: quota(k).resource, hard_limit: k, ...stamps })))
      .execute(),
  );
  await cell.insertInto('quota_classes').values(resources.map((resource, k) => ({ class_name: `${tag}-class`, resource, hard_limit: k, ...stamps }))).execute();
  const groups = Array.from({ length: GROUPS }, (_, k) => ({ uuid: randomUUID(), name: `${tag}-group-${k}`, project_id: `${tag}-project-${k % 9}`, user_id: 'u1', ...stamps }));
  await insertAll(groups, (chunk) => cell.insertInto('instance_groups').values(chunk).execute());
  const ids = await cell.selectFrom('instance_groups').select('id').orderBy('id').execute();
  await insertAll(ids, (chunk) => cell.insertInto('instance_group_policy').values(chunk.map((g) => ({ group_id: g.id, policy: g.id % 2 ? 'affinity' : 'anti-affinity', ...stamps }))).execute());
  await insertAll(ids, (chunk) =>
    cell
      .insertInto('instance_group_member')
      .values(chunk.flatMap((g, k) => [0, 1].map((j) => ({ group_id: g.id, instance_id: uuids[(g.id * 2 + j + k) % uuids.length] as string, ...stamps }))))
      .execute(),
  );
}

/** The tables the migrations of this deployment write (the cells' instances get their availability zone). */
const WRITTEN = {
  api: ['instance_mappings', 'quotas', 'project_user_quotas', 'quota_classes', 'instance_groups', 'instance_group_policy', 'instance_group_member'],
  cell: ['instances', 'quotas', 'project_user_quotas', 'quota_classes', 'instance_groups', 'instance_group_policy', 'instance_group_member'],
};

/**
 * The rows of the tables the migrations write, as the comparison sees them: timestamps left out
 * (they say when, not what), and in the API database, where the migrations insert rows, ids too
 * (a killed transaction uses up auto-increment values): a group's policies and members name it by UUID.
 */
async function stateOf(handle: AnyDatabaseHandle, api: boolean): Promise<Record<string, string[]>> {
  const db = handle.db as Kysely<any>;
  const state: Record<string, string[]> = {};
  const groupUuid = new Map<unknown, unknown>();
  for (const table of api ? WRITTEN.api : WRITTEN.cell) {
    // NOTE: of the instances, the columns a migration could write or that identify the row (the rest is wide, and read only).
    const query = table === 'instances' ? db.selectFrom(table).select(['id', 'uuid', 'availability_zone', 'deleted', 'hidden', 'user_id']) : db.selectFrom(table).selectAll();
    const rows = (await query.execute()) as Array<Record<string, unknown>>;
    if (table === 'instance_groups') for (const g of rows) groupUuid.set(g.id, g.uuid);
    state[table] = rows
      .map((row) => {
        const kept = Object.entries(row).filter(([column]) => !column.endsWith('_at') && !(api && column === 'id'));
        return JSON.stringify(kept.map(([column, value]) => (api && column === 'group_id' ? ['group', groupUuid.get(value)] : [column, value])));
      })
      .sort();
  }
  return state;
}

describeEachDialect('online-data-migrations killed part-way', (env) => {
  const dir = env.dir;
  const urls = {} as Urls;
  const twin = {} as Urls;
  let conf: string;
  let twinConf: string;
  let dbs: DatabaseContext;
  let api: Kysely<ApiDatabase>;
  const mappingCount = INSTANCES.cell1 + INSTANCES.cell2;

  const writeConf = (u: Urls, label: string): string => {
    const file = join(dir, `${label}-${Math.random().toString(36).slice(2)}.conf`);
    writeFileSync(file, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq1/\n[api_database]\nconnection = ${u.api}\n[database]\nconnection = ${u.cell1}\n`);
    return file;
  };
  const cellHandle = (context: DatabaseContext, url: string) => context.cellDatabase({ uuid: url, name: url, databaseConnection: url });
  const count = async (query: Promise<{ n: number | string | bigint }>) => Number((await query).n);
  const countWhere = (table: 'quotas' | 'instance_groups' | 'instance_mappings', column?: 'queued_for_delete' | 'user_id') => {
    let q = api.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
    if (column) q = q.where(column, 'is not', null);
    return count(q.executeTakeFirstOrThrow());
  };

  /** Runs the command as a process and SIGKILLs it as soon as `when` holds (polled); resolves once it is gone. */
  async function killWhen(when: () => Promise<boolean>): Promise<CliResult> {
    let child: ChildProcess | undefined;
    let exited = false;
    const run = runCellctlProcess(['--config-file', conf, 'online-data-migrations'], { cwd: dir, onSpawn: (c) => (child = c) });
    void run.then(() => (exited = true));
    while (!exited) {
      if (await when()) {
        child?.kill('SIGKILL');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return run;
  }

  beforeAll(async () => {
    Object.assign(urls, { api: env.newUrl('api'), cell0: env.newUrl('cell0'), cell1: env.newUrl('cell1'), cell2: env.newUrl('cell2') });
    Object.assign(twin, { api: env.newUrl('twin_api'), cell0: env.newUrl('twin_cell0'), cell1: env.newUrl('twin_cell1'), cell2: env.newUrl('twin_cell2') });
    conf = writeConf(urls, 'odm');
    const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: dir });
    expect((await cli('-q', 'api-db', 'sync')).code).toBe(0);
    expect((await cli('-q', 'cell0', 'setup', '--database-connection', urls.cell0)).code).toBe(0);
    expect((await cli('-q', 'cell', 'create', '--name', 'cell1')).code).toBe(0);
    expect((await cli('-q', 'cell', 'create', '--name', 'cell2', '--database-connection', urls.cell2, '--transport-url', 'rabbit://nova:pw@mq2/')).code).toBe(0);
    expect((await cli('-q', 'db', 'sync', '--all-cells')).code).toBe(0);

    const seeding = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: dir });
    try {
      const apiDb = (await seeding.api()).db;
      await Promise.all(
        (['cell1', 'cell2'] as const).map(async (name) => {
          const { id } = await apiDb.selectFrom('cell_mappings').select('id').where('name', '=', name).executeTakeFirstOrThrow();
          await seedCell(apiDb, (await cellHandle(seeding, urls[name])).db, id, name, INSTANCES[name]);
        }),
      );
    } finally {
      await seeding.close();
    }
    // The twin: the same rows, its cell mappings pointing at its own cell databases.
    await Promise.all((['api', 'cell0', 'cell1', 'cell2'] as const).map((key) => copyDatabase(urls[key], twin[key])));
    const twinDbs = createDatabaseContext({ apiDatabaseConnection: twin.api, cwd: dir });
    try {
      const twinApi = (await twinDbs.api()).db;
      for (const key of ['cell0', 'cell1', 'cell2'] as const) {
        await twinApi.updateTable('cell_mappings').set({ database_connection: twin[key] }).where('database_connection', '=', urls[key]).execute();
      }
      expect(await twinApi.selectFrom('cell_mappings').select('database_connection').orderBy('id').execute()).toEqual(
        [twin.cell0, twin.cell1, twin.cell2].map((u) => ({ database_connection: u })),
      );
    } finally {
      await twinDbs.close();
    }
    twinConf = writeConf(twin, 'twin');
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: dir });
    api = (await dbs.api()).db;
  }, 120_000);

  afterAll(() => dbs?.close());

  it('a run killed three times, then run to the end, leaves what one uninterrupted run leaves', async () => {
    // Killed while the quota rows are being copied, while the mappings are being populated, while the groups are being moved.
    const kills = [
      await killWhen(async () => (await countWhere('quotas')) > 0),
      await killWhen(async () => {
        const n = await countWhere('instance_mappings', 'queued_for_delete');
        return n > 0 && n < mappingCount;
      }),
      await killWhen(async () => (await countWhere('instance_groups')) > 0),
    ];
    for (const killed of kills) expect([killed.code, killed.stdout]).toEqual([-1, '']);
    // The last kill landed before the run ended: the groups were not all in the API database yet.
    expect(await countWhere('instance_groups')).toBeLessThan(2 * GROUPS);

    const resumed = await runCellctlProcess(['--config-file', conf, '-f', 'json', 'online-data-migrations'], { cwd: dir });
    expect([resumed.code, resumed.stderr]).toEqual([0, expect.not.stringMatching(/error/)]);
    const completed = Object.fromEntries((JSON.parse(resumed.stdout) as Array<{ migration: string; completed: number }>).map((r) => [r.migration, r.completed]));
    expect(completed.migrate_instance_groups_to_api_db).toBeGreaterThan(0);

    const uninterrupted = await runCellctlProcess(['--config-file', twinConf, 'online-data-migrations'], { cwd: dir });
    expect(uninterrupted.code).toBe(0);

    const twinDbs = createDatabaseContext({ apiDatabaseConnection: twin.api, cwd: dir });
    try {
      expect(await stateOf(await dbs.api(), true)).toEqual(await stateOf(await twinDbs.api(), true));
      for (const key of ['cell0', 'cell1', 'cell2'] as const) {
        const [ours, theirs] = [await stateOf(await cellHandle(dbs, urls[key]), false), await stateOf(await cellHandle(twinDbs, twin[key]), false)];
        expect([key, ours]).toEqual([key, theirs]);
      }
    } finally {
      await twinDbs.close();
    }
    // Nothing doubled, nothing left behind: every group and quota once in the API database, none live in a cell.
    expect(await countWhere('instance_groups')).toBe(2 * GROUPS);
    expect(await countWhere('instance_mappings', 'queued_for_delete')).toBe(mappingCount);
    for (const key of ['cell1', 'cell2'] as const) {
      const cell = (await cellHandle(dbs, urls[key])).db;
      for (const table of ['quotas', 'project_user_quotas', 'quota_classes', 'instance_groups', 'instance_group_policy', 'instance_group_member'] as const) {
        expect([key, table, await count(cell.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('deleted', '=', 0).executeTakeFirstOrThrow())]).toEqual([key, table, 0]);
      }
    }
  }, 120_000);
});
