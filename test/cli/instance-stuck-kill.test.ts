/**
 * `instance stuck --bury` killed with SIGKILL part-way through a few hundred stuck builds, as a real
 * process, then run again: every instance is buried exactly once (no doubled row in any cell0
 * table, faults, actions and events included), every mapping points at cell0, no build request is
 * left and the request specs are kept.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import type { DatabaseHandle } from '../../src/db/connection';
import { CELL0_UUID } from '../../src/domain/constants';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { runCellctlProcess, runCli, type CliResult } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';
import { insertStuckReservation, ROOT_DISK } from '../support/stuck-fixtures';

/** Stuck builds: reservations of RESERVATION instances each. */
const RESERVATIONS = 60;
const RESERVATION = 5;
const TOTAL = RESERVATIONS * RESERVATION;
const OLD = '2020-01-02 03:04:05';

describeEachDialect('instance stuck --bury killed part-way', (env) => {
  let conf: string;
  let dbs: DatabaseContext;
  let api: DatabaseHandle<ApiDatabase>;
  let cell0: Kysely<CellDatabase>;
  const urls = { api: '', cell0: '', cell1: '' };
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });
  const count = async (table: 'instances' | 'instance_faults', where?: (q: any) => any) => {
    let q = cell0.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
    if (where) q = where(q);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };

  beforeAll(async () => {
    urls.api = env.newUrl('api');
    urls.cell0 = env.newUrl('cell0');
    urls.cell1 = env.newUrl('cell1');
    conf = join(env.dir, 'kill.conf');
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\nhost = conductor-1\n[api_database]\nconnection = ${urls.api}\n[database]\nconnection = ${urls.cell1}\n`);
    for (const argv of [['api-db', 'sync'], ['cell0', 'setup', '--database-connection', urls.cell0]]) {
      expect([argv.join(' '), (await cli('-q', ...argv)).code]).toEqual([argv.join(' '), 0]);
    }
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    api = await dbs.api();
    cell0 = (await dbs.cellDatabase({ uuid: CELL0_UUID, name: 'cell0', databaseConnection: urls.cell0 })).db;
    const swap = { ...ROOT_DISK, sourceType: 'blank' as const, imageId: null, bootIndex: -1, guestFormat: 'swap', deviceType: null };
    for (let r = 0; r < RESERVATIONS; r += 1) {
      await insertStuckReservation(api, { name: `vm${r}`, project: `p${r % 3}`, count: RESERVATION, createdAt: OLD, devices: [ROOT_DISK, swap], tags: ['a', 'b'] });
    }
  }, 120_000);
  afterAll(() => dbs?.close());

  it('buries every instance exactly once after a SIGKILL and a re-run', async () => {
    let child: ChildProcess | undefined;
    let exited = false;
    const run = runCellctlProcess(['--config-file', conf, 'instance', 'stuck', '--bury'], { cwd: env.dir, onSpawn: (c) => (child = c) });
    void run.then(() => (exited = true));
    let atKill = -1;
    while (!exited) {
      const buried = await count('instances');
      if (buried >= 20) {
        child?.kill('SIGKILL');
        atKill = buried;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const killed: CliResult = await run;
    // The kill landed while the run was working: some instances in cell0, not all.
    expect([killed.code, atKill >= 20, atKill < TOTAL]).toEqual([-1, true, true]);
    const afterKill = await count('instances');
    expect(afterKill).toBeLessThan(TOTAL);
    const left = (await api.db.selectFrom('build_requests').select('id').execute()).length;
    // Those buried before the kill lost their build request; the one being buried may have its rows in cell0 already.
    expect([left > 0, left >= TOTAL - afterKill, left <= TOTAL - afterKill + 1]).toEqual([true, true, true]);

    const again = await cli('-q', 'instance', 'stuck', '--bury');
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(again.stdout.match(/\| buried +\|/g)).toHaveLength(left);

    // Every instance once, and each of its rows once.
    const perInstance: Record<string, number> = {
      instances: 1,
      instance_extra: 1,
      instance_info_caches: 1,
      instance_id_mappings: 1,
      instance_system_metadata: 1,
      instance_actions: 1,
      instance_faults: 1,
      block_device_mapping: 2,
      tags: 2,
    };
    const uuidColumn = (table: string) => (table === 'instances' || table === 'instance_id_mappings' ? 'uuid' : table === 'tags' ? 'resource_id' : 'instance_uuid');
    for (const [table, each] of Object.entries(perInstance)) {
      const rows = (await (cell0 as Kysely<any>)
        .selectFrom(table)
        .select((eb: any) => [eb.ref(uuidColumn(table)).as('u'), eb.fn.countAll().as('n')])
        .groupBy(uuidColumn(table))
        .execute()) as Array<{ u: string; n: number | string }>;
      expect([table, rows.length, rows.filter((r) => Number(r.n) !== each)]).toEqual([table, TOTAL, []]);
    }
    const events = await cell0.selectFrom('instance_actions_events as e').innerJoin('instance_actions as a', 'a.id', 'e.action_id').select(['a.instance_uuid', 'e.event']).execute();
    expect(events).toHaveLength(TOTAL);
    expect(new Set(events.map((e) => e.instance_uuid)).size).toBe(TOTAL);
    // One default security group per project, one EC2 id of the image.
    expect((await cell0.selectFrom('security_groups').select('project_id').execute()).map((r) => r.project_id).sort()).toEqual(['p0', 'p1', 'p2']);
    expect(await cell0.selectFrom('s3_images').select('uuid').execute()).toHaveLength(1);
    // The API database: every mapping on cell0, no build request, the request specs kept.
    const cell0Id = (await api.db.selectFrom('cell_mappings').select('id').where('uuid', '=', CELL0_UUID).executeTakeFirstOrThrow()).id;
    const mappings = await api.db.selectFrom('instance_mappings').select('cell_id').execute();
    expect([mappings.length, mappings.filter((m) => m.cell_id !== cell0Id)]).toEqual([TOTAL, []]);
    expect(await api.db.selectFrom('build_requests').select('id').execute()).toEqual([]);
    expect(await api.db.selectFrom('request_specs').select('id').execute()).toHaveLength(TOTAL);
    // Nothing more to do.
    expect((await cli('-f', 'value', 'instance', 'stuck', '--bury')).stdout).toBe('');
  }, 300_000);
});
