/**
 * Creating an instance in a cell database as Nova does, in the caller's transaction: what
 * Instance.create() writes (nova/db/main/api.py instance_create, nova/objects/instance.py), the
 * `create` action, and the conductor's block devices and tags (nova/conductor/manager.py).
 * Shared by burial in cell0 and placement in a cell.
 */
import { randomUUID } from 'node:crypto';
import type { BootRequest, RequestedInstance } from '../../domain/cell0-burial';
import { EMPTY_KEYPAIRS, instanceExtraFlavor, recordedVolumeSize } from '../../domain/cell0-burial';
import { toDbBoolean } from '../dialect';
import { rowTimestamp, type RowTime } from '../new-row-defaults';
import type { Tx } from '../unit-of-work';
import type { CellDatabase } from './cell-tables.generated';
import {
  newBlockDeviceMappingRow,
  newInstanceActionRow,
  newInstanceExtraRow,
  newInstanceIdMappingRow,
  newInstanceInfoCacheRow,
  newInstanceMetadataRow,
  newInstanceRow,
  newInstanceSystemMetadataRow,
  newS3ImageRow,
  newSecurityGroupRow,
  newTagRow,
} from './new-cell-rows';

/** Where and in which state the instance row starts. */
export interface InstanceState {
  vmState: string;
  taskState: string | null;
  powerState: number;
  host: string | null;
  node: string | null;
  launchedAt: RowTime | null;
  availabilityZone: string | null;
}

/** The state Nova's conductor creates an instance in, from its build request: building, scheduling, nowhere. */
export function buildingState(request: BootRequest): InstanceState {
  return { vmState: 'building', taskState: 'scheduling', powerState: 0, host: null, node: null, launchedAt: null, availabilityZone: request.availabilityZone };
}

/**
 * What Nova's Instance.create() writes for an instance of `request`, in its order: the project's
 * default security group when it has none, the instance row (created at `createdAt`, the build
 * request's time), its EC2 id, extra (flavor, no key pairs), an empty info cache, metadata, system
 * metadata, and the image's EC2 id.
 */
export async function createInstanceRows(tx: Tx<CellDatabase>, request: BootRequest, instance: RequestedInstance, state: InstanceState, createdAt: RowTime, now: RowTime): Promise<void> {
  const { flavor } = request;
  await ensureDefaultSecurityGroup(tx, request.projectId, request.userId, now);
  await tx
    .insertInto('instances')
    .values(
      newInstanceRow(
        {
          uuid: instance.uuid,
          created_at: rowTimestamp(createdAt),
          user_id: request.userId,
          project_id: request.projectId,
          image_ref: request.imageRef,
          launch_index: instance.launchIndex,
          power_state: state.powerState,
          vm_state: state.vmState,
          task_state: state.taskState,
          host: state.host,
          node: state.node,
          launched_on: state.host,
          launched_at: state.launchedAt === null ? null : rowTimestamp(state.launchedAt),
          memory_mb: flavor.memoryMb,
          vcpus: flavor.vcpus,
          root_gb: flavor.rootGb,
          ephemeral_gb: flavor.ephemeralGb,
          instance_type_id: flavor.id,
          hostname: instance.hostname,
          display_name: instance.displayName,
          display_description: request.description,
          reservation_id: request.reservationId,
          availability_zone: state.availabilityZone,
          locked: toDbBoolean(false),
          config_drive: '',
        },
        now,
      ),
    )
    .execute();
  await tx.insertInto('instance_id_mappings').values(newInstanceIdMappingRow({ uuid: instance.uuid }, now)).execute();
  await tx.insertInto('instance_extra').values(newInstanceExtraRow({ instance_uuid: instance.uuid, flavor: instanceExtraFlavor(flavor), keypairs: EMPTY_KEYPAIRS }, now)).execute();
  await tx.insertInto('instance_info_caches').values(newInstanceInfoCacheRow({ instance_uuid: instance.uuid, network_info: '[]' }, now)).execute();
  for (const [key, value] of Object.entries(request.metadata)) {
    await tx.insertInto('instance_metadata').values(newInstanceMetadataRow({ instance_uuid: instance.uuid, key, value }, now)).execute();
  }
  for (const [key, value] of Object.entries(request.systemMetadata)) {
    await tx.insertInto('instance_system_metadata').values(newInstanceSystemMetadataRow({ instance_uuid: instance.uuid, key, value }, now)).execute();
  }
  if (request.imageRef !== '') await ensureS3Image(tx, request.imageRef, now);
}

/** Starts the instance's `create` action as Nova's action_start (updated_at = start_time = the request's start); returns its id. */
export async function startCreateAction(tx: Tx<CellDatabase>, request: BootRequest, instanceUuid: string, now: RowTime): Promise<number> {
  const start = rowTimestamp(request.startedAt);
  const action = await tx
    .insertInto('instance_actions')
    .values(newInstanceActionRow({ action: 'create', instance_uuid: instanceUuid, request_id: request.requestId, user_id: request.userId, project_id: request.projectId, start_time: start, updated_at: start }, now))
    .executeTakeFirstOrThrow();
  return Number(action.insertId);
}

/** The request's block devices for the instance, sized from the flavor where Nova's conductor sizes them, then its tags. */
export async function createDevicesAndTags(tx: Tx<CellDatabase>, request: BootRequest, instanceUuid: string, now: RowTime): Promise<void> {
  for (const device of request.blockDevices) {
    await tx
      .insertInto('block_device_mapping')
      .values(
        newBlockDeviceMappingRow(
          {
            instance_uuid: instanceUuid,
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
            volume_size: recordedVolumeSize(device, request.flavor),
            volume_type: device.volumeType,
            tag: device.tag,
            no_device: toDbBoolean(false),
          },
          now,
        ),
      )
      .execute();
  }
  for (const tag of request.tags) await tx.insertInto('tags').values(newTagRow({ resource_id: instanceUuid, tag }, now)).execute();
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
