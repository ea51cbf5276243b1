import type { Kysely } from 'kysely';
import type { ApiDatabase, CellMappingsRow } from './api-tables.generated';

/** Every cell mapping, cell0 included, in id order (Nova's CellMappingList.get_all order). */
export async function listCellMappings(db: Kysely<ApiDatabase>): Promise<CellMappingsRow[]> {
  return db.selectFrom('cell_mappings').selectAll().orderBy('id').execute();
}

/** The cell mappings whose UUID or name equals `ref` (several when names repeat). */
export async function findCellMappingsByUuidOrName(db: Kysely<ApiDatabase>, ref: string): Promise<CellMappingsRow[]> {
  return db
    .selectFrom('cell_mappings')
    .selectAll()
    .where((eb) => eb.or([eb('uuid', '=', ref), eb('name', '=', ref)]))
    .orderBy('id')
    .execute();
}
