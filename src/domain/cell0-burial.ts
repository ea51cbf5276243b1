/**
 * What burying an instance in cell0 writes, as values: the boot request it comes from, the
 * scheduling failure, the fault Nova records for it, and the JSON Nova stores in instance_extra
 * (nova/conductor/manager.py _bury_in_cell0, nova/compute/utils.py, nova/objects/instance.py).
 */
import type { Flavor } from './flavor';
import { flavorPrimitive, primitive, pythonJsonDumps } from './nova-primitives';

/** Why an instance was not placed, as Nova's scheduler and conductor raise it. */
export type SchedulingFailure =
  /** NoValidHost: no host had room (`reason` as the scheduler gives it, '' for placement's "no candidates"). */
  | { kind: 'no-valid-host'; reason: string }
  /** HostMappingNotFound: the chosen host has no host mapping (run `host discover`). */
  | { kind: 'host-not-mapped'; host: string };

/** One block device of a boot request, as Nova's API builds it (a BlockDeviceDict: unset fields null). */
export interface RequestedBlockDevice {
  sourceType: 'image' | 'volume' | 'snapshot' | 'blank';
  destinationType: 'local' | 'volume';
  imageId: string | null;
  volumeId: string | null;
  snapshotId: string | null;
  bootIndex: number | null;
  deleteOnTermination: boolean;
  guestFormat: string | null;
  deviceType: string | null;
  diskBus: string | null;
  deviceName: string | null;
  volumeSize: number | null;
  volumeType: string | null;
  tag: string | null;
}

/** One instance of a boot request. */
export interface RequestedInstance {
  uuid: string;
  displayName: string;
  hostname: string;
  launchIndex: number;
}

/** A boot request, as the API leaves it for the conductor: what every instance of it shares. */
export interface BootRequest {
  requestId: string;
  userId: string;
  projectId: string;
  flavor: Flavor;
  imageRef: string;
  availabilityZone: string | null;
  reservationId: string;
  /** display_description of every instance: the server name as requested, without --count's suffix (Nova before API 2.19). */
  description: string | null;
  instances: RequestedInstance[];
  metadata: Record<string, string>;
  systemMetadata: Record<string, string>;
  blockDevices: RequestedBlockDevice[];
  tags: string[];
  /** When the API request began (the context's timestamp): the `create` action's start_time. */
  startedAt: Date;
}

/** The event Nova records on the `create` action of a buried instance. */
export const BURIAL_EVENT = 'conductor_schedule_and_build_instances';

/** The fault Nova writes for a failure: its code (500, or 400 for an `Invalid` such as HostMappingNotFound) and message. */
export function faultOf(failure: SchedulingFailure): { code: 500 | 400; message: string } {
  if (failure.kind === 'host-not-mapped') return { code: 400, message: truncateUtf8(`Host '${failure.host}' is not mapped to any cell`, FAULT_MESSAGE_BYTES) };
  return { code: 500, message: truncateUtf8(`No valid host was found. ${failure.reason}`, FAULT_MESSAGE_BYTES) };
}

/** instance_faults.message and the event's details hold at most 255 bytes of UTF-8 (nova/utils.py safe_truncate). */
export const FAULT_MESSAGE_BYTES = 255;

/** `text` cut to at most `bytes` bytes of UTF-8, never inside a character. */
export function truncateUtf8(text: string, bytes: number): string {
  let used = 0;
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > bytes) break;
    used += size;
    out += ch;
  }
  return out;
}

/** instance_extra.flavor: the current flavor, no old or new one (no resize in progress). */
export function instanceExtraFlavor(flavor: Flavor): string {
  return pythonJsonDumps({ cur: flavorPrimitive(flavor), old: null, new: null });
}

/** instance_extra.keypairs of an instance booted without a key pair: an empty KeyPairList 1.3. */
export const EMPTY_KEYPAIRS = pythonJsonDumps(primitive('KeyPairList', '1.3', { objects: [] }));

/**
 * The volume size Nova's conductor gives a block device it records (manager.py _volume_size): a
 * local blank device without a size takes the flavor's swap (guest format `swap`) or ephemeral
 * size; every other device keeps its own.
 */
export function recordedVolumeSize(device: RequestedBlockDevice, flavor: Flavor): number | null {
  if (device.volumeSize === null && device.sourceType === 'blank' && device.destinationType === 'local') return device.guestFormat === 'swap' ? flavor.swap : flavor.ephemeralGb;
  return device.volumeSize;
}

/** The block device Nova's API makes for a boot from an image without block devices asked for: the image as local root disk. */
export function imageRootDisk(imageId: string): RequestedBlockDevice {
  return {
    sourceType: 'image',
    destinationType: 'local',
    imageId,
    volumeId: null,
    snapshotId: null,
    bootIndex: 0,
    deleteOnTermination: true,
    guestFormat: null,
    deviceType: 'disk',
    diskBus: null,
    deviceName: null,
    volumeSize: null,
    volumeType: null,
    tag: null,
  };
}
