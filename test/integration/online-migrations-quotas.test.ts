/**
 * migrate_quota_limits_to_api_db and migrate_quota_classes_to_api_db: quota rows of the cell
 * databases moved to the API database, then soft-deleted, on both dialects; and beside Nova's own
 * online_data_migrations on copies of the same data (MariaDB).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import type { DatabaseHandle } from '../../src/db/connection';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { runOnlineMigrations, type MigrationResult, type OnlineMigrationsOptions } from '../../src/services/online-migrations/online-migrations.service';
import type { Notice, RunEvent } from '../../src/services/run-events';
import { createNovaDatabase, insertCellMapping } from '../support/cell-fixtures';
import { runCli } from '../support/cli-runner';
import { describeEachDialect, type TestDatabases } from '../support/dialect-matrix';
import { describeWithNova, writeNovaConf } from '../support/nova-oracle';
import { dumpRows } from '../support/row-dump';
import { NOVA_PYTHON } from '../support/test-environment';

const LIMITS = 'migrate_quota_limits_to_api_db';
const CLASSES = 'migrate_quota_classes_to_api_db';
const CREATED = '2020-01-02 03:04:05';
const UPDATED = '2021-02-03 04:05:06';

type CellQuota = { project_id: string | null; resource: string; hard_limit: number | null };
type CellUserQuota = { user_id: string; project_id: string; resource: string; hard_limit: number | null };
type CellClass = { class_name: string | null; resource: string | null; hard_limit: number | null };

/** Live cell rows, as an old deployment holds them (updated_at set, so that a soft delete can be seen not to touch it). */
async function seed(db: Kysely<CellDatabase>, rows: { quotas?: CellQuota[]; user?: CellUserQuota[]; classes?: CellClass[] }): Promise<void> {
  const stamps = { created_at: CREATED, updated_at: UPDATED, deleted_at: null, deleted: 0 };
  if (rows.quotas?.length) await db.insertInto('quotas').values(rows.quotas.map((r) => ({ ...r, ...stamps }))).execute();
  if (rows.user?.length) await db.insertInto('project_user_quotas').values(rows.user.map((r) => ({ ...r, ...stamps }))).execute();
  if (rows.classes?.length) await db.insertInto('quota_classes').values(rows.classes.map((r) => ({ ...r, ...stamps }))).execute();
}

const byText = (a: unknown[], b: unknown[]) => JSON.stringify(a).localeCompare(JSON.stringify(b));

async function apiQuotas(api: Kysely<ApiDatabase>): Promise<Array<[string | null, string, number | null]>> {
  const rows = await api.selectFrom('quotas').select(['project_id', 'resource', 'hard_limit']).execute();
  return rows.map((r): [string | null, string, number | null] => [r.project_id, r.resource, r.hard_limit]).sort(byText);
}
async function apiUserQuotas(api: Kysely<ApiDatabase>): Promise<Array<[string, string, string, number | null]>> {
  const rows = await api.selectFrom('project_user_quotas').select(['user_id', 'project_id', 'resource', 'hard_limit']).execute();
  return rows.map((r): [string, string, string, number | null] => [r.user_id, r.project_id, r.resource, r.hard_limit]).sort(byText);
}
async function apiClasses(api: Kysely<ApiDatabase>): Promise<Array<[string | null, string | null, number | null]>> {
  const rows = await api.selectFrom('quota_classes').select(['class_name', 'resource', 'hard_limit']).execute();
  return rows.map((r): [string | null, string | null, number | null] => [r.class_name, r.resource, r.hard_limit]).sort(byText);
}

/** The live rows of a cell quota table (ids). */
async function liveIds(db: Kysely<CellDatabase>, table: 'quotas' | 'project_user_quotas' | 'quota_classes'): Promise<number[]> {
  return (await db.selectFrom(table).select('id').where('deleted', '=', 0).orderBy('id').execute()).map((r) => r.id);
}

/** Every row of a cell quota table is soft-deleted the way oslo.db does it: deleted = id, deleted_at set, updated_at untouched. */
async function expectAllSoftDeleted(db: Kysely<CellDatabase>, table: 'quotas' | 'project_user_quotas' | 'quota_classes'): Promise<void> {
  const rows = await db.selectFrom(table).select(['id', 'deleted', 'deleted_at', 'updated_at']).orderBy('id').execute();
  for (const row of rows) {
    expect({ table, id: row.id, deleted: row.deleted, updated_at: row.updated_at }).toEqual({ table, id: row.id, deleted: row.id, updated_at: UPDATED });
    expect(row.deleted_at).not.toBeNull();
  }
}

/** Trigger that makes every UPDATE of a cell table fail: a kill between the API commit and the cell's soft delete. */
async function blockUpdates(env: TestDatabases, db: Kysely<CellDatabase>, table: string): Promise<() => Promise<void>> {
  const name = `block_${table}`;
  if (env.dialect === 'sqlite') await sql.raw(`CREATE TRIGGER ${name} BEFORE UPDATE ON ${table} BEGIN SELECT RAISE(ABORT, 'injected failure'); END`).execute(db);
  else await sql.raw(`CREATE TRIGGER ${name} BEFORE UPDATE ON ${table} FOR EACH ROW SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'`).execute(db);
  return async () => {
    await sql.raw(`DROP TRIGGER ${name}`).execute(db);
  };
}

describeEachDialect('quota online migrations', (env) => {
  const urls = { api: '', cell1: '', cell2: '' };
  let dbs: DatabaseContext;
  let api: DatabaseHandle<ApiDatabase>;
  let cell1: Kysely<CellDatabase>;
  let cell2: Kysely<CellDatabase>;
  let events: RunEvent[];

  beforeAll(async () => {
    urls.api = env.newUrl('api');
    urls.cell1 = env.newUrl('cell1');
    urls.cell2 = env.newUrl('cell2');
    await createNovaDatabase(urls.api, 'api');
    for (const url of [urls.cell1, urls.cell2]) await createNovaDatabase(url, 'cell');
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    api = await dbs.api();
    await insertCellMapping(api.db, { name: 'cell1', databaseConnection: urls.cell1 });
    await insertCellMapping(api.db, { name: 'cell2', databaseConnection: urls.cell2 });
    cell1 = (await dbs.cellDatabase({ uuid: 'c1', name: 'cell1', databaseConnection: urls.cell1 })).db;
    cell2 = (await dbs.cellDatabase({ uuid: 'c2', name: 'cell2', databaseConnection: urls.cell2 })).db;
  });
  afterAll(() => dbs.close());

  beforeEach(async () => {
    events = [];
    for (const table of ['quotas', 'project_user_quotas', 'quota_classes'] as const) await api.db.deleteFrom(table).execute();
    for (const db of [cell1, cell2]) for (const table of ['quotas', 'project_user_quotas', 'quota_classes'] as const) await db.deleteFrom(table).execute();
  });

  const run = (options: Partial<OnlineMigrationsOptions> = {}, context = dbs) =>
    runOnlineMigrations(context, { migrations: [LIMITS, CLASSES], setting: () => undefined, onEvent: (e) => events.push(e), ...options });
  const resultOf = (results: MigrationResult[], migration: string, cell: string) => {
    const found = results.find((r) => r.migration === migration && r.cell?.name === cell);
    if (!found) throw new Error(`no result for ${migration} in ${cell}`);
    return found;
  };
  const keptNotices = (): Array<Extract<Notice, { kind: 'api-value-kept' }>> =>
    events.flatMap((e) => (e.type === 'notice' && e.notice.kind === 'api-value-kept' ? [e.notice] : []));

  it('moves per-project and per-user limits to the API database and soft-deletes the cell rows as oslo.db does', async () => {
    await seed(cell1, {
      quotas: [
        { project_id: 'p1', resource: 'cores', hard_limit: 20 },
        { project_id: 'p1', resource: 'ram', hard_limit: 51200 },
      ],
      user: [
        { user_id: 'u1', project_id: 'p1', resource: 'cores', hard_limit: 10 },
        { user_id: 'u2', project_id: 'p1', resource: 'instances', hard_limit: null },
      ],
    });
    await seed(cell2, { quotas: [{ project_id: 'p2', resource: 'instances', hard_limit: 5 }] });

    const result = await run();
    expect(resultOf(result.results, LIMITS, 'cell1')).toMatchObject({ status: 'ok', counts: { found: 4, migrated: 4, remaining: 0, unmigratable: {} } });
    expect(resultOf(result.results, LIMITS, 'cell2')).toMatchObject({ status: 'ok', counts: { found: 1, migrated: 1, remaining: 0 } });
    expect(await apiQuotas(api.db)).toEqual([
      ['p1', 'cores', 20],
      ['p1', 'ram', 51200],
      ['p2', 'instances', 5],
    ]);
    expect(await apiUserQuotas(api.db)).toEqual([
      ['u1', 'p1', 'cores', 10],
      ['u2', 'p1', 'instances', null],
    ]);
    const inserted = await api.db.selectFrom('quotas').select(['created_at', 'updated_at']).execute();
    for (const row of inserted) expect(row).toEqual({ created_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/), updated_at: null });
    for (const db of [cell1, cell2]) for (const table of ['quotas', 'project_user_quotas'] as const) await expectAllSoftDeleted(db, table);
    expect(keptNotices()).toEqual([]);

    const again = await run();
    expect(resultOf(again.results, LIMITS, 'cell1').counts).toMatchObject({ found: 0, migrated: 0 });
  });

  it('moves per-user fixed_ips, floating_ips and networks to the per-project quotas of the API database, as Nova', async () => {
    await seed(cell1, {
      user: [
        { user_id: 'u1', project_id: 'p1', resource: 'floating_ips', hard_limit: 3 },
        { user_id: 'u1', project_id: 'p1', resource: 'fixed_ips', hard_limit: 4 },
        { user_id: 'u1', project_id: 'p1', resource: 'networks', hard_limit: 5 },
        { user_id: 'u1', project_id: 'p1', resource: 'cores', hard_limit: 6 },
      ],
    });
    await run();
    expect(await apiQuotas(api.db)).toEqual([
      ['p1', 'fixed_ips', 4],
      ['p1', 'floating_ips', 3],
      ['p1', 'networks', 5],
    ]);
    expect(await apiUserQuotas(api.db)).toEqual([['u1', 'p1', 'cores', 6]]);
    await expectAllSoftDeleted(cell1, 'project_user_quotas');
  });

  it('keeps a different value the API database already holds (Nova reads it first), soft-deletes the cell row and reports it', async () => {
    await api.db.insertInto('quotas').values({ project_id: 'p1', resource: 'cores', hard_limit: 99, created_at: CREATED }).execute();
    await api.db.insertInto('project_user_quotas').values({ user_id: 'u1', project_id: 'p1', resource: 'ram', hard_limit: 1, created_at: CREATED }).execute();
    await seed(cell1, {
      quotas: [{ project_id: 'p1', resource: 'cores', hard_limit: 20 }],
      user: [{ user_id: 'u1', project_id: 'p1', resource: 'ram', hard_limit: 2 }],
    });
    const result = await run();
    expect(resultOf(result.results, LIMITS, 'cell1').counts).toMatchObject({ found: 2, migrated: 2, remaining: 0 });
    expect(await apiQuotas(api.db)).toEqual([['p1', 'cores', 99]]);
    expect(await apiUserQuotas(api.db)).toEqual([['u1', 'p1', 'ram', 1]]);
    await expectAllSoftDeleted(cell1, 'quotas');
    await expectAllSoftDeleted(cell1, 'project_user_quotas');
    const notices = keptNotices();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ migration: LIMITS, cell: { name: 'cell1' }, count: 2 });
    expect(notices[0].examples).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ table: 'quotas', key: { project_id: 'p1', resource: 'cores' }, cellLimit: 20, apiLimit: 99 }),
        expect.objectContaining({ table: 'project_user_quotas', key: { project_id: 'p1', user_id: 'u1', resource: 'ram' }, cellLimit: 2, apiLimit: 1 }),
      ]),
    );
  });

  it('finds the API row the database compares equal to a cell key (MySQL: case and trailing spaces ignored), so the cell row never stays behind', async () => {
    await api.db.insertInto('quotas').values({ project_id: 'P1', resource: 'cores', hard_limit: 99, created_at: CREATED }).execute();
    await seed(cell1, { quotas: [{ project_id: 'p1 ', resource: 'CORES', hard_limit: 20 }] });
    const result = await run();
    expect(resultOf(result.results, LIMITS, 'cell1').counts).toMatchObject({ found: 1, migrated: 1, remaining: 0 });
    await expectAllSoftDeleted(cell1, 'quotas');
    if (env.dialect === 'mysql') {
      expect(await apiQuotas(api.db)).toEqual([['P1', 'cores', 99]]);
      expect(keptNotices()).toEqual([expect.objectContaining({ count: 1, examples: [expect.objectContaining({ cellLimit: 20, apiLimit: 99 })] })]);
    } else {
      expect(await apiQuotas(api.db)).toEqual([
        ['p1 ', 'CORES', 20],
        ['P1', 'cores', 99],
      ]);
      expect(keptNotices()).toEqual([]);
    }
  });

  it('compares keys as utf8mb3_general_ci does beyond Latin too (ᾷ is α), so the cell row never stays behind', async () => {
    await api.db.insertInto('quotas').values({ project_id: 'ᾷ1', resource: 'cores', hard_limit: 99, created_at: CREATED }).execute();
    await seed(cell1, { quotas: [{ project_id: 'α1', resource: 'cores', hard_limit: 20 }] });
    const result = await run();
    expect(resultOf(result.results, LIMITS, 'cell1').counts).toMatchObject({ found: 1, migrated: 1, remaining: 0 });
    await expectAllSoftDeleted(cell1, 'quotas');
    expect(await apiQuotas(api.db)).toEqual(env.dialect === 'mysql' ? [['ᾷ1', 'cores', 99]] : [['α1', 'cores', 20], ['ᾷ1', 'cores', 99]]);
  });

  it('the command warns about every kept API value, even with -q, and exits 0', async () => {
    await api.db.insertInto('quotas').values({ project_id: 'p1', resource: 'cores', hard_limit: 99, created_at: CREATED }).execute();
    await seed(cell1, { quotas: [{ project_id: 'p1', resource: 'cores', hard_limit: 20 }] });
    const conf = writeNovaConf(join(env.dir, 'warn'), { api: urls.api });
    const cli = await runCli(['--config-file', conf, '-q', '-f', 'json', 'online-data-migrations', '--migration', LIMITS], { cwd: env.dir });
    expect(cli.code).toBe(0);
    await expectAllSoftDeleted(cell1, 'quotas');
    expect(cli.stderr).toMatch(
      /^cellctl: warning: migrate_quota_limits_to_api_db in cell cell1 \([0-9a-f-]+\): the API database already held 1 of the cell's values with another value; kept the API's \(Nova reads it first\), the cell rows are soft-deleted: quotas id \d+ \(project_id p1, resource cores\): cell 20, API 99\n$/,
    );
  });

  it("loses no limit of a batch that holds one duplicate (Nova rolls back the batch's inserts and soft-deletes it all)", async () => {
    await api.db.insertInto('quotas').values({ project_id: 'p1', resource: 'cores', hard_limit: 20, created_at: CREATED }).execute();
    await seed(cell1, {
      quotas: [
        { project_id: 'p1', resource: 'cores', hard_limit: 20 },
        { project_id: 'p2', resource: 'cores', hard_limit: 10 },
        { project_id: 'p3', resource: 'ram', hard_limit: 512 },
      ],
      user: [
        // Two users' per-project resource collapse onto one API key: a duplicate within the batch.
        { user_id: 'u1', project_id: 'p4', resource: 'floating_ips', hard_limit: 3 },
        { user_id: 'u2', project_id: 'p4', resource: 'floating_ips', hard_limit: 3 },
        { user_id: 'u1', project_id: 'p4', resource: 'cores', hard_limit: 7 },
      ],
    });
    const result = await run();
    expect(resultOf(result.results, LIMITS, 'cell1').counts).toMatchObject({ found: 6, migrated: 6, remaining: 0 });
    expect(await apiQuotas(api.db)).toEqual([
      ['p1', 'cores', 20],
      ['p2', 'cores', 10],
      ['p3', 'ram', 512],
      ['p4', 'floating_ips', 3],
    ]);
    expect(await apiUserQuotas(api.db)).toEqual([['u1', 'p4', 'cores', 7]]);
    await expectAllSoftDeleted(cell1, 'quotas');
    await expectAllSoftDeleted(cell1, 'project_user_quotas');
    expect(keptNotices()).toEqual([]);
  });

  it('completes a run killed between the API commit and the soft delete, with no duplicate', async () => {
    await seed(cell1, {
      quotas: [
        { project_id: 'p1', resource: 'cores', hard_limit: 20 },
        { project_id: null, resource: 'ram', hard_limit: 100 },
      ],
      user: [{ user_id: 'u1', project_id: 'p1', resource: 'cores', hard_limit: 10 }],
      classes: [{ class_name: 'default', resource: 'cores', hard_limit: 20 }],
    });
    const unblock = [await blockUpdates(env, cell1, 'quotas'), await blockUpdates(env, cell1, 'quota_classes')];
    const failed = await run();
    await Promise.all(unblock.map((u) => u()));
    expect(resultOf(failed.results, LIMITS, 'cell1')).toMatchObject({ status: 'failed', counts: { migrated: 0 } });
    expect(resultOf(failed.results, CLASSES, 'cell1')).toMatchObject({ status: 'failed', counts: { migrated: 0 } });
    // The API half was written; the cell rows are all still live.
    expect(await apiQuotas(api.db)).toEqual([
      ['p1', 'cores', 20],
      [null, 'ram', 100],
    ]);
    expect(await apiClasses(api.db)).toEqual([['default', 'cores', 20]]);
    expect(await liveIds(cell1, 'quotas')).toHaveLength(2);
    expect(await liveIds(cell1, 'quota_classes')).toHaveLength(1);

    const rerun = await run();
    expect(resultOf(rerun.results, LIMITS, 'cell1')).toMatchObject({ status: 'ok', counts: { found: 3, migrated: 3, remaining: 0 } });
    expect(resultOf(rerun.results, CLASSES, 'cell1')).toMatchObject({ status: 'ok', counts: { found: 1, migrated: 1, remaining: 0 } });
    expect(await apiQuotas(api.db)).toEqual([
      ['p1', 'cores', 20],
      [null, 'ram', 100],
    ]);
    expect(await apiUserQuotas(api.db)).toEqual([['u1', 'p1', 'cores', 10]]);
    expect(await apiClasses(api.db)).toEqual([['default', 'cores', 20]]);
    await expectAllSoftDeleted(cell1, 'quotas');
    await expectAllSoftDeleted(cell1, 'project_user_quotas');
    await expectAllSoftDeleted(cell1, 'quota_classes');
    expect(keptNotices()).toEqual([]);
  });

  it('never duplicates a limit without a project (NULL is never equal in a unique key), from two cells or on a re-run', async () => {
    await seed(cell1, {
      quotas: [
        { project_id: null, resource: 'cores', hard_limit: 5 },
        { project_id: null, resource: 'cores', hard_limit: 6 },
      ],
    });
    await seed(cell2, { quotas: [{ project_id: null, resource: 'cores', hard_limit: 5 }] });
    await run();
    expect(await apiQuotas(api.db)).toEqual([[null, 'cores', 5]]);
    await seed(cell2, { quotas: [{ project_id: null, resource: 'cores', hard_limit: 5 }] });
    await run();
    expect(await apiQuotas(api.db)).toEqual([[null, 'cores', 5]]);
    for (const db of [cell1, cell2]) await expectAllSoftDeleted(db, 'quotas');
    // The second live cell1 row (6) lost to the first (5): reported, never silently.
    expect(keptNotices().reduce((n, k) => n + k.count, 0)).toBe(1);
  });

  it('never duplicates a quota class (no unique key in the API database): from two cells, two runs in parallel, or a re-run', async () => {
    const classes = [
      { class_name: 'default', resource: 'cores', hard_limit: 20 },
      { class_name: 'default', resource: 'ram', hard_limit: 51200 },
      { class_name: null, resource: 'instances', hard_limit: 10 },
    ];
    await seed(cell1, { classes: [...classes, { class_name: 'default', resource: 'cores', hard_limit: 30 }] });
    await seed(cell2, { classes });
    const other = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    try {
      const [first, second] = await Promise.all([run(), run({}, other)]);
      for (const r of [...first.results, ...second.results]) expect(r.status).toBe('ok');
      const migrated = [...first.results, ...second.results].filter((r) => r.migration === CLASSES).reduce((n, r) => n + r.counts.migrated, 0);
      expect(migrated).toBe(7);
    } finally {
      await other.close();
    }
    expect(await apiClasses(api.db)).toEqual([
      ['default', 'cores', 20],
      ['default', 'ram', 51200],
      [null, 'instances', 10],
    ]);
    for (const db of [cell1, cell2]) await expectAllSoftDeleted(db, 'quota_classes');
    expect(keptNotices()).toEqual([expect.objectContaining({ migration: CLASSES, count: 1, examples: [expect.objectContaining({ cellLimit: 30, apiLimit: 20 })] })]);

    await seed(cell2, { classes });
    const rerun = await run();
    expect(resultOf(rerun.results, CLASSES, 'cell2').counts).toMatchObject({ found: 3, migrated: 3 });
    expect(await apiClasses(api.db)).toHaveLength(3);
  });

  it('--status counts and writes nothing', async () => {
    await seed(cell1, {
      quotas: [{ project_id: 'p1', resource: 'cores', hard_limit: 20 }],
      user: [{ user_id: 'u1', project_id: 'p1', resource: 'floating_ips', hard_limit: 1 }],
      classes: [{ class_name: 'default', resource: 'cores', hard_limit: 20 }],
    });
    await seed(cell2, { quotas: [{ project_id: 'p2', resource: 'cores', hard_limit: 1 }] });
    const handles = [api, await dbs.cellDatabase({ uuid: 'c1', name: 'cell1', databaseConnection: urls.cell1 }), await dbs.cellDatabase({ uuid: 'c2', name: 'cell2', databaseConnection: urls.cell2 })];
    const before = await Promise.all(handles.map(dumpRows));
    const result = await run({ status: true });
    expect(await Promise.all(handles.map(dumpRows))).toEqual(before);
    expect(resultOf(result.results, LIMITS, 'cell1').counts).toMatchObject({ found: 2, migrated: 0, remaining: 2 });
    expect(resultOf(result.results, LIMITS, 'cell2').counts).toMatchObject({ found: 1, migrated: 0, remaining: 1 });
    expect(resultOf(result.results, CLASSES, 'cell1').counts).toMatchObject({ found: 1, migrated: 0, remaining: 1 });
  });

  it('--max-count migrates at most N rows, lowest ids and per-project limits first, over chunks; a re-run finishes', async () => {
    const quotas = Array.from({ length: 1500 }, (_v, i) => ({ project_id: `p${String(i).padStart(5, '0')}`, resource: 'cores', hard_limit: i }));
    for (let i = 0; i < quotas.length; i += 500) await seed(cell1, { quotas: quotas.slice(i, i + 500) });
    await seed(cell1, {
      user: [
        { user_id: 'u1', project_id: 'p1', resource: 'cores', hard_limit: 1 },
        { user_id: 'u2', project_id: 'p1', resource: 'cores', hard_limit: 2 },
      ],
      classes: [{ class_name: 'default', resource: 'cores', hard_limit: 20 }],
    });
    const ids = await liveIds(cell1, 'quotas');

    const first = await run({ maxCount: 1201, cell: 'cell1' });
    expect(resultOf(first.results, LIMITS, 'cell1').counts).toMatchObject({ found: 1502, migrated: 1201, remaining: 301 });
    expect(resultOf(first.results, CLASSES, 'cell1').counts).toMatchObject({ found: 1, migrated: 0, remaining: 1 });
    expect(await liveIds(cell1, 'quotas')).toEqual(ids.slice(1201));
    expect((await apiQuotas(api.db)).length).toBe(1201);

    const second = await run({ maxCount: 302, cell: 'cell1' });
    expect(resultOf(second.results, LIMITS, 'cell1').counts).toMatchObject({ found: 301, migrated: 301, remaining: 0 });
    expect(resultOf(second.results, CLASSES, 'cell1').counts).toMatchObject({ found: 1, migrated: 1, remaining: 0 });
    expect((await apiQuotas(api.db)).length).toBe(1500);
    expect(await apiUserQuotas(api.db)).toHaveLength(2);
    await expectAllSoftDeleted(cell1, 'quotas');
    await expectAllSoftDeleted(cell1, 'project_user_quotas');
  });

  (env.dialect === 'mysql' ? describeWithNova() : describe.skip)('beside Nova', () => {
    /** The same limits and classes in two cells, with none of the duplicates that make Nova lose data. */
    async function seedDeployment(side: string): Promise<{ conf: string; cellConfs: string[]; urls: { api: string; cells: string[] } }> {
      const deployment = { api: env.newUrl(`${side}_api`), cells: [env.newUrl(`${side}_c1`), env.newUrl(`${side}_c2`)] };
      await createNovaDatabase(deployment.api, 'api');
      for (const url of deployment.cells) await createNovaDatabase(url, 'cell');
      const context = createDatabaseContext({ apiDatabaseConnection: deployment.api, cwd: env.dir });
      try {
        const apiDb = (await context.api()).db;
        await apiDb.insertInto('quotas').values({ project_id: 'p0', resource: 'cores', hard_limit: 1, created_at: CREATED }).execute();
        for (const [i, url] of deployment.cells.entries()) {
          await insertCellMapping(apiDb, { name: `cell${i + 1}`, databaseConnection: url });
          const db = (await context.cellDatabase({ uuid: `c${i}`, name: null, databaseConnection: url })).db;
          await seed(db, {
            quotas: [
              { project_id: `p${i}a`, resource: 'cores', hard_limit: 20 + i },
              { project_id: `p${i}a`, resource: 'ram', hard_limit: null },
              { project_id: `p${i}b`, resource: 'instances', hard_limit: 10 },
            ],
            user: [
              { user_id: 'u1', project_id: `p${i}a`, resource: 'cores', hard_limit: 5 },
              { user_id: 'u2', project_id: `p${i}a`, resource: 'floating_ips', hard_limit: 2 },
              { user_id: 'u1', project_id: `p${i}b`, resource: 'networks', hard_limit: 1 },
            ],
            classes: [
              { class_name: `class${i}`, resource: 'cores', hard_limit: 40 },
              { class_name: `class${i}`, resource: 'ram', hard_limit: 4096 },
            ],
          });
        }
      } finally {
        await context.close();
      }
      const dir = join(env.dir, side);
      const cellConfs = deployment.cells.map((db, i) => writeNovaConf(join(dir, `cell${i + 1}`), { api: deployment.api, db }));
      return { conf: writeNovaConf(dir, { api: deployment.api }), cellConfs, urls: deployment };
    }

    /** `nova-manage db online_data_migrations` with one cell's configuration, in a child process (cells run at once). */
    function onlineDataMigrations(conf: string): Promise<{ status: number | null; stdout: string }> {
      const script = 'import sys; from nova.cmd.manage import main; sys.argv[0] = "nova-manage"; sys.exit(main())';
      return new Promise((resolve, reject) => {
        execFile(NOVA_PYTHON, ['-c', script, '--config-file', conf, 'db', 'online_data_migrations'], { timeout: 300_000 }, (error, stdout) => {
          if (error && typeof error.code !== 'number') reject(error);
          else resolve({ status: error ? Number(error.code) : 0, stdout });
        });
      });
    }

    /** Nova's summary table: migration name -> [total needed, completed]. */
    function novaCounts(stdout: string): Map<string, [number, number]> {
      const rows = [...stdout.matchAll(/^\|\s*([a-z_]+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|$/gm)];
      return new Map(rows.map((m): [string, [number, number]] => [m[1], [Number(m[2]), Number(m[3])]]));
    }

    /** What the two migrations leave, timestamps and the new rows' ids aside. */
    async function migratedState(deployment: { api: string; cells: string[] }) {
      const context = createDatabaseContext({ apiDatabaseConnection: deployment.api, cwd: env.dir });
      try {
        const apiDb = (await context.api()).db;
        const cells = [];
        for (const url of deployment.cells) {
          const db = (await context.cellDatabase({ uuid: url, name: null, databaseConnection: url })).db;
          const tables: Record<string, unknown[]> = {};
          for (const table of ['quotas', 'project_user_quotas', 'quota_classes'] as const) {
            const rows = await db.selectFrom(table).selectAll().orderBy('id').execute();
            tables[table] = rows.map(({ deleted_at, ...rest }) => ({ ...rest, soft_deleted_at_set: deleted_at !== null }));
          }
          cells.push(tables);
        }
        const apiUpdated = await apiDb.selectFrom('quotas').select('updated_at').execute();
        return { quotas: await apiQuotas(apiDb), user: await apiUserQuotas(apiDb), classes: await apiClasses(apiDb), apiUpdated: apiUpdated.map((r) => r.updated_at), cells };
      } finally {
        await context.close();
      }
    }

    it("leaves the same rows as Nova's online_data_migrations run per cell, and Nova then finds nothing to do", async () => {
      const ours = await seedDeployment('a');
      const nova = await seedDeployment('b');

      const cli = await runCli(['--config-file', ours.conf, '-q', '-f', 'json', 'online-data-migrations', '--migration', LIMITS, '--migration', CLASSES], { cwd: env.dir });
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      for (const r of await Promise.all(nova.cellConfs.map(onlineDataMigrations))) {
        expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: expect.any(String) });
        expect(novaCounts(r.stdout).get(LIMITS)).toEqual([6, 6]);
        expect(novaCounts(r.stdout).get(CLASSES)).toEqual([2, 2]);
      }

      const mine = await migratedState(ours.urls);
      expect(mine.quotas).toHaveLength(1 + 2 * 5);
      expect(mine).toEqual(await migratedState(nova.urls));

      for (const r of await Promise.all(ours.cellConfs.map(onlineDataMigrations))) {
        expect(r.status).toBe(0);
        expect(novaCounts(r.stdout).get(LIMITS)).toEqual([0, 0]);
        expect(novaCounts(r.stdout).get(CLASSES)).toEqual([0, 0]);
      }
    });
  });
});
