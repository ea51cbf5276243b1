/**
 * `cellctl instance stuck`: build requests whose instance never reached a cell, listed oldest first
 * past an age; `--bury` buries them in cell0 (judged by Nova's own conductor burying the same
 * Nova-made build requests), `--delete` removes their API rows; `--dry-run` writes nothing; the
 * refusals write nothing.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import type { DatabaseHandle } from '../../src/db/connection';
import { CELL0_UUID } from '../../src/domain/constants';
import { STUCK_REASON } from '../../src/domain/stuck-builds';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { createNovaDatabase, insertCellMapping } from '../support/cell-fixtures';
import { runCli } from '../support/cli-runner';
import { burialShape, CELL0_BURIAL_TABLES } from '../support/burial-rows';
import { describeEachDialect } from '../support/dialect-matrix';
import { describeWithNova, writeNovaConf } from '../support/nova-oracle';
import { dumpRows } from '../support/row-dump';
import { insertStuckReservation, ROOT_DISK, STUCK_IMAGE } from '../support/stuck-fixtures';
import { NOVA_PYTHON } from '../support/test-environment';

interface StuckRow {
  uuid: string;
  name: string | null;
  project_id: string;
  user_id: string | null;
  created_at: string;
  age: string;
  mapping: string;
  result: string;
}

const HOST = 'conductor-host-1';
const OLD = '2020-01-02 03:04:05';
const OLDER = '2019-06-07 08:09:10';

describeEachDialect('instance stuck', (env) => {
  let conf: string;
  let dbs: DatabaseContext;
  let api: DatabaseHandle<ApiDatabase>;
  let cell0: Kysely<CellDatabase>;
  const urls = { api: '', cell0: '', cell1: '' };
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });
  const stuck = async (...argv: string[]) => {
    const result = await cli('-f', 'json', 'instance', 'stuck', ...argv);
    return { ...result, rows: result.stdout ? (JSON.parse(result.stdout) as StuckRow[]) : [] };
  };
  const everything = async () => [await dumpRows(api), await dumpRows(await dbs.cellDatabase({ uuid: CELL0_UUID, name: 'cell0', databaseConnection: urls.cell0 }))];
  let cell1Id: number;
  let cell0Id: number;

  beforeAll(async () => {
    urls.api = env.newUrl('api');
    urls.cell0 = env.newUrl('cell0');
    urls.cell1 = env.newUrl('cell1');
    conf = join(env.dir, 'stuck.conf');
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\nhost = ${HOST}\n[api_database]\nconnection = ${urls.api}\n[database]\nconnection = ${urls.cell1}\n`);
    for (const argv of [['api-db', 'sync'], ['cell0', 'setup', '--database-connection', urls.cell0], ['cell', 'create', '--name', 'cell1'], ['db', 'sync', '--all-cells']]) {
      expect([argv.join(' '), (await cli('-q', ...argv)).code]).toEqual([argv.join(' '), 0]);
    }
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    api = await dbs.api();
    cell0 = (await dbs.cellDatabase({ uuid: CELL0_UUID, name: 'cell0', databaseConnection: urls.cell0 })).db;
    const cells = await api.db.selectFrom('cell_mappings').select(['id', 'name']).execute();
    cell0Id = cells.find((c) => c.name === 'cell0')!.id;
    cell1Id = cells.find((c) => c.name === 'cell1')!.id;
  });
  afterAll(() => dbs?.close());

  it('lists stuck builds past the age, oldest first; a recent one and a placed one are not stuck', async () => {
    const [older] = await insertStuckReservation(api, { name: 'older', project: 'p1', createdAt: OLDER });
    const pair = await insertStuckReservation(api, { name: 'pair', project: 'p2', user: 'u2', count: 2, createdAt: OLD });
    // A build request without a mapping (an older API, or a hand-made row): Nova's conductor buries those too.
    const [orphan] = await insertStuckReservation(api, { name: 'orphan', project: 'p1', createdAt: OLD });
    await api.db.deleteFrom('instance_mappings').where('instance_uuid', '=', orphan!).execute();
    // Placed in cell1 with its build request still there: not a stuck build (its instance is in a cell).
    const [placed] = await insertStuckReservation(api, { name: 'placed', project: 'p1', createdAt: OLD });
    await api.db.updateTable('instance_mappings').set({ cell_id: cell1Id }).where('instance_uuid', '=', placed!).execute();
    // Made a minute ago: the conductor may be scheduling it; only an explicit age lists it.
    const recent = new Date(Date.now() - 60_000).toISOString().slice(0, 19).replace('T', ' ');
    const [fresh] = await insertStuckReservation(api, { name: 'fresh', project: 'p1', createdAt: recent });

    const all = await stuck();
    expect([all.code, all.stderr]).toEqual([0, '4 stuck builds\n']);
    expect(all.rows.map((r) => r.uuid)).toEqual([older, pair[0], pair[1], orphan]);
    expect(all.rows[0]).toEqual({ uuid: older, name: 'older', project_id: 'p1', user_id: 'user-1', created_at: OLDER, age: expect.stringMatching(/^\d+w$/), mapping: 'no cell', result: 'stuck' });
    expect(all.rows[1]).toMatchObject({ name: 'pair-1', project_id: 'p2', user_id: 'u2' });
    expect(all.rows[3]).toMatchObject({ uuid: orphan, mapping: 'missing' });
    expect((await stuck('--older-than', '0')).rows.map((r) => r.uuid)).toEqual([older, pair[0], pair[1], orphan, fresh]);
    expect((await stuck('--older-than', '5000w')).rows).toEqual([]);
    // A table by default, with the result column.
    expect((await cli('instance', 'stuck')).stdout).toMatch(/\| UUID +\| Name +\| Project ID +\| User ID +\| Created At +\| Age +\| Mapping +\| Result +\|/);
  });

  it('refuses --bury with --delete, and a bad --older-than, with 127 and writes nothing', async () => {
    const before = await everything();
    for (const argv of [
      ['--bury', '--delete'],
      ['--bury', '--delete', '--dry-run'],
      ['--older-than', '3 days', '--bury'],
      ['--older-than', '-1'],
    ]) {
      const result = await cli('instance', 'stuck', ...argv);
      expect([argv.join(' '), result.code, result.stdout, result.stderr]).toEqual([argv.join(' '), 127, '', expect.stringMatching(/^cellctl: error: [^\n]*(--bury and --delete cannot be combined|--older-than must be an age)[^\n]*\n$/)]);
    }
    expect(await everything()).toEqual(before);
  });

  it('--dry-run reports what --bury and --delete would do and writes nothing', async () => {
    const before = await everything();
    const bury = await stuck('--bury', '--dry-run');
    expect(bury.code).toBe(0);
    expect(bury.rows.map((r) => r.result)).toEqual(['would bury', 'would bury', 'would bury', 'would bury']);
    expect(bury.stderr).toBe('dry run: 4 of 4 would bury; nothing written\n');
    const del = await stuck('--delete', '--dry-run');
    expect([del.code, del.rows.map((r) => r.result)]).toEqual([0, ['would delete', 'would delete', 'would delete', 'would delete']]);
    expect(await everything()).toEqual(before);
  });

  it('--bury buries each in cell0 with a 500 fault, points its mapping at cell0, deletes the build request and keeps the request spec; skips one it cannot bury as Nova would', async () => {
    const listed = (await stuck()).rows.map((r) => r.uuid);
    // A build request with a key pair: Nova would copy it into cell0, cellctl does not write key pairs.
    const [keyed] = await insertStuckReservation(api, { name: 'keyed', project: 'p3', createdAt: OLD });
    const row = await api.db.selectFrom('build_requests').select('instance').where('instance_uuid', '=', keyed!).executeTakeFirstOrThrow();
    await api.db.updateTable('build_requests').set({ instance: row.instance!.replace('"key_name": null', '"key_name": "mykey"') }).where('instance_uuid', '=', keyed!).execute();

    const result = await stuck('--bury');
    expect(result.code).toBe(1);
    expect(result.rows.map((r) => [r.uuid, r.result])).toEqual([...listed.map((u) => [u, 'buried']), [keyed, 'skipped']]);
    expect(result.stderr).toBe(`cellctl: warning: ${keyed} (keyed) skipped: its build request cannot be buried as Nova would: the instance carries key_name\n4 of 5 buried, 1 skipped\n`);

    const instances = await cell0.selectFrom('instances').select(['uuid', 'vm_state', 'task_state', 'display_name', 'created_at']).orderBy('display_name').execute();
    expect(instances.map((i) => [i.display_name, i.vm_state, i.task_state])).toEqual([
      ['older', 'error', null],
      ['orphan', 'error', null],
      ['pair-1', 'error', null],
      ['pair-2', 'error', null],
    ]);
    // The instance keeps its build request's time.
    expect(String(instances.find((i) => i.display_name === 'older')!.created_at).slice(0, 19)).toBe(OLDER);
    const faults = await cell0.selectFrom('instance_faults').select(['instance_uuid', 'code', 'message', 'host', 'details']).execute();
    expect(faults).toHaveLength(4);
    for (const f of faults) expect(f).toMatchObject({ code: 500, message: `No valid host was found. ${STUCK_REASON}`, host: HOST, details: expect.stringContaining('stuck build') });
    // cell0 list tells them from instances no host had room for.
    const cell0List = JSON.parse((await cli('-f', 'json', 'cell0', 'list')).stdout) as Array<{ uuid: string; hint: string }>;
    expect(cell0List.filter((r) => listed.includes(r.uuid)).map((r) => r.hint)).toEqual(listed.map(() => 'a stuck build, buried later: it was never scheduled (its created_at says since when)'));
    // One request id per reservation, as one conductor call has one context.
    const actions = await cell0.selectFrom('instance_actions').select(['instance_uuid', 'request_id', 'message']).execute();
    const requestOf = (uuid: string) => actions.find((a) => a.instance_uuid === uuid)!.request_id;
    const pair = listed.slice(1, 3);
    expect(requestOf(pair[0]!)).toBe(requestOf(pair[1]!));
    expect(new Set(listed.map(requestOf)).size).toBe(3);
    const mappings = await api.db.selectFrom('instance_mappings').select(['instance_uuid', 'cell_id']).where('instance_uuid', 'in', listed).execute();
    // The orphan had no mapping and gets none, as in Nova.
    expect(mappings.map((m) => m.cell_id)).toEqual([cell0Id, cell0Id, cell0Id]);
    expect(await api.db.selectFrom('build_requests').select('instance_uuid').where('instance_uuid', 'in', listed).execute()).toEqual([]);
    expect(await api.db.selectFrom('request_specs').select('instance_uuid').where('instance_uuid', 'in', listed).execute()).toHaveLength(4);

    // Nothing left to bury but the skipped one; burying again changes nothing.
    const before = await everything();
    const again = await stuck('--bury');
    expect([again.code, again.rows.map((r) => r.uuid)]).toEqual([1, [keyed]]);
    expect(await everything()).toEqual(before);
    await api.db.deleteFrom('build_requests').where('instance_uuid', '=', keyed!).execute();
  });

  it('--delete removes the build request, the cell-less mapping, the request spec and the group membership; warns about volumes; leaves a placed instance alone', async () => {
    const volume = { ...ROOT_DISK, sourceType: 'volume' as const, destinationType: 'volume' as const, imageId: null, volumeId: '44444444-4444-4444-8444-444444444444' };
    const [gone] = await insertStuckReservation(api, { name: 'gone', project: 'p4', createdAt: OLD, devices: [volume] });
    const [other] = await insertStuckReservation(api, { name: 'other', project: 'p4', createdAt: OLD });
    const group = await api.db.insertInto('instance_groups').values({ uuid: 'abababab-abab-4bab-8bab-abababababab', name: 'g', project_id: 'p4', user_id: 'u', created_at: OLD }).executeTakeFirstOrThrow();
    await api.db.insertInto('instance_group_member').values([gone!, other!].map((u) => ({ group_id: Number(group.insertId), instance_uuid: u, created_at: OLD }))).execute();
    // A burial cut short: the mapping on cell0 and the build request still there.
    const [halfway] = await insertStuckReservation(api, { name: 'halfway', project: 'p4', createdAt: OLD });
    await api.db.updateTable('instance_mappings').set({ cell_id: cell0Id }).where('instance_uuid', '=', halfway!).execute();

    const listed = await stuck();
    expect(listed.rows.map((r) => [r.uuid, r.mapping])).toEqual([
      [gone, 'no cell'],
      [other, 'no cell'],
      [halfway, 'cell0 (burial cut short)'],
    ]);
    const result = await stuck('--delete');
    expect(result.code).toBe(1);
    expect(result.rows.map((r) => [r.uuid, r.result])).toEqual([
      [gone, 'deleted'],
      [other, 'deleted'],
      [halfway, 'skipped'],
    ]);
    expect(result.stderr.split('\n')).toEqual([
      `cellctl: warning: ${gone}: its volumes 44444444-4444-4444-8444-444444444444 may still be reserved or attached in Cinder (Nova's API would clean them up; a database tool cannot)`,
      `cellctl: warning: ${halfway} (halfway) skipped: its burial in cell0 was cut short: bury it again to finish, then delete it from cell0`,
      '2 of 3 deleted, 1 skipped',
      '',
    ]);
    for (const table of ['build_requests', 'instance_mappings', 'request_specs', 'instance_group_member'] as const) {
      expect([table, await api.db.selectFrom(table).select('instance_uuid').where('instance_uuid', 'in', [gone!, other!]).execute()]).toEqual([table, []]);
    }
    expect(await api.db.selectFrom('instance_groups').select('name').where('uuid', '=', 'abababab-abab-4bab-8bab-abababababab').execute()).toEqual([{ name: 'g' }]);
    // The one cut short is finished by --bury (its rows were not in cell0 yet: they are written now).
    const bury = await stuck('--bury');
    expect([bury.code, bury.rows.map((r) => [r.uuid, r.result])]).toEqual([0, [[halfway, 'buried']]]);
    expect(await api.db.selectFrom('build_requests').select('instance_uuid').where('instance_uuid', '=', halfway!).execute()).toEqual([]);
    expect(await cell0.selectFrom('instances').select('vm_state').where('uuid', '=', halfway!).execute()).toEqual([{ vm_state: 'error' }]);
  });

  it("--bury leaves a burial Nova's conductor cut short in cell0 (its row still building, no fault) alone: reports it partial, exits 1, keeps the mapping and build request; purging the row and burying again finishes it", async () => {
    // Nova's conductor died between instance.create() and the update to error (nova-details §2.3).
    const [cut] = await insertStuckReservation(api, { name: 'cut', project: 'p5', createdAt: OLD });
    await cell0.insertInto('instances').values({ uuid: cut!, project_id: 'p5', user_id: 'user-1', display_name: 'cut', vm_state: 'building', task_state: 'scheduling', created_at: OLD, deleted: 0 }).execute();
    const before = await everything();
    const dry = await stuck('--bury', '--dry-run');
    expect([dry.code, dry.rows.map((r) => [r.uuid, r.result]), dry.stderr.split('\n').at(-2)]).toEqual([1, [[cut, 'partial burial, left alone']], 'dry run: 0 of 1 would bury, 1 partial; nothing written']);

    const result = await stuck('--bury');
    expect([result.code, result.rows.map((r) => [r.uuid, r.result])]).toEqual([1, [[cut, 'partial burial, left alone']]]);
    expect(result.stderr).toBe(
      `cellctl: warning: ${cut} (cut) partial: cell0 holds a burial of it cut short (its instance row lacks the error state and fault a burial ends with): purge that row with cellctl cell0 delete --purge ${cut}, then bury it again\n0 of 1 buried, 1 partial\n`,
    );
    // Nothing written: the mapping has no cell, the build request is there, the cell0 row still building.
    expect(await everything()).toEqual(before);
    expect((await stuck()).rows.map((r) => r.uuid)).toEqual([cut]);

    // The operator's way out: purge the cell0 row (the stuck build's API rows stay), bury again.
    const purged = await cli('cell0', 'delete', '--purge', cut!);
    expect([purged.code, purged.stderr]).toEqual([0, expect.stringContaining(`instance ${cut} is a stuck build: its build request, mapping and request spec are kept`)]);
    expect(await api.db.selectFrom('build_requests').select('instance_uuid').where('instance_uuid', '=', cut!).execute()).toEqual([{ instance_uuid: cut }]);
    const bury = await stuck('--bury');
    expect([bury.code, bury.rows.map((r) => [r.uuid, r.result])]).toEqual([0, [[cut, 'buried']]]);
    expect(await cell0.selectFrom('instances').select(['vm_state', 'task_state']).where('uuid', '=', cut!).execute()).toEqual([{ vm_state: 'error', task_state: null }]);
    expect(await cell0.selectFrom('instance_faults').select('code').where('instance_uuid', '=', cut!).execute()).toEqual([{ code: 500 }]);
    expect(await api.db.selectFrom('build_requests').select('instance_uuid').where('instance_uuid', '=', cut!).execute()).toEqual([]);
  });

  it('--delete skips a stuck build cell0 holds a row of (a burial cut short), exits 1 and writes nothing, so no cell0 row is left without its mapping', async () => {
    const [held] = await insertStuckReservation(api, { name: 'held', project: 'p9', createdAt: OLD });
    await cell0.insertInto('instances').values({ uuid: held!, project_id: 'p9', user_id: 'user-1', display_name: 'held', vm_state: 'building', task_state: 'scheduling', created_at: OLD, deleted: 0 }).execute();
    const before = await everything();
    for (const argv of [['--delete', '--dry-run'], ['--delete']]) {
      const r = await stuck(...argv);
      expect([argv.join(' '), r.code, r.rows.map((row) => [row.uuid, row.result])]).toEqual([argv.join(' '), 1, [[held, 'skipped']]]);
      expect(r.stderr).toContain(`${held} (held) skipped: cell0 holds a row of it`);
    }
    expect(await everything()).toEqual(before);
    // Tidy up for the tests after: the row goes, the stuck build is deleted.
    await cell0.deleteFrom('instances').where('uuid', '=', held!).execute();
    expect((await stuck('--delete')).rows.map((row) => [row.uuid, row.result])).toEqual([[held, 'deleted']]);
  });

  it('--bury counts a complete burial (error, with its fault) left with its build request as buried, and finishes its API rows', async () => {
    const [done] = await insertStuckReservation(api, { name: 'done', project: 'p6', createdAt: OLD });
    const { id: _id, ...request } = await api.db.selectFrom('build_requests').selectAll().where('instance_uuid', '=', done!).executeTakeFirstOrThrow();
    expect((await stuck('--bury')).code).toBe(0);
    // Cut short after cell0 and the mapping: the build request is back, as if never deleted.
    await api.db.insertInto('build_requests').values(request).execute();
    const instances = await cell0.selectFrom('instances').select('id').execute();
    const again = await stuck('--bury');
    expect([again.code, again.rows.map((r) => [r.uuid, r.result])]).toEqual([0, [[done, 'buried']]]);
    expect(await cell0.selectFrom('instances').select('id').execute()).toEqual(instances);
    expect(await api.db.selectFrom('build_requests').select('instance_uuid').where('instance_uuid', '=', done!).execute()).toEqual([]);
  });

  it('--bury without cell0 is refused with 127 and writes nothing; --delete and the listing work', async () => {
    const lone = { api: env.newUrl('lone_api'), cell1: env.newUrl('lone_cell1') };
    await createNovaDatabase(lone.api, 'api', env.dir);
    const loneDbs = createDatabaseContext({ apiDatabaseConnection: lone.api, cwd: env.dir });
    try {
      const loneApi = await loneDbs.api();
      await insertCellMapping(loneApi.db, { name: 'cell1', databaseConnection: lone.cell1 });
      const [uuid] = await insertStuckReservation(loneApi, { name: 'nocell0', project: 'p', createdAt: OLD });
      const loneConf = join(env.dir, 'lone.conf');
      writeFileSync(loneConf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\n[api_database]\nconnection = ${lone.api}\n`);
      const before = await dumpRows(loneApi);
      const refused = await runCli(['--config-file', loneConf, 'instance', 'stuck', '--bury'], { cwd: env.dir });
      expect([refused.code, refused.stdout, refused.stderr]).toEqual([127, '', expect.stringMatching(/^cellctl: error: no cell0 is mapped.*run cellctl cell0 setup\n$/)]);
      expect(await dumpRows(loneApi)).toEqual(before);
      const listed = await runCli(['--config-file', loneConf, '-f', 'value', '-c', 'uuid', 'instance', 'stuck'], { cwd: env.dir });
      expect([listed.code, listed.stdout]).toEqual([0, `${uuid}\n`]);
      expect((await runCli(['--config-file', loneConf, '-q', 'instance', 'stuck', '--delete'], { cwd: env.dir })).code).toBe(0);
      expect(await loneApi.db.selectFrom('build_requests').select('id').execute()).toEqual([]);
    } finally {
      await loneDbs.close();
    }
  });

  describeWithNova()("against Nova's conductor burying the same Nova-made build requests", () => {
    /** Two reservations as Nova's API writes them (nova-bury.py --pending-only): everything a burial copies. */
    const requests = [
      {
        request_id: 'req-11111111-2222-4333-8444-555555555555',
        user_id: 'user-1',
        project_id: 'project-1',
        flavor: { id: 7, flavorid: 'f1', name: 'm1.tiny', memory_mb: 512, vcpus: 1, root_gb: 1, ephemeral_gb: 2, swap: 256 },
        image: STUCK_IMAGE,
        availability_zone: null,
        reservation_id: 'r-aaaaaaaa',
        description: 'vm',
        instances: [0, 1].map((i) => ({ uuid: `aaaaaaaa-0000-4000-8000-00000000000${i}`, display_name: `vm-${i + 1}`, hostname: `vm-${i + 1}`, launch_index: i })),
        metadata: { role: 'web', ü: 'ñ' },
        system_metadata: { image_min_disk: '1', image_disk_format: 'qcow2' },
        bdms: [
          { source_type: 'image', destination_type: 'local', image_id: STUCK_IMAGE, boot_index: 0, delete_on_termination: true, device_type: 'disk' },
          { source_type: 'blank', destination_type: 'local', guest_format: 'swap', boot_index: -1, delete_on_termination: true },
          { source_type: 'blank', destination_type: 'local', boot_index: -1, delete_on_termination: true },
        ],
        tags: ['blue', 'green'],
        fault: { kind: 'no-valid-host', reason: '' },
      },
      {
        request_id: 'req-66666666-2222-4333-8444-555555555555',
        user_id: 'user-2',
        project_id: 'project-2',
        flavor: { id: 8, flavorid: 'f2', name: 'm1.small', memory_mb: 1024, vcpus: 2, root_gb: 5, ephemeral_gb: 0, swap: 0 },
        image: STUCK_IMAGE,
        availability_zone: 'az1',
        reservation_id: 'r-bbbbbbbb',
        description: null,
        instances: [{ uuid: 'bbbbbbbb-0000-4000-8000-000000000000', display_name: 'solo', hostname: 'solo', launch_index: 0 }],
        metadata: {},
        system_metadata: { image_base_image_ref: STUCK_IMAGE },
        bdms: [{ source_type: 'image', destination_type: 'local', image_id: STUCK_IMAGE, boot_index: 0, delete_on_termination: true, device_type: 'disk' }],
        tags: [],
        fault: { kind: 'no-valid-host', reason: '' },
      },
    ];

    /** A deployment with cell0 and cell1 whose API database holds the requests' stuck builds, made by Nova's own objects. */
    async function novaStuckDeployment(label: string) {
      const u = { api: env.newUrl(`${label}_api`), cell0: env.newUrl(`${label}_cell0`), cell1: env.newUrl(`${label}_cell1`) };
      await createNovaDatabase(u.api, 'api', env.dir);
      await createNovaDatabase(u.cell0, 'cell', env.dir);
      const context = createDatabaseContext({ apiDatabaseConnection: u.api, cwd: env.dir });
      const apiDb = (await context.api()).db;
      const names = new Map<number, string>();
      names.set((await insertCellMapping(apiDb, { name: 'cell0', uuid: CELL0_UUID, databaseConnection: u.cell0 })).id, 'cell0');
      names.set((await insertCellMapping(apiDb, { name: 'cell1', databaseConnection: u.cell1 })).id, 'cell1');
      const novaConf = writeNovaConf(join(env.dir, `stuck-${label}`), { api: u.api, defaults: { host: HOST } });
      for (const request of requests) {
        const run = spawnSync(NOVA_PYTHON, [join(__dirname, '..', 'support', 'nova-bury.py'), novaConf, JSON.stringify(request), '--pending-only'], { encoding: 'utf8', timeout: 120_000 });
        expect([run.status, run.stderr.split('\n').filter((l) => /Traceback|Error:/.test(l))]).toEqual([0, []]);
      }
      return { urls: u, context, names, novaConf, cell0: async () => (await context.cellDatabase({ uuid: CELL0_UUID, name: 'cell0', databaseConnection: u.cell0 })).db as Kysely<CellDatabase> };
    }

    it('writes in cell0 and the API database the rows Nova writes, table by table and column by column', async () => {
      // NOTE: one after the other: spawnSync holds the event loop, and a MySQL handshake of the
      // other deployment waiting meanwhile would be reset by the server's connect_timeout.
      const nova = await novaStuckDeployment('n');
      const ours = await novaStuckDeployment('o');
      try {
        const judged = spawnSync(NOVA_PYTHON, [join(__dirname, '..', 'support', 'nova-bury-stuck.py'), nova.novaConf, STUCK_REASON], { encoding: 'utf8', timeout: 120_000 });
        expect([judged.status, judged.stderr.split('\n').filter((l) => /Traceback|Error:/.test(l) && !/build_instances/.test(l))]).toEqual([0, []]);
        expect(Object.keys(JSON.parse(judged.stdout) as object).sort()).toEqual(['r-aaaaaaaa', 'r-bbbbbbbb']);

        const result = await runCli(['--config-file', ours.novaConf, '-f', 'json', 'instance', 'stuck', '--bury', '--older-than', '0'], { cwd: env.dir });
        expect([result.code, result.stderr]).toEqual([0, '3 of 3 buried\n']);
        expect((JSON.parse(result.stdout) as StuckRow[]).map((r) => [r.name, r.result])).toEqual([
          ['vm-1', 'buried'],
          ['vm-2', 'buried'],
          ['solo', 'buried'],
        ]);

        // Nova writes its Python traceback where cellctl explains (500 faults) and into the event.
        const skip = ['instance_faults.details', 'instance_actions_events.traceback'];
        const [mine, theirs] = [await burialShape(await ours.cell0(), CELL0_BURIAL_TABLES, ours.names, skip), await burialShape(await nova.cell0(), CELL0_BURIAL_TABLES, nova.names, skip)];
        for (const table of CELL0_BURIAL_TABLES) expect([table, mine[table]]).toEqual([table, theirs[table]]);
        expect(mine.instance_faults).toHaveLength(3);
        // instance_extra's JSON, byte for byte.
        const extra = async (d: typeof ours) => (await d.cell0()).selectFrom('instance_extra').select(['instance_uuid', 'flavor', 'keypairs']).orderBy('instance_uuid').execute();
        expect(await extra(ours)).toEqual(await extra(nova));
        // The same request id for the instances of one reservation, another for the other, in both.
        for (const d of [ours, nova]) {
          const actions = await (await d.cell0()).selectFrom('instance_actions').select(['instance_uuid', 'request_id']).orderBy('instance_uuid').execute();
          expect(actions[0]!.request_id).toBe(actions[1]!.request_id);
          expect(actions[2]!.request_id).not.toBe(actions[0]!.request_id);
        }
        const apiTables = ['instance_mappings', 'build_requests', 'request_specs'];
        const apiRows = async (d: typeof ours) => burialShape((await d.context.api()).db, apiTables, d.names, []);
        const [apiMine, apiTheirs] = [await apiRows(ours), await apiRows(nova)];
        for (const table of apiTables) expect([table, apiMine[table]]).toEqual([table, apiTheirs[table]]);
        expect(apiMine.build_requests).toEqual([]);
        expect(apiMine.request_specs).toHaveLength(3);
      } finally {
        await Promise.all([nova.context.close(), ours.context.close()]);
      }
    }, 240_000);
  });
});
