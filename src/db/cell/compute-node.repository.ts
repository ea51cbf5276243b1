import type { Kysely } from 'kysely';
import type { CellDatabase } from './cell-tables.generated';

/** A live compute node as host discovery needs it. */
export interface ComputeNodeHost {
  id: number;
  host: string | null;
  uuid: string | null;
  hypervisorHostname: string | null;
}

/**
 * Live compute nodes not yet marked host-mapped (`mapped < 1`, as Nova selects: a NULL never
 * matches), in id order.
 */
export async function listUnmappedComputeNodes(db: Kysely<CellDatabase>): Promise<ComputeNodeHost[]> {
  return db
    .selectFrom('compute_nodes')
    .select(['id', 'host', 'uuid', 'hypervisor_hostname as hypervisorHostname'])
    .where('deleted', '=', 0)
    .where('mapped', '<', 1)
    .orderBy('id')
    .execute();
}

/** The distinct host names of live compute nodes. */
export async function listComputeNodeHosts(db: Kysely<CellDatabase>): Promise<string[]> {
  const rows = await db.selectFrom('compute_nodes').select('host').distinct().where('deleted', '=', 0).where('host', 'is not', null).orderBy('host').execute();
  return rows.map((r) => r.host as string);
}

/** Marks compute nodes as host-mapped (`mapped = 1`). */
export async function markComputeNodesMapped(db: Kysely<CellDatabase>, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('compute_nodes').set({ mapped: 1 }).where('id', 'in', ids).execute();
}

/** Marks the live compute nodes of `hosts` (or of every host) as not host-mapped (`mapped = 0`). */
export async function resetComputeNodesMapped(db: Kysely<CellDatabase>, hosts?: string[]): Promise<number> {
  if (hosts && hosts.length === 0) return 0;
  let query = db.updateTable('compute_nodes').set({ mapped: 0 }).where('deleted', '=', 0);
  if (hosts) query = query.where('host', 'in', hosts);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** How many live compute nodes one host has (a host may carry several, as ironic's do). */
export async function countLiveComputeNodesOnHost(db: Kysely<CellDatabase>, host: string): Promise<number> {
  const row = await db
    .selectFrom('compute_nodes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('deleted', '=', 0)
    .where('host', '=', host)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
