/**
 * Nova's versioned objects as the JSON it stores in the databases (oslo.versionedobjects
 * primitives, written by oslo.serialization's jsonutils.dumps): the flavor an instance keeps, the
 * instance, block devices and tags of a build request, the request spec.
 */
import type { Flavor } from './flavor';

/** A Python float in JSON (`1.0`, not `1`), as Nova's jsonutils writes one. */
export class PythonFloat {
  constructor(readonly value: number) {}
}

export type PythonJson = string | number | boolean | null | PythonFloat | PythonJson[] | { [key: string]: PythonJson };

/** JSON text as Python's json.dumps writes it by default: `", "` and `": "` separators, floats with a point. */
export function pythonJsonDumps(value: PythonJson): string {
  if (value instanceof PythonFloat) return Number.isInteger(value.value) ? `${value.value}.0` : String(value.value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pythonJsonDumps(v)}`)
      .join(', ')}}`;
  }
  // NOTE: Python escapes every non-ASCII character (ensure_ascii); JSON.stringify keeps them.
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A versioned object's primitive, as oslo.versionedobjects serialises it (without its change list). */
export function primitive(name: string, version: string, data: { [key: string]: PythonJson }): { [key: string]: PythonJson } {
  return { 'nova_object.name': name, 'nova_object.namespace': 'nova', 'nova_object.version': version, 'nova_object.data': data };
}

/**
 * The Flavor 1.2 primitive: extra specs included; the description nulled, as in the copy an
 * instance keeps (instance_extra), unless `keepDescription` (build requests, request specs).
 */
export function flavorPrimitive(flavor: Flavor, options: { keepDescription?: boolean } = {}): { [key: string]: PythonJson } {
  return primitive('Flavor', '1.2', {
    id: flavor.id,
    name: flavor.name,
    memory_mb: flavor.memoryMb,
    vcpus: flavor.vcpus,
    root_gb: flavor.rootGb,
    ephemeral_gb: flavor.ephemeralGb,
    flavorid: flavor.flavorId,
    swap: flavor.swap,
    rxtx_factor: flavor.rxtxFactor === null ? null : new PythonFloat(flavor.rxtxFactor),
    vcpu_weight: flavor.vcpuWeight,
    disabled: flavor.disabled,
    is_public: flavor.isPublic,
    extra_specs: { ...flavor.extraSpecs },
    // NOTE: Nova drops the description from the copy an instance keeps (Instance._nullify_flavor_description).
    description: options.keepDescription ? flavor.description : null,
  });
}


type Primitive = { [key: string]: PythonJson };

/** A primitive that records every field of `data` as changed, as a new object Nova serialises does. */
function changed(p: Primitive): Primitive {
  return { ...p, 'nova_object.changes': Object.keys(p['nova_object.data'] as Primitive).sort() };
}

/** One block device of a build request (BlockDeviceMapping 1.21, every field of the API's BlockDeviceDict). */
export interface BlockDevicePrimitiveInput {
  sourceType: string;
  destinationType: string;
  guestFormat: string | null;
  deviceType: string | null;
  diskBus: string | null;
  bootIndex: number | null;
  deviceName: string | null;
  deleteOnTermination: boolean;
  snapshotId: string | null;
  volumeId: string | null;
  volumeSize: number | null;
  imageId: string | null;
  volumeType: string | null;
  tag: string | null;
}

/** build_requests.block_device_mappings: a BlockDeviceMappingList 1.18 of the request's devices. */
export function blockDeviceListJson(devices: readonly BlockDevicePrimitiveInput[]): string {
  const objects = devices.map((d) =>
    changed(
      primitive('BlockDeviceMapping', '1.21', {
        source_type: d.sourceType,
        destination_type: d.destinationType,
        guest_format: d.guestFormat,
        device_type: d.deviceType,
        disk_bus: d.diskBus,
        boot_index: d.bootIndex,
        device_name: d.deviceName,
        delete_on_termination: d.deleteOnTermination,
        snapshot_id: d.snapshotId,
        volume_id: d.volumeId,
        volume_size: d.volumeSize,
        image_id: d.imageId,
        no_device: false,
        connection_info: null,
        tag: d.tag,
        volume_type: d.volumeType,
        encrypted: false,
        encryption_secret_uuid: null,
        encryption_format: null,
        encryption_options: null,
      }),
    ),
  );
  return pythonJsonDumps(changed(primitive('BlockDeviceMappingList', '1.18', { objects })));
}

/** build_requests.tags: a TagList 1.1 of the instance's tags. */
export function tagListJson(instanceUuid: string, tags: readonly string[]): string {
  const objects = tags.map((tag) => changed(primitive('Tag', '1.1', { resource_id: instanceUuid, tag })));
  return pythonJsonDumps(changed(primitive('TagList', '1.1', { objects })));
}

/** What an instance of a build request holds (Instance 2.7, as Nova's API fills it before scheduling). */
export interface InstancePrimitiveInput {
  uuid: string;
  userId: string;
  projectId: string;
  imageRef: string;
  hostname: string;
  displayName: string;
  description: string | null;
  launchIndex: number;
  reservationId: string;
  availabilityZone: string | null;
  flavor: Flavor;
  metadata: Record<string, string>;
  systemMetadata: Record<string, string>;
}

/** build_requests.instance: the instance Nova's conductor creates from it (building, scheduling). */
export function buildRequestInstanceJson(i: InstancePrimitiveInput): string {
  const empty = (name: string, version: string) => primitive(name, version, { objects: [] });
  return pythonJsonDumps(
    changed(
      primitive('Instance', '2.7', {
        user_id: i.userId,
        project_id: i.projectId,
        image_ref: i.imageRef,
        hostname: i.hostname,
        launch_index: i.launchIndex,
        key_name: null,
        key_data: null,
        power_state: 0,
        vm_state: 'building',
        task_state: 'scheduling',
        memory_mb: i.flavor.memoryMb,
        vcpus: i.flavor.vcpus,
        root_gb: i.flavor.rootGb,
        ephemeral_gb: i.flavor.ephemeralGb,
        instance_type_id: i.flavor.id,
        reservation_id: i.reservationId,
        availability_zone: i.availabilityZone,
        display_name: i.displayName,
        display_description: i.description,
        locked: false,
        uuid: i.uuid,
        config_drive: '',
        metadata: { ...i.metadata },
        system_metadata: { ...i.systemMetadata },
        info_cache: changed(primitive('InstanceInfoCache', '1.5', { network_info: '[]' })),
        security_groups: empty('SecurityGroupList', '1.1'),
        numa_topology: null,
        pci_requests: null,
        tags: empty('TagList', '1.1'),
        flavor: changed(flavorPrimitive(i.flavor, { keepDescription: true })),
        old_flavor: null,
        new_flavor: null,
        keypairs: changed(empty('KeyPairList', '1.3')),
        trusted_certs: null,
        hidden: false,
        deleted: false,
      }),
    ),
  );
}

/** What a request spec holds. */
export interface RequestSpecInput {
  instanceUuid: string;
  projectId: string;
  userId: string;
  imageRef: string;
  flavor: Flavor;
  availabilityZone: string | null;
  numInstances: number;
  group?: InstanceGroupPrimitiveInput;
}

/** request_specs.spec: RequestSpec 1.14 as Nova's RequestSpec.from_components and create() store it. */
export function requestSpecJson(s: RequestSpecInput): string {
  return pythonJsonDumps(
    changed(
      primitive('RequestSpec', '1.14', {
        image: { ...primitive('ImageMeta', '1.8', { id: s.imageRef, properties: primitive('ImageMetaProps', '1.34', {}) }), 'nova_object.changes': ['id', 'properties'] },
        numa_topology: null,
        pci_requests: changed(primitive('InstancePCIRequests', '1.1', { requests: [] })),
        project_id: s.projectId,
        user_id: s.userId,
        availability_zone: s.availabilityZone,
        flavor: changed(flavorPrimitive(s.flavor, { keepDescription: true })),
        num_instances: s.numInstances,
        ignore_hosts: null,
        force_hosts: null,
        force_nodes: null,
        requested_destination: null,
        retry: null,
        limits: changed(primitive('SchedulerLimits', '1.0', { numa_topology: null, vcpu: null, disk_gb: null, memory_mb: null })),
        instance_group: s.group ? instanceGroupPrimitive(s.group) : null,
        // NOTE: RequestSpec._from_hints keeps every hint as a list.
        scheduler_hints: s.group ? { group: [s.group.uuid] } : {},
        instance_uuid: s.instanceUuid,
        requested_resources: [],
      }),
    ),
  );
}

/** A group as a request spec keeps it (InstanceGroup 1.11 without its members and hosts, as RequestSpec.create stores it). */
export interface InstanceGroupPrimitiveInput {
  id: number;
  uuid: string;
  name: string | null;
  projectId: string | null;
  userId: string | null;
  policy: string | null;
  /** instance_group_policy.rules: JSON text, or null. */
  rules: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

/** A database timestamp ('YYYY-MM-DD HH:MM:SS', UTC) as oslo.versionedobjects serialises a DateTimeField. */
function isoTime(timestamp: string | null): string | null {
  return timestamp === null ? null : `${timestamp.slice(0, 19).replace(' ', 'T')}Z`;
}

function instanceGroupPrimitive(g: InstanceGroupPrimitiveInput): Primitive {
  const rules = g.rules === null ? {} : (JSON.parse(g.rules) as Record<string, string>);
  return {
    ...primitive('InstanceGroup', '1.11', {
      id: g.id,
      user_id: g.userId,
      project_id: g.projectId,
      uuid: g.uuid,
      name: g.name,
      policies: g.policy === null ? [] : [g.policy],
      members: null,
      hosts: null,
      policy: g.policy,
      _rules: Object.fromEntries(Object.entries(rules).map(([k, v]) => [k, String(v)])),
      created_at: isoTime(g.createdAt),
      updated_at: isoTime(g.updatedAt),
      deleted_at: null,
      deleted: false,
    }),
    'nova_object.changes': ['hosts', 'members'],
  };
}
