/**
 * Reads of the instances buried in cell0: newest first with their latest fault, and everything
 * about one of them (faults, actions and events, extra).
 */
import type { Kysely } from 'kysely';
import { inBatches } from '../batches';
import type { CellDatabase, InstanceActionsEventsRow, InstanceActionsRow, InstanceFaultsRow, InstancesRow } from './cell-tables.generated';

/** A live instance of cell0 with its latest fault (by created_at, then id). */
export interface BuriedInstanceRecord {
  uuid: string;
  displayName: string | null;
  projectId: string | null;
  userId: string | null;
  createdAt: string | null;
  faultCode: number | null;
  faultMessage: string | null;
}

/**
 * Live instances of cell0, newest first (created_at, then id), after the one at `after` in that
 * order, at most `limit`, with the latest fault of each; `project` and `createdBefore` filter.
 */
export async function listBuriedInstances(
  db: Kysely<CellDatabase>,
  options: { project?: string; createdBefore?: string; after?: { createdAt: string | null; id: number }; limit: number },
): Promise<Array<BuriedInstanceRecord & { id: number }>> {
  let query = db.selectFrom('instances').select(['id', 'uuid', 'display_name', 'project_id', 'user_id', 'created_at']).where('deleted', '=', 0);
  if (options.project !== undefined) query = query.where('project_id', '=', options.project);
  if (options.createdBefore !== undefined) query = query.where('created_at', '<', options.createdBefore);
  const after = options.after;
  if (after) {
    query =
      after.createdAt === null
        ? query.where((eb) => eb.and([eb('created_at', 'is', null), eb('id', '<', after.id)]))
        : query.where((eb) => eb.or([eb('created_at', '<', after.createdAt), eb.and([eb('created_at', '=', after.createdAt), eb('id', '<', after.id)]), eb('created_at', 'is', null)]));
  }
  // NOTE: both MySQL and SQLite take NULL as the smallest value: a NULL created_at comes last.
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute();
  const faults = await latestFaults(db, rows.map((r) => r.uuid));
  return rows.map((r) => ({
    id: r.id,
    uuid: r.uuid,
    displayName: r.display_name,
    projectId: r.project_id,
    userId: r.user_id,
    createdAt: r.created_at,
    faultCode: faults.get(r.uuid)?.code ?? null,
    faultMessage: faults.get(r.uuid)?.message ?? null,
  }));
}

/** The latest live fault of each instance among `uuids` (created_at, then id, as Nova's get_latest_for_instance). */
export async function latestFaults(db: Kysely<CellDatabase>, uuids: readonly string[]): Promise<Map<string, Pick<InstanceFaultsRow, 'code' | 'message'>>> {
  const latest = new Map<string, Pick<InstanceFaultsRow, 'code' | 'message'>>();
  for (const part of inBatches(uuids, 1000)) {
    if (part.length === 0) continue;
    const rows = await db.selectFrom('instance_faults').select(['instance_uuid', 'code', 'message']).where('instance_uuid', 'in', part).where('deleted', '=', 0).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    for (const r of rows) if (r.instance_uuid !== null && !latest.has(r.instance_uuid)) latest.set(r.instance_uuid, { code: r.code, message: r.message });
  }
  return latest;
}

/** Everything cell0 holds about one instance: its row (deleted or not), flavor JSON, faults newest first, actions with their events. */
export interface BuriedInstanceDetail {
  instance: InstancesRow;
  flavor: string | null;
  faults: InstanceFaultsRow[];
  actions: Array<InstanceActionsRow & { events: InstanceActionsEventsRow[] }>;
}

export async function findBuriedInstance(db: Kysely<CellDatabase>, uuid: string): Promise<BuriedInstanceDetail | undefined> {
  const instance = await db.selectFrom('instances').selectAll().where('uuid', '=', uuid).orderBy('deleted').executeTakeFirst();
  if (!instance) return undefined;
  const extra = await db.selectFrom('instance_extra').select('flavor').where('instance_uuid', '=', uuid).executeTakeFirst();
  const faults = await db.selectFrom('instance_faults').selectAll().where('instance_uuid', '=', uuid).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  const actions = await db.selectFrom('instance_actions').selectAll().where('instance_uuid', '=', uuid).orderBy('id').execute();
  const events = actions.length === 0 ? [] : await db.selectFrom('instance_actions_events').selectAll().where('action_id', 'in', actions.map((a) => a.id)).orderBy('id').execute();
  return { instance, flavor: extra?.flavor ?? null, faults, actions: actions.map((a) => ({ ...a, events: events.filter((e) => e.action_id === a.id) })) };
}
