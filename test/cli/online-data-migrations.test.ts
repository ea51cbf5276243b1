/**
 * The online data migrations runner through the CLI, on Nova's UUID back-fills: every cell (cell0
 * included) migrated, --max-count as one budget for the run, --status writing nothing, exit codes,
 * a cell that cannot be reached and a migration that fails in one cell, and Nova's own runner
 * finding nothing left afterwards.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { parse as parseYaml } from 'yaml';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { insertComputeNode } from '../support/cell-fixtures';
import { runCli } from '../support/cli-runner';
import { describeEachDialect } from '../support/dialect-matrix';
import { describeWithNova, novaManage, writeNovaConf } from '../support/nova-oracle';
import { dumpRows } from '../support/row-dump';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const KEPT_UUID = '11111111-2222-4333-8444-555555555555';
/** The migrations this file seeds candidates of; the summary's other rows (nothing found) are not its subject. */
const UUID_BACKFILLS = ['migration_migrate_to_uuid', 'populate_dev_uuids', 'populate_uuids'];
const backfillRows = <R extends { migration: string }>(rows: R[]): R[] => rows.filter((r) => UUID_BACKFILLS.includes(r.migration));

interface SummaryRow {
  migration: string;
  total_needed: number | null;
  completed: number;
  remaining: number | null;
  unmigratable: number | null;
  status: string;
  cells: Array<{ migration: string; cell: string | null; status: string; found: number | null; migrated: number; remaining: number | null; error: string | null }>;
}

/**
 * Rows without a UUID in the three back-filled tables of one cell: `n` live ones each, deleted ones
 * (which Nova's migrations query skips, and its BDM and PCI ones do not), and one that has a UUID.
 * Returns how many each migration finds.
 */
async function seedCandidates(db: Kysely<CellDatabase>, n: number): Promise<Record<string, number>> {
  const node = await insertComputeNode(db, { host: `host-${Math.random().toString(36).slice(2, 8)}` });
  for (let i = 0; i < n + 3; i++) {
    const uuid = i === n + 2 ? KEPT_UUID : null;
    const deleted = i === n || i === n + 1;
    const m = await db.insertInto('migrations').values({ uuid, deleted: 0, status: 'done' }).executeTakeFirstOrThrow();
    const b = await db.insertInto('block_device_mapping').values({ uuid, deleted: 0, device_name: `/dev/vd${i}` }).executeTakeFirstOrThrow();
    const p = await db
      .insertInto('pci_devices')
      .values({ uuid, deleted: 0, compute_node_id: node, address: `0000:00:${String(i).padStart(2, '0')}.0`, product_id: 'p', vendor_id: 'v', dev_type: 'type-PCI', label: 'l', status: 'available' })
      .executeTakeFirstOrThrow();
    if (deleted) {
      for (const [table, id] of [['migrations', m.insertId], ['block_device_mapping', b.insertId], ['pci_devices', p.insertId]] as const) {
        await sql`UPDATE ${sql.table(table)} SET deleted = id WHERE id = ${Number(id)}`.execute(db);
      }
    }
  }
  return { migration_migrate_to_uuid: n, populate_uuids: n + 2, populate_dev_uuids: n + 2 };
}

describeEachDialect('online-data-migrations', (env) => {
  let dir: string;
  let conf: string;
  let dbs: DatabaseContext;
  let cells: Array<Kysely<CellDatabase>>;
  let expected: Record<string, number>;
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: dir });
  const json = async (...argv: string[]) => {
    const result = await cli('-f', 'json', ...argv);
    // Only the UUID back-fills this file seeds candidates of (other migrations have their own files).
    const rows = result.stdout ? (JSON.parse(result.stdout) as SummaryRow[]) : [];
    return { ...result, rows: rows.filter((r) => UUID_BACKFILLS.includes(r.migration)) };
  };
  const dumpAll = async () => Promise.all([dbs.api(), ...cellUrls().map((u) => dbs.cellDatabase({ uuid: u, name: u, databaseConnection: u }))].map(async (h) => dumpRows(await h)));
  let urls: Record<'api' | 'cell0' | 'cell1' | 'cell2', string>;
  const cellUrls = () => [urls.cell0, urls.cell1, urls.cell2];

  beforeEach(async () => {
    dir = env.dir;
    urls = { api: env.newUrl('api'), cell0: env.newUrl('cell0'), cell1: env.newUrl('cell1'), cell2: env.newUrl('cell2') };
    conf = join(dir, `odm-${Math.random().toString(36).slice(2)}.conf`);
    writeFileSync(conf, `[DEFAULT]\ntransport_url = rabbit://nova:pw@mq1/\n[api_database]\nconnection = ${urls.api}\n[database]\nconnection = ${urls.cell1}\n`);
    expect((await cli('-q', 'api-db', 'sync')).code).toBe(0);
    expect((await cli('-q', 'cell0', 'setup', '--database-connection', urls.cell0)).code).toBe(0);
    expect((await cli('-q', 'cell', 'create', '--name', 'cell1')).code).toBe(0);
    expect((await cli('-q', 'cell', 'create', '--name', 'cell2', '--database-connection', urls.cell2, '--transport-url', 'rabbit://nova:pw@mq2/', '--disabled')).code).toBe(0);
    expect((await cli('-q', 'db', 'sync', '--all-cells')).code).toBe(0);
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, databaseConnection: urls.cell1, cwd: dir });
    cells = await Promise.all(cellUrls().map(async (u) => (await dbs.cellDatabase({ uuid: u, name: u, databaseConnection: u })).db));
    expected = await seedCandidates(cells[0]!, 2);
    await seedCandidates(cells[1]!, 5);
    await seedCandidates(cells[2]!, 3);
  });

  afterEach(() => dbs.close());

  it('migrates every cell, cell0 and disabled cells included, as Nova would each row, and exits 0', async () => {
    const result = await json('online-data-migrations');
    expect(result.code).toBe(0);
    expect(backfillRows(result.rows).map((r) => [r.migration, r.total_needed, r.completed, r.remaining, r.unmigratable, r.status])).toEqual([
      ['migration_migrate_to_uuid', 2 + 5 + 3, 10, 0, 0, 'ok'],
      ['populate_dev_uuids', 4 + 7 + 5, 16, 0, 0, 'ok'],
      ['populate_uuids', 4 + 7 + 5, 16, 0, 0, 'ok'],
    ]);
    expect(backfillRows(result.rows)[0]!.cells.map((c) => [c.cell, c.found, c.migrated])).toEqual([['cell0', expected.migration_migrate_to_uuid, 2], ['cell1', 5, 5], ['cell2', 3, 3]]);
    for (const db of cells) {
      const migrations = await db.selectFrom('migrations').select(['uuid', 'deleted', 'id', 'updated_at']).orderBy('id').execute();
      // Live rows get a version-4 UUID and updated_at; deleted ones keep none (Nova's query skips them).
      for (const m of migrations) {
        if (m.uuid === KEPT_UUID) continue;
        if (m.deleted) expect(m).toMatchObject({ uuid: null, updated_at: null });
        else expect([m.uuid, m.updated_at]).toEqual([expect.stringMatching(UUID_V4), expect.any(String)]);
      }
      for (const table of ['block_device_mapping', 'pci_devices'] as const) {
        const uuids = (await db.selectFrom(table).select('uuid').execute()).map((r) => r.uuid);
        expect(uuids.every((u) => u === KEPT_UUID || UUID_V4.test(u ?? ''))).toBe(true);
        expect(new Set(uuids).size).toBe(uuids.length);
      }
    }
    const again = await json('online-data-migrations');
    expect([again.code, backfillRows(again.rows).map((r) => r.total_needed)]).toEqual([0, [0, 0, 0]]);
  });

  it('--max-count is one budget for the whole run: exit 1 while rows remain, the same end in steps', async () => {
    const only = UUID_BACKFILLS.flatMap((m) => ['--migration', m]);
    const first = await json('online-data-migrations', '--max-count', '7', ...only);
    expect(first.code).toBe(1);
    expect(first.rows.reduce((n, r) => n + r.completed, 0)).toBe(7);
    expect(first.rows.reduce((n, r) => n + (r.remaining ?? 0), 0)).toBe(42 - 7);
    let steps = 1;
    for (let code = first.code; code === 1; steps++) code = (await cli('-q', '-f', 'value', 'online-data-migrations', '--max-count', '7', ...only)).code;
    expect(steps).toBe(6);
    const nulls = await Promise.all(cells.map((db) => db.selectFrom('pci_devices').select('id').where('uuid', 'is', null).execute()));
    expect(nulls.flat()).toEqual([]);
  });

  it('--status counts and writes nothing; exit 1 while something is migratable', async () => {
    const before = await dumpAll();
    const status = await json('online-data-migrations', '--status');
    expect(status.code).toBe(1);
    expect(backfillRows(status.rows).map((r) => [r.total_needed, r.completed, r.remaining])).toEqual([[10, 0, 10], [16, 0, 16], [16, 0, 16]]);
    expect(await dumpAll()).toEqual(before);
    expect((await cli('-q', 'online-data-migrations', '--migration', 'populate_uuids', '--cell', 'cell1')).code).toBe(0);
    const after = await json('online-data-migrations', '--status', '--migration', 'populate_uuids', '--cell', 'cell1');
    expect([after.code, after.rows.map((r) => r.remaining)]).toEqual([0, [0]]);
  });

  it('--migration and --cell select what runs; bad input is 127 before anything runs', async () => {
    const only = await json('online-data-migrations', '--migration', 'populate_dev_uuids', '--migration', 'migration_migrate_to_uuid', '--cell', 'cell2');
    expect(only.code).toBe(0);
    expect(only.rows.map((r) => [r.migration, r.cells.map((c) => c.cell), r.completed])).toEqual([
      ['migration_migrate_to_uuid', ['cell2'], 3],
      ['populate_dev_uuids', ['cell2'], 5],
    ]);
    const before = await dumpAll();
    for (const argv of [
      ['--migration', 'populate_nothing'],
      ['--max-count', '0'],
      ['--max-count', 'x'],
      ['--sleep', '-1'],
      ['--status', '--max-count', '3'],
      ['--cell', 'nosuchcell'],
    ]) {
      const result = await cli('online-data-migrations', ...argv);
      expect([argv.join(' '), result.code, result.stdout]).toEqual([argv.join(' '), 127, '']);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await dumpAll()).toEqual(before);
  });

  it('a migration failing in one cell is named with its error (exit 2); the other migrations and cells still run', async () => {
    await sql`DROP TABLE pci_devices`.execute(cells[1]!);
    const result = await json('online-data-migrations');
    expect(result.code).toBe(2);
    const dev = result.rows.find((r) => r.migration === 'populate_dev_uuids')!;
    expect(dev).toMatchObject({ status: 'failed', total_needed: null, remaining: null, completed: 4 + 5 });
    expect(dev.cells.find((c) => c.cell === 'cell1')).toMatchObject({ status: 'failed', found: null, migrated: 0, error: expect.stringMatching(/pci_devices/) });
    expect(result.rows.find((r) => r.migration === 'populate_uuids')).toMatchObject({ status: 'ok', completed: 16 });
    expect(result.stderr).toMatch(/cellctl: error: populate_dev_uuids in cell cell1 \([0-9a-f-]+\): .*pci_devices/);
  });

  it('a cell that cannot be reached is failed in every row (exit 255); the other cells are migrated', async () => {
    const api = (await dbs.api()).db;
    const unreachable = env.dialect === 'sqlite' ? `sqlite:///${join(dir, 'no', 'such', 'dir', 'x.sqlite')}` : 'mysql+pymysql://nova:Secr3tPw@127.0.0.1:1/nova';
    await api.updateTable('cell_mappings').set({ database_connection: unreachable }).where('name', '=', 'cell2').execute();
    const result = await json('--connect-timeout', '2', 'online-data-migrations');
    expect(result.code).toBe(255);
    for (const row of result.rows) {
      expect(row).toMatchObject({ status: 'failed', total_needed: null });
      const why = env.dialect === 'sqlite' ? /does not exist yet, nor its directory/ : /cannot reach database/;
      expect(row.cells.find((c) => c.cell === 'cell2')).toMatchObject({ status: 'failed', found: null, migrated: 0, error: expect.stringMatching(why) });
      expect(row.cells.filter((c) => c.cell !== 'cell2').every((c) => c.status === 'ok' && c.remaining === 0)).toBe(true);
    }
    expect(result.stdout + result.stderr).not.toContain('Secr3tPw');
    const table = await cli('online-data-migrations');
    expect(table.stdout).toMatch(/\| populate_uuids +\| +\| 0 +\| +\| +\| failed \|/);
  });

  it('unmigratable_reasons is an object {reason: count} in JSON and YAML, a reason=n string in the other formats', async () => {
    const api = (await dbs.api()).db;
    const { id: cell1 } = await api.selectFrom('cell_mappings').select('id').where('name', '=', 'cell1').executeTakeFirstOrThrow();
    const mapping = (cellId: number | null) => ({ instance_uuid: randomUUID(), cell_id: cellId, project_id: 'p1', user_id: null, queued_for_delete: 0 });
    await api.insertInto('instance_mappings').values([mapping(null), mapping(null), mapping(cell1)]).execute();
    const argv = ['online-data-migrations', '--migration', 'populate_user_id'];
    type Cells = Array<{ cell: string | null; status: string; unmigratable: number; unmigratable_reasons: unknown }>;
    const reasons = (doc: unknown) => ((doc as Array<{ cells: Cells }>)[0] as { cells: Cells }).cells.map((c) => [c.cell, c.unmigratable, c.unmigratable_reasons]);
    const expected = [[null, 2, { 'no-cell': 2 }], ['cell0', 0, {}], ['cell1', 1, { 'instance-missing': 1 }], ['cell2', 0, {}]];

    const json = await cli('-f', 'json', ...argv);
    expect(json.code).toBe(0);
    expect(reasons(JSON.parse(json.stdout))).toEqual(expected);
    const yaml = await cli('-f', 'yaml', ...argv);
    expect(reasons(parseYaml(yaml.stdout))).toEqual(expected);
    const csv = await cli('-f', 'csv', '-c', 'cell', '-c', 'unmigratable_reasons', ...argv, '--per-cell');
    expect(csv.stdout.trim().split('\n')).toEqual(['"cell","unmigratable_reasons"', ',"no-cell=2"', '"cell0",', '"cell1","instance-missing=1"', '"cell2",']);
    const value = await cli('-f', 'value', '-c', 'unmigratable_reasons', ...argv, '--per-cell');
    expect(value.stdout).toContain('instance-missing=1');
    const table = await cli(...argv, '--per-cell');
    expect(table.stdout).toMatch(/\| no-cell=2 +\|/);
  });

  describeWithNova()("with Nova's own runner", () => {
    it("leaves Nova nothing to do in any cell, and migrates the rows Nova's runner migrates", async () => {
      const twin = { cell1: env.newUrl('twin1') };
      const { copyDatabase } = await import('../support/nova-oracle');
      await copyDatabase(urls.cell1, twin.cell1);
      expect((await cli('-q', 'online-data-migrations')).code).toBe(0);
      // Nova's runner covers [database] only: once per cell configuration.
      for (const [name, url] of [['cell0', urls.cell0], ['cell1', urls.cell1], ['cell2', urls.cell2]]) {
        const novaConf = writeNovaConf(join(dir, `nova-${name}-${Math.random().toString(36).slice(2)}`), { api: urls.api, db: url });
        const nova = novaManage(novaConf, ['db', 'online_data_migrations']);
        expect([name, nova.status]).toEqual([name, 0]);
        for (const migration of ['migration_migrate_to_uuid', 'populate_uuids', 'populate_dev_uuids']) {
          expect(nova.stdout).toMatch(new RegExp(`\\|\\s*${migration}\\s*\\|\\s*\\d+\\s*\\|\\s*0\\s*\\|`));
        }
      }
      // Nova on the twin of cell1: the same rows get a UUID, the others stay as they were.
      const novaConf = writeNovaConf(join(dir, `nova-twin-${Math.random().toString(36).slice(2)}`), { api: urls.api, db: twin.cell1 });
      expect(novaManage(novaConf, ['db', 'online_data_migrations']).status).toBe(0);
      const twinDbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: dir });
      try {
        const novaDb = (await twinDbs.cellDatabase({ uuid: 't', name: 't', databaseConnection: twin.cell1 })).db;
        for (const table of ['migrations', 'block_device_mapping', 'pci_devices'] as const) {
          const shape = async (db: Kysely<CellDatabase>) =>
            (await db.selectFrom(table).selectAll().orderBy('id').execute()).map((row) => {
              const { uuid, updated_at: updatedAt, created_at: _created, ...rest } = row as Record<string, unknown>;
              return { ...rest, uuid: uuid === KEPT_UUID ? uuid : uuid === null ? null : 'generated', updated: updatedAt !== null };
            });
          expect([table, await shape(cells[1]!)]).toEqual([table, await shape(novaDb)]);
        }
      } finally {
        await twinDbs.close();
      }
    });
  });
});
