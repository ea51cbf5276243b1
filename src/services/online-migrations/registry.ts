/** Every online data migration cellctl runs, in the order it runs them (Nova's registry order, then cellctl's). */
import type { OnlineMigration } from './migration';
import { migrateQuotaClassesToApiDb, migrateQuotaLimitsToApiDb } from './quotas.migration';
import { migrationMigrateToUuid, populateDevUuids, populateUuids } from './uuid-backfill.migration';

export const ONLINE_MIGRATIONS: readonly OnlineMigration[] = [
  migrateQuotaLimitsToApiDb,
  migrateQuotaClassesToApiDb,
  migrationMigrateToUuid,
  populateUuids,
  populateDevUuids,
];
