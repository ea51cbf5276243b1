/**
 * Burying unschedulable instances in cell0 (issue 12), judged by Nova: the rows Nova's own
 * conductor (_bury_in_cell0, run offline by test/support/nova-bury.py) writes for a boot request
 * are the golden rows, table by table and column by column, ids, generated UUIDs and timestamps
 * aside. Then what Nova leaves out: no cell0 (nothing written), a re-run after a crash between the
 * cell and the API database (nothing doubled), an instance placed meanwhile (left alone).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import { writeBuriedInstance } from '../../src/db/cell/cell0-burial.repository';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import { inTransaction } from '../../src/db/unit-of-work';
import type { BootRequest, RequestedBlockDevice, SchedulingFailure } from '../../src/domain/cell0-burial';
import { CELL0_UUID } from '../../src/domain/constants';
import { Cell0MissingError } from '../../src/domain/errors';
import { buryInCell0 } from '../../src/services/cell0-burial.service';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { createNovaDatabase, insertCellMapping } from '../support/cell-fixtures';
import { burialShape, CELL0_BURIAL_TABLES } from '../support/burial-rows';
import { describeEachDialect } from '../support/dialect-matrix';
import { describeWithNova, writeNovaConf } from '../support/nova-oracle';
import { dumpRows } from '../support/row-dump';
import { NOVA_PYTHON } from '../support/test-environment';

const IMAGE = '11111111-1111-4111-8111-111111111111';
const HOST = 'conductor-host-1';

const DEVICE_DEFAULTS: RequestedBlockDevice = {
  sourceType: 'image',
  destinationType: 'local',
  imageId: null,
  volumeId: null,
  snapshotId: null,
  bootIndex: null,
  deleteOnTermination: false,
  guestFormat: null,
  deviceType: null,
  diskBus: null,
  deviceName: null,
  volumeSize: null,
  volumeType: null,
  tag: null,
};

/** A two-instance request with everything a burial copies: metadata, block devices (one sized by the flavor's swap), tags. */
function bootRequest(uuidPrefix: string, overrides: Partial<BootRequest> = {}): BootRequest {
  return {
    requestId: 'req-11111111-2222-4333-8444-555555555555',
    userId: 'user-1',
    projectId: 'project-1',
    flavor: { id: 7, flavorId: 'f1', name: 'm1.tiny', memoryMb: 512, vcpus: 1, rootGb: 1, ephemeralGb: 2, swap: 256, rxtxFactor: 1, vcpuWeight: null, disabled: false, isPublic: true, description: null, extraSpecs: {} },
    imageRef: IMAGE,
    availabilityZone: null,
    reservationId: 'r-abcdefgh',
    description: 'vm',
    instances: [0, 1].map((i) => ({ uuid: `${uuidPrefix}-0000-4000-8000-00000000000${i}`, displayName: `vm-${i + 1}`, hostname: `vm-${i + 1}`, launchIndex: i })),
    metadata: { role: 'web', 'ü': 'ñ' },
    systemMetadata: { image_min_disk: '1', image_disk_format: 'qcow2' },
    blockDevices: [
      { ...DEVICE_DEFAULTS, sourceType: 'image', imageId: IMAGE, bootIndex: 0, deleteOnTermination: true, deviceType: 'disk' },
      { ...DEVICE_DEFAULTS, sourceType: 'blank', guestFormat: 'swap', bootIndex: -1, deleteOnTermination: true },
      { ...DEVICE_DEFAULTS, sourceType: 'blank', bootIndex: -1, deleteOnTermination: true },
    ],
    tags: ['blue', 'green'],
    startedAt: new Date('2026-01-02T03:04:05Z'),
    ...overrides,
  };
}

/** The same request as test/support/nova-bury.py takes it. */
function novaRequest(request: BootRequest, failure: SchedulingFailure): object {
  const f = request.flavor;
  const snake = (d: RequestedBlockDevice) =>
    Object.fromEntries(
      Object.entries({
        source_type: d.sourceType,
        destination_type: d.destinationType,
        image_id: d.imageId,
        volume_id: d.volumeId,
        snapshot_id: d.snapshotId,
        boot_index: d.bootIndex,
        delete_on_termination: d.deleteOnTermination,
        guest_format: d.guestFormat,
        device_type: d.deviceType,
        disk_bus: d.diskBus,
        device_name: d.deviceName,
        volume_size: d.volumeSize,
        volume_type: d.volumeType,
        tag: d.tag,
      }).filter(([, v]) => v !== null),
    );
  return {
    request_id: request.requestId,
    user_id: request.userId,
    project_id: request.projectId,
    flavor: { id: f.id, flavorid: f.flavorId, name: f.name, memory_mb: f.memoryMb, vcpus: f.vcpus, root_gb: f.rootGb, ephemeral_gb: f.ephemeralGb, swap: f.swap },
    image: request.imageRef,
    availability_zone: request.availabilityZone,
    reservation_id: request.reservationId,
    description: request.description,
    instances: request.instances.map((i) => ({ uuid: i.uuid, display_name: i.displayName, hostname: i.hostname, launch_index: i.launchIndex })),
    metadata: request.metadata,
    system_metadata: request.systemMetadata,
    bdms: request.blockDevices.map(snake),
    tags: request.tags,
    fault: failure.kind === 'no-valid-host' ? { kind: failure.kind, reason: failure.reason } : { kind: failure.kind, host: failure.host },
  };
}


describeEachDialect('burial in cell0', (env) => {
  /** A deployment with cell0 (and cell1); with `pending`, a cell-less mapping and a build request per instance of the request. */
  async function deployment(label: string, withCell0 = true): Promise<{ api: string; cell0: string; dbs: DatabaseContext; cellNames: Map<number, string> }> {
    const urls = { api: env.newUrl(`${label}_api`), cell0: env.newUrl(`${label}_cell0`) };
    await createNovaDatabase(urls.api, 'api', env.dir);
    await createNovaDatabase(urls.cell0, 'cell', env.dir);
    const dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    const api = (await dbs.api()).db;
    const cellNames = new Map<number, string>();
    if (withCell0) cellNames.set((await insertCellMapping(api, { name: 'cell0', uuid: CELL0_UUID, databaseConnection: urls.cell0 })).id, 'cell0');
    cellNames.set((await insertCellMapping(api, { name: 'cell1', databaseConnection: env.newUrl(`${label}_cell1`) })).id, 'cell1');
    return { ...urls, dbs, cellNames };
  }

  /** What Nova's API leaves before scheduling, as far as the burial reads it: cell-less mappings and build requests. */
  async function pending(api: Kysely<ApiDatabase>, request: BootRequest): Promise<void> {
    for (const i of request.instances) {
      await api.insertInto('instance_mappings').values({ instance_uuid: i.uuid, cell_id: null, project_id: request.projectId, user_id: request.userId, queued_for_delete: 0, created_at: '2026-01-02 03:04:05' }).execute();
      await api.insertInto('build_requests').values({ instance_uuid: i.uuid, project_id: request.projectId, created_at: '2026-01-02 03:04:06' }).execute();
    }
  }

  const cell0Db = async (d: { dbs: DatabaseContext; cell0: string }) => (await d.dbs.cellDatabase({ uuid: CELL0_UUID, name: 'cell0', databaseConnection: d.cell0 })).db as Kysely<CellDatabase>;

  describeWithNova()("against Nova's own burial", () => {
    async function compareWithNova(label: string, failure: SchedulingFailure) {
      const request = bootRequest(label === 'a' ? 'aaaaaaaa' : 'bbbbbbbb');
      const [nova, ours] = await Promise.all([deployment(`${label}n`), deployment(`${label}o`)]);
      try {
        const conf = writeNovaConf(join(env.dir, `bury-${label}`), { api: nova.api, defaults: { host: HOST } });
        const run = spawnSync(NOVA_PYTHON, [join(__dirname, '..', 'support', 'nova-bury.py'), conf, JSON.stringify(novaRequest(request, failure))], { encoding: 'utf8', timeout: 120_000 });
        expect([run.status, run.stderr.split('\n').filter((l) => /Traceback|Error:/.test(l) && !/build_instances/.test(l))]).toEqual([0, []]);

        await pending((await ours.dbs.api()).db, request);
        const result = await buryInCell0(ours.dbs, request, failure, { conductorHost: HOST, details: 'cellctl: no host fits' });
        expect(result).toEqual({ buried: request.instances.map((i) => i.uuid), alreadyMapped: [], partial: [] });

        // Nova writes its Python traceback where cellctl explains (500 faults only) and into the event.
        const skip = ['instance_faults.details', 'instance_actions_events.traceback'];
        const [mine, theirs] = [await burialShape(await cell0Db(ours), CELL0_BURIAL_TABLES, ours.cellNames, skip), await burialShape(await cell0Db(nova), CELL0_BURIAL_TABLES, nova.cellNames, skip)];
        for (const table of CELL0_BURIAL_TABLES) expect([table, mine[table]]).toEqual([table, theirs[table]]);
        // The fault details: Nova's traceback for a 500, '' for a 400 (Nova's exact value).
        const details = (await (await cell0Db(ours)).selectFrom('instance_faults').select('details').execute()).map((r) => r.details);
        expect(details).toEqual(request.instances.map(() => (failure.kind === 'no-valid-host' ? 'cellctl: no host fits' : '')));
        if (failure.kind === 'host-not-mapped') {
          expect((await (await cell0Db(nova)).selectFrom('instance_faults').select('details').execute()).map((r) => r.details)).toEqual(details);
        }
        // instance_extra's JSON, byte for byte.
        const extra = async (d: typeof ours) => (await (await cell0Db(d)).selectFrom('instance_extra').select(['flavor', 'keypairs']).orderBy('instance_uuid').execute());
        expect(await extra(ours)).toEqual(await extra(nova));

        const apiRows = async (d: typeof ours) => burialShape((await d.dbs.api()).db, ['instance_mappings', 'build_requests'], d.cellNames, ['instance_mappings.created_at', 'instance_mappings.queued_for_delete']);
        expect(await apiRows(ours)).toEqual(await apiRows(nova));
        expect((await apiRows(ours)).build_requests).toEqual([]);
      } finally {
        await Promise.all([nova.dbs.close(), ours.dbs.close()]);
      }
    }

    it('writes the rows Nova writes for no valid host (500)', () => compareWithNova('a', { kind: 'no-valid-host', reason: 'There are not enough hosts available.' }), 120_000);
    it('writes the rows Nova writes for an unmapped host (400)', () => compareWithNova('b', { kind: 'host-not-mapped', host: 'compute-9' }), 120_000);
  });

  it('cuts the fault message to 255 bytes of UTF-8, never inside a character', async () => {
    const d = await deployment('t');
    try {
      const request = bootRequest('cccccccc', { instances: [{ uuid: 'cccccccc-0000-4000-8000-000000000000', displayName: 'x', hostname: 'x', launchIndex: 0 }] });
      await buryInCell0(d.dbs, request, { kind: 'no-valid-host', reason: 'é'.repeat(200) });
      const { message } = await (await cell0Db(d)).selectFrom('instance_faults').select('message').executeTakeFirstOrThrow();
      // 'No valid host was found. ' is 25 bytes; 115 two-byte characters fit in the remaining 230.
      expect(message).toBe(`No valid host was found. ${'é'.repeat(115)}`);
      expect(Buffer.byteLength(message!, 'utf8')).toBe(255);
    } finally {
      await d.dbs.close();
    }
  });

  it('refuses without a cell0 mapping and writes nothing anywhere', async () => {
    const d = await deployment('n', false);
    try {
      const request = bootRequest('dddddddd');
      await pending((await d.dbs.api()).db, request);
      const before = [await dumpRows(await d.dbs.api()), await dumpRows(await d.dbs.cellDatabase({ uuid: 'c0', name: 'c0', databaseConnection: d.cell0 }))];
      await expect(buryInCell0(d.dbs, request, { kind: 'no-valid-host', reason: '' })).rejects.toThrow(Cell0MissingError);
      expect([await dumpRows(await d.dbs.api()), await dumpRows(await d.dbs.cellDatabase({ uuid: 'c0', name: 'c0', databaseConnection: d.cell0 }))]).toEqual(before);
    } finally {
      await d.dbs.close();
    }
  });

  it('completes a burial interrupted between cell0 and the API database without writing a row twice, and leaves an instance placed meanwhile alone', async () => {
    const d = await deployment('r');
    try {
      const request = bootRequest('eeeeeeee');
      const api = (await d.dbs.api()).db;
      await pending(api, request);
      const [first, second] = request.instances;
      // The first instance's cell0 rows were written, then the run died before the API database.
      const failure: SchedulingFailure = { kind: 'no-valid-host', reason: '' };
      await inTransaction(await d.dbs.cellDatabase({ uuid: CELL0_UUID, name: 'cell0', databaseConnection: d.cell0 }), (tx) =>
        writeBuriedInstance(tx, { request, instance: first!, failure, conductorHost: HOST, faultDetails: '', eventTraceback: '', createdAt: '2026-01-02 03:04:06', now: new Date() }),
      );
      const cell0 = await cell0Db(d);
      const afterCrash = await dumpRows(await d.dbs.cellDatabase({ uuid: CELL0_UUID, name: 'cell0', databaseConnection: d.cell0 }));
      // Meanwhile the second instance was placed in cell1 by someone else.
      const cell1Id = [...d.cellNames].find(([, name]) => name === 'cell1')![0];
      await api.updateTable('instance_mappings').set({ cell_id: cell1Id }).where('instance_uuid', '=', second!.uuid).execute();

      const result = await buryInCell0(d.dbs, request, failure, { conductorHost: HOST });
      expect(result).toEqual({ buried: [first!.uuid], alreadyMapped: [second!.uuid], partial: [] });
      expect(await dumpRows(await d.dbs.cellDatabase({ uuid: CELL0_UUID, name: 'cell0', databaseConnection: d.cell0 }))).toEqual(afterCrash);
      const mappings = await api.selectFrom('instance_mappings').select(['instance_uuid', 'cell_id']).orderBy('instance_uuid').execute();
      expect(mappings.map((m) => d.cellNames.get(m.cell_id!))).toEqual(['cell0', 'cell1']);
      expect((await api.selectFrom('build_requests').select('instance_uuid').execute()).map((r) => r.instance_uuid)).toEqual([second!.uuid]);
      expect(await cell0.selectFrom('instances').select('uuid').execute()).toEqual([{ uuid: first!.uuid }]);

      // And once more: nothing changes.
      const again = await buryInCell0(d.dbs, { ...request, instances: [first!] }, failure, { conductorHost: HOST });
      expect(again.buried).toEqual([first!.uuid]);
      expect(await dumpRows(await d.dbs.cellDatabase({ uuid: CELL0_UUID, name: 'cell0', databaseConnection: d.cell0 }))).toEqual(afterCrash);
    } finally {
      await d.dbs.close();
    }
  });
});
