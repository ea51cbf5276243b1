/**
 * Build requests of the API database: what Nova's API leaves for an instance until the conductor
 * creates it in a cell (or buries it in cell0).
 */
import type { Kysely } from 'kysely';
import { inBatches } from '../batches';
import { rowTimestamp, type RowTime } from '../new-row-defaults';
import type { Tx } from '../unit-of-work';
import type { ApiDatabase } from './api-tables.generated';
import { newInstanceMappingRow } from './new-api-rows';

/** Values per IN list: far below every driver's and server's limits. */
const CHUNK = 1000;

/** When the instance's build request was made (the instance row keeps it), or undefined when there is none. */
export async function findBuildRequestCreatedAt(db: Kysely<ApiDatabase>, instanceUuid: string): Promise<string | undefined> {
  const row = await db.selectFrom('build_requests').select('created_at').where('instance_uuid', '=', instanceUuid).executeTakeFirst();
  return row?.created_at ?? undefined;
}

/** Which of these instances still have a build request (their instance has not reached a cell for good: stuck builds, or being built). */
export async function findBuildRequestUuids(db: Kysely<ApiDatabase>, instanceUuids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of inBatches(instanceUuids, CHUNK)) {
    if (part.length === 0) continue;
    for (const r of await db.selectFrom('build_requests').select('instance_uuid').where('instance_uuid', 'in', part).execute()) if (r.instance_uuid !== null) found.add(r.instance_uuid);
  }
  return found;
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

/** One instance of a boot request as Nova's API records it before scheduling. */
export interface PendingInstance {
  instanceUuid: string;
  projectId: string;
  userId: string;
  /** request_specs.spec, build_requests.instance, .block_device_mappings and .tags (Nova's JSON). */
  spec: string;
  instance: string;
  blockDeviceMappings: string;
  tags: string;
}

/**
 * Writes what Nova's API writes per instance in one transaction (_create_reqspec_buildreq_instmapping):
 * the request spec, the build request and an instance mapping without a cell (not queued for delete).
 */
export async function insertPendingInstances(tx: Tx<ApiDatabase>, instances: readonly PendingInstance[], now: RowTime): Promise<void> {
  const time = rowTimestamp(now);
  for (const i of instances) {
    await tx.insertInto('request_specs').values({ instance_uuid: i.instanceUuid, spec: i.spec, created_at: time, updated_at: null }).execute();
    await tx
      .insertInto('build_requests')
      .values({ instance_uuid: i.instanceUuid, project_id: i.projectId, instance: i.instance, block_device_mappings: i.blockDeviceMappings, tags: i.tags, created_at: time, updated_at: null })
      .execute();
    await tx.insertInto('instance_mappings').values(newInstanceMappingRow({ instance_uuid: i.instanceUuid, project_id: i.projectId, user_id: i.userId, cell_id: null, queued_for_delete: 0 }, now)).execute();
  }
}

/** request_specs.spec of an instance (Nova's JSON), or null when it has none. */
export async function findRequestSpec(db: Kysely<ApiDatabase>, instanceUuid: string): Promise<string | null> {
  return (await db.selectFrom('request_specs').select('spec').where('instance_uuid', '=', instanceUuid).executeTakeFirst())?.spec ?? null;
}
