import { sql, type Kysely } from 'kysely';
import { inBatches } from '../batches';
import type { LockingRead } from '../dialect';
import type { DialectAdapter } from '../dialect-adapter';
import type { Tx } from '../unit-of-work';
import { rowTimestamp, type RowTime } from '../new-row-defaults';
import type { ApiDatabase, InstanceMappingsRow } from './api-tables.generated';

/** How many instance mappings point at a cell. */
export async function countInstanceMappingsByCell(db: Kysely<ApiDatabase>, cellId: number, options: LockingRead = {}): Promise<number> {
  const row = await db
    .selectFrom('instance_mappings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('cell_id', '=', cellId)
    .$if(Boolean(options.forUpdate), (q) => q.forUpdate())
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether any instance mapping points at a cell (reads one index entry at most). */
export async function hasInstanceMappings(db: Kysely<ApiDatabase>, cellId: number): Promise<boolean> {
  return (await db.selectFrom('instance_mappings').select('id').where('cell_id', '=', cellId).limit(1).executeTakeFirst()) !== undefined;
}

/** Deletes every instance mapping of a cell; returns how many there were. */
export async function deleteInstanceMappingsByCell(db: Kysely<ApiDatabase>, cellId: number): Promise<number> {
  const result = await db.deleteFrom('instance_mappings').where('cell_id', '=', cellId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The project_id (and user_id) Nova's map_instances gives its resume marker row. */
export const NOVA_MAP_INSTANCES_MARKER = 'INSTANCE_MIGRATION_MARKER';

/** An instance mapping to insert: every column map-instances writes. */
export interface InstanceMappingInsert {
  created_at: string;
  instance_uuid: string;
  cell_id: number;
  project_id: string;
  user_id: string | null;
  queued_for_delete: 0 | 1;
}

const MAPPING_COLUMNS: Array<keyof InstanceMappingInsert> = ['created_at', 'instance_uuid', 'cell_id', 'project_id', 'user_id', 'queued_for_delete'];

/**
 * Inserts instance mappings with insert-ignore semantics (a UUID mapped meanwhile by another run
 * is skipped, never an error), atomically within the unit of work `tx`. Returns how many rows
 * were inserted.
 */
export async function insertInstanceMappingsIgnoringExisting(tx: Tx<ApiDatabase>, adapter: DialectAdapter, rows: InstanceMappingInsert[]): Promise<number> {
  return adapter.insertIgnore(tx, 'instance_mappings', MAPPING_COLUMNS, rows.map((row) => MAPPING_COLUMNS.map((c) => row[c])));
}

/** The instance mapping of one instance, if any. */
export async function findInstanceMapping(db: Kysely<ApiDatabase>, instanceUuid: string): Promise<InstanceMappingsRow | undefined> {
  return db.selectFrom('instance_mappings').selectAll().where('instance_uuid', '=', instanceUuid).executeTakeFirst();
}

/** How many resume markers Nova's map_instances left (rows with its marker project_id). */
export async function countNovaMapInstancesMarkers(db: Kysely<ApiDatabase>): Promise<number> {
  const row = await db.selectFrom('instance_mappings').select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', NOVA_MAP_INSTANCES_MARKER).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes Nova's map_instances resume markers; returns how many there were. */
export async function deleteNovaMapInstancesMarkers(db: Kysely<ApiDatabase>): Promise<number> {
  const result = await db.deleteFrom('instance_mappings').where('project_id', '=', NOVA_MAP_INSTANCES_MARKER).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * The mapped instance UUIDs between `from` and `to` inclusive (any cell): a covering range scan of
 * the unique index, the other half of map-instances' merge anti-join.
 */
export async function listMappedInstanceUuidsBetween(db: Kysely<ApiDatabase>, from: string, to: string): Promise<Set<string>> {
  const rows = await db.selectFrom('instance_mappings').select('instance_uuid').where('instance_uuid', '>=', from).where('instance_uuid', '<=', to).execute();
  return new Set(rows.map((r) => r.instance_uuid));
}

/** A column of instance_mappings that Nova's online data migrations fill where it is NULL. */
export type MappingColumnToPopulate = 'queued_for_delete' | 'user_id';

/** What a mapping migration reads of a mapping whose column is still NULL. */
export interface MappingToPopulate {
  id: number;
  instance_uuid: string;
  project_id: string;
}

/**
 * The next `limit` mappings of cell `cellId` after id `afterId` whose `column` is NULL, in id
 * order (a keyset walk: each row is read once, whatever the run decides about it).
 */
export async function listMappingsToPopulate(db: Kysely<ApiDatabase>, column: MappingColumnToPopulate, cellId: number, afterId: number, limit: number): Promise<MappingToPopulate[]> {
  return db
    .selectFrom('instance_mappings')
    .select(['id', 'instance_uuid', 'project_id'])
    .where('cell_id', '=', cellId)
    // NOTE: `+column` keeps the planner off the (user_id, project_id) index: SQLite (which has no
    // index on cell_id) would read every NULL entry and sort them for each chunk; by primary key
    // (MySQL: the cell_id index, ordered by id) a chunk reads only its own rows.
    .where(sql<boolean>`+${sql.ref(column)} is null`)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** A mapping one of whose populated columns is still NULL, with which. */
export interface MappingToPopulateEither extends MappingToPopulate {
  user_id: string | null;
  queued_for_delete: number | null;
}

/**
 * The next `limit` mappings of cell `cellId` after id `afterId` whose user_id or
 * queued_for_delete is NULL, in id order: one walk serving both mapping migrations.
 */
export async function listMappingsToPopulateEither(db: Kysely<ApiDatabase>, cellId: number, afterId: number, limit: number): Promise<MappingToPopulateEither[]> {
  return db
    .selectFrom('instance_mappings')
    .select(['id', 'instance_uuid', 'project_id', 'user_id', 'queued_for_delete'])
    .where('cell_id', '=', cellId)
    // NOTE: `+user_id`, as in listMappingsToPopulate: by primary key, never the (user_id, project_id) index.
    .where(sql<boolean>`(+user_id is null or +queued_for_delete is null)`)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** How many mappings with no cell have `column` NULL: in all, and of them with project `project` (a marker). */
export async function countCellessMappingsToPopulate(db: Kysely<ApiDatabase>, column: MappingColumnToPopulate, project: string): Promise<{ total: number; ofProject: number }> {
  const row = await db
    .selectFrom('instance_mappings')
    .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.sum<number | null>(eb.case().when('project_id', '=', project).then(1).else(0).end()).as('ofProject')])
    .where('cell_id', 'is', null)
    .where(column, 'is', null)
    .executeTakeFirstOrThrow();
  return { total: Number(row.total), ofProject: Number(row.ofProject ?? 0) };
}

/**
 * Sets queued_for_delete to `value` (and updated_at) on the mappings with these ids that still
 * have none (one set meanwhile by another run keeps its value); returns how many were set.
 */
export async function setQueuedForDelete(tx: Tx<ApiDatabase>, ids: number[], value: 0 | 1, updatedAt: string): Promise<number> {
  let changed = 0;
  for (let i = 0; i < ids.length; i += 5000) {
    const result = await tx
      .updateTable('instance_mappings')
      .set({ queued_for_delete: value, updated_at: updatedAt })
      .where('id', 'in', ids.slice(i, i + 5000))
      .where('queued_for_delete', 'is', null)
      .executeTakeFirst();
    changed += Number(result.numUpdatedRows);
  }
  return changed;
}

/**
 * Gives each `[id, userId, updatedAt]` mapping its user_id where it still has none (one set
 * meanwhile by another run keeps its value); returns how many were set.
 */
export async function setMappingUserIds(tx: Tx<ApiDatabase>, adapter: DialectAdapter, rows: Array<[number, string, string]>): Promise<number> {
  return adapter.updateByKey(tx, 'instance_mappings', 'id', ['user_id', 'updated_at'], rows, 'user_id IS NULL');
}

/**
 * Points an instance's mapping at a cell, only while it has none or already that one (a mapping
 * another run placed elsewhere meanwhile is kept); returns whether it now points there.
 */
export async function pointMappingAtCell(tx: Tx<ApiDatabase>, instanceUuid: string, cellId: number, now: RowTime): Promise<boolean> {
  const result = await tx
    .updateTable('instance_mappings')
    .set({ cell_id: cellId, updated_at: rowTimestamp(now) })
    .where('instance_uuid', '=', instanceUuid)
    .where((eb) => eb.or([eb('cell_id', 'is', null), eb('cell_id', '=', cellId)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The cell of each mapped instance among `uuids` (mappings without a cell left out). */
export async function findMappingCells(db: Kysely<ApiDatabase>, uuids: readonly string[]): Promise<Map<string, number>> {
  const cells = new Map<string, number>();
  for (const part of inBatches(uuids, 1000)) {
    if (part.length === 0) continue;
    const rows = await db.selectFrom('instance_mappings').select(['instance_uuid', 'cell_id']).where('instance_uuid', 'in', part).where('cell_id', 'is not', null).execute();
    for (const r of rows) cells.set(r.instance_uuid, r.cell_id!);
  }
  return cells;
}

/**
 * Sets queued_for_delete = 1 (and updated_at) on the mappings of these instances, as Nova's delete
 * does (_update_queued_for_deletion); a mapping already queued is left as it is (Nova's ORM writes
 * nothing for an unchanged value). Returns how many changed.
 */
export async function queueMappingsForDelete(tx: Tx<ApiDatabase>, instanceUuids: readonly string[], now: RowTime): Promise<number> {
  let changed = 0;
  for (const part of inBatches(instanceUuids, 1000)) {
    if (part.length === 0) continue;
    const result = await tx
      .updateTable('instance_mappings')
      .set({ queued_for_delete: 1, updated_at: rowTimestamp(now) })
      .where('instance_uuid', 'in', part)
      .where((eb) => eb.or([eb('queued_for_delete', 'is', null), eb('queued_for_delete', '<>', 1)]))
      .executeTakeFirst();
    changed += Number(result.numUpdatedRows);
  }
  return changed;
}

/** How many of these instances' mappings are not yet queued for delete (what queueMappingsForDelete would change). */
export async function countMappingsNotQueuedForDelete(db: Kysely<ApiDatabase>, instanceUuids: readonly string[]): Promise<number> {
  let n = 0;
  for (const part of inBatches(instanceUuids, 1000)) {
    if (part.length === 0) continue;
    const row = await db
      .selectFrom('instance_mappings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('instance_uuid', 'in', part)
      .where((eb) => eb.or([eb('queued_for_delete', 'is', null), eb('queued_for_delete', '<>', 1)]))
      .executeTakeFirstOrThrow();
    n += Number(row.n);
  }
  return n;
}

/** The mappings of these instances (any cell, or none), by instance UUID. */
export async function findInstanceMappings(db: Kysely<ApiDatabase>, instanceUuids: readonly string[]): Promise<Map<string, InstanceMappingsRow>> {
  const found = new Map<string, InstanceMappingsRow>();
  for (const part of inBatches(instanceUuids, 1000)) {
    if (part.length === 0) continue;
    for (const row of await db.selectFrom('instance_mappings').selectAll().where('instance_uuid', 'in', part).execute()) found.set(row.instance_uuid, row);
  }
  return found;
}

/**
 * The next `limit` mappings pointing at cell `cellId` created before `createdBefore`, after id
 * `afterId`, in id order (a keyset walk), leaving out those whose build request is still there.
 */
export async function listCellMappingsCreatedBefore(db: Kysely<ApiDatabase>, cellId: number, createdBefore: string, afterId: number, limit: number): Promise<Array<{ id: number; instance_uuid: string }>> {
  return db
    .selectFrom('instance_mappings')
    .select(['id', 'instance_uuid'])
    .where('cell_id', '=', cellId)
    .where('created_at', '<', createdBefore)
    .where('id', '>', afterId)
    // A build request still there makes it a stuck build (a burial cut short), not a purge's leftover.
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('build_requests').select('build_requests.id').whereRef('build_requests.instance_uuid', '=', 'instance_mappings.instance_uuid'))))
    .orderBy('id')
    .limit(limit)
    .execute();
}
