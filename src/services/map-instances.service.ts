import {
  countNovaMapInstancesMarkers,
  deleteNovaMapInstancesMarkers,
  hasInstanceMappings,
  insertInstanceMappingsIgnoringExisting,
  listMappedInstanceUuidsBetween,
  type InstanceMappingInsert,
} from '../db/api/instance-mapping.repository';
import type { Kysely } from 'kysely';
import type { ApiDatabase } from '../db/api/api-tables.generated';
import type { CellDatabase } from '../db/cell/cell-tables.generated';
import {
  countInstances,
  findInstancesForMapping,
  isHiddenInstance,
  listInstanceUuidsAfter,
  listInstancesAfter,
  type InstanceForMapping,
} from '../db/cell/instance.repository';
import { toDbBoolean, toDbTimestamp } from '../db/dialect';
import { inTransaction } from '../db/unit-of-work';
import type { Cell } from '../domain/cell';
import { isQueuedForDelete } from '../domain/instance-state';
import { scatterCells, type CellOutcome } from './cell-execution';
import { compareText, listCells, resolveCell } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';
import { HeapBudget } from './heap-budget';
import type { Rules } from './rules';
import type { RunEventSink } from './run-events';

/** Instances read, probed and inserted per step: small enough for a Galera write set. */
export const MAP_INSTANCES_CHUNK = 10_000;
/** How many cells --all-cells maps at once. */
export const MAP_INSTANCES_PARALLELISM = 2;

/** Chunk transactions a cell keeps in flight. */
const WRITES_IN_FLIGHT = 2;

/** How much the JavaScript heap may grow between two collections in a run (see HeapBudget). */
export const MAP_INSTANCES_HEAP_HEADROOM = 16 * 1024 * 1024;

/** What the cells of one run share: what --max-count leaves to map, and the heap budget. */
interface SharedRun {
  left: number;
  heap: HeapBudget;
  /** Mappings inserted so far, per cell UUID. */
  mapped: Map<string, number>;
}

/** At most `limit` promises pending; add() waits for room, drain() for all; the first failure is thrown. */
class InFlight {
  private readonly pending = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async add(work: Promise<void>): Promise<void> {
    const tracked = work.catch((error) => {
      this.failure ??= { error };
    });
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
    while (this.pending.size >= this.limit) await Promise.race(this.pending);
    this.rethrow();
  }

  async drain(): Promise<void> {
    await Promise.all(this.pending);
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
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
  signal?: AbortSignal;
  /** The front's rules (queuedForDeleteFromState). */
  rules: Rules;
  /**
   * Progress after every chunk (`cell-progress`: `done` instances examined of `total`, counts
   * `found` and `mapped`), and each cell's start and end.
   */
  onEvent?: RunEventSink;
}

/** What map-instances did in one cell that it finished. */
export interface CellMappingCounts {
  /** Unmapped instances this run found. */
  found: number;
  /** Mappings this run inserted (a concurrent run may have inserted some of `found`). */
  mapped: number;
  /** Unmapped instances left after this run (--max-count, or a dry run). */
  remaining: number;
}

/** The outcome of a map-instances run. */
export interface MapInstancesResult {
  /** One outcome per cell: its counts, or why it could not be mapped (the others still were). */
  cells: Array<CellOutcome<CellMappingCounts>>;
  /** Mappings inserted per cell UUID, those of cells that failed part-way included. */
  mappedByCell: Map<string, number>;
  /** Resume markers of Nova's map_instances found, and removed (reset). */
  markersFound: number;
  markersRemoved: number;
  dryRun: boolean;
}

/**
 * Creates the missing instance mappings of one cell or of every cell: walks each cell's
 * instances in chunks (in primary-key order while a MySQL cell has no mapping, else as a merge
 * anti-join in UUID order), and inserts the unmapped ones in one transaction per chunk with
 * insert-ignore semantics. Memory does not grow
 * with the number of instances. No marker is kept: an interrupted run (even killed) is simply run
 * again, and concurrent runs never duplicate a mapping. Never writes Nova's resume marker.
 * Throws the lookup errors of resolveCell; a cell that fails is its outcome (the others go on).
 */
export async function mapInstances(dbs: DatabaseContext, options: MapInstancesOptions): Promise<MapInstancesResult> {
  const cells = options.cell !== undefined ? [await resolveCell(dbs, options.cell)] : await listCells(dbs);
  const api = (await dbs.api()).db;
  const markersFound = await countNovaMapInstancesMarkers(api);
  const markersRemoved = options.reset && !options.dryRun && markersFound ? await deleteNovaMapInstancesMarkers(api) : 0;
  const run: SharedRun = { left: options.maxCount ?? Number.POSITIVE_INFINITY, heap: new HeapBudget(MAP_INSTANCES_HEAP_HEADROOM), mapped: new Map() };
  const outcomes = await scatterCells(dbs, cells, (cell, signal) => mapCell(dbs, cell, run, options, signal), {
    concurrency: MAP_INSTANCES_PARALLELISM,
    signal: options.signal,
    onEvent: options.onEvent,
  });
  return { cells: outcomes, mappedByCell: run.mapped, markersFound, markersRemoved, dryRun: Boolean(options.dryRun) };
}

/** One step of a cell's walk: how many instances it examined, and those of them without a mapping. */
interface WalkStep {
  scanned: number;
  missing: InstanceForMapping[];
}

/**
 * A MySQL cell with no mapping at all (the usual first run): every instance in primary-key order
 * (hidden ones read and left out), no anti-join needed (insert-ignore absorbs what a concurrent run maps meanwhile). The next chunk
 * is read while the caller writes the current one.
 */
async function* walkUnmappedCell(cellDb: Kysely<CellDatabase>, chunk: number): AsyncGenerator<WalkStep> {
  let next = listInstancesAfter(cellDb, 0, chunk);
  for (;;) {
    const batch = await next;
    if (batch.length === 0) return;
    next = batch.length < chunk ? Promise.resolve([]) : listInstancesAfter(cellDb, batch[batch.length - 1].id, chunk);
    next.catch(() => undefined);
    yield { scanned: batch.length, missing: batch.filter((row) => !isHiddenInstance(row)) };
  }
}

/**
 * A merge anti-join in UUID order: a covering range scan of the cell's UUID index beside the same
 * UUID range of instance_mappings' unique index, so a cell already mapped costs two sequential
 * index scans instead of one random probe per instance. Full rows are read only for the UUIDs
 * missing, and they are inserted in UUID order.
 */
async function* walkPartlyMappedCell(cellDb: Kysely<CellDatabase>, api: Kysely<ApiDatabase>, chunk: number): AsyncGenerator<WalkStep> {
  let next = listInstanceUuidsAfter(cellDb, '', chunk);
  for (;;) {
    const uuids = await next;
    if (uuids.length === 0) return;
    next = uuids.length < chunk ? Promise.resolve([]) : listInstanceUuidsAfter(cellDb, uuids[uuids.length - 1], chunk);
    next.catch(() => undefined);
    const mapped = await listMappedInstanceUuidsBetween(api, uuids[0], uuids[uuids.length - 1]);
    const unmapped = uuids.filter((u) => !mapped.has(u));
    yield { scanned: uuids.length, missing: unmapped.length ? await findInstancesForMapping(cellDb, unmapped) : [] };
  }
}

async function mapCell(
  dbs: DatabaseContext,
  cell: Cell,
  run: SharedRun,
  options: MapInstancesOptions,
  signal: AbortSignal,
): Promise<CellMappingCounts> {
  const cellDb = (await dbs.cellDatabase(cell)).db;
  const apiHandle = await dbs.api();
  const api = apiHandle.db;
  const chunk = options.chunkSize ?? MAP_INSTANCES_CHUNK;
  const now = options.now ?? (() => new Date());
  // NOTE: the walk is chosen by measurement (docs/performance.md). On MySQL a first run reads
  // instances by primary key (sequential in InnoDB's clustered index) and lets the server insert;
  // anything else, and every run on SQLite, walks in UUID order, where SQLite's index inserts
  // become appends (an INSERT ... SELECT ordered by UUID takes half the time there).
  const fresh = apiHandle.adapter.clusteredByPrimaryKey && !(await hasInstanceMappings(api, cell.id));
  // NOTE: progress counts every instance row either walk examines, hidden ones included, so the
  // same cell has the same total whichever walk a run takes.
  const total = await countInstances(cellDb);
  const progress = { scanned: 0, found: 0, mapped: 0 };
  const report = (): void => options.onEvent?.({ type: 'cell-progress', cell, done: progress.scanned, total, counts: { found: progress.found, mapped: progress.mapped } });
  let remaining = 0;
  // NOTE: two chunk transactions in flight: the client prepares one while the server writes the
  // other (and MySQL can use a second core). SQLite's single connection serialises them.
  const writes = new InFlight(WRITES_IN_FLIGHT);

  for await (const step of fresh ? walkUnmappedCell(cellDb, chunk) : walkPartlyMappedCell(cellDb, api, chunk)) {
    // NOTE: without this, peak memory grew with the run's length: 113 MiB at 100k, 161 at 1M.
    run.heap.check();
    signal.throwIfAborted();
    const missing = step.missing;
    progress.scanned += step.scanned;
    progress.found += missing.length;
    // What is left to map is taken synchronously, so cells mapped in parallel never overspend it.
    const take = options.dryRun ? 0 : Math.min(missing.length, run.left);
    run.left -= take;
    remaining += missing.length - take;
    if (take === 0) {
      report();
      continue;
    }
    // NOTE: instance_mappings' only client-side default is created_at (newInstanceMappingRow); the
    // rows are built column by column here because this runs for every instance of a run.
    const createdAt = toDbTimestamp(now());
    const rows: InstanceMappingInsert[] = missing.slice(0, take).map((i) => ({
      created_at: createdAt,
      instance_uuid: i.uuid,
      cell_id: cell.id,
      project_id: i.project_id ?? '',
      user_id: i.user_id,
      queued_for_delete: toDbBoolean(options.rules.queuedForDeleteFromState && isQueuedForDelete(i)),
    }));
    // NOTE: rows go in key order, so concurrent runs take the unique index's locks in the same
    // order (fewer deadlocks); a chunk that still meets one is run again (it is idempotent).
    rows.sort((a, b) => compareText(a.instance_uuid, b.instance_uuid));
    const write = inTransaction(apiHandle, (tx) => insertInstanceMappingsIgnoringExisting(tx, apiHandle.adapter, rows), { retry: true }).then((n) => {
      progress.mapped += n;
      run.mapped.set(cell.uuid, progress.mapped);
      report();
    });
    await writes.add(write);
  }
  await writes.drain();
  return { found: progress.found, mapped: progress.mapped, remaining };
}
