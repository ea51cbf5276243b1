/**
 * Deleting instances buried in cell0: Nova's delete (a soft delete, the mapping queued for delete)
 * or a purge (every row of the instance removed from cell0, and its mapping, request spec, group
 * membership and any build request from the API database), for named instances or for all those
 * older than an age.
 *
 * Writes span two databases and cannot be atomic, so each instance's cell0 rows are written first,
 * in one transaction, then its API rows: a run stopped anywhere leaves a state a re-run completes
 * (an already soft-deleted instance still gets its mapping queued; a purge finds the leftover API
 * rows through the mapping that still points at cell0).
 */
import { findBuildRequestUuids } from '../db/api/build-request.repository';
import { countInstanceApiRows, PURGED_API_TABLES, purgeInstanceApiRows } from '../db/api/instance-api-rows.repository';
import { countMappingsNotQueuedForDelete, findInstanceMappings, listCellMappingsCreatedBefore, queueMappingsForDelete } from '../db/api/instance-mapping.repository';
import {
  countCell0Rows,
  countSoftDelete,
  findCell0InstanceStates,
  findCell0InstanceUuids,
  findVolumeAttachments,
  listCell0InstancesCreatedBefore,
  PURGED_CELL0_TABLES,
  purgeCell0Instances,
  softDeleteCell0Instance,
  type TableCounts,
  type VolumeAttachment,
} from '../db/cell/cell0-delete.repository';
import { rowTimestamp } from '../db/new-row-defaults';
import { inTransaction } from '../db/unit-of-work';
import { describeCell, isCell0, type Cell } from '../domain/cell';
import { Cell0MissingError, InstanceNotInCell0Error, InvalidValueError, StuckBuildNotInCell0Error } from '../domain/errors';
import { listCells } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';

export type { VolumeAttachment };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Instances purged per batch (one cell0 and one API transaction each): memory stays flat. */
export const PURGE_BATCH = 200;

/** What happened to one named instance. */
export type Cell0DeleteAction =
  /** Soft-deleted now, as Nova deletes it. */
  | 'deleted'
  /** Soft-deleted before (its mapping is queued for delete now if it was not). */
  | 'already-deleted'
  /** disable_terminate is set: left alone, as Nova's delete silently leaves it. */
  | 'termination-disabled'
  /** Every row removed from cell0 and the API database. */
  | 'purged';

/** One named instance's outcome. */
export interface Cell0DeleteOutcome {
  uuid: string;
  name: string | null;
  projectId: string | null;
  action: Cell0DeleteAction;
  /** Rows changed (delete) or removed (purge), cell0 and API database together. */
  rows: number;
  /** The live block devices with a volume or attachment that Nova would clean up in Cinder. */
  volumes: VolumeAttachment[];
  /**
   * Its build request is still there: a stuck build (a burial cut short). A purge removes its cell0
   * rows only and keeps its API rows (build request, mapping, request spec, group membership) for
   * `instance stuck` to bury again or delete.
   */
  stuckBuild: boolean;
}

/** What deleteCell0Instances did (or would do). */
export interface Cell0DeleteReport {
  instances: Cell0DeleteOutcome[];
  /** Rows per table, `cell0.<table>` and `API_DB.<table>` (Nova's archive names), every table listed. */
  tables: Array<{ table: string; rows: number }>;
  dryRun: boolean;
}

/** Options of deleteCell0Instances. */
export interface Cell0DeleteOptions {
  /** Remove every row instead of Nova's soft delete. */
  purge?: boolean;
  dryRun?: boolean;
  now?: Date;
}

async function cell0Of(dbs: DatabaseContext): Promise<{ cell0: Cell; cells: Cell[] }> {
  const cells = await listCells(dbs);
  const cell0 = cells.find(isCell0);
  if (!cell0) throw new Cell0MissingError();
  return { cell0, cells };
}

/** Per-table totals, every table listed, in purge order with Nova's archive names. */
class Tally {
  private readonly counts = new Map<string, number>();

  constructor(tables: string[]) {
    for (const t of tables) this.counts.set(t, 0);
  }

  add(prefix: string, counts: Readonly<Record<string, number>>): number {
    let total = 0;
    for (const [table, n] of Object.entries(counts)) {
      const key = `${prefix}.${table}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + n);
      total += n;
    }
    return total;
  }

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  rows(): Array<{ table: string; rows: number }> {
    return [...this.counts].map(([table, rows]) => ({ table, rows }));
  }
}

const SOFT_DELETE_TABLES = ['instances', 'security_group_instance_association', 'instance_info_caches', 'instance_metadata', 'instance_faults', 'instance_extra', 'instance_system_metadata', 'block_device_mapping', 'migrations', 'virtual_interfaces', 'instance_id_mappings', 'tags', 'console_auth_tokens'];

function purgeTally(): Tally {
  return new Tally([...PURGED_CELL0_TABLES.map((t) => `cell0.${t}`), ...PURGED_API_TABLES.map((t) => `API_DB.${t}`)]);
}

/**
 * Deletes (or purges) the named instances of cell0. Every UUID is checked before anything is
 * written: a malformed one is InvalidValueError; one that cell0 does not hold, or whose mapping
 * points at another cell, is InstanceNotInCell0Error (a purge also takes an instance whose cell0
 * rows are gone while its mapping still points at cell0: the leftovers of an interrupted purge);
 * one that cell0 does not hold but whose build request is still there is a stuck build,
 * StuckBuildNotInCell0Error. A stuck build cell0 does hold is deleted or purged there, its API rows
 * kept (purgeInstanceApiRows). Cell0MissingError without cell0.
 */
export async function deleteCell0Instances(dbs: DatabaseContext, uuids: readonly string[], options: Cell0DeleteOptions = {}): Promise<Cell0DeleteReport> {
  for (const uuid of uuids) if (!UUID.test(uuid)) throw new InvalidValueError('instance', uuid, 'an instance UUID');
  const wanted = [...new Set(uuids.map((u) => u.toLowerCase()))];
  const { cell0, cells } = await cell0Of(dbs);
  const api = await dbs.api();
  const now = options.now ?? new Date();
  const dryRun = Boolean(options.dryRun);
  const purge = Boolean(options.purge);

  const mappings = await findInstanceMappings(api.db, wanted);
  const stuck = await findBuildRequestUuids(api.db, wanted);
  const { states, volumes } = await dbs.withCell(cell0, async (handle) => ({
    states: await findCell0InstanceStates(handle.db, wanted),
    volumes: await findVolumeAttachments(handle.db, wanted),
  }));
  for (const uuid of wanted) {
    const cellId = mappings.get(uuid)?.cell_id ?? null;
    if (cellId !== null && cellId !== cell0.id) {
      const cell = cells.find((c) => c.id === cellId);
      throw new InstanceNotInCell0Error(uuid, cell ? describeCell(cell) : `id ${cellId} (no such cell mapping)`);
    }
    if (!states.has(uuid) && stuck.has(uuid)) throw new StuckBuildNotInCell0Error(uuid);
    if (!states.has(uuid) && !(purge && cellId === cell0.id)) throw new InstanceNotInCell0Error(uuid);
  }

  const tally = purge ? purgeTally() : new Tally([...SOFT_DELETE_TABLES.map((t) => `cell0.${t}`), 'API_DB.instance_mappings']);
  const instances: Cell0DeleteOutcome[] = [];
  for (const uuid of wanted) {
    const state = states.get(uuid);
    const outcome = { uuid, name: state?.displayName ?? null, projectId: state?.projectId ?? mappings.get(uuid)?.project_id ?? null, volumes: volumes.filter((v) => v.instanceUuid === uuid), stuckBuild: stuck.has(uuid) };
    if (purge) {
      const cellRows = await dbs.withCell(cell0, (handle) => (dryRun ? countCell0Rows(handle.db, [uuid]) : inTransaction(handle, (tx) => purgeCell0Instances(tx, [uuid]), { retry: true })));
      const apiRows = dryRun ? await countInstanceApiRows(api.db, [uuid], cell0.id) : await inTransaction(api, (tx) => purgeInstanceApiRows(tx, [uuid], cell0.id), { retry: true });
      instances.push({ ...outcome, action: 'purged', rows: tally.add('cell0', cellRows) + tally.add('API_DB', apiRows) });
      continue;
    }
    if (state!.disableTerminate && state!.deleted === 0) {
      instances.push({ ...outcome, action: 'termination-disabled', rows: 0 });
      continue;
    }
    let cellRows: TableCounts = {};
    if (state!.deleted === 0) {
      cellRows = await dbs.withCell(cell0, (handle) => (dryRun ? countSoftDelete(handle.db, uuid) : inTransaction(handle, (tx) => softDeleteCell0Instance(tx, uuid, now), { retry: true })));
    }
    const queued = dryRun ? await countMappingsNotQueuedForDelete(api.db, [uuid]) : await inTransaction(api, (tx) => queueMappingsForDelete(tx, [uuid], now), { retry: true });
    const rows = tally.add('cell0', cellRows) + tally.add('API_DB', { instance_mappings: queued });
    instances.push({ ...outcome, action: state!.deleted === 0 ? 'deleted' : 'already-deleted', rows });
  }
  return { instances, tables: tally.rows(), dryRun };
}

/** Options of purgeCell0. */
export interface Cell0PurgeOptions {
  /** Purge the instances created longer ago than this many seconds. */
  olderThanSeconds: number;
  dryRun?: boolean;
  now?: Date;
  /** Instances per batch (default PURGE_BATCH). */
  batchSize?: number;
  /** Called for each batch of instances with live volume attachments Nova would clean up in Cinder. */
  onVolumes?: (attachments: VolumeAttachment[]) => void;
  /** Called for each instance left alone because its mapping points at another cell. */
  onSkipped?: (uuid: string, mappedTo: string) => void;
  /** Called for each stuck build (its build request still there) whose cell0 rows are purged and API rows kept. */
  onStuckBuild?: (uuid: string) => void;
}

/** What purgeCell0 removed (or would remove). */
export interface Cell0PurgeReport {
  /** Rows per table, `cell0.<table>` and `API_DB.<table>`, every table listed. */
  tables: Array<{ table: string; rows: number }>;
  /** Instances of cell0 purged (their instance rows). */
  instances: number;
  /** Instances whose cell0 rows were gone already: their leftover API rows were purged. */
  leftovers: number;
  /** Instances of cell0 left alone: mapped to another cell. */
  skipped: number;
  /** The cut-off: instances created before it were purged ('YYYY-MM-DD HH:MM:SS' UTC). */
  createdBefore: string;
  dryRun: boolean;
}

/**
 * Purges every instance of cell0, live or soft-deleted, created before now minus the age (by
 * instances.created_at: when the boot was requested, which a burial keeps), batch by batch; an
 * instance whose mapping points at another cell is left alone, and a stuck build (its build
 * request still there) keeps its API rows. Then the leftovers of interrupted purges: mappings
 * pointing at cell0, created before the cut-off, whose instance cell0 no longer holds and which
 * have no build request (a stuck build, its burial cut short, is no leftover) lose their API
 * rows. Cell0MissingError without cell0.
 */
export async function purgeCell0(dbs: DatabaseContext, options: Cell0PurgeOptions): Promise<Cell0PurgeReport> {
  const { cell0, cells } = await cell0Of(dbs);
  const api = await dbs.api();
  const now = options.now ?? new Date();
  const createdBefore = rowTimestamp(new Date(now.getTime() - options.olderThanSeconds * 1000));
  const dryRun = Boolean(options.dryRun);
  const batchSize = options.batchSize ?? PURGE_BATCH;
  const tally = purgeTally();
  let skipped = 0;
  let leftovers = 0;

  await dbs.withCell(cell0, async (handle) => {
    for (let after = 0; ; ) {
      const batch = await listCell0InstancesCreatedBefore(handle.db, createdBefore, after, batchSize);
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.id;
      const mappings = await findInstanceMappings(api.db, batch.map((i) => i.uuid));
      const uuids: string[] = [];
      for (const instance of batch) {
        const cellId = mappings.get(instance.uuid)?.cell_id ?? null;
        if (cellId !== null && cellId !== cell0.id) {
          skipped += 1;
          const cell = cells.find((c) => c.id === cellId);
          options.onSkipped?.(instance.uuid, cell ? describeCell(cell) : `id ${cellId}`);
        } else {
          uuids.push(instance.uuid);
        }
      }
      if (uuids.length === 0) continue;
      for (const uuid of await findBuildRequestUuids(api.db, uuids)) options.onStuckBuild?.(uuid);
      const attachments = await findVolumeAttachments(handle.db, uuids);
      if (attachments.length) options.onVolumes?.(attachments);
      tally.add('cell0', dryRun ? await countCell0Rows(handle.db, uuids) : await inTransaction(handle, (tx) => purgeCell0Instances(tx, uuids), { retry: true }));
      tally.add('API_DB', dryRun ? await countInstanceApiRows(api.db, uuids, cell0.id) : await inTransaction(api, (tx) => purgeInstanceApiRows(tx, uuids, cell0.id), { retry: true }));
    }
    // The leftovers of a purge stopped between cell0 and the API database.
    for (let after = 0; ; ) {
      const batch = await listCellMappingsCreatedBefore(api.db, cell0.id, createdBefore, after, batchSize * 5);
      if (batch.length === 0) break;
      after = batch[batch.length - 1]!.id;
      const present = await findCell0InstanceUuids(handle.db, batch.map((m) => m.instance_uuid));
      const gone = batch.map((m) => m.instance_uuid).filter((u) => !present.has(u));
      if (gone.length === 0) continue;
      leftovers += gone.length;
      tally.add('API_DB', dryRun ? await countInstanceApiRows(api.db, gone, cell0.id) : await inTransaction(api, (tx) => purgeInstanceApiRows(tx, gone, cell0.id), { retry: true }));
    }
  });
  return { tables: tally.rows(), instances: tally.get('cell0.instances'), leftovers, skipped, createdBefore, dryRun };
}
