/**
 * Deleting instances of cell0 as Nova's compute API deletes them (nova/compute/api.py _delete,
 * _local_delete, _do_delete; nova/db/main/api.py instance_destroy), and purging them: every row of
 * theirs removed from cell0, as archive_deleted_rows followed by `db purge` would leave it.
 */
import type { Kysely } from 'kysely';
import { inBatches } from '../batches';
import { rowTimestamp, type RowTime } from '../new-row-defaults';
import type { Tx } from '../unit-of-work';
import type { CellDatabase } from './cell-tables.generated';
import { newInstanceInfoCacheRow } from './new-cell-rows';

/** Values per IN list: far below every driver's and server's limits. */
const CHUNK = 500;

/** What a delete needs to know of an instance row of cell0. */
export interface Cell0InstanceState {
  id: number;
  uuid: string;
  displayName: string | null;
  projectId: string | null;
  /** 0 while live; the row's id once Nova (or cellctl) soft-deleted it. */
  deleted: number;
  disableTerminate: boolean;
  createdAt: string | null;
}

/** The rows of cell0 of these instances (deleted ones too), by UUID. */
export async function findCell0InstanceStates(db: Kysely<CellDatabase>, uuids: readonly string[]): Promise<Map<string, Cell0InstanceState>> {
  const found = new Map<string, Cell0InstanceState>();
  for (const part of inBatches(uuids, CHUNK)) {
    if (part.length === 0) continue;
    const rows = await db.selectFrom('instances').select(['id', 'uuid', 'display_name', 'project_id', 'deleted', 'disable_terminate', 'created_at']).where('uuid', 'in', part).execute();
    for (const r of rows) {
      found.set(r.uuid, { id: r.id, uuid: r.uuid, displayName: r.display_name, projectId: r.project_id, deleted: r.deleted ?? 0, disableTerminate: Boolean(r.disable_terminate), createdAt: r.created_at });
    }
  }
  return found;
}

/**
 * The next `limit` instances of cell0 (live or soft-deleted) created before `createdBefore`, after
 * id `afterId`, in id order: a keyset walk, so a purge of any size reads one batch at a time.
 */
export async function listCell0InstancesCreatedBefore(db: Kysely<CellDatabase>, createdBefore: string, afterId: number, limit: number): Promise<Cell0InstanceState[]> {
  const rows = await db
    .selectFrom('instances')
    .select(['id', 'uuid', 'display_name', 'project_id', 'deleted', 'disable_terminate', 'created_at'])
    .where('created_at', '<', createdBefore)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, uuid: r.uuid, displayName: r.display_name, projectId: r.project_id, deleted: r.deleted ?? 0, disableTerminate: Boolean(r.disable_terminate), createdAt: r.created_at }));
}

/** Which of these UUIDs cell0 has an instance row of (any state). */
export async function findCell0InstanceUuids(db: Kysely<CellDatabase>, uuids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of inBatches(uuids, CHUNK)) {
    if (part.length === 0) continue;
    for (const r of await db.selectFrom('instances').select('uuid').where('uuid', 'in', part).execute()) found.add(r.uuid);
  }
  return found;
}

/** A live block device of an instance that Nova would clean up in Cinder: its volume and attachment. */
export interface VolumeAttachment {
  instanceUuid: string;
  volumeId: string | null;
  attachmentId: string | null;
}

/** The live block devices of these instances with a volume_id or attachment_id, in id order. */
export async function findVolumeAttachments(db: Kysely<CellDatabase>, uuids: readonly string[]): Promise<VolumeAttachment[]> {
  const found: VolumeAttachment[] = [];
  for (const part of inBatches(uuids, CHUNK)) {
    if (part.length === 0) continue;
    const rows = await db
      .selectFrom('block_device_mapping')
      .select(['instance_uuid', 'volume_id', 'attachment_id'])
      .where('instance_uuid', 'in', part)
      .where('deleted', '=', 0)
      .where((eb) => eb.or([eb('volume_id', 'is not', null), eb('attachment_id', 'is not', null)]))
      .orderBy('id')
      .execute();
    for (const r of rows) found.push({ instanceUuid: r.instance_uuid!, volumeId: r.volume_id, attachmentId: r.attachment_id });
  }
  return found;
}

/**
 * The tables instance_destroy soft-deletes (deleted = id, deleted_at set, updated_at kept), with the
 * column naming the instance, in Nova's order (nova/db/main/api.py instance_destroy).
 */
export const SOFT_DELETED_WITH_INSTANCE: ReadonlyArray<readonly [table: keyof CellDatabase, column: string]> = [
  ['security_group_instance_association', 'instance_uuid'],
  ['instance_info_caches', 'instance_uuid'],
  ['instance_metadata', 'instance_uuid'],
  ['instance_faults', 'instance_uuid'],
  ['instance_extra', 'instance_uuid'],
  ['instance_system_metadata', 'instance_uuid'],
  ['block_device_mapping', 'instance_uuid'],
  ['migrations', 'instance_uuid'],
  ['virtual_interfaces', 'instance_uuid'],
  ['instance_id_mappings', 'uuid'],
];

/** The tables instance_destroy hard-deletes (they have no `deleted` column). */
export const HARD_DELETED_WITH_INSTANCE: ReadonlyArray<readonly [table: keyof CellDatabase, column: string]> = [
  ['tags', 'resource_id'],
  ['console_auth_tokens', 'instance_uuid'],
];

/**
 * Every table of cell0 holding rows of an instance, children first (MySQL's foreign keys), the
 * instance last: what a purge removes. instance_actions_events is reached through its action.
 * Not included, as Nova's archive leaves them too: s3_images and security_groups (shared by images
 * and projects), pci_devices (owned by compute nodes), volume_usage_cache, and shadow tables.
 */
export const PURGED_CELL0_TABLES = [
  'instance_actions_events',
  'instance_actions',
  ...SOFT_DELETED_WITH_INSTANCE.map(([table]) => table),
  ...HARD_DELETED_WITH_INSTANCE.map(([table]) => table),
  'instances',
] as const;

/** Rows per table (a table with no rows is listed with 0). */
export type TableCounts = Record<string, number>;

function anyDb(db: Kysely<CellDatabase>): Kysely<any> {
  return db as unknown as Kysely<any>;
}

/**
 * What deleting one live instance of cell0 changes, table by table, without writing: the rows a
 * soft delete would mark (live ones), tags and console tokens it would remove, and the info cache
 * it would rewrite or create.
 */
export async function countSoftDelete(db: Kysely<CellDatabase>, uuid: string): Promise<TableCounts> {
  const counts: TableCounts = { instances: 1 };
  for (const [table, column] of SOFT_DELETED_WITH_INSTANCE) {
    const row = await anyDb(db).selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where(column, '=', uuid).where('deleted', '=', 0).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  for (const [table, column] of HARD_DELETED_WITH_INSTANCE) {
    const row = await anyDb(db).selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where(column, '=', uuid).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  // An instance without any info cache row gets one (then soft-deleted), as Nova's deallocation saves an empty cache.
  if (counts.instance_info_caches === 0 && !(await hasInfoCacheRow(db, uuid))) counts.instance_info_caches = 1;
  return counts;
}

async function hasInfoCacheRow(db: Kysely<CellDatabase>, uuid: string): Promise<boolean> {
  return (await db.selectFrom('instance_info_caches').select('id').where('instance_uuid', '=', uuid).executeTakeFirst()) !== undefined;
}

/**
 * Deletes one live instance of cell0 as Nova's compute API deletes an instance in error without a
 * host (the local delete), writing what Nova writes in its order, inside the caller's transaction:
 * 1. the instance: task_state 'deleting', progress 0 (updated_at set);
 * 2. Neutron's deallocation: virtual_interfaces soft-deleted, the info cache saved as '[]' (an
 *    unchanged cache is not rewritten; a missing one is created, as InstanceInfoCache.save does);
 * 3. each live block device soft-deleted (Nova calls Cinder first: the caller warns instead);
 * 4. vm_state 'deleted', task_state NULL, terminated_at set (updated_at set);
 * 5. instance_destroy: the instance soft-deleted (deleted = id, deleted_at set, updated_at kept),
 *    then its rows of SOFT_DELETED_WITH_INSTANCE the same way, then tags and console auth tokens
 *    removed. instance_actions and their events are kept, as Nova keeps them.
 * The mapping's queued_for_delete is the API database's, written by the caller afterwards.
 * Returns the rows changed per table (as countSoftDelete counts them).
 */
export async function softDeleteCell0Instance(tx: Tx<CellDatabase>, uuid: string, now: RowTime): Promise<TableCounts> {
  const time = rowTimestamp(now);
  const db = anyDb(tx);
  const counts: TableCounts = {};
  await tx.updateTable('instances').set({ task_state: 'deleting', progress: 0, updated_at: time }).where('uuid', '=', uuid).where('deleted', '=', 0).execute();
  const softDelete = async (table: string, column: string) =>
    Number((await db.updateTable(table).set((eb: any) => ({ deleted: eb.ref('id'), deleted_at: time })).where(column, '=', uuid).where('deleted', '=', 0).executeTakeFirst()).numUpdatedRows);
  let vifs = await softDelete('virtual_interfaces', 'instance_uuid');
  let infoCaches = 0;
  if (!(await hasInfoCacheRow(tx, uuid))) {
    await tx.insertInto('instance_info_caches').values(newInstanceInfoCacheRow({ instance_uuid: uuid, network_info: '[]' }, now)).execute();
  } else {
    await tx
      .updateTable('instance_info_caches')
      .set({ network_info: '[]', updated_at: time })
      .where('instance_uuid', '=', uuid)
      .where('deleted', '=', 0)
      .where((eb) => eb.or([eb('network_info', 'is', null), eb('network_info', '<>', '[]')]))
      .execute();
  }
  let devices = await softDelete('block_device_mapping', 'instance_uuid');
  await tx.updateTable('instances').set({ vm_state: 'deleted', task_state: null, terminated_at: time, updated_at: time }).where('uuid', '=', uuid).where('deleted', '=', 0).execute();
  counts.instances = Number((await tx.updateTable('instances').set((eb) => ({ deleted: eb.ref('id'), deleted_at: time })).where('uuid', '=', uuid).where('deleted', '=', 0).executeTakeFirst()).numUpdatedRows);
  for (const [table, column] of SOFT_DELETED_WITH_INSTANCE) {
    const n = await softDelete(table, column);
    if (table === 'virtual_interfaces') vifs += n;
    else if (table === 'block_device_mapping') devices += n;
    else if (table === 'instance_info_caches') infoCaches += n;
    else counts[table] = n;
  }
  Object.assign(counts, { virtual_interfaces: vifs, block_device_mapping: devices, instance_info_caches: infoCaches });
  for (const [table, column] of HARD_DELETED_WITH_INSTANCE) counts[table] = Number((await db.deleteFrom(table).where(column, '=', uuid).executeTakeFirst()).numDeletedRows);
  return counts;
}

/**
 * How many rows of these instances each table of PURGED_CELL0_TABLES holds (deleted rows too):
 * what purgeCell0Instances would remove.
 */
export async function countCell0Rows(db: Kysely<CellDatabase>, uuids: readonly string[]): Promise<TableCounts> {
  const counts: TableCounts = Object.fromEntries(PURGED_CELL0_TABLES.map((t) => [t, 0]));
  for (const part of inBatches(uuids, CHUNK)) {
    if (part.length === 0) continue;
    const events = await db
      .selectFrom('instance_actions_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('action_id', 'in', (eb) => eb.selectFrom('instance_actions').select('id').where('instance_uuid', 'in', part))
      .executeTakeFirstOrThrow();
    counts.instance_actions_events! += Number(events.n);
    for (const [table, column] of purgedByColumn()) {
      const row = await anyDb(db).selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where(column, 'in', part).executeTakeFirstOrThrow();
      counts[table]! += Number(row.n);
    }
  }
  return counts;
}

function purgedByColumn(): Array<readonly [string, string]> {
  return [['instance_actions', 'instance_uuid'], ...SOFT_DELETED_WITH_INSTANCE, ...HARD_DELETED_WITH_INSTANCE, ['instances', 'uuid']];
}

/**
 * Removes every row of these instances from cell0 (PURGED_CELL0_TABLES, children first), inside
 * the caller's transaction; returns the rows removed per table. Idempotent: a second run finds nothing.
 */
export async function purgeCell0Instances(tx: Tx<CellDatabase>, uuids: readonly string[]): Promise<TableCounts> {
  const counts: TableCounts = Object.fromEntries(PURGED_CELL0_TABLES.map((t) => [t, 0]));
  for (const part of inBatches(uuids, CHUNK)) {
    if (part.length === 0) continue;
    const events = await tx
      .deleteFrom('instance_actions_events')
      .where('action_id', 'in', (eb) => eb.selectFrom('instance_actions').select('id').where('instance_uuid', 'in', part))
      .executeTakeFirst();
    counts.instance_actions_events! += Number(events.numDeletedRows);
    for (const [table, column] of purgedByColumn()) {
      counts[table]! += Number((await anyDb(tx).deleteFrom(table).where(column, 'in', part).executeTakeFirst()).numDeletedRows);
    }
  }
  return counts;
}
