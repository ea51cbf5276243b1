/**
 * Instances across cells, as Nova's API lists and shows them, with partial results marked: every
 * cell is read in parallel within its deadline, a cell that fails or times out is named and its
 * instances shown as UNKNOWN rows built from their mappings (as Nova's API does from 2.69), and
 * paging with a marker stays correct across cells (keyset per cell on the marker's position).
 */
import { findCellMappingById } from '../db/api/cell-mapping.repository';
import { findRequestSpec } from '../db/api/build-request.repository';
import { findBuildRequestForListing, listBuildRequestsForListing, listMappingsOfCell, type ListedBuildRequest } from '../db/api/instance-listing.repository';
import { findInstanceMapping } from '../db/api/instance-mapping.repository';
import { latestFaults } from '../db/cell/cell0-instances.repository';
import { findInstanceDetail, findListedInstance, listInstancePage, type InstancePageFilter, type ListedInstanceRow } from '../db/cell/instance-listing.repository';
import type { Cell } from '../domain/cell';
import { InstanceNotFoundError, InvalidValueError, MarkerNotFoundError } from '../domain/errors';
import {
  cellBatchSize,
  comparableTimestamp,
  comparePositions,
  DEFAULT_INSTANCE_SORT,
  mergeListing,
  novaStatus,
  positionOf,
  readPrimitive,
  sortListed,
  type InstanceSort,
  type ListedInstance,
  type SortPosition,
} from '../domain/instance-listing';
import { isFailed, type FailedOutcome } from '../domain/outcome';
import { scatterCells } from './cell-execution';
import { cellFromRow, cellRef, listCells, resolveCell } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';

/** How many cell databases are read at once: all of them in practice, so the slowest cell sets the time. */
export const INSTANCE_LIST_PARALLELISM = 32;

/** Nova's `[api] max_limit`: the page size when none is asked for. */
export const DEFAULT_INSTANCE_LIST_LIMIT = 1000;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Options of listInstances. */
export interface ListInstancesOptions {
  /** One cell (name or UUID); every cell, cell0 and the build requests included, when undefined. */
  cell?: string;
  project?: string;
  /** Only deleted and soft-deleted instances (Nova's `deleted=true`) instead of live ones. */
  deleted?: boolean;
  limit?: number;
  /** The UUID of the last instance of the previous page. */
  marker?: string;
  sort?: InstanceSort;
  /** Per-cell deadline in milliseconds. */
  cellTimeoutMs?: number;
  signal?: AbortSignal;
}

/** One page of a listing, and what it could not read. */
export interface InstanceListing {
  instances: ListedInstance[];
  /** The cells that failed or timed out: their instances are the UNKNOWN rows (first page only). */
  failedCells: Array<FailedOutcome<Cell>>;
  /** The marker of the next page, when there are more instances than the limit. */
  nextMarker?: string;
}

function checkUuid(label: string, value: string): string {
  if (!UUID.test(value)) throw new InvalidValueError(label, value, 'an instance UUID');
  return value.toLowerCase();
}

function fromCellRow(row: ListedInstanceRow, cell: Cell): ListedInstance & { id: number } {
  return {
    uuid: row.uuid,
    id: row.id,
    name: row.display_name,
    status: novaStatus(row.vm_state, row.task_state),
    vmState: row.vm_state,
    taskState: row.task_state,
    projectId: row.project_id,
    userId: row.user_id,
    host: row.host,
    cell: cellRef(cell),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    launchedAt: row.launched_at,
    terminatedAt: row.terminated_at,
    deleted: (row.deleted ?? 0) !== 0,
    source: 'cell',
  };
}

/** A build request as a listed instance: what its instance JSON says (Nova's BuildRequest.instance), BUILD. */
function fromBuildRequest(row: ListedBuildRequest): ListedInstance & { id: number } {
  const field = (name: string): string | null => {
    const value = readPrimitive(row.instance, [name]);
    return typeof value === 'string' ? value : null;
  };
  const vmState = field('vm_state') ?? 'building';
  const taskState = field('task_state');
  return {
    uuid: row.instance_uuid ?? '',
    id: row.id,
    name: field('display_name'),
    status: novaStatus(vmState, taskState),
    vmState,
    taskState,
    projectId: row.project_id,
    userId: field('user_id'),
    host: null,
    cell: null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    launchedAt: null,
    terminatedAt: null,
    deleted: false,
    source: 'build-request',
  };
}

/** Where a marker leaves the listing: after a build request (then the cells from their start), or after a position in the cells. */
type MarkerPlace = { kind: 'build-request'; uuid: string } | { kind: 'cell'; position: SortPosition };

/**
 * Finds an instance's row (deleted or not) where its mapping says, or, without a mapping that names
 * a cell (an instance never mapped, as Nova's burial without a mapping leaves one), in every cell;
 * each read within the cell deadline. Undefined when no cell has it; throws the error of a cell
 * that could not be read when the row was found nowhere else.
 */
async function findInCells(dbs: DatabaseContext, uuid: string, options: { cellTimeoutMs?: number; signal?: AbortSignal }): Promise<{ row: ListedInstanceRow; cell: Cell } | undefined> {
  const api = (await dbs.api()).db;
  const mapping = await findInstanceMapping(api, uuid);
  const mapped = mapping?.cell_id === null || mapping === undefined ? undefined : await findCellMappingById(api, mapping.cell_id);
  const cells = mapped ? [cellFromRow(mapped)] : await listCells(dbs);
  const outcomes = await scatterCells(dbs, cells, (cell) => dbs.withCell(cell, (handle) => findListedInstance(handle.db, uuid)), {
    concurrency: INSTANCE_LIST_PARALLELISM,
    timeoutMs: options.cellTimeoutMs,
    signal: options.signal,
  });
  for (const outcome of outcomes) if (outcome.status === 'ok' && outcome.value) return { row: outcome.value, cell: outcome.item };
  const failed = outcomes.find(isFailed);
  if (failed) throw failed.error;
  return undefined;
}

/** Finds where `marker` is: among the build requests, else its row in the cells (deleted or not). */
async function placeMarker(dbs: DatabaseContext, marker: string, sort: InstanceSort, withBuildRequests: boolean, options: ListInstancesOptions): Promise<MarkerPlace> {
  const api = (await dbs.api()).db;
  if (withBuildRequests && (await findBuildRequestForListing(api, marker))) return { kind: 'build-request', uuid: marker };
  const found = await findInCells(dbs, marker, options);
  if (!found) throw new MarkerNotFoundError(marker);
  const value = comparableTimestamp(found.row[sort.key]);
  return { kind: 'cell', position: { value, uuid: found.row.uuid, id: found.row.id } };
}

/** One cell's rows read so far, in the listing's order, and whether it has more. */
interface CellStream {
  cell: Cell;
  rows: ListedInstance[];
  done: boolean;
}

/**
 * Reads the cells' rows after `after` in batches (cellBatchSize), all cells at once and each read
 * within the cell deadline, until `want` rows are certain to be the first ones: a cell is read
 * again only while its last row comes before the `want`-th row read so far. Returns each readable
 * cell's rows (in order) and the cells that failed or timed out (their rows read so far dropped).
 */
async function readCellPages(
  dbs: DatabaseContext,
  cells: readonly Cell[],
  read: { sort: InstanceSort; filter: InstancePageFilter; after?: SortPosition; want: number; options: ListInstancesOptions },
): Promise<{ cellPages: ListedInstance[][]; failedCells: Array<FailedOutcome<Cell>> }> {
  const { sort, options } = read;
  const want = Math.max(read.want, 1);
  const batch = cellBatchSize(want, cells.length);
  const streams: CellStream[] = cells.map((cell) => ({ cell, rows: [], done: false }));
  const failedCells: Array<FailedOutcome<Cell>> = [];
  const last = (stream: CellStream): SortPosition | undefined => (stream.rows.length ? positionOf(stream.rows[stream.rows.length - 1]!, sort) : read.after);
  let pending = streams;
  while (pending.length > 0) {
    // NOTE: each read of a cell has the whole deadline: a round waits for its slowest cell, so a
    // budget shared across rounds would let a hanging cell in the first eat the others' second.
    const outcomes = await scatterCells(
      dbs,
      pending.map((s) => s.cell),
      (cell) => dbs.withCell(cell, (handle) => listInstancePage(handle.db, sort, read.filter, batch, last(pending.find((s) => s.cell === cell)!))),
      { concurrency: INSTANCE_LIST_PARALLELISM, timeoutMs: options.cellTimeoutMs, signal: options.signal },
    );
    for (const [i, outcome] of outcomes.entries()) {
      const stream = pending[i]!;
      if (outcome.status === 'ok') {
        stream.rows = sortListed([...stream.rows, ...outcome.value.map((row) => fromCellRow(row, stream.cell))], sort);
        stream.done = outcome.value.length < batch;
      } else {
        stream.done = true;
        stream.rows = [];
        if (isFailed(outcome)) failedCells.push(outcome);
      }
    }
    // The want-th distinct instance read so far: a cell whose last row comes after it has given all it must.
    const seen = new Set<string>();
    const distinct = sortListed(streams.flatMap((s) => s.rows), sort).filter((row) => !seen.has(row.uuid) && Boolean(seen.add(row.uuid)));
    const cut = distinct.length >= want ? positionOf(distinct[want - 1]!, sort) : undefined;
    pending = streams.filter((s) => !s.done && (cut === undefined || comparePositions(last(s)!, cut, sort.direction) < 0));
  }
  return { cellPages: streams.filter((s) => s.rows.length > 0).map((s) => s.rows), failedCells };
}

/**
 * One page of instances, as Nova's API lists them: build requests first (when every cell is listed,
 * for live instances), then the cells' rows merged in the order of the sort (key, then uuid),
 * duplicates by uuid removed (the first copy wins), hidden rows never, deleted ones only when asked
 * (and then only they). A cell that fails or times out is returned in `failedCells`; on the first
 * page its mappings become UNKNOWN rows, prepended. Reads only.
 */
export async function listInstances(dbs: DatabaseContext, options: ListInstancesOptions = {}): Promise<InstanceListing> {
  const sort = options.sort ?? DEFAULT_INSTANCE_SORT;
  const limit = options.limit ?? DEFAULT_INSTANCE_LIST_LIMIT;
  const deleted = options.deleted ?? false;
  const marker = options.marker === undefined ? undefined : checkUuid('marker', options.marker);
  const api = (await dbs.api()).db;
  const cells = options.cell === undefined ? await listCells(dbs) : [await resolveCell(dbs, options.cell)];
  const withBuildRequests = options.cell === undefined && !deleted;
  const place = marker === undefined ? undefined : await placeMarker(dbs, marker, sort, withBuildRequests, options);

  let buildRequests: ListedInstance[] = [];
  if (withBuildRequests && place?.kind !== 'cell') {
    const rows = (await listBuildRequestsForListing(api, options.project)).map(fromBuildRequest);
    rows.sort((a, b) => comparePositions(positionOf(a, sort), positionOf(b, sort), sort.direction));
    const at = place?.kind === 'build-request' ? rows.findIndex((r) => r.uuid === place.uuid) : -1;
    // A build request of another project is no marker of this listing (Nova: MarkerNotFound).
    if (place?.kind === 'build-request' && at < 0) throw new MarkerNotFoundError(place.uuid);
    buildRequests = rows.slice(at + 1);
  }

  const after = place?.kind === 'cell' ? place.position : undefined;
  const { cellPages, failedCells } = await readCellPages(dbs, cells, { sort, filter: { project: options.project, deleted }, after, want: limit + 1 - buildRequests.length, options });

  const unknown: ListedInstance[] = [];
  if (marker === undefined) {
    for (const failed of failedCells) {
      const mappings = await listMappingsOfCell(api, failed.item.id, { project: options.project, queuedForDelete: deleted, limit });
      unknown.push(...mappings.map((m): ListedInstance => ({ ...unknownRow(m, failed.item), deleted })));
    }
  }
  const merged = mergeListing({ buildRequests, cellPages, unknown }, sort, limit + 1);
  const more = merged.filter((row) => row.source !== 'unknown').length > limit;
  const page = more ? merged.slice(0, -1) : merged;
  return { instances: page, failedCells, nextMarker: more ? page[page.length - 1]!.uuid : undefined };
}

/** An instance of a cell that could not be read, as Nova's API shows it: uuid, project, created (from its mapping), status UNKNOWN. */
function unknownRow(mapping: { instance_uuid: string; project_id: string; user_id: string | null; created_at: string | null }, cell: Cell): ListedInstance {
  return {
    uuid: mapping.instance_uuid,
    id: null,
    name: null,
    status: 'UNKNOWN',
    vmState: null,
    taskState: null,
    projectId: mapping.project_id,
    userId: mapping.user_id,
    host: null,
    cell: cellRef(cell),
    createdAt: mapping.created_at,
    updatedAt: null,
    launchedAt: null,
    terminatedAt: null,
    deleted: false,
    source: 'unknown',
  };
}

/** One instance as `instance show` prints it. */
export interface InstanceView extends ListedInstance {
  node: string | null;
  availabilityZone: string | null;
  flavor: string | null;
  image: string | null;
  powerState: number | null;
  queuedForDelete: boolean | null;
  faultCode: number | null;
  fault: string | null;
}

/** What showInstance found: the instance, and the error of its cell when it could not be read. */
export interface InstanceShowResult {
  instance: InstanceView;
  /** The cell failed or timed out: the view is built from the mapping and request spec (status UNKNOWN). */
  cellFailure?: FailedOutcome<Cell>;
}

/** An instance's row in its cell with its latest fault, read within the cell deadline: the outcome, its value undefined when the cell has no such row. */
async function readDetail(dbs: DatabaseContext, cell: Cell, uuid: string, options: { cellTimeoutMs?: number; signal?: AbortSignal }) {
  const [outcome] = await scatterCells(
    dbs,
    [cell],
    (target) =>
      dbs.withCell(target, async (handle) => {
        const row = await findInstanceDetail(handle.db, uuid);
        return row ? { row, fault: (await latestFaults(handle.db, [uuid])).get(uuid) } : undefined;
      }),
    { concurrency: 1, timeoutMs: options.cellTimeoutMs, signal: options.signal },
  );
  return outcome!;
}

/**
 * One instance wherever it is: its mapping, then its cell's row (with its latest fault, in cell0
 * the reason of its burial); its build request while it has no row in a cell; for an instance
 * never mapped, its row in whichever cell has it; when its cell cannot be read, what the mapping
 * and request spec say (as Nova's API from 2.69), with the cell's failure. Throws
 * InstanceNotFoundError when nothing knows it, its row was archived or its cell is unmapped. Reads only.
 */
export async function showInstance(dbs: DatabaseContext, uuidInput: string, options: { cellTimeoutMs?: number; signal?: AbortSignal } = {}): Promise<InstanceShowResult> {
  const uuid = checkUuid('instance', uuidInput);
  const api = (await dbs.api()).db;
  const request = await findBuildRequestForListing(api, uuid);
  let mapping = await findInstanceMapping(api, uuid);
  const queued = (): boolean | null => (!mapping || mapping.queued_for_delete === null ? null : mapping.queued_for_delete === 1);
  const fromRequest = async (found: ListedBuildRequest): Promise<InstanceShowResult> => ({
    instance: { ...fromBuildRequest(found), ...noDetails(), queuedForDelete: queued(), ...fromSpec(await findRequestSpec(api, uuid)) },
  });
  let cell: Cell;
  if (!mapping || mapping.cell_id === null) {
    if (request) return fromRequest(request);
    // Nova reads the mapping once more: the conductor may have placed it meanwhile.
    mapping = await findInstanceMapping(api, uuid);
    if (mapping?.cell_id === null) throw new InstanceNotFoundError(uuid, 'unknown');
  }
  if (mapping) {
    const cellRow = await findCellMappingById(api, mapping.cell_id!);
    if (!cellRow) throw new InstanceNotFoundError(uuid, 'cell-gone');
    cell = cellFromRow(cellRow);
  } else {
    // Never mapped (Nova's burial without a mapping leaves such an instance): whichever cell has it.
    const found = await findInCells(dbs, uuid, options);
    if (!found) throw new InstanceNotFoundError(uuid, 'unknown');
    cell = found.cell;
  }
  const outcome = await readDetail(dbs, cell, uuid, options);
  if (isFailed(outcome)) {
    const base = mapping ? unknownRow(mapping, cell) : unknownRow({ instance_uuid: uuid, project_id: '', user_id: null, created_at: null }, cell);
    return { instance: { ...base, ...noDetails(), queuedForDelete: queued(), ...fromSpec(await findRequestSpec(api, uuid)) }, cellFailure: outcome };
  }
  const found = outcome.status === 'ok' ? outcome.value : undefined;
  if (!found) {
    // A burial cut short leaves the mapping on cell0 and the build request: the instance is still that.
    if (request) return fromRequest(request);
    throw new InstanceNotFoundError(uuid, 'archived', cellRef(cell));
  }
  const { row, fault } = found;
  return {
    instance: {
      ...fromCellRow(row, cell),
      node: row.node,
      availabilityZone: row.availability_zone,
      flavor: flavorName(readPrimitive(row.flavor, ['cur'])),
      image: row.image_ref,
      powerState: row.power_state,
      queuedForDelete: queued(),
      faultCode: fault?.code ?? null,
      fault: fault?.message ?? null,
    },
  };
}

function noDetails(): Omit<InstanceView, keyof ListedInstance | 'queuedForDelete'> {
  return { node: null, availabilityZone: null, flavor: null, image: null, powerState: null, faultCode: null, fault: null };
}

/** The flavor name of a Flavor primitive, if it is one. */
function flavorName(flavor: unknown): string | null {
  const name = readPrimitive(flavor, ['name']);
  return typeof name === 'string' ? name : null;
}

/** What a request spec says of the flavor, image and zone (Nova's API shows these for an instance it cannot read). */
function fromSpec(spec: string | null): Pick<InstanceView, 'flavor' | 'image' | 'availabilityZone'> {
  const image = readPrimitive(readPrimitive(spec, ['image']), ['id']);
  const zone = readPrimitive(spec, ['availability_zone']);
  return { flavor: flavorName(readPrimitive(spec, ['flavor'])), image: typeof image === 'string' ? image : null, availabilityZone: typeof zone === 'string' ? zone : null };
}
