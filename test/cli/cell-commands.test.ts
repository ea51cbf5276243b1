import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inTransaction } from '../../src/db/unit-of-work';
import { CELL0_UUID } from '../../src/domain/constants';
import { CELLS_LOCK } from '../../src/services/cell.service';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { describeEachDialect } from '../support/dialect-matrix';
import { dumpRows } from '../support/row-dump';
import { runCellctlProcess, runCli, type CliResult } from '../support/cli-runner';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describeEachDialect('cell and cell0 commands', (env) => {
  let api: string;
  let local: string;
  let conf: string;
  let dbs: DatabaseContext;
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });

  beforeEach(async () => {
    api = env.newUrl('api');
    local = env.newUrl('nova');
    conf = join(env.dir, `nova-${Math.random().toString(36).slice(2)}.conf`);
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:mqpass@mq1:5672/\n[api_database]\nconnection = ${api}\n[database]\nconnection = ${local}\n`);
    expect((await cli('-q', 'api-db', 'sync')).code).toBe(0);
    dbs = createDatabaseContext({ apiDatabaseConnection: api, databaseConnection: local, cwd: env.dir });
  });
  afterEach(() => dbs.close());

  async function cellRows() {
    return (await dbs.api()).db.selectFrom('cell_mappings').selectAll().orderBy('id').execute();
  }

  describe('cell create', () => {
    it('prints the new UUID alone, takes URLs from the configuration with a notice, and stores the cell', async () => {
      const result = await cli('cell', 'create', '--name', 'cell1');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
      expect(result.stderr).toMatch(/--database-connection not given: using \[database\] connection/);
      expect(result.stderr).toMatch(/--transport-url not given: using \[DEFAULT\] transport_url .*rabbit:\/\/nova:\*\*\*\*@mq1/);
      expect(result.stderr).not.toContain('mqpass');
      expect(await cellRows()).toEqual([
        expect.objectContaining({ uuid: result.stdout.trim(), name: 'cell1', database_connection: local, transport_url: 'rabbit://nova:mqpass@mq1:5672/', disabled: 0 }),
      ]);
    });

    it('refuses a second cell with the same name, database or transport URL: 2, "already exists" and the UUID', async () => {
      const first = (await cli('cell', 'create', '--name', 'cell1')).stdout.trim();
      const other = env.newUrl('other');
      for (const args of [
        ['--name', 'cell1', '--database-connection', other, '--transport-url', 'rabbit://x@mq9/'],
        ['--name', 'cell2', '--transport-url', 'rabbit://x@mq9/'],
        ['--name', 'cell3', '--database-connection', other],
      ]) {
        const result = await cli('cell', 'create', ...args);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('already exists');
        expect(result.stderr).toContain(first);
      }
      expect(await cellRows()).toHaveLength(1);
    });

    it('compares template URLs rendered: a template that renders to an existing URL is a duplicate', async () => {
      await cli('cell', 'create', '--name', 'cell1', '--transport-url', 'rabbit://nova:mqpass@mq1:5672/');
      const template = '{scheme}://{username}:{password}@{hostname}:{port}/';
      const result = await cli('cell', 'create', '--name', 'cell2', '--database-connection', env.newUrl('c2'), '--transport-url', template);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/transport URL .* already exists/);
    });

    it('clashes with cell0 too (its transport none:///)', async () => {
      await cli('-q', 'cell0', 'setup');
      const result = await cli('cell', 'create', '--name', 'cellx', '--database-connection', env.newUrl('x'), '--transport-url', 'none:///');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(CELL0_UUID);
    });

    it('exits 1 for an invalid transport URL or when no database URL can be found', async () => {
      const invalid = await cli('cell', 'create', '--name', 'c', '--transport-url', 'mq-without-scheme');
      expect(invalid.code).toBe(1);
      expect(invalid.stderr).toMatch(/invalid transport URL .*: No scheme specified/);
      const noDbConf = join(env.dir, 'nodb.conf');
      writeFileSync(noDbConf, `[DEFAULT]\ntransport_url = rabbit://mq/\n[api_database]\nconnection = ${api}\n`);
      const noDb = await runCli(['--config-file', noDbConf, 'cell', 'create', '--name', 'c'], { cwd: env.dir });
      expect(noDb.code).toBe(1);
      expect(noDb.stderr).toMatch(/no database URL for the cell/);
      expect(await cellRows()).toHaveLength(0);
    });

    it('creates a disabled cell, prints the whole cell with -f json, and writes nothing with --dry-run', async () => {
      const dry = await cli('cell', 'create', '--name', 'dry', '--dry-run');
      expect(dry).toMatchObject({ code: 0, stdout: '' });
      expect(await cellRows()).toHaveLength(0);
      const json = await cli('-f', 'json', 'cell', 'create', '--name', 'off', '--disabled');
      expect(JSON.parse(json.stdout)).toEqual({
        name: 'off', uuid: expect.stringMatching(UUID), transport_url: 'rabbit://nova:****@mq1:5672/', database_connection: local, disabled: true,
      });
    });

    it('requires --name: 127', async () => {
      expect((await cli('cell', 'create')).code).toBe(127);
    });
  });

  describe('cell ensure', () => {
    it('creates, then leaves unchanged, then updates only what is given, with a masked diff', async () => {
      const created = await cli('cell', 'ensure', '--name', 'cell1');
      expect(created.code).toBe(0);
      expect(created.stderr).toMatch(/^created$/m);
      const uuid = created.stdout.trim();
      const again = await cli('cell', 'ensure', '--name', 'cell1');
      expect(again).toMatchObject({ code: 0, stdout: `${uuid}\n` });
      expect(again.stderr).toMatch(/^unchanged$/m);

      const updated = await cli('-f', 'json', 'cell', 'ensure', '--name', 'cell1', '--transport-url', 'rabbit://nova:newpass@mq1:5672/', '--disabled');
      expect(updated.code).toBe(0);
      expect(JSON.parse(updated.stdout)).toEqual({
        uuid,
        action: 'updated',
        changes: [
          { field: 'transport_url', before: 'rabbit://nova:****@mq1:5672/', after: 'rabbit://nova:****@mq1:5672/ (password changed)' },
          { field: 'disabled', before: 'false', after: 'true' },
        ],
      });
      expect(updated.stdout + updated.stderr).not.toMatch(/newpass|mqpass/);
      expect((await cellRows())[0]).toMatchObject({ transport_url: 'rabbit://nova:newpass@mq1:5672/', disabled: 1, database_connection: local });
    });

    it('treats a template and its rendering as the same URL (no endless updates)', async () => {
      const template = '{scheme}://{username}:{password}@{hostname}:{port}/';
      await cli('cell', 'ensure', '--name', 'cell1', '--transport-url', template);
      const rendered = await cli('cell', 'ensure', '--name', 'cell1', '--transport-url', 'rabbit://nova:mqpass@mq1:5672/');
      expect(rendered.stderr).toMatch(/^unchanged$/m);
      expect((await cellRows())[0].transport_url).toBe(template);
    });

    it('exits 1 for an invalid transport URL, 5 for toggling cell0, 127 for --disabled with --enabled', async () => {
      await cli('-q', 'cell0', 'setup');
      expect((await cli('cell', 'ensure', '--name', 'cell1', '--transport-url', 'noscheme')).code).toBe(1);
      expect((await cli('cell', 'ensure', '--name', 'cell0', '--disabled')).code).toBe(5);
      expect((await cli('cell', 'ensure', '--name', 'cell1', '--disabled', '--enabled')).code).toBe(127);
      expect((await cellRows()).map((r) => [r.name, r.disabled])).toEqual([['cell0', 0]]);
    });

    it('lets concurrent ensure runs in separate processes create the cell exactly once', async () => {
      const runs = await Promise.all([1, 2, 3].map(() => runCellctlProcess(['--config-file', conf, 'cell', 'ensure', '--name', 'raced'], { cwd: env.dir })));
      expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
      expect(new Set(runs.map((r) => r.stdout)).size).toBe(1);
      expect(runs.filter((r) => /^created$/m.test(r.stderr))).toHaveLength(1);
      expect(await cellRows()).toHaveLength(1);
    });

    it('refuses URLs of another cell (2) and a name shared by two cells (127)', async () => {
      await cli('cell', 'create', '--name', 'cell1');
      const clash = await cli('cell', 'ensure', '--name', 'cell2', '--database-connection', local, '--transport-url', 'rabbit://b@mq2/');
      expect(clash.code).toBe(2);
      const { db } = await dbs.api();
      await db.insertInto('cell_mappings').values({ uuid: '11111111-1111-1111-1111-111111111111', name: 'cell1', transport_url: 'rabbit://z/', database_connection: env.newUrl('z'), disabled: 0 }).execute();
      const ambiguous = await cli('cell', 'ensure', '--name', 'cell1');
      expect(ambiguous.code).toBe(127);
      expect(ambiguous.stderr).toMatch(/matches 2 cells/);
    });
  });

  describe('cell list and show', () => {
    it('lists every cell with cell0, sorted by name, masked unless --show-secrets, in every format', async () => {
      await cli('-q', 'cell0', 'setup');
      await cli('-q', 'cell', 'create', '--name', 'b-cell', '--database-connection', env.newUrl('b'), '--transport-url', 'rabbit://u:topsecret@mqb/');
      await cli('-q', 'cell', 'create', '--name', 'a-cell', '--database-connection', env.newUrl('a'), '--transport-url', 'rabbit://u:topsecret@mqa/');
      const json = await cli('-f', 'json', 'cell', 'list');
      const rows = JSON.parse(json.stdout);
      expect(rows.map((r: { name: string }) => r.name)).toEqual(['a-cell', 'b-cell', 'cell0']);
      expect(Object.keys(rows[0])).toEqual(['name', 'uuid', 'transport_url', 'database_connection', 'disabled']);
      expect(rows[2]).toMatchObject({ uuid: CELL0_UUID, transport_url: 'none:///', disabled: false });
      expect(json.stdout).not.toContain('topsecret');
      expect((await cli('--show-secrets', '-f', 'json', 'cell', 'list')).stdout).toContain('topsecret');
      expect((await cli('-f', 'value', '-c', 'uuid', 'cell', 'show', 'cell0')).stdout).toBe(`${CELL0_UUID}\n`);
      const table = await cli('cell', 'list');
      expect(table.stdout.split('\n')[1]).toMatch(/^\| Name +\| UUID +\| Transport URL +\| Database Connection +\| Disabled +\|$/);
      expect((await cli('-f', 'csv', 'cell', 'list')).stdout.split('\n')[0]).toBe('"name","uuid","transport_url","database_connection","disabled"');
      expect((await cli('-f', 'yaml', 'cell', 'show', 'a-cell')).stdout).toMatch(/^name: a-cell$/m);
    });

    it('show: an unknown cell is 127', async () => {
      const result = await cli('cell', 'show', 'nope');
      expect(result.code).toBe(127);
      expect(result.stderr).toMatch(/no cell has the name or UUID 'nope'/);
    });
  });

  describe('cell update', () => {
    it('changes only what is passed and prints a masked diff', async () => {
      const uuid = (await cli('cell', 'create', '--name', 'cell1')).stdout.trim();
      const result = await cli('cell', 'update', 'cell1', '--name', 'renamed', '--disable');
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/name: cell1 -> renamed/);
      expect(result.stderr).toMatch(/disabled: false -> true/);
      expect((await cellRows())[0]).toMatchObject({ uuid, name: 'renamed', disabled: 1, database_connection: local, transport_url: 'rabbit://nova:mqpass@mq1:5672/' });
      const dry = await cli('cell', 'update', uuid, '--enable', '--dry-run');
      expect(dry.stderr).toMatch(/dry run: would update/);
      expect((await cellRows())[0].disabled).toBe(1);
    });

    it('exits 3 for a duplicate, 5 for cell0, 1 for a bad transport URL, 127 for --enable with --disable', async () => {
      await cli('-q', 'cell0', 'setup');
      await cli('-q', 'cell', 'create', '--name', 'cell1');
      await cli('-q', 'cell', 'create', '--name', 'cell2', '--database-connection', env.newUrl('c2'), '--transport-url', 'rabbit://x@mq2/');
      expect((await cli('cell', 'update', 'cell2', '--name', 'cell1')).code).toBe(3);
      expect((await cli('cell', 'update', 'cell2', '--database-connection', local)).code).toBe(3);
      expect((await cli('cell', 'update', 'cell0', '--disable')).code).toBe(5);
      expect((await cli('cell', 'update', 'cell0', '--enable')).code).toBe(5);
      expect((await cli('cell', 'update', 'cell2', '--transport-url', 'noscheme')).code).toBe(1);
      expect((await cli('cell', 'update', 'cell2', '--enable', '--disable')).code).toBe(127);
      expect((await cellRows()).map((r) => r.name)).toEqual(['cell0', 'cell1', 'cell2']);
    });
  });

  describe('cell delete', () => {
    async function mapHostAndInstance(cellName: string, deleted: boolean): Promise<void> {
      const cell = (await cellRows()).find((r) => r.name === cellName)!;
      const { db } = await dbs.api();
      await db.insertInto('host_mappings').values({ cell_id: cell.id, host: `${cellName}-host` }).execute();
      const instanceUuid = '22222222-2222-2222-2222-222222222222';
      await db.insertInto('instance_mappings').values({ instance_uuid: instanceUuid, cell_id: cell.id, project_id: 'p', user_id: 'u', queued_for_delete: 0 }).execute();
      const cellDb = (await dbs.cellDatabase({ uuid: cell.uuid, name: cell.name, databaseConnection: cell.database_connection })).db;
      const inserted = await cellDb.insertInto('instances').values({ uuid: instanceUuid, host: `${cellName}-host`, deleted: 0 }).executeTakeFirstOrThrow();
      if (deleted) await cellDb.updateTable('instances').set({ deleted: Number(inserted.insertId) }).execute();
    }

    it('refuses while hosts are mapped (2), instances live (3, even with --force), stale mappings remain (4)', async () => {
      await cli('-q', 'cell', 'create', '--name', 'cell1');
      await cli('-q', 'db', 'sync');
      await mapHostAndInstance('cell1', false);
      const hosts = await cli('cell', 'delete', 'cell1');
      expect(hosts.code).toBe(2);
      expect(hosts.stderr).toMatch(/1 host\(s\) are mapped.*1 live instance\(s\)/);
      expect((await cli('cell', 'delete', 'cell1', '--force')).code).toBe(3);
      const cellDb = (await dbs.localCell()).db;
      await cellDb.updateTable('instances').set({ deleted: 1 }).execute();
      await (await dbs.api()).db.deleteFrom('host_mappings').execute();
      const stale = await cli('cell', 'delete', 'cell1');
      expect(stale.code).toBe(4);
      expect(stale.stderr).toMatch(/instance mapping\(s\) of deleted instances remain/);
      expect(await cellRows()).toHaveLength(1);
    });

    it('with --force removes host mappings and stale instance mappings and resets compute_nodes.mapped', async () => {
      await cli('-q', 'cell', 'create', '--name', 'cell1');
      await cli('-q', 'db', 'sync');
      await mapHostAndInstance('cell1', true);
      const cellDb = (await dbs.localCell()).db;
      await cellDb.insertInto('compute_nodes').values({
        host: 'cell1-host', hypervisor_hostname: 'n1', vcpus: 1, memory_mb: 1, local_gb: 1, vcpus_used: 0, memory_mb_used: 0, local_gb_used: 0,
        hypervisor_type: 'fake', hypervisor_version: 1, cpu_info: '{}', deleted: 0, mapped: 1,
      }).execute();
      const dry = await cli('cell', 'delete', 'cell1', '--force', '--dry-run');
      expect(dry.code).toBe(0);
      expect(await cellRows()).toHaveLength(1);
      const result = await cli('cell', 'delete', 'cell1', '--force');
      expect(result.code).toBe(0);
      expect(await cellRows()).toHaveLength(0);
      const { db } = await dbs.api();
      expect(await db.selectFrom('host_mappings').selectAll().execute()).toEqual([]);
      expect(await db.selectFrom('instance_mappings').selectAll().execute()).toEqual([]);
      expect((await cellDb.selectFrom('compute_nodes').select('mapped').executeTakeFirstOrThrow()).mapped).toBe(0);
    });

    it('reports the time it waited for a lock another session holds, not a shorter --lock-timeout (MySQL waits whole seconds)', async () => {
      let result: CliResult | undefined;
      await inTransaction(await dbs.api(), async () => {
        result = await cli('--lock-timeout', '0.001', 'cell', 'create', '--name', 'blocked');
      }, { lock: CELLS_LOCK });
      expect(result!.code).toBe(255);
      const waited = env.dialect === 'mysql' ? "lock 'cells' after 1 s" : 'write lock after 0.001 s';
      expect(result!.stderr.split('\n')).toHaveLength(2);
      expect(result!.stderr).toMatch(/^cellctl: error: database \S+ is locked by another session: /);
      expect(result!.stderr.endsWith(`gave up waiting for its ${waited}\n`)).toBe(true);
    });

    it('deletes nothing when a host was mapped to the cell after its checks, while it waited for the lock: 2', async () => {
      await cli('-q', 'cell', 'create', '--name', 'cell1');
      const cell = (await cellRows())[0];
      const apiHandle = await dbs.api();
      let deleting: Promise<CliResult> | undefined;
      // Holds the cells lock while `cell delete` (a separate process) checks the cell, then maps a
      // host to it the way a concurrent host discover would, and lets the delete go on.
      await inTransaction(apiHandle, async (db) => {
        let checked: () => void = () => undefined;
        const checksDone = new Promise<void>((resolve) => (checked = resolve));
        deleting = runCellctlProcess(['--config-file', conf, '--debug', 'cell', 'delete', 'cell1'], {
          cwd: env.dir,
          onStderr: (text) => /sql .*from .instance_mappings. where .cell_id./.test(text) && checked(),
        });
        await Promise.race([checksDone, deleting]);
        await db.insertInto('host_mappings').values({ cell_id: cell.id, host: 'late-host' }).execute();
      }, { lock: CELLS_LOCK });
      const result = await deleting!;
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/cellctl: error: cell cell1 .* changed while it was being deleted \(it now has 1 host mapping\(s\), not 0\): no mapping deleted/);
      expect(await cellRows()).toHaveLength(1);
      expect(await apiHandle.db.selectFrom('host_mappings').select('host').execute()).toEqual([{ host: 'late-host' }]);
    });

    it('changes no row in either database when --force is refused because the cell changed under it', async () => {
      await cli('-q', 'cell', 'create', '--name', 'cell1');
      await cli('-q', 'db', 'sync');
      const cell = (await cellRows())[0];
      const apiHandle = await dbs.api();
      const cellHandle = await dbs.localCell();
      await apiHandle.db.insertInto('host_mappings').values({ cell_id: cell.id, host: 'h1' }).execute();
      await cellHandle.db.insertInto('compute_nodes').values({
        host: 'h1', hypervisor_hostname: 'n1', vcpus: 1, memory_mb: 1, local_gb: 1, vcpus_used: 0, memory_mb_used: 0, local_gb_used: 0,
        hypervisor_type: 'fake', hypervisor_version: 1, cpu_info: '{}', deleted: 0, mapped: 1,
      }).execute();
      const before = { api: await dumpRows(apiHandle), cell: await dumpRows(cellHandle) };
      let deleting: Promise<CliResult> | undefined;
      // As above: a host is mapped to the cell after `cell delete --force` checked it, so its
      // locked recount refuses; before the fix, compute_nodes.mapped was already reset by then.
      await inTransaction(apiHandle, async (db) => {
        let checked: () => void = () => undefined;
        const checksDone = new Promise<void>((resolve) => (checked = resolve));
        deleting = runCellctlProcess(['--config-file', conf, '--debug', 'cell', 'delete', 'cell1', '--force'], {
          cwd: env.dir,
          onStderr: (text) => /sql .*from .instance_mappings. where .cell_id./.test(text) && checked(),
        });
        await Promise.race([checksDone, deleting]);
        await db.insertInto('host_mappings').values({ cell_id: cell.id, host: 'late-host', created_at: '2024-01-01 00:00:00' }).execute();
      }, { lock: CELLS_LOCK });
      const result = await deleting!;
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/changed while it was being deleted \(it now has 2 host mapping\(s\), not 1\)/);
      expect(await dumpRows(cellHandle)).toEqual(before.cell);
      const after = await dumpRows(apiHandle);
      const added = after.host_mappings.filter((row) => !before.api.host_mappings.includes(row));
      expect(added.map((row) => JSON.parse(row).host)).toEqual(['late-host']);
      expect({ ...after, host_mappings: after.host_mappings.filter((row) => !added.includes(row)) }).toEqual(before.api);
    });

    it('deletes an unused cell without touching its database', async () => {
      await cli('-q', 'cell', 'create', '--name', 'idle', '--database-connection', `sqlite:///${join(env.dir, 'missing', 'x.sqlite')}`, '--transport-url', 'rabbit://i@mqi/');
      expect((await cli('cell', 'delete', 'idle')).code).toBe(0);
      expect(await cellRows()).toHaveLength(0);
    });
  });

  describe('cell0 setup', () => {
    it('maps cell0 beside [database] with _cell0 appended, creates its schema, prints its UUID; idempotent', async () => {
      const first = await cli('cell0', 'setup');
      expect(first).toMatchObject({ code: 0, stdout: `${CELL0_UUID}\n` });
      const [cell0] = await cellRows();
      const expected = env.dialect === 'sqlite' ? local.replace(/\.sqlite$/, '_cell0.sqlite') : local.replace(/\?charset/, '_cell0?charset');
      expect(cell0).toMatchObject({ uuid: CELL0_UUID, name: 'cell0', transport_url: 'none:///', database_connection: expected, disabled: 0 });
      expect((await cli('-f', 'value', '-c', 'status', 'db', 'version', '--cell', 'cell0')).stdout).toBe('current\n');
      const again = await cli('cell0', 'setup', '--database-connection', env.newUrl('ignored'));
      expect(again.code).toBe(0);
      expect(again.stderr).toMatch(/^Cell0 is already setup$/m);
      expect(await cellRows()).toHaveLength(1);
    });

    it('asks for --database-connection when [database] already names a cell0 database (127)', async () => {
      const cell0Conf = join(env.dir, 'cell0.conf');
      const cell0Named = env.dialect === 'sqlite' ? `sqlite:///${join(env.dir, 'nova_cell0.sqlite')}` : `${local.replace(/\?charset.*/, '')}_cell0`;
      writeFileSync(cell0Conf, `[api_database]\nconnection = ${api}\n[database]\nconnection = ${cell0Named}\n`);
      const result = await runCli(['--config-file', cell0Conf, 'cell0', 'setup'], { cwd: env.dir });
      expect(result.code).toBe(127);
      expect(result.stderr).toMatch(/pass --database-connection/);
      expect(await cellRows()).toHaveLength(0);
    });

    it('refuses a database another cell uses (2) and a database holding another schema (3)', async () => {
      await cli('-q', 'cell', 'create', '--name', 'cell1');
      const taken = await cli('cell0', 'setup', '--database-connection', local);
      expect(taken.code).toBe(2);
      const cell1Uuid = (await cli('-f', 'value', '-c', 'uuid', 'cell', 'show', 'cell1')).stdout.trim();
      // Nova's phrase, the UUID once, then the name.
      expect(taken.stderr).toMatch(new RegExp(`already exists for another cell with uuid ${cell1Uuid} \\(cell1\\)\\n$`));
      expect(taken.stderr.split(cell1Uuid)).toHaveLength(2);
      const foreign = env.newUrl('foreign');
      const foreignDb = createDatabaseContext({ apiDatabaseConnection: foreign, cwd: env.dir });
      await (await foreignDb.api({ create: true })).db.schema.createTable('not_nova').addColumn('id', 'integer').execute();
      await foreignDb.close();
      const refused = await cli('cell0', 'setup', '--database-connection', foreign);
      expect(refused.code).toBe(3);
      expect((await cellRows()).map((r) => r.name)).toEqual(['cell1']);
    });

    it('writes nothing with --dry-run', async () => {
      const result = await cli('cell0', 'setup', '--dry-run');
      expect(result).toMatchObject({ code: 0, stdout: '' });
      expect(await cellRows()).toHaveLength(0);
    });
  });
});
