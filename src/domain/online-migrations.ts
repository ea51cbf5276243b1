/**
 * Online data migrations as data: their names in the order they run, the counts each reports per
 * cell, and the reasons a row can never be migrated. The migrations themselves are services.
 */

/** Nova 26's online data migrations, in the order of Nova's registry (the order they run in). */
export const NOVA_ONLINE_MIGRATIONS = [
  'migrate_quota_limits_to_api_db',
  'migrate_quota_classes_to_api_db',
  'migration_migrate_to_uuid',
  'populate_uuids',
  'populate_missing_availability_zones',
  'populate_queued_for_delete',
  'migrate_empty_ratio',
  'fill_virtual_interface_list',
  'populate_user_id',
  'populate_dev_uuids',
] as const;

/** cellctl's own migrations (Nova has none of these any more), run after Nova's. */
export const CELLCTL_ONLINE_MIGRATIONS = ['migrate_instance_groups_to_api_db'] as const;

/** The name of an online data migration, as `--migration` takes it. */
export type MigrationName = (typeof NOVA_ONLINE_MIGRATIONS)[number] | (typeof CELLCTL_ONLINE_MIGRATIONS)[number];

/** Why a candidate row can never be migrated; each is counted once and never retried in a run. */
export type UnmigratableReason =
  | 'no-cell'
  | 'nova-vif-marker'
  | 'hidden-instance'
  | 'archived'
  | 'instance-missing'
  | 'instance-user-id-null'
  | 'empty-host'
  | 'more-vifs-than-cache'
  | 'network-info-unreadable'
  | 'vif-address-in-use';

/** One line per reason, for help and documentation. */
export const UNMIGRATABLE_REASONS: Record<UnmigratableReason, string> = {
  'no-cell': 'an instance mapping with no cell (an instance still building, or an orphan)',
  'nova-vif-marker': "the marker mapping Nova's fill_virtual_interface_list left (project 00000000-0000-0000-0000-000000000000)",
  'hidden-instance': 'the instance exists in its cell only as a hidden copy (of a cross-cell resize)',
  archived: 'the instance was archived: it is only in shadow_instances',
  'instance-missing': 'no instance with the mapping\'s UUID in its cell, live or archived',
  'instance-user-id-null': 'the instance has no user_id to copy',
  'empty-host': 'the instance has an empty host name, so it has no availability zone to take',
  'more-vifs-than-cache': 'the instance has more live virtual interfaces than its network info cache lists (an interface being attached?)',
  'network-info-unreadable': "the instance's network info cache is not a list of VIFs with an id and an address",
  'vif-address-in-use': "a virtual interface the cache lists has an address already live on another instance's interface",
};

/** What one migration did (or, with --status, would do) in one cell. */
export interface MigrationCounts {
  /** Rows that need the migration, as this run saw them: migrated + remaining + unmigratable. */
  found: number;
  /** Rows this run wrote. */
  migrated: number;
  /** Rows that could be migrated and were not (--max-count spent, or --status). */
  remaining: number;
  /** Rows that can never be migrated, by reason. */
  unmigratable: Partial<Record<UnmigratableReason, number>>;
}

/** Counts of nothing found. */
export function noCounts(): MigrationCounts {
  return { found: 0, migrated: 0, remaining: 0, unmigratable: {} };
}

/** The number of unmigratable rows over every reason. */
export function unmigratableTotal(counts: Pick<MigrationCounts, 'unmigratable'>): number {
  return Object.values(counts.unmigratable).reduce((n: number, c) => n + (c ?? 0), 0);
}

/** Adds `more` into `into` (every count, and the unmigratable ones reason by reason). */
export function addCounts(into: MigrationCounts, more: MigrationCounts): MigrationCounts {
  into.found += more.found;
  into.migrated += more.migrated;
  into.remaining += more.remaining;
  for (const [reason, n] of Object.entries(more.unmigratable) as Array<[UnmigratableReason, number]>) {
    into.unmigratable[reason] = (into.unmigratable[reason] ?? 0) + n;
  }
  return into;
}

/**
 * A cell limit or quota class whose key the API database already held with another value: the
 * API's value is kept (Nova reads API values over the cell's) and the cell row is soft-deleted.
 */
export interface KeptApiValue {
  table: 'quotas' | 'project_user_quotas' | 'quota_classes';
  /** The cell row's id (it stays in the cell database, soft-deleted). */
  cellId: number;
  /** The natural key: project_id and resource (and user_id), or class_name and resource. */
  key: Record<string, string | null>;
  cellLimit: number | null;
  apiLimit: number | null;
}
