/**
 * The quota tables of a cell database (`quotas`, `project_user_quotas`, `quota_classes`): Nova
 * moved them to the API database in Pike; live rows left here are what the quota online
 * migrations move.
 */
import type { Kysely } from 'kysely';
import type { DialectAdapter } from '../dialect-adapter';
import type { Tx } from '../unit-of-work';
import type { CellDatabase, ProjectUserQuotasRow, QuotaClassesRow, QuotasRow } from './cell-tables.generated';

/** The cell tables the quota migrations empty. */
export type CellQuotaTable = 'quotas' | 'project_user_quotas' | 'quota_classes';

/** A live cell `quotas` row: one project's limit of one resource. */
export type CellProjectLimit = Pick<QuotasRow, 'id' | 'project_id' | 'resource' | 'hard_limit'>;
/** A live cell `project_user_quotas` row: one user's limit of one resource in a project. */
export type CellUserLimit = Pick<ProjectUserQuotasRow, 'id' | 'user_id' | 'project_id' | 'resource' | 'hard_limit'>;
/** A live cell `quota_classes` row. */
export type CellQuotaClass = Pick<QuotaClassesRow, 'id' | 'class_name' | 'resource' | 'hard_limit'>;

/** The next `limit` live (`deleted = 0`) `quotas` rows after id `afterId`, in id order. */
export async function listLiveProjectLimitsAfter(db: Kysely<CellDatabase>, afterId: number, limit: number): Promise<CellProjectLimit[]> {
  return db.selectFrom('quotas').select(['id', 'project_id', 'resource', 'hard_limit']).where('deleted', '=', 0).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

/** The next `limit` live `project_user_quotas` rows after id `afterId`, in id order. */
export async function listLiveUserLimitsAfter(db: Kysely<CellDatabase>, afterId: number, limit: number): Promise<CellUserLimit[]> {
  return db
    .selectFrom('project_user_quotas')
    .select(['id', 'user_id', 'project_id', 'resource', 'hard_limit'])
    .where('deleted', '=', 0)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** The next `limit` live `quota_classes` rows after id `afterId`, in id order. */
export async function listLiveQuotaClassesAfter(db: Kysely<CellDatabase>, afterId: number, limit: number): Promise<CellQuotaClass[]> {
  return db.selectFrom('quota_classes').select(['id', 'class_name', 'resource', 'hard_limit']).where('deleted', '=', 0).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

/**
 * Soft-deletes the rows of `ids` that are still live the way oslo.db's `soft_delete` does
 * (`deleted = id`, `deleted_at = now`, `updated_at` untouched) and returns the ids it soft-deleted
 * (a row another run soft-deleted meanwhile is not among them). Atomic within the caller's unit of work.
 */
export async function softDeleteLiveRows(tx: Tx<CellDatabase>, adapter: DialectAdapter, table: CellQuotaTable, ids: number[], now: string): Promise<number[]> {
  if (ids.length === 0) return [];
  const live = (
    await tx
      .selectFrom(table)
      .select('id')
      .where('id', 'in', ids)
      .where('deleted', '=', 0)
      .$if(adapter.lockingReads, (q) => q.forUpdate())
      .execute()
  ).map((r) => r.id);
  if (live.length === 0) return [];
  await tx
    .updateTable(table)
    .set((eb) => ({ deleted: eb.ref('id'), deleted_at: now }))
    .where('id', 'in', live)
    .execute();
  return live;
}
