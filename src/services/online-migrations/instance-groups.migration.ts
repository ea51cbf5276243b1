/**
 * `migrate_instance_groups_to_api_db`, cellctl's own migration (Nova had it from Newton to Queens
 * and removed it in Rocky; Nova 26 never reads a group that is still in a cell database): each live
 * legacy group of a cell is created in the API database with its lowest-id live policy (rules NULL)
 * and its live members (instance_id becomes instance_uuid, each once), then soft-deleted in the cell
 * with its policies and members, as Nova did. A group whose UUID the API database already has is
 * not copied nor merged: the API copy wins, the cell copy is soft-deleted, and a notice names it.
 *
 * Not atomic across the two databases, and safe to repeat: a run stopped after the API commit leaves
 * the cell rows live, and the next run finds their UUIDs in the API database and only soft-deletes.
 */
import { findGroupUuids, insertGroups } from '../../db/api/instance-group.repository';
import { listLiveGroupsAfter, softDeleteGroups, withContent } from '../../db/cell/legacy-instance-group.repository';
import { inTransaction } from '../../db/unit-of-work';
import { cellRef } from '../cell-lookup.service';
import type { CellMigrationContext, OnlineMigration } from './migration';

/** Legacy groups read and migrated per step (with their policies and members). */
export const INSTANCE_GROUP_CHUNK = 500;

/** The API database's named lock around the check-then-insert of groups (concurrent cells and runs). */
export const INSTANCE_GROUPS_LOCK = 'instance-groups';

/** `migrate_instance_groups_to_api_db`: found = live legacy groups; migrated = groups soft-deleted in the cell. */
export const migrateInstanceGroupsToApiDb: OnlineMigration = {
  name: 'migrate_instance_groups_to_api_db',
  origin: 'cellctl',
  summary: 'move instance groups left in cell databases (before Rocky) to the API database',
  async migrateCell(ctx: CellMigrationContext): Promise<void> {
    const { cellDb, api, counts } = ctx;
    for (let after = 0; ; ) {
      const groups = await listLiveGroupsAfter(cellDb.db, after, INSTANCE_GROUP_CHUNK);
      if (groups.length === 0) return;
      after = groups[groups.length - 1]!.id;
      counts.found += groups.length;
      const granted = ctx.status ? 0 : ctx.budget.take(groups.length);
      counts.remaining += groups.length - granted;
      if (ctx.status) {
        const inApi = await findGroupUuids(api.db, groups.map((g) => g.uuid));
        const kept = groups.filter((g) => inApi.has(g.uuid)).map((g) => g.uuid);
        if (kept.length) ctx.notice({ kind: 'instance-groups-already-in-api', cell: cellRef(ctx.cell), groups: kept, status: true });
      }
      if (granted > 0) {
        const chunk = await withContent(cellDb.db, groups.slice(0, granted));
        const now = ctx.now();
        const kept = await inTransaction(
          api,
          async (tx) => {
            const existing = await findGroupUuids(tx, chunk.map((g) => g.uuid));
            await insertGroups(
              tx,
              chunk.filter((g) => !existing.has(g.uuid)).map((g) => ({ uuid: g.uuid, name: g.name, project_id: g.project_id, user_id: g.user_id, policy: g.policy, members: g.members })),
              now,
            );
            return chunk.filter((g) => existing.has(g.uuid)).map((g) => g.uuid);
          },
          { lock: INSTANCE_GROUPS_LOCK, retry: true },
        );
        const deleted = await inTransaction(cellDb, (tx) => softDeleteGroups(tx, chunk.map((g) => g.id), now), { retry: true });
        // A group soft-deleted meanwhile by another run needs no migration any more: it was not found.
        counts.migrated += deleted;
        counts.found -= granted - deleted;
        ctx.budget.giveBack(granted - deleted);
        if (kept.length) ctx.notice({ kind: 'instance-groups-already-in-api', cell: cellRef(ctx.cell), groups: kept, status: false });
      }
      ctx.progress();
    }
  },
};
