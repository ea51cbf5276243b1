import type { Kysely } from 'kysely';
import { inBatches } from '../batches';
import type { Tx } from '../unit-of-work';
import type { CellDatabase } from './cell-tables.generated';

/** How many live (`deleted = 0`) instances a cell database holds, hidden ones included. */
export async function countLiveInstances(db: Kysely<CellDatabase>): Promise<number> {
  const row = await db.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('n')).where('deleted', '=', 0).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** How many live instances run on one host. */
export async function countLiveInstancesOnHost(db: Kysely<CellDatabase>, host: string): Promise<number> {
  const row = await db
    .selectFrom('instances')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('deleted', '=', 0)
    .where('host', '=', host)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The columns map-instances needs from an instance row. */
export interface InstanceForMapping {
  id: number;
  uuid: string;
  project_id: string | null;
  user_id: string | null;
  deleted: number | null;
  vm_state: string | null;
}

/** An instance row as the first walk of map-instances reads it: with `hidden`, which decides whether it is mapped. */
export interface InstanceRowForMapping extends InstanceForMapping {
  hidden: number | null;
}

/**
 * The next `limit` instances after id `afterId` in primary-key order, soft-deleted and hidden
 * ones included: the caller leaves the hidden ones out (see isHiddenInstance), so that it can
 * count every row it examined, as the walk in UUID order does.
 */
export async function listInstancesAfter(db: Kysely<CellDatabase>, afterId: number, limit: number): Promise<InstanceRowForMapping[]> {
  return db
    .selectFrom('instances')
    .select(['id', 'uuid', 'project_id', 'user_id', 'deleted', 'vm_state', 'hidden'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** True for an instance Nova's map_instances leaves out: `hidden` set (a cross-cell resize shadow); NULL and 0 are not hidden. */
export function isHiddenInstance(row: { hidden: number | null }): boolean {
  return row.hidden !== null && Number(row.hidden) !== 0;
}

/** One instance by UUID, deleted or not (for instance verify). */
export async function findInstanceByUuid(db: Kysely<CellDatabase>, uuid: string): Promise<{ uuid: string; deleted: number | null } | undefined> {
  return db.selectFrom('instances').select(['uuid', 'deleted']).where('uuid', '=', uuid).executeTakeFirst();
}

/**
 * The next `limit` instance UUIDs after `afterUuid` in UUID order, hidden ones included: a
 * covering scan of the unique UUID index, for the anti-join of a re-run.
 */
export async function listInstanceUuidsAfter(db: Kysely<CellDatabase>, afterUuid: string, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('instances').select('uuid').where('uuid', '>', afterUuid).orderBy('uuid').limit(limit).execute();
  return rows.map((r) => r.uuid);
}

/** The instances with these UUIDs (hidden ones excluded), in the shape map-instances needs. */
export async function findInstancesForMapping(db: Kysely<CellDatabase>, uuids: string[]): Promise<InstanceForMapping[]> {
  const found: InstanceForMapping[] = [];
  for (let i = 0; i < uuids.length; i += 5000) {
    const rows = await db
      .selectFrom('instances')
      .select(['id', 'uuid', 'project_id', 'user_id', 'deleted', 'vm_state'])
      .where('uuid', 'in', uuids.slice(i, i + 5000))
      .where((eb) => eb.or([eb('hidden', 'is', null), eb('hidden', '=', 0)]))
      .execute();
    found.push(...rows);
  }
  return found;
}

/** How many instances a cell database holds, hidden ones included. */
export async function countInstances(db: Kysely<CellDatabase>): Promise<number> {
  const row = await db.selectFrom('instances').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** An instance with a host and no availability zone (a candidate of populate_missing_availability_zones). */
export interface InstanceWithoutZone {
  id: number;
  /** As stored: may be '' (Nova's "no host"). */
  host: string;
}

/**
 * The next `limit` instances after id `afterId`, in id order, that have a host (NULL excluded, ''
 * included) and no availability zone; deleted and hidden ones included, as Nova reads them.
 */
export async function listInstancesWithoutZone(db: Kysely<CellDatabase>, afterId: number, limit: number): Promise<InstanceWithoutZone[]> {
  const rows = await db
    .selectFrom('instances')
    .select(['id', 'host'])
    .where('host', 'is not', null)
    .where('availability_zone', 'is', null)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, host: r.host as string }));
}

/** Instances written per statement (an id list of this length binds fine on both dialects). */
const IDS_PER_STATEMENT = 1_000;

/**
 * Sets the availability zone (and `updated_at`) of the instances `ids` that still have none (one
 * another run filled meanwhile keeps its zone); returns how many were set.
 */
export async function setAvailabilityZone(tx: Tx<CellDatabase>, ids: number[], zone: string, updatedAt: string): Promise<number> {
  let changed = 0;
  for (let i = 0; i < ids.length; i += IDS_PER_STATEMENT) {
    const result = await tx
      .updateTable('instances')
      .set({ availability_zone: zone, updated_at: updatedAt })
      .where('id', 'in', ids.slice(i, i + IDS_PER_STATEMENT))
      .where('availability_zone', 'is', null)
      .executeTakeFirst();
    changed += Number(result.numUpdatedRows);
  }
  return changed;
}

/** What the instance-mapping migrations read of an instance. */
export interface InstanceForPopulate {
  id: number;
  uuid: string;
  user_id: string | null;
  deleted: number | null;
  vm_state: string | null;
  hidden: number | null;
}

/** The instances with these UUIDs, deleted and hidden ones included (IN lists of 5,000). */
export async function findInstancesForPopulate(db: Kysely<CellDatabase>, uuids: string[]): Promise<InstanceForPopulate[]> {
  const found: InstanceForPopulate[] = [];
  for (let i = 0; i < uuids.length; i += 5000) {
    found.push(...(await db.selectFrom('instances').select(['id', 'uuid', 'user_id', 'deleted', 'vm_state', 'hidden']).where('uuid', 'in', uuids.slice(i, i + 5000)).execute()));
  }
  return found;
}

/**
 * Which of these UUIDs have a row in shadow_instances (archived instances). NOTE: Nova's schema
 * has no index on shadow_instances.uuid: ask only for the few UUIDs no live row answered.
 */
export async function findArchivedInstanceUuids(db: Kysely<CellDatabase>, uuids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < uuids.length; i += 5000) {
    const rows = await db.selectFrom('shadow_instances').select('uuid').distinct().where('uuid', 'in', uuids.slice(i, i + 5000)).execute();
    for (const r of rows) found.add(r.uuid);
  }
  return found;
}

/** The hosts of the live instances among `uuids` (Nova's InstanceGroup.get_hosts, per cell); those without one are left out. */
export async function findInstanceHosts(db: Kysely<CellDatabase>, uuids: readonly string[]): Promise<string[]> {
  const hosts = new Set<string>();
  for (const part of inBatches(uuids, 1000)) {
    if (part.length === 0) continue;
    const rows = await db.selectFrom('instances').select('host').where('uuid', 'in', part).where('deleted', '=', 0).where('host', 'is not', null).execute();
    for (const r of rows) hosts.add(r.host!);
  }
  return [...hosts];
}
