/**
 * Instance groups of the API database (Nova 26's only home for them): reads with their first
 * policy and their members, and the writes of Nova's InstanceGroup object (create with a policy,
 * add members, destroy), plus the bulk insert of cellctl's migration of legacy groups.
 */
import type { Kysely } from 'kysely';
import type { RowTime } from '../new-row-defaults';
import type { Tx } from '../unit-of-work';
import type { ApiDatabase } from './api-tables.generated';
import { newInstanceGroupMemberRow, newInstanceGroupPolicyRow, newInstanceGroupRow } from './new-api-rows';
import { inBatches } from '../batches';

/** Values per IN list or multi-row insert: far below every driver's and server's limits. */
const CHUNK = 1000;

/** A group of the API database with its first policy (lowest id, as Nova reads it) and members in id order. */
export interface ApiInstanceGroupRecord {
  id: number;
  uuid: string;
  name: string | null;
  project_id: string | null;
  user_id: string | null;
  policy: string | null;
  rules: string | null;
  members: string[];
  created_at: string | null;
  updated_at: string | null;
}

/** A group to create: its columns, its one policy (none when null) and its members. */
export interface NewInstanceGroup {
  uuid: string;
  name: string | null;
  project_id: string | null;
  user_id: string | null;
  policy: string | null;
  members: string[];
}


/** Which of `uuids` the API database has a group of. */
export async function findGroupUuids(db: Kysely<ApiDatabase>, uuids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of inBatches(uuids, CHUNK)) {
    if (part.length === 0) continue;
    for (const row of await db.selectFrom('instance_groups').select('uuid').where('uuid', 'in', part).execute()) found.add(row.uuid);
  }
  return found;
}

/**
 * Groups matching a filter (a UUID, an exact name, a project; none: all), with their first policy
 * and members, in id order. Names are compared exactly (MySQL's collation would ignore case).
 */
export async function listGroups(db: Kysely<ApiDatabase>, filter: { uuid?: string; name?: string; project?: string } = {}): Promise<ApiInstanceGroupRecord[]> {
  let query = db.selectFrom('instance_groups').select(['id', 'uuid', 'name', 'project_id', 'user_id', 'created_at', 'updated_at']);
  if (filter.uuid !== undefined) query = query.where('uuid', '=', filter.uuid);
  if (filter.name !== undefined) query = query.where('name', '=', filter.name);
  if (filter.project !== undefined) query = query.where('project_id', '=', filter.project);
  const groups = (await query.orderBy('id').execute()).filter((g) => filter.name === undefined || g.name === filter.name);
  const records = new Map<number, ApiInstanceGroupRecord>(groups.map((g) => [g.id, { ...g, policy: null, rules: null, members: [] }]));
  const policySeen = new Set<number>();
  for (const ids of inBatches([...records.keys()], CHUNK)) {
    const policies = await db.selectFrom('instance_group_policy').select(['group_id', 'policy', 'rules']).where('group_id', 'in', ids).orderBy('id').execute();
    for (const p of policies) {
      if (policySeen.has(p.group_id)) continue;
      policySeen.add(p.group_id);
      Object.assign(records.get(p.group_id)!, { policy: p.policy, rules: p.rules });
    }
    const members = await db.selectFrom('instance_group_member').select(['group_id', 'instance_uuid']).where('group_id', 'in', ids).orderBy('id').execute();
    for (const m of members) {
      const list = records.get(m.group_id)!.members;
      if (m.instance_uuid !== null && !list.includes(m.instance_uuid)) list.push(m.instance_uuid);
    }
  }
  return [...records.values()];
}

/**
 * Inserts groups with their policy and members (rules NULL, created now), as Nova's
 * InstanceGroup.create writes them. Not idempotent: callers check the UUIDs under a lock first
 * (the unique key on `uuid` refuses a duplicate). Returns the new groups' ids by UUID.
 */
export async function insertGroups(tx: Tx<ApiDatabase>, groups: readonly NewInstanceGroup[], now: RowTime): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (const part of inBatches(groups, 500)) {
    await tx
      .insertInto('instance_groups')
      .values(part.map((g) => newInstanceGroupRow({ uuid: g.uuid, name: g.name, project_id: g.project_id, user_id: g.user_id }, now)))
      .execute();
    const rows = await tx.selectFrom('instance_groups').select(['id', 'uuid']).where('uuid', 'in', part.map((g) => g.uuid)).execute();
    for (const row of rows) ids.set(row.uuid, row.id);
  }
  const policies = groups.filter((g) => g.policy !== null).map((g) => newInstanceGroupPolicyRow({ group_id: ids.get(g.uuid)!, policy: g.policy }, now));
  for (const part of inBatches(policies, CHUNK)) await tx.insertInto('instance_group_policy').values(part).execute();
  const members = groups.flatMap((g) => g.members.map((instance) => newInstanceGroupMemberRow({ group_id: ids.get(g.uuid)!, instance_uuid: instance }, now)));
  for (const part of inBatches(members, CHUNK)) await tx.insertInto('instance_group_member').values(part).execute();
  return ids;
}

/**
 * Adds the instances not yet members of group `groupId` (as Nova's add_members skips existing
 * ones), in the order given, each once. Returns the UUIDs added.
 */
export async function addGroupMembers(tx: Tx<ApiDatabase>, groupId: number, instances: readonly string[], now: RowTime): Promise<string[]> {
  const existing = new Set((await tx.selectFrom('instance_group_member').select('instance_uuid').where('group_id', '=', groupId).execute()).map((m) => m.instance_uuid));
  const added = [...new Set(instances)].filter((i) => !existing.has(i));
  for (const part of inBatches(added, CHUNK)) await tx.insertInto('instance_group_member').values(part.map((i) => newInstanceGroupMemberRow({ group_id: groupId, instance_uuid: i }, now))).execute();
  return added;
}

/** Deletes a group with its policies and members, as Nova's InstanceGroup.destroy does; returns whether it existed. */
export async function deleteGroup(tx: Tx<ApiDatabase>, groupId: number): Promise<boolean> {
  await tx.deleteFrom('instance_group_member').where('group_id', '=', groupId).execute();
  await tx.deleteFrom('instance_group_policy').where('group_id', '=', groupId).execute();
  const result = await tx.deleteFrom('instance_groups').where('id', '=', groupId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
