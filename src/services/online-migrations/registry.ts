/** Every online data migration cellctl runs, in the order it runs them (Nova's registry order, then cellctl's). */
import type { OnlineMigration } from './migration';
import { migrateInstanceGroupsToApiDb } from './instance-groups.migration';
import { migrationMigrateToUuid, populateDevUuids, populateUuids } from './uuid-backfill.migration';

export const ONLINE_MIGRATIONS: readonly OnlineMigration[] = [
  migrationMigrateToUuid,
  populateUuids,
  populateDevUuids,
  // cellctl's own, after Nova's ten.
  migrateInstanceGroupsToApiDb,
];
