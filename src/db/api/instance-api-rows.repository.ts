/**
 * The rows the API database keeps about an instance (its mapping, request spec, group membership
 * and, before it reaches a cell, build request): counted and removed together, as Nova's
 * archive_deleted_rows removes the first three once it archives an instance.
 */
import type { Kysely } from 'kysely';
import { inBatches } from '../batches';
import type { Tx } from '../unit-of-work';
import type { ApiDatabase } from './api-tables.generated';
import { findBuildRequestUuids } from './build-request.repository';

/** Values per IN list: far below every driver's and server's limits. */
const CHUNK = 1000;

/** The API tables holding rows of an instance, in the order they are removed (Nova's archive order, build requests last). */
export const PURGED_API_TABLES = ['instance_mappings', 'request_specs', 'instance_group_member', 'build_requests'] as const;

export type ApiTableCounts = Record<(typeof PURGED_API_TABLES)[number], number>;

function zero(): ApiTableCounts {
  return { instance_mappings: 0, request_specs: 0, instance_group_member: 0, build_requests: 0 };
}

/**
 * How many rows of these instances each table of PURGED_API_TABLES holds; mappings only where they
 * point at `cellId` or at no cell (a mapping elsewhere is another cell's instance). An instance
 * with a build request counts none (see purgeInstanceApiRows).
 */
export async function countInstanceApiRows(db: Kysely<ApiDatabase>, uuids: readonly string[], cellId: number): Promise<ApiTableCounts> {
  const counts = zero();
  const stuck = await findBuildRequestUuids(db, uuids);
  for (const all of inBatches(uuids, CHUNK)) {
    const part = all.filter((u) => !stuck.has(u));
    if (part.length === 0) continue;
    const count = async (table: 'request_specs' | 'instance_group_member' | 'build_requests') =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('instance_uuid', 'in', part).executeTakeFirstOrThrow()).n);
    const mappings = await db
      .selectFrom('instance_mappings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('instance_uuid', 'in', part)
      .where((eb) => eb.or([eb('cell_id', '=', cellId), eb('cell_id', 'is', null)]))
      .executeTakeFirstOrThrow();
    counts.instance_mappings += Number(mappings.n);
    counts.request_specs += await count('request_specs');
    counts.instance_group_member += await count('instance_group_member');
    counts.build_requests += await count('build_requests');
  }
  return counts;
}

/**
 * Removes the API rows of these instances (PURGED_API_TABLES) inside the caller's transaction. An
 * instance whose mapping points at another cell than `cellId` (moved meanwhile) keeps every row;
 * so does one whose build request is still there: a stuck build (its burial cut short, or never
 * made), which `instance stuck` buries or deletes, not a purge's leftover. Returns the rows removed
 * per table; idempotent.
 */
export async function purgeInstanceApiRows(tx: Tx<ApiDatabase>, uuids: readonly string[], cellId: number): Promise<ApiTableCounts> {
  const counts = zero();
  const stuck = await findBuildRequestUuids(tx, uuids);
  for (const all of inBatches(uuids, CHUNK)) {
    const part = all.filter((u) => !stuck.has(u));
    if (part.length === 0) continue;
    const elsewhere = new Set(
      (await tx.selectFrom('instance_mappings').select('instance_uuid').where('instance_uuid', 'in', part).where('cell_id', 'is not', null).where('cell_id', '<>', cellId).execute()).map((r) => r.instance_uuid),
    );
    const ours = part.filter((u) => !elsewhere.has(u));
    if (ours.length === 0) continue;
    counts.instance_mappings += Number((await tx.deleteFrom('instance_mappings').where('instance_uuid', 'in', ours).executeTakeFirst()).numDeletedRows);
    counts.request_specs += Number((await tx.deleteFrom('request_specs').where('instance_uuid', 'in', ours).executeTakeFirst()).numDeletedRows);
    counts.instance_group_member += Number((await tx.deleteFrom('instance_group_member').where('instance_uuid', 'in', ours).executeTakeFirst()).numDeletedRows);
    counts.build_requests += Number((await tx.deleteFrom('build_requests').where('instance_uuid', 'in', ours).executeTakeFirst()).numDeletedRows);
  }
  return counts;
}
