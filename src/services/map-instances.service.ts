import type { NewInstanceMappingsRow } from '../db/api/api-tables.generated';
import {
  countNovaMapInstancesMarkers,
  deleteNovaMapInstancesMarkers,
  findMappedInstanceUuids,
  insertInstanceMappingsIgnoringExisting,
} from '../db/api/instance-mapping.repository';
import { countMappableInstances, listInstancesAfter, type InstanceForMapping } from '../db/cell/instance.repository';
import { inRetriedTransaction } from '../db/database-lock';
import { toDbBoolean, toDbTimestamp, translateDriverError } from '../db/dialect';
import { type Cell, describeCell } from '../domain/cell';
import { CellctlError, MissingSettingError } from '../domain/errors';
import { mapBounded } from './bounded-parallel';
import { listCells, resolveCell } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';

/** Instances read, probed and inserted per step: small enough for a Galera write set. */
export const MAP_INSTANCES_CHUNK = 10_000;
/** How many cells --all-cells maps at once. */
export const MAP_INSTANCES_PARALLELISM = 2;

/** Progress of one cell, reported after every chunk. */
export interface MapInstancesProgress {
  cell: Cell;
  /** Instances examined so far, and how many there are (hidden ones excluded). */
  scanned: number;
  total: number;
  found: number;
  mapped: number;
}

/** Options of mapInstances. */
export interface MapInstancesOptions {
  /** One cell (name or UUID); without it, every cell (cell0 and disabled cells included). */
  cell?: string;
  /** Map at most this many in this run, in total over the cells. */
  maxCount?: number;
  /** Remove the resume markers Nova's map_instances left. */
  reset?: boolean;
  /** Count unmapped instances only; write nothing. */
  dryRun?: boolean;
  chunkSize?: number;
  now?: () => Date;
  onProgress?: (progress: MapInstancesProgress) => void;
}

/** The outcome for one cell. */
export interface CellMappingOutcome {
  cell: Cell;
  /** Unmapped instances this run found. */
  found: number;
  /** Mappings this run inserted (a concurrent run may have inserted some of `found`). */
  mapped: number;
  /** Unmapped instances left after this run (--max-count, or --dry-run). */
  remaining: number;
  seconds: number;
  /** Set when the cell could not be mapped (unreachable database...); the others still ran. */
  error?: unknown;
}

/** The outcome of a map-instances run. */
export interface MapInstancesResult {
  cells: CellMappingOutcome[];
  /** Resume markers of Nova's map_instances found, and removed (--reset). */
  markersFound: number;
  markersRemoved: number;
  dryRun: boolean;
}

/**
 * The queued_for_delete value Nova's populate_queued_for_delete migration would give an
 * instance: deleted, or in vm_state soft-delete (Nova's map_instances itself writes false).
 */
export function queuedForDelete(instance: Pick<InstanceForMapping, 'deleted' | 'vm_state'>): boolean {
  return (instance.deleted ?? 0) !== 0 || instance.vm_state === 'soft-delete';
}

/**
 * Creates the missing instance mappings of one cell or of every cell: walks each cell's
 * instances in primary-key order in chunks, finds which of each chunk have no mapping, and
 * inserts those in one transaction per chunk with insert-ignore semantics. Memory does not grow
 * with the number of instances. No marker is kept: an interrupted run (even killed) is simply run
 * again, and concurrent runs never duplicate a mapping. Never writes Nova's resume marker.
 * Throws the lookup errors of resolveCell; a cell that fails is recorded in its outcome.
 */
export async function mapInstances(dbs: DatabaseContext, options: MapInstancesOptions = {}): Promise<MapInstancesResult> {
  const cells = options.cell !== undefined ? [await resolveCell(dbs, options.cell)] : await listCells(dbs);
  const api = (await dbs.api()).db;
  const markersFound = await countNovaMapInstancesMarkers(api);
  const markersRemoved = options.reset && !options.dryRun && markersFound ? await deleteNovaMapInstancesMarkers(api) : 0;
  const budget = { left: options.maxCount ?? Number.POSITIVE_INFINITY };
  const outcomes = await mapBounded(cells, MAP_INSTANCES_PARALLELISM, async (cell) => {
    const started = Date.now();
    try {
      return await mapCell(dbs, cell, budget, options, started);
    } catch (error) {
      const reported = error instanceof CellctlError ? error : translateDriverError(error, `of cell ${describeCell(cell)}`);
      return { cell, found: 0, mapped: 0, remaining: 0, seconds: (Date.now() - started) / 1000, error: reported };
    }
  });
  return { cells: outcomes, markersFound, markersRemoved, dryRun: Boolean(options.dryRun) };
}

async function mapCell(
  dbs: DatabaseContext,
  cell: Cell,
  budget: { left: number },
  options: MapInstancesOptions,
  started: number,
): Promise<CellMappingOutcome> {
  if (!cell.databaseConnection) throw new MissingSettingError(`cell ${describeCell(cell)} has no database_connection`);
  const cellDb = (await dbs.cell(cell.databaseConnection)).db;
  const api = (await dbs.api()).db;
  const chunk = options.chunkSize ?? MAP_INSTANCES_CHUNK;
  const now = options.now ?? (() => new Date());
  const total = await countMappableInstances(cellDb);
  const progress = { cell, scanned: 0, total, found: 0, mapped: 0 };
  let remaining = 0;

  // NOTE: the next chunk is read from the cell while the current one is probed and written to
  // the API database: two servers (or two files) working at once.
  let next = listInstancesAfter(cellDb, 0, chunk);
  for (;;) {
    const batch = await next;
    if (batch.length === 0) break;
    next = batch.length < chunk ? Promise.resolve([]) : listInstancesAfter(cellDb, batch[batch.length - 1].id, chunk);
    next.catch(() => undefined);

    const mapped = await findMappedInstanceUuids(api, batch.map((i) => i.uuid));
    const missing = batch.filter((i) => !mapped.has(i.uuid));
    progress.scanned += batch.length;
    progress.found += missing.length;
    // The budget is taken synchronously, so cells mapped in parallel never overspend it.
    const take = options.dryRun ? 0 : Math.min(missing.length, budget.left);
    budget.left -= take;
    remaining += missing.length - take;
    if (take > 0) {
      const createdAt = toDbTimestamp(now());
      // NOTE: rows go in key order, so concurrent runs take the unique index's locks in the same
      // order (fewer deadlocks); a chunk that still meets one is run again (it is idempotent).
      const rows: NewInstanceMappingsRow[] = missing.slice(0, take).map((i) => ({
        created_at: createdAt,
        instance_uuid: i.uuid,
        cell_id: cell.id,
        project_id: i.project_id ?? '',
        user_id: i.user_id,
        queued_for_delete: toDbBoolean(queuedForDelete(i)),
      }));
      rows.sort((a, b) => (a.instance_uuid < b.instance_uuid ? -1 : a.instance_uuid > b.instance_uuid ? 1 : 0));
      progress.mapped += await inRetriedTransaction(api, (trx) => insertInstanceMappingsIgnoringExisting(trx, rows));
    }
    options.onProgress?.({ ...progress });
  }
  return { cell, found: progress.found, mapped: progress.mapped, remaining, seconds: (Date.now() - started) / 1000 };
}
