/**
 * Nova's `populate_missing_availability_zones`: every instance with a host and no availability zone
 * (deleted and hidden ones too, as Nova) gets its host's zone: the `availability_zone` of an
 * aggregate the host is in (the lowest aggregate id when several have one), else
 * `[DEFAULT] default_availability_zone` ('nova'); `updated_at = now`, as Nova's save. An instance
 * whose host is '' has no zone to take: Nova counts it migrated without writing it (and its
 * unlimited run never ends); cellctl counts it once as unmigratable (`empty-host`).
 */
import type { Kysely } from 'kysely';
import { findAvailabilityZoneOfHost } from '../../db/api/aggregate.repository';
import type { ApiDatabase } from '../../db/api/api-tables.generated';
import type { DatabaseHandle } from '../../db/connection';
import { listInstancesWithoutZone, setAvailabilityZone } from '../../db/cell/instance.repository';
import { toDbTimestamp } from '../../db/dialect';
import { inTransaction } from '../../db/unit-of-work';
import type { CellMigrationContext, OnlineMigration } from './migration';

/** Instances read and written per step. */
export const AVAILABILITY_ZONE_CHUNK = 10_000;

/** Nova's `[DEFAULT] default_availability_zone` when it is not configured. */
export const DEFAULT_AVAILABILITY_ZONE = 'nova';

type HostZones = Map<string, Promise<string | undefined>>;

/**
 * The zones of hosts found so far in a run, per API database handle (one per run): asked once per
 * host name as stored in the instance, so that the API database compares it as Nova's query does.
 */
const zonesByRun = new WeakMap<DatabaseHandle<ApiDatabase>, HostZones>();

function hostZones(api: DatabaseHandle<ApiDatabase>): (db: Kysely<ApiDatabase>, host: string) => Promise<string | undefined> {
  let zones = zonesByRun.get(api);
  if (!zones) zonesByRun.set(api, (zones = new Map()));
  const cache = zones;
  return (db, host) => {
    let zone = cache.get(host);
    if (!zone) {
      zone = findAvailabilityZoneOfHost(db, host);
      cache.set(host, zone);
      zone.catch(() => cache.delete(host));
    }
    return zone;
  };
}

/** `populate_missing_availability_zones`: instances with a host and no availability zone. */
export const populateMissingAvailabilityZones: OnlineMigration = {
  name: 'populate_missing_availability_zones',
  origin: 'nova',
  summary: "give instances with a host their host's availability zone (from the aggregates, else the default zone)",
  async migrateCell(ctx: CellMigrationContext): Promise<void> {
    const { cellDb, counts } = ctx;
    const defaultZone = ctx.setting('DEFAULT', 'default_availability_zone') ?? DEFAULT_AVAILABILITY_ZONE;
    const zoneOf = hostZones(ctx.api);
    for (let after = 0; ; ) {
      const rows = await listInstancesWithoutZone(cellDb.db, after, AVAILABILITY_ZONE_CHUNK);
      if (rows.length === 0) return;
      after = (rows[rows.length - 1] as { id: number }).id;
      counts.found += rows.length;
      // NOTE: exactly '', as Nova's `if not host` (SQL would also match blanks under MySQL's PAD SPACE).
      const migratable = rows.filter((r) => r.host !== '');
      const empty = rows.length - migratable.length;
      if (empty > 0) counts.unmigratable['empty-host'] = (counts.unmigratable['empty-host'] ?? 0) + empty;
      const granted = ctx.status ? 0 : ctx.budget.take(migratable.length);
      counts.remaining += migratable.length - granted;
      if (granted > 0) {
        const byZone = new Map<string, number[]>();
        for (const row of migratable.slice(0, granted)) {
          const zone = (await zoneOf(ctx.api.db, row.host)) ?? defaultZone;
          const ids = byZone.get(zone);
          if (ids) ids.push(row.id);
          else byZone.set(zone, [row.id]);
        }
        const now = toDbTimestamp(ctx.now());
        const filled = await inTransaction(
          cellDb,
          async (tx) => {
            let n = 0;
            for (const [zone, ids] of byZone) n += await setAvailabilityZone(tx, ids, zone, now);
            return n;
          },
          { retry: true },
        );
        // An instance another run filled meanwhile needs no migration any more: it was not found.
        counts.migrated += filled;
        counts.found -= granted - filled;
        ctx.budget.giveBack(granted - filled);
      }
      ctx.progress();
    }
  },
};
