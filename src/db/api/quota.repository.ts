/**
 * The API database's quota tables: `quotas` (unique project_id, resource), `project_user_quotas`
 * (unique user_id, project_id, resource) and `quota_classes` (no unique key at all).
 */
import type { Kysely } from 'kysely';
import type { DialectAdapter, SqlLiteral } from '../dialect-adapter';
import type { Tx } from '../unit-of-work';
import type { ApiDatabase, NewProjectUserQuotasRow, NewQuotaClassesRow, NewQuotasRow, ProjectUserQuotasRow, QuotaClassesRow, QuotasRow } from './api-tables.generated';

/** A project's limit of one resource, as the API database holds it. */
export type ApiProjectLimit = Pick<QuotasRow, 'project_id' | 'resource' | 'hard_limit'>;
/** A user's limit of one resource in a project, as the API database holds it. */
export type ApiUserLimit = Pick<ProjectUserQuotasRow, 'user_id' | 'project_id' | 'resource' | 'hard_limit'>;
/** A quota class's limit of one resource, as the API database holds it. */
export type ApiQuotaClass = Pick<QuotaClassesRow, 'class_name' | 'resource' | 'hard_limit'>;

const QUOTA_COLUMNS = ['created_at', 'updated_at', 'project_id', 'resource', 'hard_limit'] as const;
const USER_QUOTA_COLUMNS = ['created_at', 'updated_at', 'user_id', 'project_id', 'resource', 'hard_limit'] as const;

function literals<Row>(rows: Row[], columns: readonly (keyof Row & string)[]): SqlLiteral[][] {
  return rows.map((row) => columns.map((c) => (row[c] ?? null) as SqlLiteral));
}

/**
 * Inserts project limits whose project_id is set, skipping each whose (project_id, resource) the
 * API database holds already (the first of `rows` wins among equal keys); returns how many were
 * inserted. Rows without a project are not for this function: a unique key never matches NULL
 * (see insertProjectlessLimitsIfAbsent).
 */
export async function insertProjectLimitsIgnoringExisting(tx: Tx<ApiDatabase>, adapter: DialectAdapter, rows: NewQuotasRow[]): Promise<number> {
  if (rows.some((r) => r.project_id === null || r.project_id === undefined)) throw new Error('insertProjectLimitsIgnoringExisting: a row without project_id');
  return rows.length === 0 ? 0 : adapter.insertIgnore(tx, 'quotas', QUOTA_COLUMNS, literals(rows, QUOTA_COLUMNS));
}

/**
 * Inserts project limits without a project (project_id NULL), each only when no row with NULL
 * project_id and its resource exists (the first of `rows` wins among equal resources); returns
 * how many were inserted. Only a check under a lock makes this safe: call it in a unit of work
 * holding a named lock that every writer of such rows takes.
 */
export async function insertProjectlessLimitsIfAbsent(tx: Tx<ApiDatabase>, rows: NewQuotasRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const present = new Set((await tx.selectFrom('quotas').select('resource').where('project_id', 'is', null).execute()).map((r) => r.resource));
  const missing: NewQuotasRow[] = [];
  for (const row of rows) {
    if (present.has(row.resource)) continue;
    present.add(row.resource);
    missing.push(row);
  }
  if (missing.length) await tx.insertInto('quotas').values(missing).execute();
  return missing.length;
}

/**
 * Inserts per-user limits, skipping each whose (user_id, project_id, resource) the API database
 * holds already (the first of `rows` wins among equal keys); returns how many were inserted.
 */
export async function insertUserLimitsIgnoringExisting(tx: Tx<ApiDatabase>, adapter: DialectAdapter, rows: NewProjectUserQuotasRow[]): Promise<number> {
  return rows.length === 0 ? 0 : adapter.insertIgnore(tx, 'project_user_quotas', USER_QUOTA_COLUMNS, literals(rows, USER_QUOTA_COLUMNS));
}

/** The project limits of the given projects (`null` among them: the limits without a project). */
export async function findProjectLimits(db: Kysely<ApiDatabase>, projectIds: Array<string | null>): Promise<ApiProjectLimit[]> {
  const named = [...new Set(projectIds.filter((p): p is string => p !== null))];
  const withNull = projectIds.includes(null);
  if (named.length === 0 && !withNull) return [];
  return db
    .selectFrom('quotas')
    .select(['project_id', 'resource', 'hard_limit'])
    .where((eb) => eb.or([...(named.length ? [eb('project_id', 'in', named)] : []), ...(withNull ? [eb('project_id', 'is', null)] : [])]))
    .execute();
}

/** The per-user limits of the given projects. */
export async function findUserLimits(db: Kysely<ApiDatabase>, projectIds: string[]): Promise<ApiUserLimit[]> {
  const named = [...new Set(projectIds)];
  if (named.length === 0) return [];
  return db.selectFrom('project_user_quotas').select(['user_id', 'project_id', 'resource', 'hard_limit']).where('project_id', 'in', named).execute();
}

/** The limits of the given quota classes (`null` among them: the rows without a class name). */
export async function findQuotaClasses(db: Kysely<ApiDatabase>, classNames: Array<string | null>): Promise<ApiQuotaClass[]> {
  const named = [...new Set(classNames.filter((c): c is string => c !== null))];
  const withNull = classNames.includes(null);
  if (named.length === 0 && !withNull) return [];
  return db
    .selectFrom('quota_classes')
    .select(['class_name', 'resource', 'hard_limit'])
    .where((eb) => eb.or([...(named.length ? [eb('class_name', 'in', named)] : []), ...(withNull ? [eb('class_name', 'is', null)] : [])]))
    .execute();
}

/**
 * Inserts quota class rows as given. The table has no unique key: the caller checks for existing
 * (class_name, resource) pairs first, in the same unit of work, under a named lock.
 */
export async function insertQuotaClasses(tx: Tx<ApiDatabase>, rows: NewQuotaClassesRow[]): Promise<number> {
  if (rows.length) await tx.insertInto('quota_classes').values(rows).execute();
  return rows.length;
}
