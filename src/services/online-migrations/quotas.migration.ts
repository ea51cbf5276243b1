/**
 * Nova's two quota migrations: `migrate_quota_limits_to_api_db` (live `quotas` and
 * `project_user_quotas` rows of a cell) and `migrate_quota_classes_to_api_db` (live
 * `quota_classes`) move each row to the API database, then soft-delete it in the cell.
 *
 * Not atomic across the two databases, and idempotent instead: each chunk is written to the API
 * database first (rows whose key is there already are skipped), then, in a second unit of work,
 * the cell rows whose key the API database now holds are soft-deleted. A run killed in between is
 * completed by the next one. Unlike Nova, a cell row is never soft-deleted unless its key is in
 * the API database, so no limit is lost; where the API database holds another value for a key,
 * the API's is kept (Nova reads API values over the cell's) and reported as an `api-value-kept` notice.
 */
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../db/api/api-tables.generated';
import { newProjectUserQuotaRow, newQuotaClassRow, newQuotaRow } from '../../db/api/new-api-rows';
import {
  findProjectLimits,
  findQuotaClasses,
  findUserLimits,
  insertProjectLimitsIgnoringExisting,
  insertProjectlessLimitsIfAbsent,
  insertQuotaClasses,
  insertUserLimitsIgnoringExisting,
} from '../../db/api/quota.repository';
import type { CellDatabase } from '../../db/cell/cell-tables.generated';
import {
  listLiveProjectLimitsAfter,
  listLiveQuotaClassesAfter,
  listLiveUserLimitsAfter,
  softDeleteLiveRows,
  type CellProjectLimit,
  type CellQuotaClass,
  type CellQuotaTable,
  type CellUserLimit,
} from '../../db/cell/quota.repository';
import { toDbTimestamp } from '../../db/dialect';
import type { DialectAdapter } from '../../db/dialect-adapter';
import { inTransaction, type Tx } from '../../db/unit-of-work';
import { generalCiKey } from '../../domain/collation';
import type { KeptApiValue, MigrationName } from '../../domain/online-migrations';
import type { CellMigrationContext, OnlineMigration } from './migration';

/** Rows read and moved per step (Nova: its batch of 50). */
export const QUOTA_CHUNK = 1000;

/** How many kept API values one notice lists (it counts them all). */
export const KEPT_EXAMPLES = 10;

/**
 * Resources Nova keeps per project only (`PER_PROJECT_QUOTAS`, nova/db/main/api.py): a per-user
 * limit of one of them becomes the project's limit in the API database, its user dropped.
 */
export const PER_PROJECT_RESOURCES: readonly string[] = ['fixed_ips', 'floating_ips', 'networks'];

/** A cell row on its way to the API database: where it goes and the key it is found by there. */
interface Move {
  id: number;
  hardLimit: number | null;
  /** The API row's identity (what its table's unique key compares, NULLs included). */
  apiKey: string;
  /** The cell row's natural key, for the kept-value notice. */
  key: Record<string, string | null>;
}

/** What a migration does with one cell table. */
interface QuotaTableMove<Row extends { id: number }> {
  table: CellQuotaTable;
  list(db: Kysely<CellDatabase>, afterId: number, limit: number): Promise<Row[]>;
  move(row: Row): Move;
  /** The named lock the API unit of work must hold for these rows, if any. */
  lock(rows: Row[]): string | undefined;
  /** Writes the rows missing in the API database; returns the API's values of the rows' keys, by apiKey. */
  writeApi(tx: Tx<ApiDatabase>, adapter: DialectAdapter, rows: Row[], now: string): Promise<Map<string, number | null>>;
}

const projectKey = (projectId: string | null, resource: string): string => JSON.stringify(['quotas', projectId, resource]);
const userKey = (userId: string, projectId: string, resource: string): string => JSON.stringify(['project_user_quotas', userId, projectId, resource]);
const classKey = (className: string | null, resource: string | null): string => JSON.stringify(['quota_classes', className, resource]);

/** Whether Nova's `_create_limit_in_db` keeps a per-user row per user (an empty user_id counts as none, as in Nova). */
const perUser = (row: { user_id: string; resource: string }): boolean => Boolean(row.user_id) && !PER_PROJECT_RESOURCES.includes(row.resource);

/** Limits given as (project_id, resource, hard_limit) go to API `quotas`; returns the API's values of their keys. */
async function writeProjectLimits(
  tx: Tx<ApiDatabase>,
  adapter: DialectAdapter,
  limits: Array<{ project_id: string | null; resource: string; hard_limit: number | null }>,
  now: string,
): Promise<Map<string, number | null>> {
  const rows = limits.map((l) => newQuotaRow({ project_id: l.project_id, resource: l.resource, hard_limit: l.hard_limit }, now));
  await insertProjectLimitsIgnoringExisting(tx, adapter, rows.filter((r) => r.project_id !== null));
  await insertProjectlessLimitsIfAbsent(tx, rows.filter((r) => r.project_id === null));
  const values = new Map<string, number | null>();
  for (const r of await findProjectLimits(tx, limits.map((l) => l.project_id))) values.set(projectKey(r.project_id, r.resource), r.hard_limit);
  return values;
}

// NOTE: a project limit without a project (project_id NULL) is checked for, then inserted, under
// this lock: the unique key of API `quotas` never matches NULL, so insert-ignore would duplicate it.
const LIMITS_LOCK = 'quota-limits';

const projectLimits: QuotaTableMove<CellProjectLimit> = {
  table: 'quotas',
  list: listLiveProjectLimitsAfter,
  move: (r) => ({ id: r.id, hardLimit: r.hard_limit, apiKey: projectKey(r.project_id, r.resource), key: { project_id: r.project_id, resource: r.resource } }),
  lock: (rows) => (rows.some((r) => r.project_id === null) ? LIMITS_LOCK : undefined),
  writeApi: (tx, adapter, rows, now) => writeProjectLimits(tx, adapter, rows, now),
};

const userLimits: QuotaTableMove<CellUserLimit> = {
  table: 'project_user_quotas',
  list: listLiveUserLimitsAfter,
  move: (r) => ({
    id: r.id,
    hardLimit: r.hard_limit,
    apiKey: perUser(r) ? userKey(r.user_id, r.project_id, r.resource) : projectKey(r.project_id, r.resource),
    key: { project_id: r.project_id, user_id: r.user_id, resource: r.resource },
  }),
  // project_id is NOT NULL in project_user_quotas: no row of it goes to API quotas without a project.
  lock: () => undefined,
  async writeApi(tx, adapter, rows, now) {
    const values = await writeProjectLimits(tx, adapter, rows.filter((r) => !perUser(r)), now);
    const users = rows.filter(perUser);
    const inserted = users.map((r) => newProjectUserQuotaRow({ user_id: r.user_id, project_id: r.project_id, resource: r.resource, hard_limit: r.hard_limit }, now));
    await insertUserLimitsIgnoringExisting(tx, adapter, inserted);
    for (const r of await findUserLimits(tx, users.map((u) => u.project_id))) values.set(userKey(r.user_id, r.project_id, r.resource), r.hard_limit);
    return values;
  },
};

// NOTE: API quota_classes has no unique key: every writer checks, then inserts, under this lock
// (MySQL GET_LOCK; on Galera it is local to one node, so run the migration against one node).
const CLASSES_LOCK = 'quota-classes';

const quotaClasses: QuotaTableMove<CellQuotaClass> = {
  table: 'quota_classes',
  list: listLiveQuotaClassesAfter,
  move: (r) => ({ id: r.id, hardLimit: r.hard_limit, apiKey: classKey(r.class_name, r.resource), key: { class_name: r.class_name, resource: r.resource } }),
  lock: () => CLASSES_LOCK,
  async writeApi(tx, _adapter, rows, now) {
    const values = new Map<string, number | null>();
    for (const r of await findQuotaClasses(tx, rows.map((c) => c.class_name))) values.set(classKey(r.class_name, r.resource), r.hard_limit);
    const missing = [];
    for (const r of rows) {
      const key = classKey(r.class_name, r.resource);
      if (values.has(key)) continue;
      values.set(key, r.hard_limit);
      missing.push(newQuotaClassRow({ class_name: r.class_name, resource: r.resource, hard_limit: r.hard_limit }, now));
    }
    await insertQuotaClasses(tx, missing);
    return values;
  },
};

/**
 * Finds the API value of a key: the row with exactly that key, else one the database compares
 * equal to it. MySQL's collation of these tables (utf8mb3_general_ci) makes `P1` and `p1 ` the same
 * key, so insert-ignore skips the one and the other is what Nova reads for it; SQLite compares
 * exactly, so there the exact row always exists.
 */
function apiValueLookup(values: Map<string, number | null>): (apiKey: string) => number | null | undefined {
  const fold = (key: string): string => JSON.stringify((JSON.parse(key) as Array<string | null>).map((v) => (v === null ? v : generalCiKey(v))));
  const folded = new Map<string, number | null>();
  for (const [key, value] of values) if (!folded.has(fold(key))) folded.set(fold(key), value);
  return (apiKey) => (values.has(apiKey) ? values.get(apiKey) : folded.get(fold(apiKey)));
}

/**
 * Walks the live rows of one cell table in id order, chunk by chunk: writes up to the budget's
 * grant to the API database, then soft-deletes the granted rows whose key it holds. Adds to the
 * counts as it goes; collects the rows whose API value differs into `kept`.
 */
async function moveTable<Row extends { id: number }>(ctx: CellMigrationContext, spec: QuotaTableMove<Row>, kept: KeptApiValue[]): Promise<void> {
  const { api, cellDb, counts } = ctx;
  for (let after = 0; ; ) {
    const rows = await spec.list(cellDb.db, after, QUOTA_CHUNK);
    if (rows.length === 0) return;
    after = rows[rows.length - 1].id;
    counts.found += rows.length;
    const granted = ctx.status ? 0 : ctx.budget.take(rows.length);
    counts.remaining += rows.length - granted;
    if (granted > 0) {
      const batch = rows.slice(0, granted);
      const now = toDbTimestamp(ctx.now());
      const apiValues = await inTransaction(api, (tx) => spec.writeApi(tx, api.adapter, batch, now), { lock: spec.lock(batch), retry: true });
      const moves = batch.map((r) => spec.move(r));
      // NOTE: only a row whose key the API database holds after the commit is soft-deleted (Nova
      // soft-deletes a whole batch even when its API inserts rolled back, and loses those limits).
      const apiValue = apiValueLookup(apiValues);
      const present = moves.filter((m) => apiValue(m.apiKey) !== undefined);
      const deleted = new Set(await inTransaction(cellDb, (tx) => softDeleteLiveRows(tx, cellDb.adapter, spec.table, present.map((m) => m.id), now), { retry: true }));
      counts.migrated += deleted.size;
      // A row another run soft-deleted meanwhile needed no migration: it was not found. A row whose
      // key is not in the API database (cannot happen but by a key the database compares otherwise) stays.
      counts.found -= present.length - deleted.size;
      counts.remaining += granted - present.length;
      ctx.budget.giveBack(granted - deleted.size);
      for (const m of present) {
        const apiLimit = apiValue(m.apiKey) ?? null;
        if (deleted.has(m.id) && apiLimit !== m.hardLimit) kept.push({ table: spec.table, cellId: m.id, key: m.key, cellLimit: m.hardLimit, apiLimit });
      }
    }
    ctx.progress();
  }
}

/** One step of a quota migration: the walk of one cell table. */
type QuotaStep = (ctx: CellMigrationContext, kept: KeptApiValue[]) => Promise<void>;

function quotaMigration(name: MigrationName, steps: QuotaStep[], summary: string): OnlineMigration {
  return {
    name,
    origin: 'nova',
    summary,
    async migrateCell(ctx: CellMigrationContext): Promise<void> {
      const kept: KeptApiValue[] = [];
      try {
        for (const step of steps) await step(ctx, kept);
      } finally {
        if (kept.length) ctx.notice?.({ kind: 'api-value-kept', migration: name, cell: ctx.cell, count: kept.length, examples: kept.slice(0, KEPT_EXAMPLES) });
      }
    },
  };
}

/** `migrate_quota_limits_to_api_db`: a cell's live per-project limits, then its per-user limits. */
export const migrateQuotaLimitsToApiDb = quotaMigration(
  'migrate_quota_limits_to_api_db',
  [(ctx, kept) => moveTable(ctx, projectLimits, kept), (ctx, kept) => moveTable(ctx, userLimits, kept)],
  "move the cell databases' quota limits to the API database",
);

/** `migrate_quota_classes_to_api_db`: a cell's live quota classes. */
export const migrateQuotaClassesToApiDb = quotaMigration('migrate_quota_classes_to_api_db', [(ctx, kept) => moveTable(ctx, quotaClasses, kept)], "move the cell databases' quota classes to the API database");
