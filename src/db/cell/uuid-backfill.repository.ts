/** Rows of cell tables still without the `uuid` Nova added to them later (migrations, BDMs, PCI devices). */
import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter';
import type { Tx } from '../unit-of-work';
import type { CellDatabase } from './cell-tables.generated';

/** The cell tables whose `uuid` an online data migration fills. */
export type UuidBackfillTable = 'migrations' | 'block_device_mapping' | 'pci_devices';

/**
 * The ids of the next `limit` rows of `table` after id `afterId` whose `uuid` is NULL, in id order
 * (`liveOnly`: those with `deleted = 0` only, as Nova's migration query of `migrations` reads them).
 */
export async function listIdsWithoutUuid(db: Kysely<CellDatabase>, table: UuidBackfillTable, options: { liveOnly: boolean }, afterId: number, limit: number): Promise<number[]> {
  let query = db
    .selectFrom(table)
    .select('id')
    .where('uuid', 'is', null)
    .where('id', '>', afterId);
  if (options.liveOnly) query = query.where('deleted', '=', 0);
  return (await query.orderBy('id').limit(limit).execute()).map((r) => r.id);
}

/**
 * Gives each `[id, uuid, updatedAt]` row its UUID, where the row still has none (a row another run
 * filled meanwhile keeps its UUID); returns how many rows were filled.
 */
export async function setUuids(tx: Tx<CellDatabase>, adapter: DialectAdapter, table: UuidBackfillTable, rows: Array<[number, string, string]>): Promise<number> {
  return adapter.updateByKey(tx, table, 'id', ['uuid', 'updated_at'], rows, 'uuid IS NULL');
}
