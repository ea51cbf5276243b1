import type { Kysely } from 'kysely';
import type { ApiDatabase, InstanceMappingsRow, NewInstanceMappingsRow } from './api-tables.generated';

/** How many instance mappings point at a cell. */
export async function countInstanceMappingsByCell(db: Kysely<ApiDatabase>, cellId: number): Promise<number> {
  const row = await db.selectFrom('instance_mappings').select((eb) => eb.fn.countAll<number>().as('n')).where('cell_id', '=', cellId).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes every instance mapping of a cell; returns how many there were. */
export async function deleteInstanceMappingsByCell(db: Kysely<ApiDatabase>, cellId: number): Promise<number> {
  const result = await db.deleteFrom('instance_mappings').where('cell_id', '=', cellId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** The project_id (and user_id) Nova's map_instances gives its resume marker row. */
export const NOVA_MAP_INSTANCES_MARKER = 'INSTANCE_MIGRATION_MARKER';

// NOTE: bounds the values of one statement: SQLite allows 32766 variables, MySQL 65535 placeholders.
const UUIDS_PER_QUERY = 5000;
const ROWS_PER_INSERT = 2000;

/** The UUIDs among `uuids` that already have an instance mapping (any cell). */
export async function findMappedInstanceUuids(db: Kysely<ApiDatabase>, uuids: string[]): Promise<Set<string>> {
  const mapped = new Set<string>();
  for (let i = 0; i < uuids.length; i += UUIDS_PER_QUERY) {
    const rows = await db.selectFrom('instance_mappings').select('instance_uuid').where('instance_uuid', 'in', uuids.slice(i, i + UUIDS_PER_QUERY)).execute();
    for (const r of rows) mapped.add(r.instance_uuid);
  }
  return mapped;
}

/**
 * Inserts instance mappings with insert-ignore semantics (a UUID mapped meanwhile by another run
 * is skipped, never an error), in a few multi-row statements. Returns how many rows were inserted.
 * Call inside a transaction to make the batch atomic.
 */
export async function insertInstanceMappingsIgnoringExisting(db: Kysely<ApiDatabase>, rows: NewInstanceMappingsRow[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const result = await db.insertInto('instance_mappings').orIgnore().values(rows.slice(i, i + ROWS_PER_INSERT)).executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
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
