import { writeFileSync } from 'node:fs';
import { sql } from 'kysely';
import { join } from 'node:path';
import { NOVA_API_REVISION, NOVA_CELL_REVISION } from '../../src/domain/constants';
import { createDatabaseContext } from '../../src/services/database-context.service';
import { describeEachDialect } from '../support/dialect-matrix';
import { runCli } from '../support/cli-runner';
import { dumpSchema } from '../support/schema-dump';

describeEachDialect('api-db and db commands', (env) => {
  let api: string;
  let cell: string;
  let conf: string;
  const cli = (...argv: string[]) => runCli(['--config-file', conf, ...argv], { cwd: env.dir });

  beforeEach(() => {
    api = env.newUrl('api');
    cell = env.newUrl('cell');
    conf = join(env.dir, `nova-${Math.random().toString(36).slice(2)}.conf`);
    writeFileSync(conf, `[api_database]\nconnection = ${api}\n[database]\nconnection = ${cell}\n`);
  });

  /** Maps a cell straight into the API database (the cell commands arrive with their own issue). */
  async function mapCell(name: string, uuid: string, connection: string): Promise<void> {
    const dbs = createDatabaseContext({ apiDatabaseConnection: api, cwd: env.dir });
    try {
      const { db } = await dbs.api();
      await db.insertInto('cell_mappings').values({ uuid, name, transport_url: 'none:///', database_connection: connection, disabled: 0 }).execute();
    } finally {
      await dbs.close();
    }
  }

  it('api-db sync && db sync create the schemas, and change nothing the second time', async () => {
    const first = [await cli('-f', 'json', 'api-db', 'sync'), await cli('-f', 'json', 'db', 'sync')];
    expect(first.map((r) => r.code)).toEqual([0, 0]);
    expect(JSON.parse(first[0].stdout)).toEqual([
      { cell: null, cell_uuid: null, database: api, action: 'created', revision: NOVA_API_REVISION, error: null },
    ]);
    expect(JSON.parse(first[1].stdout)[0]).toMatchObject({ action: 'created', revision: NOVA_CELL_REVISION });
    expect(first[0].stderr).toMatch(/created Nova schema b30f573d3377 \(32 tables\)/);

    const before = [await dumpSchema(api), await dumpSchema(cell)];
    const second = [await cli('api-db', 'sync'), await cli('db', 'sync')];
    expect(second.map((r) => r.code)).toEqual([0, 0]);
    expect(second[1].stderr).toMatch(/already at Nova revision ccb0fa1a2252; nothing changed/);
    expect([await dumpSchema(api), await dumpSchema(cell)]).toEqual(before);
  });

  it('version commands report the revision and status in every format', async () => {
    await cli('api-db', 'sync');
    const json = await cli('-f', 'json', 'api-db', 'version');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({ database: api, revision: NOVA_API_REVISION, status: 'current', error: null });
    expect((await cli('-f', 'value', '-c', 'revision', 'api-db', 'version')).stdout).toBe(`${NOVA_API_REVISION}\n`);
    const empty = await cli('-f', 'value', '-c', 'status', 'db', 'version');
    expect(empty.code).toBe(255);
    await cli('db', 'sync');
    expect((await cli('-f', 'value', '-c', 'revision', 'db', 'version')).stdout).toBe(`${NOVA_CELL_REVISION}\n`);
  });

  it('db version -f json is an array of rows of one shape, for one database as for --all-cells', async () => {
    const cellUuid = '11111111-1111-4111-8111-111111111111';
    await cli('api-db', 'sync');
    await cli('db', 'sync');
    await mapCell('cell1', cellUuid, cell);
    const row = { database: cell, revision: NOVA_CELL_REVISION, status: 'current', error: null };
    const configured = await cli('-f', 'json', 'db', 'version');
    expect(configured.code).toBe(0);
    expect(JSON.parse(configured.stdout)).toEqual([{ cell: null, cell_uuid: null, ...row }]);
    const one = await cli('-f', 'json', 'db', 'version', '--cell', 'cell1');
    expect(JSON.parse(one.stdout)).toEqual([{ cell: 'cell1', cell_uuid: cellUuid, ...row }]);
    const all = await cli('-f', 'json', 'db', 'version', '--all-cells');
    expect(JSON.parse(all.stdout)).toEqual([{ cell: 'cell1', cell_uuid: cellUuid, ...row }]);
    const yaml = await cli('-f', 'yaml', 'db', 'version');
    expect(yaml.stdout.startsWith('- cell: null\n')).toBe(true);
  });

  it('db sync --dry-run reports and writes nothing', async () => {
    const result = await cli('-f', 'value', '-c', 'action', 'db', 'sync', '--dry-run');
    expect(result).toMatchObject({ code: 0, stdout: 'would-create\n' });
    const dbs = createDatabaseContext({ databaseConnection: cell, cwd: env.dir });
    expect(await dbs.exists('cell', cell)).toBe(false);
    await dbs.close();
  });

  it('db sync --all-cells with no cell mapped says so and exits 0', async () => {
    await cli('api-db', 'sync');
    const result = await cli('-f', 'json', 'db', 'sync', '--all-cells');
    expect(result).toMatchObject({ code: 0, stdout: '[]\n' });
    expect(result.stderr).toMatch(/no cells are mapped/);
  });

  it('db sync --all-cells syncs every reachable cell and exits 255 for the unreachable one', async () => {
    await cli('api-db', 'sync');
    const good = env.newUrl('good');
    await mapCell('good', '11111111-1111-1111-1111-111111111111', good);
    await mapCell('bad', '22222222-2222-2222-2222-222222222222', `sqlite:///${join(env.dir, 'no', 'dir', 'x.sqlite')}`);
    // A dry run meets what the real run would: a SQLite file that cannot be created fails it too.
    const dry = await cli('-f', 'json', 'db', 'sync', '--all-cells', '--dry-run');
    expect(dry.code).toBe(255);
    expect(JSON.parse(dry.stdout).map((r: { cell: string; action: string }) => [r.cell, r.action])).toEqual([
      ['good', 'would-create'],
      ['bad', 'failed'],
    ]);
    const result = await cli('-f', 'json', 'db', 'sync', '--all-cells');
    expect(result.code).toBe(255);
    expect(JSON.parse(result.stdout).map((r: { cell: string; action: string }) => [r.cell, r.action])).toEqual([
      ['good', 'created'],
      ['bad', 'failed'],
    ]);
    expect(result.stderr).toMatch(/cannot reach database/);
    expect(Object.keys(await dumpSchema(good))).toHaveLength(110);
  });

  it('a stored URL that does not parse fails its own cell only: db version/sync --all-cells still read the others, exit 255', async () => {
    await cli('api-db', 'sync');
    const good = env.newUrl('good');
    await mapCell('good', '11111111-1111-1111-1111-111111111111', good);
    await mapCell('nocolon', '22222222-2222-2222-2222-222222222222', 'mysql+pymysql://nova:PWD9x:127.0.0.1/nova');
    await mapCell('notaurl', '33333333-3333-3333-3333-333333333333', 'not a url PWD9x');
    const rowsOf = (stdout: string) => JSON.parse(stdout).map((r: { cell: string; action?: string; status?: string; error: string | null }) => [r.cell, r.action ?? r.status, r.error !== null]);

    const dry = await cli('-f', 'json', 'db', 'sync', '--all-cells', '--dry-run');
    expect([dry.code, rowsOf(dry.stdout)]).toEqual([255, [['good', 'would-create', false], ['nocolon', 'failed', true], ['notaurl', 'failed', true]]]);
    const synced = await cli('-f', 'json', 'db', 'sync', '--all-cells');
    expect([synced.code, rowsOf(synced.stdout)]).toEqual([255, [['good', 'created', false], ['nocolon', 'failed', true], ['notaurl', 'failed', true]]]);
    const version = await cli('-f', 'json', 'db', 'version', '--all-cells');
    expect([version.code, rowsOf(version.stdout)]).toEqual([255, [['good', 'current', false], ['nocolon', 'failed', true], ['notaurl', 'failed', true]]]);
    for (const run of [dry, synced, version]) expect(run.stdout + run.stderr).not.toContain('PWD9x');
    // One cell named alone is still refused as bad input.
    expect((await cli('db', 'version', '--cell', 'nocolon')).code).toBe(127);
  });

  it('db sync --cell takes a name or a UUID; an unknown one is 127 naming the known cells', async () => {
    await cli('api-db', 'sync');
    await mapCell('cell1', '33333333-3333-3333-3333-333333333333', env.newUrl('cell1'));
    expect((await cli('db', 'sync', '--cell', 'cell1')).code).toBe(0);
    expect((await cli('-f', 'value', '-c', 'action', 'db', 'sync', '--cell', '33333333-3333-3333-3333-333333333333')).stdout).toBe('unchanged\n');
    const unknown = await cli('db', 'sync', '--cell', 'cell9');
    expect(unknown.code).toBe(127);
    expect(unknown.stderr).toMatch(/no cell has the name or UUID 'cell9' \(known cells: cell1 \(33333333-/);
  });

  it('a shared cell name is ambiguous: 127 naming both candidates', async () => {
    await cli('api-db', 'sync');
    await mapCell('twin', '44444444-4444-4444-4444-444444444444', env.newUrl('t1'));
    await mapCell('twin', '55555555-5555-5555-5555-555555555555', env.newUrl('t2'));
    const result = await cli('db', 'sync', '--cell', 'twin');
    expect(result.code).toBe(127);
    expect(result.stderr).toMatch(/matches 2 cells: twin \(4444.*twin \(5555/);
  });

  it('a database holding foreign tables is refused with exit 2, naming one', async () => {
    await cli('db', 'sync');
    const dbs = createDatabaseContext({ apiDatabaseConnection: cell, cwd: env.dir });
    const { db } = await dbs.api();
    await db.deleteFrom('alembic_version').execute();
    await sql`CREATE TABLE foreign_stuff (id INTEGER PRIMARY KEY)`.execute(db);
    await dbs.close();
    const before = await dumpSchema(cell);
    const result = await cli('-f', 'value', '-c', 'action', 'db', 'sync');
    expect(result.code).toBe(2);
    expect(await dumpSchema(cell)).toEqual(before);
    expect(result.stdout).toBe('refused\n');
    expect(result.stderr).toMatch(/holds 111 tables but no alembic_version stamp, and foreign_stuff is not a table of Nova's schema/);
  });

  it("api-db sync completes Nova's tables without their stamp (a sync killed before stamping): exit 0, stamped", async () => {
    await cli('api-db', 'sync');
    const dbs = createDatabaseContext({ apiDatabaseConnection: api, cwd: env.dir });
    const { db } = await dbs.api();
    await db.deleteFrom('alembic_version').execute();
    await dbs.close();
    const dry = await cli('-f', 'value', '-c', 'action', 'api-db', 'sync', '--dry-run');
    expect(dry).toMatchObject({ code: 0, stdout: 'would-complete\n' });
    expect(dry.stderr).toMatch(/would complete a partial Nova schema b30f573d3377: 32 of 32 tables found, empty and as defined by Nova; would create 0; dry run/);
    const result = await cli('-f', 'value', '-c', 'action', 'api-db', 'sync');
    expect(result).toMatchObject({ code: 0, stdout: 'completed\n' });
    expect(result.stderr).toMatch(/completed a partial Nova schema b30f573d3377: created 0 of 32 tables \(32 found already, empty and as defined by Nova\)/);
    expect((await cli('-f', 'value', '-c', 'status', 'api-db', 'version')).stdout).toBe('current\n');
  });
});
