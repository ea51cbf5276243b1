/**
 * Stuck builds for tests: what Nova's API writes before scheduling (request spec, build request,
 * cell-less mapping per instance, with Nova's JSON as `instance boot` writes it), with nothing after.
 * The Nova-made ones come from test/support/nova-bury.py --pending-only.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import { insertPendingInstances } from '../../src/db/api/build-request.repository';
import { inTransaction } from '../../src/db/unit-of-work';
import type { DatabaseHandle } from '../../src/db/connection';
import { imageRootDisk, type RequestedBlockDevice } from '../../src/domain/cell0-burial';
import type { Flavor } from '../../src/domain/flavor';
import { blockDeviceListJson, buildRequestInstanceJson, requestSpecJson, tagListJson } from '../../src/domain/nova-primitives';

export const STUCK_IMAGE = '33333333-3333-4333-8333-333333333333';

export const STUCK_FLAVOR: Flavor = { id: 7, flavorId: 'f1', name: 'm1.tiny', memoryMb: 512, vcpus: 1, rootGb: 1, ephemeralGb: 0, swap: 0, rxtxFactor: 1, vcpuWeight: null, disabled: false, isPublic: true, description: null, extraSpecs: {} };

export const ROOT_DISK: RequestedBlockDevice = imageRootDisk(STUCK_IMAGE);

/** One reservation of `count` stuck instances named `name-1`.. (or `name` alone), created at `createdAt`; returns their UUIDs. */
export async function insertStuckReservation(
  api: DatabaseHandle<ApiDatabase>,
  options: { name: string; project: string; user?: string; count?: number; createdAt: string; devices?: RequestedBlockDevice[]; tags?: string[]; uuids?: string[] },
): Promise<string[]> {
  const count = options.count ?? 1;
  const user = options.user ?? 'user-1';
  const reservation = `r-${randomUUID().slice(0, 8)}`;
  const uuids = options.uuids ?? Array.from({ length: count }, () => randomUUID());
  const pending = uuids.map((uuid, index) => {
    const name = count === 1 ? options.name : `${options.name}-${index + 1}`;
    return {
      instanceUuid: uuid,
      projectId: options.project,
      userId: user,
      spec: requestSpecJson({ instanceUuid: uuid, projectId: options.project, userId: user, imageRef: STUCK_IMAGE, flavor: STUCK_FLAVOR, availabilityZone: null, numInstances: count }),
      instance: buildRequestInstanceJson({
        uuid,
        userId: user,
        projectId: options.project,
        imageRef: STUCK_IMAGE,
        hostname: name,
        displayName: name,
        description: options.name,
        launchIndex: index,
        reservationId: reservation,
        availabilityZone: null,
        flavor: STUCK_FLAVOR,
        metadata: {},
        systemMetadata: { image_base_image_ref: STUCK_IMAGE },
      }),
      blockDeviceMappings: blockDeviceListJson(options.devices ?? [ROOT_DISK]),
      tags: tagListJson(uuid, options.tags ?? []),
    };
  });
  for (let i = 0; i < pending.length; i += 200) await inTransaction(api, (tx) => insertPendingInstances(tx, pending.slice(i, i + 200), options.createdAt));
  await (api.db as Kysely<ApiDatabase>).updateTable('build_requests').set({ created_at: options.createdAt }).where('instance_uuid', 'in', uuids).execute();
  return uuids;
}
