/**
 * Reading a build request back into the boot request a burial writes: what Nova's API stored comes
 * back whole, and every field a burial by cellctl would drop is named instead of lost.
 */
import type { BootRequest } from '../../src/domain/cell0-burial';
import { blockDeviceListJson, buildRequestInstanceJson, tagListJson } from '../../src/domain/nova-primitives';
import { bootRequestFromBuildRequest, buildRequestSummary, requestedVolumes, UnburiableBuildRequest, type StuckBuildRow } from '../../src/domain/stuck-builds';

const UUID = '12345678-1234-4234-8234-123456789abc';
const IMAGE = '33333333-3333-4333-8333-333333333333';
const flavor = { id: 3, flavorId: 'f3', name: 'small', memoryMb: 2048, vcpus: 2, rootGb: 20, ephemeralGb: 1, swap: 512, rxtxFactor: 1, vcpuWeight: null, disabled: false, isPublic: true, description: 'd', extraSpecs: { 'hw:cpu_policy': 'dedicated' } };
const device = { sourceType: 'blank' as const, destinationType: 'local' as const, imageId: null, volumeId: null, snapshotId: null, bootIndex: -1, deleteOnTermination: true, guestFormat: 'swap', deviceType: null, diskBus: null, deviceName: null, volumeSize: null, volumeType: null, tag: 'x' };

function row(overrides: Partial<StuckBuildRow> = {}): StuckBuildRow {
  return {
    instanceUuid: UUID,
    projectId: 'p',
    userId: 'u',
    instance: buildRequestInstanceJson({
      uuid: UUID,
      userId: 'u',
      projectId: 'p',
      imageRef: IMAGE,
      hostname: 'web-2',
      displayName: 'web-2',
      description: 'web',
      launchIndex: 1,
      reservationId: 'r-1',
      availabilityZone: 'az',
      flavor,
      metadata: { k: 'ü' },
      systemMetadata: { image_min_disk: '20' },
    }),
    blockDeviceMappings: blockDeviceListJson([device]),
    tags: tagListJson(UUID, ['a', 'b']),
    ...overrides,
  };
}

describe('bootRequestFromBuildRequest', () => {
  const started = new Date('2026-01-01T00:00:00Z');

  it('gives back what the API stored', () => {
    expect(bootRequestFromBuildRequest(row(), 'req-1', started)).toEqual<BootRequest>({
      requestId: 'req-1',
      userId: 'u',
      projectId: 'p',
      flavor,
      imageRef: IMAGE,
      availabilityZone: 'az',
      reservationId: 'r-1',
      description: 'web',
      instances: [{ uuid: UUID, displayName: 'web-2', hostname: 'web-2', launchIndex: 1 }],
      metadata: { k: 'ü' },
      systemMetadata: { image_min_disk: '20' },
      blockDevices: [device],
      tags: ['a', 'b'],
      startedAt: started,
    });
    expect(buildRequestSummary(row().instance)).toEqual({ name: 'web-2', userId: 'u', reservationId: 'r-1', launchIndex: 1 });
  });

  it('names every field a burial would not write, and unreadable JSON', () => {
    const instance = row().instance!.replace('"key_name": null', '"key_name": "k"').replace('"hidden": false', '"hidden": false, "user_data": "IyEvYmluL3No"');
    const devices = row().blockDeviceMappings!.replace('"connection_info": null', '"connection_info": null, "attachment_id": "att-1"');
    const problems = (r: StuckBuildRow) => {
      try {
        bootRequestFromBuildRequest(r, 'req', started);
      } catch (error) {
        return (error as UnburiableBuildRequest).problems;
      }
      return [];
    };
    expect(problems(row({ instance, blockDeviceMappings: devices }))).toEqual(['the instance carries key_name, user_data', 'block device 0 carries attachment_id']);
    expect(problems(row({ instance: '{not json' }))).toEqual(['the build request instance is not JSON']);
    expect(problems(row({ instance: null }))).toEqual(['the build request instance is empty']);
    expect(problems(row({ tags: '{"nova_object.name": "Other"}' }))).toEqual(['the tag list is not a TagList object']);
    expect(buildRequestSummary('{not json')).toEqual({ name: null, userId: null, reservationId: null, launchIndex: null });
  });

  it('finds the volumes a build request names', () => {
    const volume = { ...device, sourceType: 'volume' as const, destinationType: 'volume' as const, volumeId: 'v-1', guestFormat: null };
    expect(requestedVolumes(blockDeviceListJson([device, volume]))).toEqual(['v-1']);
    expect(requestedVolumes(null)).toEqual([]);
  });
});
