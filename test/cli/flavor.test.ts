/**
 * `cellctl flavor create/list/show` on the API database's `flavors`: Nova's defaults and rules for
 * a new flavor, clashes as MySQL's unique keys see them (on both dialects), refusals that write
 * nothing; and with Nova installed, the row Nova's own flavor create writes for the same request,
 * Nova reading a cellctl flavor, and cellctl reading one Nova made with extra specs.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { createNovaDatabase } from '../support/cell-fixtures';
import { runCli } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';
import { describeWithNova, writeNovaConf } from '../support/nova-oracle';
import { dumpRows } from '../support/row-dump';
import { NOVA_PYTHON } from '../support/test-environment';

interface FlavorOutput {
  id: string;
  name: string;
  ram: number;
  disk: number;
  ephemeral: number;
  vcpus: number;
  is_public: boolean;
  swap: number;
  rxtx_factor: number;
  disabled: boolean;
  description: string | null;
  properties: string;
}

/** Nova's own flavor create, then its Flavor object read back, as JSON (argv: conf, then create's arguments as JSON). */
const NOVA_FLAVOR = `
import sys, json
from nova import config, context, objects
from nova.compute import flavors
objects.register_all()
config.parse_args(['probe', '--config-file', sys.argv[1]])
ctxt = context.get_admin_context()
action = json.loads(sys.argv[2])
if 'create' in action:
    f = flavors.create(**action['create'])
    if action.get('extra_specs'):
        f.extra_specs = action['extra_specs']
        f.save()
f = objects.Flavor.get_by_flavor_id(ctxt, action['read'])
print(json.dumps({'flavorid': f.flavorid, 'name': f.name, 'memory_mb': f.memory_mb, 'vcpus': f.vcpus, 'root_gb': f.root_gb,
                  'ephemeral_gb': f.ephemeral_gb, 'swap': f.swap, 'rxtx_factor': f.rxtx_factor, 'vcpu_weight': f.vcpu_weight,
                  'disabled': f.disabled, 'is_public': f.is_public, 'description': f.description, 'extra_specs': f.extra_specs}))
`;

describeEachDialect('flavor commands', (env) => {
  let apiUrl: string;
  let conf: string;
  let dbs: DatabaseContext;
  let api: Kysely<ApiDatabase>;
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });
  const json = async <T>(...argv: string[]) => {
    const result = await cli('-f', 'json', ...argv);
    return { ...result, data: result.stdout ? (JSON.parse(result.stdout) as T) : undefined };
  };
  /** A refused command: its code, nothing on stdout, one line on stderr, no row changed. */
  const expectRefused = async (code: number, ...argv: string[]) => {
    const before = await dumpRows(await dbs.api());
    const result = await cli(...argv);
    expect([argv.join(' '), result.code, result.stdout]).toEqual([argv.join(' '), code, '']);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await dumpRows(await dbs.api())).toEqual(before);
    return result;
  };

  beforeAll(async () => {
    apiUrl = env.newUrl('api');
    conf = writeNovaConf(join(env.dir, 'flavor-conf'), { api: apiUrl, db: apiUrl });
    await createNovaDatabase(apiUrl, 'api', env.dir);
    dbs = createDatabaseContext({ apiDatabaseConnection: apiUrl, cwd: env.dir });
    api = (await dbs.api()).db;
  });
  afterAll(() => dbs?.close());
  beforeEach(async () => {
    await api.deleteFrom('flavor_extra_specs').execute();
    await api.deleteFrom('flavors').execute();
  });

  it("creates a flavor with Nova's defaults and shows it by ID or name", async () => {
    const created = await json<FlavorOutput>('flavor', 'create', 'm1.small', '--vcpus', '2', '--ram', '2048', '--disk', '20', '--id', '2');
    expect([created.code, created.stderr]).toEqual([0, 'created flavor "m1.small" (ID 2)\n']);
    const expected: FlavorOutput = { id: '2', name: 'm1.small', ram: 2048, disk: 20, ephemeral: 0, vcpus: 2, is_public: true, swap: 0, rxtx_factor: 1, disabled: false, description: null, properties: '' };
    expect(created.data).toEqual(expected);
    expect((await json('flavor', 'show', '2')).data).toEqual(expected);
    expect((await json('flavor', 'show', 'm1.small')).data).toEqual(expected);
    const row = await api.selectFrom('flavors').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ flavorid: '2', name: 'm1.small', memory_mb: 2048, vcpus: 2, root_gb: 20, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, vcpu_weight: null, disabled: 0, is_public: 1, description: null, updated_at: null });
    // As SQLAlchemy stores a DateTime: with a six-digit fraction in SQLite's text, whole seconds in MySQL.
    expect(row.created_at).toMatch(env.dialect === 'sqlite' ? /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.000000$/ : /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it("takes the OpenStack client's --id auto as no --id: a new UUID", async () => {
    const created = await json<FlavorOutput>('flavor', 'create', 'auto-id', '--vcpus', '1', '--ram', '64', '--disk', '1', '--id', 'auto');
    expect(created.data!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('gives a flavor without --id a new UUID, and takes --ephemeral and --swap', async () => {
    const created = await json<FlavorOutput>('flavor', 'create', 'big', '--vcpus', '8', '--ram', '16384', '--disk', '0', '--ephemeral', '40', '--swap', '1024');
    expect(created.code).toBe(0);
    expect(created.data).toMatchObject({ ram: 16384, disk: 0, ephemeral: 40, swap: 1024 });
    expect(created.data!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await api.selectFrom('flavors').select('flavorid').executeTakeFirstOrThrow()).flavorid).toBe(created.data!.id);
  });

  it('lists every flavor by flavor ID (as bytes), public or not, with extra specs in show', async () => {
    for (const [name, id] of [['c', 'b'], ['a', 'C'], ['b', '10'], ['d', '9']]) expect((await cli('-q', 'flavor', 'create', name!, '--vcpus', '1', '--ram', '64', '--disk', '1', '--id', id!)).code).toBe(0);
    await api.updateTable('flavors').set({ is_public: 0, disabled: 1 }).where('flavorid', '=', '9').execute();
    const { id } = await api.selectFrom('flavors').select('id').where('flavorid', '=', '9').executeTakeFirstOrThrow();
    await api.insertInto('flavor_extra_specs').values([{ flavor_id: id, key: 'hw:cpu_policy', value: 'dedicated' }, { flavor_id: id, key: 'aggregate_instance_extra_specs:ssd', value: 'true' }]).execute();

    const list = await json<FlavorOutput[]>('flavor', 'list');
    expect(list.data!.map((f) => [f.id, f.name, f.is_public])).toEqual([['10', 'b', true], ['9', 'd', false], ['C', 'a', true], ['b', 'c', true]]);
    expect(Object.keys(list.data![0]!)).toEqual(['id', 'name', 'ram', 'disk', 'ephemeral', 'vcpus', 'is_public']);
    expect((await json<FlavorOutput>('flavor', 'show', 'd')).data).toMatchObject({ disabled: true, is_public: false, properties: 'aggregate_instance_extra_specs:ssd=true,hw:cpu_policy=dedicated' });
    const table = await cli('flavor', 'list');
    expect(table.stdout).toMatch(/^\| ID +\| Name +\| RAM +\| Disk +\| Ephemeral +\| VCPUs +\| Is Public +\|$/m);
  });

  it('looks a flavor up by ID before name, both exactly', async () => {
    await cli('-q', 'flavor', 'create', 'one', '--vcpus', '1', '--ram', '64', '--disk', '1', '--id', 'two');
    await cli('-q', 'flavor', 'create', 'two', '--vcpus', '2', '--ram', '64', '--disk', '1', '--id', 'x');
    expect((await json<FlavorOutput>('flavor', 'show', 'two')).data?.name).toBe('one');
    expect((await json<FlavorOutput>('flavor', 'show', 'x')).data?.name).toBe('two');
    expect((await expectRefused(127, 'flavor', 'show', 'TWO')).stderr).toBe('cellctl: error: no flavor has the ID or name "TWO"\n');
  });

  it("refuses a name or ID another flavor has as MySQL's unique keys compare them (case and trailing blanks ignored), on both dialects", async () => {
    await cli('-q', 'flavor', 'create', 'm1.tiny', '--vcpus', '1', '--ram', '512', '--disk', '1', '--id', 'tiny');
    const byName = await expectRefused(2, 'flavor', 'create', 'M1.Tiny', '--vcpus', '1', '--ram', '512', '--disk', '1');
    expect(byName.stderr).toBe('cellctl: error: a flavor with the name "M1.Tiny" already exists (flavor ID "tiny")\n');
    const byId = await expectRefused(2, 'flavor', 'create', 'other', '--vcpus', '1', '--ram', '512', '--disk', '1', '--id', 'TINY');
    expect(byId.stderr).toBe('cellctl: error: a flavor with the flavor ID "TINY" already exists (flavor ID "tiny")\n');
    await expectRefused(2, 'flavor', 'create', 'other', '--vcpus', '1', '--ram', '512', '--disk', '1', '--id', 'tiny', '--dry-run');
  });

  it.each([
    ['no --ram', ['x', '--vcpus', '1', '--disk', '1']],
    ['--ram 0', ['x', '--vcpus', '1', '--ram', '0', '--disk', '1']],
    ['--vcpus 0', ['x', '--vcpus', '0', '--ram', '1', '--disk', '1']],
    ['a negative disk', ['x', '--vcpus', '1', '--ram', '1', '--disk', '-1']],
    ['a fraction', ['x', '--vcpus', '1.5', '--ram', '1', '--disk', '1']],
    ['past MAX_INT', ['x', '--vcpus', '1', '--ram', '2147483648', '--disk', '1']],
    ['a blank name', [' ', '--vcpus', '1', '--ram', '1', '--disk', '1']],
    ['a name with a trailing space', ['x ', '--vcpus', '1', '--ram', '1', '--disk', '1']],
    ['a name with a control character', ['a\tb', '--vcpus', '1', '--ram', '1', '--disk', '1']],
    ['a name with an emoji', ['a\u{1F600}', '--vcpus', '1', '--ram', '1', '--disk', '1']],
    ['a 256-character name', ['n'.repeat(256), '--vcpus', '1', '--ram', '1', '--disk', '1']],
    ['an ID with a slash', ['x', '--vcpus', '1', '--ram', '1', '--disk', '1', '--id', 'a/b']],
    ['an ID starting with a blank', ['x', '--vcpus', '1', '--ram', '1', '--disk', '1', '--id', ' a']],
    ['an empty ID', ['x', '--vcpus', '1', '--ram', '1', '--disk', '1', '--id', '']],
  ])('refuses %s with 127 and writes nothing', async (_label, argv) => {
    await expectRefused(127, 'flavor', 'create', ...argv);
  });

  it('refuses an unknown -c or --sort-column before writing anything (127)', async () => {
    const bad = await expectRefused(127, 'flavor', 'create', 'x', '--vcpus', '1', '--ram', '1', '--disk', '1', '-c', 'nope');
    expect(bad.stderr).toMatch(/^cellctl: error: unknown column 'nope': valid columns are id, name, /);
    await expectRefused(127, 'flavor', 'create', 'x', '--vcpus', '1', '--ram', '1', '--disk', '1', '--sort-column', 'nope');
    expect((await cli('-q', 'flavor', 'create', 'x', '--vcpus', '1', '--ram', '1', '--disk', '1', '-f', 'value', '-c', 'ram')).stdout).toBe('1\n');
  });

  it('--dry-run prints the flavor and writes nothing', async () => {
    const before = await dumpRows(await dbs.api());
    const result = await json<FlavorOutput>('flavor', 'create', 'dry', '--vcpus', '1', '--ram', '64', '--disk', '1', '--id', 'd1', '--dry-run');
    expect([result.code, result.data?.id, result.stderr]).toEqual([0, 'd1', 'dry run: would create flavor "dry"; nothing written\n']);
    expect(await dumpRows(await dbs.api())).toEqual(before);
  });

  describeWithNova()('with Nova', () => {
    const nova = (action: object) => {
      const conf = writeNovaConf(join(env.dir, `nova-flavor-${Math.random().toString(36).slice(2)}`), { api: apiUrl });
      const r = spawnSync(NOVA_PYTHON, ['-c', NOVA_FLAVOR, conf, JSON.stringify(action)], { encoding: 'utf8', timeout: 120_000 });
      if (r.status !== 0) throw new Error(`Nova's flavor script exited ${r.status}: ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    };

    it("writes the row Nova's flavor create writes for the same request, and Nova reads it back", async () => {
      await cli('-q', 'flavor', 'create', 'ours', '--vcpus', '4', '--ram', '4096', '--disk', '40', '--ephemeral', '5', '--swap', '512', '--id', 'f-ours');
      const read = nova({ create: { name: 'theirs', memory: 4096, vcpus: 4, root_gb: 40, ephemeral_gb: 5, swap: 512, flavorid: 'f-theirs' }, read: 'f-ours' });
      // Nova's Flavor object reads the NULL vcpu_weight its own create writes as 0.
      expect(read).toEqual({ flavorid: 'f-ours', name: 'ours', memory_mb: 4096, vcpus: 4, root_gb: 40, ephemeral_gb: 5, swap: 512, rxtx_factor: 1, vcpu_weight: 0, disabled: false, is_public: true, description: null, extra_specs: {} });
      const rows = await api.selectFrom('flavors').selectAll().orderBy('id').execute();
      const shape = ({ id: _id, created_at: created, flavorid: _f, name: _n, ...rest }: (typeof rows)[number]) => ({ ...rest, created: created !== null });
      expect(rows).toHaveLength(2);
      expect(shape(rows[0]!)).toEqual(shape(rows[1]!));
    });

    it('shows a flavor Nova made, with its extra specs', async () => {
      nova({ create: { name: 'nova-made', memory: 1024, vcpus: 2, root_gb: 10, flavorid: 'nm' }, extra_specs: { 'hw:mem_page_size': 'large', quota: 'x' }, read: 'nm' });
      expect((await json<FlavorOutput>('flavor', 'show', 'nova-made')).data).toEqual({
        id: 'nm', name: 'nova-made', ram: 1024, disk: 10, ephemeral: 0, vcpus: 2, is_public: true, swap: 0, rxtx_factor: 1, disabled: false, description: null, properties: 'hw:mem_page_size=large,quota=x',
      });
    });
  });
});
