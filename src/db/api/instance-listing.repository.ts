/**
 * Reads of the API database for listing instances across cells: the build requests (instances
 * not yet in a cell) and the mappings of a cell that could not be read (its UNKNOWN rows).
 */
import type { Kysely } from 'kysely';
import type { ApiDatabase, BuildRequestsRow, InstanceMappingsRow } from './api-tables.generated';

/** The columns a listing reads of a build request. */
const LISTED_COLUMNS = ['id', 'instance_uuid', 'project_id', 'instance', 'created_at', 'updated_at'] as const;
export type ListedBuildRequest = Pick<BuildRequestsRow, (typeof LISTED_COLUMNS)[number]>;

/** The build requests (of one project, when given), every one: Nova's API reads them all too. */
export async function listBuildRequestsForListing(db: Kysely<ApiDatabase>, project?: string): Promise<ListedBuildRequest[]> {
  let query = db.selectFrom('build_requests').select([...LISTED_COLUMNS]);
  if (project !== undefined) query = query.where('project_id', '=', project);
  return query.execute();
}

/** One instance's build request, or undefined. */
export async function findBuildRequestForListing(db: Kysely<ApiDatabase>, instanceUuid: string): Promise<ListedBuildRequest | undefined> {
  return db.selectFrom('build_requests').select([...LISTED_COLUMNS]).where('instance_uuid', '=', instanceUuid).executeTakeFirst();
}

/**
 * The mappings of a cell as Nova's API turns them into UNKNOWN rows when the cell is down: those
 * not queued for delete (false or NULL), or with `queuedForDelete` only those queued; newest first.
 */
export async function listMappingsOfCell(
  db: Kysely<ApiDatabase>,
  cellId: number,
  options: { project?: string; queuedForDelete: boolean; limit: number },
): Promise<Array<Pick<InstanceMappingsRow, 'instance_uuid' | 'project_id' | 'user_id' | 'created_at'>>> {
  let query = db.selectFrom('instance_mappings').select(['instance_uuid', 'project_id', 'user_id', 'created_at']).where('cell_id', '=', cellId);
  query = options.queuedForDelete ? query.where('queued_for_delete', '=', 1) : query.where((eb) => eb.or([eb('queued_for_delete', '=', 0), eb('queued_for_delete', 'is', null)]));
  if (options.project !== undefined) query = query.where('project_id', '=', options.project);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
}
