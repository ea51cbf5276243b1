/**
 * New rows of the API database's mapping tables, with the client-side defaults of Nova 26's
 * models (nova/db/api/models.py; every API model has oslo.db's TimestampMixin, none soft-deletes).
 * test/unit/new-rows.test.ts compares these defaults with Nova's own models.
 */
import { toDbBoolean } from '../dialect';
import { buildNewRow, TIMESTAMP_MIXIN, type ColumnDefaults, type NewRowValues, type RowTime } from '../new-row-defaults';
import type {
  NewCellMappingsRow,
  NewFlavorsRow,
  NewHostMappingsRow,
  NewInstanceGroupMemberRow,
  NewInstanceGroupPolicyRow,
  NewInstanceGroupsRow,
  NewInstanceMappingsRow,
  NewProjectUserQuotasRow,
  NewQuotaClassesRow,
  NewQuotasRow,
} from './api-tables.generated';

const CELL_MAPPING_DEFAULTS = { ...TIMESTAMP_MIXIN, disabled: toDbBoolean(false) } satisfies ColumnDefaults<NewCellMappingsRow>;
const HOST_MAPPING_DEFAULTS = { ...TIMESTAMP_MIXIN } satisfies ColumnDefaults<NewHostMappingsRow>;
// NOTE: queued_for_delete has no column default in Nova's model. Nova's InstanceMapping object
// writes False on create (objects/instance_mapping.py); NULL means "not yet migrated" to Nova's
// populate_queued_for_delete. Callers that mean "live" should pass 0.
const INSTANCE_MAPPING_DEFAULTS = { ...TIMESTAMP_MIXIN } satisfies ColumnDefaults<NewInstanceMappingsRow>;

/** A new `cell_mappings` row (`uuid` required): created now, enabled unless `disabled` is given. */
export function newCellMappingRow(values: NewRowValues<NewCellMappingsRow, typeof CELL_MAPPING_DEFAULTS>, now: RowTime): NewCellMappingsRow {
  return buildNewRow<NewCellMappingsRow>(CELL_MAPPING_DEFAULTS, values, now);
}

/** A new `host_mappings` row (`cell_id` and `host` required), created now. */
export function newHostMappingRow(values: NewRowValues<NewHostMappingsRow, typeof HOST_MAPPING_DEFAULTS>, now: RowTime): NewHostMappingsRow {
  return buildNewRow<NewHostMappingsRow>(HOST_MAPPING_DEFAULTS, values, now);
}

/**
 * A new `instance_mappings` row (`instance_uuid` and `project_id` required), created now;
 * queued_for_delete stays NULL unless given, as Nova's model leaves it.
 */
export function newInstanceMappingRow(
  values: NewRowValues<NewInstanceMappingsRow, typeof INSTANCE_MAPPING_DEFAULTS>,
  now: RowTime,
): NewInstanceMappingsRow {
  return buildNewRow<NewInstanceMappingsRow>(INSTANCE_MAPPING_DEFAULTS, values, now);
}

const QUOTA_DEFAULTS = { ...TIMESTAMP_MIXIN } satisfies ColumnDefaults<NewQuotasRow>;
const PROJECT_USER_QUOTA_DEFAULTS = { ...TIMESTAMP_MIXIN } satisfies ColumnDefaults<NewProjectUserQuotasRow>;
const QUOTA_CLASS_DEFAULTS = { ...TIMESTAMP_MIXIN } satisfies ColumnDefaults<NewQuotaClassesRow>;

/** A new `quotas` row (a project's limit of one resource; `resource` required), created now. */
export function newQuotaRow(values: NewRowValues<NewQuotasRow, typeof QUOTA_DEFAULTS>, now: RowTime): NewQuotasRow {
  return buildNewRow<NewQuotasRow>(QUOTA_DEFAULTS, values, now);
}

/** A new `project_user_quotas` row (`user_id`, `project_id` and `resource` required), created now. */
export function newProjectUserQuotaRow(values: NewRowValues<NewProjectUserQuotasRow, typeof PROJECT_USER_QUOTA_DEFAULTS>, now: RowTime): NewProjectUserQuotasRow {
  return buildNewRow<NewProjectUserQuotasRow>(PROJECT_USER_QUOTA_DEFAULTS, values, now);
}

/** A new `quota_classes` row, created now. */
export function newQuotaClassRow(values: NewRowValues<NewQuotaClassesRow, typeof QUOTA_CLASS_DEFAULTS>, now: RowTime): NewQuotaClassesRow {
  return buildNewRow<NewQuotaClassesRow>(QUOTA_CLASS_DEFAULTS, values, now);
}

const INSTANCE_GROUP_DEFAULTS = { ...TIMESTAMP_MIXIN } satisfies ColumnDefaults<NewInstanceGroupsRow>;
// NOTE: rules NULL, as Nova 26's InstanceGroup._create_in_db writes a policy given without rules.
const INSTANCE_GROUP_POLICY_DEFAULTS = { ...TIMESTAMP_MIXIN, rules: null } satisfies ColumnDefaults<NewInstanceGroupPolicyRow>;
const INSTANCE_GROUP_MEMBER_DEFAULTS = { ...TIMESTAMP_MIXIN } satisfies ColumnDefaults<NewInstanceGroupMemberRow>;

/** A new `instance_groups` row (`uuid` required), created now. */
export function newInstanceGroupRow(values: NewRowValues<NewInstanceGroupsRow, typeof INSTANCE_GROUP_DEFAULTS>, now: RowTime): NewInstanceGroupsRow {
  return buildNewRow<NewInstanceGroupsRow>(INSTANCE_GROUP_DEFAULTS, values, now);
}

/** A new `instance_group_policy` row (`group_id` required), created now, rules NULL unless given. */
export function newInstanceGroupPolicyRow(
  values: NewRowValues<NewInstanceGroupPolicyRow, typeof INSTANCE_GROUP_POLICY_DEFAULTS>,
  now: RowTime,
): NewInstanceGroupPolicyRow {
  return buildNewRow<NewInstanceGroupPolicyRow>(INSTANCE_GROUP_POLICY_DEFAULTS, values, now);
}

/** A new `instance_group_member` row (`group_id` required), created now. */
export function newInstanceGroupMemberRow(
  values: NewRowValues<NewInstanceGroupMemberRow, typeof INSTANCE_GROUP_MEMBER_DEFAULTS>,
  now: RowTime,
): NewInstanceGroupMemberRow {
  return buildNewRow<NewInstanceGroupMemberRow>(INSTANCE_GROUP_MEMBER_DEFAULTS, values, now);
}

// NOTE: Nova's Flavors model defaults (nova/db/api/models.py): swap 0, rxtx_factor 1, disabled
// False, is_public True. (ephemeral_gb has none: nova/compute/flavors.py passes 0.)
const FLAVOR_DEFAULTS = {
  ...TIMESTAMP_MIXIN,
  swap: 0,
  rxtx_factor: 1,
  disabled: toDbBoolean(false),
  is_public: toDbBoolean(true),
} satisfies ColumnDefaults<NewFlavorsRow>;

/** A new `flavors` row (`name`, `flavorid`, `memory_mb`, `vcpus` required), created now. */
export function newFlavorRow(values: NewRowValues<NewFlavorsRow, typeof FLAVOR_DEFAULTS>, now: RowTime): NewFlavorsRow {
  return buildNewRow<NewFlavorsRow>(FLAVOR_DEFAULTS, values, now);
}
