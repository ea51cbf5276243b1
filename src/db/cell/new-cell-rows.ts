/**
 * New rows of a cell database's instance tables, with the client-side defaults of Nova 26's
 * models (nova/db/main/models.py and oslo.db's Timestamp/SoftDelete mixins).
 * test/unit/new-rows.test.ts compares these defaults with Nova's own models.
 */
import { toDbBoolean } from '../dialect';
import { buildNewRow, NOW, SOFT_DELETE_MIXIN, TIMESTAMP_MIXIN, type ColumnDefaults, type NewRowValues, type RowTime } from '../new-row-defaults';
import type {
  NewBlockDeviceMappingRow,
  NewInstanceActionsEventsRow,
  NewInstanceActionsRow,
  NewInstanceExtraRow,
  NewInstanceFaultsRow,
  NewInstanceIdMappingsRow,
  NewInstanceInfoCachesRow,
  NewInstanceMetadataRow,
  NewInstancesRow,
  NewInstanceSystemMetadataRow,
  NewS3ImagesRow,
  NewSecurityGroupsRow,
  NewTagsRow,
  NewVirtualInterfacesRow,
} from './cell-tables.generated';

const NOVA_BASE = { ...TIMESTAMP_MIXIN, ...SOFT_DELETE_MIXIN };

// NOTE: `locked` has no column default in Nova's model (only the Instance object defaults it).
const INSTANCE_DEFAULTS = {
  ...NOVA_BASE,
  shutdown_terminate: toDbBoolean(false),
  disable_terminate: toDbBoolean(false),
  cleaned: 0,
  hidden: toDbBoolean(false),
} satisfies ColumnDefaults<NewInstancesRow>;
const INSTANCE_EXTRA_DEFAULTS = { ...NOVA_BASE } satisfies ColumnDefaults<NewInstanceExtraRow>;
const INSTANCE_FAULT_DEFAULTS = { ...NOVA_BASE } satisfies ColumnDefaults<NewInstanceFaultsRow>;
const INSTANCE_ACTION_DEFAULTS = { ...NOVA_BASE, start_time: NOW } satisfies ColumnDefaults<NewInstanceActionsRow>;
const INSTANCE_ACTION_EVENT_DEFAULTS = { ...NOVA_BASE, start_time: NOW } satisfies ColumnDefaults<NewInstanceActionsEventsRow>;
// NOTE: `no_device` has no column default in Nova's model (only the BlockDeviceMapping object defaults it).
const BLOCK_DEVICE_MAPPING_DEFAULTS = {
  ...NOVA_BASE,
  delete_on_termination: toDbBoolean(false),
  encrypted: toDbBoolean(false),
} satisfies ColumnDefaults<NewBlockDeviceMappingRow>;
// NOTE: Nova's Tag model has neither timestamps nor soft delete: a tag row is just its key.
const TAG_DEFAULTS = {} satisfies ColumnDefaults<NewTagsRow>;
const VIRTUAL_INTERFACE_DEFAULTS = { ...NOVA_BASE } satisfies ColumnDefaults<NewVirtualInterfacesRow>;

/** A new `instances` row (`uuid` required): created now, live, not cleaned, not hidden, terminate flags off. */
export function newInstanceRow(values: NewRowValues<NewInstancesRow, typeof INSTANCE_DEFAULTS>, now: RowTime): NewInstancesRow {
  return buildNewRow<NewInstancesRow>(INSTANCE_DEFAULTS, values, now);
}

/** A new `instance_extra` row (`instance_uuid` required), created now and live. */
export function newInstanceExtraRow(values: NewRowValues<NewInstanceExtraRow, typeof INSTANCE_EXTRA_DEFAULTS>, now: RowTime): NewInstanceExtraRow {
  return buildNewRow<NewInstanceExtraRow>(INSTANCE_EXTRA_DEFAULTS, values, now);
}

/** A new `instance_faults` row (`code` required), created now and live. */
export function newInstanceFaultRow(values: NewRowValues<NewInstanceFaultsRow, typeof INSTANCE_FAULT_DEFAULTS>, now: RowTime): NewInstanceFaultsRow {
  return buildNewRow<NewInstanceFaultsRow>(INSTANCE_FAULT_DEFAULTS, values, now);
}

/** A new `instance_actions` row (no column required), created and started now, live. */
export function newInstanceActionRow(
  values: NewRowValues<NewInstanceActionsRow, typeof INSTANCE_ACTION_DEFAULTS>,
  now: RowTime,
): NewInstanceActionsRow {
  return buildNewRow<NewInstanceActionsRow>(INSTANCE_ACTION_DEFAULTS, values, now);
}

/** A new `instance_actions_events` row (no column required), created and started now, live. */
export function newInstanceActionEventRow(
  values: NewRowValues<NewInstanceActionsEventsRow, typeof INSTANCE_ACTION_EVENT_DEFAULTS>,
  now: RowTime,
): NewInstanceActionsEventsRow {
  return buildNewRow<NewInstanceActionsEventsRow>(INSTANCE_ACTION_EVENT_DEFAULTS, values, now);
}

/** A new `block_device_mapping` row (no column required): created now, live, not deleted on termination, not encrypted. */
export function newBlockDeviceMappingRow(
  values: NewRowValues<NewBlockDeviceMappingRow, typeof BLOCK_DEVICE_MAPPING_DEFAULTS>,
  now: RowTime,
): NewBlockDeviceMappingRow {
  return buildNewRow<NewBlockDeviceMappingRow>(BLOCK_DEVICE_MAPPING_DEFAULTS, values, now);
}

/** A new `tags` row (`resource_id` and `tag` required); Nova's Tag model defaults nothing, so `now` is unused. */
export function newTagRow(values: NewRowValues<NewTagsRow, typeof TAG_DEFAULTS>, now: RowTime): NewTagsRow {
  return buildNewRow<NewTagsRow>(TAG_DEFAULTS, values, now);
}

/** A new `virtual_interfaces` row (no column required), created now and live. */
export function newVirtualInterfaceRow(
  values: NewRowValues<NewVirtualInterfacesRow, typeof VIRTUAL_INTERFACE_DEFAULTS>,
  now: RowTime,
): NewVirtualInterfacesRow {
  return buildNewRow<NewVirtualInterfacesRow>(VIRTUAL_INTERFACE_DEFAULTS, values, now);
}

const INSTANCE_INFO_CACHE_DEFAULTS = { ...NOVA_BASE } satisfies ColumnDefaults<NewInstanceInfoCachesRow>;
const INSTANCE_METADATA_DEFAULTS = { ...NOVA_BASE } satisfies ColumnDefaults<NewInstanceMetadataRow>;
const INSTANCE_SYSTEM_METADATA_DEFAULTS = { ...NOVA_BASE } satisfies ColumnDefaults<NewInstanceSystemMetadataRow>;
const SECURITY_GROUP_DEFAULTS = { ...NOVA_BASE } satisfies ColumnDefaults<NewSecurityGroupsRow>;
const INSTANCE_ID_MAPPING_DEFAULTS = { ...NOVA_BASE } satisfies ColumnDefaults<NewInstanceIdMappingsRow>;
const S3_IMAGE_DEFAULTS = { ...NOVA_BASE } satisfies ColumnDefaults<NewS3ImagesRow>;

/** A new `instance_info_caches` row (`instance_uuid` required), created now and live. */
export function newInstanceInfoCacheRow(values: NewRowValues<NewInstanceInfoCachesRow, typeof INSTANCE_INFO_CACHE_DEFAULTS>, now: RowTime): NewInstanceInfoCachesRow {
  return buildNewRow<NewInstanceInfoCachesRow>(INSTANCE_INFO_CACHE_DEFAULTS, values, now);
}

/** A new `instance_metadata` row (a user's key and value; no column required), created now and live. */
export function newInstanceMetadataRow(values: NewRowValues<NewInstanceMetadataRow, typeof INSTANCE_METADATA_DEFAULTS>, now: RowTime): NewInstanceMetadataRow {
  return buildNewRow<NewInstanceMetadataRow>(INSTANCE_METADATA_DEFAULTS, values, now);
}

/** A new `instance_system_metadata` row (`instance_uuid` and `key` required), created now and live. */
export function newInstanceSystemMetadataRow(
  values: NewRowValues<NewInstanceSystemMetadataRow, typeof INSTANCE_SYSTEM_METADATA_DEFAULTS>,
  now: RowTime,
): NewInstanceSystemMetadataRow {
  return buildNewRow<NewInstanceSystemMetadataRow>(INSTANCE_SYSTEM_METADATA_DEFAULTS, values, now);
}

/** A new `security_groups` row (no column required), created now and live. */
export function newSecurityGroupRow(values: NewRowValues<NewSecurityGroupsRow, typeof SECURITY_GROUP_DEFAULTS>, now: RowTime): NewSecurityGroupsRow {
  return buildNewRow<NewSecurityGroupsRow>(SECURITY_GROUP_DEFAULTS, values, now);
}

/** A new `instance_id_mappings` row (an instance's EC2 id; `uuid` required), created now and live. */
export function newInstanceIdMappingRow(values: NewRowValues<NewInstanceIdMappingsRow, typeof INSTANCE_ID_MAPPING_DEFAULTS>, now: RowTime): NewInstanceIdMappingsRow {
  return buildNewRow<NewInstanceIdMappingsRow>(INSTANCE_ID_MAPPING_DEFAULTS, values, now);
}

/** A new `s3_images` row (an image's EC2 id; `uuid` required), created now and live. */
export function newS3ImageRow(values: NewRowValues<NewS3ImagesRow, typeof S3_IMAGE_DEFAULTS>, now: RowTime): NewS3ImagesRow {
  return buildNewRow<NewS3ImagesRow>(S3_IMAGE_DEFAULTS, values, now);
}
