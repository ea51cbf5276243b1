/**
 * What Nova reads from an instance row's state, as pure functions: whether it is hidden, and
 * whether its instance mapping is queued for delete. map-instances and the online data migrations
 * share them, so both write the value Nova's populate_queued_for_delete would.
 */

/** The columns of an instance row that decide its state. */
export interface InstanceState {
  id: number;
  deleted: number | null;
  vm_state: string | null;
  /** Absent where hidden rows were never read (map-instances skips them). */
  hidden?: number | null;
}

/**
 * The project (and user) of the marker instance Nova's fill_virtual_interface_list keeps in every
 * cell; a mapping of it is never given a user_id (Nova's populate_user_id skips that project).
 */
export const NOVA_VIF_MARKER_PROJECT = '00000000-0000-0000-0000-000000000000';

/**
 * Whether the row is a hidden copy (of a cross-cell resize): Nova's queries read only rows with
 * `hidden = 0 OR hidden IS NULL`.
 */
export function isHiddenInstance(instance: Pick<InstanceState, 'hidden'>): boolean {
  return instance.hidden !== undefined && instance.hidden !== null && instance.hidden !== 0;
}

/**
 * The queued_for_delete value Nova's populate_queued_for_delete gives the mapping of this row:
 * `deleted = id` (how Nova marks a deleted row; any other non-zero value is not deleted to Nova)
 * or vm_state `soft-delete`, and never for a hidden row.
 */
export function isQueuedForDelete(instance: InstanceState): boolean {
  if (isHiddenInstance(instance)) return false;
  return (instance.deleted !== null && instance.deleted === instance.id) || instance.vm_state === 'soft-delete';
}
