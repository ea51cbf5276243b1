/**
 * Instance groups for tests: legacy ones in a cell database (Nova's pre-Rocky tables, soft-deleted
 * rows included) and current ones in the API database, written straight with Kysely, and read
 * back in a shape tests compare.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../../src/db/api/api-tables.generated';
import type { CellDatabase } from '../../src/db/cell/cell-tables.generated';

/** A group to seed: policies in id order, members in id order (`deleted` ones soft-deleted as Nova did). */
export interface GroupSeed {
  uuid?: string;
  name?: string | null;
  project?: string;
  user?: string;
  policies?: string[];
  members?: Array<string | { instance: string; deleted: true }>;
  /** Soft-delete the group with its policies and members (deleted = id), as Nova did. */
  deleted?: boolean;
}

/** Inserts a legacy group into a cell database; returns its UUID and id. */
export async function insertLegacyGroup(db: Kysely<CellDatabase>, seed: GroupSeed = {}): Promise<{ uuid: string; id: number }> {
  const uuid = seed.uuid ?? randomUUID();
  const created = '2017-03-04 05:06:07';
  const g = await db
    .insertInto('instance_groups')
    .values({ uuid, name: seed.name === undefined ? `group-${uuid.slice(0, 8)}` : seed.name, project_id: seed.project ?? 'p1', user_id: seed.user ?? 'u1', deleted: 0, created_at: created })
    .executeTakeFirstOrThrow();
  const id = Number(g.insertId);
  for (const policy of seed.policies ?? ['anti-affinity']) {
    await db.insertInto('instance_group_policy').values({ group_id: id, policy, deleted: 0, created_at: created }).execute();
  }
  for (const member of seed.members ?? []) {
    const instance = typeof member === 'string' ? member : member.instance;
    const m = await db.insertInto('instance_group_member').values({ group_id: id, instance_id: instance, deleted: 0, created_at: created }).executeTakeFirstOrThrow();
    if (typeof member !== 'string') await db.updateTable('instance_group_member').set({ deleted: Number(m.insertId), deleted_at: created }).where('id', '=', Number(m.insertId)).execute();
  }
  if (seed.deleted) {
    // As Nova's instance_group_delete: the group, its policies and its members.
    for (const table of ['instance_group_member', 'instance_group_policy'] as const) {
      await db.updateTable(table).set((eb) => ({ deleted: eb.ref('id'), deleted_at: created })).where('group_id', '=', id).where('deleted', '=', 0).execute();
    }
    await db.updateTable('instance_groups').set({ deleted: id, deleted_at: created }).where('id', '=', id).execute();
  }
  return { uuid, id };
}

/** Inserts a group into the API database (one policy, rules NULL unless given); returns its UUID and id. */
export async function insertApiGroup(db: Kysely<ApiDatabase>, seed: Omit<GroupSeed, 'deleted' | 'policies'> & { policy?: string | null; rules?: string | null } = {}): Promise<{ uuid: string; id: number }> {
  const uuid = seed.uuid ?? randomUUID();
  const g = await db
    .insertInto('instance_groups')
    .values({ uuid, name: seed.name === undefined ? `group-${uuid.slice(0, 8)}` : seed.name, project_id: seed.project ?? 'p1', user_id: seed.user ?? 'u1', created_at: '2024-01-02 03:04:05' })
    .executeTakeFirstOrThrow();
  const id = Number(g.insertId);
  if (seed.policy !== null) await db.insertInto('instance_group_policy').values({ group_id: id, policy: seed.policy ?? 'affinity', rules: seed.rules ?? null }).execute();
  for (const member of seed.members ?? []) {
    await db.insertInto('instance_group_member').values({ group_id: id, instance_uuid: typeof member === 'string' ? member : member.instance }).execute();
  }
  return { uuid, id };
}

/** Empties the group tables of an API or cell database (children first). */
export async function clearGroups(db: Kysely<ApiDatabase> | Kysely<CellDatabase>): Promise<void> {
  const any = db as Kysely<ApiDatabase>;
  await any.deleteFrom('instance_group_member').execute();
  await any.deleteFrom('instance_group_policy').execute();
  await any.deleteFrom('instance_groups').execute();
}

/** A group of the API database as tests compare it: policies and members in id order. */
export interface ApiGroupShape {
  uuid: string;
  name: string | null;
  project_id: string | null;
  user_id: string | null;
  created: boolean;
  updated_at: string | null;
  policies: Array<{ policy: string | null; rules: string | null }>;
  members: Array<string | null>;
}

/** Every group of the API database, by UUID. */
export async function apiGroups(db: Kysely<ApiDatabase>): Promise<ApiGroupShape[]> {
  const groups = await db.selectFrom('instance_groups').selectAll().orderBy('uuid').execute();
  const policies = await db.selectFrom('instance_group_policy').selectAll().orderBy('id').execute();
  const members = await db.selectFrom('instance_group_member').selectAll().orderBy('id').execute();
  return groups.map((g) => ({
    uuid: g.uuid,
    name: g.name,
    project_id: g.project_id,
    user_id: g.user_id,
    created: g.created_at !== null,
    updated_at: g.updated_at,
    policies: policies.filter((p) => p.group_id === g.id).map((p) => ({ policy: p.policy, rules: p.rules })),
    members: members.filter((m) => m.group_id === g.id).map((m) => m.instance_uuid),
  }));
}

/** The live rows of a cell's legacy group tables, counted per table. */
export async function liveLegacyRows(db: Kysely<CellDatabase>): Promise<{ groups: number; policies: number; members: number }> {
  const count = async (table: 'instance_groups' | 'instance_group_policy' | 'instance_group_member') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('deleted', '=', 0).executeTakeFirstOrThrow()).n);
  return { groups: await count('instance_groups'), policies: await count('instance_group_policy'), members: await count('instance_group_member') };
}
