/**
 * The rows Nova's fill_virtual_interface_list reads and writes in a cell: live instances with
 * their network info cache, and their `virtual_interfaces` rows.
 */
import { sql, type Kysely } from 'kysely';
import { NOVA_FAKE_INSTANCE_UUID } from '../../domain/vif-list';
import type { LockingRead } from '../dialect';
import type { Tx } from '../unit-of-work';
import type { CellDatabase, NewVirtualInterfacesRow } from './cell-tables.generated';
import { inBatches } from '../batches';

// NOTE: bounds the parameters of one statement (SQLite allows 32,766).
const KEYS_PER_STATEMENT = 500;


/**
 * Live instances as Nova's `InstanceList.get_by_filters({'deleted': False})` lists them (deleted =
 * 0, not in vm_state soft-delete, not hidden), Nova's fake marker instance excepted, joined to their
 * live info cache holding a network_info other than NULL or '[]'.
 */
function instancesWithNetworkInfo(db: Kysely<CellDatabase>) {
  return db
    .selectFrom('instances as i')
    .innerJoin('instance_info_caches as c', (join) => join.onRef('c.instance_uuid', '=', 'i.uuid').on('c.deleted', '=', 0))
    .where('i.deleted', '=', 0)
    .where((eb) => eb.or([eb('i.vm_state', '<>', 'soft-delete'), eb('i.vm_state', 'is', null)]))
    .where((eb) => eb.or([eb('i.hidden', '=', 0), eb('i.hidden', 'is', null)]))
    .where('i.uuid', '<>', NOVA_FAKE_INSTANCE_UUID)
    .where('c.network_info', 'is not', null)
    .where('c.network_info', '<>', '[]');
}

/**
 * The next `limit` instances after id `afterId` (in id order) that have a network_info to compare
 * their VIF rows with, each with the length of that network_info (to bound a chunk's memory).
 */
export async function listInstancesWithNetworkInfo(db: Kysely<CellDatabase>, afterId: number, limit: number): Promise<Array<{ id: number; size: number }>> {
  const rows = await instancesWithNetworkInfo(db)
    .select(['i.id', sql<number>`LENGTH(c.network_info)`.as('size')])
    .where('i.id', '>', afterId)
    .orderBy('i.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, size: Number(r.size) }));
}

/** Of the instances `ids`, those that still have a network_info to compare (as listed above), with it, in id order. */
export async function findNetworkInfos(db: Kysely<CellDatabase>, ids: readonly number[]): Promise<Array<{ id: number; uuid: string; network_info: string | null }>> {
  const rows = [];
  for (const part of inBatches(ids, KEYS_PER_STATEMENT)) {
    rows.push(...(await instancesWithNetworkInfo(db).select(['i.id', 'i.uuid', 'c.network_info']).where('i.id', 'in', part).execute()));
  }
  return rows.sort((a, b) => a.id - b.id);
}

/** A live VIF row of an instance. */
export interface LiveVifRow {
  id: number;
  uuid: string | null;
  tag: string | null;
  instance_uuid: string;
}

/**
 * The live VIF rows of the instances `instanceUuids`, grouped by instance, each group in Nova's
 * order (created_at, id). With `forUpdate` (MySQL) the rows, and the gaps where an instance's new
 * VIF would go, stay locked until the unit of work ends.
 */
export async function listLiveVifs(db: Kysely<CellDatabase>, instanceUuids: readonly string[], options: LockingRead = {}): Promise<Map<string, LiveVifRow[]>> {
  const byInstance = new Map<string, LiveVifRow[]>();
  for (const part of inBatches(instanceUuids, KEYS_PER_STATEMENT)) {
    const rows = await db
      .selectFrom('virtual_interfaces')
      .select(['id', 'uuid', 'tag', 'instance_uuid'])
      .where('instance_uuid', 'in', part)
      .where('deleted', '=', 0)
      .orderBy('instance_uuid')
      .orderBy('created_at')
      .orderBy('id')
      .$if(Boolean(options.forUpdate), (q) => q.forUpdate())
      .execute();
    for (const row of rows) {
      const uuid = row.instance_uuid as string;
      const group = byInstance.get(uuid) ?? [];
      group.push({ ...row, instance_uuid: uuid });
      byInstance.set(uuid, group);
    }
  }
  return byInstance;
}

/**
 * Which of `addresses` a live VIF row holds (unique with `deleted`), and the instance of that row.
 * With `forUpdate` (MySQL) no other transaction can make one of them live until the unit of work ends.
 */
export async function findLiveVifAddresses(db: Kysely<CellDatabase>, addresses: readonly string[], options: LockingRead = {}): Promise<Map<string, string | null>> {
  const owners = new Map<string, string | null>();
  for (const part of inBatches(addresses, KEYS_PER_STATEMENT)) {
    const rows = await db
      .selectFrom('virtual_interfaces')
      .select(['address', 'instance_uuid'])
      .where('address', 'in', part)
      .where('deleted', '=', 0)
      .$if(Boolean(options.forUpdate), (q) => q.forUpdate())
      .execute();
    for (const row of rows) owners.set(row.address as string, row.instance_uuid);
  }
  return owners;
}

/**
 * Soft-deletes the VIF rows `ids` still live as oslo.db does (deleted = id, deleted_at = `now`,
 * updated_at untouched); returns how many were.
 */
export async function softDeleteVifs(tx: Tx<CellDatabase>, ids: readonly number[], now: string): Promise<number> {
  let deleted = 0;
  for (const part of inBatches(ids, KEYS_PER_STATEMENT)) {
    const result = await tx
      .updateTable('virtual_interfaces')
      .set((eb) => ({ deleted: eb.ref('id'), deleted_at: now }))
      .where('id', 'in', part)
      .where('deleted', '=', 0)
      .executeTakeFirst();
    deleted += Number(result.numUpdatedRows);
  }
  return deleted;
}

/** Inserts VIF rows in the order given (their ids ascend in that order). */
export async function insertVifs(tx: Tx<CellDatabase>, rows: readonly NewVirtualInterfacesRow[]): Promise<void> {
  // NOTE: 9 columns a row: 100 rows keep a statement far below SQLite's parameter limit.
  for (const part of inBatches(rows, 100)) await tx.insertInto('virtual_interfaces').values(part).execute();
}
