import type { Kysely } from 'kysely';
import type { ApiDatabase, CellMappingsRow, CellMappingsUpdate, NewCellMappingsRow } from './api-tables.generated';

/** Every cell mapping, cell0 included, in id order (Nova's CellMappingList.get_all order). */
export async function listCellMappings(db: Kysely<ApiDatabase>): Promise<CellMappingsRow[]> {
  return db.selectFrom('cell_mappings').selectAll().orderBy('id').execute();
}

/** The cell mapping with this UUID, if any. */
export async function findCellMappingByUuid(db: Kysely<ApiDatabase>, uuid: string): Promise<CellMappingsRow | undefined> {
  return db.selectFrom('cell_mappings').selectAll().where('uuid', '=', uuid).executeTakeFirst();
}

/**
 * Inserts a cell mapping (the UUID is chosen by the caller: MySQL has no RETURNING) and returns
 * its id. Throws the driver's duplicate-key error when the UUID exists (see isDuplicateKeyError).
 */
export async function insertCellMapping(db: Kysely<ApiDatabase>, row: NewCellMappingsRow): Promise<number> {
  const result = await db.insertInto('cell_mappings').values(row).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

/** Updates the cell mapping with this id; returns whether a row matched. */
export async function updateCellMapping(db: Kysely<ApiDatabase>, id: number, changes: CellMappingsUpdate): Promise<boolean> {
  const result = await db.updateTable('cell_mappings').set(changes).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes the cell mapping with this id (its host and instance mappings must be gone first). */
export async function deleteCellMapping(db: Kysely<ApiDatabase>, id: number): Promise<void> {
  await db.deleteFrom('cell_mappings').where('id', '=', id).execute();
}

/** The cell mapping with this id, if any. */
export async function findCellMappingById(db: Kysely<ApiDatabase>, id: number): Promise<CellMappingsRow | undefined> {
  return db.selectFrom('cell_mappings').selectAll().where('id', '=', id).executeTakeFirst();
}
