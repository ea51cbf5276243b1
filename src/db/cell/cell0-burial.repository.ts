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

/** Whether cell0 already holds a row of the instance (deleted or not): a burial already made. */
export async function hasBuriedInstance(db: Kysely<CellDatabase>, uuid: string): Promise<boolean> {
  return (await db.selectFrom('instances').select('id').where('uuid', '=', uuid).executeTakeFirst()) !== undefined;
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
