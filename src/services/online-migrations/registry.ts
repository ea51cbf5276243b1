/** Every online data migration cellctl runs, in the order it runs them (Nova's registry order, then cellctl's). */
import { populateMissingAvailabilityZones } from './availability-zones.migration';
import { migrateEmptyRatio } from './empty-ratio.migration';
import { migrateInstanceGroupsToApiDb } from './instance-groups.migration';
import { populateMappingsTogether, populateQueuedForDelete, populateUserId } from './instance-mapping.migration';
import type { CellMigrationContext, FusedMigrations, OnlineMigration } from './migration';
import { migrateQuotaClassesToApiDb, migrateQuotaLimitsToApiDb } from './quotas.migration';
import { migrationMigrateToUuid, populateDevUuids, populateUuids } from './uuid-backfill.migration';
import { fillVirtualInterfaceList } from './vif-list.migration';

export const ONLINE_MIGRATIONS: readonly OnlineMigration[] = [
  migrateQuotaLimitsToApiDb,
  migrateQuotaClassesToApiDb,
  migrationMigrateToUuid,
  populateUuids,
  populateMissingAvailabilityZones,
  populateQueuedForDelete,
  migrateEmptyRatio,
  fillVirtualInterfaceList,
  populateUserId,
  populateDevUuids,
  // cellctl's own, after Nova's ten.
  migrateInstanceGroupsToApiDb,
];

/** Migrations that share one walk when a run selects them all and has no --max-count. */
export const FUSED_MIGRATIONS: readonly FusedMigrations[] = [
  {
    // Both read the cell's mappings and their instances: one read, one lookup, two guarded writes per chunk.
    names: [populateQueuedForDelete.name, populateUserId.name],
    migrateCell: (ctxs) => {
      const [queued, user] = ctxs as [CellMigrationContext, CellMigrationContext];
      return populateMappingsTogether(queued, user);
    },
  },
];
