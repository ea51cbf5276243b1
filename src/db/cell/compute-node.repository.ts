import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { Tx } from '../unit-of-work';
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

/** The three allocation ratios of a compute node, by resource. */
export interface AllocationRatios {
  cpu: number;
  ram: number;
  disk: number;
}

type RatioColumn = 'cpu_allocation_ratio' | 'ram_allocation_ratio' | 'disk_allocation_ratio';
const RATIO_COLUMNS: Record<keyof AllocationRatios, RatioColumn> = { cpu: 'cpu_allocation_ratio', ram: 'ram_allocation_ratio', disk: 'disk_allocation_ratio' };

/** A ratio Nova takes as unset: NULL or 0.0. */
function emptyRatio(eb: ExpressionBuilder<CellDatabase, 'compute_nodes'>, column: RatioColumn): Expression<SqlBool> {
  return eb.or([eb(column, 'is', null), eb(column, '=', 0)]);
}

/** Nova's candidates of migrate_empty_ratio: live nodes with some ratio NULL or 0.0. */
function anyEmptyRatio(eb: ExpressionBuilder<CellDatabase, 'compute_nodes'>): Expression<SqlBool> {
  return eb.and([eb('deleted', '=', 0), eb.or(Object.values(RATIO_COLUMNS).map((column) => emptyRatio(eb, column)))]);
}

/** The ids of the next `limit` live compute nodes after id `afterId` with some ratio NULL or 0.0, in id order. */
export async function listNodesWithEmptyRatio(db: Kysely<CellDatabase>, afterId: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('compute_nodes').select('id').where(anyEmptyRatio).where('id', '>', afterId).orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/**
 * Sets each NULL or 0.0 ratio of the compute nodes `ids` to `ratios`' value, other ratios kept,
 * and `updated_at`, where a node still has an empty ratio (one another run filled meanwhile is
 * left alone); returns how many nodes were changed. One statement.
 */
export async function fillEmptyRatios(tx: Tx<CellDatabase>, ids: number[], ratios: AllocationRatios, updatedAt: string): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await tx
    .updateTable('compute_nodes')
    .set((eb) => {
      const fill = (resource: keyof AllocationRatios) => {
        const column = RATIO_COLUMNS[resource];
        return eb.case().when(emptyRatio(eb, column)).then(ratios[resource]).else(eb.ref(column)).end();
      };
      return { cpu_allocation_ratio: fill('cpu'), ram_allocation_ratio: fill('ram'), disk_allocation_ratio: fill('disk'), updated_at: updatedAt };
    })
    .where('id', 'in', ids)
    .where(anyEmptyRatio)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A live compute node whose host runs an enabled, not forced-down nova-compute service: what the scheduler may choose. */
export interface SchedulableNode {
  id: number;
  host: string;
  node: string;
  vcpus: number;
  memoryMb: number;
  localGb: number;
  vcpusUsed: number;
  memoryMbUsed: number;
  localGbUsed: number;
  cpuAllocationRatio: number | null;
  ramAllocationRatio: number | null;
  diskAllocationRatio: number | null;
}

/** The compute nodes of live, enabled, not forced-down `nova-compute` services (Nova's ComputeFilter), by id. */
export async function listSchedulableNodes(db: Kysely<CellDatabase>): Promise<SchedulableNode[]> {
  const rows = await db
    .selectFrom('compute_nodes as n')
    .innerJoin('services as s', (join) => join.onRef('s.host', '=', 'n.host').on('s.binary', '=', 'nova-compute').on('s.deleted', '=', 0).on('s.disabled', '=', 0))
    .select([
      'n.id',
      'n.host',
      'n.hypervisor_hostname',
      'n.vcpus',
      'n.memory_mb',
      'n.local_gb',
      'n.vcpus_used',
      'n.memory_mb_used',
      'n.local_gb_used',
      'n.cpu_allocation_ratio',
      'n.ram_allocation_ratio',
      'n.disk_allocation_ratio',
      's.forced_down',
    ])
    .where('n.deleted', '=', 0)
    .where('n.host', 'is not', null)
    .orderBy('n.id')
    .execute();
  return rows
    .filter((r) => !r.forced_down)
    .map((r) => ({
      id: r.id,
      host: r.host!,
      node: r.hypervisor_hostname ?? r.host!,
      vcpus: r.vcpus,
      memoryMb: r.memory_mb,
      localGb: r.local_gb,
      vcpusUsed: r.vcpus_used,
      memoryMbUsed: r.memory_mb_used,
      localGbUsed: r.local_gb_used,
      cpuAllocationRatio: r.cpu_allocation_ratio,
      ramAllocationRatio: r.ram_allocation_ratio,
      diskAllocationRatio: r.disk_allocation_ratio,
    }));
}

/**
 * Claims an instance's usage on its compute node, as the resource tracker would record it, only
 * while the node still has room for it under `capacity` (its totals times its allocation ratios):
 * a concurrent run that took the room first makes this return false and change nothing.
 */
export async function claimNodeUsage(
  tx: Tx<CellDatabase>,
  nodeId: number,
  usage: { vcpus: number; memoryMb: number; diskGb: number },
  capacity: { vcpus: number; memoryMb: number; diskGb: number },
  updatedAt: string,
): Promise<boolean> {
  const result = await tx
    .updateTable('compute_nodes')
    .set((eb) => ({
      vcpus_used: eb('vcpus_used', '+', usage.vcpus),
      memory_mb_used: eb('memory_mb_used', '+', usage.memoryMb),
      local_gb_used: eb('local_gb_used', '+', usage.diskGb),
      running_vms: eb(eb.fn.coalesce('running_vms', eb.lit(0)), '+', 1),
      updated_at: updatedAt,
    }))
    .where('id', '=', nodeId)
    .where('deleted', '=', 0)
    .where((eb) => eb('vcpus_used', '<=', capacity.vcpus - usage.vcpus))
    .where((eb) => eb('memory_mb_used', '<=', capacity.memoryMb - usage.memoryMb))
    .where((eb) => eb('local_gb_used', '<=', capacity.diskGb - usage.diskGb))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
