/**
 * Stuck builds: build requests Nova's API wrote whose instance never reached a cell (nova-details
 * §2.2: without cell0, or when the conductor died, Nova leaves them for ever). Reading what the API
 * database holds for one (build_requests.instance, .block_device_mappings and .tags are Nova's
 * versioned objects in JSON) back into the boot request Nova's conductor would bury.
 */
import type { BootRequest, RequestedBlockDevice, RequestedInstance } from './cell0-burial';
import type { Flavor } from './flavor';

/** The default age below which a build request is not stuck: the conductor may be scheduling it right now. */
export const DEFAULT_STUCK_AGE_SECONDS = 3600;

/** What a stuck build's instance mapping says. */
export type StuckMapping =
  /** A mapping without a cell: Nova's API wrote it, no conductor placed the instance. */
  | 'no-cell'
  /** No mapping at all (an older API, or a hand-made row): Nova's conductor buries such an instance too. */
  | 'missing'
  /** Pointed at cell0 while the build request is still there: a burial cut short. */
  | 'cell0';

/**
 * The fault reason (after Nova's "No valid host was found. ") of a stuck build buried in cell0: one
 * text for every instance, as one conductor call raises one exception (the instance keeps the build
 * request's created_at, which says since when).
 */
export const STUCK_REASON = 'The build request was never scheduled.';

/** Why a build request cannot be turned into a burial: the fields cellctl would not write as Nova does. */
export class UnburiableBuildRequest extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Data = { [key: string]: Json };

/** The `nova_object.data` of a primitive of object `name` (any version). */
function objectData(value: Json | undefined, name: string, where: string): Data {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value['nova_object.name'] !== name) {
    throw new UnburiableBuildRequest([`${where} is not a ${name} object`]);
  }
  const data = value['nova_object.data'];
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new UnburiableBuildRequest([`${where} has no data`]);
  return data;
}

function parse(text: string | null, where: string): Json {
  if (text === null) throw new UnburiableBuildRequest([`${where} is empty`]);
  try {
    return JSON.parse(text) as Json;
  } catch {
    throw new UnburiableBuildRequest([`${where} is not JSON`]);
  }
}

/** A value that carries nothing: what Nova's API leaves in a field it does not set. */
function isEmpty(value: Json | undefined): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') {
    const data = value['nova_object.data'];
    if (data && typeof data === 'object' && !Array.isArray(data)) {
      const objects = (data as Data).objects;
      return Array.isArray(objects) ? objects.length === 0 : Object.values(data).every(isEmpty);
    }
    return Object.keys(value).length === 0;
  }
  return false;
}

/** Instance fields a burial writes from the build request (the others must carry nothing). */
const INSTANCE_FIELDS = new Set([
  'uuid',
  'user_id',
  'project_id',
  'image_ref',
  'hostname',
  'launch_index',
  'display_name',
  'display_description',
  'reservation_id',
  'availability_zone',
  'flavor',
  'metadata',
  'system_metadata',
  'memory_mb',
  'vcpus',
  'root_gb',
  'ephemeral_gb',
  'instance_type_id',
  'vm_state',
  'task_state',
  'info_cache',
  'created_at',
  'updated_at',
]);

/** Block device fields a burial writes (the others must carry nothing). */
const DEVICE_FIELDS = new Set([
  'source_type',
  'destination_type',
  'guest_format',
  'device_type',
  'disk_bus',
  'boot_index',
  'device_name',
  'delete_on_termination',
  'snapshot_id',
  'volume_id',
  'volume_size',
  'image_id',
  'tag',
  'volume_type',
  'instance_uuid',
  'uuid',
]);

const str = (v: Json | undefined): string | null => (v === undefined || v === null ? null : String(v));
const num = (v: Json | undefined): number | null => (typeof v === 'number' ? v : null);

function stringMap(value: Json | undefined, where: string, problems: string[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${where} is not a mapping`);
    return {};
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

function flavorOf(value: Json | undefined, problems: string[]): Flavor | undefined {
  let f: Data;
  try {
    f = objectData(value, 'Flavor', 'the instance flavor');
  } catch (e) {
    problems.push(...(e as UnburiableBuildRequest).problems);
    return undefined;
  }
  const missing = ['id', 'flavorid', 'name', 'memory_mb', 'vcpus', 'root_gb', 'ephemeral_gb', 'swap', 'extra_specs'].filter((k) => !(k in f));
  if (missing.length > 0) {
    problems.push(`the instance flavor lacks ${missing.join(', ')}`);
    return undefined;
  }
  return {
    id: Number(f.id),
    flavorId: String(f.flavorid),
    name: String(f.name),
    memoryMb: Number(f.memory_mb),
    vcpus: Number(f.vcpus),
    rootGb: num(f.root_gb),
    ephemeralGb: num(f.ephemeral_gb),
    swap: Number(f.swap),
    rxtxFactor: num(f.rxtx_factor),
    vcpuWeight: num(f.vcpu_weight),
    disabled: f.disabled === true,
    isPublic: f.is_public !== false,
    description: str(f.description),
    extraSpecs: Object.fromEntries(Object.entries((f.extra_specs ?? {}) as Data).map(([k, v]) => [k, str(v)])),
  };
}

function devicesOf(text: string | null, problems: string[]): RequestedBlockDevice[] {
  if (text === null) return [];
  let list: Data;
  try {
    list = objectData(parse(text, 'the block device list'), 'BlockDeviceMappingList', 'the block device list');
  } catch (e) {
    problems.push(...(e as UnburiableBuildRequest).problems);
    return [];
  }
  const objects = Array.isArray(list.objects) ? list.objects : [];
  return objects.flatMap((o, index) => {
    let d: Data;
    try {
      d = objectData(o, 'BlockDeviceMapping', `block device ${index}`);
    } catch (e) {
      problems.push(...(e as UnburiableBuildRequest).problems);
      return [];
    }
    const extra = Object.keys(d).filter((k) => !DEVICE_FIELDS.has(k) && !isEmpty(d[k]));
    if (extra.length > 0) problems.push(`block device ${index} carries ${extra.sort().join(', ')}`);
    return [
      {
        sourceType: String(d.source_type) as RequestedBlockDevice['sourceType'],
        destinationType: String(d.destination_type) as RequestedBlockDevice['destinationType'],
        imageId: str(d.image_id),
        volumeId: str(d.volume_id),
        snapshotId: str(d.snapshot_id),
        bootIndex: num(d.boot_index),
        deleteOnTermination: d.delete_on_termination === true,
        guestFormat: str(d.guest_format),
        deviceType: str(d.device_type),
        diskBus: str(d.disk_bus),
        deviceName: str(d.device_name),
        volumeSize: num(d.volume_size),
        volumeType: str(d.volume_type),
        tag: str(d.tag),
      },
    ];
  });
}

function tagsOf(text: string | null, problems: string[]): string[] {
  if (text === null) return [];
  try {
    const list = objectData(parse(text, 'the tag list'), 'TagList', 'the tag list');
    const objects = Array.isArray(list.objects) ? list.objects : [];
    return objects.map((o, index) => String(objectData(o, 'Tag', `tag ${index}`).tag));
  } catch (e) {
    problems.push(...(e as UnburiableBuildRequest).problems);
    return [];
  }
}

/** One stuck build request's columns, as the API database holds them. */
export interface StuckBuildRow {
  instanceUuid: string;
  projectId: string;
  userId: string | null;
  instance: string | null;
  blockDeviceMappings: string | null;
  tags: string | null;
}

/** The instance of a build request, for listings: its name and user, read leniently (null when unreadable). */
export function buildRequestSummary(instanceJson: string | null): { name: string | null; userId: string | null; reservationId: string | null; launchIndex: number | null } {
  try {
    const data = objectData(parse(instanceJson, 'instance'), 'Instance', 'instance');
    return { name: str(data.display_name), userId: str(data.user_id), reservationId: str(data.reservation_id), launchIndex: num(data.launch_index) };
  } catch {
    return { name: null, userId: null, reservationId: null, launchIndex: null };
  }
}

/**
 * The boot request, of this one instance, that Nova's conductor would bury for the build request
 * `row`: the instance as the API stored it, its own block devices and tags. `requestId` and
 * `startedAt` are the burial's own (Nova's conductor takes them from its context). Throws
 * UnburiableBuildRequest naming every field the build request holds that a burial by cellctl would
 * not write as Nova does (a key pair, user data, security groups, a NUMA topology, a volume
 * attachment...), or that cannot be read.
 */
export function bootRequestFromBuildRequest(row: StuckBuildRow, requestId: string, startedAt: Date): BootRequest {
  const problems: string[] = [];
  const data = objectData(parse(row.instance, 'the build request instance'), 'Instance', 'the build request instance');
  const extra = Object.keys(data).filter((k) => !INSTANCE_FIELDS.has(k) && !isEmpty(data[k]));
  if (extra.length > 0) problems.push(`the instance carries ${extra.sort().join(', ')}`);
  if (data.info_cache !== undefined && data.info_cache !== null) {
    const cache = objectData(data.info_cache, 'InstanceInfoCache', 'the info cache');
    if (cache.network_info !== undefined && cache.network_info !== '[]' && cache.network_info !== null) problems.push('the instance has network info');
  }
  const flavor = flavorOf(data.flavor, problems);
  if (flavor) {
    const sized: Array<[string, number | null]> = [
      ['memory_mb', flavor.memoryMb],
      ['vcpus', flavor.vcpus],
      ['root_gb', flavor.rootGb],
      ['ephemeral_gb', flavor.ephemeralGb],
      ['instance_type_id', flavor.id],
    ];
    for (const [field, expected] of sized) if (field in data && data[field] !== expected) problems.push(`the instance's ${field} differs from its flavor's`);
  }
  const metadata = stringMap(data.metadata, 'the metadata', problems);
  const systemMetadata = stringMap(data.system_metadata, 'the system metadata', problems);
  const blockDevices = devicesOf(row.blockDeviceMappings, problems);
  const tags = tagsOf(row.tags, problems);
  if (problems.length > 0 || !flavor) throw new UnburiableBuildRequest(problems);
  const instance: RequestedInstance = {
    uuid: row.instanceUuid,
    displayName: str(data.display_name) ?? '',
    hostname: str(data.hostname) ?? '',
    launchIndex: num(data.launch_index) ?? 0,
  };
  return {
    requestId,
    userId: str(data.user_id) ?? row.userId ?? '',
    projectId: str(data.project_id) ?? row.projectId,
    flavor,
    imageRef: str(data.image_ref) ?? '',
    availabilityZone: str(data.availability_zone),
    reservationId: str(data.reservation_id) ?? '',
    description: str(data.display_description),
    instances: [instance],
    metadata,
    systemMetadata,
    blockDevices,
    tags,
    startedAt,
  };
}

/** The volumes a build request's block devices name (Nova's API delete detaches them in Cinder; a database tool cannot). */
export function requestedVolumes(blockDeviceMappings: string | null): string[] {
  try {
    const list = objectData(parse(blockDeviceMappings, 'bdms'), 'BlockDeviceMappingList', 'bdms');
    const objects = Array.isArray(list.objects) ? list.objects : [];
    return objects.flatMap((o) => {
      const d = objectData(o, 'BlockDeviceMapping', 'bdm');
      return typeof d.volume_id === 'string' ? [d.volume_id] : [];
    });
  } catch {
    return [];
  }
}
