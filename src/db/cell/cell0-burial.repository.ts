/**
 * The rows of an instance buried in cell0, written in the order Nova's conductor writes them
 * (nova/conductor/manager.py _bury_in_cell0; nova/db/main/api.py instance_create; nova-details §2.3-§2.6),
 * inside the caller's transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { BURIAL_EVENT, EMPTY_KEYPAIRS, faultOf, instanceExtraFlavor, recordedVolumeSize, type BootRequest, type RequestedInstance, type SchedulingFailure } from '../../domain/cell0-burial';
import { toDbBoolean } from '../dialect';
import { rowTimestamp, type RowTime } from '../new-row-defaults';
import type { Tx } from '../unit-of-work';
import type { CellDatabase } from './cell-tables.generated';
import {
  newBlockDeviceMappingRow,
  newInstanceActionEventRow,
  newInstanceActionRow,
  newInstanceExtraRow,
  newInstanceFaultRow,
  newInstanceIdMappingRow,
  newInstanceInfoCacheRow,
  newInstanceMetadataRow,
  newInstanceRow,
  newInstanceSystemMetadataRow,
  newS3ImageRow,
  newSecurityGroupRow,
  newTagRow,
} from './new-cell-rows';

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
 * Writes every row Nova writes when it buries `b.instance` in cell0, in Nova's order: the
 * project's default security group when it has none, the instance (building, scheduling) with its
 * EC2 id, extra (flavor, no key pairs), empty info cache, metadata and system metadata, the
 * image's EC2 id; the `create` action with its failed event; the block devices; the tags; then
 * the instance set to error with its fault. The instance mapping is the caller's (API database).
 */
export async function writeBuriedInstance(tx: Tx<CellDatabase>, b: BuriedInstance): Promise<void> {
  const { request, instance, now } = b;
  const { flavor } = request;
  await ensureDefaultSecurityGroup(tx, request.projectId, request.userId, now);

  await tx
    .insertInto('instances')
    .values(
      newInstanceRow(
        {
          uuid: instance.uuid,
          created_at: rowTimestamp(b.createdAt),
          user_id: request.userId,
          project_id: request.projectId,
          image_ref: request.imageRef,
          launch_index: instance.launchIndex,
          power_state: 0,
          vm_state: 'building',
          task_state: 'scheduling',
          memory_mb: flavor.memoryMb,
          vcpus: flavor.vcpus,
          root_gb: flavor.rootGb,
          ephemeral_gb: flavor.ephemeralGb,
          instance_type_id: flavor.id,
          hostname: instance.hostname,
          display_name: instance.displayName,
          display_description: instance.displayName,
          reservation_id: request.reservationId,
          availability_zone: request.availabilityZone,
          locked: toDbBoolean(false),
          config_drive: '',
        },
        now,
      ),
    )
    .execute();
  await tx.insertInto('instance_id_mappings').values(newInstanceIdMappingRow({ uuid: instance.uuid }, now)).execute();
  await tx
    .insertInto('instance_extra')
    .values(newInstanceExtraRow({ instance_uuid: instance.uuid, flavor: instanceExtraFlavor(flavor), keypairs: EMPTY_KEYPAIRS }, now))
    .execute();
  await tx.insertInto('instance_info_caches').values(newInstanceInfoCacheRow({ instance_uuid: instance.uuid, network_info: '[]' }, now)).execute();
  for (const [key, value] of Object.entries(request.metadata)) {
    await tx.insertInto('instance_metadata').values(newInstanceMetadataRow({ instance_uuid: instance.uuid, key, value }, now)).execute();
  }
  for (const [key, value] of Object.entries(request.systemMetadata)) {
    await tx.insertInto('instance_system_metadata').values(newInstanceSystemMetadataRow({ instance_uuid: instance.uuid, key, value }, now)).execute();
  }
  if (request.imageRef !== '') await ensureS3Image(tx, request.imageRef, now);

  // The `create` action (updated_at first its start time, as Nova's pack_action_start) and its event.
  const start = rowTimestamp(request.startedAt);
  const action = await tx
    .insertInto('instance_actions')
    .values(
      newInstanceActionRow(
        { action: 'create', instance_uuid: instance.uuid, request_id: request.requestId, user_id: request.userId, project_id: request.projectId, start_time: start, updated_at: start },
        now,
      ),
    )
    .executeTakeFirstOrThrow();
  const event = await tx
    .insertInto('instance_actions_events')
    .values(newInstanceActionEventRow({ event: BURIAL_EVENT, action_id: Number(action.insertId), host: b.conductorHost }, now))
    .executeTakeFirstOrThrow();
  const fault = faultOf(b.failure);
  await tx
    .updateTable('instance_actions_events')
    .set({ finish_time: rowTimestamp(now), updated_at: rowTimestamp(now), result: 'Error', details: fault.message, traceback: b.eventTraceback })
    .where('id', '=', Number(event.insertId))
    .execute();
  await tx.updateTable('instance_actions').set({ message: 'Error', updated_at: rowTimestamp(now) }).where('id', '=', Number(action.insertId)).execute();

  for (const device of request.blockDevices) {
    await tx
      .insertInto('block_device_mapping')
      .values(
        newBlockDeviceMappingRow(
          {
            instance_uuid: instance.uuid,
            uuid: randomUUID(),
            source_type: device.sourceType,
            destination_type: device.destinationType,
            image_id: device.imageId,
            volume_id: device.volumeId,
            snapshot_id: device.snapshotId,
            boot_index: device.bootIndex,
            delete_on_termination: toDbBoolean(device.deleteOnTermination),
            guest_format: device.guestFormat,
            device_type: device.deviceType,
            disk_bus: device.diskBus,
            device_name: device.deviceName,
            volume_size: recordedVolumeSize(device, flavor),
            volume_type: device.volumeType,
            tag: device.tag,
            no_device: toDbBoolean(false),
          },
          now,
        ),
      )
      .execute();
  }
  for (const tag of request.tags) await tx.insertInto('tags').values(newTagRow({ resource_id: instance.uuid, tag }, now)).execute();

  await tx.updateTable('instances').set({ vm_state: 'error', task_state: null, updated_at: rowTimestamp(now) }).where('uuid', '=', instance.uuid).execute();
  await tx
    .insertInto('instance_faults')
    .values(newInstanceFaultRow({ instance_uuid: instance.uuid, code: fault.code, message: fault.message, details: b.faultDetails, host: b.conductorHost }, now))
    .execute();
}

/** Nova's security_group_ensure_default: a live `default` group of the project, made when missing. */
async function ensureDefaultSecurityGroup(tx: Tx<CellDatabase>, projectId: string, userId: string, now: RowTime): Promise<void> {
  const existing = await tx.selectFrom('security_groups').select('id').where('project_id', '=', projectId).where('name', '=', 'default').where('deleted', '=', 0).executeTakeFirst();
  if (existing) return;
  await tx.insertInto('security_groups').values(newSecurityGroupRow({ name: 'default', description: 'default', user_id: userId, project_id: projectId }, now)).execute();
}

/** Nova's glance_id_to_id: the image's s3_images row (its EC2 id), made on first use. */
async function ensureS3Image(tx: Tx<CellDatabase>, imageUuid: string, now: RowTime): Promise<void> {
  const existing = await tx.selectFrom('s3_images').select('id').where('uuid', '=', imageUuid).where('deleted', '=', 0).executeTakeFirst();
  if (existing) return;
  await tx.insertInto('s3_images').values(newS3ImageRow({ uuid: imageUuid }, now)).execute();
}
