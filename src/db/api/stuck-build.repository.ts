/**
 * Stuck builds in the API database: build requests whose instance mapping has no cell, has none,
 * or points at cell0 (a burial cut short), and removing what Nova's API wrote for one.
 */
import type { Kysely } from 'kysely';
import type { Tx } from '../unit-of-work';
import type { ApiDatabase } from './api-tables.generated';

/** One stuck build request with its mapping. */
export interface StuckBuildRecord {
  id: number;
  instance_uuid: string;
  project_id: string;
  created_at: string | null;
  instance: string | null;
  block_device_mappings: string | null;
  tags: string | null;
  /** The mapping's id (null: no mapping), user and cell. */
  mapping_id: number | null;
  mapping_user_id: string | null;
  mapping_cell_id: number | null;
}

/**
 * The build requests created before `createdBefore` (every one when undefined) whose mapping has no
 * cell, is missing, or points at `cell0Id`, oldest first (then by id).
 */
export async function listStuckBuildRequests(db: Kysely<ApiDatabase>, options: { createdBefore?: string; cell0Id?: number }): Promise<StuckBuildRecord[]> {
  const rows = await db
    .selectFrom('build_requests as b')
    .leftJoin('instance_mappings as m', 'm.instance_uuid', 'b.instance_uuid')
    .select([
      'b.id',
      'b.instance_uuid',
      'b.project_id',
      'b.created_at',
      'b.instance',
      'b.block_device_mappings',
      'b.tags',
      'm.id as mapping_id',
      'm.user_id as mapping_user_id',
      'm.cell_id as mapping_cell_id',
    ])
    .where('b.instance_uuid', 'is not', null)
    .where((eb) => {
      const cellless = [eb('m.cell_id', 'is', null)];
      if (options.cell0Id !== undefined) cellless.push(eb('m.cell_id', '=', options.cell0Id));
      return eb.or(cellless);
    })
    .$if(options.createdBefore !== undefined, (q) => q.where('b.created_at', '<', options.createdBefore!))
    .orderBy('b.created_at')
    .orderBy('b.id')
    .execute();
  return rows.map((r) => ({ ...r, instance_uuid: r.instance_uuid! }));
}

/** What deleting one stuck build removed. */
export interface StuckBuildDeletion {
  /** The mapping has a cell now (placed meanwhile): nothing was deleted. */
  placed: boolean;
  buildRequests: number;
  mappings: number;
  requestSpecs: number;
  groupMembers: number;
}

/**
 * Removes what Nova's API wrote for an instance still in build: its build request, its mapping
 * (only while it has no cell), its request spec and its instance group memberships. When the
 * mapping has a cell by now, deletes nothing and says so.
 */
export async function deleteStuckBuild(tx: Tx<ApiDatabase>, instanceUuid: string): Promise<StuckBuildDeletion> {
  // NOTE: the cell-less mapping goes first: the delete locks it (MySQL), so a conductor pointing it
  // at a cell meanwhile either finds it gone or is seen below.
  const mappings = Number((await tx.deleteFrom('instance_mappings').where('instance_uuid', '=', instanceUuid).where('cell_id', 'is', null).executeTakeFirst()).numDeletedRows);
  const placed = (await tx.selectFrom('instance_mappings').select('id').where('instance_uuid', '=', instanceUuid).executeTakeFirst()) !== undefined;
  if (placed) return { placed, buildRequests: 0, mappings: 0, requestSpecs: 0, groupMembers: 0 };
  const buildRequests = Number((await tx.deleteFrom('build_requests').where('instance_uuid', '=', instanceUuid).executeTakeFirst()).numDeletedRows);
  const requestSpecs = Number((await tx.deleteFrom('request_specs').where('instance_uuid', '=', instanceUuid).executeTakeFirst()).numDeletedRows);
  const groupMembers = Number((await tx.deleteFrom('instance_group_member').where('instance_uuid', '=', instanceUuid).executeTakeFirst()).numDeletedRows);
  return { placed, buildRequests, mappings, requestSpecs, groupMembers };
}
