/**
 * `cellctl instance-group` while groups live in both places: the API database (Nova 26's only
 * home for them) and the legacy tables of cell databases not yet migrated. Reads try the API
 * database first; listings merge both without duplicates and say where each group lives; writes
 * go to the API database and touch a cell copy only while the group lives only there. Exit codes
 * and database state first, then output.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { createNovaDatabase, insertCellMapping } from '../support/cell-fixtures';
import { runCli } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';
import { apiGroups, clearGroups, insertApiGroup, insertLegacyGroup, liveLegacyRows } from '../support/instance-group-fixtures';
import { dumpRows } from '../support/row-dump';

const I1 = 'b2222222-0000-4000-8000-000000000001';
const I2 = 'b2222222-0000-4000-8000-000000000002';
const I3 = 'b2222222-0000-4000-8000-000000000003';
const G_API = 'c3333333-0000-4000-8000-00000000000a';
const G_CELL1 = 'c3333333-0000-4000-8000-00000000000b';
const G_CELL2 = 'c3333333-0000-4000-8000-00000000000c';

interface GroupRow {
  uuid: string;
  name: string | null;
  project_id: string | null;
  user_id: string | null;
  policy: string | null;
  members: string;
  location: string;
}

describeEachDialect('instance-group commands', (env) => {
  const urls = { api: '', cell1: '', cell2: '' };
  let conf: string;
  let dbs: DatabaseContext;
  let api: Kysely<ApiDatabase>;
  let cell1: Kysely<CellDatabase>;
  let cell2: Kysely<CellDatabase>;
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });
  const json = async <T>(...argv: string[]) => {
    const result = await cli('-f', 'json', ...argv);
    return { ...result, data: result.stdout ? (JSON.parse(result.stdout) as T) : undefined };
  };
  const dumpAll = async () => [await dumpRows(await dbs.api()), ...(await Promise.all([urls.cell1, urls.cell2].map(async (u) => dumpRows(await dbs.cellDatabase({ uuid: u, name: u, databaseConnection: u })))))];
  /** A refused command: its code, nothing on stdout, one line on stderr, no row changed. */
  const expectRefused = async (code: number, ...argv: string[]) => {
    const before = await dumpAll();
    const result = await cli(...argv);
    expect([argv.join(' '), result.code, result.stdout]).toEqual([argv.join(' '), code, '']);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await dumpAll()).toEqual(before);
    return result;
  };

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
    conf = join(env.dir, 'groups.conf');
    writeFileSync(conf, `[api_database]\nconnection = ${urls.api}\n[database]\nconnection = ${urls.cell1}\n`);
  });

  beforeEach(async () => {
    for (const db of [api, cell1, cell2]) await clearGroups(db);
    // One group in the API database (and a stale copy of it in cell1), one only in cell1, one only in cell2.
    await insertApiGroup(api, { uuid: G_API, name: 'web', project: 'p1', user: 'u1', policy: 'anti-affinity', members: [I1] });
    await insertLegacyGroup(cell1, { uuid: G_API, name: 'web-old', project: 'p1', policies: ['affinity'], members: [I2] });
    await insertLegacyGroup(cell1, { uuid: G_CELL1, name: 'db', project: 'p1', user: 'u1', policies: ['affinity', 'anti-affinity'], members: [I2, I3, { instance: I1, deleted: true }] });
    await insertLegacyGroup(cell2, { uuid: G_CELL2, name: 'db', project: 'p2', user: 'u2', policies: ['soft-affinity'], members: [] });
    await insertLegacyGroup(cell2, { name: 'gone', project: 'p2', deleted: true });
  });

  afterAll(() => dbs.close());

  describe('list', () => {
    it('lists the API database; --all-cells adds the groups that live only in a cell, each once, with where it lives', async () => {
      const apiOnly = await json<GroupRow[]>('instance-group', 'list');
      expect(apiOnly.code).toBe(0);
      expect(apiOnly.data).toEqual([{ uuid: G_API, name: 'web', project_id: 'p1', user_id: 'u1', policy: 'anti-affinity', members: I1, location: 'api' }]);

      const all = await json<GroupRow[]>('instance-group', 'list', '--all-cells');
      expect(all.code).toBe(0);
      // Sorted by project, then name, then UUID.
      expect(all.data).toEqual([
        { uuid: G_CELL1, name: 'db', project_id: 'p1', user_id: 'u1', policy: 'affinity', members: `${I2},${I3}`, location: 'cell1' },
        { uuid: G_API, name: 'web', project_id: 'p1', user_id: 'u1', policy: 'anti-affinity', members: I1, location: 'api' },
        { uuid: G_CELL2, name: 'db', project_id: 'p2', user_id: 'u2', policy: 'soft-affinity', members: '', location: 'cell2' },
      ]);
      const p1 = await json<GroupRow[]>('instance-group', 'list', '--all-cells', '--project', 'p1');
      expect(p1.data!.map((g) => g.uuid)).toEqual([G_CELL1, G_API]);
    });

    it('prints every format, and -c picks columns', async () => {
      const table = await cli('instance-group', 'list', '--all-cells');
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(/\| UUID +\| Name +\| Project ID +\| User ID +\| Policy +\| Members +\| Location +\|/);
      expect((await cli('-f', 'value', '-c', 'uuid', '-c', 'location', 'instance-group', 'list', '--all-cells')).stdout).toBe(`${G_CELL1} cell1\n${G_API} api\n${G_CELL2} cell2\n`);
      expect((await cli('-f', 'csv', '-c', 'name', '-c', 'location', 'instance-group', 'list')).stdout.trim().split(/\r?\n/)).toEqual(['"name","location"', '"web","api"']);
      expect((await cli('-f', 'yaml', '-c', 'location', 'instance-group', 'list')).stdout).toMatch(/- location: api/);
    });

    it('reports a cell that cannot be reached (exit 255) and still lists the others', async () => {
      const unreachable = env.dialect === 'sqlite' ? `sqlite:///${join(env.dir, 'no', 'such', 'x.sqlite')}` : 'mysql+pymysql://nova:Secr3tPw@127.0.0.1:1/nova';
      const id = await insertCellMapping(api, { name: 'cell3', databaseConnection: unreachable });
      try {
        const result = await json<GroupRow[]>('--connect-timeout', '2', 'instance-group', 'list', '--all-cells');
        expect(result.code).toBe(255);
        expect(result.data!.map((g) => g.location)).toEqual(['cell1', 'api', 'cell2']);
        expect(result.stderr).toMatch(/cellctl: error: .*cell3/);
        expect(result.stderr).not.toContain('Secr3tPw');
      } finally {
        await api.deleteFrom('cell_mappings').where('id', '=', id.id).execute();
      }
    });
  });

  describe('show', () => {
    it('reads the API database first and falls back to the cells; names resolve within a project', async () => {
      const inApi = await json<GroupRow>('instance-group', 'show', G_API);
      expect([inApi.code, inApi.data]).toEqual([0, { uuid: G_API, name: 'web', project_id: 'p1', user_id: 'u1', policy: 'anti-affinity', members: I1, location: 'api' }]);
      const inCell = await json<GroupRow>('instance-group', 'show', G_CELL2);
      expect([inCell.code, inCell.data?.location, inCell.data?.policy]).toEqual([0, 'cell2', 'soft-affinity']);
      const byName = await json<GroupRow>('instance-group', 'show', 'db', '--project', 'p1');
      expect([byName.code, byName.data?.uuid, byName.data?.location]).toEqual([0, G_CELL1, 'cell1']);
      expect((await cli('-f', 'value', '-c', 'location', 'instance-group', 'show', 'web')).stdout).toBe('api\n');
    });

    it('refuses an unknown group and a name several groups share (127)', async () => {
      expect((await expectRefused(127, 'instance-group', 'show', 'nosuch')).stderr).toMatch(/no instance group/);
      expect((await expectRefused(127, 'instance-group', 'show', 'c3333333-0000-4000-8000-0000000000ff')).stderr).toMatch(/no instance group/);
      expect((await expectRefused(127, 'instance-group', 'show', 'db')).stderr).toMatch(/2 instance groups/);
      expect((await expectRefused(127, 'instance-group', 'show', 'web', '--project', 'p2')).stderr).toMatch(/no instance group/);
    });
  });

  describe('create', () => {
    it('creates a group in the API database with its policy (rules NULL) and prints it; --dry-run writes nothing', async () => {
      const before = await dumpAll();
      const dry = await json<GroupRow>('instance-group', 'create', '--name', 'new', '--policy', 'soft-anti-affinity', '--project', 'p9', '--user', 'u9', '--dry-run');
      expect([dry.code, dry.data?.name, dry.data?.location]).toEqual([0, 'new', 'api']);
      expect(await dumpAll()).toEqual(before);

      const made = await json<GroupRow>('instance-group', 'create', '--name', 'new', '--policy', 'soft-anti-affinity', '--project', 'p9', '--user', 'u9');
      expect(made.code).toBe(0);
      const created = (await apiGroups(api)).find((g) => g.name === 'new');
      expect(created).toEqual({ uuid: made.data!.uuid, name: 'new', project_id: 'p9', user_id: 'u9', created: true, updated_at: null, policies: [{ policy: 'soft-anti-affinity', rules: null }], members: [] });
      expect(made.data).toEqual({ uuid: created!.uuid, name: 'new', project_id: 'p9', user_id: 'u9', policy: 'soft-anti-affinity', members: '', location: 'api' });
    });

    it('refuses a bad policy, a missing project and an empty name (127)', async () => {
      expect((await expectRefused(127, 'instance-group', 'create', '--name', 'x', '--policy', 'best-effort', '--project', 'p', '--user', 'u')).stderr).toMatch(/--policy.*best-effort/);
      expect((await expectRefused(127, 'instance-group', 'create', '--name', 'x', '--policy', 'affinity', '--user', 'u')).stderr).toMatch(/--project/);
      expect((await expectRefused(127, 'instance-group', 'create', '--name', '', '--policy', 'affinity', '--project', 'p', '--user', 'u')).stderr).toMatch(/name/);
    });
  });

  describe('delete', () => {
    it('deletes a group from the API database (policy and members too) and soft-deletes its stale cell copy', async () => {
      const before = await dumpAll();
      expect((await cli('-q', 'instance-group', 'delete', G_API, '--dry-run')).code).toBe(0);
      expect(await dumpAll()).toEqual(before);
      const result = await cli('instance-group', 'delete', 'web', '--project', 'p1');
      expect(result.code).toBe(0);
      expect(await apiGroups(api)).toEqual([]);
      expect(await api.selectFrom('instance_group_policy').selectAll().execute()).toEqual([]);
      expect(await api.selectFrom('instance_group_member').selectAll().execute()).toEqual([]);
      // The stale copy would otherwise come back as a cell-only group (and be migrated back).
      expect(await cell1.selectFrom('instance_groups').select('uuid').where('deleted', '=', 0).execute()).toEqual([{ uuid: G_CELL1 }]);
      expect(result.stderr).toMatch(/deleted instance group/);
    });

    it('soft-deletes a group that lives only in a cell, with its policies and members', async () => {
      expect((await cli('-q', 'instance-group', 'delete', G_CELL1)).code).toBe(0);
      const live = await cell1.selectFrom('instance_groups').select('uuid').where('deleted', '=', 0).execute();
      expect(live).toEqual([{ uuid: G_API }]);
      const group = await cell1.selectFrom('instance_groups').select(['id', 'deleted', 'deleted_at']).where('uuid', '=', G_CELL1).executeTakeFirstOrThrow();
      expect([group.deleted, group.deleted_at !== null]).toEqual([group.id, true]);
      expect(await liveLegacyRows(cell1)).toEqual({ groups: 1, policies: 1, members: 1 });
      expect((await apiGroups(api)).map((g) => g.uuid)).toEqual([G_API]);
    });

    it('refuses an unknown or ambiguous group (127)', async () => {
      expect((await expectRefused(127, 'instance-group', 'delete', 'nosuch')).stderr).toMatch(/no instance group/);
      expect((await expectRefused(127, 'instance-group', 'delete', 'db')).stderr).toMatch(/2 instance groups/);
    });
  });

  describe('add-member', () => {
    it('adds members to an API group (those already in it skipped); --dry-run writes nothing', async () => {
      const before = await dumpAll();
      expect((await cli('-q', 'instance-group', 'add-member', G_API, I2, '--dry-run')).code).toBe(0);
      expect(await dumpAll()).toEqual(before);
      const result = await json<GroupRow>('instance-group', 'add-member', 'web', I1, I2, I3, I2);
      expect(result.code).toBe(0);
      expect((await apiGroups(api)).find((g) => g.uuid === G_API)!.members).toEqual([I1, I2, I3]);
      expect(result.data).toMatchObject({ uuid: G_API, members: `${I1},${I2},${I3}`, location: 'api' });
      // The stale cell copy is not touched.
      expect(await liveLegacyRows(cell1)).toEqual({ groups: 2, policies: 3, members: 3 });
    });

    it('adds members to the cell copy of a group that lives only there', async () => {
      const result = await cli('-q', 'instance-group', 'add-member', G_CELL2, I1);
      expect(result.code).toBe(0);
      const members = await cell2.selectFrom('instance_group_member').select(['instance_id', 'deleted']).execute();
      expect(members).toEqual([{ instance_id: I1, deleted: 0 }]);
      expect(await apiGroups(api)).toHaveLength(1);
    });

    it('refuses a malformed instance UUID and an unknown group (127)', async () => {
      expect((await expectRefused(127, 'instance-group', 'add-member', G_API, 'not-a-uuid')).stderr).toMatch(/not-a-uuid/);
      expect((await expectRefused(127, 'instance-group', 'add-member', 'nosuch', I1)).stderr).toMatch(/no instance group/);
    });
  });

  it('after the migration every group lives in the API database', async () => {
    const migrate = await cli('online-data-migrations', '--migration', 'migrate_instance_groups_to_api_db');
    expect(migrate.code).toBe(0);
    // G_API's stale copy in cell1 is soft-deleted, not merged; the moved rows stay soft-deleted in the cells.
    expect(migrate.stderr).toMatch(new RegExp(`1 instance group\\(s\\) of cell cell1 .* already in the API database were kept .*: ${G_API}`));
    expect(migrate.stderr).toMatch(/3 legacy instance group\(s\) .*soft-deleted.*archive_deleted_rows skips/);
    const all = await json<GroupRow[]>('instance-group', 'list', '--all-cells');
    expect(all.data!.map((g) => [g.uuid, g.location])).toEqual([[G_CELL1, 'api'], [G_API, 'api'], [G_CELL2, 'api']]);
    expect(all.data![1]!.members).toBe(I1);
  });
});
