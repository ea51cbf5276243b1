/**
 * The legacy instance group tables of a cell database (Nova before Rocky kept groups there; Nova 26
 * never reads them). Only live rows (`deleted = 0`) count; removing a group soft-deletes it with
 * its policies and members, as Nova's instance_group_delete did (deleted = id, deleted_at = now,
 * updated_at untouched).
 */
import type { Kysely } from 'kysely';
import { toDbTimestamp } from '../dialect';
import type { Tx } from '../unit-of-work';
import type { CellDatabase } from './cell-tables.generated';
import { inBatches } from '../batches';

const CHUNK = 1000;

/** A live legacy group's own columns. */
export interface LegacyGroupRow {
  id: number;
  uuid: string;
  name: string | null;
  project_id: string | null;
  user_id: string | null;
}

/** A live legacy group with its first live policy (lowest id) and its live members, each once, in id order. */
export interface LegacyGroupRecord extends LegacyGroupRow {
  policy: string | null;
  members: string[];
}


/** The next `limit` live legacy groups after id `afterId`, in id order. */
export async function listLiveGroupsAfter(db: Kysely<CellDatabase>, afterId: number, limit: number): Promise<LegacyGroupRow[]> {
  return db
    .selectFrom('instance_groups')
    .select(['id', 'uuid', 'name', 'project_id', 'user_id'])
    .where('deleted', '=', 0)
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** `groups` with their first live policy and live members (de-duplicated, first by id kept). */
export async function withContent(db: Kysely<CellDatabase>, groups: readonly LegacyGroupRow[]): Promise<LegacyGroupRecord[]> {
  const records = new Map<number, LegacyGroupRecord>(groups.map((g) => [g.id, { ...g, policy: null, members: [] }]));
  const policySeen = new Set<number>();
  for (const ids of inBatches([...records.keys()], CHUNK)) {
    const policies = await db.selectFrom('instance_group_policy').select(['group_id', 'policy']).where('group_id', 'in', ids).where('deleted', '=', 0).orderBy('id').execute();
    for (const p of policies) {
      if (policySeen.has(p.group_id)) continue;
      policySeen.add(p.group_id);
      records.get(p.group_id)!.policy = p.policy;
    }
    const members = await db.selectFrom('instance_group_member').select(['group_id', 'instance_id']).where('group_id', 'in', ids).where('deleted', '=', 0).orderBy('id').execute();
    for (const m of members) {
      const list = records.get(m.group_id)!.members;
      if (m.instance_id !== null && !list.includes(m.instance_id)) list.push(m.instance_id);
    }
  }
  return [...records.values()];
}

/**
 * Live legacy groups matching a filter (a UUID, an exact name, a project; none: all), with their
 * content, in id order. Names are compared exactly (MySQL's collation would ignore case).
 */
export async function findLiveGroups(db: Kysely<CellDatabase>, filter: { uuid?: string; name?: string; project?: string } = {}): Promise<LegacyGroupRecord[]> {
  let query = db.selectFrom('instance_groups').select(['id', 'uuid', 'name', 'project_id', 'user_id']).where('deleted', '=', 0);
  if (filter.uuid !== undefined) query = query.where('uuid', '=', filter.uuid);
  if (filter.name !== undefined) query = query.where('name', '=', filter.name);
  if (filter.project !== undefined) query = query.where('project_id', '=', filter.project);
  const groups = (await query.orderBy('id').execute()).filter((g) => filter.name === undefined || g.name === filter.name);
  return withContent(db, groups);
}

/**
 * Soft-deletes the live groups of `groupIds` with their live policies and members. Idempotent
 * (rows already deleted are left as they are). Returns how many groups it soft-deleted.
 */
export async function softDeleteGroups(tx: Tx<CellDatabase>, groupIds: readonly number[], now: Date): Promise<number> {
  const at = toDbTimestamp(now);
  let groups = 0;
  for (const ids of inBatches(groupIds, CHUNK)) {
    for (const table of ['instance_group_member', 'instance_group_policy'] as const) {
      await tx.updateTable(table).set((eb) => ({ deleted: eb.ref('id'), deleted_at: at })).where('group_id', 'in', ids).where('deleted', '=', 0).execute();
    }
    const result = await tx.updateTable('instance_groups').set((eb) => ({ deleted: eb.ref('id'), deleted_at: at })).where('id', 'in', ids).where('deleted', '=', 0).executeTakeFirst();
    groups += Number(result.numUpdatedRows);
  }
  return groups;
}

/**
 * Adds the instances not yet live members of legacy group `groupId` (created now, live), each once.
 * Returns the UUIDs added.
 */
export async function addLegacyGroupMembers(tx: Tx<CellDatabase>, groupId: number, instances: readonly string[], now: Date): Promise<string[]> {
  const existing = new Set(
    (await tx.selectFrom('instance_group_member').select('instance_id').where('group_id', '=', groupId).where('deleted', '=', 0).execute()).map((m) => m.instance_id),
  );
  const added = [...new Set(instances)].filter((i) => !existing.has(i));
  const at = toDbTimestamp(now);
  // NOTE: Nova 26's models no longer define these tables: the row is written with the columns
  // Nova's pre-Rocky model gave it (SoftDeleteMixin and TimestampMixin defaults).
  for (const part of inBatches(added, CHUNK)) {
    await tx.insertInto('instance_group_member').values(part.map((i) => ({ group_id: groupId, instance_id: i, created_at: at, updated_at: null, deleted: 0, deleted_at: null }))).execute();
  }
  return added;
}
