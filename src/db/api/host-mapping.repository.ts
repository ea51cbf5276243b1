import type { Kysely } from 'kysely';
import type { LockingRead } from '../dialect';
import type { ApiDatabase, HostMappingsRow } from './api-tables.generated';
import { newHostMappingRow } from './new-api-rows';

/** A host mapping with the name and UUID of its cell. */
export interface HostMappingWithCell {
  host: string;
  cellId: number;
  cellUuid: string;
  cellName: string | null;
}

/** Host mappings with their cells, by host name; only those of one cell when `cellId` is given. */
export async function listHostMappings(db: Kysely<ApiDatabase>, cellId?: number): Promise<HostMappingWithCell[]> {
  let query = db
    .selectFrom('host_mappings as h')
    .innerJoin('cell_mappings as c', 'c.id', 'h.cell_id')
    .select(['h.host as host', 'h.cell_id as cellId', 'c.uuid as cellUuid', 'c.name as cellName'])
    .orderBy('h.host');
  if (cellId !== undefined) query = query.where('h.cell_id', '=', cellId);
  return query.execute();
}

/** The host mapping of one host name, if any. */
export async function findHostMapping(db: Kysely<ApiDatabase>, host: string): Promise<HostMappingsRow | undefined> {
  return db.selectFrom('host_mappings').selectAll().where('host', '=', host).executeTakeFirst();
}

/** The host mappings among `hosts` that exist, whatever their cell. */
export async function findHostMappings(db: Kysely<ApiDatabase>, hosts: string[]): Promise<HostMappingsRow[]> {
  if (hosts.length === 0) return [];
  return db.selectFrom('host_mappings').selectAll().where('host', 'in', hosts).execute();
}

/**
 * Maps hosts to a cell with insert-ignore semantics: a host already mapped (by a parallel run, or
 * to another cell) is left as it is, never an error. Returns the number of rows inserted.
 */
export async function insertHostMappingsIgnoringExisting(
  db: Kysely<ApiDatabase>,
  cellId: number,
  hosts: string[],
  now: string,
): Promise<number> {
  if (hosts.length === 0) return 0;
  const result = await db
    .insertInto('host_mappings')
    .orIgnore()
    .values(hosts.map((host) => newHostMappingRow({ host, cell_id: cellId }, now)))
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/** How many hosts are mapped to a cell. */
export async function countHostMappingsByCell(db: Kysely<ApiDatabase>, cellId: number, options: LockingRead = {}): Promise<number> {
  const row = await db
    .selectFrom('host_mappings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('cell_id', '=', cellId)
    .$if(Boolean(options.forUpdate), (q) => q.forUpdate())
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes one host's mapping; returns whether it existed. */
export async function deleteHostMapping(db: Kysely<ApiDatabase>, host: string): Promise<boolean> {
  const result = await db.deleteFrom('host_mappings').where('host', '=', host).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Deletes every host mapping of a cell; returns how many there were. */
export async function deleteHostMappingsByCell(db: Kysely<ApiDatabase>, cellId: number): Promise<number> {
  const result = await db.deleteFrom('host_mappings').where('cell_id', '=', cellId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
