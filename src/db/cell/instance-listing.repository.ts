/**
 * Reads of one cell database for listing instances across cells: one page in the listing's order
 * after a position (keyset, so a page costs the same wherever it starts), and the position of a
 * marker instance.
 */
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { InstanceSort, SortPosition } from '../../domain/instance-listing';
import type { CellDatabase, InstancesRow } from './cell-tables.generated';

/** The columns a listing shows of an instance row. */
export type ListedInstanceRow = Pick<
  InstancesRow,
  'id' | 'uuid' | 'display_name' | 'vm_state' | 'task_state' | 'project_id' | 'user_id' | 'host' | 'created_at' | 'updated_at' | 'launched_at' | 'terminated_at' | 'deleted'
>;

const LISTED_COLUMNS = ['id', 'uuid', 'display_name', 'vm_state', 'task_state', 'project_id', 'user_id', 'host', 'created_at', 'updated_at', 'launched_at', 'terminated_at', 'deleted'] as const;

/** Which rows a listing shows. */
export interface InstancePageFilter {
  project?: string;
  /**
   * false: live rows only (`deleted = 0`, vm_state not `soft-delete`), as Nova's API by default;
   * true: only deleted (`deleted = id`) and soft-deleted rows, as Nova's `deleted=true`.
   */
  deleted: boolean;
}

type Eb = ExpressionBuilder<CellDatabase, 'instances'>;

/** The rows strictly after `after` in the order of `sort` (NULL keys sort smallest on both dialects). */
function afterPosition(eb: Eb, sort: InstanceSort, after: SortPosition) {
  const key = sort.key;
  const later = sort.direction === 'desc' ? '<' : '>';
  const tie = eb.or([eb('id', later, after.id), eb.and([eb('id', '=', after.id), eb('uuid', '>', after.uuid)])]);
  if (after.value === null) {
    // Ascending, NULLs come first: every non-NULL key is later; descending, they came before.
    return sort.direction === 'asc' ? eb.or([eb(key, 'is not', null), eb.and([eb(key, 'is', null), tie])]) : eb.and([eb(key, 'is', null), tie]);
  }
  const beyond = eb.or([eb(key, later, after.value), eb.and([eb(key, '=', after.value), tie])]);
  return sort.direction === 'desc' ? eb.or([beyond, eb(key, 'is', null)]) : beyond;
}

/**
 * At most `limit` instances of the cell in the order of `sort` (key, id, then uuid ascending),
 * after `after` when given (and never the instance at `after`, whatever its copy). Hidden rows (cross-cell resize shadows) are never read, as in Nova.
 */
export async function listInstancePage(db: Kysely<CellDatabase>, sort: InstanceSort, filter: InstancePageFilter, limit: number, after?: SortPosition): Promise<ListedInstanceRow[]> {
  let query = db
    .selectFrom('instances')
    .select([...LISTED_COLUMNS])
    .where((eb) => eb.or([eb('hidden', '=', 0), eb('hidden', 'is', null)]));
  query = filter.deleted
    ? query.where((eb) => eb.or([eb('deleted', '=', eb.ref('id')), eb('vm_state', '=', 'soft-delete')]))
    : query.where('deleted', '=', 0).where((eb) => eb.or([eb('vm_state', '!=', 'soft-delete'), eb('vm_state', 'is', null)]));
  if (filter.project !== undefined) query = query.where('project_id', '=', filter.project);
  // NOTE: a copy of the marker instance in another cell (a cross-cell move) may sort after it; it was listed already.
  if (after) query = query.where((eb) => afterPosition(eb, sort, after)).where('uuid', '!=', after.uuid);
  return query.orderBy(sort.key, sort.direction).orderBy('id', sort.direction).orderBy('uuid', 'asc').limit(limit).execute();
}

/** An instance row by UUID, deleted or not (the live copy first), or undefined. */
export async function findListedInstance(db: Kysely<CellDatabase>, uuid: string): Promise<ListedInstanceRow | undefined> {
  return db.selectFrom('instances').select([...LISTED_COLUMNS]).where('uuid', '=', uuid).orderBy('deleted').executeTakeFirst();
}

/** The details `instance show` adds to a listed row. */
export interface InstanceDetailRow extends ListedInstanceRow {
  node: string | null;
  availability_zone: string | null;
  image_ref: string | null;
  power_state: number | null;
  hidden: number | null;
  flavor: string | null;
}

/** One instance with what `instance show` prints (its flavor JSON from instance_extra), or undefined. */
export async function findInstanceDetail(db: Kysely<CellDatabase>, uuid: string): Promise<InstanceDetailRow | undefined> {
  const row = await db
    .selectFrom('instances')
    .select([...LISTED_COLUMNS, 'node', 'availability_zone', 'image_ref', 'power_state', 'hidden'])
    .where('uuid', '=', uuid)
    .orderBy('deleted')
    .executeTakeFirst();
  if (!row) return undefined;
  const extra = await db.selectFrom('instance_extra').select('flavor').where('instance_uuid', '=', uuid).orderBy('deleted').executeTakeFirst();
  return { ...row, flavor: extra?.flavor ?? null };
}
