/** Host aggregates in the API database, as the online data migrations read them. */
import type { Kysely } from 'kysely';
import type { ApiDatabase } from './api-tables.generated';

/**
 * The availability zone of `host`: the `availability_zone` metadata of an aggregate the host is in
 * (the lowest aggregate id when several have one), or undefined. The host is compared by the
 * database, as Nova's query compares it (case- and trailing-blank-insensitive under MySQL's
 * utf8_general_ci, exact on SQLite).
 */
export async function findAvailabilityZoneOfHost(db: Kysely<ApiDatabase>, host: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('aggregate_hosts as ah')
    .innerJoin('aggregates as a', 'a.id', 'ah.aggregate_id')
    .innerJoin('aggregate_metadata as am', (join) => join.onRef('am.aggregate_id', '=', 'a.id').on('am.key', '=', 'availability_zone'))
    .select('am.value')
    .where('ah.host', '=', host)
    .orderBy('a.id')
    .limit(1)
    .executeTakeFirst();
  return row?.value;
}

/** Every host's availability zone from the aggregates (the lowest aggregate id's, as findAvailabilityZoneOfHost), in one query. */
export async function listHostAvailabilityZones(db: Kysely<ApiDatabase>): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('aggregate_hosts as ah')
    .innerJoin('aggregates as a', 'a.id', 'ah.aggregate_id')
    .innerJoin('aggregate_metadata as am', (join) => join.onRef('am.aggregate_id', '=', 'a.id').on('am.key', '=', 'availability_zone'))
    .select(['ah.host', 'am.value'])
    .orderBy('a.id')
    .execute();
  const zones = new Map<string, string>();
  for (const r of rows) if (r.value !== null && r.host !== null && !zones.has(r.host)) zones.set(r.host, r.value);
  return zones;
}

/** Every availability zone an aggregate of the API database names. */
export async function listAvailabilityZones(db: Kysely<ApiDatabase>): Promise<string[]> {
  const rows = await db.selectFrom('aggregate_metadata').select('value').distinct().where('key', '=', 'availability_zone').execute();
  return rows.flatMap((r) => (r.value === null ? [] : [r.value]));
}
