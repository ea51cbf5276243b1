/**
 * Nova's three UUID back-fills: `migration_migrate_to_uuid` (live rows of `migrations`),
 * `populate_uuids` (every row of `block_device_mapping`, deleted ones too) and `populate_dev_uuids`
 * (every row of `pci_devices`). Each row without a UUID gets a random one (version 4, as Nova's
 * uuidutils) and `updated_at = now`, as Nova's ORM save does; nothing is ever unmigratable.
 */
import { randomUUID } from 'node:crypto';
import { listIdsWithoutUuid, setUuids, type UuidBackfillTable } from '../../db/cell/uuid-backfill.repository';
import { toDbTimestamp } from '../../db/dialect';
import { inTransaction } from '../../db/unit-of-work';
import type { MigrationName } from '../../domain/online-migrations';
import type { CellMigrationContext, OnlineMigration } from './migration';

/** Rows read and written per step. */
export const UUID_BACKFILL_CHUNK = 10_000;

function uuidBackfill(name: MigrationName, table: UuidBackfillTable, liveOnly: boolean, summary: string): OnlineMigration {
  return {
    name,
    origin: 'nova',
    summary,
    async migrateCell(ctx: CellMigrationContext): Promise<void> {
      const { cellDb, counts } = ctx;
      for (let after = 0; ; ) {
        const ids = await listIdsWithoutUuid(cellDb.db, table, { liveOnly }, after, UUID_BACKFILL_CHUNK);
        if (ids.length === 0) return;
        after = ids[ids.length - 1] as number;
        counts.found += ids.length;
        const granted = ctx.status ? 0 : ctx.budget.take(ids.length);
        counts.remaining += ids.length - granted;
        if (granted > 0) {
          const now = toDbTimestamp(ctx.now());
          const rows = ids.slice(0, granted).map((id): [number, string, string] => [id, randomUUID(), now]);
          const filled = await inTransaction(cellDb, (tx) => setUuids(tx, cellDb.adapter, table, rows), { retry: true });
          // A row another run filled meanwhile needs no migration any more: it was not found.
          counts.migrated += filled;
          counts.found -= granted - filled;
          ctx.budget.giveBack(granted - filled);
        }
        ctx.progress();
      }
    },
  };
}

/** `migration_migrate_to_uuid`: live `migrations` rows without a UUID. */
export const migrationMigrateToUuid = uuidBackfill('migration_migrate_to_uuid', 'migrations', true, 'give live migrations records a UUID');
/** `populate_uuids`: block device mappings without a UUID, deleted ones included (as Nova). */
export const populateUuids = uuidBackfill('populate_uuids', 'block_device_mapping', false, 'give block device mappings a UUID');
/** `populate_dev_uuids`: PCI devices without a UUID, deleted ones included (as Nova). */
export const populateDevUuids = uuidBackfill('populate_dev_uuids', 'pci_devices', false, 'give PCI devices a UUID');
