/**
 * `cellctl instance boot`: the API rows Nova's API writes, cellctl's scheduling simulation (room
 * with allocation ratios, enabled cells and services only, availability zones, all-or-nothing
 * multi-create), placement in a cell, burial in cell0 when nothing fits or the host is not mapped,
 * refusals that write nothing; and with Nova installed, Nova's own objects loading what cellctl
 * wrote, as `GET /servers/{id}` would, and Nova's verify_instance finding it.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { insertComputeNode, insertComputeService } from '../support/cell-fixtures';
import { runCli } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';
import { describeWithNova, novaManage, writeNovaConf } from '../support/nova-oracle';
import { dumpRows } from '../support/row-dump';
import { NOVA_PYTHON } from '../support/test-environment';

const IMAGE = '11111111-1111-4111-8111-111111111111';

interface Booted {
  uuid: string;
  name: string;
  state: 'placed' | 'buried';
  cell: string;
  host: string | null;
  fault: string | null;
}

/** Nova's objects loading an instance as GET /servers/{id} does (nova-details §2.8), as JSON. */
const NOVA_LOAD = `
import sys, json
from nova import config, context, exception, objects
objects.register_all()
config.parse_args(['probe', '--config-file', sys.argv[1]])
ctxt = context.get_admin_context()
uuid = sys.argv[2]
im = objects.InstanceMapping.get_by_instance_uuid(ctxt, uuid)
with context.target_cell(ctxt, im.cell_mapping) as cctxt:
    i = objects.Instance.get_by_uuid(cctxt, uuid, expected_attrs=['flavor', 'info_cache', 'system_metadata', 'metadata', 'tags', 'security_groups', 'numa_topology', 'pci_requests'])
    fault, ec2_ids = i.fault, i.ec2_ids  # loaded on first use, as the API's view does
    actions = objects.InstanceActionList.get_by_instance_uuid(cctxt, uuid)
    events = [e.event + ':' + str(e.result) for a in actions for e in objects.InstanceActionEventList.get_by_action(cctxt, a.id)]
    bdms = objects.BlockDeviceMappingList.get_by_instance_uuid(cctxt, uuid)
spec = objects.RequestSpec.get_by_instance_uuid(ctxt, uuid)
try:
    objects.BuildRequest.get_by_instance_uuid(ctxt, uuid)
    build_request = 'present'
except exception.BuildRequestNotFound:
    build_request = 'gone'
print(json.dumps({'cell': im.cell_mapping.name, 'vm_state': i.vm_state, 'host': i.host, 'flavor': i.flavor.flavorid,
    'fault': [fault.code, fault.message] if fault else None, 'network_info': len(i.info_cache.network_info),
    'system_metadata': dict(i.system_metadata), 'ec2': ec2_ids.instance_id.startswith('i-'),
    'actions': [a.action + ':' + str(a.message) for a in actions], 'events': events,
    'bdms': [(b.source_type, b.destination_type, b.boot_index) for b in bdms],
    'spec': [spec.flavor.flavorid, spec.image.id, spec.num_instances, spec.project_id], 'build_request': build_request,
    'group': [spec.instance_group.uuid, spec.instance_group.policy] if spec.instance_group else None}))
`;

describeEachDialect('instance boot', (env) => {
  const urls = { api: '', cell1: '', cell2: '' };
  let conf: string;
  let dbs: DatabaseContext;
  let api: Kysely<ApiDatabase>;
  let cell1: Kysely<CellDatabase>;
  let cell2: Kysely<CellDatabase>;
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });
  const boot = async (...argv: string[]) => {
    const result = await cli('-f', 'json', 'instance', 'boot', '--flavor', 'm1.small', '--image', IMAGE, '--project', 'p1', '--user', 'u1', ...argv);
    return { ...result, booted: result.stdout ? (JSON.parse(result.stdout) as Booted[]) : [] };
  };
  const cellUrls = () => [urls.cell1, urls.cell2, urls.cell1.replace(/cell1/, 'cell0')];
  const dumpAll = async () => [await dumpRows(await dbs.api()), ...(await Promise.all([urls.cell1, urls.cell2].map(async (u) => dumpRows(await dbs.cellDatabase({ uuid: u, name: u, databaseConnection: u })))))];
  const node = (db: Kysely<CellDatabase>, host: string) => db.selectFrom('compute_nodes').selectAll().where('host', '=', host).executeTakeFirstOrThrow();

  beforeAll(async () => {
    urls.api = env.newUrl('api');
    urls.cell1 = env.newUrl('cell1');
    urls.cell2 = env.newUrl('cell2');
    conf = join(env.dir, 'boot.conf');
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\nhost = conductor-1\n[api_database]\nconnection = ${urls.api}\n[database]\nconnection = ${urls.cell1}\n`);
    for (const argv of [
      ['api-db', 'sync'],
      ['cell0', 'setup', '--database-connection', env.newUrl('cell0')],
      ['cell', 'create', '--name', 'cell1'],
      ['cell', 'create', '--name', 'cell2', '--database-connection', urls.cell2, '--transport-url', 'rabbit://nova:pw@mq2/'],
      ['db', 'sync', '--all-cells'],
      ['flavor', 'create', 'm1.small', '--vcpus', '2', '--ram', '2048', '--disk', '20', '--id', '2'],
    ]) {
      expect([argv.join(' '), (await cli('-q', ...argv)).code]).toEqual([argv.join(' '), 0]);
    }
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    api = (await dbs.api()).db;
    cell1 = (await dbs.cellDatabase({ uuid: 'c1', name: 'cell1', databaseConnection: urls.cell1 })).db;
    cell2 = (await dbs.cellDatabase({ uuid: 'c2', name: 'cell2', databaseConnection: urls.cell2 })).db;
  });
  afterAll(() => dbs?.close());
  beforeEach(async () => {
    for (const db of [cell1, cell2]) {
      for (const table of ['instance_faults', 'instance_actions_events', 'instance_actions', 'block_device_mapping', 'tags', 'instance_metadata', 'instance_system_metadata', 'instance_info_caches', 'instance_extra', 'instance_id_mappings', 'instances', 'compute_nodes', 'services'] as const) {
        await db.deleteFrom(table).execute();
      }
    }
    for (const table of ['host_mappings', 'build_requests', 'request_specs', 'instance_mappings', 'aggregate_hosts', 'aggregate_metadata', 'aggregates'] as const) await api.deleteFrom(table).execute();
    await api.updateTable('cell_mappings').set({ disabled: 0 }).execute();
  });

  /** A compute host with its service and node: `ram` MB with 512 used, 8 vCPUs, 100 GB. */
  async function computeHost(db: Kysely<CellDatabase>, host: string, ram: number, options: { disabled?: boolean; mapped?: boolean } = {}) {
    await insertComputeService(db, host, { disabled: options.disabled ? 1 : 0 });
    await insertComputeNode(db, { host, hypervisor_hostname: `${host}.example`, memory_mb: ram, memory_mb_used: 512, vcpus: 8, local_gb: 100, running_vms: 0 });
    if (options.mapped !== false) expect((await cli('-q', 'host', 'discover')).code).toBe(0);
  }

  it('places an instance on the host with the most free RAM, in its cell, and leaves the API rows Nova leaves', async () => {
    await computeHost(cell1, 'small', 4096);
    await computeHost(cell2, 'large', 8192);
    const result = await boot('--name', 'web');
    expect([result.code, result.booted.map((b) => [b.name, b.state, b.cell, b.host, b.fault])]).toEqual([0, [['web', 'placed', 'cell2', 'large', null]]]);
    const { uuid } = result.booted[0]!;
    const row = await cell2.selectFrom('instances').selectAll().where('uuid', '=', uuid).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ vm_state: 'active', task_state: null, power_state: 1, host: 'large', node: 'large.example', launched_on: 'large', availability_zone: 'nova', hostname: 'web', display_name: 'web', instance_type_id: expect.any(Number), memory_mb: 2048, vcpus: 2, root_gb: 20, project_id: 'p1', user_id: 'u1', image_ref: IMAGE });
    expect(await node(cell2, 'large')).toMatchObject({ vcpus_used: 2, memory_mb_used: 512 + 2048, local_gb_used: 20, running_vms: 1 });
    expect(await cell2.selectFrom('instance_actions').select(['action', 'message']).where('instance_uuid', '=', uuid).execute()).toEqual([{ action: 'create', message: null }]);
    const mapping = await api.selectFrom('instance_mappings as m').innerJoin('cell_mappings as c', 'c.id', 'm.cell_id').select(['c.name', 'm.queued_for_delete', 'm.user_id']).where('m.instance_uuid', '=', uuid).executeTakeFirstOrThrow();
    expect(mapping).toEqual({ name: 'cell2', queued_for_delete: 0, user_id: 'u1' });
    expect(await api.selectFrom('build_requests').select('id').execute()).toEqual([]);
    expect((await api.selectFrom('request_specs').select('instance_uuid').execute()).map((r) => r.instance_uuid)).toEqual([uuid]);
  });

  it('prints only the new UUIDs, one per line, without -f; names and hostnames of a multi-create as Nova', async () => {
    await computeHost(cell1, 'h1', 16384);
    const result = await cli('instance', 'boot', '--name', 'App Server', '--flavor', '2', '--image', IMAGE, '--project', 'p1', '--user', 'u1', '--count', '3');
    expect(result.code).toBe(0);
    const uuids = result.stdout.trim().split('\n');
    expect(uuids).toHaveLength(3);
    const rows = await cell1.selectFrom('instances').select(['uuid', 'display_name', 'hostname', 'launch_index', 'reservation_id']).orderBy('launch_index').execute();
    expect(rows.map((r) => [r.uuid, r.display_name, r.hostname, r.launch_index])).toEqual([
      [uuids[0], 'App Server-1', 'app-server-1', 0],
      [uuids[1], 'App Server-2', 'app-server-2', 1],
      [uuids[2], 'App Server-3', 'app-server-3', 2],
    ]);
    expect(new Set(rows.map((r) => r.reservation_id)).size).toBe(1);
    // As Nova: only display_name gets the suffix; the description is the name as requested.
    expect(new Set((await cell1.selectFrom('instances').select('display_description').execute()).map((r) => r.display_description))).toEqual(new Set(['App Server']));
    expect(rows[0]!.reservation_id).toMatch(/^r-[0-9a-z]{8}$/);
    expect(await node(cell1, 'h1')).toMatchObject({ vcpus_used: 6, memory_mb_used: 512 + 3 * 2048, running_vms: 3 });
  });

  it('buries every instance in cell0 when one of them does not fit (all or nothing), with exit 1', async () => {
    await computeHost(cell1, 'h1', 4096);
    const result = await boot('--name', 'big', '--count', '2');
    expect(result.code).toBe(1);
    expect(result.booted.map((b) => [b.state, b.cell, b.fault])).toEqual([
      ['buried', 'cell0', 'No valid host was found. There are not enough hosts available.'],
      ['buried', 'cell0', 'No valid host was found. There are not enough hosts available.'],
    ]);
    expect(await node(cell1, 'h1')).toMatchObject({ vcpus_used: 0, memory_mb_used: 512, running_vms: 0 });
    expect(result.stderr).toContain('0 of 2 placed, 2 buried in cell0');
  });

  it("buries with placement's 'no candidates' fault when no host can take the flavor: every cell disabled, or every service", async () => {
    await computeHost(cell1, 'h1', 16384);
    await api.updateTable('cell_mappings').set({ disabled: 1 }).where('name', '=', 'cell1').execute();
    await computeHost(cell2, 'h2', 16384, { disabled: true });
    const result = await boot('--name', 'nowhere');
    expect([result.code, result.booted.map((b) => [b.state, b.fault])]).toEqual([1, [['buried', 'No valid host was found. ']]]);
  });

  it('buries an instance whose chosen host has no host mapping with a 400 fault naming the host', async () => {
    await computeHost(cell1, 'lonely', 16384, { mapped: false });
    const result = await boot('--name', 'x');
    expect([result.code, result.booted.map((b) => [b.state, b.fault])]).toEqual([1, [['buried', "Host 'lonely' is not mapped to any cell"]]]);
  });

  it('honours --availability-zone with the aggregates of the API database', async () => {
    await computeHost(cell1, 'in-zone', 4096);
    await computeHost(cell2, 'elsewhere', 65536);
    const { insertId } = await api.insertInto('aggregates').values({ name: 'a1', uuid: 'agg-1' }).executeTakeFirstOrThrow();
    await api.insertInto('aggregate_metadata').values({ aggregate_id: Number(insertId), key: 'availability_zone', value: 'az1' }).execute();
    await api.insertInto('aggregate_hosts').values({ aggregate_id: Number(insertId), host: 'in-zone' }).execute();
    const result = await boot('--name', 'zoned', '--availability-zone', 'az1');
    expect(result.booted.map((b) => [b.state, b.host])).toEqual([['placed', 'in-zone']]);
    expect((await cell1.selectFrom('instances').select('availability_zone').executeTakeFirstOrThrow()).availability_zone).toBe('az1');
  });

  describe('--group', () => {
    const createGroup = async (name: string, policy: string, project = 'p1') => {
      const result = await cli('-f', 'value', '-c', 'uuid', 'instance-group', 'create', '--name', name, '--policy', policy, '--project', project, '--user', 'u1');
      expect(result.code).toBe(0);
      return result.stdout.trim();
    };
    const members = async (group: string) =>
      (await api.selectFrom('instance_group_member as m').innerJoin('instance_groups as g', 'g.id', 'm.group_id').select('m.instance_uuid').where('g.uuid', '=', group).orderBy('m.id').execute()).map((r) => r.instance_uuid);
    beforeEach(async () => {
      await api.deleteFrom('instance_group_member').execute();
      await api.deleteFrom('instance_group_policy').execute();
      await api.deleteFrom('instance_groups').execute();
    });

    it('affinity keeps every instance on one host, the members join the group, and the request spec names it', async () => {
      await computeHost(cell1, 'a', 16384);
      await computeHost(cell2, 'b', 20000);
      const group = await createGroup('together', 'affinity');
      const result = await boot('--name', 'web', '--count', '3', '--group', 'together');
      expect([result.code, result.booted.map((b) => b.host)]).toEqual([0, ['b', 'b', 'b']]);
      expect(await members(group)).toEqual(result.booted.map((b) => b.uuid));
      const spec = JSON.parse((await api.selectFrom('request_specs').select('spec').where('instance_uuid', '=', result.booted[0]!.uuid).executeTakeFirstOrThrow()).spec);
      expect(spec['nova_object.data'].instance_group['nova_object.data']).toMatchObject({ uuid: group, policy: 'affinity', policies: ['affinity'], members: null, hosts: null });
      expect(spec['nova_object.data'].scheduler_hints).toEqual({ group: [group] });
    });

    it("anti-affinity puts each instance on its own host, avoiding the members' hosts, and buries them all when hosts run out", async () => {
      for (const host of ['h1', 'h2', 'h3']) await computeHost(cell1, host, 16384);
      const group = await createGroup('apart', 'anti-affinity');
      const first = await boot('--name', 'one', '--group', group);
      const firstHost = first.booted[0]!.host;
      const two = await boot('--name', 'two', '--count', '2', '--group', group);
      expect(two.code).toBe(0);
      expect(new Set([firstHost, ...two.booted.map((b) => b.host)]).size).toBe(3);
      const more = await boot('--name', 'more', '--group', group);
      expect([more.code, more.booted.map((b) => [b.state, b.fault])]).toEqual([1, [['buried', 'No valid host was found. There are not enough hosts available.']]]);
      // A buried instance stays a member, as in Nova (until archived).
      expect(await members(group)).toHaveLength(4);
    });

    it('soft-anti-affinity prefers other hosts but shares one when it must', async () => {
      await computeHost(cell1, 'only', 16384);
      await createGroup('soft', 'soft-anti-affinity');
      const result = await boot('--name', 's', '--count', '2', '--group', 'soft');
      expect([result.code, result.booted.map((b) => b.host)]).toEqual([0, ['only', 'only']]);
    });

    it('refuses an unknown group, or one of another project, with 127 and writes nothing', async () => {
      await computeHost(cell1, 'h1', 16384);
      await createGroup('theirs', 'affinity', 'p2');
      const theirs = (await api.selectFrom('instance_groups').select('uuid').executeTakeFirstOrThrow()).uuid;
      for (const ref of ['nope', 'theirs', theirs]) {
        const before = await dumpAll();
        const result = await boot('--name', 'x', '--group', ref);
        expect([ref, result.code, result.stdout]).toEqual([ref, 127, '']);
        expect(await dumpAll()).toEqual(before);
      }
    });
  });

  it('never overbooks a host when boots race for its last room: the losers are buried', async () => {
    // Room for exactly one m1.small (2,048 MB of 2,560 - 512 used).
    await computeHost(cell1, 'last', 2560);
    const results = await Promise.all([1, 2, 3, 4].map((i) => boot('--name', `race-${i}`)));
    const placed = results.flatMap((r) => r.booted).filter((b) => b.state === 'placed');
    expect(placed.length).toBeLessThanOrEqual(1);
    const node = await cell1.selectFrom('compute_nodes').select(['memory_mb', 'memory_mb_used', 'running_vms']).where('host', '=', 'last').executeTakeFirstOrThrow();
    expect(node.memory_mb_used).toBeLessThanOrEqual(node.memory_mb);
    expect(node.running_vms).toBe(placed.length);
    expect(await cell1.selectFrom('instances').select('uuid').execute()).toHaveLength(placed.length);
    for (const r of results) for (const b of r.booted.filter((x) => x.state === 'buried')) expect(b.fault).toMatch(/^No valid host was found\. /);
  });

  it('refuses, writing nothing, when cell0 cannot be reached (255)', async () => {
    await computeHost(cell1, 'h1', 1024);
    const { database_connection: cell0Url } = await api.selectFrom('cell_mappings').select('database_connection').where('name', '=', 'cell0').executeTakeFirstOrThrow();
    await api.updateTable('cell_mappings').set({ database_connection: 'mysql+pymysql://nova:hunter2@127.0.0.1:1/nova_cell0' }).where('name', '=', 'cell0').execute();
    try {
      const before = await dumpAll();
      const result = await cli('--connect-timeout', '2', 'instance', 'boot', '--name', 'x', '--flavor', '2', '--image', IMAGE, '--project', 'p', '--user', 'u');
      expect([result.code, result.stdout]).toEqual([255, '']);
      expect(result.stderr).not.toContain('hunter2');
      expect(await dumpAll()).toEqual(before);
    } finally {
      await api.updateTable('cell_mappings').set({ database_connection: cell0Url }).where('name', '=', 'cell0').execute();
    }
  });

  it('refuses a disabled flavor (127) as Nova does, and takes the default zone by name', async () => {
    await computeHost(cell1, 'h1', 16384);
    expect((await boot('--name', 'in-default-zone', '--availability-zone', 'nova')).booted.map((b) => b.state)).toEqual(['placed']);
    await api.updateTable('flavors').set({ disabled: 1 }).where('flavorid', '=', '2').execute();
    try {
      const before = await dumpAll();
      const result = await boot('--name', 'x');
      expect([result.code, result.stderr]).toEqual([127, 'cellctl: error: no flavor has the ID or name "m1.small"\n']);
      expect(await dumpAll()).toEqual(before);
    } finally {
      await api.updateTable('flavors').set({ disabled: 0 }).where('flavorid', '=', '2').execute();
    }
  });

  it.each([
    ['an unknown flavor', ['--name', 'x', '--flavor', 'nope', '--image', IMAGE, '--project', 'p', '--user', 'u']],
    ['an image that is not a UUID', ['--name', 'x', '--flavor', '2', '--image', 'cirros', '--project', 'p', '--user', 'u']],
    ['a blank name', ['--name', ' ', '--flavor', '2', '--image', IMAGE, '--project', 'p', '--user', 'u']],
    ['--count 0', ['--name', 'x', '--flavor', '2', '--image', IMAGE, '--project', 'p', '--user', 'u', '--count', '0']],
    ['a blank project', ['--name', 'x', '--flavor', '2', '--image', IMAGE, '--project', '', '--user', 'u']],
    ['no --user', ['--name', 'x', '--flavor', '2', '--image', IMAGE, '--project', 'p']],
    ['a name too long for its --count suffix', ['--name', 'n'.repeat(254), '--flavor', '2', '--image', IMAGE, '--project', 'p', '--user', 'u', '--count', '2']],
    ['an availability zone the deployment does not have', ['--name', 'x', '--flavor', '2', '--image', IMAGE, '--project', 'p', '--user', 'u', '--availability-zone', 'no-such-zone']],
  ])('refuses %s with 127 and writes nothing', async (_label, argv) => {
    await computeHost(cell1, 'h1', 16384);
    const before = await dumpAll();
    const result = await cli('instance', 'boot', ...argv);
    expect([result.code, result.stdout, result.stderr.trim().split('\n')]).toEqual([127, '', [expect.stringMatching(/^cellctl: error: /)]]);
    expect(await dumpAll()).toEqual(before);
  });

  it('--dry-run says where each instance would go and writes nothing', async () => {
    await computeHost(cell1, 'h1', 16384);
    const before = await dumpAll();
    const result = await boot('--name', 'dry', '--count', '2', '--dry-run');
    expect([result.code, result.booted.map((b) => [b.state, b.host])]).toEqual([0, [['placed', 'h1'], ['placed', 'h1']]]);
    expect(result.stderr).toContain('dry run: 2 of 2 would be placed; nothing written');
    expect(await dumpAll()).toEqual(before);
  });

  describeWithNova()('with Nova', () => {
    const novaLoad = (uuid: string) => {
      const novaConf = writeNovaConf(join(env.dir, `nova-load-${uuid.slice(0, 8)}`), { api: urls.api, db: urls.cell1 });
      const r = spawnSync(NOVA_PYTHON, ['-c', NOVA_LOAD, novaConf, uuid], { encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) throw new Error(`Nova could not load ${uuid}: ${r.stderr}`);
      return { conf: novaConf, view: JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown> };
    };

    it("Nova's objects load a placed and a buried instance as GET /servers/{id} would, and verify_instance finds each", async () => {
      await computeHost(cell1, 'h1', 4096);
      const placed = (await boot('--name', 'ok')).booted[0]!;
      // After 'ok', h1 has 1,536 MB left: no host can take the flavor (placement's 'no candidates').
      const buried = (await boot('--name', 'too-big', '--count', '2')).booted[0]!;
      const { conf: novaConf, view } = novaLoad(placed.uuid);
      expect(view).toEqual({
        cell: 'cell1', vm_state: 'active', host: 'h1', flavor: '2', fault: null, network_info: 0, system_metadata: { image_base_image_ref: IMAGE }, ec2: true,
        actions: ['create:None'], events: [], bdms: [['image', 'local', 0]], spec: ['2', IMAGE, 1, 'p1'], build_request: 'gone', group: null,
      });
      expect(novaLoad(buried.uuid).view).toEqual({
        cell: 'cell0', vm_state: 'error', host: null, flavor: '2', fault: [500, 'No valid host was found. '], network_info: 0, system_metadata: { image_base_image_ref: IMAGE }, ec2: true,
        actions: ['create:Error'], events: ['conductor_schedule_and_build_instances:Error'], bdms: [['image', 'local', 0]], spec: ['2', IMAGE, 2, 'p1'], build_request: 'gone', group: null,
      });
      // A request spec naming a group: Nova reads the group back from it.
      const group = (await cli('-f', 'value', '-c', 'uuid', 'instance-group', 'create', '--name', 'g', '--policy', 'soft-affinity', '--project', 'p1', '--user', 'u1')).stdout.trim();
      const grouped = (await boot('--name', 'grouped', '--group', group)).booted[0]!;
      expect(novaLoad(grouped.uuid).view).toMatchObject({ group: [group, 'soft-affinity'] });
      for (const [uuid, cell] of [[placed.uuid, 'cell1'], [buried.uuid, 'cell0']]) {
        const verify = novaManage(novaConf, ['cell_v2', 'verify_instance', '--uuid', uuid!]);
        expect([verify.status, verify.stdout]).toEqual([0, expect.stringContaining(`is in cell: ${cell}`)]);
      }
    }, 120_000);
  });
});
