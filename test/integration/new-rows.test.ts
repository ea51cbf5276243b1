import { sql, type InsertResult, type Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import { newCellMappingRow, newHostMappingRow, newInstanceMappingRow } from '../../src/db/api/new-api-rows';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';
import {
  newBlockDeviceMappingRow,
  newInstanceActionEventRow,
  newInstanceActionRow,
  newInstanceExtraRow,
  newInstanceFaultRow,
  newInstanceRow,
  newTagRow,
} from '../../src/db/cell/new-cell-rows';
import { loadSchemaDefinition, type SchemaKind } from '../../src/db/schema/schema-definition';
import { createDatabaseContext, type DatabaseContext } from '../../src/services/database-context.service';
import { createNovaDatabase } from '../support/cell-fixtures';
import { describeEachDialect } from '../support/dialect-matrix';

const CELL_UUID = '0c7a2b8e-5d3f-4e1a-9b6c-2f4d8e1a3c5b';
const INSTANCE_UUID = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const NOW = new Date('2024-02-29T23:59:58.765Z');

const insertedId = (result: InsertResult): number => Number(result.insertId);

describeEachDialect('new-row builders on a database made by the schema service', (env) => {
  let dbs: DatabaseContext;
  let api: Kysely<ApiDatabase>;
  let cell: Kysely<CellDatabase>;

  beforeAll(async () => {
    const urls = { api: env.newUrl('api'), cell: env.newUrl('cell') };
    await createNovaDatabase(urls.api, 'api', env.dir);
    await createNovaDatabase(urls.cell, 'cell', env.dir);
    dbs = createDatabaseContext({ apiDatabaseConnection: urls.api, cwd: env.dir });
    api = (await dbs.api()).db;
    cell = (await dbs.cellDatabase({ uuid: 'cell', name: 'cell', databaseConnection: urls.cell })).db;
  });
  afterAll(() => dbs.close());

  /**
   * Reads the row back and expects every column as built, every column the builder left out
   * NULL (the schema has no server defaults here), and no NOT NULL column NULL.
   */
  async function expectStoredAsBuilt(
    db: Kysely<ApiDatabase> | Kysely<CellDatabase>,
    kind: SchemaKind,
    table: string,
    key: Record<string, unknown>,
    built: object,
  ): Promise<void> {
    const definition = loadSchemaDefinition(kind).tables.find((t) => t.name === table)!;
    let query = (db as Kysely<any>).selectFrom(table).selectAll();
    for (const [column, value] of Object.entries(key)) query = query.where(column, '=', value);
    const stored = await query.execute();
    expect(stored).toHaveLength(1);
    // MySQL's DATETIME keeps the whole seconds of the '.000000' timestamps a builder writes (SQLite keeps the text).
    const asStored = (value: unknown) => (env.dialect === 'mysql' && typeof value === 'string' ? value.replace(/^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.000000$/, '$1') : value);
    const expected = Object.fromEntries(definition.columns.map((c) => [c.name, c.name in built ? asStored((built as Record<string, unknown>)[c.name]) : null]));
    expect({ table, row: stored[0] }).toEqual({ table, row: { ...expected, ...key } });
    const nullRequired = definition.columns.filter((c) => !c.nullable && stored[0][c.name] === null).map((c) => c.name);
    expect({ table, nullRequired }).toEqual({ table, nullRequired: [] });
  }

  it('runs on a database that refuses a missing NOT NULL column (so the checks below mean something)', async () => {
    if (env.dialect === 'mysql') {
      const { rows } = await sql<{ mode: string }>`SELECT @@SESSION.sql_mode AS mode`.execute(cell);
      expect(rows[0].mode).toMatch(/STRICT_(TRANS|ALL)_TABLES/);
    }
    const { code: _code, ...withoutCode } = newInstanceFaultRow({ code: 500 }, NOW);
    // NOTE: not rejects.toThrow: better-sqlite3's native module keeps the SqliteError class of the
    // first test file that loaded it in this worker, whose Error is another realm's, so jest would
    // not see an Error (it said "did not throw" whenever this file was not that first one).
    await expect(cell.insertInto('instance_faults').values(withoutCode as never).execute()).rejects.toMatchObject({ message: expect.stringMatching(/code/) });
  });

  it('stores each API mapping built from its required columns alone', async () => {
    const cellMapping = newCellMappingRow({ uuid: CELL_UUID }, NOW);
    const cellId = insertedId(await api.insertInto('cell_mappings').values(cellMapping).executeTakeFirstOrThrow());
    await expectStoredAsBuilt(api, 'api', 'cell_mappings', { id: cellId }, cellMapping);

    const hostMapping = newHostMappingRow({ cell_id: cellId, host: 'compute-1' }, NOW);
    const hostId = insertedId(await api.insertInto('host_mappings').values(hostMapping).executeTakeFirstOrThrow());
    await expectStoredAsBuilt(api, 'api', 'host_mappings', { id: hostId }, hostMapping);

    const instanceMapping = newInstanceMappingRow({ instance_uuid: INSTANCE_UUID, project_id: 'project-a' }, NOW);
    const mappingId = insertedId(await api.insertInto('instance_mappings').values(instanceMapping).executeTakeFirstOrThrow());
    await expectStoredAsBuilt(api, 'api', 'instance_mappings', { id: mappingId }, instanceMapping);
  });

  it('stores each cell row built from its required columns alone', async () => {
    const instance = newInstanceRow({ uuid: INSTANCE_UUID }, NOW);
    const instanceId = insertedId(await cell.insertInto('instances').values(instance).executeTakeFirstOrThrow());
    await expectStoredAsBuilt(cell, 'cell', 'instances', { id: instanceId }, instance);

    const extra = newInstanceExtraRow({ instance_uuid: INSTANCE_UUID }, NOW);
    const extraId = insertedId(await cell.insertInto('instance_extra').values(extra).executeTakeFirstOrThrow());
    await expectStoredAsBuilt(cell, 'cell', 'instance_extra', { id: extraId }, extra);

    const fault = newInstanceFaultRow({ code: 500 }, NOW);
    const faultId = insertedId(await cell.insertInto('instance_faults').values(fault).executeTakeFirstOrThrow());
    await expectStoredAsBuilt(cell, 'cell', 'instance_faults', { id: faultId }, fault);

    const action = newInstanceActionRow({}, NOW);
    const actionId = insertedId(await cell.insertInto('instance_actions').values(action).executeTakeFirstOrThrow());
    await expectStoredAsBuilt(cell, 'cell', 'instance_actions', { id: actionId }, action);

    const event = newInstanceActionEventRow({}, NOW);
    const eventId = insertedId(await cell.insertInto('instance_actions_events').values(event).executeTakeFirstOrThrow());
    await expectStoredAsBuilt(cell, 'cell', 'instance_actions_events', { id: eventId }, event);

    const bdm = newBlockDeviceMappingRow({}, NOW);
    const bdmId = insertedId(await cell.insertInto('block_device_mapping').values(bdm).executeTakeFirstOrThrow());
    await expectStoredAsBuilt(cell, 'cell', 'block_device_mapping', { id: bdmId }, bdm);

    const tag = newTagRow({ resource_id: INSTANCE_UUID, tag: 'blue' }, NOW);
    await cell.insertInto('tags').values(tag).execute();
    await expectStoredAsBuilt(cell, 'cell', 'tags', { resource_id: INSTANCE_UUID, tag: 'blue' }, tag);
  });
});
