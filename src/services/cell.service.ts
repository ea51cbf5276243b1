import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApiDatabase, CellMappingsUpdate } from '../db/api/api-tables.generated';
import { deleteCellMapping, insertCellMapping, listCellMappings, updateCellMapping } from '../db/api/cell-mapping.repository';
import { countHostMappingsByCell, deleteHostMappingsByCell } from '../db/api/host-mapping.repository';
import { countInstanceMappingsByCell, deleteInstanceMappingsByCell } from '../db/api/instance-mapping.repository';
import { resetComputeNodesMapped } from '../db/cell/compute-node.repository';
import { countLiveInstances } from '../db/cell/instance.repository';
import { withDatabaseLock } from '../db/database-lock';
import { lockingRead, toDbBoolean, toDbTimestamp } from '../db/dialect';
import { type Cell, describeCell, isCell0 } from '../domain/cell';
import {
  AmbiguousCellError,
  Cell0ToggleError,
  CellInUseError,
  ConflictingOptionsError,
  DuplicateCellError,
  InvalidTransportUrlError,
  MissingCellUrlError,
} from '../domain/errors';
import { transportUrlProblem } from '../domain/transport-url';
import { maskUrl } from '../domain/url-masking';
import { renderTemplateUrl } from '../domain/url-template';
import { cellFromRow, findCell } from './cell-lookup.service';
import type { DatabaseContext } from './database-context.service';

/** The lock every check-then-write of cell mappings holds (withDatabaseLock). */
export const CELLS_LOCK = 'cells';
/** How long a cell command waits for CELLS_LOCK. */
export const CELLS_LOCK_TIMEOUT_SECONDS = 60;

/** The configuration values a cell command falls back to: `[database] connection`, `[DEFAULT] transport_url`. */
export interface CellDefaults {
  databaseConnection?: string;
  transportUrl?: string;
}

/** One field a write changed (values as stored: possibly templates, possibly with passwords). */
export interface CellChange {
  field: 'name' | 'database_connection' | 'transport_url' | 'disabled';
  before: string | boolean | null;
  after: string | boolean | null;
}

/** The outcome of a cell write: the cell as it is (or would be, with dryRun), what changed, notices. */
export interface CellWriteResult {
  cell: Cell;
  action: 'created' | 'updated' | 'unchanged';
  changes: CellChange[];
  /** Human notices for stderr (URLs taken from the configuration). */
  notices: string[];
  dryRun: boolean;
}

interface UrlRenderers {
  database: (url: string) => string;
  transport: (url: string) => string;
}

function renderers(dbs: DatabaseContext, defaults: CellDefaults): UrlRenderers {
  return {
    database: (url) => dbs.renderDatabaseUrl(url),
    transport: (url) => renderTemplateUrl(url, defaults.transportUrl),
  };
}

function checkTransportUrl(url: string, render: UrlRenderers): void {
  const problem = transportUrlProblem(render.transport(url));
  if (problem) throw new InvalidTransportUrlError(`invalid transport URL ${maskUrl(url)}: ${problem}`);
}

/**
 * Refuses a transport URL oslo.messaging would refuse, after rendering it against the local
 * `[DEFAULT] transport_url` as Nova does. Throws InvalidTransportUrlError.
 */
export function validateTransportUrl(dbs: DatabaseContext, url: string, defaults: CellDefaults): void {
  checkTransportUrl(url, renderers(dbs, defaults));
}

/**
 * The message naming the cell a candidate collides with (same name, or same rendered database
 * or transport URL; cell0 included), or undefined. Used by every command that writes cells.
 */
export function findCellConflict(
  dbs: DatabaseContext,
  defaults: CellDefaults,
  cells: Cell[],
  candidate: { name?: string | null; databaseConnection?: string; transportUrl?: string },
): string | undefined {
  return findConflict(cells, candidate, renderers(dbs, defaults));
}

/**
 * The other cell a candidate collides with: same name, or same database connection or transport
 * URL once both sides are rendered (so a template and its rendering are the same URL; Nova
 * compares the rendered stored value with the raw new one). Cell0 is compared like any cell.
 */
function findConflict(
  cells: Cell[],
  candidate: { name?: string | null; databaseConnection?: string; transportUrl?: string },
  render: UrlRenderers,
  excludeId?: number,
): string | undefined {
  for (const other of cells) {
    if (other.id === excludeId) continue;
    const clash =
      candidate.name && other.name === candidate.name
        ? `a cell named '${candidate.name}'`
        : candidate.databaseConnection && other.databaseConnection &&
            render.database(other.databaseConnection) === render.database(candidate.databaseConnection)
          ? `the database connection ${maskUrl(candidate.databaseConnection)}`
          : candidate.transportUrl && other.transportUrl &&
              render.transport(other.transportUrl) === render.transport(candidate.transportUrl)
            ? `the transport URL ${maskUrl(candidate.transportUrl)}`
            : undefined;
    if (clash) return `${clash} already exists for another cell with uuid ${other.uuid} (${describeCell(other)})`;
  }
  return undefined;
}

function fallback(given: string | undefined, configured: string | undefined, flag: string, setting: string, notices: string[]): string | undefined {
  if (given !== undefined) return given;
  if (configured) notices.push(`${flag} not given: using ${setting} from the configuration (${maskUrl(configured)})`);
  return configured || undefined;
}

/** The new cell's URLs: given, else the configuration's (with a notice); throws when there are none. */
function urlsForNewCell(
  input: { databaseConnection?: string; transportUrl?: string },
  defaults: CellDefaults,
  notices: string[],
): { databaseConnection: string; transportUrl: string } {
  const databaseConnection = fallback(input.databaseConnection, defaults.databaseConnection, '--database-connection', '[database] connection', notices);
  if (!databaseConnection) {
    throw new MissingCellUrlError('no database URL for the cell: pass --database-connection or set [database] connection');
  }
  const transportUrl = fallback(input.transportUrl, defaults.transportUrl, '--transport-url', '[DEFAULT] transport_url', notices);
  if (!transportUrl) {
    throw new MissingCellUrlError('no transport URL for the cell: pass --transport-url or set [DEFAULT] transport_url');
  }
  return { databaseConnection, transportUrl };
}

/** Input of createCell. */
export interface CreateCellInput {
  name: string;
  databaseConnection?: string;
  transportUrl?: string;
  disabled?: boolean;
  dryRun?: boolean;
}

async function insertNewCell(
  db: Kysely<ApiDatabase>,
  cells: Cell[],
  input: CreateCellInput,
  urls: { databaseConnection: string; transportUrl: string },
  render: UrlRenderers,
  now: Date,
): Promise<Cell> {
  const conflict = findConflict(cells, { name: input.name, ...urls }, render);
  if (conflict) throw new DuplicateCellError(conflict);
  const cell: Cell = { id: 0, uuid: randomUUID(), name: input.name, ...urls, disabled: Boolean(input.disabled) };
  if (!input.dryRun) {
    cell.id = await insertCellMapping(db, {
      uuid: cell.uuid,
      name: cell.name,
      transport_url: cell.transportUrl,
      database_connection: cell.databaseConnection,
      disabled: toDbBoolean(cell.disabled),
      created_at: toDbTimestamp(now),
    });
  }
  return cell;
}

/**
 * Maps a new cell. URLs not given come from the configuration (with a notice). Throws
 * MissingCellUrlError or InvalidTransportUrlError (Nova's exit 1), InvalidUrlError for a
 * database URL that does not parse, DuplicateCellError when another cell (cell0 included) has
 * the name or the rendered database or transport URL. Checked and written under a lock.
 */
export async function createCell(dbs: DatabaseContext, input: CreateCellInput, defaults: CellDefaults, now = new Date()): Promise<CellWriteResult> {
  const render = renderers(dbs, defaults);
  const notices: string[] = [];
  const urls = urlsForNewCell(input, defaults, notices);
  checkTransportUrl(urls.transportUrl, render);
  dbs.checkUrl('cell', urls.databaseConnection);
  const api = await dbs.api();
  return withDatabaseLock(api, CELLS_LOCK, CELLS_LOCK_TIMEOUT_SECONDS, async (db) => {
    const cells = (await listCellMappings(db)).map(cellFromRow);
    const cell = await insertNewCell(db, cells, input, urls, render, now);
    return { cell, action: 'created', changes: [], notices, dryRun: Boolean(input.dryRun) };
  });
}

/** Input of ensureCell: an omitted value means "keep what is stored" (on creation: the configuration's). */
export interface EnsureCellInput {
  name: string;
  databaseConnection?: string;
  transportUrl?: string;
  disabled?: boolean;
  dryRun?: boolean;
}

/**
 * Idempotent create-or-update keyed by name: creates the cell when no cell has the name,
 * otherwise changes the given values that differ (URLs compared rendered, so a template and its
 * rendering are equal and never cause endless updates), else nothing. Throws like createCell,
 * AmbiguousCellError when several cells share the name, Cell0ToggleError for cell0's state.
 */
export async function ensureCell(dbs: DatabaseContext, input: EnsureCellInput, defaults: CellDefaults, now = new Date()): Promise<CellWriteResult> {
  const render = renderers(dbs, defaults);
  if (input.transportUrl !== undefined) checkTransportUrl(input.transportUrl, render);
  if (input.databaseConnection !== undefined) dbs.checkUrl('cell', input.databaseConnection);
  const api = await dbs.api();
  return withDatabaseLock(api, CELLS_LOCK, CELLS_LOCK_TIMEOUT_SECONDS, async (db) => {
    const cells = (await listCellMappings(db)).map(cellFromRow);
    const named = cells.filter((c) => c.name === input.name);
    if (named.length > 1) {
      throw new AmbiguousCellError(`cell name '${input.name}' matches ${named.length} cells: ${named.map(describeCell).join(', ')}; fix the duplicates first`);
    }
    const notices: string[] = [];
    if (named.length === 0) {
      const urls = urlsForNewCell(input, defaults, notices);
      checkTransportUrl(urls.transportUrl, render);
      dbs.checkUrl('cell', urls.databaseConnection);
      const cell = await insertNewCell(db, cells, input, urls, render, now);
      return { cell, action: 'created', changes: [], notices, dryRun: Boolean(input.dryRun) };
    }
    return applyChanges(db, cells, named[0], { ...input, name: undefined }, render, now, input.dryRun);
  });
}

/** Input of updateCell: only what is given changes (unlike Nova, an omitted URL keeps its value). */
export interface UpdateCellInput {
  name?: string;
  databaseConnection?: string;
  transportUrl?: string;
  enable?: boolean;
  disable?: boolean;
  dryRun?: boolean;
}

/**
 * Changes the given fields of one cell (by name or UUID). Throws ConflictingOptionsError for
 * --enable with --disable, the lookup errors of findCell, Cell0ToggleError for cell0's state,
 * InvalidTransportUrlError, DuplicateCellError when the new name or URLs belong to another cell.
 */
export async function updateCell(dbs: DatabaseContext, ref: string, input: UpdateCellInput, defaults: CellDefaults, now = new Date()): Promise<CellWriteResult> {
  if (input.enable && input.disable) throw new ConflictingOptionsError('--enable and --disable cannot be combined');
  const render = renderers(dbs, defaults);
  if (input.transportUrl !== undefined) checkTransportUrl(input.transportUrl, render);
  if (input.databaseConnection !== undefined) dbs.checkUrl('cell', input.databaseConnection);
  const api = await dbs.api();
  return withDatabaseLock(api, CELLS_LOCK, CELLS_LOCK_TIMEOUT_SECONDS, async (db) => {
    const cell = await findCell(db, ref);
    const cells = (await listCellMappings(db)).map(cellFromRow);
    const disabled = input.enable ? false : input.disable ? true : undefined;
    return applyChanges(db, cells, cell, { ...input, disabled }, render, now, input.dryRun);
  });
}

async function applyChanges(
  db: Kysely<ApiDatabase>,
  cells: Cell[],
  cell: Cell,
  wanted: { name?: string; databaseConnection?: string; transportUrl?: string; disabled?: boolean },
  render: UrlRenderers,
  now: Date,
  dryRun?: boolean,
): Promise<CellWriteResult> {
  if (wanted.disabled !== undefined && isCell0(cell)) {
    throw new Cell0ToggleError('cell0 cannot be enabled or disabled: it is never scheduled to');
  }
  const changes: CellChange[] = [];
  const update: CellMappingsUpdate = {};
  if (wanted.name !== undefined && wanted.name !== cell.name) {
    changes.push({ field: 'name', before: cell.name, after: wanted.name });
    update.name = wanted.name;
  }
  const sameUrl = (stored: string | null, given: string, r: (u: string) => string): boolean => stored !== null && r(stored) === r(given);
  if (wanted.databaseConnection !== undefined && !sameUrl(cell.databaseConnection, wanted.databaseConnection, render.database)) {
    changes.push({ field: 'database_connection', before: cell.databaseConnection, after: wanted.databaseConnection });
    update.database_connection = wanted.databaseConnection;
  }
  if (wanted.transportUrl !== undefined && !sameUrl(cell.transportUrl, wanted.transportUrl, render.transport)) {
    changes.push({ field: 'transport_url', before: cell.transportUrl, after: wanted.transportUrl });
    update.transport_url = wanted.transportUrl;
  }
  if (wanted.disabled !== undefined && wanted.disabled !== cell.disabled) {
    changes.push({ field: 'disabled', before: cell.disabled, after: wanted.disabled });
    update.disabled = toDbBoolean(wanted.disabled);
  }
  const conflict = findConflict(
    cells,
    { name: update.name, databaseConnection: update.database_connection ?? undefined, transportUrl: update.transport_url ?? undefined },
    render,
    cell.id,
  );
  if (conflict) throw new DuplicateCellError(conflict);
  if (changes.length && !dryRun) await updateCellMapping(db, cell.id, { ...update, updated_at: toDbTimestamp(now) });
  const after: Cell = {
    ...cell,
    name: update.name ?? cell.name,
    databaseConnection: update.database_connection ?? cell.databaseConnection,
    transportUrl: update.transport_url ?? cell.transportUrl,
    disabled: wanted.disabled ?? cell.disabled,
  };
  return { cell: after, action: changes.length ? 'updated' : 'unchanged', changes, notices: [], dryRun: Boolean(dryRun) };
}

/** What deleting a cell removed (or would remove, with dryRun). */
export interface DeleteCellResult {
  cell: Cell;
  hostMappings: number;
  instanceMappings: number;
  computeNodesReset: number;
  dryRun: boolean;
}

/**
 * Deletes a cell mapping. Refused whole (CellInUseError naming every blocker) while hosts are
 * mapped (blocker `hosts`), while live instances are in the cell (`instances`, even with force),
 * or while only stale instance mappings remain (`stale-instance-mappings`). With `force`, removes
 * the host and stale instance mappings and resets `compute_nodes.mapped` in the cell database.
 * Spans two databases, so it is not atomic: the cell database is changed first and a re-run
 * after a failure completes the work.
 */
export async function deleteCell(dbs: DatabaseContext, ref: string, options: { force?: boolean; dryRun?: boolean }): Promise<DeleteCellResult> {
  const api = await dbs.api();
  const cell = await findCell(api.db, ref);
  const hostMappings = await countHostMappingsByCell(api.db, cell.id);
  const instanceMappings = await countInstanceMappingsByCell(api.db, cell.id);
  const needsCellDatabase = instanceMappings > 0 || (hostMappings > 0 && options.force);
  const cellDb = needsCellDatabase && cell.databaseConnection ? (await dbs.cell(cell.databaseConnection)).db : undefined;
  const liveInstances = instanceMappings > 0 && cellDb ? await countLiveInstances(cellDb) : 0;

  const blockers: Array<[CellInUseError['blocker'], string]> = [];
  if (hostMappings > 0 && !options.force) blockers.push(['hosts', `${hostMappings} host(s) are mapped to it (delete them with host delete, or use --force)`]);
  if (liveInstances > 0) blockers.push(['instances', `${liveInstances} live instance(s) are in its database (never removed, not even with --force)`]);
  if (instanceMappings > 0 && liveInstances === 0 && !options.force) {
    blockers.push(['stale-instance-mappings', `${instanceMappings} instance mapping(s) of deleted instances remain (archive them first, or use --force)`]);
  }
  if (blockers.length) {
    throw new CellInUseError(`cell ${describeCell(cell)} cannot be deleted: ${blockers.map(([, why]) => why).join('; ')}`, blockers[0][0]);
  }
  const result: DeleteCellResult = { cell, hostMappings, instanceMappings, computeNodesReset: 0, dryRun: Boolean(options.dryRun) };
  if (options.dryRun) return result;
  if (hostMappings > 0 && cellDb) result.computeNodesReset = await resetComputeNodesMapped(cellDb);
  await withDatabaseLock(api, CELLS_LOCK, CELLS_LOCK_TIMEOUT_SECONDS, async (db) => {
    // NOTE: host discover and map-instances write mappings without the cells lock: count again
    // inside the transaction (a locking read on MySQL), so what was checked is what is removed.
    const lock = lockingRead(api.dialect);
    const hostsNow = await countHostMappingsByCell(db, cell.id, lock);
    const instancesNow = await countInstanceMappingsByCell(db, cell.id, lock);
    if (hostsNow !== hostMappings || instancesNow !== instanceMappings) {
      const added = instancesNow !== instanceMappings ? `${instancesNow} instance mapping(s), not ${instanceMappings}` : `${hostsNow} host mapping(s), not ${hostMappings}`;
      throw new CellInUseError(
        `cell ${describeCell(cell)} changed while it was being deleted (it now has ${added}): no mapping deleted; check it and run the command again`,
        instancesNow !== instanceMappings ? 'instances' : 'hosts',
      );
    }
    if (instanceMappings > 0) await deleteInstanceMappingsByCell(db, cell.id);
    if (hostMappings > 0) await deleteHostMappingsByCell(db, cell.id);
    await deleteCellMapping(db, cell.id);
  });
  return result;
}
