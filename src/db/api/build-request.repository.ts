/**
 * Build requests of the API database: what Nova's API leaves for an instance until the conductor
 * creates it in a cell (or buries it in cell0).
 */
import type { Kysely } from 'kysely';
import { inBatches } from '../batches';
import type { Tx } from '../unit-of-work';
import type { ApiDatabase } from './api-tables.generated';

/** Values per IN list: far below every driver's and server's limits. */
const CHUNK = 1000;

/** When the instance's build request was made (the instance row keeps it), or undefined when there is none. */
export async function findBuildRequestCreatedAt(db: Kysely<ApiDatabase>, instanceUuid: string): Promise<string | undefined> {
  const row = await db.selectFrom('build_requests').select('created_at').where('instance_uuid', '=', instanceUuid).executeTakeFirst();
  return row?.created_at ?? undefined;
}

/** Deletes the build requests of these instances (as Nova's BuildRequest.destroy); returns how many there were. */
export async function deleteBuildRequests(tx: Tx<ApiDatabase>, instanceUuids: readonly string[]): Promise<number> {
  let deleted = 0;
  for (const part of inBatches(instanceUuids, CHUNK)) {
    if (part.length === 0) continue;
    deleted += Number((await tx.deleteFrom('build_requests').where('instance_uuid', 'in', part).executeTakeFirst()).numDeletedRows);
  }
  return deleted;
}
