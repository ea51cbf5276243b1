/**
 * `cellctl cell0 list` and `cell0 show`: the instances buried in cell0 newest first, with their
 * latest fault and what it means, filtered by project, age and fault text; one instance with its
 * faults, actions, events and request spec; and, with Nova installed, an instance Nova's own
 * conductor buried, read the same way.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import { CELL0_UUID } from '../../src/domain/constants';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { insertComputeNode, insertComputeService } from '../support/cell-fixtures';
import { runCli } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';
import { describeWithNova, writeNovaConf } from '../support/nova-oracle';
import { NOVA_PYTHON } from '../support/test-environment';

const IMAGE = '22222222-2222-4222-8222-222222222222';

interface ListRow {
  uuid: string;
  name: string;
  project_id: string;
  created_at: string;
  age: string;
  fault_code: number | null;
  fault: string | null;
  hint: string;
}

describeEachDialect('cell0 list and show', (env) => {
  let conf: string;
  let dbs: DatabaseContext;
  let cell0: Kysely<CellDatabase>;
  let cell1: Kysely<CellDatabase>;
  const urls = { api: '', cell0: '', cell1: '' };
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });
  const list = async (...argv: string[]) => {
    const result = await cli('-f', 'json', 'cell0', 'list', ...argv);
    return { ...result, rows: result.stdout ? (JSON.parse(result.stdout) as ListRow[]) : [] };
  };
  const boot = async (name: string, project: string, count = 1) =>
    (await cli('-q', 'instance', 'boot', '--name', name, '--flavor', 'f1', '--image', IMAGE, '--project', project, '--user', 'u', '--count', String(count))).stdout.trim().split('\n');

  beforeAll(async () => {
    urls.api = env.newUrl('api');
    urls.cell0 = env.newUrl('cell0');
    urls.cell1 = env.newUrl('cell1');
    conf = join(env.dir, 'cell0.conf');
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq/\nhost = conductor-7\n[api_database]\nconnection = ${urls.api}\n[database]\nconnection = ${urls.cell1}\n`);
    for (const argv of [
      ['api-db', 'sync'],
      ['cell0', 'setup', '--database-connection', urls.cell0],
      ['cell', 'create', '--name', 'cell1'],
      ['db', 'sync', '--all-cells'],
      ['flavor', 'create', 'tiny', '--vcpus', '1', '--ram', '512', '--disk', '1', '--id', 'f1'],
    ]) {
      expect([argv.join(' '), (await cli('-q', ...argv)).code]).toEqual([argv.join(' '), 0]);
    }
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    cell0 = (await dbs.cellDatabase({ uuid: CELL0_UUID, name: 'cell0', databaseConnection: urls.cell0 })).db;
    cell1 = (await dbs.cellDatabase({ uuid: 'c1', name: 'cell1', databaseConnection: urls.cell1 })).db;
  });
  afterAll(() => dbs?.close());

  it('lists buried instances newest first with their latest fault and a hint; filters by project, age, fault text and limit', async () => {
    // No compute host: everything is buried (500, no candidates).
    const [old] = await boot('old', 'p1');
    await cell0.updateTable('instances').set({ created_at: '2020-01-01 00:00:00' }).where('uuid', '=', old!).execute();
    const [a, b] = await boot('pair', 'p2', 2);
    // A host without a host mapping: the next one is buried with a 400 fault.
    await insertComputeService(cell1, 'unmapped');
    await insertComputeNode(cell1, { host: 'unmapped', memory_mb: 4096, memory_mb_used: 0, vcpus: 4, local_gb: 10 });
    const [lonely] = await boot('lonely', 'p1');
    await cell0.updateTable('instances').set({ created_at: '2030-01-01 00:00:00' }).where('uuid', '=', lonely!).execute();

    const all = await list();
    expect(all.code).toBe(0);
    // Newest first; the pair shares its creation time, so the later row (pair-2) comes first.
    expect(all.rows.map((r) => r.uuid)).toEqual([lonely, b, a, old]);
    expect(all.rows[0]).toMatchObject({ uuid: lonely, name: 'lonely', fault_code: 400, fault: "Host 'unmapped' is not mapped to any cell", hint: 'host not mapped to a cell: run cellctl host discover' });
    expect(all.rows[all.rows.length - 1]).toMatchObject({ uuid: old, fault_code: 500, fault: 'No valid host was found. ', hint: expect.stringMatching(/^no capacity/) });
    expect(all.rows[all.rows.length - 1]!.age).toMatch(/^\d+w$/);

    expect((await list('--project', 'p2')).rows.map((r) => r.name).sort()).toEqual(['pair-1', 'pair-2']);
    expect((await list('--older-than', '52w')).rows.map((r) => r.uuid)).toEqual([old]);
    expect((await list('--fault-contains', 'NOT MAPPED')).rows.map((r) => r.uuid)).toEqual([lonely]);
    expect((await list('--limit', '2')).rows.map((r) => r.uuid)).toEqual(all.rows.slice(0, 2).map((r) => r.uuid));
    // A soft-deleted instance is not listed.
    await cell0.updateTable('instances').set((eb) => ({ deleted: eb.ref('id') })).where('uuid', '=', old!).execute();
    expect((await list()).rows.map((r) => r.uuid)).not.toContain(old);

    const shown = await cli('-f', 'json', 'cell0', 'show', a!);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      uuid: a,
      name: 'pair-1',
      project_id: 'p2',
      vm_state: 'error',
      deleted: false,
      image: IMAGE,
      flavor: { id: 'f1', name: 'tiny', vcpus: 1, ram: 512, disk: 1 },
      faults: [{ code: 500, message: 'No valid host was found. ', host: 'conductor-7' }],
      actions: [{ action: 'create', message: 'Error', events: [{ event: 'conductor_schedule_and_build_instances', result: 'Error', host: 'conductor-7', details: 'No valid host was found. ' }] }],
      request_spec: { flavor: 'f1', image: IMAGE, num_instances: 2, availability_zone: null, group: null },
    });
    const table = await cli('cell0', 'show', a!);
    expect(table.stdout).toMatch(/\| Actions +\| create: Error \[conductor_schedule_and_build_instances: Error\] +\|/);
  });

  it('refuses an instance cell0 does not hold, and a bad --older-than, with 127', async () => {
    const missing = await cli('cell0', 'show', '99999999-9999-4999-8999-999999999999');
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([127, '', 'cellctl: error: instance 99999999-9999-4999-8999-999999999999 is not in cell0 (see cellctl instance verify 99999999-9999-4999-8999-999999999999)\n']);
    for (const age of ['3 days', '99999999w']) {
      const bad = await cli('cell0', 'list', '--older-than', age);
      expect([age, bad.code, bad.stdout, bad.stderr]).toEqual([age, 127, '', expect.stringMatching(/^cellctl: error: .*--older-than must be an age/)]);
    }
  });

  describeWithNova()('an instance Nova buried', () => {
    it('is listed and shown like one cellctl buried', async () => {
      const uuid = 'abcdef00-0000-4000-8000-00000000000a';
      const request = {
        request_id: 'req-abcdef00-0000-4000-8000-000000000000',
        user_id: 'nova-user',
        project_id: 'nova-project',
        flavor: { id: 1, flavorid: 'nf', name: 'nova-flavor', memory_mb: 256, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0 },
        image: IMAGE,
        availability_zone: null,
        reservation_id: 'r-novanova',
        description: 'by-nova',
        instances: [{ uuid, display_name: 'by-nova', hostname: 'by-nova', launch_index: 0 }],
        metadata: {},
        system_metadata: {},
        bdms: [{ source_type: 'image', destination_type: 'local', image_id: IMAGE, boot_index: 0, delete_on_termination: true }],
        tags: [],
        fault: { kind: 'host-not-mapped', host: 'compute-99' },
      };
      const novaConf = writeNovaConf(join(env.dir, 'nova-bury'), { api: urls.api, defaults: { host: 'nova-conductor' } });
      const run = spawnSync(NOVA_PYTHON, [join(__dirname, '..', 'support', 'nova-bury.py'), novaConf, JSON.stringify(request)], { encoding: 'utf8', timeout: 120_000 });
      expect(run.status).toBe(0);
      const row = (await list('--project', 'nova-project')).rows;
      expect(row).toMatchObject([{ uuid, name: 'by-nova', fault_code: 400, fault: "Host 'compute-99' is not mapped to any cell", hint: 'host not mapped to a cell: run cellctl host discover' }]);
      const shown = JSON.parse((await cli('-f', 'json', 'cell0', 'show', uuid)).stdout);
      expect(shown).toMatchObject({
        flavor: { id: 'nf', name: 'nova-flavor' },
        faults: [{ code: 400, host: 'nova-conductor' }],
        actions: [{ action: 'create', message: 'Error', events: [{ event: 'conductor_schedule_and_build_instances', result: 'Error' }] }],
        request_spec: { flavor: 'nf', image: IMAGE, num_instances: 1 },
      });
    }, 120_000);
  });
});
