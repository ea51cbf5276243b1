/** Every online data migration cellctl runs, in the order it runs them (Nova's registry order, then cellctl's). */
import { populateQueuedForDelete, populateUserId } from './instance-mapping.migration';
import type { OnlineMigration } from './migration';
import { migrationMigrateToUuid, populateDevUuids, populateUuids } from './uuid-backfill.migration';

export const ONLINE_MIGRATIONS: readonly OnlineMigration[] = [
  migrationMigrateToUuid,
  populateUuids,
  populateQueuedForDelete,
  populateUserId,
  populateDevUuids,
];
