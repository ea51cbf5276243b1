/** Every online data migration cellctl runs, in the order it runs them (Nova's registry order, then cellctl's). */
import { populateMissingAvailabilityZones } from './availability-zones.migration';
import { migrateEmptyRatio } from './empty-ratio.migration';
import { migrateInstanceGroupsToApiDb } from './instance-groups.migration';
import { populateQueuedForDelete, populateUserId } from './instance-mapping.migration';
import type { OnlineMigration } from './migration';
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
