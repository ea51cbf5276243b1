import {
  deleteHostMapping,
  findHostMapping,
  findHostMappings,
  insertHostMappingsIgnoringExisting,
  listHostMappings,
} from '../db/api/host-mapping.repository';
import { countLiveComputeNodesOnHost, listUnmappedComputeNodes, markComputeNodesMapped, resetComputeNodesMapped } from '../db/cell/compute-node.repository';
import { countLiveInstancesOnHost } from '../db/cell/instance.repository';
import { listComputeServiceHosts } from '../db/cell/service.repository';
import { toDbTimestamp } from '../db/dialect';
import { type Cell, isCell0 } from '../domain/cell';
import { Cell0HasNoHostsError, HostHasInstancesError, HostInOtherCellError, HostNotMappedError, InvalidValueError } from '../domain/errors';
import { scatterCells, type CellOutcome } from './cell-execution';
import { cellRef, compareText, listCells, resolveCell } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';
import type { Rules } from './rules';
import type { RunEvent, RunEventSink } from './run-events';

/** How many cell databases host discovery scans at once. */
export const HOST_DISCOVERY_PARALLELISM = 4;

/** The pause between two discovery rounds while waiting for hosts, unless the caller chooses. */
export const DEFAULT_HOST_WAIT_INTERVAL_MS = 1000;

// NOTE: bounds the IN (...) lists sent in one statement (SQLite's variable limit, packet sizes).
const CHUNK = 500;

/** A cell as host results name it (the cell of a mapping may be unknown to an older listing). */
export interface HostCellRef {
  uuid: string | null;
  name: string | null;
}

/** A host this run mapped (or, in a dry run, would map) to a cell. */
export interface MappedHost {
  host: string;
  cell: Cell;
}

/** A host found in one cell while its host mapping names another: left as it is. */
export interface HostConflict {
  host: string;
  /** The cell being scanned, where the host was found. */
  cell: Cell;
  /** The cell the existing host mapping points at. */
  mappedTo: HostCellRef;
}

/** Options of discoverHosts. */
export interface DiscoverHostsOptions {
  /** Scan only this cell (name or UUID); by default every cell but cell0, disabled ones included. */
  cell?: string;
  /** Map the hosts of live `nova-compute` services instead of unmapped compute nodes. */
  byService?: boolean;
  /** Report what would be mapped and write nothing. */
  dryRun?: boolean;
  /** The clock (host mappings' created_at; waiting deadlines). */
  now?: () => Date;
  onEvent?: RunEventSink;
  /** The front's rules (refuseHostDiscoveryInCell0, markNodesOfMappedHosts). */
  rules: Rules;
}

/** The outcome of one discovery pass over the cells. */
export interface DiscoverHostsResult {
  dryRun: boolean;
  /** The cells scanned (or tried), in id order. */
  cells: Cell[];
  /** The hosts this run mapped (in a dry run: would map), sorted by host name. */
  mapped: MappedHost[];
  /** Hosts found in a cell but mapped to another one (not changed). */
  conflicts: HostConflict[];
  /** One outcome per cell scanned (or tried), in id order: `failed`/`timed-out` cells were not scanned. */
  outcomes: Array<CellOutcome<CellScanSummary>>;
  /** Compute nodes marked `mapped = 1` (in a dry run: that would be). */
  computeNodesMarked: number;
}

/** What one cell's scan did. */
export interface CellScanSummary {
  /** Hosts this run mapped to the cell (in a dry run: would map). */
  mapped: number;
  computeNodesMarked: number;
}

interface CellScan {
  cell: Cell;
  mapped: string[];
  conflicts: HostConflict[];
  computeNodesMarked: number;
}

/**
 * Maps the hosts of the cells' unmapped compute nodes (or, with `byService`, of their
 * `nova-compute` services) that have no host mapping yet, and marks the compute nodes of hosts
 * mapped to their own cell as mapped. Cells are scanned a few at a time; a cell that fails or
 * times out is its outcome and the others go on. Safe in parallel with other runs (and Nova's):
 * host mappings are inserted with insert-ignore, one host at a time, so a host a concurrent run
 * mapped first is neither an error nor reported here. Idempotent. Throws the lookup errors of
 * resolveCell, and Cell0HasNoHostsError for cell0 (it never has hosts).
 */
export async function discoverHosts(dbs: DatabaseContext, options: DiscoverHostsOptions): Promise<DiscoverHostsResult> {
  const allCells = await listCells(dbs);
  let cells: Cell[];
  if (options.cell !== undefined) {
    const cell = await resolveCell(dbs, options.cell);
    if (isCell0(cell) && options.rules.refuseHostDiscoveryInCell0) throw new Cell0HasNoHostsError(cellRef(cell));
    cells = isCell0(cell) ? [] : [cell];
  } else {
    cells = allCells.filter((c) => !isCell0(c));
  }
  const cellsById = new Map(allCells.map((c) => [c.id, c]));
  const now = options.now ?? (() => new Date());
  // Each cell's hosts as their mappings commit, so that a cell failing afterwards still reports them.
  const written = new Map<number, string[]>();
  const outcomes = await scatterCells(
    dbs,
    cells,
    async (cell) => {
      const mapped: string[] = [];
      written.set(cell.id, mapped);
      const scan = await scanCell(dbs, cell, cellsById, mapped, { byService: !!options.byService, dryRun: !!options.dryRun, now, markMappedHosts: options.rules.markNodesOfMappedHosts });
      for (const c of scan.conflicts) {
        options.onEvent?.({ type: 'notice', notice: { kind: 'host-in-other-cell', host: c.host, cell: cellRef(c.cell), mappedTo: c.mappedTo, byService: !!options.byService } });
      }
      return scan;
    },
    { concurrency: HOST_DISCOVERY_PARALLELISM, onEvent: options.onEvent },
  );
  return mergeScans(cells, outcomes, written, !!options.dryRun);
}

async function scanCell(
  dbs: DatabaseContext,
  cell: Cell,
  cellsById: Map<number, Cell>,
  mapped: string[],
  options: { byService: boolean; dryRun: boolean; now: () => Date; markMappedHosts: boolean },
): Promise<CellScan> {
  const { db: cellDb } = await dbs.cellDatabase(cell);
  // Host name -> ids of its unmapped compute nodes (none with --by-service: `mapped` is left alone).
  const candidates = new Map<string, number[]>();
  if (options.byService) {
    for (const host of await listComputeServiceHosts(cellDb)) if (host) candidates.set(host, []);
  } else {
    for (const node of await listUnmappedComputeNodes(cellDb)) {
      // NOTE: a node without a host name cannot be mapped (host_mappings.host is NOT NULL).
      if (!node.host) continue;
      candidates.set(node.host, [...(candidates.get(node.host) ?? []), node.id]);
    }
  }
  const { db: api } = await dbs.api();
  const hosts = [...candidates.keys()].sort(compareText);
  const existing = new Map<string, number>();
  for (let i = 0; i < hosts.length; i += CHUNK) {
    for (const row of await findHostMappings(api, hosts.slice(i, i + CHUNK))) existing.set(row.host, row.cell_id);
  }

  const ownHosts: string[] = [];
  const conflicts: HostConflict[] = [];
  const createdAt = toDbTimestamp(options.now());
  for (const host of hosts) {
    let cellId = existing.get(host);
    if (cellId === undefined) {
      if (options.dryRun) {
        mapped.push(host);
        ownHosts.push(host);
        continue;
      }
      // NOTE: one host per insert, so the row count says whether THIS run mapped it; a
      // concurrent run that got there first makes it a no-op, never Nova's duplicate error.
      if ((await insertHostMappingsIgnoringExisting(api, cell.id, [host], createdAt)) > 0) {
        mapped.push(host);
        ownHosts.push(host);
        continue;
      }
      cellId = (await findHostMapping(api, host))?.cell_id;
      // Mapped and unmapped again by others in between: the next run will see it.
      if (cellId === undefined) continue;
    }
    if (cellId === cell.id) {
      if (options.markMappedHosts) ownHosts.push(host);
    }
    else {
      const other = cellsById.get(cellId);
      conflicts.push({ host, cell, mappedTo: other ? cellRef(other) : { uuid: null, name: `cell id ${cellId}` } });
    }
  }

  // NOTE: unlike Nova, nodes whose host was already mapped to this cell are marked too (Nova's
  // simple_cell_setup maps hosts without marking their nodes, which then stay at 0 forever).
  const nodeIds = ownHosts.flatMap((h) => candidates.get(h) ?? []);
  if (!options.dryRun) {
    for (let i = 0; i < nodeIds.length; i += CHUNK) await markComputeNodesMapped(cellDb, nodeIds.slice(i, i + CHUNK));
  }
  return { cell, mapped, conflicts, computeNodesMarked: nodeIds.length };
}

/**
 * Gathers the cells' scans. `written` holds every cell's hosts as their mappings committed: a
 * cell that failed after mapping some (marking its compute nodes, say) still reports those.
 */
function mergeScans(cells: Cell[], outcomes: Array<CellOutcome<CellScan>>, written: Map<number, string[]>, dryRun: boolean): DiscoverHostsResult {
  const scans = outcomes.flatMap((o) => (o.status === 'ok' ? [o.value] : []));
  const mapped: MappedHost[] = [];
  const conflicts: HostConflict[] = [];
  const claimed = new Map<string, Cell>();
  for (const scan of scans) conflicts.push(...scan.conflicts);
  // NOTE: a dry run writes nothing, so a failed cell has nothing to report.
  const reported = dryRun ? scans.map((s) => ({ cell: s.cell, hosts: s.mapped })) : outcomes.map((o) => ({ cell: o.item, hosts: written.get(o.item.id) ?? [] }));
  for (const scan of reported) {
    for (const host of scan.hosts) {
      const first = claimed.get(host);
      // NOTE: only a dry run can claim one host in two cells (a real run's insert-ignore lets
      // one cell win); report it as the conflict the real run would meet.
      if (first) conflicts.push({ host, cell: scan.cell, mappedTo: cellRef(first) });
      else {
        claimed.set(host, scan.cell);
        mapped.push({ host, cell: scan.cell });
      }
    }
  }
  mapped.sort((a, b) => compareText(a.host, b.host) || a.cell.id - b.cell.id);
  return {
    dryRun,
    cells,
    mapped,
    conflicts,
    outcomes: outcomes.map((o) =>
      o.status === 'ok' ? { ...o, value: { mapped: o.value.mapped.length, computeNodesMarked: o.value.computeNodesMarked } } : o,
    ),
    computeNodesMarked: scans.reduce((n, s) => n + s.computeNodesMarked, 0),
  };
}

/** Options of waitForHosts: discovery's, plus the hosts to wait for and for how long. */
export interface WaitForHostsOptions extends Omit<DiscoverHostsOptions, 'dryRun'> {
  /** Host names that must all be mapped (to any cell). */
  hosts: string[];
  /** How long to keep trying, in milliseconds (0: one round). */
  timeoutMs: number;
  /** The pause between rounds (default DEFAULT_HOST_WAIT_INTERVAL_MS). */
  intervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The outcome of waiting: every round's discoveries, and the hosts still unmapped at the end. */
export interface WaitForHostsResult extends DiscoverHostsResult {
  /** The waited-for hosts still without a host mapping (empty: all are mapped). */
  missing: string[];
  rounds: number;
}

/**
 * Runs discoverHosts in rounds until every host of `hosts` has a host mapping (made by this run
 * or anyone else) or `timeoutMs` has passed. `mapped` and `conflicts` gather all rounds (each
 * conflict notice is reported through `onEvent` once); `outcomes` are the last round's, so a
 * cell that failed and recovered does not count. Throws like discoverHosts, and
 * InvalidValueError for an empty host list or a negative timeout.
 */
export async function waitForHosts(dbs: DatabaseContext, options: WaitForHostsOptions): Promise<WaitForHostsResult> {
  const wanted = [...new Set(options.hosts.map((h) => h.trim()).filter((h) => h.length > 0))];
  if (wanted.length === 0) throw new InvalidValueError('hosts', '', 'a list of host names');
  if (!(options.timeoutMs >= 0)) throw new InvalidValueError('timeoutMs', String(options.timeoutMs), 'a timeout of 0 or more milliseconds');
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const interval = options.intervalMs ?? DEFAULT_HOST_WAIT_INTERVAL_MS;
  const start = now().getTime();
  const reported = new Set<string>();
  const onEvent = (event: RunEvent): void => {
    const key =
      event.type === 'notice' && event.notice.kind === 'host-in-other-cell'
        ? `conflict|${event.notice.host}|${event.notice.cell.uuid}|${event.notice.mappedTo.uuid}`
        : event.type === 'cell-finished' && event.outcome.error
          ? `failed|${event.cell.id}|${event.outcome.error.message}`
          : undefined;
    if (key !== undefined) {
      if (reported.has(key)) return;
      reported.add(key);
    }
    options.onEvent?.(event);
  };

  const mapped: MappedHost[] = [];
  const conflicts = new Map<string, HostConflict>();
  let computeNodesMarked = 0;
  for (let round = 1; ; round++) {
    const pass = await discoverHosts(dbs, { ...options, dryRun: false, now, onEvent });
    mapped.push(...pass.mapped);
    computeNodesMarked += pass.computeNodesMarked;
    for (const c of pass.conflicts) conflicts.set(`${c.host}|${c.cell.id}`, c);
    const { db: api } = await dbs.api();
    const found = new Set((await findHostMappings(api, wanted)).map((r) => r.host));
    const missing = wanted.filter((h) => !found.has(h));
    const elapsedMs = now().getTime() - start;
    if (missing.length === 0 || elapsedMs >= options.timeoutMs) {
      mapped.sort((a, b) => compareText(a.host, b.host) || a.cell.id - b.cell.id);
      return { ...pass, mapped, conflicts: [...conflicts.values()], computeNodesMarked, missing, rounds: round };
    }
    onEvent({ type: 'notice', notice: { kind: 'waiting-for-hosts', missing, round, elapsedMs, timeoutMs: options.timeoutMs } });
    await sleep(Math.min(interval, options.timeoutMs - elapsedMs));
  }
}

/** A host mapping as `host list` shows it. */
export interface HostEntry {
  host: string;
  cell: HostCellRef & { uuid: string };
}

/**
 * Every host mapping, or one cell's, sorted by host name (compared as Nova's Python does, the
 * same on both dialects). Throws the lookup errors of resolveCell.
 */
export async function listHosts(dbs: DatabaseContext, options: { cell?: string } = {}): Promise<HostEntry[]> {
  const cell = options.cell !== undefined ? await resolveCell(dbs, options.cell) : undefined;
  const { db } = await dbs.api();
  const rows = await listHostMappings(db, cell?.id);
  return rows
    .map((r) => ({ host: r.host, cell: { uuid: r.cellUuid, name: r.cellName } }))
    .sort((a, b) => compareText(a.host, b.host));
}

/** Options of deleteHost. */
export interface DeleteHostOptions {
  /** The cell (name or UUID) the host must be mapped to. */
  cell: string;
  host: string;
  dryRun?: boolean;
}

/** The outcome of deleteHost. */
export interface DeleteHostResult {
  host: string;
  cell: Cell;
  /** The host's live compute nodes marked unmapped (in a dry run: that would be). */
  computeNodes: number;
  dryRun: boolean;
}

/**
 * Removes a host from its cell: marks its live compute nodes unmapped (`mapped = 0`, so a later
 * discovery maps it again) and deletes its host mapping, in that order, so that a run stopped
 * in between is completed by running it again. Throws HostNotMappedError, HostInOtherCellError
 * (naming that cell) or HostHasInstancesError before writing anything, and resolveCell's errors.
 */
export async function deleteHost(dbs: DatabaseContext, options: DeleteHostOptions): Promise<DeleteHostResult> {
  const cell = await resolveCell(dbs, options.cell);
  const { db: api } = await dbs.api();
  const mapping = await findHostMapping(api, options.host);
  if (!mapping) throw new HostNotMappedError(options.host);
  if (mapping.cell_id !== cell.id) {
    const other = (await listCells(dbs)).find((c) => c.id === mapping.cell_id);
    throw new HostInOtherCellError(options.host, cellRef(cell), other ? cellRef(other) : { uuid: `cell id ${mapping.cell_id}`, name: null });
  }
  const { db: cellDb } = await dbs.cellDatabase(cell);
  const instances = await countLiveInstancesOnHost(cellDb, options.host);
  if (instances > 0) throw new HostHasInstancesError(options.host, cellRef(cell), instances);
  const computeNodes = await countLiveComputeNodesOnHost(cellDb, options.host);
  if (!options.dryRun) {
    await resetComputeNodesMapped(cellDb, [options.host]);
    await deleteHostMapping(api, options.host);
  }
  return { host: options.host, cell, computeNodes, dryRun: !!options.dryRun };
}

