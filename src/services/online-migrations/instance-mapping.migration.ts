/**
 * Nova's two migrations of instance_mappings that read the instances in the cells:
 * `populate_queued_for_delete` (the mapping's queued_for_delete from its instance's state) and
 * `populate_user_id` (the instance's user_id copied to its mapping). Per cell, the mappings still
 * NULL are walked in id order, chunk by chunk, and their instances looked up in the cell; each
 * chunk's writes are one API transaction, guarded so that a value set meanwhile is kept. A mapping
 * that can never be given a user_id is counted once by its reason and left alone, so it never makes
 * a run loop nor keeps another mapping from being migrated (Nova's queries have no ORDER BY).
 * A run of both without --max-count walks the mappings once for both (populateMappingsTogether).
 */
import {
  countCellessMappingsToPopulate,
  listMappingsToPopulate,
  listMappingsToPopulateEither,
  setMappingUserIds,
  setQueuedForDelete,
  type MappingColumnToPopulate,
  type MappingToPopulate,
} from '../../db/api/instance-mapping.repository';
import { findArchivedInstanceUuids, findInstancesForPopulate, type InstanceForPopulate } from '../../db/cell/instance.repository';
import { toDbTimestamp } from '../../db/dialect';
import { inTransaction } from '../../db/unit-of-work';
import { isHiddenInstance, isQueuedForDelete, NOVA_VIF_MARKER_PROJECT } from '../../domain/instance-state';
import type { UnmigratableReason } from '../../domain/online-migrations';
import type { CellMigrationContext, OnlineMigration, UnmappedMigrationContext } from './migration';

/** Mappings read (and at most written) per step: one API transaction each. */
export const MAPPING_MIGRATION_CHUNK = 10_000;

/**
 * Walks the mappings of the context's cell whose `column` is NULL, in id order, handing each
 * chunk to `step`; calls progress after each.
 */
async function walkMappings(ctx: CellMigrationContext, column: MappingColumnToPopulate, step: (mappings: MappingToPopulate[]) => Promise<void>): Promise<void> {
  for (let after = 0; ; ) {
    const mappings = await listMappingsToPopulate(ctx.api.db, column, ctx.cell.id, after, MAPPING_MIGRATION_CHUNK);
    if (mappings.length === 0) return;
    after = (mappings[mappings.length - 1] as MappingToPopulate).id;
    ctx.counts.found += mappings.length;
    await step(mappings);
    ctx.progress();
  }
}

/** The cell's instances of these mappings, by UUID (deleted and hidden ones included). */
async function instancesOf(ctx: CellMigrationContext, mappings: MappingToPopulate[]): Promise<Map<string, InstanceForPopulate>> {
  const rows = await findInstancesForPopulate(ctx.cellDb.db, mappings.map((m) => m.instance_uuid));
  return new Map(rows.map((r) => [r.uuid, r]));
}

/**
 * Takes budget for `migratable` rows and writes those granted with `write` (which returns how many
 * it changed); a row another run migrated meanwhile was not found after all, and its budget goes back.
 */
async function spend<T>(ctx: CellMigrationContext, migratable: T[], write: (rows: T[]) => Promise<number>): Promise<void> {
  const granted = ctx.status ? 0 : ctx.budget.take(migratable.length);
  ctx.counts.remaining += migratable.length - granted;
  if (granted === 0) return;
  const written = await write(migratable.slice(0, granted));
  ctx.counts.migrated += written;
  ctx.counts.found -= granted - written;
  ctx.budget.giveBack(granted - written);
}

/** Adds `n` rows to the unmigratable count of `reason`. */
function unmigratable(counts: CellMigrationContext['counts'] | UnmappedMigrationContext['counts'], reason: UnmigratableReason, n = 1): void {
  if (n > 0) counts.unmigratable[reason] = (counts.unmigratable[reason] ?? 0) + n;
}

/**
 * `populate_queued_for_delete`: 1 where the mapping's instance exists, is not hidden, and is
 * deleted (`deleted = id`) or soft-deleted; 0 otherwise (live, hidden, archived or missing), as
 * Nova decides it. Mappings with no cell are unmigratable (`no-cell`).
 */
export const populateQueuedForDelete: OnlineMigration = {
  name: 'populate_queued_for_delete',
  origin: 'nova',
  summary: "set instance mappings' queued_for_delete from their instances' state",
  async migrateCell(ctx) {
    await walkMappings(ctx, 'queued_for_delete', (mappings) =>
      spend(ctx, mappings, async (chosen) => {
        const instances = await instancesOf(ctx, chosen);
        const queued: number[] = [];
        const kept: number[] = [];
        for (const m of chosen) {
          const instance = instances.get(m.instance_uuid);
          (instance && isQueuedForDelete(instance) ? queued : kept).push(m.id);
        }
        const now = toDbTimestamp(ctx.now());
        return inTransaction(ctx.api, async (tx) => (await setQueuedForDelete(tx, queued, 1, now)) + (await setQueuedForDelete(tx, kept, 0, now)), { retry: true });
      }),
    );
  },
  async countUnmapped(ctx) {
    const { total } = await countCellessMappingsToPopulate(ctx.api.db, 'queued_for_delete', NOVA_VIF_MARKER_PROJECT);
    ctx.counts.found += total;
    unmigratable(ctx.counts, 'no-cell', total);
  },
};

/**
 * Why a mapping can never be given its instance's user_id, or undefined when it can: the
 * instance row (undefined when the cell has none) and whether the cell's archive holds it.
 */
function userIdBlocker(mapping: MappingToPopulate, instance: InstanceForPopulate | undefined, archived: boolean): UnmigratableReason | undefined {
  if (mapping.project_id === NOVA_VIF_MARKER_PROJECT) return 'nova-vif-marker';
  if (!instance) return archived ? 'archived' : 'instance-missing';
  if (isHiddenInstance(instance)) return 'hidden-instance';
  if (instance.user_id === null) return 'instance-user-id-null';
  return undefined;
}

/**
 * `populate_user_id`: the instance's user_id (live, deleted or soft-deleted; never a hidden copy)
 * copied to its mapping. Unmigratable: Nova's VIF marker mapping, a hidden, archived or missing
 * instance, an instance without user_id, a mapping with no cell.
 */
export const populateUserId: OnlineMigration = {
  name: 'populate_user_id',
  origin: 'nova',
  summary: "copy each instance's user_id to its instance mapping",
  async migrateCell(ctx) {
    await walkMappings(ctx, 'user_id', async (mappings) => {
      const candidates = mappings.filter((m) => m.project_id !== NOVA_VIF_MARKER_PROJECT);
      const instances = await instancesOf(ctx, candidates);
      const unanswered = candidates.filter((m) => !instances.has(m.instance_uuid)).map((m) => m.instance_uuid);
      const archived = unanswered.length ? await findArchivedInstanceUuids(ctx.cellDb.db, unanswered) : new Set<string>();
      const migratable: Array<[number, string]> = [];
      for (const m of mappings) {
        const instance = instances.get(m.instance_uuid);
        const blocker = userIdBlocker(m, instance, archived.has(m.instance_uuid));
        if (blocker) unmigratable(ctx.counts, blocker);
        else migratable.push([m.id, (instance as InstanceForPopulate).user_id as string]);
      }
      await spend(ctx, migratable, (chosen) => {
        const now = toDbTimestamp(ctx.now());
        const rows = chosen.map(([id, user]): [number, string, string] => [id, user, now]);
        return inTransaction(ctx.api, (tx) => setMappingUserIds(tx, ctx.api.adapter, rows), { retry: true });
      });
    });
  },
  async countUnmapped(ctx) {
    const { total, ofProject } = await countCellessMappingsToPopulate(ctx.api.db, 'user_id', NOVA_VIF_MARKER_PROJECT);
    ctx.counts.found += total;
    unmigratable(ctx.counts, 'nova-vif-marker', ofProject);
    unmigratable(ctx.counts, 'no-cell', total - ofProject);
  },
};

/**
 * `populate_queued_for_delete` and `populate_user_id` in one walk, for a run that selects both and
 * has no --max-count (a limited budget is spent in registry order, by the separate walks): the
 * mappings missing either value are read once, their instances looked up once, and both guarded
 * writes of a chunk made in one API transaction. Each migration keeps its own counts; the rows and
 * values written are the separate walks' (re-runnable, and a value set meanwhile is kept).
 */
export async function populateMappingsTogether(queued: CellMigrationContext, user: CellMigrationContext): Promise<void> {
  for (let after = 0; ; ) {
    const mappings = await listMappingsToPopulateEither(queued.api.db, queued.cell.id, after, MAPPING_MIGRATION_CHUNK);
    if (mappings.length === 0) return;
    after = (mappings[mappings.length - 1] as MappingToPopulate).id;
    const needQueued = mappings.filter((m) => m.queued_for_delete === null);
    const needUser = mappings.filter((m) => m.user_id === null);
    queued.counts.found += needQueued.length;
    user.counts.found += needUser.length;

    // Nova's VIF marker mapping has no instance to give it a user_id (its queued_for_delete is still looked up).
    const instances = await instancesOf(queued, mappings.filter((m) => m.queued_for_delete === null || m.project_id !== NOVA_VIF_MARKER_PROJECT));
    const unanswered = needUser.filter((m) => m.project_id !== NOVA_VIF_MARKER_PROJECT && !instances.has(m.instance_uuid)).map((m) => m.instance_uuid);
    const archived = unanswered.length ? await findArchivedInstanceUuids(queued.cellDb.db, unanswered) : new Set<string>();
    const users: Array<[number, string]> = [];
    for (const m of needUser) {
      const instance = instances.get(m.instance_uuid);
      const blocker = userIdBlocker(m, instance, archived.has(m.instance_uuid));
      if (blocker) unmigratable(user.counts, blocker);
      else users.push([m.id, (instance as InstanceForPopulate).user_id as string]);
    }

    const queuedGranted = queued.status ? 0 : queued.budget.take(needQueued.length);
    const userGranted = user.status ? 0 : user.budget.take(users.length);
    queued.counts.remaining += needQueued.length - queuedGranted;
    user.counts.remaining += users.length - userGranted;
    if (queuedGranted + userGranted > 0) {
      const toQueue: number[] = [];
      const toKeep: number[] = [];
      for (const m of needQueued.slice(0, queuedGranted)) {
        const instance = instances.get(m.instance_uuid);
        (instance && isQueuedForDelete(instance) ? toQueue : toKeep).push(m.id);
      }
      const now = toDbTimestamp(queued.now());
      const userRows = users.slice(0, userGranted).map(([id, userId]): [number, string, string] => [id, userId, now]);
      const [queuedWritten, userWritten] = await inTransaction(
        queued.api,
        async (tx) => [
          (await setQueuedForDelete(tx, toQueue, 1, now)) + (await setQueuedForDelete(tx, toKeep, 0, now)),
          userRows.length ? await setMappingUserIds(tx, queued.api.adapter, userRows) : 0,
        ],
        { retry: true },
      );
      for (const [ctx, granted, written] of [[queued, queuedGranted, queuedWritten], [user, userGranted, userWritten]] as const) {
        ctx.counts.migrated += written;
        ctx.counts.found -= granted - written;
        ctx.budget.giveBack(granted - written);
      }
    }
    queued.progress();
    user.progress();
  }
}
