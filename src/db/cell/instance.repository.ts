import type { Kysely } from 'kysely';
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

/**
 * The next `limit` instances after id `afterId` in primary-key order, soft-deleted ones included
 * and `hidden = 1` ones (cross-cell resize shadows) excluded, as Nova's map_instances selects.
 */
export async function listInstancesAfter(db: Kysely<CellDatabase>, afterId: number, limit: number): Promise<InstanceForMapping[]> {
  return db
    .selectFrom('instances')
    .select(['id', 'uuid', 'project_id', 'user_id', 'deleted', 'vm_state'])
    .where('id', '>', afterId)
    .where((eb) => eb.or([eb('hidden', 'is', null), eb('hidden', '=', 0)]))
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** How many instances map-instances considers (every row but `hidden = 1`). */
export async function countMappableInstances(db: Kysely<CellDatabase>): Promise<number> {
  const row = await db
    .selectFrom('instances')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where((eb) => eb.or([eb('hidden', 'is', null), eb('hidden', '=', 0)]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One instance by UUID, deleted or not (for instance verify). */
export async function findInstanceByUuid(db: Kysely<CellDatabase>, uuid: string): Promise<{ uuid: string; deleted: number | null } | undefined> {
  return db.selectFrom('instances').select(['uuid', 'deleted']).where('uuid', '=', uuid).executeTakeFirst();
}
