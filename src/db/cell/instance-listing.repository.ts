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

/**
 * The rows after `after` in the listing's order (the key in its direction, NULLs smallest as both
 * dialects sort them, then uuid ascending), never the instance at `after` itself (nor a copy of it
 * in this cell: it was listed already).
 */
function afterPosition(eb: Eb, sort: InstanceSort, after: SortPosition) {
  const key = sort.key;
  const beyond = sort.direction === 'desc' ? '<' : '>';
  const tie = eb('uuid', '>', after.uuid);
  if (after.value === null) {
    // Ascending, NULLs come first: every non-NULL key is later; descending, they came before.
    return sort.direction === 'asc' ? eb.or([eb(key, 'is not', null), eb.and([eb(key, 'is', null), tie])]) : eb.and([eb(key, 'is', null), tie]);
  }
  const later = eb.or([eb(key, beyond, after.value), eb.and([eb(key, '=', after.value), tie])]);
  return sort.direction === 'desc' ? eb.or([later, eb(key, 'is', null)]) : later;
}

/** The rows a listing shows, of one project or all, after a position. */
function listedRows(db: Kysely<CellDatabase>, sort: InstanceSort, filter: InstancePageFilter, after?: SortPosition) {
  let query = db
    .selectFrom('instances')
    .select([...LISTED_COLUMNS])
    .where((eb) => eb.or([eb('hidden', '=', 0), eb('hidden', 'is', null)]));
  query = filter.deleted
    ? query.where((eb) => eb.or([eb('deleted', '=', eb.ref('id')), eb('vm_state', '=', 'soft-delete')]))
    : query.where('deleted', '=', 0).where((eb) => eb.or([eb('vm_state', '!=', 'soft-delete'), eb('vm_state', 'is', null)]));
  if (filter.project !== undefined) query = query.where('project_id', '=', filter.project);
  if (after) query = query.where((eb) => afterPosition(eb, sort, after)).where('uuid', '!=', after.uuid);
  return query;
}

/**
 * The cell's first `limit` instances in the listing's order after `after`, and possibly some
 * more: every row sharing the key of the last of them. Read in two index-friendly steps rather
 * than with `ORDER BY key, uuid`, which no index of Nova's serves: the first `limit` by key then
 * id (instances_deleted_created_at_idx holds (deleted, created_at, id)), then all the rows whose
 * key equals the last one's, among which uuid decides; the caller sorts. Hidden rows (cross-cell
 * resize shadows) are never read, as in Nova.
 */
export async function listInstancePage(db: Kysely<CellDatabase>, sort: InstanceSort, filter: InstancePageFilter, limit: number, after?: SortPosition): Promise<ListedInstanceRow[]> {
  const first = await listedRows(db, sort, filter, after).orderBy(sort.key, sort.direction).orderBy('id', sort.direction).limit(limit).execute();
  if (first.length < limit) return first;
  const boundary = first[first.length - 1]![sort.key];
  const ties = await listedRows(db, sort, filter, after)
    .where((eb) => (boundary === null ? eb(sort.key, 'is', null) : eb(sort.key, '=', boundary)))
    .execute();
  const seen = new Set(first.map((r) => r.id));
  return [...first, ...ties.filter((r) => !seen.has(r.id))];
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
