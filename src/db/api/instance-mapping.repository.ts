import type { Kysely } from 'kysely';
import type { ApiDatabase } from './api-tables.generated';

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
