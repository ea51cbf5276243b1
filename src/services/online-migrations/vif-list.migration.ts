/**
 * Nova's `fill_virtual_interface_list`: an instance whose live `virtual_interfaces` rows are fewer
 * than, or ordered differently from, the VIFs of its network info cache gets them rebuilt from the
 * cache as Nova does (old rows soft-deleted; one new row per cached VIF, in cache order, tag kept,
 * network_id NULL). Unlike Nova it keeps no marker and creates no fake instance: every run checks
 * every live instance, in id order (docs/nova-differences.md).
 */
import type { Kysely } from 'kysely';
import type { CellDatabase } from '../../db/cell/cell-tables.generated';
import { newVirtualInterfaceRow } from '../../db/cell/new-cell-rows';
import { findLiveVifAddresses, findNetworkInfos, insertVifs, listInstancesWithNetworkInfo, listLiveVifs, softDeleteVifs } from '../../db/cell/virtual-interface.repository';
import type { DatabaseHandle } from '../../db/connection';
import { toDbTimestamp } from '../../db/dialect';
import { inTransaction } from '../../db/unit-of-work';
import { addCounts, unmigratableTotal, type UnmigratableReason } from '../../domain/online-migrations';
import { vifListDecision, type RebuiltVif } from '../../domain/vif-list';
import type { CellMigrationContext, OnlineMigration } from './migration';

/** Instances checked per step. */
export const VIF_LIST_CHUNK = 1_000;
/** The network_info read per step, at most (one instance's at least). */
export const VIF_LIST_CHUNK_BYTES = 8 * 1024 * 1024;

interface Rebuild {
  instanceId: number;
  instanceUuid: string;
  oldIds: number[];
  vifs: RebuiltVif[];
}

interface ChunkPlan {
  /** The instances to rebuild, in id order. */
  rebuild: Rebuild[];
  unmigratable: Partial<Record<UnmigratableReason, number>>;
}

/**
 * What to do with the instances `ids`: reads their network_info and live VIF rows (locked with
 * `forUpdate`), decides per instance, and refuses a rebuild whose new addresses are live on
 * another instance's VIF or claimed by an earlier instance of the chunk (the unique address+deleted).
 */
async function planChunk(db: Kysely<CellDatabase>, ids: readonly number[], forUpdate: boolean): Promise<ChunkPlan> {
  const instances = await findNetworkInfos(db, ids);
  const live = await listLiveVifs(db, instances.map((i) => i.uuid), { forUpdate });
  const plan: ChunkPlan = { rebuild: [], unmigratable: {} };
  const unmigratable = (reason: UnmigratableReason): void => {
    plan.unmigratable[reason] = (plan.unmigratable[reason] ?? 0) + 1;
  };
  const candidates: Rebuild[] = [];
  for (const instance of instances) {
    const old = live.get(instance.uuid) ?? [];
    const decision = vifListDecision(instance.network_info, old);
    if (decision.kind === 'unmigratable') unmigratable(decision.reason);
    else if (decision.kind === 'rebuild') candidates.push({ instanceId: instance.id, instanceUuid: instance.uuid, oldIds: old.map((v) => v.id), vifs: decision.vifs });
  }
  const owners = await findLiveVifAddresses(db, candidates.flatMap((c) => c.vifs.map((v) => v.address)), { forUpdate });
  const claimed = new Set<string>();
  for (const candidate of candidates) {
    const addresses = candidate.vifs.map((v) => v.address);
    // An address live on the instance's own VIF is free: that row is soft-deleted first.
    const taken = addresses.some((a) => claimed.has(a) || (owners.has(a) && owners.get(a) !== candidate.instanceUuid)) || new Set(addresses).size !== addresses.length;
    if (taken) {
      unmigratable('vif-address-in-use');
      continue;
    }
    for (const a of addresses) claimed.add(a);
    plan.rebuild.push(candidate);
  }
  return plan;
}

/** Rebuilds the VIF rows of the instances `ids` that still need it, in one unit of work; returns the plan it carried out. */
async function rebuildChunk(cellDb: DatabaseHandle<CellDatabase>, ids: readonly number[], now: Date): Promise<ChunkPlan> {
  return inTransaction(
    cellDb,
    async (tx) => {
      // NOTE: decided again on locked rows: a compute host may have attached an interface meanwhile.
      const plan = await planChunk(tx, ids, cellDb.adapter.lockingReads);
      const time = toDbTimestamp(now);
      await softDeleteVifs(tx, plan.rebuild.flatMap((r) => r.oldIds), time);
      await insertVifs(
        tx,
        plan.rebuild.flatMap((r) => r.vifs.map((vif) => newVirtualInterfaceRow({ ...vif, instance_uuid: r.instanceUuid, network_id: null }, time))),
      );
      return plan;
    },
    { retry: true },
  );
}

/** `fill_virtual_interface_list`: counts instances whose VIF rows were (or would be) rebuilt. */
export const fillVirtualInterfaceList: OnlineMigration = {
  name: 'fill_virtual_interface_list',
  origin: 'nova',
  summary: "rebuild the virtual interface rows of instances whose rows are missing or out of order, from their network info cache",
  async migrateCell(ctx: CellMigrationContext): Promise<void> {
    const { cellDb, counts } = ctx;
    for (let after = 0; ; ) {
      const listed = await listInstancesWithNetworkInfo(cellDb.db, after, VIF_LIST_CHUNK);
      if (listed.length === 0) return;
      let take = 1;
      for (let bytes = listed[0]!.size; take < listed.length && bytes + listed[take]!.size <= VIF_LIST_CHUNK_BYTES; take++) bytes += listed[take]!.size;
      const ids = listed.slice(0, take).map((i) => i.id);
      after = ids[ids.length - 1]!;

      const plan = await planChunk(cellDb.db, ids, false);
      const granted = ctx.status ? 0 : ctx.budget.take(plan.rebuild.length);
      addCounts(counts, { found: plan.rebuild.length + unmigratableTotal(plan), migrated: 0, remaining: plan.rebuild.length - granted, unmigratable: plan.unmigratable });
      if (granted > 0) {
        const done = await rebuildChunk(cellDb, plan.rebuild.slice(0, granted).map((r) => r.instanceId), ctx.now());
        // Of the instances granted, some may have been fixed meanwhile (no longer found) or become unmigratable.
        const fixedMeanwhile = granted - done.rebuild.length - unmigratableTotal(done);
        addCounts(counts, { found: -fixedMeanwhile, migrated: done.rebuild.length, remaining: 0, unmigratable: done.unmigratable });
        ctx.budget.giveBack(granted - done.rebuild.length);
      }
      ctx.progress();
    }
  },
};
