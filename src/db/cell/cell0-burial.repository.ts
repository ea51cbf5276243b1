/**
 * The rows of an instance buried in cell0, written in the order Nova's conductor writes them
 * (nova/conductor/manager.py _bury_in_cell0; nova-details §2.3-§2.6), inside the caller's transaction.
 */
import type { Kysely } from 'kysely';
import { BURIAL_EVENT, faultOf, type BootRequest, type RequestedInstance, type SchedulingFailure } from '../../domain/cell0-burial';
import { rowTimestamp, type RowTime } from '../new-row-defaults';
import type { Tx } from '../unit-of-work';
import type { CellDatabase } from './cell-tables.generated';
import { buildingState, createDevicesAndTags, createInstanceRows, startCreateAction } from './instance-create.repository';
import { newInstanceActionEventRow, newInstanceFaultRow } from './new-cell-rows';

/** One instance to bury: its request, the failure, and what the conductor adds. */
export interface BuriedInstance {
  request: BootRequest;
  instance: RequestedInstance;
  failure: SchedulingFailure;
  /** The conductor's host (`[DEFAULT] host`): the fault's and the event's host. */
  conductorHost: string;
  /** instance_faults.details (Nova: the Python traceback of a 500 fault, '' otherwise). */
  faultDetails: string;
  /** instance_actions_events.traceback. */
  eventTraceback: string;
  /** The build request's created_at, which the instance row keeps. */
  createdAt: RowTime;
  now: RowTime;
}

/** What cell0 holds of an instance: nothing, a complete burial, or a burial cut short. */
export type BurialState = 'none' | 'complete' | 'partial';

/**
 * What cell0 holds of the instance (its rows, deleted or not). A burial's last writes are the
 * instance set to error and its fault (Nova's conductor in separate transactions,
 * nova-details §2.3; cellctl in one), so a complete one has its `create` action and its fault, and
 * is in error or deleted since (a soft delete keeps both). Anything else (Nova's conductor died
 * after instance.create(): building, scheduling, no fault) is partial.
 */
export async function findBurialState(db: Kysely<CellDatabase>, uuid: string): Promise<BurialState> {
  const instance = await db.selectFrom('instances').select(['vm_state', 'deleted']).where('uuid', '=', uuid).orderBy('id').executeTakeFirst();
  if (instance === undefined) return 'none';
  if (instance.vm_state !== 'error' && Number(instance.deleted ?? 0) === 0) return 'partial';
  const fault = await db.selectFrom('instance_faults').select('id').where('instance_uuid', '=', uuid).executeTakeFirst();
  const action = await db.selectFrom('instance_actions').select('id').where('instance_uuid', '=', uuid).where('action', '=', 'create').executeTakeFirst();
  return fault !== undefined && action !== undefined ? 'complete' : 'partial';
}

/**
 * Writes every row Nova writes when it buries `b.instance` in cell0, in Nova's order: the instance
 * as Instance.create() writes it (building, scheduling); the `create` action with its failed event;
 * the block devices; the tags; then the instance set to error with its fault. The instance mapping
 * is the caller's (API database).
 */
export async function writeBuriedInstance(tx: Tx<CellDatabase>, b: BuriedInstance): Promise<void> {
  const { request, instance, now } = b;
  await createInstanceRows(tx, request, instance, buildingState(request), b.createdAt, now);
  const actionId = await startCreateAction(tx, request, instance.uuid, now);
  const event = await tx
    .insertInto('instance_actions_events')
    .values(newInstanceActionEventRow({ event: BURIAL_EVENT, action_id: actionId, host: b.conductorHost }, now))
    .executeTakeFirstOrThrow();
  const fault = faultOf(b.failure);
  await tx
    .updateTable('instance_actions_events')
    .set({ finish_time: rowTimestamp(now), updated_at: rowTimestamp(now), result: 'Error', details: fault.message, traceback: b.eventTraceback })
    .where('id', '=', Number(event.insertId))
    .execute();
  await tx.updateTable('instance_actions').set({ message: 'Error', updated_at: rowTimestamp(now) }).where('id', '=', actionId).execute();
  await createDevicesAndTags(tx, request, instance.uuid, now);
  await tx.updateTable('instances').set({ vm_state: 'error', task_state: null, updated_at: rowTimestamp(now) }).where('uuid', '=', instance.uuid).execute();
  await tx
    .insertInto('instance_faults')
    .values(newInstanceFaultRow({ instance_uuid: instance.uuid, code: fault.code, message: fault.message, details: b.faultDetails, host: b.conductorHost }, now))
    .execute();
}
