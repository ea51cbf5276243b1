/**
 * `migrate_instance_groups_to_api_db`, cellctl's own migration, through the runner: legacy groups
 * of the cell databases copied into the API database with their lowest-id live policy and their
 * live members, then soft-deleted in the cell; a group already in the API database kept as it is;
 * re-runs, a run killed between the API write and the soft delete, --status, --max-count, and Nova
 * reading the group cellctl migrated.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { runOnlineMigrations, type OnlineMigrationsOptions } from '../../src/services/online-migrations/online-migrations.service';
import type { RunEvent } from '../../src/services/run-events';
import { createNovaDatabase, insertCellMapping } from '../support/cell-fixtures';
import { describeEachDialect } from '../support/dialect-matrix';
import { apiGroups, clearGroups, insertApiGroup, insertLegacyGroup, liveLegacyRows } from '../support/instance-group-fixtures';
import { describeWithNova, writeNovaConf } from '../support/nova-oracle';
import { dumpRows } from '../support/row-dump';
import { NOVA_PYTHON } from '../support/test-environment';

const MIGRATION = 'migrate_instance_groups_to_api_db';
const I1 = 'a1111111-0000-4000-8000-000000000001';
const I2 = 'a1111111-0000-4000-8000-000000000002';
const I3 = 'a1111111-0000-4000-8000-000000000003';

/** The script of the engineering brief (§4.4): Nova's own InstanceGroup.get_by_uuid, as JSON. */
const NOVA_GET_GROUP = `
import sys, json
from nova import config, context, objects
objects.register_all()
config.parse_args(['probe', '--config-file', sys.argv[1]])
g = objects.InstanceGroup.get_by_uuid(context.get_admin_context(), sys.argv[2])
print(json.dumps({'uuid': g.uuid, 'name': g.name, 'policy': g.policy, 'rules': g.rules,
                  'members': sorted(g.members or []), 'project_id': g.project_id, 'user_id': g.user_id}))
`;

describeEachDialect('online migration migrate_instance_groups_to_api_db', (env) => {
  const urls = { api: '', cell1: '', cell2: '' };
  let dbs: DatabaseContext;
  let api: Kysely<ApiDatabase>;
  let cell1: Kysely<CellDatabase>;
  let cell2: Kysely<CellDatabase>;

  const run = async (options: Partial<OnlineMigrationsOptions> = {}) => {
    const events: RunEvent[] = [];
    const result = await runOnlineMigrations(dbs, { migrations: [MIGRATION], setting: () => undefined, onEvent: (e) => events.push(e), ...options });
    const byCell = Object.fromEntries(result.results.map((r) => [r.cell?.name ?? 'none', r]));
    for (const r of result.results) if (r.error) throw r.error;
    const notices = events.flatMap((e) => (e.type === 'notice' ? [e.notice] : []));
    const counts = (cell: 'cell1' | 'cell2') => {
      const { found, migrated, remaining } = byCell[cell]!.counts;
      return { found, migrated, remaining };
    };
    return { result, counts, notices };
  };
  const dumpAll = async () => [await dumpRows(await dbs.api()), ...(await Promise.all([urls.cell1, urls.cell2].map(async (u) => dumpRows(await dbs.cellDatabase({ uuid: u, name: u, databaseConnection: u })))))];

  beforeAll(async () => {
    urls.api = env.newUrl('api');
    urls.cell1 = env.newUrl('cell1');
    urls.cell2 = env.newUrl('cell2');
    await createNovaDatabase(urls.api, 'api');
    for (const url of [urls.cell1, urls.cell2]) await createNovaDatabase(url, 'cell');
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    api = (await dbs.api()).db;
    await insertCellMapping(api, { name: 'cell1', databaseConnection: urls.cell1 });
    await insertCellMapping(api, { name: 'cell2', databaseConnection: urls.cell2 });
    cell1 = (await dbs.cellDatabase({ uuid: 'c1', name: 'cell1', databaseConnection: urls.cell1 })).db;
    cell2 = (await dbs.cellDatabase({ uuid: 'c2', name: 'cell2', databaseConnection: urls.cell2 })).db;
  });

  beforeEach(async () => {
    for (const db of [api, cell1, cell2]) await clearGroups(db);
  });

  afterAll(() => dbs.close());

  it('copies a group that lives only in a cell with its lowest-id live policy and live members, once each, then soft-deletes the cell rows', async () => {
    const group = await insertLegacyGroup(cell1, { name: 'web', project: 'p1', user: 'u1', policies: ['anti-affinity', 'affinity'], members: [I1, I2, I1, { instance: I3, deleted: true }] });
    const bare = await insertLegacyGroup(cell1, { name: null, policies: [], members: [] });
    const gone = await insertLegacyGroup(cell1, { deleted: true, members: [I1] });
    // The first policy soft-deleted: the lowest-id *live* one is taken.
    const other = await insertLegacyGroup(cell2, { name: 'db', project: 'p2', user: 'u2', policies: ['affinity', 'soft-affinity'], members: [I3] });
    await cell2.updateTable('instance_group_policy').set((eb) => ({ deleted: eb.ref('id'), deleted_at: '2018-01-01 00:00:00' })).where('policy', '=', 'affinity').execute();

    const { counts, notices } = await run();
    expect([counts('cell1'), counts('cell2')]).toEqual([{ found: 2, migrated: 2, remaining: 0 }, { found: 1, migrated: 1, remaining: 0 }]);
    expect(notices).toEqual([]);
    const groups = await apiGroups(api);
    expect(groups).toEqual(
      [
        { uuid: group.uuid, name: 'web', project_id: 'p1', user_id: 'u1', created: true, updated_at: null, policies: [{ policy: 'anti-affinity', rules: null }], members: [I1, I2] },
        { uuid: bare.uuid, name: null, project_id: 'p1', user_id: 'u1', created: true, updated_at: null, policies: [], members: [] },
        { uuid: other.uuid, name: 'db', project_id: 'p2', user_id: 'u2', created: true, updated_at: null, policies: [{ policy: 'soft-affinity', rules: null }], members: [I3] },
      ].sort((a, b) => (a.uuid < b.uuid ? -1 : 1)),
    );
    expect(groups.map((g) => g.uuid)).not.toContain(gone.uuid);
    // The cell rows are soft-deleted as Nova's instance_group_delete did: deleted = id, deleted_at set, updated_at untouched.
    for (const db of [cell1, cell2]) {
      expect(await liveLegacyRows(db)).toEqual({ groups: 0, policies: 0, members: 0 });
      for (const table of ['instance_groups', 'instance_group_policy', 'instance_group_member'] as const) {
        const rows = await db.selectFrom(table).select(['id', 'deleted', 'deleted_at', 'updated_at']).execute();
        for (const row of rows) expect([table, row.deleted, row.deleted_at !== null, row.updated_at]).toEqual([table, row.id, true, null]);
      }
    }
    const again = await run();
    expect([again.counts('cell1'), again.counts('cell2')]).toEqual([{ found: 0, migrated: 0, remaining: 0 }, { found: 0, migrated: 0, remaining: 0 }]);
  });

  it('leaves a group that lives only in the API database alone, and a re-run writes nothing', async () => {
    await insertApiGroup(api, { name: 'api-only', members: [I1] });
    const before = await dumpAll();
    const { counts } = await run();
    expect(counts('cell1')).toEqual({ found: 0, migrated: 0, remaining: 0 });
    expect(await dumpAll()).toEqual(before);
  });

  it('keeps the API copy of a group in both places (no duplicate, nothing merged), soft-deletes the cell copy, and says so', async () => {
    const uuid = randomUUID();
    await insertApiGroup(api, { uuid, name: 'kept', policy: 'affinity', members: [I1] });
    await insertLegacyGroup(cell1, { uuid, name: 'stale', policies: ['anti-affinity'], members: [I2, I3] });
    const apiBefore = await apiGroups(api);
    const { counts, notices } = await run();
    expect(counts('cell1')).toEqual({ found: 1, migrated: 1, remaining: 0 });
    expect(await apiGroups(api)).toEqual(apiBefore);
    expect(await liveLegacyRows(cell1)).toEqual({ groups: 0, policies: 0, members: 0 });
    expect(notices).toEqual([{ kind: 'instance-groups-already-in-api', cell: expect.objectContaining({ name: 'cell1' }), groups: [uuid], status: false }]);
  });

  it('makes one API group of a UUID found in two cells migrating in parallel', async () => {
    const uuid = randomUUID();
    await insertLegacyGroup(cell1, { uuid, name: 'twin', members: [I1] });
    await insertLegacyGroup(cell2, { uuid, name: 'twin', members: [I1] });
    for (let i = 0; i < 20; i++) {
      await insertLegacyGroup(cell1, { members: [I2] });
      await insertLegacyGroup(cell2, { members: [I3] });
    }
    const { counts } = await run();
    expect([counts('cell1'), counts('cell2')]).toEqual([{ found: 21, migrated: 21, remaining: 0 }, { found: 21, migrated: 21, remaining: 0 }]);
    const groups = await apiGroups(api);
    expect(groups).toHaveLength(41);
    expect(groups.filter((g) => g.uuid === uuid)).toEqual([expect.objectContaining({ name: 'twin', members: [I1], policies: [{ policy: 'anti-affinity', rules: null }] })]);
  });

  it('repairs a run killed between the API write and the soft delete: no double, every cell row soft-deleted', async () => {
    await insertLegacyGroup(cell1, { name: 'a', members: [I1, I2] });
    await insertLegacyGroup(cell1, { name: 'b', members: [I3] });
    await run();
    const migrated = await apiGroups(api);
    // The state a kill after the API commit leaves: the API rows written, the cell rows still live.
    for (const table of ['instance_groups', 'instance_group_policy', 'instance_group_member'] as const) {
      await cell1.updateTable(table).set({ deleted: 0, deleted_at: null }).execute();
    }
    const { counts } = await run();
    expect(counts('cell1')).toEqual({ found: 2, migrated: 2, remaining: 0 });
    expect(await apiGroups(api)).toEqual(migrated);
    expect(await liveLegacyRows(cell1)).toEqual({ groups: 0, policies: 0, members: 0 });
  });

  it('--status counts what would be migrated and writes nothing; --max-count stops after N groups', async () => {
    const uuid = randomUUID();
    await insertApiGroup(api, { uuid });
    await insertLegacyGroup(cell1, { uuid });
    for (let i = 0; i < 4; i++) await insertLegacyGroup(cell1, { members: [I1] });
    const before = await dumpAll();
    const status = await run({ status: true });
    expect(status.counts('cell1')).toEqual({ found: 5, migrated: 0, remaining: 5 });
    expect(status.notices).toEqual([expect.objectContaining({ kind: 'instance-groups-already-in-api', groups: [uuid], status: true })]);
    expect(await dumpAll()).toEqual(before);

    const limited = await run({ maxCount: 2, cell: 'cell1' });
    expect(limited.counts('cell1')).toEqual({ found: 5, migrated: 2, remaining: 3 });
    expect((await liveLegacyRows(cell1)).groups).toBe(3);
    const rest = await run({ cell: 'cell1' });
    expect(rest.counts('cell1')).toEqual({ found: 3, migrated: 3, remaining: 0 });
    expect(await apiGroups(api)).toHaveLength(5);
  });

  it('walks more groups than one chunk holds', async () => {
    const rows = Array.from({ length: 1203 }, (_, i) => ({ uuid: randomUUID(), name: `g${i}`, project_id: 'p', user_id: 'u', deleted: 0 }));
    for (let i = 0; i < rows.length; i += 400) await cell2.insertInto('instance_groups').values(rows.slice(i, i + 400)).execute();
    const ids = (await cell2.selectFrom('instance_groups').select('id').execute()).map((r) => r.id);
    for (let i = 0; i < ids.length; i += 400) {
      await cell2.insertInto('instance_group_policy').values(ids.slice(i, i + 400).map((id) => ({ group_id: id, policy: 'affinity', deleted: 0 }))).execute();
    }
    const { counts } = await run({ cell: 'cell2' });
    expect(counts('cell2')).toEqual({ found: 1203, migrated: 1203, remaining: 0 });
    expect(await apiGroups(api)).toHaveLength(1203);
    expect(await liveLegacyRows(cell2)).toEqual({ groups: 0, policies: 0, members: 0 });
  });

  describeWithNova()('with Nova', () => {
    it("Nova's InstanceGroup.get_by_uuid reads a group cellctl migrated, with its policy and members", async () => {
      const group = await insertLegacyGroup(cell1, { name: 'nova-reads', project: 'pn', user: 'un', policies: ['soft-anti-affinity', 'affinity'], members: [I2, I1, I2] });
      await run();
      const conf = writeNovaConf(join(env.dir, `nova-group-${Math.random().toString(36).slice(2)}`), { api: urls.api });
      const r = spawnSync(NOVA_PYTHON, ['-c', NOVA_GET_GROUP, conf, group.uuid], { encoding: 'utf8', timeout: 120_000 });
      expect([r.status, r.stderr.split('\n').filter((l) => /Error|Traceback/.test(l))]).toEqual([0, []]);
      expect(JSON.parse(r.stdout.trim().split('\n').pop()!)).toEqual({
        uuid: group.uuid,
        name: 'nova-reads',
        policy: 'soft-anti-affinity',
        rules: {},
        members: [I1, I2].sort(),
        project_id: 'pn',
        user_id: 'un',
      });
    });
  });
});
