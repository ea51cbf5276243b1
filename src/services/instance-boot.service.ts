/**
 * `instance boot`: what Nova's API and conductor do for a server create, without its services.
 * The API database first (request spec, build request, cell-less mapping per instance, as Nova's
 * API writes them), then a simulated scheduler over the compute nodes of the enabled cells, then
 * each instance created in its host's cell, or, when no host fits, buried in cell0 exactly as
 * Nova's conductor buries it.
 */
import { randomUUID } from 'node:crypto';
import { hostname as machineName } from 'node:os';
import { listAvailabilityZones, listHostAvailabilityZones } from '../db/api/aggregate.repository';
import { deleteBuildRequests, findBuildRequestCreatedAt, insertPendingInstances } from '../db/api/build-request.repository';
import { listHostMappings } from '../db/api/host-mapping.repository';
import { addGroupMembers, listGroups, type ApiInstanceGroupRecord } from '../db/api/instance-group.repository';
import { findMappingCells, pointMappingAtCell } from '../db/api/instance-mapping.repository';
import { findInstanceHosts } from '../db/cell/instance.repository';
import { claimNodeUsage, listSchedulableNodes } from '../db/cell/compute-node.repository';
import { createDevicesAndTags, createInstanceRows, startCreateAction } from '../db/cell/instance-create.repository';
import { rowTimestamp } from '../db/new-row-defaults';
import { inTransaction } from '../db/unit-of-work';
import { isCell0, type Cell } from '../domain/cell';
import { imageRootDisk, type BootRequest, type SchedulingFailure } from '../domain/cell0-burial';
import { AmbiguousInstanceGroupError, Cell0MissingError, FlavorNotFoundError, InstanceGroupNotFoundError, InvalidValueError } from '../domain/errors';
import { flavorNameProblem } from '../domain/flavor';
import { flavorNeeds, instanceNames, NOT_ENOUGH_HOSTS, placeInstances, reservationId, type GroupConstraint, type HostCandidate } from '../domain/instance-boot';
import { INSTANCE_GROUP_POLICIES, type InstanceGroupPolicy } from '../domain/instance-groups';
import { blockDeviceListJson, buildRequestInstanceJson, requestSpecJson, tagListJson } from '../domain/nova-primitives';
import { isFailed } from '../domain/outcome';
import { buryInCell0 } from './cell0-burial.service';
import { scatterCells } from './cell-execution';
import { listCells } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';
import { showFlavor } from './flavor.service';
import type { SettingReader } from './online-migrations/migration';

/** instances.display_name holds 255 characters. */
const NAME_LIMIT = 255;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Cells whose compute nodes are read at once. */
const BOOT_PARALLELISM = 4;
/** Nova's API limit on project and user ids (the columns hold 255). */
const ID_LIMIT = 255;

/** Options of bootInstances. */
export interface BootOptions {
  name: string;
  flavor: string;
  image: string;
  project: string;
  user: string;
  count?: number;
  availabilityZone?: string;
  /** An instance group of the API database (UUID, or name within --project): its policy is honoured and the instances join it. */
  group?: string;
  dryRun?: boolean;
  /** nova.conf values: `[DEFAULT] host`, `default_availability_zone`, `initial_*_allocation_ratio`. */
  setting?: SettingReader;
  now?: Date;
}

/** What became of one instance. */
export interface BootedInstance {
  uuid: string;
  name: string;
  /** `placed` in a cell on a host, or `buried` in cell0 with a fault. */
  state: 'placed' | 'buried';
  cell: Cell;
  host: string | null;
  fault: string | null;
}

/** What bootInstances did (with dryRun: would do; nothing written). */
export interface BootResult {
  instances: BootedInstance[];
  dryRun: boolean;
  /** Cells whose compute nodes could not be read (their hosts were not candidates). */
  unreadCells: Array<{ cell: Cell; error: Error }>;
}

function checkText(field: string, value: string): void {
  if (value.trim() === '' || value.length > ID_LIMIT) throw new InvalidValueError(field, value, `a ${field} ID of 1 to ${ID_LIMIT} characters`);
}

/** The boot request for `options`: names, UUIDs, a reservation id, the image as the root disk. */
function bootRequest(options: BootOptions, flavor: BootRequest['flavor'], now: Date): BootRequest {
  const count = options.count ?? 1;
  const instances = Array.from({ length: count }, (_, index) => {
    const uuid = randomUUID();
    return { uuid, launchIndex: index, ...instanceNames(options.name, uuid, index, count) };
  });
  const rootDisk = imageRootDisk(options.image);

  return {
    requestId: `req-${randomUUID()}`,
    userId: options.user,
    projectId: options.project,
    flavor,
    imageRef: options.image,
    availabilityZone: options.availabilityZone ?? null,
    reservationId: reservationId(),
    description: options.name,
    instances,
    metadata: {},
    systemMetadata: { image_base_image_ref: options.image },
    blockDevices: [rootDisk],
    tags: [],
    startedAt: now,
  };
}

/** `[DEFAULT] default_availability_zone`, Nova's 'nova' when unset. */
function defaultAvailabilityZone(setting: SettingReader | undefined): string {
  return setting?.('DEFAULT', 'default_availability_zone') || 'nova';
}

/** A positive allocation ratio of a node, else the configured initial ratio (Nova's defaults 4.0, 1.0, 1.0). */
function ratio(stored: number | null, setting: SettingReader | undefined, option: string, fallback: number): number {
  if (stored !== null && stored > 0) return stored;
  const configured = Number(setting?.('DEFAULT', option));
  return Number.isFinite(configured) && configured > 0 ? configured : fallback;
}

/** Every schedulable compute node of the enabled cells (cell0 never has any), with its room and zone. */
async function candidates(dbs: DatabaseContext, cells: Cell[], setting: SettingReader | undefined): Promise<{ hosts: HostCandidate[]; unread: BootResult['unreadCells'] }> {
  const api = (await dbs.api()).db;
  const mapped = new Set((await listHostMappings(api)).map((m) => m.host));
  const enabled = cells.filter((c) => !c.disabled && !isCell0(c));
  const outcomes = await scatterCells(dbs, enabled, (cell) => dbs.withCell(cell, (handle) => listSchedulableNodes(handle.db)), { concurrency: BOOT_PARALLELISM });
  const hosts: HostCandidate[] = [];
  const unread: BootResult['unreadCells'] = [];
  const defaultZone = defaultAvailabilityZone(setting);
  const zones = await listHostAvailabilityZones(api);
  for (const [i, outcome] of outcomes.entries()) {
    const cell = enabled[i]!;
    if (isFailed(outcome)) {
      unread.push({ cell, error: outcome.error });
      continue;
    }
    if (outcome.status !== 'ok') continue;
    for (const n of outcome.value) {
      const capacity = {
        vcpus: n.vcpus * ratio(n.cpuAllocationRatio, setting, 'initial_cpu_allocation_ratio', 4),
        memoryMb: n.memoryMb * ratio(n.ramAllocationRatio, setting, 'initial_ram_allocation_ratio', 1),
        diskGb: n.localGb * ratio(n.diskAllocationRatio, setting, 'initial_disk_allocation_ratio', 1),
      };
      hosts.push({
        cellUuid: cell.uuid,
        host: n.host,
        node: n.node,
        computeNodeId: n.id,
        capacity,
        freeVcpus: capacity.vcpus - n.vcpusUsed,
        freeRamMb: capacity.memoryMb - n.memoryMbUsed,
        freeDiskGb: capacity.diskGb - n.localGbUsed,
        mapped: mapped.has(n.host),
        availabilityZone: zones.get(n.host) ?? defaultZone,
      });
    }
  }
  return { hosts, unread };
}

/**
 * Refuses a zone no aggregate of the API database has and that is not the default zone, as Nova's
 * API refuses it ("The requested availability zone is not available") before writing anything.
 */
async function checkAvailabilityZone(dbs: DatabaseContext, zone: string, setting: SettingReader | undefined): Promise<void> {
  const known = new Set([defaultAvailabilityZone(setting), ...(await listAvailabilityZones((await dbs.api()).db))]);
  if (!known.has(zone)) throw new InvalidValueError('availability zone', zone, `an availability zone of this deployment (${[...known].sort().join(', ')})`);
}

/** The API database's group `ref` names (a UUID, else a name within `project`). Throws InstanceGroupNotFoundError, AmbiguousInstanceGroupError. */
async function resolveGroup(dbs: DatabaseContext, ref: string, project: string): Promise<ApiInstanceGroupRecord> {
  const { db } = await dbs.api();
  const found = UUID.test(ref) ? await listGroups(db, { uuid: ref.toLowerCase() }) : await listGroups(db, { name: ref, project });
  if (found.length > 1) throw new AmbiguousInstanceGroupError(ref, found.map((g) => g.uuid));
  const group = found[0];
  if (!group) throw new InstanceGroupNotFoundError(ref, UUID.test(ref) ? undefined : project);
  if (group.project_id !== project) throw new InvalidValueError('group', ref, `a group of project ${project} (it belongs to ${group.project_id ?? 'no project'})`);
  return group;
}

/** The group's policy, and the hosts its members are on (read from their cells, as Nova's InstanceGroup.get_hosts). */
async function groupConstraint(dbs: DatabaseContext, group: ApiInstanceGroupRecord, cells: Cell[]): Promise<GroupConstraint | undefined> {
  if (!INSTANCE_GROUP_POLICIES.includes(group.policy as InstanceGroupPolicy)) return undefined;
  const byCell = new Map<number, string[]>();
  for (const [uuid, cellId] of await findMappingCells((await dbs.api()).db, group.members)) byCell.set(cellId, [...(byCell.get(cellId) ?? []), uuid]);
  const memberHosts = new Set<string>();
  for (const [cellId, uuids] of byCell) {
    const cell = cells.find((c) => c.id === cellId);
    if (!cell || isCell0(cell)) continue;
    for (const host of await dbs.withCell(cell, (handle) => findInstanceHosts(handle.db, uuids))) memberHosts.add(host);
  }
  return { policy: group.policy as InstanceGroupPolicy, memberHosts: [...memberHosts] };
}

/**
 * Boots `count` instances of a flavor and image for a project and user, in `group` when given.
 * Refuses, writing nothing: a bad name, image UUID, project or user, or a group of another project
 * (InvalidValueError), an unknown flavor (FlavorNotFoundError) or group (InstanceGroupNotFoundError,
 * AmbiguousInstanceGroupError), no cell0 (Cell0MissingError). Then writes the API rows, places every
 * instance or none (Nova's all-or-nothing), creates the placed ones in their cells and buries the
 * others in cell0: those whose host has no host mapping (400), or all of them when nothing fits (500).
 */
export async function bootInstances(dbs: DatabaseContext, options: BootOptions): Promise<BootResult> {
  const nameProblem = flavorNameProblem(options.name);
  if (nameProblem) throw new InvalidValueError('name', options.name, nameProblem.replace('flavor name', 'server name'));
  if (!UUID.test(options.image)) throw new InvalidValueError('image', options.image, 'an image UUID');
  checkText('project', options.project);
  checkText('user', options.user);
  const flavor = await showFlavor(dbs, options.flavor);
  // As Nova's API: a disabled flavor cannot be booted (nova/compute/api.py raises FlavorNotFound).
  if (flavor.disabled) throw new FlavorNotFoundError(options.flavor);
  const group = options.group === undefined ? undefined : await resolveGroup(dbs, options.group, options.project);
  if (options.availabilityZone !== undefined) await checkAvailabilityZone(dbs, options.availabilityZone, options.setting);
  const cells = await listCells(dbs);
  const cell0 = cells.find(isCell0);
  if (!cell0) throw new Cell0MissingError();
  const now = options.now ?? new Date();
  const request = bootRequest({ ...options, image: options.image.toLowerCase() }, flavor, now);
  for (const instance of request.instances) {
    if ([...instance.displayName].length > NAME_LIMIT) {
      throw new InvalidValueError('name', options.name, `a server name that leaves room for the -${request.instances.length} suffix of a multi-create (at most ${NAME_LIMIT} characters in all)`);
    }
  }
  // Every database the boot may write must answer before anything is written: cell0 (a burial) here,
  // the candidates' cells when their compute nodes are read.
  if (!options.dryRun) await dbs.withCell(cell0, (handle) => handle.db.selectFrom('instances').select('id').limit(1).execute());
  const needs = flavorNeeds(flavor);
  const { hosts, unread } = await candidates(dbs, cells, options.setting);
  const constraint = group ? await groupConstraint(dbs, group, cells) : undefined;
  const placement = placeInstances(hosts, needs, request.instances.length, { availabilityZone: request.availabilityZone, group: constraint });
  const cellOf = (uuid: string) => cells.find((c) => c.uuid === uuid)!;
  const failureOf = (i: number): SchedulingFailure | undefined => {
    if (placement.kind === 'no-valid-host') return { kind: 'no-valid-host', reason: placement.reason };
    const host = placement.hosts[i]!;
    return host.mapped ? undefined : { kind: 'host-not-mapped', host: host.host };
  };
  const outcome = (i: number): BootedInstance => {
    const instance = request.instances[i]!;
    const failure = failureOf(i);
    if (failure) return { uuid: instance.uuid, name: instance.displayName, state: 'buried', cell: cell0, host: null, fault: failure.kind === 'no-valid-host' ? `No valid host was found. ${failure.reason}` : `Host '${failure.host}' is not mapped to any cell` };
    const host = (placement as { hosts: HostCandidate[] }).hosts[i]!;
    return { uuid: instance.uuid, name: instance.displayName, state: 'placed', cell: cellOf(host.cellUuid), host: host.host, fault: null };
  };
  const result: BootResult = { instances: request.instances.map((_, i) => outcome(i)), dryRun: Boolean(options.dryRun), unreadCells: unread };
  if (options.dryRun) return result;

  const api = await dbs.api();
  const pending = request.instances.map((instance) => ({
    instanceUuid: instance.uuid,
    projectId: request.projectId,
    userId: request.userId,
    spec: requestSpecJson({
      instanceUuid: instance.uuid,
      projectId: request.projectId,
      userId: request.userId,
      imageRef: request.imageRef,
      flavor,
      availabilityZone: request.availabilityZone,
      numInstances: request.instances.length,
      group: group && { id: group.id, uuid: group.uuid, name: group.name, projectId: group.project_id, userId: group.user_id, policy: group.policy, rules: group.rules, createdAt: group.created_at, updatedAt: group.updated_at },
    }),
    instance: buildRequestInstanceJson({ ...instance, description: request.description, userId: request.userId, projectId: request.projectId, imageRef: request.imageRef, reservationId: request.reservationId, availabilityZone: request.availabilityZone, flavor, metadata: request.metadata, systemMetadata: request.systemMetadata }),
    blockDeviceMappings: blockDeviceListJson(request.blockDevices),
    tags: tagListJson(instance.uuid, request.tags),
  }));
  await inTransaction(
    api,
    async (tx) => {
      await insertPendingInstances(tx, pending, now);
      // As Nova's API: the instances join the group before they are scheduled (and stay members when buried).
      if (group) await addGroupMembers(tx, group.id, request.instances.map((i) => i.uuid), now);
    },
    { retry: true },
  );

  // An instance whose host a concurrent run filled meanwhile is buried, as Nova's conductor buries
  // one whose claim failed after all its alternates.
  const taken: string[] = [];
  for (const [i, instance] of request.instances.entries()) {
    const booted = result.instances[i]!;
    if (booted.state !== 'placed') continue;
    const host = (placement as { hosts: HostCandidate[] }).hosts[i]!;
    const createdAt = (await findBuildRequestCreatedAt(api.db, instance.uuid)) ?? now;
    const placed = await dbs.withCell(booted.cell, (handle) =>
      inTransaction(
        handle,
        async (tx) => {
          if (!(await claimNodeUsage(tx, host.computeNodeId, { vcpus: needs.vcpus, memoryMb: needs.ramMb, diskGb: needs.diskGb }, host.capacity, rowTimestamp(now)))) return false;
          const state = { vmState: 'active', taskState: null, powerState: 1, host: host.host, node: host.node, launchedAt: now, availabilityZone: host.availabilityZone };
          await createInstanceRows(tx, request, instance, state, createdAt, now);
          await startCreateAction(tx, request, instance.uuid, now);
          await createDevicesAndTags(tx, request, instance.uuid, now);
          return true;
        },
        { retry: true },
      ),
    );
    if (!placed) {
      taken.push(instance.uuid);
      result.instances[i] = { ...booted, state: 'buried', cell: cell0, host: null, fault: `No valid host was found. ${NOT_ENOUGH_HOSTS}` };
      continue;
    }
    await inTransaction(
      api,
      async (tx) => {
        await pointMappingAtCell(tx, instance.uuid, booted.cell.id, now);
        await deleteBuildRequests(tx, [instance.uuid]);
      },
      { retry: true },
    );
  }

  const conductorHost = options.setting?.('DEFAULT', 'host') || machineName();
  const notMapped = result.instances.filter((b) => b.state === 'buried' && placement.kind === 'placed' && !taken.includes(b.uuid));
  if (placement.kind === 'no-valid-host') {
    const details = placement.reason === '' ? `no compute host of an enabled cell has room for flavor ${flavor.flavorId} (vCPUs, RAM, disk with allocation ratios)` : `no host of the requested zone or group policy had room for flavor ${flavor.flavorId}`;
    await buryInCell0(dbs, request, { kind: 'no-valid-host', reason: placement.reason }, { conductorHost, details, now });
  }
  for (const booted of notMapped) {
    const instance = request.instances.find((r) => r.uuid === booted.uuid)!;
    const host = placement.kind === 'placed' ? placement.hosts[request.instances.indexOf(instance)]!.host : '';
    await buryInCell0(dbs, { ...request, instances: [instance] }, { kind: 'host-not-mapped', host }, { conductorHost, now });
  }
  if (taken.length > 0) {
    const details = `another run took the room on the chosen host first (flavor ${flavor.flavorId})`;
    await buryInCell0(dbs, { ...request, instances: request.instances.filter((r) => taken.includes(r.uuid)) }, { kind: 'no-valid-host', reason: NOT_ENOUGH_HOSTS }, { conductorHost, details, now });
  }
  return result;
}
