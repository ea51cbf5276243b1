/**
 * Instance groups while they may live in two places: the API database (Nova 26's only home for
 * them) and the legacy tables of cell databases not yet migrated (`migrate_instance_groups_to_api_db`).
 * Reads try the API database first and fall back to the cells; listings merge both, the API copy
 * winning; writes go to the API database and touch a cell copy only while the group lives only there.
 */
import { randomUUID } from 'node:crypto';
import { addGroupMembers, deleteGroup, insertGroups, listGroups, type ApiInstanceGroupRecord } from '../db/api/instance-group.repository';
import { addLegacyGroupMembers, findLiveGroups, softDeleteGroups, type LegacyGroupRecord } from '../db/cell/legacy-instance-group.repository';
import { inTransaction } from '../db/unit-of-work';
import type { Cell } from '../domain/cell';
import { AmbiguousInstanceGroupError, InstanceGroupNotFoundError, InvalidValueError, type CellRef } from '../domain/errors';
import { INSTANCE_GROUP_POLICIES, INSTANCE_GROUP_TEXT_LIMIT, type InstanceGroup, type InstanceGroupPolicy } from '../domain/instance-groups';
import { isFailed, type FailedOutcome } from '../domain/outcome';
import { scatterCells } from './cell-execution';
import { cellRef, compareText, listCells } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';
import { INSTANCE_GROUPS_LOCK } from './online-migrations/instance-groups.migration';

/** How many cell databases are read or written at once. */
export const INSTANCE_GROUP_PARALLELISM = 4;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** How a group is named: by UUID or name, names (and UUIDs, when given) within a project. */
export interface InstanceGroupRefOptions {
  project?: string;
  /** Per-cell deadline of the reads of cell databases, in milliseconds. */
  cellTimeoutMs?: number;
  signal?: AbortSignal;
}

/** What listInstanceGroups returns: the groups, and the cells that could not be read. */
export interface ListInstanceGroupsResult {
  groups: InstanceGroup[];
  failedCells: Array<FailedOutcome<Cell>>;
}

/** A group found, with where its copies are (the API row's id; the cells' row ids). */
interface ResolvedGroup {
  group: InstanceGroup;
  apiId?: number;
  cellCopies: Array<{ cell: Cell; id: number }>;
}

function fromApi(row: ApiInstanceGroupRecord): InstanceGroup {
  return { uuid: row.uuid, name: row.name, projectId: row.project_id, userId: row.user_id, policy: row.policy, rules: row.rules, members: row.members, location: { kind: 'api' } };
}

function fromCell(row: LegacyGroupRecord, cells: CellRef[]): InstanceGroup {
  return { uuid: row.uuid, name: row.name, projectId: row.project_id, userId: row.user_id, policy: row.policy, rules: null, members: row.members, location: { kind: 'cells', cells } };
}

/** Groups for a listing: by project, then name, then UUID (code-unit order, as every listing). */
function sortGroups(groups: InstanceGroup[]): InstanceGroup[] {
  return groups.sort((a, b) => compareText(a.projectId ?? '', b.projectId ?? '') || compareText(a.name ?? '', b.name ?? '') || compareText(a.uuid, b.uuid));
}

/** The legacy groups of every cell matching `filter`, read in parallel; one outcome per cell. */
async function scanCells(dbs: DatabaseContext, filter: { uuid?: string; name?: string; project?: string }, options: InstanceGroupRefOptions) {
  const cells = await listCells(dbs);
  return scatterCells(dbs, cells, (cell) => dbs.withCell(cell, (handle) => findLiveGroups(handle.db, filter)), {
    concurrency: INSTANCE_GROUP_PARALLELISM,
    timeoutMs: options.cellTimeoutMs,
    signal: options.signal,
  });
}

/** Merges cell copies into groups by UUID (a UUID in several cells: one group living in each). */
function mergeCellCopies(outcomes: Awaited<ReturnType<typeof scanCells>>, skip: Set<string>): Map<string, ResolvedGroup> {
  const merged = new Map<string, ResolvedGroup>();
  for (const outcome of outcomes) {
    if (outcome.status !== 'ok') continue;
    for (const row of outcome.value) {
      if (skip.has(row.uuid)) continue;
      const known = merged.get(row.uuid);
      if (known) {
        known.cellCopies.push({ cell: outcome.item, id: row.id });
        if (known.group.location.kind === 'cells') known.group.location.cells.push(cellRef(outcome.item));
      } else {
        merged.set(row.uuid, { group: fromCell(row, [cellRef(outcome.item)]), cellCopies: [{ cell: outcome.item, id: row.id }] });
      }
    }
  }
  return merged;
}

/**
 * The API database's groups (of one project, if given) and, with `allCells`, those that live only
 * in a cell database, each once (the API copy wins), sorted by project, name and UUID. A cell that
 * cannot be read is returned in `failedCells`; the others are listed.
 */
export async function listInstanceGroups(dbs: DatabaseContext, options: InstanceGroupRefOptions & { allCells?: boolean } = {}): Promise<ListInstanceGroupsResult> {
  const api = (await dbs.api()).db;
  const groups = (await listGroups(api, { project: options.project })).map(fromApi);
  if (!options.allCells) return { groups: sortGroups(groups), failedCells: [] };
  const outcomes = await scanCells(dbs, { project: options.project }, options);
  const inCells = mergeCellCopies(outcomes, new Set(groups.map((g) => g.uuid)));
  return { groups: sortGroups([...groups, ...[...inCells.values()].map((r) => r.group)]), failedCells: outcomes.filter(isFailed) };
}

/**
 * Finds the one group `ref` (a UUID, else a name; within `project` when given) means: in the API
 * database first, else in the cell databases. Throws InstanceGroupNotFoundError,
 * AmbiguousInstanceGroupError (a name several groups share), or the error of a cell that could not
 * be read when the group was found nowhere else.
 */
async function resolveGroup(dbs: DatabaseContext, ref: string, options: InstanceGroupRefOptions): Promise<ResolvedGroup> {
  const filter = UUID.test(ref) ? { uuid: ref.toLowerCase(), project: options.project } : { name: ref, project: options.project };
  const inApi = await listGroups((await dbs.api()).db, filter);
  if (inApi.length > 1) throw new AmbiguousInstanceGroupError(ref, inApi.map((g) => g.uuid));
  if (inApi.length === 1) return { group: fromApi(inApi[0]!), apiId: inApi[0]!.id, cellCopies: [] };
  const outcomes = await scanCells(dbs, filter, options);
  const found = [...mergeCellCopies(outcomes, new Set()).values()];
  if (found.length > 1) throw new AmbiguousInstanceGroupError(ref, found.map((r) => r.group.uuid));
  if (found.length === 1) return found[0]!;
  const failed = outcomes.find(isFailed);
  if (failed) throw failed.error;
  throw new InstanceGroupNotFoundError(ref, options.project);
}

/** The group `ref` names (see resolveGroup for what it throws). Reads only. */
export async function showInstanceGroup(dbs: DatabaseContext, ref: string, options: InstanceGroupRefOptions = {}): Promise<InstanceGroup> {
  return (await resolveGroup(dbs, ref, options)).group;
}

/** Options of createInstanceGroup. */
export interface CreateInstanceGroupOptions {
  name: string;
  policy: string;
  project: string;
  user: string;
  dryRun?: boolean;
  now?: Date;
}

function checkText(field: string, value: string, what: string): void {
  if (value.trim() === '' || value.length > INSTANCE_GROUP_TEXT_LIMIT) throw new InvalidValueError(field, value, `${what} of 1 to ${INSTANCE_GROUP_TEXT_LIMIT} characters`);
}

/**
 * Creates a group in the API database with its policy (rules NULL) and no members, as Nova's
 * InstanceGroup.create does, under a new UUID; with `dryRun`, writes nothing. Throws
 * InvalidValueError for an unknown policy or an empty or too long name, project or user.
 */
export async function createInstanceGroup(dbs: DatabaseContext, options: CreateInstanceGroupOptions): Promise<{ group: InstanceGroup; dryRun: boolean }> {
  checkText('name', options.name, 'a name');
  checkText('project', options.project, 'a project ID');
  checkText('user', options.user, 'a user ID');
  if (!INSTANCE_GROUP_POLICIES.includes(options.policy as InstanceGroupPolicy)) {
    throw new InvalidValueError('policy', options.policy, `one of the policies ${INSTANCE_GROUP_POLICIES.join(', ')}`);
  }
  const group: InstanceGroup = {
    uuid: randomUUID(),
    name: options.name,
    projectId: options.project,
    userId: options.user,
    policy: options.policy,
    rules: null,
    members: [],
    location: { kind: 'api' },
  };
  const api = await dbs.api();
  if (!options.dryRun) {
    const row = { uuid: group.uuid, name: group.name, project_id: group.projectId, user_id: group.userId, policy: group.policy, members: [] };
    await inTransaction(api, (tx) => insertGroups(tx, [row], options.now ?? new Date()), { lock: INSTANCE_GROUPS_LOCK });
  }
  return { group, dryRun: Boolean(options.dryRun) };
}

/** What deleteInstanceGroup did (or, with `dryRun`, would do). */
export interface DeleteInstanceGroupResult {
  group: InstanceGroup;
  /** Cells whose copy was soft-deleted: the group's own (it lived only there), or stale copies of an API group. */
  cellCopies: CellRef[];
  dryRun: boolean;
}

/** Soft-deletes the given legacy copies, cells in parallel; throws the first cell's error. */
async function softDeleteCopies(dbs: DatabaseContext, copies: Array<{ cell: Cell; id: number }>, now: Date): Promise<void> {
  const outcomes = await scatterCells(
    dbs,
    copies.map((c) => c.cell),
    (cell) => dbs.withCell(cell, (handle) => inTransaction(handle, (tx) => softDeleteGroups(tx, copies.filter((c) => c.cell.uuid === cell.uuid).map((c) => c.id), now), { retry: true })),
    { concurrency: INSTANCE_GROUP_PARALLELISM },
  );
  const failed = outcomes.find(isFailed);
  if (failed) throw failed.error;
}

/**
 * Deletes the group `ref` names: from the API database with its policies and members (as Nova's
 * InstanceGroup.destroy), after soft-deleting any stale copy of it left in a cell (else it would
 * reappear there, and be migrated back); a group that lives only in cells is soft-deleted there,
 * with its policies and members. Idempotent per copy; not atomic across databases (a failure
 * leaves the API copy, and a re-run finishes). Throws as resolveGroup, and a cell's error.
 */
export async function deleteInstanceGroup(dbs: DatabaseContext, ref: string, options: InstanceGroupRefOptions & { dryRun?: boolean; now?: Date } = {}): Promise<DeleteInstanceGroupResult> {
  const resolved = await resolveGroup(dbs, ref, options);
  const now = options.now ?? new Date();
  let copies = resolved.cellCopies;
  if (resolved.apiId !== undefined) {
    const outcomes = await scanCells(dbs, { uuid: resolved.group.uuid }, options);
    const failed = outcomes.find(isFailed);
    if (failed) throw failed.error;
    copies = [...mergeCellCopies(outcomes, new Set()).values()].flatMap((r) => r.cellCopies);
  }
  if (!options.dryRun) {
    await softDeleteCopies(dbs, copies, now);
    const apiId = resolved.apiId;
    if (apiId !== undefined) await inTransaction(await dbs.api(), (tx) => deleteGroup(tx, apiId), { lock: INSTANCE_GROUPS_LOCK });
  }
  return { group: resolved.group, cellCopies: copies.map((c) => cellRef(c.cell)), dryRun: Boolean(options.dryRun) };
}

/** What addInstanceGroupMembers did (or, with `dryRun`, would do). */
export interface AddInstanceGroupMembersResult {
  /** The group with its members after the change. */
  group: InstanceGroup;
  added: string[];
  dryRun: boolean;
}

/**
 * Adds instances to the group `ref` names, those already members skipped (as Nova's add_members):
 * in the API database, or, for a group that lives only in cells, to each cell copy. Throws
 * InvalidValueError for a malformed instance UUID (before anything is read), and as resolveGroup.
 */
export async function addInstanceGroupMembers(
  dbs: DatabaseContext,
  ref: string,
  instances: string[],
  options: InstanceGroupRefOptions & { dryRun?: boolean; now?: Date } = {},
): Promise<AddInstanceGroupMembersResult> {
  for (const instance of instances) if (!UUID.test(instance)) throw new InvalidValueError('instance', instance, 'an instance UUID');
  const wanted = [...new Set(instances.map((i) => i.toLowerCase()))];
  const resolved = await resolveGroup(dbs, ref, options);
  const now = options.now ?? new Date();
  let added = wanted.filter((i) => !resolved.group.members.includes(i));
  const apiId = resolved.apiId;
  if (!options.dryRun && apiId !== undefined) {
    added = await inTransaction(await dbs.api(), (tx) => addGroupMembers(tx, apiId, wanted, now), { lock: INSTANCE_GROUPS_LOCK });
  } else if (!options.dryRun) {
    const copies = resolved.cellCopies;
    const outcomes = await scatterCells(
      dbs,
      copies.map((c) => c.cell),
      (cell) => dbs.withCell(cell, (handle) => inTransaction(handle, (tx) => addLegacyGroupMembers(tx, copies.find((c) => c.cell.uuid === cell.uuid)!.id, wanted, now), { retry: true })),
      { concurrency: INSTANCE_GROUP_PARALLELISM },
    );
    const failed = outcomes.find(isFailed);
    if (failed) throw failed.error;
  }
  const members = [...resolved.group.members, ...added.filter((i) => !resolved.group.members.includes(i))];
  return { group: { ...resolved.group, members }, added, dryRun: Boolean(options.dryRun) };
}
